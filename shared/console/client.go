package console

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/identity"
)

// Runner runs a turn and the console's helpers (sign-in, the outbox) for the chat and
// replay commands: in this process (Local) or against a running server (Remote).
type Runner interface {
	// Turn sends one platform request and returns the reply and, when the runner can
	// see it, the turn's trace.
	Turn(ctx context.Context, p conversation.Platform, body []byte) (TurnResult, error)
	// SignIn mints a demo identity token for email.
	SignIn(ctx context.Context, email string) (string, error)
	// Codes returns the latest one-time codes sent to email, newest first.
	Codes(ctx context.Context, email string) ([]Code, error)
}

// Code is a one-time code in the local outbox.
type Code struct {
	To      string    `json:"to"`
	Code    string    `json:"code"`
	Sent    time.Time `json:"sent"`
	Expires time.Time `json:"expires"`
}

// Local runs turns on an engine in this process.
type Local struct {
	Engine   *engine.Engine
	Settings Settings
}

// Turn implements Runner.
func (l Local) Turn(ctx context.Context, p conversation.Platform, body []byte) (TurnResult, error) {
	resp, tr := runTurn(ctx, l.Engine, p, body)
	return TurnResult{Request: rawOrString(body), Status: resp.Status, Reply: rawOrString(resp.Body), Trace: tr}, nil
}

// SignIn implements Runner: with the demo key, when the configuration accepts it.
func (l Local) SignIn(_ context.Context, email string) (string, error) {
	tok := l.Settings
	if !tok.DemoKey {
		return "", errors.New("this configuration does not accept the demo key (identity.token.demo_key)")
	}
	return identity.Mint([]byte(identity.DemoKey), email, "", tok.Issuer, tok.Audience, time.Now(), 30*time.Minute)
}

// Codes implements Runner: the local outbox file.
func (l Local) Codes(_ context.Context, email string) ([]Code, error) {
	c := l.Settings
	if c.Outbox == "" {
		return nil, errors.New("codes are not sent to the local outbox in this configuration (identity.codes.sender)")
	}
	entries, err := identity.ReadOutbox(c.Outbox, 50)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return latest(entries, email), nil
}

func latest(entries []identity.OutboxEntry, email string) []Code {
	out := []Code{}
	for i := len(entries) - 1; i >= 0 && len(out) < 5; i-- {
		e := entries[i]
		if email != "" && !strings.EqualFold(e.To, email) {
			continue
		}
		out = append(out, Code{To: e.To, Code: e.Code, Sent: e.Time, Expires: e.Expires})
	}
	return out
}

// Remote runs turns on a server: through its console API (with the trace), or with
// Direct straight to its webhook (without: a deployed stack has no console).
type Remote struct {
	URL    string
	Client *http.Client
	// Direct posts to /webhooks/<platform> instead of the console API.
	Direct bool
	// Auth adds the credentials the server asks for off loopback (a platform's
	// webhook credentials: basic, a header, a query token).
	Auth func(*http.Request)
}

func (r Remote) do(ctx context.Context, method, path string, body []byte, out any) (int, []byte, error) {
	return r.doWith(ctx, method, path, body, nil, out)
}

// doWith is do with the call's own headers (set before Auth's credentials).
func (r Remote) doWith(ctx context.Context, method, path string, body []byte, header map[string]string, out any) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(r.URL, "/")+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if r.Auth != nil {
		r.Auth(req)
	}
	c := r.Client
	if c == nil {
		c = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return resp.StatusCode, nil, err
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, b, fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return resp.StatusCode, b, nil
}

func apiError(status int, b []byte) error {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(b, &e) == nil && e.Error != "" {
		return fmt.Errorf("HTTP %d: %s", status, e.Error)
	}
	return fmt.Errorf("HTTP %d", status)
}

// Turn implements Runner.
func (r Remote) Turn(ctx context.Context, p conversation.Platform, body []byte) (TurnResult, error) {
	if r.Direct {
		method, path, send, header := http.MethodPost, "/webhooks/"+string(p), body, map[string]string(nil)
		if sim, ok := simulator(p); ok && sim.Call != nil {
			// A platform whose call is more than a body (the tool API): its own route.
			c, err := sim.Call(body)
			if err != nil {
				return TurnResult{}, err
			}
			method, path, send, header = c.Method, c.Path, c.Body, c.Headers
		}
		status, b, err := r.doWith(ctx, method, path, send, header, nil)
		if err != nil {
			return TurnResult{}, err
		}
		return TurnResult{Request: rawOrString(body), Status: status, Reply: rawOrString(b), Trace: Trace{Platform: p, Status: status}}, nil
	}
	// A body that is not JSON goes as a string, sent as is.
	payload, _ := json.Marshal(map[string]any{"platform": p, "request": rawOrString(body)})
	var res TurnResult
	status, b, err := r.do(ctx, http.MethodPost, Prefix+"/api/replay", payload, &res)
	if err != nil {
		return TurnResult{}, err
	}
	if status != http.StatusOK {
		return TurnResult{}, apiError(status, b)
	}
	return res, nil
}

// SignIn implements Runner.
func (r Remote) SignIn(ctx context.Context, email string) (string, error) {
	payload, _ := json.Marshal(map[string]string{"email": email})
	var res struct{ Token string }
	status, b, err := r.do(ctx, http.MethodPost, Prefix+"/api/signin", payload, &res)
	if err != nil {
		return "", err
	}
	if status != http.StatusOK {
		return "", apiError(status, b)
	}
	return res.Token, nil
}

// Codes implements Runner.
func (r Remote) Codes(ctx context.Context, email string) ([]Code, error) {
	var res struct{ Codes []Code }
	status, b, err := r.do(ctx, http.MethodGet, Prefix+"/api/outbox?email="+url.QueryEscape(email), nil, &res)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, apiError(status, b)
	}
	return res.Codes, nil
}
