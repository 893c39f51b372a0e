package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The CDK app links the CDK and the contracts it shares with the runtime, never the
// runtime: a package of the product imported here drags in its clients (stripe-go,
// pgx, SQLite, the AWS SDK, JWT) and every synth compiles them.

// contractPackages are the product's packages infra may link: leaf packages of names
// (shared/contract/..., metricdefs, conversation), the configuration schema
// (shared/config, std and YAML only), the deployment settings and the tools'
// configuration sides (shared/connector/specs, shared/connector/<tool>/spec).
var contractPackages = []string{
	"github.com/switchboard-dev/switchboard/shared/contract/",
	"github.com/switchboard-dev/switchboard/shared/telemetry/metricdefs",
	"github.com/switchboard-dev/switchboard/shared/conversation",
	"github.com/switchboard-dev/switchboard/shared/config",
	"github.com/switchboard-dev/switchboard/shared/deploy/settings",
	"github.com/switchboard-dev/switchboard/shared/connector/specs",
	// The registries' leaf contracts: platform names, and every intent's registration
	// folder under shared/intents/ (the handlers' package shared/intents itself is not
	// allowed; a folder that imported runtime code would show that code here).
	"github.com/switchboard-dev/switchboard/shared/platform/names",
	"github.com/switchboard-dev/switchboard/shared/intents/",
}

// allowedModules are the third-party modules infra may link: the CDK, its runtime
// and what they need, and YAML (shared/config).
var allowedModules = []string{
	"github.com/aws/aws-cdk-go/awscdk/v2",
	"github.com/aws/constructs-go/constructs/v10",
	"github.com/aws/jsii-runtime-go",
	"github.com/cdklabs/",
	"github.com/Masterminds/semver/v3",
	"go.yaml.in/yaml/v3",
}

func allowedPackage(pkg, module string) bool {
	const product = "github.com/switchboard-dev/switchboard"
	switch {
	case module == product+"/infra":
		return true
	case module == product:
		if strings.HasPrefix(pkg, product+"/shared/connector/") && strings.HasSuffix(pkg, "/spec") {
			return true
		}
		for _, p := range contractPackages {
			if pkg == p || (strings.HasSuffix(p, "/") && strings.HasPrefix(pkg, p)) {
				return true
			}
		}
		return false
	}
	for _, m := range allowedModules {
		if module == m || (strings.HasSuffix(m, "/") && strings.HasPrefix(module, m)) {
			return true
		}
	}
	return false
}

// TestInfraLinksNoRuntime lists what the CDK app and its stacks link (`go list -deps`,
// tests excluded) and fails on any package of the product that is not a contract, and
// on any module besides the CDK's: stripe-go, pgx, SQLite and the AWS SDK's service
// clients among them.
func TestInfraLinksNoRuntime(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "-f", `{{if not .Standard}}{{.ImportPath}} {{with .Module}}{{.Path}}{{end}}{{end}}`, "./...")
	cmd.Env = os.Environ()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr(err))
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line == "" {
			continue
		}
		n++
		pkg, module, _ := strings.Cut(line, " ")
		if !allowedPackage(pkg, module) {
			t.Errorf("infra links %s (module %s): infra may link only the CDK and the product's contract packages; move the names it needs into a leaf package (shared/contract/...)", pkg, module)
		}
	}
	if n == 0 {
		t.Fatal("go list listed no package")
	}
}

// TestModGuardRefuses: the guard refuses what infra used to link.
func TestModGuardRefuses(t *testing.T) {
	for _, c := range [][2]string{
		{"github.com/switchboard-dev/switchboard/shared/smoke", "github.com/switchboard-dev/switchboard"},
		{"github.com/switchboard-dev/switchboard/shared/connector/all", "github.com/switchboard-dev/switchboard"},
		{"github.com/switchboard-dev/switchboard/shared/store", "github.com/switchboard-dev/switchboard"},
		{"github.com/stripe/stripe-go/v76", "github.com/stripe/stripe-go/v76"},
		{"github.com/jackc/pgx/v5", "github.com/jackc/pgx/v5"},
		{"modernc.org/sqlite", "modernc.org/sqlite"},
		{"github.com/aws/aws-sdk-go-v2/service/lambda", "github.com/aws/aws-sdk-go-v2/service/lambda"},
		{"github.com/golang-jwt/jwt/v5", "github.com/golang-jwt/jwt/v5"},
	} {
		if allowedPackage(c[0], c[1]) {
			t.Errorf("allowed %s", c[0])
		}
	}
	for _, c := range [][2]string{
		{"github.com/switchboard-dev/switchboard/shared/contract/table", "github.com/switchboard-dev/switchboard"},
		{"github.com/switchboard-dev/switchboard/shared/connector/stripe/spec", "github.com/switchboard-dev/switchboard"},
		{"github.com/aws/aws-cdk-go/awscdk/v2/awslambda", "github.com/aws/aws-cdk-go/awscdk/v2"},
	} {
		if !allowedPackage(c[0], c[1]) {
			t.Errorf("refused %s", c[0])
		}
	}
}

func stderr(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}
