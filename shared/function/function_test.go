package function_test

import (
	"context"
	"errors"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/app"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/function"
	"github.com/switchboard-dev/switchboard/shared/function/boot"
	"github.com/switchboard-dev/switchboard/shared/intents"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/testenv"

	// The demo backend, the default configuration's tools (a function links real ones).
	_ "github.com/switchboard-dev/switchboard/shared/connector/demo"
	// The one handler this test binary links, as searchkb's function does.
	_ "github.com/switchboard-dev/switchboard/shared/intents/searchkb/handler"
)

// TestFunctionRefusesWithoutItsHandler: a function whose main does not import its
// intent's handler refuses to start (boot.Init, what function.Main runs, returns the
// error; Lambda reports an init error), naming the package to import; with its
// handler linked, it starts.
func TestFunctionRefusesWithoutItsHandler(t *testing.T) {
	t.Setenv("SWITCHBOARD_TELEMETRY_HASH_SALT", "a-private-salt")
	t.Setenv("SWITCHBOARD_DATA_DIR", t.TempDir())
	_, _, err := boot.Init(func(string) string { return "" }, function.Function(conversation.LookupCustomer))
	if !errors.Is(err, intents.ErrNoHandler) ||
		!strings.Contains(err.Error(), `"github.com/switchboard-dev/switchboard/shared/intents/lookupcustomer/handler"`) {
		t.Errorf("lookup_customer without its handler: init error %v, want ErrNoHandler naming its handler package", err)
	}
	h, _, err := boot.Init(func(string) string { return "" }, function.Function(conversation.SearchKB))
	if err != nil || h == nil {
		t.Fatalf("search_kb with its handler linked: init error %v", err)
	}
}

// TestBuildRefusesAnEnabledIntentWithoutItsHandler: app.Build (what `switchboard
// serve` and every function build) refuses a configuration that enables an intent
// whose handler is not linked, instead of answering its every turn "unknown intent";
// enabled alone, the linked intent builds.
func TestBuildRefusesAnEnabledIntentWithoutItsHandler(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load("", []string{"SWITCHBOARD_DATA_DIR=" + t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Build(context.Background(), cfg, app.Options{}); !errors.Is(err, intents.ErrNoHandler) ||
		!strings.Contains(err.Error(), "intents.enabled") {
		t.Errorf("every intent enabled, one handler linked: %v", err)
	}
	cfg.Intents.Enabled = []conversation.Intent{conversation.SearchKB}
	a, err := app.Build(context.Background(), cfg, app.Options{})
	if err != nil {
		t.Fatalf("search_kb alone: %v", err)
	}
	a.Close()
}

// TestEachFunctionLinksOnlyItsHandler asks `go list -deps` (Lambda build tags) which
// handler packages each intent's function links: its own, and no other intent's code.
func TestEachFunctionLinksOnlyItsHandler(t *testing.T) {
	t.Parallel()
	for _, in := range spec.All() {
		t.Run(in.Function, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command("go", "list", "-deps", "-tags", testenv.LambdaTags, "./functions/"+in.Function)
			cmd.Dir = testenv.RepoRoot()
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("go list: %v", err)
			}
			var got []string
			for _, p := range strings.Fields(string(out)) {
				if strings.HasSuffix(p, "/handler") && strings.Contains(p, "/shared/intents/") || strings.HasSuffix(p, "/shared/intents/handlers") {
					got = append(got, p)
				}
			}
			if want := []string{intents.HandlerPackage(in)}; !slices.Equal(got, want) {
				t.Errorf("functions/%s links the handlers %v, want only its own %v", in.Function, got, want)
			}
		})
	}
}
