package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/platform/names"
	"github.com/switchboard-dev/switchboard/shared/security"
)

// PathPrefix starts every webhook route.
const PathPrefix = names.PathPrefix

// PlatformForPath maps a webhook path to its platform: /webhooks/dialogflow,
// /webhooks/dialogflow-cx (and /webhooks/dialogflow-cx/{intent}), /webhooks/lex,
// /webhooks/rasa. The platform is decided by the endpoint, never by the body.
func PlatformForPath(path string) (conversation.Platform, bool) {
	rest, ok := strings.CutPrefix(path, PathPrefix)
	if !ok {
		return "", false
	}
	seg, sub, _ := strings.Cut(strings.TrimSuffix(rest, "/"), "/")
	s, ok := names.Lookup(seg)
	if !ok {
		return "", false
	}
	if s.IntentPath {
		// {intent} is how API Gateway routes CX tags to per-intent functions; the tag
		// in the body stays authoritative.
		return conversation.Platform(s.Name), !strings.Contains(sub, "/")
	}
	return conversation.Platform(s.Name), sub == ""
}

// Options configure the handler.
type Options struct {
	// MaxBodyBytes caps a webhook body after decompression (default 8 MiB).
	MaxBodyBytes int64
	Logger       *slog.Logger
	// Extra routes (e.g. GET /metrics), mounted as is. Off loopback they need the
	// credentials of a platform whose webhook requires them (see protected).
	Extra map[string]http.Handler
	// Routes are the GET routes the platforms answer beside their webhooks
	// (adapters.Routes: rasa-sdk's /health and /actions), each behind its platform's
	// credentials off loopback.
	Routes []platform.Route
	// Names gives a platform's configured intent names (cfg.Intents.Names), for the
	// platforms' own routes (platform.Entry.Handlers).
	Names func(conversation.Platform) map[string]conversation.Intent
}

// drainCap is how much of a refused body is read and discarded so the connection can
// be reused; a larger one is answered with Connection: close instead (and net/http
// half-closes the connection, so the client reads the answer rather than a reset).
const drainCap = 64 << 10

// drainIdle is the longest a refused body being drained may pause; a slower one is
// answered with Connection: close instead.
const drainIdle = 2 * time.Second

// Handler returns the HTTP handler for every webhook route.
func Handler(e *engine.Engine, o Options) http.Handler {
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 8 << 20
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	door := Door{Engine: e, MaxBody: o.MaxBodyBytes}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if open := openPlatforms(e); len(open) > 0 && !loopback(r, proxiesOf(e.Guard())) {
			b, _ := json.Marshal(map[string]any{"status": "ok",
				"warning": "webhooks answer without credentials (security.auth: none) on a non-loopback address",
				"open":    open})
			writeJSON(w, http.StatusOK, b)
			return
		}
		writeJSON(w, http.StatusOK, []byte(`{"status":"ok"}`))
	})
	for _, rt := range o.Routes {
		mux.Handle("GET "+rt.Path, protected(e, rt.Platform, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, rt.Body)
		})))
	}
	for path, h := range o.Extra {
		mux.Handle(path, protected(e, "", h))
	}
	// A platform's own routes (the tool API's POST /api/v1/{intent}): each call
	// passes the door as its platform's webhook calls do.
	for _, ent := range platform.Entries() {
		if ent.Handlers == nil {
			continue
		}
		var n platform.Names
		if o.Names != nil {
			n = platform.Names(o.Names(ent.Platform()))
		}
		for path, h := range ent.Handlers(n, Gate{Door: door}) {
			mux.Handle(path, h)
		}
	}
	mux.HandleFunc(PathPrefix, func(w http.ResponseWriter, r *http.Request) {
		p, ok := PlatformForPath(r.URL.Path)
		if !ok {
			refuseBody(w, r)
			writeError(w, http.StatusNotFound, "no webhook at this path; use /webhooks/{"+strings.Join(names.List(), ",")+"}")
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			refuseBody(w, r)
			writeError(w, http.StatusMethodNotAllowed, "webhooks accept POST only")
			return
		}
		// Everything that can be decided from the headers is decided before the body
		// is read: source rate, credentials, declared size. From there the body holds
		// only what has arrived: one address may be sending only so many bodies at
		// once, each must keep its pace, and each claims from the in-flight budget as
		// its bytes arrive.
		host := proxiesOf(e.Guard()).Client(r)
		var query url.Values // most webhooks have none: not parsed into an empty map
		if r.URL.RawQuery != "" {
			query = r.URL.Query()
		}
		resp, ref := door.Serve(r.Context(), Request{Platform: p, Header: r.Header, Query: query, Source: host,
			Declared: r.ContentLength, Encoding: r.Header.Get("Content-Encoding"), Streamed: true,
			Body: http.MaxBytesReader(w, paced(w, r.Body, paceOf(e.Guard())), door.MaxBody)})
		if ref != nil {
			if ref.Challenge {
				w.Header().Set("WWW-Authenticate", `Basic realm="switchboard"`)
			}
			if ref.RetryAfter {
				w.Header().Set("Retry-After", "1")
			}
			if ref.Unread {
				// The rest of the body is not read: the connection ends with this answer.
				w.Header().Set("Connection", "close")
			} else if ref.Untouched {
				refuseBody(w, r)
			}
		}
		writeJSON(w, resp.Status, resp.Body)
	})
	return mux
}

func ratioOf(g *security.Guard) int {
	if g == nil || g.Ratio <= 0 {
		return defaultInflateRatio
	}
	return g.Ratio
}

func budgetOf(g *security.Guard) *security.Budget {
	if g == nil {
		return nil
	}
	return g.Budget
}

func uploadsOf(g *security.Guard) *security.Uploads {
	if g == nil {
		return nil
	}
	return g.Uploads
}

func paceOf(g *security.Guard) security.Pace {
	if g == nil {
		return security.Pace{}
	}
	return g.Pace
}

func openPlatforms(e *engine.Engine) []string {
	g := e.Guard()
	if g == nil || g.Auth == nil {
		return nil
	}
	var open []string
	for _, p := range conversation.Platforms {
		if !g.Auth.Required(p) {
			open = append(open, string(p))
		}
	}
	return open
}

// loopback reports whether the request comes from this machine: it arrived on a
// loopback address of this host and not through a proxy (a trusted one, or any that
// adds its forwarding headers): a reverse proxy on the same host relays strangers from
// loopback.
func loopback(r *http.Request, p security.Proxies) bool {
	a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return false
	}
	ta, ok := a.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback() && !p.Forwarded(r)
}

// proxiesOf are the trusted proxies of g (none when g is nil).
func proxiesOf(g *security.Guard) security.Proxies {
	if g == nil {
		return nil
	}
	return g.Proxies
}

// protected serves h on loopback as is; off loopback it needs the credentials of
// platform p (or, for p "", of any platform whose webhook requires credentials).
// When no platform requires credentials (security.auth: none), h is served to anyone,
// as the webhooks are, and /healthz says so.
func protected(e *engine.Engine, p conversation.Platform, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g := e.Guard()
		if g == nil || loopback(r, g.Proxies) {
			h.ServeHTTP(w, r)
			return
		}
		platforms := []conversation.Platform{p}
		if p == "" {
			platforms = conversation.Platforms
		}
		if !g.Source.Allow(g.Proxies.Client(r)) {
			refuse(w, r, e.Refuse(r.Context(), p, security.RefusedRate, nil))
			return
		}
		checked := false
		var why error
		for _, pl := range platforms {
			if g.Auth == nil || !g.Auth.Required(pl) {
				continue // an open platform proves nothing
			}
			checked = true
			if why = g.Auth.Check(r.Context(), pl, r.Header, r.URL.Query()); why == nil {
				h.ServeHTTP(w, r)
				return
			}
		}
		if !checked && g.Auth != nil {
			// Every platform asked is open (security.auth: none): so is this.
			h.ServeHTTP(w, r)
			return
		}
		ref := security.RefusedAuth
		if why != nil && !errors.Is(why, security.ErrUnauthenticated) {
			ref = security.RefusedSecrets
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="switchboard"`)
		refuse(w, r, e.Refuse(r.Context(), p, ref, why))
	})
}

// refuse answers a refusal decided before (or while) the body was read.
func refuse(w http.ResponseWriter, r *http.Request, resp *engine.Response) {
	refuseBody(w, r)
	writeJSON(w, resp.Status, resp.Body)
}

// refuseBody deals with the unread body of a refused request: a small one is read and
// discarded so the connection stays usable; a large or unknown one is not read, and
// the answer says Connection: close (net/http then half-closes and lingers, so the
// client gets the answer instead of a TCP reset).
func refuseBody(w http.ResponseWriter, r *http.Request) {
	if r.Body == nil || r.Body == http.NoBody {
		return
	}
	if r.ContentLength >= 0 && r.ContentLength <= drainCap {
		src := paced(w, r.Body, security.Pace{Idle: drainIdle})
		if _, err := io.Copy(io.Discard, io.LimitReader(src, drainCap)); err == nil {
			return
		}
	}
	w.Header().Set("Connection", "close")
}

// refusalFor maps a body-reading error to its refusal, or nil for a plain bad request.
func refusalFor(err error) *security.Refusal {
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig), errors.Is(err, errTooLarge):
		return security.RefusedSize
	case errors.Is(err, errInflateRatio):
		return security.RefusedRatio
	case errors.Is(err, security.ErrBusy):
		return security.RefusedBusy
	case errors.Is(err, errSlowBody):
		return security.RefusedSlow
	}
	return nil
}

// The values of writeJSON's two headers, shared by every answer: net/http copies a
// header's values when the answer's headers are written (and Set or Add on a value
// of capacity one never writes into it).
var (
	jsonType = []string{"application/json"}[:1:1]
	noSniff  = []string{"nosniff"}[:1:1]
)

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	// The keys are canonical already: assigned as is, without Set's canonicalizing
	// and a new value slice per answer.
	h := w.Header()
	h["Content-Type"] = jsonType
	h["X-Content-Type-Options"] = noSniff
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeError(w http.ResponseWriter, status int, reason string) {
	b, _ := json.Marshal(map[string]string{"error": reason})
	writeJSON(w, status, b)
}

// Serve runs h on addr until ctx is cancelled, then shuts down gracefully, letting
// in-flight turns finish for up to grace. ready, when not nil, receives the bound
// address once the listener is up.
func Serve(ctx context.Context, addr string, h http.Handler, grace time.Duration, ready func(net.Addr)) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	if ready != nil {
		ready(l.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
