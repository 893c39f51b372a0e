package server

import (
	"bytes"
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
	// Extra routes (e.g. GET /metrics), mounted as is.
	Extra map[string]http.Handler
	// RasaActions is the GET /webhooks/rasa/actions body.
	RasaActions []byte
}

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
		writeJSON(w, http.StatusOK, []byte(`{"status":"ok"}`))
	})
	// rasa-sdk's own health and action-list endpoints, next to the webhook.
	mux.HandleFunc("GET /webhooks/rasa/health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, []byte(`{"status":"ok"}`))
	})
	if o.RasaActions != nil {
		mux.HandleFunc("GET /webhooks/rasa/actions", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, o.RasaActions)
		})
	}
	for path, h := range o.Extra {
		mux.Handle(path, h)
	}
	mux.HandleFunc(PathPrefix, func(w http.ResponseWriter, r *http.Request) {
		p, ok := PlatformForPath(r.URL.Path)
		if !ok {
			writeError(w, http.StatusNotFound, "no webhook at this path; use /webhooks/{dialogflow,dialogflow-cx,lex,rasa}")
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeError(w, http.StatusMethodNotAllowed, "webhooks accept POST only")
			return
		}
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		if ref := e.Admit(r.Context(), p, r.Header, r.URL.Query(), host); ref != nil {
			if ref.Status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Basic realm="switchboard"`)
			}
			writeJSON(w, ref.Status, ref.Body)
			return
		}
		body, err := ReadBody(r, o.MaxBodyBytes)
		if err != nil {
			status := http.StatusBadRequest
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) || errors.Is(err, errTooLarge) {
				status = http.StatusRequestEntityTooLarge
			}
			writeError(w, status, err.Error())
			return
		}
		resp := e.Serve(r.Context(), p, body)
		writeJSON(w, resp.Status, resp.Body)
	})
	return mux
}

var errTooLarge = errors.New("request body too large")

// ReadBody reads a webhook body, inflating Content-Encoding deflate (zlib, as Rasa's
// COMPRESS_ACTION_SERVER_REQUEST sends) or gzip, capped at max bytes after inflation.
func ReadBody(r *http.Request, max int64) ([]byte, error) {
	var src io.Reader = http.MaxBytesReader(nil, r.Body, max)
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "deflate":
		raw, err := io.ReadAll(src)
		if err != nil {
			return nil, err
		}
		zr, err := zlib.NewReader(bytes.NewReader(raw))
		if err != nil {
			// Some clients send raw DEFLATE without the zlib header.
			return nil, fmt.Errorf("body is not zlib-deflated: %w", err)
		}
		defer zr.Close()
		src = zr
	case "gzip":
		gr, err := gzip.NewReader(src)
		if err != nil {
			return nil, fmt.Errorf("body is not gzip: %w", err)
		}
		defer gr.Close()
		src = gr
	default:
		return nil, fmt.Errorf("unsupported Content-Encoding %q", enc)
	}
	b, err := io.ReadAll(io.LimitReader(src, max+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if int64(len(b)) > max {
		return nil, errTooLarge
	}
	return b, nil
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
