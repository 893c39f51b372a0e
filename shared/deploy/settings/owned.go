package settings

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/config"
	// Every deployable tool's configuration side (not its client), so the settings
	// know every tool's keys and secret.
	_ "github.com/switchboard-dev/switchboard/shared/connector/specs"
)

// DeployableTools lists the tools a deployed function may use for capability c: every
// registered tool serving it, without demo and none.
func DeployableTools(c Capability) []string {
	var out []string
	for _, t := range config.ToolsFor(string(c)) {
		if t != config.ToolNone && t != config.ToolDemo {
			out = append(out, t)
		}
	}
	return out
}

// OwnedEnv maps every SWITCHBOARD_* variable the stacks set on a function to what
// decides it (the setting to change instead). functionEnv may not name one: the
// stacks' value would win and the file's be dropped without a word. A name ending in
// "_" stands for every variable it starts.
func OwnedEnv() map[string]string {
	p := config.EnvPrefix
	out := map[string]string{
		p + "SERVICE":                         "from the prefix setting",
		p + "STORE_TABLE":                     "from the prefix setting (<prefix>-store)",
		p + "STORE_BACKEND":                   "dynamodb on Lambda",
		p + "DATA_DIR":                        "/tmp on Lambda",
		p + "TELEMETRY_LOG_LEVEL":             "from the logLevel setting",
		p + "TELEMETRY_HASH_SALT":             "generated per deployment (<secretPrefix>telemetry/hash-salt)",
		EnabledEnv:                            "from the rollout setting: each function answers its own intent",
		p + "CONNECTORS_SECRETS_PROVIDER":     "aws (Secrets Manager) on Lambda",
		p + "ROUTE_":                          "the router's routes to the intents' aliases",
		p + "IDENTITY_TOKEN_DEMO_KEY":         "never the demo key on AWS",
		p + "IDENTITY_AUDIT_SINK":             "dynamodb for functions reading customer data",
		p + "IDENTITY_AUDIT_TABLE":            "from the prefix setting (<prefix>-audit)",
		p + "IDENTITY_TOKEN_SECRET_ID":        "from the " + CtxIdentitySecret + " setting",
		p + "IDENTITY_TOKEN_JWKS_URL":         "from the " + CtxJWKSURL + " setting",
		p + "IDENTITY_TOKEN_ISSUER":           "from the " + CtxTokenIssuer + " setting",
		p + "IDENTITY_TOKEN_AUDIENCE":         "from the " + CtxTokenAudience + " setting",
		p + "IDENTITY_CODES_SENDER":           "from the " + CtxSESIdentity + " setting (ses when set)",
		p + "IDENTITY_CODES_FROM":             "from the " + CtxCodesFrom + " setting",
		p + "IDENTITY_CODES_PEPPER_SECRET_ID": "the generated code pepper",
	}
	for _, c := range Capabilities {
		out[capabilityEnv(c)] = "from the " + CtxToolPrefix + string(c) + " setting"
	}
	for _, t := range config.Tools() {
		if name, ok := SecretIDEnv(t.Name); ok {
			out[name] = "from the " + CtxSecretPrefix + " setting (<secretPrefix>" + t.Name + ")"
		}
	}
	for _, w := range WebhookAuths {
		k := p + "SECURITY_" + strings.ToUpper(w.Platform) + "_"
		out[k+"METHOD"] = "the generated webhook secrets"
		out[k+"SECRET"] = "the generated webhook secrets"
	}
	return out
}

// ownedBy returns what decides variable k when the stacks set it.
func ownedBy(k string, owned map[string]string) (string, bool) {
	if why, ok := owned[k]; ok {
		return why, true
	}
	for name, why := range owned {
		if strings.HasSuffix(name, "_") && strings.HasPrefix(k, name) {
			return why, true
		}
	}
	return "", false
}

// validateFunctionEnv refuses functionEnv variables the stacks set themselves and
// those no function reads (with the nearest known name). The per-function check
// (ValidateFunctions) sees only the variables of the tools each function uses; this
// one sees them all, whatever the stage.
func (s Settings) validateFunctionEnv() []string {
	var errs []string
	owned := OwnedEnv()
	var rest []string
	for k, v := range s.FunctionEnv {
		if why, ok := ownedBy(k, owned); ok {
			errs = append(errs, fmt.Sprintf("%s: %s is set by the stacks (%s); remove it from %s", CtxFunctionEnv, k, why, CtxFunctionEnv))
			continue
		}
		rest = append(rest, k+"="+v)
	}
	sort.Strings(rest)
	if err := config.CheckEnv(rest); err != nil {
		errs = append(errs, fmt.Sprintf("%s: %v", CtxFunctionEnv, err))
	}
	slices.Sort(errs)
	return errs
}
