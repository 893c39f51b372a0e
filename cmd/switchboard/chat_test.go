package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/console"
)

// session drives `switchboard chat` as a person at a terminal would: a line at a time,
// reading what it prints before typing the next (expect-style). Its output is read
// all the time, so the command never blocks on it.
type session struct {
	t     *testing.T
	in    *io.PipeWriter
	lines chan string
	done  chan int
	seen  strings.Builder
}

func startChat(t *testing.T, args ...string) *session {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	s := &session{t: t, in: inW, lines: make(chan string, 4096), done: make(chan int, 1)}
	go func() {
		s.done <- run(context.Background(), append([]string{"chat"}, args...), inR, outW, io.Discard)
		outW.Close()
	}()
	go func() {
		r := bufio.NewReader(outR)
		for {
			line, err := r.ReadString('\n')
			if line != "" {
				s.lines <- line
			}
			if err != nil {
				close(s.lines)
				return
			}
		}
	}()
	t.Cleanup(func() { inW.Close() })
	return s
}

// expect reads output until a line matches re and returns the match's groups.
func (s *session) expect(re string) []string {
	s.t.Helper()
	rx := regexp.MustCompile(re)
	timeout := time.After(30 * time.Second)
	for {
		select {
		case line, ok := <-s.lines:
			if !ok {
				s.t.Fatalf("output ended before %q; saw:\n%s", re, s.seen.String())
			}
			s.seen.WriteString(line)
			if m := rx.FindStringSubmatch(line); m != nil {
				return m
			}
		case <-timeout:
			s.t.Fatalf("no %q within 30 s; saw:\n%s", re, s.seen.String())
		}
	}
}

func (s *session) send(line string) {
	s.t.Helper()
	if _, err := fmt.Fprintln(s.in, line); err != nil {
		s.t.Fatal(err)
	}
}

func (s *session) quit() {
	s.t.Helper()
	s.send("/quit")
	if code := <-s.done; code != 0 {
		s.t.Fatalf("chat exited %d", code)
	}
}

// The terminal conversation: an anonymous lookup, /code shows the code from the local
// outbox, typed back it verifies; a ticket over two turns; /trace and /json show the
// last turn; /export writes a fixture that `switchboard replay` sends again, and the
// idempotency layer answers the ticket from the first delivery instead of filing it
// twice.
func TestChatAndReplay(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SWITCHBOARD_DATA_DIR", dir)
	s := startChat(t, "--platform", "lex")
	s.expect(`^new lex conversation in en`)
	s.send("please look up ada@example.com")
	s.expect(`asks for verification_code`)
	s.send("/code")
	code := s.expect(`^code for ada@example\.com: (\d{6})`)[1]
	s.send(code)
	s.expect(`^bot> I found Ada Lovelace`)
	s.send("/trace")
	s.expect(`tool\s+demo\.\w+\s+\d+\.\d+\s+attempt=1 breaker=closed result=ok`)
	s.expect(`audit\s+answered .*verification=code`)
	s.send("I have a problem")
	s.expect(`asks for subject`)
	s.send("The printer is on fire")
	s.expect(`^bot> I've created ticket #\d+`)
	s.expect(`\[card\] Ticket #\d+`)
	s.send("/json")
	s.expect(`^request \(lex\):`)
	s.expect(`"sessionAttributes": \{`) // the email, carried by the platform's own state
	s.expect(`^reply \(HTTP 200\):`)
	fixture := filepath.Join(dir, "conversation.json")
	s.send("/export " + fixture)
	s.expect(`^wrote 4 turns to`)
	s.quit()

	var f console.Fixture
	b, err := os.ReadFile(fixture)
	if err != nil || json.Unmarshal(b, &f) != nil || f.Platform != "lex" || len(f.Turns) != 4 {
		t.Fatalf("fixture: %v %+v", err, f)
	}
	var out, errOut strings.Builder
	if code := run(context.Background(), []string{"replay", fixture}, nil, &out, &errOut); code != 0 {
		t.Fatalf("replay: %d %s", code, errOut.String())
	}
	got := out.String()
	for _, want := range []string{"── turn 4/4 (lex)", "I've created ticket #", "key already held: answered from its record"} {
		if !strings.Contains(got, want) {
			t.Errorf("replay output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got[strings.Index(got, "── turn 4/4"):], "demo.create_ticket") {
		t.Errorf("the replayed ticket turn called the helpdesk again:\n%s", got)
	}
}

// `switchboard chat --platform tool-api`: an agent calling the tool API, with the
// code flow (the code as the verification_code input of the same session's call),
// the records as cards, and the call (path, headers, body) in /json.
func TestChatToolAPI(t *testing.T) {
	t.Setenv("SWITCHBOARD_DATA_DIR", t.TempDir())
	s := startChat(t, "--platform", "tool")
	s.expect(`^new tool-api conversation in en`)
	s.send("please look up ada@example.com")
	s.expect(`asks for verification_code`)
	s.send("/code")
	code := s.expect(`^code for ada@example\.com: (\d{6})`)[1]
	s.send(code)
	s.expect(`^bot> I found Ada Lovelace`)
	s.expect(`\[card\] Ada Lovelace`)
	s.send("/json")
	s.expect(`^request \(tool-api\):`)
	s.expect(`"path": "/api/v1/lookup_customer"`)
	s.expect(`"verification_code": "` + code + `"`)
	s.quit()
}

// Without --platform, chat plays the platform whose folder registers the default
// console simulator (Lex).
func TestChatDefaultPlatform(t *testing.T) {
	t.Setenv("SWITCHBOARD_DATA_DIR", t.TempDir())
	s := startChat(t)
	s.expect(`^new lex conversation in en`)
	s.quit()
}

// A sample event replays with its platform taken from its folder; --json prints the
// turn as data.
func TestReplayEventFile(t *testing.T) {
	t.Setenv("SWITCHBOARD_DATA_DIR", t.TempDir())
	var out, errOut strings.Builder
	file := filepath.Join("..", "..", "events", "dialogflow-cx", "search_kb.json")
	if code := run(context.Background(), []string{"replay", "--json", file}, nil, &out, &errOut); code != 0 {
		t.Fatalf("replay: %d %s", code, errOut.String())
	}
	var res console.TurnResult
	if err := json.Unmarshal([]byte(out.String()), &res); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if res.Status != 200 || res.Trace.Platform != "dialogflow-cx" || len(res.Trace.Events) == 0 {
		t.Fatalf("%+v", res)
	}
	found := false
	for _, e := range res.Trace.Events {
		found = found || (e.Kind == "tool" && e.Name == "demo.search_articles")
	}
	if !found {
		t.Errorf("no search tool call in %+v", res.Trace.Events)
	}
	// A body that is not a request: the platform's error shape, exit 1.
	out.Reset()
	if code := run(context.Background(), []string{"replay", filepath.Join("..", "..", "events", "lex", "malformed.json")}, nil, &out, &errOut); code == 0 && !strings.Contains(out.String(), "HTTP") {
		t.Errorf("malformed: exit %d, %s", code, out.String())
	}
	if code := run(context.Background(), []string{"replay", filepath.Join(t.TempDir(), "x.json")}, nil, &out, &errOut); code != 1 {
		t.Errorf("missing file: exit %d", code)
	}
}

// Against a running server: chat and replay go through its console API, with the
// trace, as they do in process.
func TestChatAgainstServer(t *testing.T) {
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
	base := strings.Fields(strings.TrimPrefix(line, "switchboard listening on "))[0]
	if !strings.Contains(line, base+"/console") {
		t.Errorf("serve does not name the console: %q", line)
	}

	s := startChat(t, "--platform", "rasa", "--url", base, "--language", "de")
	s.expect(`^new rasa conversation in de`)
	s.send("/signin ada@example.com")
	s.expect(`^signed in as ada@example.com`)
	s.send("Konto von ada@example.com nachschlagen")
	s.expect(`^bot> .*Ada Lovelace`)
	s.send("/trace")
	s.expect(`policy\s+answered\s+verification=token`)
	s.quit()
	cancel()
	<-done
}
