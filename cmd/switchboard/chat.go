package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/term"

	"github.com/switchboard-dev/switchboard/shared/app"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/console"
	"github.com/switchboard-dev/switchboard/shared/conversation"
)

// target is where chat and replay send turns: this process (the configuration's
// stack, as serve would run it) or a server at --url.
type target struct {
	url, user, cfgPath string
	direct             bool
	headers, queries   multi
}

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ", ") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

func (t *target) flags(fs *flag.FlagSet) {
	fs.StringVar(&t.url, "url", "", "a running switchboard (http://127.0.0.1:8080); empty = run the turns in this process")
	fs.BoolVar(&t.direct, "direct", false, "with --url: post to /webhooks/<platform> instead of the console API (a deployed stack; no trace)")
	fs.StringVar(&t.user, "user", "", "with --url: basic-auth user; the password is read from SWITCHBOARD_PASSWORD")
	fs.Var(&t.headers, "header", "with --url: a header to send, 'Name: value' (value env:VAR reads the variable); repeatable")
	fs.Var(&t.queries, "query", "with --url: a query parameter to send, name=value (value env:VAR reads the variable); repeatable")
	fs.StringVar(&t.cfgPath, "config", "", "configuration file (YAML) for turns run in this process; empty = embedded default")
}

// fromEnv resolves env:VAR to the variable's value, so secrets stay out of argv.
func fromEnv(v string) string {
	if name, ok := strings.CutPrefix(v, "env:"); ok {
		return os.Getenv(name)
	}
	return v
}

// runner returns the runner, the intent names and a func releasing what it opened.
func (t *target) runner(ctx context.Context, stderr io.Writer) (console.Runner, map[conversation.Platform]map[string]conversation.Intent, func(), error) {
	if t.url != "" {
		u, err := url.Parse(t.url)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, nil, nil, fmt.Errorf("--url %q: want http(s)://host[:port]", t.url)
		}
		var hdr []string
		for _, h := range t.headers {
			k, v, ok := strings.Cut(h, ":")
			if !ok || strings.TrimSpace(k) == "" {
				return nil, nil, nil, fmt.Errorf("--header %q: want 'Name: value'", h)
			}
			hdr = append(hdr, strings.TrimSpace(k), fromEnv(strings.TrimSpace(v)))
		}
		var qs []string
		for _, q := range t.queries {
			k, v, ok := strings.Cut(q, "=")
			if !ok || k == "" {
				return nil, nil, nil, fmt.Errorf("--query %q: want name=value", q)
			}
			qs = append(qs, k, fromEnv(v))
		}
		user, pass := t.user, os.Getenv("SWITCHBOARD_PASSWORD")
		r := console.Remote{URL: t.url, Direct: t.direct, Auth: func(req *http.Request) {
			if user != "" {
				req.SetBasicAuth(user, pass)
			}
			for i := 0; i+1 < len(hdr); i += 2 {
				req.Header.Set(hdr[i], hdr[i+1])
			}
			if len(qs) > 0 {
				q := req.URL.Query()
				for i := 0; i+1 < len(qs); i += 2 {
					q.Set(qs[i], qs[i+1])
				}
				req.URL.RawQuery = q.Encode()
			}
		}}
		return r, consoleNames(config.DefaultIntentNames()), func() {}, nil
	}
	load := func() (config.Config, error) { return config.Load(t.cfgPath, nil) }
	if t.cfgPath == "" {
		load = func() (config.Config, error) { return config.LoadEmbedded(nil) }
	}
	cfg, err := load()
	if err != nil {
		return nil, nil, nil, err
	}
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	a, err := app.Build(ctx, cfg, app.Options{Logger: logger})
	if err != nil {
		return nil, nil, nil, err
	}
	return console.Local{Engine: a.Engine, Settings: consoleSettings(cfg)}, consoleNames(cfg.Intents), func() { a.Close() }, nil
}

// chat holds a conversation in the terminal, as the console page does in a browser.
func chat(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	plat := fs.String("platform", string(console.DefaultPlatform()), console.PlatformUsage())
	lang := fs.String("language", "en", "the conversation's language: en, de, fr, es, pt-BR")
	var t target
	t.flags(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	p, ok := console.ParsePlatform(*plat)
	if !ok || fs.NArg() != 0 {
		fmt.Fprintf(stderr, "usage: switchboard chat [--platform %s] [--language en] [--url URL [--user U] [--header 'K: V']] [--config FILE]\n", console.DefaultPlatform())
		return 2
	}
	r, names, closeFn, err := t.runner(ctx, stderr)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer closeFn()
	c := &console.Chat{Runner: r, Platform: p, Language: *lang, Names: names, Out: stdout}
	readLine := bufferedLines(stdin)
	// At a terminal: line editing and history (golang.org/x/term).
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if old, err := term.MakeRaw(int(f.Fd())); err == nil {
			defer term.Restore(int(f.Fd()), old)
			tt := term.NewTerminal(struct {
				io.Reader
				io.Writer
			}{f, stdout}, "you> ")
			c.Out = tt
			readLine = tt.ReadLine
		}
	}
	if err := c.Run(ctx, readLine); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

func bufferedLines(r io.Reader) func() (string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	return func() (string, error) {
		if sc.Scan() {
			return sc.Text(), nil
		}
		if err := sc.Err(); err != nil {
			return "", err
		}
		return "", io.EOF
	}
}

// replay sends recorded requests — a console export, or one platform request such as
// a file under events/ — and shows each reply and its trace.
func replay(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	plat := fs.String("platform", "", "the platform of a single request (default: its folder, events/<platform>/)")
	asJSON := fs.Bool("json", false, "print each turn (request, status, reply, trace) as a JSON line")
	var t target
	t.flags(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: switchboard replay [--platform P] [--url URL] [--json] FILE")
		return 2
	}
	b, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	f, err := fixture(b, *plat, fs.Arg(0))
	if err != nil {
		fmt.Fprintln(stderr, "switchboard replay:", err)
		return 2
	}
	r, _, closeFn, err := t.runner(ctx, stderr)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer closeFn()
	code := 0
	for i, turn := range f.Turns {
		res, err := r.Turn(ctx, f.Platform, turn.Request)
		if err != nil {
			fmt.Fprintf(stderr, "turn %d: %v\n", i+1, err)
			return 1
		}
		if res.Status >= 400 {
			code = 1
		}
		if *asJSON {
			line, _ := json.Marshal(res)
			fmt.Fprintf(stdout, "%s\n", line)
			continue
		}
		c := console.Conversation{Platform: f.Platform}
		v := c.Absorb(console.Pending{Body: turn.Request}, res.Status, res.Reply)
		fmt.Fprintf(stdout, "── turn %d/%d (%s)", i+1, len(f.Turns), f.Platform)
		if turn.Text != "" {
			fmt.Fprintf(stdout, ": %q", turn.Text)
		}
		fmt.Fprintln(stdout)
		console.PrintView(stdout, v, res)
		if turn.Reply != nil && res.Status == turn.Status && !sameJSON(turn.Reply, res.Reply) {
			fmt.Fprintln(stdout, "     (the reply differs from the recorded one)")
		}
		console.PrintTrace(stdout, res.Trace)
	}
	return code
}

// fixture reads a console export, or wraps a single platform request in one.
func fixture(b []byte, plat, path string) (console.Fixture, error) {
	var f console.Fixture
	if err := json.Unmarshal(b, &f); err == nil && f.Version > 0 {
		if len(f.Turns) == 0 {
			return f, errors.New("the export holds no turns")
		}
		if _, ok := console.ParsePlatform(string(f.Platform)); !ok {
			return f, fmt.Errorf("the export names an unknown platform %q", f.Platform)
		}
		return f, nil
	}
	if plat == "" {
		plat = filepath.Base(filepath.Dir(path))
	}
	p, ok := console.ParsePlatform(plat)
	if !ok {
		return f, fmt.Errorf("which platform sent %s? pass --platform %s", path, console.PlatformUsage())
	}
	// Sent as recorded, valid or not: the platform's error shape is the answer to see.
	return console.Fixture{Version: 1, Platform: p, Turns: []console.FixtureTurn{{Request: b}}}, nil
}

func sameJSON(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	ja, _ := json.Marshal(x)
	jb, _ := json.Marshal(y)
	return string(ja) == string(jb)
}
