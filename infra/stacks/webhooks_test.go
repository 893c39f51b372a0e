package stacks_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/infra/stacks"
)

// checkWebhookAuth: every function a route reaches — and every function at all, since
// the router forwards webhook events as received — has webhook auth configured for
// every platform that calls the API, from a generated secret its own role may read;
// and no function's environment holds a secret value.
func checkWebhookAuth(t *testing.T, sy *synth) {
	tj := sy.json[stacks.FunctionsStackID]
	secretIDs := map[string]string{} // secret name → logical id
	for id, r := range tj.ofType("AWS::SecretsManager::Secret") {
		name := flat(r.Properties["Name"])
		if name == sy.s.CodePepperSecretName() || name == sy.s.HashSaltSecretName() {
			continue // checkCodePepper, checkHashSalt
		}
		secretIDs[name] = id
		gen, _ := r.Properties["GenerateSecretString"].(map[string]any)
		if gen == nil || gen["GenerateStringKey"] == nil || r.Properties["SecretString"] != nil {
			t.Errorf("secret %s is not generated: %s", name, flat(r.Properties))
		}
	}
	if len(secretIDs) != len(stacks.WebhookAuths) {
		t.Errorf("%d secrets in the functions stack, want one per webhook platform (%d)", len(secretIDs), len(stacks.WebhookAuths))
	}
	pols := policies(t, sy)
	readable := func(fn, secretID string) bool {
		for _, st := range pols[fn] {
			if slices.Contains(actions(st), "secretsmanager:GetSecretValue") && slices.Contains(resources(st), "{Ref:"+secretID+"}") {
				return true
			}
		}
		return false
	}
	fnEnv := map[string]map[string]any{} // short name → environment (router and intent functions)
	serving := map[string]bool{stacks.RouterName: true}
	for _, f := range stacks.IntentFunctions {
		serving[f.Name] = true
	}
	for _, r := range tj.ofType("AWS::Lambda::Function") {
		name := strings.TrimPrefix(flat(r.Properties["FunctionName"]), sy.s.Prefix+"-")
		env, _ := r.Properties["Environment"].(map[string]any)["Variables"].(map[string]any)
		if !serving[name] {
			// The smoke and synthetic functions present the credentials: they need
			// the same settings and read access (by name) to the same secrets.
			for _, w := range stacks.WebhookAuths {
				k := "SWITCHBOARD_SECURITY_" + strings.ToUpper(w.Platform) + "_SECRET"
				if flat(env[k]) != sy.s.WebhookSecretName(w.Platform) {
					t.Errorf("%s: %s = %q: its conversations would be refused", name, k, flat(env[k]))
				}
			}
			reads := false
			for _, st := range pols[name] {
				reads = reads || (st["Sid"] == "ReadWebhookSecrets" && slices.Equal(actions(st), []string{"secretsmanager:GetSecretValue"}) && len(resources(st)) == len(stacks.WebhookAuths))
			}
			if !reads {
				t.Errorf("%s may not read the webhook secrets", name)
			}
			continue
		}
		fnEnv[name] = env
	}
	// The functions the API's routes reach.
	reached := map[string]bool{}
	api := sy.json[stacks.APIStackID]
	for _, r := range api.ofType("AWS::ApiGatewayV2::Integration") {
		uri := strings.ToLower(flat(r.Properties["IntegrationUri"]))
		for name := range fnEnv {
			if strings.Contains(uri, name+"live") {
				reached[name] = true
			}
		}
	}
	if !reached[stacks.RouterName] || len(reached) != len(fnEnv) {
		t.Errorf("routes reach %v of %d functions", reached, len(fnEnv))
	}
	for name, env := range fnEnv {
		for _, w := range stacks.WebhookAuths {
			k := "SWITCHBOARD_SECURITY_" + strings.ToUpper(w.Platform) + "_"
			method, secret := flat(env[k+"METHOD"]), flat(env[k+"SECRET"])
			if method != w.Method {
				t.Errorf("%s: %sMETHOD = %q, want %q", name, k, method, w.Method)
			}
			id, ok := secretIDs[secret]
			if !ok {
				t.Errorf("%s: %sSECRET = %q, not a secret of the stack", name, k, secret)
				continue
			}
			if !readable(name, id) {
				t.Errorf("%s: checks %s but its role may not read it", name, secret)
			}
		}
		if flat(env["SWITCHBOARD_CONNECTORS_SECRETS_PROVIDER"]) != "aws" {
			t.Errorf("%s: secrets provider %q, want aws", name, flat(env["SWITCHBOARD_CONNECTORS_SECRETS_PROVIDER"]))
		}
		if _, ok := env["SWITCHBOARD_SECURITY_LEX_METHOD"]; ok {
			t.Errorf("%s: Lex is authorized by IAM, not a webhook secret", name)
		}
		if _, ok := env["SWITCHBOARD_SECURITY_AUTH"]; ok {
			t.Errorf("%s: security.auth set in a deployed function", name)
		}
		// No value of the environment is, or resolves to, a secret's value — but the
		// hash salt's (checkHashSalt): a key that pseudonymises ids in logs, not a
		// credential, resolved at deploy so that hashing costs no call (docs/deploy.md).
		for k, v := range env {
			if k == "SWITCHBOARD_TELEMETRY_HASH_SALT" {
				continue
			}
			raw, _ := json.Marshal(v)
			s := string(raw)
			if strings.Contains(s, "resolve:secretsmanager") || strings.Contains(s, "SecretString") {
				t.Errorf("%s: %s resolves a secret value: %s", name, k, s)
			}
			for _, id := range secretIDs {
				if strings.Contains(s, `"`+id+`"`) {
					t.Errorf("%s: %s refers to secret resource %s: %s", name, k, id, s)
				}
			}
			if _, isString := v.(string); !isString && !strings.HasPrefix(k, "SWITCHBOARD_ROUTE_") {
				t.Errorf("%s: %s is computed (%s): only plain settings belong in the environment", name, k, s)
			}
		}
	}
}

// checkNoWideGrants: no statement in any stack grants secretsmanager:DescribeSecret or
// kms:ReEncrypt*; every log group is retained on stack removal; the API writes JSON
// access logs without query strings.
func checkNoWideGrants(t *testing.T, sy *synth) {
	for stack, tj := range sy.json {
		for id, p := range tj.ofType("AWS::IAM::Policy") {
			doc := flat(p.Properties["PolicyDocument"])
			for _, bad := range []string{"secretsmanager:DescribeSecret", "kms:ReEncrypt"} {
				if strings.Contains(doc, bad) {
					t.Errorf("%s %s grants %s", stack, id, bad)
				}
			}
		}
		for id, lg := range tj.ofType("AWS::Logs::LogGroup") {
			if lg.DeletionPolicy != "Retain" {
				t.Errorf("%s log group %s: deletion policy %q, want Retain", stack, id, lg.DeletionPolicy)
			}
			want := float64(sy.s.LogRetentionDays)
			if strings.HasPrefix(id, "AuditLog") {
				want = stacks.AuditRetentionDays // the audit trail keeps a year (identity.go)
			}
			if lg.Properties["RetentionInDays"] != want {
				t.Errorf("%s log group %s: retention %v", stack, id, lg.Properties["RetentionInDays"])
			}
		}
	}
	api := sy.json[stacks.APIStackID]
	stages := api.ofType("AWS::ApiGatewayV2::Stage")
	for id, st := range stages {
		als, _ := st.Properties["AccessLogSettings"].(map[string]any)
		if als == nil {
			t.Errorf("stage %s has no access logs", id)
			continue
		}
		dest := flat(als["DestinationArn"])
		if !strings.HasPrefix(dest, "{GetAtt:AccessLogs") {
			t.Errorf("stage %s logs to %s", id, dest)
		}
		format, _ := als["Format"].(string)
		var fields map[string]string
		if err := json.Unmarshal([]byte(format), &fields); err != nil {
			t.Errorf("access log format is not JSON: %v: %s", err, format)
		}
		for _, bad := range []string{"$context.path", "querystring", "$request.querystring", "$context.requestOverride"} {
			if strings.Contains(strings.ToLower(format), strings.ToLower(bad)) {
				t.Errorf("access log format carries %s: %s", bad, format)
			}
		}
		if fields["routeKey"] != "$context.routeKey" || fields["status"] != "$context.status" {
			t.Errorf("access log format lacks route and status: %s", format)
		}
	}
	if len(stages) == 0 {
		t.Error("no API stage")
	}
	for _, r := range api.ofType("AWS::ApiGatewayV2::Route") {
		if at := r.Properties["AuthorizationType"]; at != nil && at != "NONE" {
			t.Errorf("route %s: authorization %v", flat(r.Properties["RouteKey"]), at)
		}
	}
}
