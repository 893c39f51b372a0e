package settings

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform/names"
)

// WebhookAuth is how one platform's calls to the HTTP API authenticate: the stack
// generates its secret in Secrets Manager, and every function checks it.
type WebhookAuth struct {
	// Platform is the platform's name as its environment variables spell it
	// (dialogflow_cx for dialogflow-cx: SWITCHBOARD_SECURITY_DIALOGFLOW_CX_*), also
	// the secret's suffix ("_" as "-").
	Platform string
	// Method is a config.Auth* method; Key is the generated key of the secret.
	Method, Key string
	// Template is the secret's fixed part (the basic-auth user name).
	Template map[string]string
}

// WebhookAuths are the platforms that call the HTTP API, each with the method its
// entry in shared/platform/names provisions (DefaultAuth): Dialogflow ES basic auth
// (the agent's fulfillment user name and password), Dialogflow CX a request header
// (X-Switchboard-Token), Rasa endpoints.yml's `token:` (sent as ?token=…). Lex V2 is
// not among them: it invokes the router directly, authorized by IAM (the resource
// policy scoped to the bot aliases in lexBotAliasArn).
var WebhookAuths = func() []WebhookAuth {
	var out []WebhookAuth
	for _, p := range names.Deployed() {
		if !p.HTTP || p.DefaultAuth == "" {
			continue
		}
		w := WebhookAuth{Platform: strings.ReplaceAll(p.Name, "-", "_"), Method: p.DefaultAuth, Key: "token"}
		if p.DefaultAuth == config.AuthBasic {
			w.Key, w.Template = "password", map[string]string{"username": p.Name}
		}
		out = append(out, w)
	}
	return out
}()

// WebhookSecretName is the Secrets Manager name of a platform's webhook secret.
func (s Settings) WebhookSecretName(platform string) string {
	return s.SecretPrefix + "webhook/" + strings.ReplaceAll(platform, "_", "-")
}

// WebhookEnv configures webhook authentication on a function: the method and secret
// name of every platform that calls the API (the router, and every intent function:
// CX calls them directly and the router forwards ES and Rasa events as received).
func WebhookEnv(s Settings, env map[string]string) {
	for _, w := range WebhookAuths {
		k := config.EnvPrefix + "SECURITY_" + strings.ToUpper(w.Platform) + "_"
		env[k+"METHOD"] = w.Method
		env[k+"SECRET"] = s.WebhookSecretName(w.Platform)
	}
	// The webhook secrets live in Secrets Manager whatever the tools use.
	env[config.EnvPrefix+"CONNECTORS_SECRETS_PROVIDER"] = config.SecretsAWS
}

// SendsCodes reports whether function f sends one-time codes (by SES).
func (s Settings) SendsCodes(f Function) bool { return f.Codes && s.SESIdentity != "" }

// CodePepperSecretName is the Secrets Manager name of the generated code pepper.
func (s Settings) CodePepperSecretName() string { return s.SecretPrefix + "identity/code-pepper" }

// HashSaltSecretName is the generated secret whose "salt" keys the hash of session,
// turn and customer ids in logs and audit events (telemetry.hash_salt).
func (s Settings) HashSaltSecretName() string { return s.SecretPrefix + "telemetry/hash-salt" }

// HashSaltRef is the CloudFormation dynamic reference to that salt: the functions'
// SWITCHBOARD_TELEMETRY_HASH_SALT, resolved by CloudFormation when it deploys them,
// so the value is in no template and no function makes a call for it.
func (s Settings) HashSaltRef() string {
	return "{{resolve:secretsmanager:" + s.HashSaltSecretName() + ":SecretString:salt}}"
}

// identityEnv configures a function's identity section: the audit sink for every
// function; for those that verify callers, the token settings and the code sender.
func identityEnv(env map[string]string, s Settings, f Function) {
	p := config.EnvPrefix + "IDENTITY_"
	// Never the demo key on AWS, whatever the tools are.
	env[p+"TOKEN_DEMO_KEY"] = "false"
	env[p+"CODES_SENDER"] = config.SenderNone
	if !f.Identity {
		// Reads no customer data: nothing to audit.
		env[p+"AUDIT_SINK"] = config.AuditNone
		return
	}
	// The audit trail's own DynamoDB table (the functions that audit link the DynamoDB
	// client for the store already; CloudWatch Logs would be a client more).
	env[p+"AUDIT_SINK"] = config.AuditDynamoDB
	env[p+"AUDIT_TABLE"] = s.AuditTableName()
	if s.IdentitySecret != "" {
		env[config.EnvPrefix+"CONNECTORS_SECRETS_PROVIDER"] = config.SecretsAWS
		env[p+"TOKEN_SECRET_ID"] = s.IdentitySecret
	}
	for k, v := range map[string]string{"TOKEN_JWKS_URL": s.JWKSURL, "TOKEN_ISSUER": s.TokenIssuer, "TOKEN_AUDIENCE": s.TokenAudience} {
		if v != "" {
			env[p+k] = v
		}
	}
	if s.SendsCodes(f) {
		env[p+"CODES_SENDER"] = config.SenderSES
		env[p+"CODES_FROM"] = s.CodesFrom
		// The generated pepper that keys the stored codes (infra/stacks newCodePepper),
		// read from Secrets Manager at run time.
		env[config.EnvPrefix+"CONNECTORS_SECRETS_PROVIDER"] = config.SecretsAWS
		env[p+"CODES_PEPPER_SECRET_ID"] = s.CodePepperSecretName()
	}
}

// commonEnv is what the stacks set in every function (intent functions and router).
func (s Settings) commonEnv() map[string]string {
	return map[string]string{
		config.EnvPrefix + "SERVICE":             s.Prefix,
		config.EnvPrefix + "DATA_DIR":            "/tmp/switchboard",
		config.EnvPrefix + "STORE_BACKEND":       "dynamodb",
		config.EnvPrefix + "STORE_TABLE":         s.TableName(),
		config.EnvPrefix + "TELEMETRY_LOG_LEVEL": s.LogLevel,
		config.EnvPrefix + "TELEMETRY_HASH_SALT": s.HashSaltRef(),
	}
}

// IntentEnv is the exact environment intent function f gets: the tools' own settings
// from FunctionEnv (only those of the tools f uses, so a function never carries a
// setting for a tool it does not link), then what the stacks decide (store, enabled
// intent, tools, secret ids). FunctionEnv cannot name a variable the stacks set
// (OwnedEnv): Validate refuses it.
func (s Settings) IntentEnv(f Function) map[string]string {
	used := map[string]bool{}
	for _, c := range f.Uses {
		used[s.Tools[c]] = true
	}
	env := map[string]string{}
	for k, v := range s.FunctionEnv {
		if tool := envTool(k); tool != "" && !used[tool] {
			continue
		}
		env[k] = v
	}
	for k, v := range s.commonEnv() {
		env[k] = v
	}
	// An intent function answers only its own intent: a request routed to it by
	// mistake (a CX tag path that disagrees with the body's tag) gets a polite
	// "not here" instead of running another intent with this function's secrets.
	env[EnabledEnv] = string(f.Intent)
	// A capability the function does not use is "none", never the demo default:
	// production must not answer from demo data, and the role has no secret for it.
	for _, c := range Capabilities {
		env[capabilityEnv(c)] = config.ToolNone
	}
	for _, c := range f.Uses {
		tool := s.Tools[c]
		env[capabilityEnv(c)] = tool
		if name, ok := SecretIDEnv(tool); ok {
			// The secret this role may read (SecretNames), under the key the
			// tool's section names it by.
			env[config.EnvPrefix+"CONNECTORS_SECRETS_PROVIDER"] = config.SecretsAWS
			env[name] = s.SecretPrefix + tool
		}
	}
	WebhookEnv(s, env)
	return env
}

func capabilityEnv(c Capability) string {
	return config.EnvPrefix + "CONNECTORS_" + strings.ToUpper(string(c))
}

// DeployedEnv is the exact environment the stacks give intent function f: IntentEnv
// and the identity settings. The benchmarks start the bootstraps with it.
func (s Settings) DeployedEnv(f Function) map[string]string {
	env := s.IntentEnv(f)
	identityEnv(env, s, f)
	return env
}

// RouterDeployedEnv is the router's exact environment, routing each intent to the
// alias ARN routes names.
func (s Settings) RouterDeployedEnv(routes map[conversation.Intent]string) map[string]string {
	env := s.RouterEnv()
	for in, arn := range routes {
		env[RouteEnv(in)] = arn
	}
	return env
}

// RouterEnv is the router's environment without its routes (alias ARNs known only
// at deploy time).
func (s Settings) RouterEnv() map[string]string {
	env := s.commonEnv()
	var enabled []string
	for _, in := range s.EnabledIntents() {
		enabled = append(enabled, string(in))
	}
	env[EnabledEnv] = strings.Join(enabled, ",")
	WebhookEnv(s, env)
	return env
}

// envTool returns the registered tool whose section a SWITCHBOARD_CONNECTORS_<TOOL>_…
// or SWITCHBOARD_RESILIENCE_<TOOL>_… variable sets, "" for any other variable.
func envTool(k string) string {
	for _, sec := range []string{"CONNECTORS_", "RESILIENCE_"} {
		rest, ok := strings.CutPrefix(k, config.EnvPrefix+sec)
		if !ok {
			continue
		}
		for _, t := range config.Tools() {
			if strings.HasPrefix(rest, envKey(t.Name)+"_") {
				return t.Name
			}
		}
	}
	return ""
}

// ValidateFunctions runs config.Load, the code each function runs at start, on the
// exact environment each function of this stage will get, and names the function and
// the setting of the first failure: synth refuses what would fail at run time.
func (s Settings) ValidateFunctions() error {
	var errs []string
	var all []string
	for k, v := range s.FunctionEnv {
		all = append(all, k+"="+v)
	}
	sort.Strings(all)
	if err := config.UnknownTools(all); err != nil {
		errs = append(errs, "functionEnv: "+err.Error())
	}
	check := func(name string, env map[string]string) {
		if _, err := config.Load("", environ(env)); err != nil {
			errs = append(errs, fmt.Sprintf("function %s: %v", name, err))
		}
	}
	for _, f := range s.Functions() {
		check(f.Name, s.DeployedEnv(f))
	}
	check(RouterName, s.RouterEnv())
	if len(errs) > 0 {
		return fmt.Errorf("a function would fail at start (tool settings go in functionEnv as SWITCHBOARD_<KEY> variables, see docs/deploy.md): %s",
			strings.Join(errs, "; "))
	}
	return nil
}

// environ turns an environment map into sorted KEY=VALUE entries.
func environ(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// CheckEnv is the environment `switchboard check --env-file` runs with: that of one
// function doing the work of every function of the stage, built by DeployedEnv as
// each function's is (every tool they use with its secret id, the identity settings
// and secrets, the webhook secrets), answering every intent of the stage.
func (s Settings) CheckEnv() []string {
	all := Function{Name: "check"}
	var enabled []string
	for _, f := range s.Functions() {
		for _, c := range f.Uses {
			if !slices.Contains(all.Uses, c) {
				all.Uses = append(all.Uses, c)
			}
		}
		all.Identity = all.Identity || f.Identity
		all.Codes = all.Codes || f.Codes
		enabled = append(enabled, string(f.Intent))
	}
	env := s.DeployedEnv(all)
	env[EnabledEnv] = strings.Join(enabled, ",")
	return environ(env)
}

// ToolSecretShapes are the JSON objects each tool's secret holds, as its connector
// reads it (docs/connectors/<tool>.md), with placeholder values.
var ToolSecretShapes = map[string]string{
	"hubspot":    `{"token":"pat-…"}`,
	"salesforce": `{"client_id":"…","client_secret":"…"}`,
	"zendesk":    `{"email":"agent@example.com","api_token":"…"}`,
	"stripe":     `{"api_key":"rk_live_…"}`,
	"sql":        `{"dsn":"postgres://switchboard:…@db.internal:5432/helpdesk?sslmode=verify-full"}`,
}

// Secret is one Secrets Manager secret a deployment's functions read.
type Secret struct {
	Name  string
	Shape string // the JSON it holds, placeholders for values
	For   string // who reads it
	// Generated: the stacks create it with a random value; create nothing.
	Generated bool
}

// Secrets lists every secret the functions of this stage read: the tools' (to
// create before the deploy), the identity token key when set (to create), the
// generated webhook secrets and code pepper (the stacks create them).
func (s Settings) Secrets() []Secret {
	var out []Secret
	users := map[string][]string{}
	var tools []string
	for _, f := range s.Functions() {
		for _, c := range f.Uses {
			t := s.Tools[c]
			if _, ok := SecretIDEnv(t); !ok {
				continue
			}
			if !slices.Contains(tools, t) {
				tools = append(tools, t)
			}
			if !slices.Contains(users[t], f.Name) {
				users[t] = append(users[t], f.Name)
			}
		}
	}
	sort.Strings(tools)
	for _, t := range tools {
		out = append(out, Secret{Name: s.SecretPrefix + t, Shape: ToolSecretShapes[t], For: t + " (" + strings.Join(users[t], ", ") + ")"})
	}
	sends := false
	for _, f := range s.Functions() {
		sends = sends || s.SendsCodes(f)
	}
	if s.IdentitySecret != "" {
		out = append(out, Secret{Name: s.IdentitySecret, Shape: `{"key":"<at least 32 random bytes>"}`, For: "identity tokens (HS256 key)"})
	}
	for _, w := range WebhookAuths {
		shape := `{"` + w.Key + `":…}`
		if u := w.Template["username"]; u != "" {
			shape = `{"username":"` + u + `","` + w.Key + `":…}`
		}
		out = append(out, Secret{Name: s.WebhookSecretName(w.Platform), Shape: shape, For: strings.ReplaceAll(w.Platform, "_", "-") + " webhook (" + w.Method + ")", Generated: true})
	}
	if sends {
		out = append(out, Secret{Name: s.CodePepperSecretName(), Shape: `{"pepper":…}`, For: "one-time codes", Generated: true})
	}
	// Resolved into every function's environment at deploy (HashSaltRef), never read
	// at run time.
	out = append(out, Secret{Name: s.HashSaltSecretName(), Shape: `{"salt":…}`, For: "the hash of ids in logs and audit events", Generated: true})
	return out
}
