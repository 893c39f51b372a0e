package boot

import (
	"context"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/telemetry"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// TestInit: the configuration is loaded from the environment, adjusted by Configure,
// and Build gets it with the telemetry; a failure to build is returned, not started.
func TestInit(t *testing.T) {
	t.Setenv("SWITCHBOARD_SERVER_MAX_BODY_BYTES", "12345")
	t.Setenv("SWITCHBOARD_TELEMETRY_HASH_SALT", "a-private-salt")
	getenv := os.Getenv
	var got config.Config
	h, _, err := Init(getenv, Function{
		Configure: func(c *config.Config) { c.Intents.Enabled = []conversation.Intent{conversation.SearchKB} },
		Build: func(_ context.Context, c config.Config, tel *telemetry.Telemetry) (Handler, error) {
			if tel == nil || tel.Logger == nil {
				t.Error("no telemetry")
			}
			got = c
			return func(context.Context, json.RawMessage) (any, error) { return "ok", nil }, nil
		},
	})
	if err != nil || h == nil {
		t.Fatalf("init: %v", err)
	}
	if got.Server.MaxBodyBytes != 12345 || len(got.Intents.Enabled) != 1 || got.Intents.Enabled[0] != conversation.SearchKB {
		t.Errorf("Build got max body %d, intents %v", got.Server.MaxBodyBytes, got.Intents.Enabled)
	}
	boom := errors.New("boom")
	if _, log, err := Init(getenv, Function{Build: func(context.Context, config.Config, *telemetry.Telemetry) (Handler, error) {
		return nil, boom
	}}); !errors.Is(err, boom) || log == nil {
		t.Errorf("failed build: %v", err)
	}
}

// TestInitRefusesThePublicHashSalt: a function refuses to start when its ids would be
// hashed with the public default salt, unless telemetry.public_hash_salt asks for it.
func TestInitRefusesThePublicHashSalt(t *testing.T) {
	built := 0
	f := Function{Build: func(context.Context, config.Config, *telemetry.Telemetry) (Handler, error) {
		built++
		return func(context.Context, json.RawMessage) (any, error) { return "ok", nil }, nil
	}}
	for _, salt := range []string{"", "switchboard"} { // unset, and the service name
		t.Setenv("SWITCHBOARD_TELEMETRY_HASH_SALT", salt)
		if _, _, err := Init(os.Getenv, f); err == nil || !strings.Contains(err.Error(), "public_hash_salt") {
			t.Errorf("salt %q: init error %v", salt, err)
		}
	}
	if built != 0 {
		t.Fatalf("built %d functions on a public salt", built)
	}
	t.Setenv("SWITCHBOARD_TELEMETRY_PUBLIC_HASH_SALT", "true")
	if _, _, err := Init(os.Getenv, f); err != nil || built != 1 {
		t.Fatalf("asked for by name: %v (built %d)", err, built)
	}
}

// TestEveryFunctionBootsHere: the router and every intent function start through
// boot.Main (directly or through function.Main); none repeats the sequence.
func TestEveryFunctionBootsHere(t *testing.T) {
	mains, _ := filepath.Glob(filepath.Join(testenv.RepoRoot(), "functions", "*", "main.go"))
	checked := 0
	for _, path := range mains {
		if filepath.Base(filepath.Dir(path)) == "smoke" {
			continue // the deployment hook: a client of the functions, not a webhook function
		}
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		boots := false
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			x, _ := sel.X.(*ast.Ident)
			if x == nil {
				return true
			}
			switch x.Name + "." + sel.Sel.Name {
			case "boot.Main", "function.Main":
				boots = true
			case "lambda.Start", "config.Load", "telemetry.New", "gctune.Apply":
				t.Errorf("%s calls %s.%s itself: boot.Main does that", path, x.Name, sel.Sel.Name)
			}
			return true
		})
		if !boots {
			t.Errorf("%s does not start through boot.Main or function.Main", path)
		}
		checked++
	}
	if checked < 5 {
		t.Errorf("checked %d functions, want the router and the four intent functions", checked)
	}
}

// TestRaw: the handler gets the event's bytes as they arrived, in a copy the runtime
// cannot overwrite; its answer is encoded without HTML escaping (as aws-lambda-go's own
// encoder does), a json.RawMessage answer is sent as is, and an error is the error.
func TestRaw(t *testing.T) {
	var kept json.RawMessage
	h := Raw(func(_ context.Context, ev json.RawMessage) (any, error) {
		kept = ev
		return map[string]string{"text": "<b>&</b>"}, nil
	})
	payload := []byte(`{"a":1}`)
	out, err := h.Invoke(context.Background(), payload)
	if err != nil || strings.TrimSpace(string(out)) != `{"text":"<b>&</b>"}` {
		t.Fatalf("answer %s, %v", out, err)
	}
	payload[2] = 'X' // the runtime reusing its buffer
	if string(kept) != `{"a":1}` {
		t.Errorf("the handler's event changed with the runtime's buffer: %s", kept)
	}
	raw := Raw(func(context.Context, json.RawMessage) (any, error) { return json.RawMessage(`{"r":true}`), nil })
	if out, _ := raw.Invoke(context.Background(), []byte(`{}`)); string(out) != `{"r":true}` {
		t.Errorf("raw answer %s", out)
	}
	boom := errors.New("boom")
	failing := Raw(func(context.Context, json.RawMessage) (any, error) { return nil, boom })
	if _, err := failing.Invoke(context.Background(), []byte(`{}`)); !errors.Is(err, boom) {
		t.Errorf("error %v", err)
	}
}

// TestInitHoldsAnInvocationsLines: on Lambda the handler Init returns holds the lines
// an invocation logs and writes them to stdout together before it returns (so before
// the runtime sends the reply): telemetry.PerInvocation is wired here, for the router
// and every intent function.
func TestInitHoldsAnInvocationsLines(t *testing.T) {
	t.Setenv("SWITCHBOARD_TELEMETRY_HASH_SALT", "a-private-salt")
	t.Setenv("AWS_LAMBDA_FUNCTION_NAME", "sb-test")
	f, err := os.CreateTemp(t.TempDir(), "stdout")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	stdout := os.Stdout
	os.Stdout = f // telemetry.New's default writer, read when Init builds it
	defer func() { os.Stdout = stdout }()
	size := func() int64 {
		st, err := f.Stat()
		if err != nil {
			t.Fatal(err)
		}
		return st.Size()
	}
	var held int64 = -1
	h, _, err := Init(os.Getenv, Function{Build: func(_ context.Context, _ config.Config, tel *telemetry.Telemetry) (Handler, error) {
		return func(ctx context.Context, _ json.RawMessage) (any, error) {
			tel.Logger.InfoContext(ctx, "one")
			tel.Logger.InfoContext(ctx, "two")
			held = size()
			return "ok", nil
		}, nil
	}})
	os.Stdout = stdout
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h(context.Background(), json.RawMessage(`{}`)); err != nil {
		t.Fatal(err)
	}
	if held != 0 {
		t.Errorf("%d bytes on stdout while the invocation ran, want its lines held", held)
	}
	b, _ := os.ReadFile(f.Name())
	if !strings.Contains(string(b), `"msg":"one"`) || !strings.Contains(string(b), `"msg":"two"`) {
		t.Errorf("after the invocation stdout holds %q, want both lines", b)
	}
}
