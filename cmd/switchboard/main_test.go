package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/identity"
	"github.com/switchboard-dev/switchboard/shared/platform/schematest"
)

// TestServeAnswersEveryEvent starts `switchboard serve` on its embedded default (as
// `make run` does), posts every file under events/ to its platform's webhook, checks each
// answer, and shuts the server down with a cancelled context (SIGINT/SIGTERM path).
func TestServeAnswersEveryEvent(t *testing.T) {
	t.Setenv("SWITCHBOARD_DATA_DIR", t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, strings.NewReader(""), pw, io.Discard)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("server did not start: %v", err)
	}
	go io.Copy(io.Discard, pr)
	// "switchboard listening on http://127.0.0.1:PORT (…)"
	base := strings.Fields(strings.TrimPrefix(line, "switchboard listening on "))[0]

	resp, err := http.Get(base + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()

	files, _ := filepath.Glob(filepath.Join("..", "..", "events", "*", "*.json"))
	invalid, _ := filepath.Glob(filepath.Join("..", "..", "events", "*", "invalid", "*.json"))
	files = append(files, invalid...)
	if len(files) < 16 {
		t.Fatalf("only %d sample events, want every platform × intent", len(files))
	}
	for _, f := range files {
		rel, _ := filepath.Rel(filepath.Join("..", "..", "events"), f)
		p := conversation.Platform(strings.Split(rel, string(filepath.Separator))[0])
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Post(base+"/webhooks/"+string(p), "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case resp.StatusCode == 200:
			schematest.Validate(t, p, out)
		case filepath.Base(f) == "malformed.json" && resp.StatusCode == 400,
			p == conversation.Rasa && filepath.Base(f) == "unknown_intent.json" && resp.StatusCode == 404:
			var reason map[string]any
			if json.Unmarshal(out, &reason) != nil || reason["error"] == nil {
				t.Errorf("%s: HTTP %d without a JSON reason: %s", rel, resp.StatusCode, out)
			}
		default:
			t.Errorf("%s: HTTP %d: %s", rel, resp.StatusCode, out)
		}
		if resp.StatusCode == 200 && !strings.Contains(rel, "invalid") && filepath.Base(f) != "dialog_code_hook.json" {
			// A business answer names what it found, never a generic apology.
			if bytes.Contains(out, []byte("Sorry, something went wrong")) {
				t.Errorf("%s: apology on the demo backend: %s", rel, out)
			}
		}
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d after shutdown", code)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not shut down")
	}
}

func TestInvokePrintsPlatformResponse(t *testing.T) {
	t.Setenv("SWITCHBOARD_DATA_DIR", t.TempDir())
	var out, errOut bytes.Buffer
	// dialogflow, the URL path segment, is the platform's one name (platform-config
	// too); "dialogflow-es", the CLI's older name, is still accepted, with a note.
	code := run(context.Background(), []string{"invoke", "--platform", "dialogflow-es", filepath.Join("..", "..", "events", "dialogflow", "lookup_customer.json")},
		strings.NewReader(""), &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	schematest.Validate(t, conversation.DialogflowES, bytes.TrimSpace(out.Bytes()))
	if !strings.Contains(errOut.String(), "--platform dialogflow-es is the older name of dialogflow") {
		t.Errorf("--platform dialogflow-es without a note naming dialogflow: %s", errOut.String())
	}
	// Unsigned: an anonymous caller, offered a one-time code, told nothing.
	if strings.Contains(out.String(), "Lovelace") || !strings.Contains(out.String(), "verification_code") {
		t.Fatalf("anonymous lookup of ada@example.com: %s", out.String())
	}
	out.Reset()
	code = run(context.Background(), []string{"invoke", "--platform", "dialogflow", filepath.Join("..", "..", "events", "dialogflow", "lookup_customer_signed.json")},
		strings.NewReader(""), &out, &errOut)
	if code != 0 || !strings.Contains(out.String(), "Ada Lovelace") {
		t.Fatalf("signed lookup of ada@example.com does not name her (exit %d): %s", code, out.String())
	}
	errOut.Reset()
	if code := run(context.Background(), []string{"invoke", "--platform", "nope", "x"}, nil, &out, &errOut); code != 2 ||
		!strings.Contains(errOut.String(), "--platform dialogflow|dialogflow-cx|lex|rasa") {
		t.Fatalf("unknown platform: exit %d, want 2 and a usage naming the canonical names: %s", code, errOut.String())
	}
}

func TestTokenAndOutbox(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SWITCHBOARD_DATA_DIR", dir)
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"token", "--email", "Ada@Example.com", "--ttl", "2m"}, nil, &out, &errOut); code != 0 {
		t.Fatalf("token: exit %d: %s", code, errOut.String())
	}
	tok := strings.TrimSpace(out.String())
	v := identity.NewVerifier(identity.TokenOptions{HMACKey: []byte(identity.DemoKey)})
	c, err := v.Verify(context.Background(), tok)
	if err != nil || c.Email != "ada@example.com" {
		t.Fatalf("token %q: %+v %v", tok, c, err)
	}
	if code := run(context.Background(), []string{"token"}, nil, &out, &errOut); code != 2 {
		t.Fatalf("token without --email: exit %d", code)
	}
	// An anonymous lookup sends a code to the outbox; `outbox` prints it.
	out.Reset()
	if code := run(context.Background(), []string{"invoke", "--platform", "rasa", filepath.Join("..", "..", "events", "rasa", "lookup_customer.json")},
		strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("invoke: exit %d: %s", code, errOut.String())
	}
	entries, err := identity.ReadOutbox(filepath.Join(dir, "outbox.jsonl"), 0)
	if err != nil || len(entries) != 1 || len(entries[0].Code) != 6 {
		t.Fatalf("outbox %+v %v", entries, err)
	}
	if strings.Contains(errOut.String(), entries[0].Code) {
		t.Fatal("the code reached the log")
	}
	out.Reset()
	if code := run(context.Background(), []string{"outbox"}, nil, &out, &errOut); code != 0 || !strings.Contains(out.String(), entries[0].Code) ||
		!strings.Contains(out.String(), "ada@example.com") {
		t.Fatalf("outbox: exit %d: %s", code, out.String())
	}
}
