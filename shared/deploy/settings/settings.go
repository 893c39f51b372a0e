package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/contract/audittable"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
)

// Rollout is a deployment stage: which intents exist in this deployment. Stages only
// ever add intents, ordered by risk (reads, then writes, then payments).
type Rollout string

// The rollout stages.
const (
	RolloutReads    Rollout = spec.StageReads
	RolloutWrites   Rollout = spec.StageWrites
	RolloutPayments Rollout = spec.StagePayments
)

// Rollouts lists the stages in order.
var Rollouts = []Rollout{RolloutReads, RolloutWrites, RolloutPayments}

func (r Rollout) rank() int {
	for i, s := range Rollouts {
		if s == r {
			return i
		}
	}
	return -1
}

// Includes reports whether stage r turns on what stage o turns on.
func (r Rollout) Includes(o Rollout) bool { return r.rank() >= o.rank() && o.rank() >= 0 }

// Capability is a business capability an intent function calls.
type Capability string

// The capabilities, named as the keys of config.Connectors.
const (
	Customers Capability = spec.Customers
	Tickets   Capability = spec.Tickets
	Payments  Capability = spec.Payments
	KB        Capability = spec.KB
)

// Capabilities lists the capabilities in the order of config.Capabilities.
var Capabilities = []Capability{Customers, Tickets, Payments, KB}

// Function describes one intent function.
type Function struct {
	// Name is the directory under functions/ and build/, and the CDK construct id.
	Name   string
	Intent conversation.Intent
	// Stage is the first rollout stage that deploys it.
	Stage Rollout
	// Uses lists the capabilities its handler calls; they decide its secrets.
	Uses []Capability
	// Identity: its intent reads or writes customer data, so it verifies callers (the
	// identity token key, code-verified sessions) and writes the audit trail.
	Identity bool
	// Codes: it may send one-time codes (ses:SendEmail on the SES identity only).
	Codes bool
}

// IntentFunctions are the intent functions, in the order of conversation.Intents: one
// per intent registered in shared/intents/spec (its folder, shared/intents/<name>).
// The lookup handler can also show the last payment, but its function is deliberately
// not given the payments tool (its Uses): only verifypayment may read the payment
// processor's secret.
var IntentFunctions = func() []Function {
	var out []Function
	for _, in := range spec.All() {
		f := Function{Name: in.Function, Intent: conversation.Intent(in.Name), Stage: Rollout(in.Stage),
			Identity: in.Identity, Codes: in.Codes()}
		for _, c := range in.Uses {
			f.Uses = append(f.Uses, Capability(c))
		}
		out = append(out, f)
	}
	return out
}()

// RouterName is the router function's directory and construct id.
const RouterName = "router"

// AliasName is the alias every function is invoked through; CodeDeploy shifts it.
const AliasName = "live"

// RouteEnv is the router's environment variable holding the alias ARN of intent in.
func RouteEnv(in conversation.Intent) string {
	return config.EnvPrefix + "ROUTE_" + strings.ToUpper(string(in))
}

// EnabledEnv lists the canonical intents a deployment answers (config intents.enabled).
const EnabledEnv = config.EnvPrefix + "INTENTS_ENABLED"

// Settings are everything the stacks vary on. Zero values are not meaningful: build
// them with Default or FromContext.
type Settings struct {
	// Prefix names every physical resource (functions, table, alarms, dashboard), so
	// two deployments in one account need two prefixes.
	Prefix  string
	Rollout Rollout
	// AssetDir holds <function>/bootstrap as `make build` writes them.
	AssetDir string

	MemoryMB         int
	Timeout          time.Duration // intent functions; the router gets RouterExtra more
	LogRetentionDays int
	LogLevel         string

	// Deployment names the CodeDeploy Lambda deployment configuration.
	Deployment string

	ThrottleRate  float64 // steady requests per second on the API stage
	ThrottleBurst float64

	// LexBotAliasARNs may invoke the router (one per bot alias; none = no Lex).
	LexBotAliasARNs []string
	// BedrockAgentARNs may invoke the router from an action group (one per agent,
	// arn:aws:bedrock:<region>:<account>:agent/<agentId>; none = no Bedrock agent).
	BedrockAgentARNs []string

	// Tools chooses the business tool per capability (config.Connectors values).
	Tools map[Capability]string
	// SecretPrefix + tool is the Secrets Manager name holding that tool's credentials.
	SecretPrefix string
	// FunctionEnv is the tools' own configuration for every intent function, as
	// SWITCHBOARD_* variables (SWITCHBOARD_CONNECTORS_ZENDESK_SUBDOMAIN=acme, …).
	// Variables the stacks set themselves cannot be overridden.
	FunctionEnv map[string]string

	// ErrorRatePercent over one minute rolls a canary back.
	ErrorRatePercent float64
	// LatencyThreshold is the p99 duration that rolls a canary back: the tightest
	// platform deadline minus the reply margin, so a breach means users see timeouts.
	LatencyThreshold time.Duration
	// IdentitySecret is the Secrets Manager name holding the HS256 identity token key
	// ({"key": …}); empty: no HS256 tokens. JWKSURL publishes RS256/ES256 keys instead
	// or as well. TokenIssuer and TokenAudience are checked when set. With neither a
	// secret nor a JWKS URL every caller is anonymous (the safe default).
	IdentitySecret, JWKSURL, TokenIssuer, TokenAudience string
	// SESIdentity is the SES identity (an email address or a domain) one-time codes are
	// sent from; empty: no codes. CodesFrom is the From address (default SESIdentity
	// when that is an address).
	SESIdentity, CodesFrom string

	// Canary holds the outcome-ratio rollback thresholds (canary.go).
	Canary CanarySettings
	// Smoke holds the pre-traffic smoke test's and the synthetic conversations'
	// customer, truth and schedule (smoke.go).
	Smoke SmokeSettings
	// AlarmEmail, when set, subscribes an address to the alarm topic.
	AlarmEmail string
	// RunbookBaseURL, when set, prefixes runbook links in alarm descriptions (e.g. a
	// repository browse URL ending in docs/runbooks/); otherwise they are repo paths.
	RunbookBaseURL string

	Account string
	Region  string
}

// RouterExtra is added to the intent timeout for the router, which waits for the
// intent function it invokes.
const RouterExtra = 2 * time.Second

// Default are the settings with no context given.
func Default() Settings {
	d := config.Default().Deadlines
	var tight time.Duration
	for _, x := range d.Platforms {
		if tight == 0 || x < tight {
			tight = x
		}
	}
	return Settings{
		Prefix:           "switchboard",
		Rollout:          RolloutReads,
		AssetDir:         "build",
		MemoryMB:         256,
		Timeout:          10 * time.Second,
		LogRetentionDays: 30,
		LogLevel:         "info",
		Deployment:       "CANARY_10PERCENT_5MINUTES",
		ThrottleRate:     50,
		ThrottleBurst:    100,
		Tools: map[Capability]string{
			Customers: "hubspot", Tickets: "zendesk", Payments: "stripe", KB: "zendesk",
		},
		SecretPrefix:     "switchboard/",
		ErrorRatePercent: 5,
		LatencyThreshold: tight - d.ReplyMargin,
		Canary:           DefaultCanary(),
		Smoke:            DefaultSmoke(),
	}
}

// Context keys read by FromContext (cdk.json "context" or `-c key=value`).
const (
	CtxPrefix           = "prefix"
	CtxRollout          = "rollout"
	CtxAssetDir         = "assetDir"
	CtxMemory           = "memoryMb"
	CtxTimeout          = "timeoutSeconds"
	CtxLogRetention     = "logRetentionDays"
	CtxLogLevel         = "logLevel"
	CtxDeployment       = "deploymentConfig"
	CtxThrottleRate     = "throttleRate"
	CtxThrottleBurst    = "throttleBurst"
	CtxLexBotAliasArn   = "lexBotAliasArn"
	CtxBedrockAgentArns = "bedrockAgentArns"
	CtxSecretPrefix     = "secretPrefix"
	CtxErrorRate        = "errorRatePercent"
	CtxLatencyMs        = "latencyThresholdMs"
	CtxAlarmEmail       = "alarmEmail"
	CtxRunbookBaseURL   = "runbookBaseUrl"
	CtxToolPrefix       = "tool." // tool.customers=salesforce …
	CtxFunctionEnv      = "functionEnv"
	CtxIdentitySecret   = "identitySecret"
	CtxJWKSURL          = "identityJwksUrl"
	CtxTokenIssuer      = "identityIssuer"
	CtxTokenAudience    = "identityAudience"
	CtxSESIdentity      = "sesIdentity"
	CtxCodesFrom        = "codesFrom"
	CtxAccount, CtxRegn = "account", "region"
)

// Getter reads one context value; nil means absent. awscdk.App's Node().TryGetContext
// fits after a small adapter (see main).
type Getter func(key string) any

// FromContext overlays context values on Default and validates them.
func FromContext(get Getter) (Settings, error) {
	s := Default()
	str := func(key string, dst *string) {
		if v := get(key); v != nil {
			*dst = strings.TrimSpace(fmt.Sprint(v))
		}
	}
	var errs []string
	num := func(key string, set func(float64)) {
		v := get(key)
		if v == nil {
			return
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(fmt.Sprint(v)), 64)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %q is not a number", key, fmt.Sprint(v)))
			return
		}
		set(f)
	}
	var rollout string
	str(CtxPrefix, &s.Prefix)
	str(CtxRollout, &rollout)
	if rollout != "" {
		s.Rollout = Rollout(rollout)
	}
	str(CtxAssetDir, &s.AssetDir)
	num(CtxMemory, func(f float64) { s.MemoryMB = int(f) })
	num(CtxTimeout, func(f float64) { s.Timeout = time.Duration(f * float64(time.Second)) })
	num(CtxLogRetention, func(f float64) { s.LogRetentionDays = int(f) })
	str(CtxLogLevel, &s.LogLevel)
	str(CtxDeployment, &s.Deployment)
	num(CtxThrottleRate, func(f float64) { s.ThrottleRate = f })
	num(CtxThrottleBurst, func(f float64) { s.ThrottleBurst = f })
	var lex string
	str(CtxLexBotAliasArn, &lex)
	for _, a := range strings.Split(lex, ",") {
		if a = strings.TrimSpace(a); a != "" {
			s.LexBotAliasARNs = append(s.LexBotAliasARNs, a)
		}
	}
	var agents string
	str(CtxBedrockAgentArns, &agents)
	for _, a := range strings.Split(agents, ",") {
		if a = strings.TrimSpace(a); a != "" {
			s.BedrockAgentARNs = append(s.BedrockAgentARNs, a)
		}
	}
	str(CtxSecretPrefix, &s.SecretPrefix)
	num(CtxErrorRate, func(f float64) { s.ErrorRatePercent = f })
	num(CtxLatencyMs, func(f float64) { s.LatencyThreshold = time.Duration(f * float64(time.Millisecond)) })
	s.Canary.FromContext(num)
	s.Smoke.FromContext(str, num)
	str(CtxAlarmEmail, &s.AlarmEmail)
	str(CtxRunbookBaseURL, &s.RunbookBaseURL)
	for _, c := range Capabilities {
		tool := s.Tools[c]
		str(CtxToolPrefix+string(c), &tool)
		s.Tools[c] = tool
	}
	str(CtxAccount, &s.Account)
	str(CtxRegn, &s.Region)
	str(CtxIdentitySecret, &s.IdentitySecret)
	str(CtxJWKSURL, &s.JWKSURL)
	str(CtxTokenIssuer, &s.TokenIssuer)
	str(CtxTokenAudience, &s.TokenAudience)
	str(CtxSESIdentity, &s.SESIdentity)
	str(CtxCodesFrom, &s.CodesFrom)
	if s.CodesFrom == "" && strings.Contains(s.SESIdentity, "@") {
		s.CodesFrom = s.SESIdentity
	}
	if v := get(CtxFunctionEnv); v != nil {
		env, err := parseFunctionEnv(v)
		if err != nil {
			errs = append(errs, err.Error())
		}
		s.FunctionEnv = env
	}
	if len(errs) > 0 {
		return s, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return s, s.Validate()
}

// Validate rejects settings that cannot deploy.
func (s Settings) Validate() error {
	var errs []string
	if s.Rollout.rank() < 0 {
		errs = append(errs, fmt.Sprintf("%s: %q is not one of reads, writes, payments", CtxRollout, s.Rollout))
	}
	if s.Prefix == "" || strings.ContainsAny(s.Prefix, " /:") {
		errs = append(errs, fmt.Sprintf("%s: %q must be non-empty without spaces, slashes or colons", CtxPrefix, s.Prefix))
	}
	if s.MemoryMB < 128 || s.MemoryMB > 10240 {
		errs = append(errs, fmt.Sprintf("%s: %d is outside Lambda's 128..10240 MB", CtxMemory, s.MemoryMB))
	}
	if s.Timeout < time.Second || s.Timeout+RouterExtra > 15*time.Minute {
		errs = append(errs, fmt.Sprintf("%s: %s is outside 1s..15m (router adds %s)", CtxTimeout, s.Timeout, RouterExtra))
	}
	if !slices.Contains(RetentionDays, s.LogRetentionDays) {
		errs = append(errs, fmt.Sprintf("%s: %d is not a CloudWatch Logs retention (one of %v)", CtxLogRetention, s.LogRetentionDays, RetentionDays))
	}
	if !slices.Contains(DeploymentConfigs, s.Deployment) {
		errs = append(errs, fmt.Sprintf("%s: %q is not one of %v", CtxDeployment, s.Deployment, DeploymentConfigs))
	}
	if s.ThrottleRate <= 0 || s.ThrottleBurst <= 0 {
		errs = append(errs, "throttleRate and throttleBurst must be positive")
	}
	for _, a := range s.LexBotAliasARNs {
		if !lexAliasARN(a) {
			errs = append(errs, fmt.Sprintf("%s: %q is not arn:aws:lex:<region>:<account>:bot-alias/<botId>/<aliasId>", CtxLexBotAliasArn, a))
		}
	}
	for _, a := range s.BedrockAgentARNs {
		if _, ok := BedrockAgentAccount(a); !ok {
			errs = append(errs, fmt.Sprintf("%s: %q is not arn:aws:bedrock:<region>:<account>:agent/<agentId>", CtxBedrockAgentArns, a))
		}
	}
	// The tools a capability may use are those registered for it (shared/connector/specs
	// links every tool into this package), never demo: the embedded demo data is no
	// customer's, and Lambda builds leave it out (the function would exit at start).
	for _, c := range Capabilities {
		tools := DeployableTools(c)
		switch t := s.Tools[c]; {
		case t == config.ToolDemo:
			errs = append(errs, fmt.Sprintf("%s%s: %q is refused in a deployed environment: it answers from the embedded demo data, which Lambda builds leave out (the function would exit at start); choose one of %v",
				CtxToolPrefix, c, t, tools))
		case !slices.Contains(tools, t):
			errs = append(errs, fmt.Sprintf("%s%s: %q is not one of %v", CtxToolPrefix, c, t, tools))
		}
	}
	errs = append(errs, s.validateFunctionEnv()...)
	if s.ErrorRatePercent <= 0 || s.ErrorRatePercent > 100 {
		errs = append(errs, fmt.Sprintf("%s: %v must be in (0, 100]", CtxErrorRate, s.ErrorRatePercent))
	}
	if s.JWKSURL != "" && !strings.HasPrefix(s.JWKSURL, "https://") {
		errs = append(errs, fmt.Sprintf("%s: %q must be an https URL", CtxJWKSURL, s.JWKSURL))
	}
	if s.SESIdentity != "" && (s.CodesFrom == "" || !strings.Contains(s.CodesFrom, "@") ||
		!strings.HasSuffix(s.CodesFrom, "@"+s.SESIdentity) && s.CodesFrom != s.SESIdentity) {
		errs = append(errs, fmt.Sprintf("%s: %q must be the SES identity's address or an address in its domain %q", CtxCodesFrom, s.CodesFrom, s.SESIdentity))
	}
	if s.LatencyThreshold <= 0 {
		errs = append(errs, fmt.Sprintf("%s: must be positive", CtxLatencyMs))
	}
	errs = append(errs, s.Canary.Validate()...)
	errs = append(errs, s.Smoke.Validate()...)
	if len(errs) > 0 {
		sort.Strings(errs)
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

func lexAliasARN(a string) bool {
	parts := strings.SplitN(a, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "lex" || parts[3] == "" || parts[4] == "" {
		return false
	}
	res := strings.Split(parts[5], "/")
	return len(res) == 3 && res[0] == "bot-alias" && res[1] != "" && res[2] != ""
}

// BedrockAgentAccount returns the account of a Bedrock agent ARN
// (arn:aws:bedrock:<region>:<account>:agent/<agentId>); ok is false for anything else.
func BedrockAgentAccount(a string) (account string, ok bool) {
	parts := strings.SplitN(a, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] != "bedrock" || parts[3] == "" || len(parts[4]) != 12 {
		return "", false
	}
	res := strings.Split(parts[5], "/")
	if len(res) != 2 || res[0] != "agent" || res[1] == "" || strings.ContainsAny(res[1], "*?") {
		return "", false
	}
	return parts[4], true
}

// Functions returns the intent functions deployed at this rollout stage.
func (s Settings) Functions() []Function {
	var out []Function
	for _, f := range IntentFunctions {
		if s.Rollout.Includes(f.Stage) {
			out = append(out, f)
		}
	}
	return out
}

// EnabledIntents returns the canonical intents deployed at this stage.
func (s Settings) EnabledIntents() []conversation.Intent {
	var out []conversation.Intent
	for _, f := range s.Functions() {
		out = append(out, f.Intent)
	}
	return out
}

// FunctionName is the physical Lambda name of a function (intent or router). Names are
// fixed rather than generated so the monitoring stack can chart functions without a
// cross-stack reference back into the functions stack (which depends on it for the
// alarm topic).
func (s Settings) FunctionName(name string) string { return s.Prefix + "-" + name }

// TableName is the DynamoDB table's physical name.
func (s Settings) TableName() string { return s.Prefix + "-store" }

// SecretNames returns the Secrets Manager names function f may read: one per distinct
// tool behind its capabilities that registered a secret (config.ToolSpec.SecretKey).
func (s Settings) SecretNames(f Function) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range f.Uses {
		tool := s.Tools[c]
		if _, ok := SecretIDEnv(tool); !ok || seen[tool] {
			continue
		}
		seen[tool] = true
		out = append(out, s.SecretPrefix+tool)
	}
	if f.Identity && s.IdentitySecret != "" {
		out = append(out, s.IdentitySecret)
	}
	sort.Strings(out)
	return out
}

// AuditTableName is the DynamoDB table of the audit trail.
func (s Settings) AuditTableName() string { return s.Prefix + "-audit" }

// AuditRetentionDays is how long audit events are kept.
const AuditRetentionDays = audittable.RetentionDays

// SecretIDEnv is the variable that points tool at its secret
// (SWITCHBOARD_CONNECTORS_<TOOL>_<SECRET KEY>), from the tool's registration; false for
// a tool without a secret (demo) or not registered.
func SecretIDEnv(tool string) (string, bool) {
	spec, ok := config.Tool(tool)
	if !ok || spec.SecretKey == "" {
		return "", false
	}
	return config.EnvPrefix + "CONNECTORS_" + envKey(tool) + "_" + envKey(spec.SecretKey), true
}

func envKey(s string) string { return strings.ToUpper(strings.ReplaceAll(s, "-", "_")) }

// FileContext returns the "context" object of a cdk.json, so the CDK app (infra/), which
// `make synth` runs without the CDK CLI, sees the same context `cdk synth` would. A missing file
// is no context.
func FileContext(path string) (map[string]any, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var doc struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return doc.Context, nil
}

// parseFunctionEnv reads the functionEnv context: an object in cdk.json, or
// "K=V,K=V" on the command line (-c functionEnv=…).
func parseFunctionEnv(v any) (map[string]string, error) {
	env := map[string]string{}
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			env[k] = fmt.Sprint(val)
		}
	default:
		for _, kv := range strings.Split(fmt.Sprint(v), ",") {
			if kv = strings.TrimSpace(kv); kv == "" {
				continue
			}
			k, val, ok := strings.Cut(kv, "=")
			if !ok {
				return nil, fmt.Errorf("%s: %q is not KEY=VALUE", CtxFunctionEnv, kv)
			}
			env[strings.TrimSpace(k)] = strings.TrimSpace(val)
		}
	}
	for k := range env {
		if !strings.HasPrefix(k, config.EnvPrefix) {
			return nil, fmt.Errorf("%s: %s is not a %s* variable", CtxFunctionEnv, k, config.EnvPrefix)
		}
	}
	return env, nil
}
