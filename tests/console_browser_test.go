package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-dev/switchboard/shared/app"
	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/console"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/server"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// chromium finds Debian's Chromium (make test installs it: tool-chromium).
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("SWITCHBOARD_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	testenv.Missing(t, "chromium", "apt-get install chromium")
	return ""
}

// artefacts is where the browser test keeps its screenshots: an ignored folder of
// the repository (build/test-artefacts), or SWITCHBOARD_ARTEFACTS.
func artefacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SWITCHBOARD_ARTEFACTS")
	if dir == "" {
		dir = filepath.Join(testenv.RepoRoot(), "build", "test-artefacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// consoleServer serves the webhooks and the console as `switchboard serve` does,
// over the embedded demo with its state in a fresh directory, on loopback.
func consoleServer(t *testing.T) *httptest.Server {
	t.Helper()
	cfg, err := config.LoadEmbedded([]string{"SWITCHBOARD_DATA_DIR=" + t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := app.Build(ctx, cfg, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	con := console.Handler(console.Options{Engine: a.Engine, Settings: consoleSettings(cfg)})
	srv := httptest.NewServer(server.Handler(a.Engine, server.Options{
		Extra: map[string]http.Handler{console.Prefix: con, console.Prefix + "/": con}}))
	t.Cleanup(srv.Close)
	return srv
}

// browser starts headless Chromium with a fresh profile. The first run of a context
// starts the browser, whose life is that context's: steps get their own deadlines.
func browser(t *testing.T) context.Context {
	t.Helper()
	bin := chromium(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin), chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1400, 1000),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelB(); cancelA() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

func tid(id string) chromedp.CSS { return chromedp.CSS(`[data-testid="` + id + `"]`) }

const lastReply = `(() => { const r = document.querySelectorAll('[data-testid="reply"]'); return r.length ? r[r.length-1].textContent : ""; })()`

// page drives the console page.
type page struct {
	t   *testing.T
	ctx context.Context
	n   int // replies so far
}

func (p *page) step() (context.Context, context.CancelFunc) {
	return context.WithTimeout(p.ctx, 30*time.Second)
}

func (p *page) do(steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := p.step()
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.t.Fatal(err)
	}
}

func get[T any](p *page, a chromedp.Action[T]) T {
	p.t.Helper()
	ctx, cancel := p.step()
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		p.t.Fatal(err)
	}
	return v
}

func (p *page) eval(js string) string { p.t.Helper(); return get(p, chromedp.Evaluate[string](js)) }

func (p *page) text(id string) string { p.t.Helper(); return get(p, chromedp.TextContent(tid(id))) }

// send clicks send and waits for the reply, returning its text.
func (p *page) send() string {
	p.t.Helper()
	p.do(chromedp.Click(tid("send")))
	p.n++
	get(p, chromedp.Poll[bool](`document.querySelectorAll('[data-testid="reply"]').length >= `+strconv.Itoa(p.n)))
	return p.eval(lastReply)
}

// say types a message and sends it.
func (p *page) say(text string) string {
	p.t.Helper()
	p.do(chromedp.SetValue(tid("message"), text))
	return p.send()
}

// A conversation per platform in a real browser: an anonymous lookup, the one-time
// code taken from the page's outbox panel and typed back, the full answer, a ticket
// over two turns with its card; the raw request and reply panes and the trace show
// the turn. A reply quoting markup shows it as text. Screenshots are kept.
func TestConsoleInBrowser(t *testing.T) {
	ctx := browser(t)
	dir := artefacts(t)
	for _, platform := range console.Platforms {
		t.Run(string(platform), func(t *testing.T) {
			srv := consoleServer(t)
			p := &page{t: t, ctx: ctx}
			p.do(chromedp.Navigate(srv.URL+"/console"), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)),
				chromedp.SetValue(tid("platform"), string(platform)))
			p.eval(`document.querySelector('[data-testid="platform"]').dispatchEvent(new Event("change")), ""`)
			get(p, chromedp.Poll[bool](`document.querySelector('[data-testid="status"]').textContent.includes("New `+string(platform)+` conversation")`))

			if got := p.say("Please look up ada@example.com"); !strings.Contains(got, "6-digit code") {
				t.Fatalf("anonymous lookup: %q", got)
			}
			p.do(chromedp.WaitVisible(tid("outbox-code")))
			code := p.text("outbox-code")
			p.do(chromedp.Click(tid("use-code")))
			if typed := get(p, chromedp.Value(tid("message"))); len(code) != 6 || typed != code {
				t.Fatalf("code %q, typed %q", code, typed)
			}
			if got := p.send(); !strings.Contains(got, "Ada Lovelace") {
				t.Fatalf("after the code: %q", got)
			}
			if tr := p.text("trace"); !strings.Contains(tr, "tool") || !strings.Contains(tr, "demo.") || !strings.Contains(tr, "audit") || !strings.Contains(tr, "verification=code") {
				t.Errorf("trace pane: %q", tr)
			}

			if got := p.say("I have a problem"); !strings.Contains(got, "What is the problem") {
				t.Fatalf("ticket, turn 1: %q", got)
			}
			if got := p.say("The printer is on fire"); !strings.Contains(got, "created ticket #") {
				t.Fatalf("ticket, turn 2: %q", got)
			}
			rich := get(p, chromedp.Evaluate[int](`(() => { const r = document.querySelectorAll('[data-testid="reply"]'); return r[r.length-1].querySelectorAll('.card, .buttons a').length; })()`))
			// (a Bedrock action group's function details carry text only: no card)
			if rich == 0 && platform != "bedrock-agent" {
				t.Errorf("the ticket reply shows no card or link button")
			}
			field := map[conversation.Platform]string{conversation.DialogflowES: `"queryResult"`, conversation.DialogflowCX: `"sessionInfo"`,
				conversation.LexV2: `"sessionState"`, conversation.Rasa: `"tracker"`}[platform]
			if req := p.text("request-json"); !strings.Contains(req, field) || !strings.Contains(req, "ada@example.com") {
				t.Errorf("request pane lacks %s or the carried email: %.400s", field, req)
			}
			if rep := p.text("reply-json"); !strings.Contains(rep, "created ticket #") {
				t.Errorf("reply pane: %.400s", rep)
			}

			// A reply clicked shows its own turn in the panes.
			p.do(chromedp.Click(chromedp.CSS(`[data-testid="reply"]`)))
			// (a tool API call carries no utterance: the agent's model calls the
			// operation; its path names the turn)
			first := map[conversation.Platform]string{"tool-api": `"path": "/api/v1/lookup_customer"`}[platform]
			if first == "" {
				first = "Please look up ada@example.com"
			}
			if req := p.text("request-json"); !strings.Contains(req, first) {
				t.Errorf("the first reply clicked: request pane %.300s", req)
			}

			// Text from a reply is data: markup in it is shown, not run.
			got := p.say(`How do I <img src=x onerror="document.body.dataset.pwned=1"><b>bold</b>?`)
			tags := get(p, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="transcript"] img, [data-testid="transcript"] b').length + (document.body.dataset.pwned ? 100 : 0)`))
			// (the server keeps the markup inert with word joiners, U+2060, which show
			// nothing: the visible text is the caller's)
			if tags != 0 || !strings.Contains(strings.ReplaceAll(got, "\u2060", ""), "<b>bold</b>") {
				t.Errorf("markup in a reply: %d elements made, text %q", tags, got)
			}

			// The export is a fixture the replay path takes: its ticket turn,
			// replayed, is answered from the first delivery, never filed again.
			p.eval(`URL.createObjectURL = (b) => { window.exported = b; return "about:blank"; };
				HTMLAnchorElement.prototype.click = function () {}; ""`)
			p.do(chromedp.Click(tid("export")))
			raw := get(p, chromedp.Evaluate[string](`window.exported.text()`, chromedp.EvalAwaitPromise))
			var f console.Fixture
			if err := json.Unmarshal([]byte(raw), &f); err != nil || f.Platform != platform || len(f.Turns) != 5 {
				t.Fatalf("export: %v %.300s", err, raw)
			}
			var res console.TurnResult
			b, _ := json.Marshal(map[string]any{"platform": platform, "request": f.Turns[3].Request})
			resp, err := http.Post(srv.URL+"/console/api/replay", "application/json", bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			err = json.NewDecoder(resp.Body).Decode(&res)
			resp.Body.Close()
			if err != nil || !strings.Contains(string(res.Reply), "created ticket #") || len(res.Trace.Events) != 1 || res.Trace.Events[0].Kind != "idempotency" {
				t.Errorf("replaying the exported ticket turn: %v %s %+v", err, res.Reply, res.Trace.Events)
			}

			png := get(p, chromedp.FullScreenshot(100))
			path := filepath.Join(dir, "console-"+string(platform)+".png")
			if err := os.WriteFile(path, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("screenshot: %s", path)
		})
	}
}

// consoleSettings is the console's part of the configuration (as switchboard serve
// translates it).
func consoleSettings(cfg config.Config) console.Settings {
	s := console.Settings{Names: wiring.Adapters(cfg).Names, DemoKey: cfg.Identity.Token.DemoKeyOn(),
		Issuer: cfg.Identity.Token.Issuer, Audience: cfg.Identity.Token.Audience,
		DemoData: cfg.Connectors.Customers == config.ToolDemo}
	if cfg.Identity.Codes.Sender == config.SenderOutbox {
		s.Outbox = cfg.Identity.Codes.Outbox
	}
	return s
}
