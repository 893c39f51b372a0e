package stacks_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/infra/stacks"
)

// checkCodePepper: when a function of the stage sends codes (sesIdentity set), the
// functions stack generates one code pepper secret, named as CodePepperSecretName; the
// functions that send codes — and only they — name it in
// SWITCHBOARD_IDENTITY_CODES_PEPPER_SECRET_ID and may read it (GetSecretValue, that
// secret only); no other role's statement mentions it. Without sesIdentity there is
// no pepper and no function names one.
func checkCodePepper(t *testing.T, sy *synth) {
	tj := sy.json[stacks.FunctionsStackID]
	name := sy.s.CodePepperSecretName()
	pepperID := ""
	for id, r := range tj.ofType("AWS::SecretsManager::Secret") {
		if flat(r.Properties["Name"]) != name {
			continue
		}
		if pepperID != "" {
			t.Errorf("two code pepper secrets: %s and %s", pepperID, id)
		}
		pepperID = id
		gen, _ := r.Properties["GenerateSecretString"].(map[string]any)
		if gen == nil || gen["GenerateStringKey"] != "pepper" || r.Properties["SecretString"] != nil ||
			gen["PasswordLength"] == nil || gen["PasswordLength"].(float64) < 32 {
			t.Errorf("code pepper is not a generated \"pepper\" of at least 32 characters: %s", flat(r.Properties))
		}
	}
	senders := map[string]bool{}
	for _, f := range sy.s.Functions() {
		if f.Codes && sy.s.SESIdentity != "" {
			senders[f.Name] = true
		}
	}
	if (pepperID != "") != (len(senders) > 0) {
		t.Fatalf("code pepper secret %q with code senders %v", pepperID, senders)
	}
	pols := policies(t, sy)
	for _, r := range tj.ofType("AWS::Lambda::Function") {
		fn := strings.TrimPrefix(flat(r.Properties["FunctionName"]), sy.s.Prefix+"-")
		env, _ := r.Properties["Environment"].(map[string]any)["Variables"].(map[string]any)
		got, set := env["SWITCHBOARD_IDENTITY_CODES_PEPPER_SECRET_ID"]
		switch {
		case senders[fn] && got != name:
			t.Errorf("%s sends codes with SWITCHBOARD_IDENTITY_CODES_PEPPER_SECRET_ID = %v, want %q", fn, got, name)
		case senders[fn] && (flat(env["SWITCHBOARD_IDENTITY_CODES_SENDER"]) != "ses" || flat(env["SWITCHBOARD_CONNECTORS_SECRETS_PROVIDER"]) != "aws"):
			t.Errorf("%s: sender %q, secrets provider %q; want ses, aws", fn, flat(env["SWITCHBOARD_IDENTITY_CODES_SENDER"]), flat(env["SWITCHBOARD_CONNECTORS_SECRETS_PROVIDER"]))
		case !senders[fn] && set:
			t.Errorf("%s sends no codes but names the pepper: %v", fn, got)
		}
		reads := 0
		for _, st := range pols[fn] {
			mentions := slices.Contains(resources(st), "{Ref:"+pepperID+"}") || strings.Contains(flat(st), name)
			if pepperID == "" || !mentions {
				continue
			}
			if !senders[fn] {
				t.Errorf("%s sends no codes but its role mentions the pepper: %s", fn, flat(st))
				continue
			}
			if st["Sid"] != "ReadCodePepper" || !slices.Equal(actions(st), []string{"secretsmanager:GetSecretValue"}) ||
				!slices.Equal(resources(st), []string{"{Ref:" + pepperID + "}"}) {
				t.Errorf("%s: pepper statement %s, want GetSecretValue on the pepper only", fn, flat(st))
			}
			reads++
		}
		if senders[fn] && reads != 1 {
			t.Errorf("%s sends codes but %d statements let it read the pepper, want 1", fn, reads)
		}
	}
	// Nothing in any other stack (smoke, synthetic, API) may read it either.
	for stack, other := range sy.json {
		if stack == stacks.FunctionsStackID {
			continue
		}
		for id, p := range other.ofType("AWS::IAM::Policy") {
			if strings.Contains(flat(p.Properties["PolicyDocument"]), "code-pepper") {
				t.Errorf("%s %s mentions the code pepper", stack, id)
			}
		}
	}
}

// checkHashSalt: the functions stack generates the hash salt, and the router and every
// intent function get it by a dynamic reference (never a value in the template), created
// after the secret it names.
func checkHashSalt(t *testing.T, sy *synth) {
	tj := sy.json[stacks.FunctionsStackID]
	name := sy.s.HashSaltSecretName()
	saltID := ""
	for id, r := range tj.ofType("AWS::SecretsManager::Secret") {
		if flat(r.Properties["Name"]) != name {
			continue
		}
		saltID = id
		gen, _ := r.Properties["GenerateSecretString"].(map[string]any)
		if gen == nil || gen["GenerateStringKey"] != "salt" || r.Properties["SecretString"] != nil ||
			gen["PasswordLength"] == nil || gen["PasswordLength"].(float64) < 32 {
			t.Errorf("hash salt is not a generated \"salt\" of at least 32 characters: %s", flat(r.Properties))
		}
	}
	if saltID == "" {
		t.Fatalf("no hash salt secret %q", name)
	}
	want := map[string]bool{stacks.RouterName: true}
	for _, f := range sy.s.Functions() {
		want[f.Name] = true
	}
	for _, r := range tj.ofType("AWS::Lambda::Function") {
		fn := strings.TrimPrefix(flat(r.Properties["FunctionName"]), sy.s.Prefix+"-")
		if !want[fn] {
			continue
		}
		delete(want, fn)
		env, _ := r.Properties["Environment"].(map[string]any)["Variables"].(map[string]any)
		ref := "{{resolve:secretsmanager:" + name + ":SecretString:salt}}"
		if got := flat(env["SWITCHBOARD_TELEMETRY_HASH_SALT"]); got != ref {
			t.Errorf("%s: SWITCHBOARD_TELEMETRY_HASH_SALT = %q, want %q", fn, got, ref)
		}
		if !slices.Contains(r.DependsOn, saltID) {
			t.Errorf("%s is not created after the hash salt %s (depends on %v)", fn, saltID, r.DependsOn)
		}
	}
	if len(want) > 0 {
		t.Errorf("functions not in the template: %v", want)
	}
}
