package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
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

// A user following the guides can run them again: the demo's code limit (3 per
// conversation an hour) traps the same sample event after three codes, and `reset`
// starts the local demo state afresh. Reset refuses while a server answers.
func TestResetLetsTheGuideRunAgain(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SWITCHBOARD_DATA_DIR", dir)
	raw, err := os.ReadFile(filepath.Join("..", "..", "events", "rasa", "lookup_customer.json"))
	if err != nil {
		t.Fatal(err)
	}
	// Each ask is a new turn of the same conversation (a repeated turn is answered
	// from its stored reply and sends nothing).
	turn := 0
	invoke := func() {
		t.Helper()
		turn++
		var ev map[string]any
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatal(err)
		}
		ev["tracker"].(map[string]any)["latest_message"].(map[string]any)["message_id"] = fmt.Sprintf("reset-guide-%d", turn)
		body, _ := json.Marshal(ev)
		var out, errOut bytes.Buffer
		if code := run(context.Background(), []string{"invoke", "--platform", "rasa", "-"}, bytes.NewReader(body), &out, &errOut); code != 0 {
			t.Fatalf("invoke: exit %d: %s", code, errOut.String())
		}
	}
	codes := func() int {
		t.Helper()
		entries, err := identity.ReadOutbox(filepath.Join(dir, "outbox.jsonl"), 0)
		if os.IsNotExist(err) {
			return 0
		}
		if err != nil {
			t.Fatal(err)
		}
		return len(entries)
	}
	for range 4 {
		invoke()
	}
	if n := codes(); n != 3 {
		t.Fatalf("codes after four asks in one conversation: %d, want the limit of 3", n)
	}

	var busy net.Listener
	busy, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"reset", "--addr", busy.Addr().String()}, nil, &out, &errOut); code != 1 ||
		!strings.Contains(errOut.String(), "stop it") {
		t.Fatalf("reset with a server answering: exit %d: %s", code, errOut.String())
	}
	if n := codes(); n != 3 {
		t.Fatalf("a refused reset removed state: %d codes", n)
	}

	free := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	out.Reset()
	if code := run(context.Background(), []string{"reset", "--addr", free}, nil, &out, &errOut); code != 0 {
		t.Fatalf("reset: exit %d: %s", code, errOut.String())
	}
	for _, f := range []string{"store.db", "demo.db", "outbox.jsonl"} {
		if !strings.Contains(out.String(), filepath.Join(dir, f)) {
			t.Errorf("reset did not say it removed %s: %s", f, out.String())
		}
	}
	invoke()
	if n := codes(); n != 1 {
		t.Fatalf("after reset the same conversation gets a code again: %d codes, want 1", n)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
