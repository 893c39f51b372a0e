package console

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"github.com/switchboard-dev/switchboard/shared/security"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/i18n"
	"github.com/switchboard-dev/switchboard/shared/identity"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/turntrace"
)

//go:embed static
var static embed.FS

// Prefix is where the console is mounted.
const Prefix = "/console"

// maxAPIBody caps a console API body (a Rasa tracker grows with the conversation).
const maxAPIBody = 4 << 20

// demoCustomers are the demo data's customers the page offers to sign in as (the
// demo backend's seed; any email may be typed).
var demoCustomers = []string{"ada@example.com", "grace.hopper@example.com", "alan.turing@example.org"}

// Settings are what the configuration decides for the console (the composition root
// converts them).
type Settings struct {
	// Names maps each platform's intent names onto canonical intents
	// (intents.<platform>); a platform not in it uses its default names.
	Names map[conversation.Platform]map[string]conversation.Intent
	// DemoKey: tokens signed with the demo key are accepted (identity.token.demo_key),
	// so the console may mint them, with Issuer and Audience.
	DemoKey          bool
	Issuer, Audience string
	// Outbox is the local outbox file one-time codes are written to; "" when codes
	// are not sent to an outbox (identity.codes.sender).
	Outbox string
	// DemoData: the demo backend answers customers (connectors.customers: demo), so
	// the page offers its customers.
	DemoData bool
}

// Options configure the console.
type Options struct {
	Engine   *engine.Engine
	Settings Settings
	Logger   *slog.Logger
	Now      func() time.Time
}

// Handler serves the page and its API under /console. Mount it behind
// server.Protected: loopback as is, elsewhere with a platform's webhook credentials
// (the console runs turns with those credentials applied, so it is as privileged).
func Handler(o Options) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	h := &handler{o: o}
	sub, _ := fs.Sub(static, "static")
	files := http.FileServerFS(sub)
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+Prefix, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Prefix+"/", http.StatusFound)
	})
	mux.Handle("GET "+Prefix+"/", http.StripPrefix(Prefix, files))
	mux.HandleFunc("GET "+Prefix+"/api/info", h.info)
	mux.HandleFunc("POST "+Prefix+"/api/start", h.start)
	mux.HandleFunc("POST "+Prefix+"/api/turn", h.turn)
	mux.HandleFunc("POST "+Prefix+"/api/replay", h.replay)
	mux.HandleFunc("POST "+Prefix+"/api/signin", h.signin)
	mux.HandleFunc("GET "+Prefix+"/api/outbox", h.outbox)
	return guard(o.Engine, mux)
}

// credentialed reports whether some platform's webhook requires credentials: off
// loopback, the console is served only then (server.Protected has checked them).
func credentialed(e *engine.Engine) bool {
	g := e.Guard()
	if g == nil || g.Auth == nil {
		return false
	}
	for _, p := range conversation.Platforms {
		if g.Auth.Required(p) {
			return true
		}
	}
	return false
}

// guard refuses what a browser page on another site could send: a request naming
// another host (DNS rebinding onto the loopback listener), another origin, or a
// write that is not JSON (a form post). The page itself loads no script but its own.
//
// Off loopback the console needs credentials even where the webhooks answer without
// (security.auth: none): it shows one-time codes and signs demo tokens.
func guard(e *engine.Engine, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var proxies security.Proxies
		if g := e.Guard(); g != nil {
			proxies = g.Proxies
		}
		local := loopbackAddr(r, proxies)
		if !local && !credentialed(e) {
			writeErr(w, http.StatusForbidden, "the console answers beyond this machine only when webhook credentials are configured (security.<platform>.method)")
			return
		}
		if origin := r.Header.Get("Origin"); origin != "" && !sameOrigin(origin, r.Host) {
			writeErr(w, http.StatusForbidden, "cross-origin request refused")
			return
		}
		if local && !loopbackHost(r.Host) {
			writeErr(w, http.StatusForbidden, "the console on a loopback address answers only to a loopback host name")
			return
		}
		if r.Method == http.MethodPost {
			if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
				writeErr(w, http.StatusUnsupportedMediaType, "send application/json")
				return
			}
		}
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

func sameOrigin(origin, host string) bool {
	o, ok := strings.CutPrefix(origin, "http://")
	if !ok {
		o, ok = strings.CutPrefix(origin, "https://")
	}
	return ok && strings.EqualFold(o, host)
}

// loopbackAddr reports whether r comes from this machine: it arrived on a loopback
// address and not through a proxy (a trusted one, or any that adds forwarding
// headers: a reverse proxy on this host relays strangers from loopback).
func loopbackAddr(r *http.Request, p security.Proxies) bool {
	a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return false
	}
	ta, ok := a.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback() && !p.Forwarded(r)
}

func loopbackHost(host string) bool {
	h, _, err := net.SplitHostPort(host)
	if err != nil {
		h = host
	}
	h = strings.Trim(h, "[]")
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

type handler struct{ o Options }

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeErr(w http.ResponseWriter, status int, reason string) {
	writeJSON(w, status, map[string]string{"error": reason})
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAPIBody))
	if err != nil {
		writeErr(w, http.StatusRequestEntityTooLarge, "body too large")
		return false
	}
	if err := json.Unmarshal(b, v); err != nil {
		writeErr(w, http.StatusBadRequest, "body is not valid JSON for this call")
		return false
	}
	return true
}

// infoBody is GET /console/api/info.
type infoBody struct {
	Platforms     []conversation.Platform `json:"platforms"`
	Languages     []string                `json:"languages"`
	Intents       []conversation.Intent   `json:"intents"`
	SignIn        bool                    `json:"sign_in"`
	Outbox        bool                    `json:"outbox"`
	DemoCustomers []string                `json:"demo_customers,omitempty"`
}

func (h *handler) info(w http.ResponseWriter, _ *http.Request) {
	in := infoBody{Platforms: Platforms, Intents: conversation.Intents,
		SignIn: h.o.Settings.DemoKey,
		Outbox: h.o.Settings.Outbox != ""}
	for _, t := range i18n.Languages() {
		in.Languages = append(in.Languages, t.String())
	}
	if h.o.Settings.DemoData {
		in.DemoCustomers = demoCustomers
	}
	writeJSON(w, http.StatusOK, in)
}

func (h *handler) start(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Platform string `json:"platform"`
		Language string `json:"language"`
		Token    string `json:"token"`
	}
	if !decode(w, r, &req) {
		return
	}
	p, ok := ParsePlatform(req.Platform)
	if !ok {
		writeErr(w, http.StatusBadRequest, "unknown platform; use one of "+PlatformUsage())
		return
	}
	c := New(p, req.Language, h.o.Settings.Names[p])
	c.Token = req.Token
	writeJSON(w, http.StatusOK, c)
}

// Trace is what one turn did, as the console shows it.
type Trace struct {
	Platform  conversation.Platform `json:"platform"`
	Intent    conversation.Intent   `json:"intent,omitempty"`
	Status    int                   `json:"status"`
	LatencyMS float64               `json:"latency_ms"`
	Events    []turntrace.Event     `json:"events"`
}

// TurnResult is POST /console/api/turn's answer (and replay's, without the
// conversation).
type TurnResult struct {
	Conversation *Conversation     `json:"conversation,omitempty"`
	Request      json.RawMessage   `json:"request"`
	Status       int               `json:"status"`
	Reply        json.RawMessage   `json:"reply"`
	View         *View             `json:"view,omitempty"`
	Trace        Trace             `json:"trace"`
	Slots        map[string]string `json:"slots,omitempty"`
}

// runTurn sends one platform request through the engine — the webhook path after the
// HTTP layer's admission (the console's own access check stands in for the
// webhook's credentials) — and returns the reply with the turn's trace.
//
// A platform whose simulator builds HTTP calls (platform.Simulator.Call: the tool
// API) has its call read first: the body is decoded, then completed from the path
// and headers as its route does.
func runTurn(ctx context.Context, e *engine.Engine, p conversation.Platform, body []byte) (engine.Response, Trace) {
	rec := turntrace.New()
	start := time.Now()
	ctx = turntrace.With(ctx, rec)
	var resp engine.Response
	if sim, ok := simulator(p); ok && sim.Call != nil {
		resp = serveCall(ctx, e, p, sim, body)
	} else {
		resp = e.Serve(ctx, p, body)
	}
	return resp, Trace{Platform: p, Status: resp.Status, LatencyMS: float64(time.Since(start).Microseconds()) / 1000,
		Events: rec.Events()}
}

// serveCall answers a simulated HTTP call (platform.ConsoleCall) the way the
// platform's route does after admission: decode the body, Prepare from the path and
// headers, answer the turn.
func serveCall(ctx context.Context, e *engine.Engine, p conversation.Platform, sim *platform.Simulator, request []byte) engine.Response {
	refuse := func(status int, err error) engine.Response {
		b, _ := json.Marshal(map[string]string{"error": err.Error()})
		return engine.Response{Status: status, Body: b}
	}
	c, err := sim.Call(request)
	if err != nil {
		return refuse(http.StatusBadRequest, err)
	}
	req, bad := e.Decode(ctx, p, c.Body)
	if bad != nil {
		return *bad
	}
	if c.Prepare != nil {
		if err := c.Prepare(req); err != nil {
			status := c.Status
			if status == 0 {
				status = http.StatusBadRequest
			}
			return refuse(status, err)
		}
	}
	return e.ServeDecoded(ctx, p, req, c.Body)
}

func (h *handler) turn(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Conversation *Conversation `json:"conversation"`
		Input
	}
	if !decode(w, r, &req) {
		return
	}
	c := req.Conversation
	if c == nil {
		writeErr(w, http.StatusBadRequest, "missing conversation (POST /console/api/start first)")
		return
	}
	if strings.TrimSpace(req.Text) == "" {
		writeErr(w, http.StatusBadRequest, "missing text")
		return
	}
	pend, err := c.Request(req.Input)
	if err != nil {
		writeErr(w, http.StatusBadRequest, err.Error())
		return
	}
	resp, tr := runTurn(r.Context(), h.o.Engine, c.Platform, pend.Body)
	tr.Intent = pend.Intent
	v := c.Absorb(pend, resp.Status, resp.Body)
	writeJSON(w, http.StatusOK, TurnResult{Conversation: c, Request: pend.Body, Status: resp.Status,
		Reply: rawOrString(resp.Body), View: &v, Trace: tr, Slots: pend.Slots})
}

// rawOrString keeps a JSON reply as is and quotes anything else.
func rawOrString(b []byte) json.RawMessage {
	if json.Valid(b) {
		return b
	}
	q, _ := json.Marshal(string(b))
	return q
}

func (h *handler) replay(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Platform string          `json:"platform"`
		Request  json.RawMessage `json:"request"`
	}
	if !decode(w, r, &req) {
		return
	}
	p, ok := ParsePlatform(req.Platform)
	if !ok {
		writeErr(w, http.StatusBadRequest, "unknown platform; use "+PlatformUsage())
		return
	}
	if len(req.Request) == 0 {
		writeErr(w, http.StatusBadRequest, "missing request")
		return
	}
	body := []byte(req.Request)
	var s string
	if json.Unmarshal(req.Request, &s) == nil {
		body = []byte(s) // a recorded body that is not JSON, sent as is
	}
	resp, tr := runTurn(r.Context(), h.o.Engine, p, body)
	writeJSON(w, http.StatusOK, TurnResult{Request: req.Request, Status: resp.Status, Reply: rawOrString(resp.Body), Trace: tr})
}

func (h *handler) signin(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Email string `json:"email"`
	}
	if !decode(w, r, &req) {
		return
	}
	tok := h.o.Settings
	if !tok.DemoKey {
		writeErr(w, http.StatusForbidden, "sign-in mints tokens with the demo key, which this configuration does not accept (identity.token.demo_key); pass a token your site signed instead")
		return
	}
	email := strings.TrimSpace(req.Email)
	if !emailRE.MatchString(email) || len(email) > 254 {
		writeErr(w, http.StatusBadRequest, "give the email of a demo customer")
		return
	}
	ttl := 30 * time.Minute
	s, err := identity.Mint([]byte(identity.DemoKey), email, "", tok.Issuer, tok.Audience, h.o.Now(), ttl)
	if err != nil {
		writeErr(w, http.StatusInternalServerError, "could not sign the token")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"token": s, "email": strings.ToLower(email), "expires": h.o.Now().Add(ttl).UTC()})
}

// outbox returns the latest one-time codes sent to an email (local outbox only).
func (h *handler) outbox(w http.ResponseWriter, r *http.Request) {
	codes := h.o.Settings
	if codes.Outbox == "" {
		writeErr(w, http.StatusNotFound, "codes are not sent to the local outbox in this configuration (identity.codes.sender)")
		return
	}
	email := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("email")))
	entries, err := identity.ReadOutbox(codes.Outbox, 50)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		writeErr(w, http.StatusInternalServerError, "could not read the outbox")
		return
	}
	out := latest(entries, email)
	writeJSON(w, http.StatusOK, map[string]any{"codes": out})
}
