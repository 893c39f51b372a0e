package rest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/httpauth"
	"github.com/switchboard-dev/switchboard/shared/connector/rest"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

// rotating is a secrets provider whose cached copy is stale until Refresh.
type rotating struct{ refreshed atomic.Bool }

func (r *rotating) Get(context.Context, string) (secrets.Secret, error) {
	if r.refreshed.Load() {
		return secrets.Secret{"token": "new"}, nil
	}
	return secrets.Secret{"token": "old"}, nil
}

func (r *rotating) Refresh(ctx context.Context, id string) (secrets.Secret, error) {
	r.refreshed.Store(true)
	return r.Get(ctx, id)
}

func TestDoAuthenticatesBuildsAndReplaysOnce(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Header.Get("Authorization") != "Bearer new" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.URL.Path != "/v1/things" || r.URL.Query().Get("q") != "a b" ||
			r.Header.Get("Content-Type") != "application/json" || r.Header.Get("Accept") != "application/json" ||
			r.Header.Get("User-Agent") != "switchboard" || r.Header.Get("X-Extra") != "1" || string(body) != `{"name":"x"}` {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(srv.Close)
	b, err := rest.New(rest.Options{Tool: "t", BaseURL: srv.URL + "/", Auth: httpauth.Bearer(&rotating{}, "id", "token"),
		Header: http.Header{"User-Agent": {"switchboard"}}})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := b.Do(context.Background(), rest.Request{Op: "create", Method: http.MethodPost, Path: "/v1/things?q=" + url.QueryEscape("a b"),
		JSON: map[string]string{"name": "x"}, Header: http.Header{"X-Extra": {"1"}}})
	if err != nil || string(resp.Body) != `{"ok":true}` {
		t.Fatalf("Do = %v, %v", resp, err)
	}
	if calls.Load() != 2 {
		t.Errorf("calls = %d, want the refused one and one replay with the refreshed secret", calls.Load())
	}
}

func TestStatusErrors(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		status int
		retry  string
		kind   connector.Kind
		after  time.Duration
	}{
		{401, "", connector.KindUnauthorized, 0},
		{403, "", connector.KindDenied, 0},
		{404, "", connector.KindNotFound, 0},
		{409, "", connector.KindConflict, 0},
		{400, "", connector.KindInvalidInput, 0},
		{422, "9", connector.KindInvalidInput, 0},
		{429, "17", connector.KindRateLimited, 17 * time.Second},
		{429, now.Add(time.Minute).Format(http.TimeFormat), connector.KindRateLimited, time.Minute},
		{503, "30", connector.KindUnavailable, 30 * time.Second},
		{500, "", connector.KindUnavailable, 0},
	} {
		hdr := http.Header{}
		if tc.retry != "" {
			hdr.Set("Retry-After", tc.retry)
		}
		err := rest.StatusError("t", "op", tc.status, hdr, []byte("<html>"), now, nil)
		var ce *connector.Error
		if !errors.As(err, &ce) || ce.Kind != tc.kind || ce.RetryAfter != tc.after || ce.StatusCode != tc.status || ce.Tool != "t" || ce.Err == nil {
			t.Errorf("HTTP %d: %#v, want kind %s retry after %s", tc.status, err, tc.kind, tc.after)
		}
	}
	// The tool's decoder reads its body and may reclassify.
	decode := func(e *connector.Error, _ http.Header, body []byte, _ time.Time) {
		var v struct{ Code string }
		if json.Unmarshal(body, &v) == nil && v.Code == "LIMIT" {
			e.Kind, e.Code, e.RetryAfter = connector.KindRateLimited, v.Code, time.Hour
		}
	}
	err := rest.StatusError("t", "op", 403, nil, []byte(`{"code":"LIMIT"}`), now, decode)
	if connector.KindOf(err) != connector.KindRateLimited || connector.RetryAfterOf(err) != time.Hour {
		t.Errorf("decoded 403 = %v, want rate limited for an hour", err)
	}
}

func TestDoFailures(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big":
			_, _ = w.Write([]byte(strings.Repeat("x", 65)))
		case "/slow":
			<-r.Context().Done()
		case "/limited":
			w.Header().Set("Retry-After", "5")
			w.WriteHeader(http.StatusTooManyRequests)
		}
	}))
	t.Cleanup(srv.Close)
	b, err := rest.New(rest.Options{Tool: "t", BaseURL: srv.URL, MaxBody: 64})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := b.Do(ctx, rest.Request{Op: "op", Path: "/big"}); connector.KindOf(err) != connector.KindInvalidResponse {
		t.Errorf("oversized body: %v, want invalid response", err)
	}
	if _, err := b.Do(ctx, rest.Request{Op: "op", Path: "/limited"}); connector.KindOf(err) != connector.KindRateLimited || connector.RetryAfterOf(err) != 5*time.Second {
		t.Errorf("429: %v, want rate limited for 5s", err)
	}
	if _, err := b.Do(ctx, rest.Request{Op: "op", Path: "https://elsewhere.example/steal", LinkField: "next_page"}); connector.KindOf(err) != connector.KindInvalidResponse || !strings.Contains(err.Error(), "next_page") {
		t.Errorf("link to another host: %v, want it refused naming next_page", err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := b.Do(short, rest.Request{Op: "op", Path: "/slow"}); connector.KindOf(err) != connector.KindUnavailable || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("past the deadline: %v, want unavailable with DeadlineExceeded in the chain", err)
	}
	missing, err := rest.New(rest.Options{Tool: "t", BaseURL: srv.URL, Auth: httpauth.Bearer(secrets.Static{}, "absent", "token")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := missing.Do(ctx, rest.Request{Op: "op", Path: "/big"}); connector.KindOf(err) != connector.KindUnauthorized {
		t.Errorf("missing secret: %v, want unauthorized", err)
	}
	if _, err := rest.New(rest.Options{Tool: "t", BaseURL: "acme"}); err == nil {
		t.Errorf("relative base URL accepted")
	}
}
