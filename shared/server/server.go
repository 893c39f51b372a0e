package server

import (
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/security"
)

// PathPrefix starts every webhook route.
const PathPrefix = "/webhooks/"

// PlatformForPath maps a webhook path to its platform: /webhooks/dialogflow,
// /webhooks/dialogflow-cx (and /webhooks/dialogflow-cx/{intent}), /webhooks/lex,
// /webhooks/rasa. The platform is decided by the endpoint, never by the body.
func PlatformForPath(path string) (conversation.Platform, bool) {
	rest, ok := strings.CutPrefix(path, PathPrefix)
	if !ok {
		return "", false
	}
	seg, sub, _ := strings.Cut(strings.TrimSuffix(rest, "/"), "/")
	p := conversation.Platform(seg)
	switch p {
	case conversation.DialogflowCX:
		// {intent} is how API Gateway routes CX tags to per-intent functions; the tag
		// in the body stays authoritative.
		return p, !strings.Contains(sub, "/")
	case conversation.DialogflowES, conversation.LexV2, conversation.Rasa:
		return p, sub == ""
	}
	return "", false
}

// Options configure the handler.
type Options struct {
	// MaxBodyBytes caps a webhook body after decompression (default 8 MiB).
	MaxBodyBytes int64
	Logger       *slog.Logger
	// Extra routes (e.g. GET /metrics), mounted as is. Off loopback they need the
	// credentials of a platform whose webhook requires them (see Protected).
	Extra map[string]http.Handler
	// RasaActions is the GET /webhooks/rasa/actions body.
	RasaActions []byte
}

// drainCap is how much of a refused body is read and discarded so the connection can
// be reused; a larger one is answered with Connection: close instead (and net/http
// half-closes the connection, so the client reads the answer rather than a reset).
const drainCap = 64 << 10

// Handler returns the HTTP handler for every webhook route.
func Handler(e *engine.Engine, o Options) http.Handler {
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 8 << 20
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if open := openPlatforms(e); len(open) > 0 && !Loopback(r) {
			b, _ := json.Marshal(map[string]any{"status": "ok",
				"warning": "webhooks answer without credentials (security.auth: none) on a non-loopback address",
				"open":    open})
			writeJSON(w, http.StatusOK, b)
			return
		}
		writeJSON(w, http.StatusOK, []byte(`{"status":"ok"}`))
	})
	// rasa-sdk's own health and action-list endpoints, next to the webhook: Rasa's
	// credentials off loopback.
	mux.Handle("GET /webhooks/rasa/health", Protected(e, conversation.Rasa, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, []byte(`{"status":"ok"}`))
	})))
	if o.RasaActions != nil {
		mux.Handle("GET /webhooks/rasa/actions", Protected(e, conversation.Rasa, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, o.RasaActions)
		})))
	}
	for path, h := range o.Extra {
		mux.Handle(path, Protected(e, "", h))
	}
	mux.HandleFunc(PathPrefix, func(w http.ResponseWriter, r *http.Request) {
		p, ok := PlatformForPath(r.URL.Path)
		if !ok {
			refuseBody(w, r)
			writeError(w, http.StatusNotFound, "no webhook at this path; use /webhooks/{dialogflow,dialogflow-cx,lex,rasa}")
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			refuseBody(w, r)
			writeError(w, http.StatusMethodNotAllowed, "webhooks accept POST only")
			return
		}
		// Everything that can be decided from the headers is decided before the body
		// is read: source rate, credentials, declared size, the in-flight budget.
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		if ref := e.Admit(r.Context(), p, r.Header, r.URL.Query(), host); ref != nil {
			if ref.Status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Basic realm="switchboard"`)
			}
			refuseBody(w, r)
			writeJSON(w, ref.Status, ref.Body)
			return
		}
		g := e.Guard()
		lim := Limits{Max: o.MaxBodyBytes, Ratio: ratioOf(g)}
		if r.ContentLength > lim.Max {
			refuse(w, r, e.Refuse(r.Context(), p, security.RefusedSize, nil))
			return
		}
		enc := r.Header.Get("Content-Encoding")
		reserve := lim.Reservation(r.ContentLength, enc)
		if !budgetOf(g).ReserveWait(r.Context(), reserve) {
			w.Header().Set("Retry-After", "1")
			refuse(w, r, e.Refuse(r.Context(), p, security.RefusedBusy, nil))
			return
		}
		defer func() { budgetOf(g).Release(reserve) }()
		body, err := Read(http.MaxBytesReader(w, r.Body, lim.Max), enc, lim)
		if err != nil {
			if ref := refusalFor(err); ref != nil {
				refuse(w, r, e.Refuse(r.Context(), p, ref, err))
				return
			}
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		// Keep only what the body really holds (twice: the bytes and their decoding)
		// for the rest of the turn.
		if keep := 2 * int64(len(body)); keep < reserve {
			budgetOf(g).Release(reserve - keep)
			reserve = keep
		}
		resp := e.Serve(r.Context(), p, body)
		writeJSON(w, resp.Status, resp.Body)
	})
	return mux
}

func ratioOf(g *security.Guard) int {
	if g == nil || g.Ratio <= 0 {
		return DefaultInflateRatio
	}
	return g.Ratio
}

func budgetOf(g *security.Guard) *security.Budget {
	if g == nil {
		return nil
	}
	return g.Budget
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

// Loopback reports whether the request arrived on a loopback address of this host
// (the server listens on loopback, or the caller is on this machine).
func Loopback(r *http.Request) bool {
	a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return false
	}
	ta, ok := a.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}

// Protected serves h on loopback as is; off loopback it needs the credentials of
// platform p (or, for p "", of any platform whose webhook requires credentials).
// When no platform requires credentials (security.auth: none), h is served to anyone,
// as the webhooks are, and /healthz says so.
func Protected(e *engine.Engine, p conversation.Platform, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g := e.Guard()
		if Loopback(r) || g == nil {
			h.ServeHTTP(w, r)
			return
		}
		platforms := []conversation.Platform{p}
		if p == "" {
			platforms = conversation.Platforms
		}
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		if !g.Source.Allow(host) {
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
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, drainCap))
		return
	}
	w.Header().Set("Connection", "close")
}

// refusalFor maps a body-reading error to its refusal, or nil for a plain bad request.
func refusalFor(err error) *security.Refusal {
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig), errors.Is(err, ErrTooLarge):
		return security.RefusedSize
	case errors.Is(err, ErrInflateRatio):
		return security.RefusedRatio
	}
	return nil
}

// ErrTooLarge is a body over the size cap once read (and inflated).
var ErrTooLarge = errors.New("request body too large")

// ErrInflateRatio is a compressed body inflating past the ratio cap.
var ErrInflateRatio = errors.New("compressed body inflates beyond the allowed ratio")

// DefaultInflateRatio is the compression ratio cap when none is configured.
const DefaultInflateRatio = 200

// ratioSlack lets small bodies inflate further than the ratio before the cap applies
// (a few hundred bytes of JSON can compress 50:1 and more).
const ratioSlack = 256 << 10

// Limits bound one body: Max bytes once inflated, and Ratio times its compressed size.
type Limits struct {
	Max   int64
	Ratio int
}

// Reservation is how many in-flight budget bytes a body of contentLength (-1:
// unknown) and Content-Encoding enc may need at worst: what it can inflate to, twice
// (the bytes and their decoded form), plus the compressed bytes themselves.
func (l Limits) Reservation(contentLength int64, enc string) int64 {
	max := l.Max
	if contentLength < 0 {
		return 2 * max
	}
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "", "identity":
		return 2 * min(contentLength, max)
	}
	ratio := int64(l.Ratio)
	if ratio <= 0 {
		ratio = DefaultInflateRatio
	}
	inflated := min(contentLength*ratio+ratioSlack, max)
	return contentLength + 2*inflated
}

// ReadBody reads a webhook body, inflating Content-Encoding deflate (zlib, as Rasa's
// COMPRESS_ACTION_SERVER_REQUEST sends) or gzip, capped at max bytes after inflation
// and at DefaultInflateRatio times its compressed size.
func ReadBody(r *http.Request, max int64) ([]byte, error) {
	return Read(http.MaxBytesReader(nil, r.Body, max), r.Header.Get("Content-Encoding"),
		Limits{Max: max, Ratio: DefaultInflateRatio})
}

// Read reads a body of Content-Encoding enc from src within l. A compressed body is
// inflated as it streams (never buffered compressed), and reading stops as soon as the
// output passes l.Max or l.Ratio times the compressed bytes consumed so far.
func Read(src io.Reader, enc string, l Limits) ([]byte, error) {
	if l.Ratio <= 0 {
		l.Ratio = DefaultInflateRatio
	}
	in := &countingReader{r: src}
	var body io.Reader = in
	switch enc = strings.ToLower(strings.TrimSpace(enc)); enc {
	case "", "identity":
	case "deflate":
		zr, err := zlib.NewReader(in)
		if err != nil {
			// Some clients send raw DEFLATE without the zlib header.
			return nil, fmt.Errorf("body is not zlib-deflated: %w", err)
		}
		defer zr.Close()
		body = &ratioReader{r: zr, in: in, ratio: int64(l.Ratio)}
	case "gzip":
		gr, err := gzip.NewReader(in)
		if err != nil {
			return nil, fmt.Errorf("body is not gzip: %w", err)
		}
		defer gr.Close()
		body = &ratioReader{r: gr, in: in, ratio: int64(l.Ratio)}
	default:
		return nil, fmt.Errorf("unsupported Content-Encoding %q", enc)
	}
	b, err := readAll(io.LimitReader(body, l.Max+1))
	if err != nil {
		if errors.Is(err, ErrInflateRatio) {
			return nil, err
		}
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, err
		}
		return nil, fmt.Errorf("read body: %w", err)
	}
	if int64(len(b)) > l.Max {
		return nil, ErrTooLarge
	}
	return b, nil
}

// readAll is io.ReadAll growing in steps of at most 1 MiB once past it, so that a
// body of n bytes holds about n bytes rather than up to twice that.
func readAll(r io.Reader) ([]byte, error) {
	b := make([]byte, 0, 32<<10)
	for {
		if len(b) == cap(b) {
			grow := min(max(cap(b), 32<<10), 1<<20)
			b = append(b, make([]byte, grow)...)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// ratioReader fails once the inflated output exceeds ratio times the compressed input
// consumed (plus ratioSlack).
type ratioReader struct {
	r     io.Reader
	in    *countingReader
	ratio int64
	out   int64
}

func (r *ratioReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.out += int64(n)
	if r.out > r.in.n*r.ratio+ratioSlack {
		return n, ErrInflateRatio
	}
	return n, err
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
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
