package main

import (
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
	"time"

	"github.com/switchboard-dev/switchboard/shared/app"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/identity"
	"github.com/switchboard-dev/switchboard/shared/server"
)

// turnIDField is where each platform's sample event carries the turn id.
var turnIDField = map[conversation.Platform]func(map[string]any) string{
	conversation.DialogflowES: func(m map[string]any) string { return str(m["responseId"]) },
	conversation.DialogflowCX: func(m map[string]any) string { return str(m["detectIntentResponseId"]) },
	conversation.LexV2: func(m map[string]any) string {
		ss, _ := m["sessionState"].(map[string]any)
		return str(ss["originatingRequestId"])
	},
	conversation.Rasa: func(m map[string]any) string {
		tr, _ := m["tracker"].(map[string]any)
		lm, _ := tr["latest_message"].(map[string]any)
		return str(lm["message_id"])
	},
}

func str(v any) string { s, _ := v.(string); return s }

// benchPlatforms are the platforms the local rows measure: the four intent platforms,
// whose sample events carry a turn id to vary (turnIDField) — the rows compare with
// the peers, which speak these. The agent surfaces have their own tests, no row yet.
func benchPlatforms() []conversation.Platform {
	var out []conversation.Platform
	for _, p := range conversation.Platforms {
		if turnIDField[p] != nil {
			out = append(out, p)
		}
	}
	return out
}

// sampleBodies reads events/<platform>/<file> and finds its turn id.
func sampleBodies(root string, p conversation.Platform, file string) (bodies, error) {
	raw, err := os.ReadFile(filepath.Join(root, "events", string(p), file))
	if err != nil {
		return bodies{}, err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return bodies{}, fmt.Errorf("%s/%s: %w", p, file, err)
	}
	field, ok := turnIDField[p]
	if !ok {
		return bodies{}, fmt.Errorf("%s/%s: no turn id field known for the platform", p, file)
	}
	id := field(m)
	if len(id) < 12 {
		return bodies{}, fmt.Errorf("%s/%s: no turn id to vary", p, file)
	}
	return bodies{event: raw, id: []byte(id)}, nil
}

// benchConfig is the embedded default with a temporary data directory and the abuse
// limits off (one loopback client is the whole load).
func benchConfig(dir string, extra ...string) (config.Config, error) {
	env := append([]string{
		"SWITCHBOARD_DATA_DIR=" + dir,
		"SWITCHBOARD_SECURITY_PER_SOURCE_RATE=-1",
		"SWITCHBOARD_SECURITY_PER_SESSION_RATE=-1",
		"SWITCHBOARD_SECURITY_UPLOADS_PER_SOURCE=-1",
	}, extra...)
	return config.LoadEmbedded(env)
}

// listen serves h on 127.0.0.1 on a free port until ctx ends.
func listen(ctx context.Context, h http.Handler) (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 2 * time.Minute}
	go func() { _ = srv.Serve(l) }()
	go func() { <-ctx.Done(); _ = srv.Close() }()
	return "http://" + l.Addr().String(), nil
}

// startSwitchboard is `switchboard serve` in process: app.Build on the embedded default
// and server.Handler, on a free loopback port.
func startSwitchboard(ctx context.Context) (string, func(), error) {
	dir, err := os.MkdirTemp("", "switchboard-bench-")
	if err != nil {
		return "", nil, err
	}
	cfg, err := benchConfig(dir)
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	a, err := app.Build(ctx, cfg, app.Options{})
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	sctx, cancel := context.WithCancel(ctx)
	url, err := listen(sctx, server.Handler(a.Engine, server.Options{}))
	closeAll := func() { cancel(); a.Close(); os.RemoveAll(dir) }
	if err != nil {
		closeAll()
		return "", nil, err
	}
	return url, closeAll, nil
}

// post sends one body and returns the response body, requiring a 200.
func post(ctx context.Context, url string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return out, fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, out)
	}
	return out, nil
}

var localDialogflow *loadResult // section 1's Dialogflow ES run, reused by section 2

func benchLocal(ctx context.Context, o *options, r *report) {
	const sec = "1"
	url, stop, err := startSwitchboard(ctx)
	if err != nil {
		for _, p := range benchPlatforms() {
			r.missing(sec, "local "+string(p)+" lookup_customer", "every request 200", "server: "+err.Error())
		}
		return
	}
	defer stop()
	for _, p := range benchPlatforms() {
		fig := fmt.Sprintf("local POST /webhooks/%s lookup_customer (c=%d)", p, o.concurrency)
		b, err := sampleBodies(o.root, p, "lookup_customer_signed.json")
		if err != nil {
			r.missing(sec, fig, "every request 200", err.Error())
			continue
		}
		endpoint := url + server.PathPrefix + string(p)
		// One request first: a wrong answer must not be measured as throughput.
		if out, err := post(ctx, endpoint, b.nth(1<<40)); err != nil {
			r.missing(sec, fig, "every request 200", err.Error())
			continue
		} else if !bytes.Contains(out, []byte("I found")) {
			r.missing(sec, fig, "every request 200", fmt.Sprintf("unexpected answer %.160s", out))
			continue
		}
		res := attack("local-"+string(p), endpoint, b, o.concurrency, o.duration, o.maxRequests, 0)
		if f := res.failure(); f != "" {
			r.add(sec, fig, res.String()+"; "+f, "every request 200", fail)
			continue
		}
		r.add(sec, fig, res.String(), "every request 200", pass)
		if p == conversation.DialogflowES {
			localDialogflow = &res
		}
	}
}

// messagesOf returns the texts of a Dialogflow ES response's fulfillmentMessages.
func messagesOf(body []byte) ([]string, error) {
	var resp struct {
		FulfillmentMessages []struct {
			Text struct {
				Text []string `json:"text"`
			} `json:"text"`
		} `json:"fulfillmentMessages"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, err
	}
	var out []string
	for _, m := range resp.FulfillmentMessages {
		out = append(out, m.Text.Text...)
	}
	return out, nil
}

func sameMessages(a, b []string) bool {
	return strings.Join(a, "\n") == strings.Join(b, "\n") && len(a) > 0
}

// verified puts the identity layer in front of h, as app.Build does, with cfg's
// verifier (the public demo key on the default configuration): the signed sample
// events' callers are verified and get the full answer.
func verified(cfg config.Config, h conversation.Handler) (conversation.Handler, error) {
	v, err := app.Verifier(cfg, nil, nil)
	if err != nil {
		return nil, err
	}
	return &identity.Resolver{Verifier: v, Next: h}, nil
}
