package server

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/platform/rasa"
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/security"
)

// tracker is a Rasa action call whose tracker holds about size bytes of varied events
// (what tests/memload sends).
func tracker(size int) []byte {
	var ev bytes.Buffer
	for i := 0; ev.Len() < size; i++ {
		if ev.Len() > 0 {
			ev.WriteByte(',')
		}
		fmt.Fprintf(&ev, `{"event":"user","timestamp":%d.%03d,"text":"message %x about order %d","parse_data":{"intent":{"name":"intent_%d","confidence":0.%04d}}}`,
			1700000000+i, i%1000, i*7919, i*31, i%20, i%10000)
	}
	return []byte(`{"next_action":"action_search_kb","sender_id":"fp","tracker":{"sender_id":"fp","slots":{"query":"reset my password"},` +
		`"latest_message":{"intent":{"name":"search_kb","confidence":0.99},"entities":[],"text":"How do I reset my password?"},` +
		`"events":[` + ev.String() + `]},"domain":{},"version":"3.6.0"}`)
}

// TestBodyFootprint bounds what one large webhook body really costs against what it
// claims from the in-flight budget, with the real Rasa adapter decoding it:
//   - at the turn, the heap it keeps live (after a collection) is within what it
//     claims (the body and its decoded form);
//   - reading it allocates about its size twice (chunks, then the body in one piece),
//     and decoding once more: no garbage that grows with the square of the size, as
//     a buffer grown by copying left (before: 5× a 4 MiB body), which the GC's
//     soft limit (gctune.WithBudget) must leave room for.
//
// Not parallel: it reads the process's allocation counters.
func TestBodyFootprint(t *testing.T) {
	sec := config.Default().Security
	sec.Webhooks["rasa"] = config.WebhookAuth{Method: config.AuthNone}
	sec.PerSourceRate, sec.PerSessionRate = -1, -1
	g, err := security.NewGuard(wiring.Security(sec), secrets.Static{})
	if err != nil {
		t.Fatal(err)
	}
	var live, claimed int64
	var base runtime.MemStats
	h := conversation.HandlerFunc(func(context.Context, conversation.Turn) conversation.Reply {
		var m runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m)
		live, claimed = int64(m.HeapAlloc)-int64(base.HeapAlloc), g.Budget.InUse()
		return conversation.Reply{Messages: []string{"ok"}}
	})
	cfg := config.Default()
	e := engine.New(wiring.Engine(cfg), h, engine.Options{Guard: g,
		Adapters: map[conversation.Platform]platform.Adapter{conversation.Rasa: rasa.New(cfg.Intents.Names(conversation.Rasa))}})
	srv := Handler(e, Options{})

	js := tracker(4 << 20)
	n := int64(len(js))
	for _, enc := range []string{"", "deflate"} {
		body := js
		if enc != "" {
			body = deflate(js)
		}
		do := func() {
			req := httptest.NewRequest(http.MethodPost, "/webhooks/rasa", bytes.NewReader(body))
			req.Header.Set("Content-Encoding", enc)
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, req)
			if w.Code != 200 {
				t.Fatalf("%q: %d %s", enc, w.Code, w.Body.String())
			}
		}
		do() // warm up (adapter, engine, caches)

		runtime.GC()
		runtime.ReadMemStats(&base)
		do()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		if live > claimed+1<<20 {
			t.Errorf("%q: at the turn %d bytes are live and %d claimed: the budget undercounts", enc, live, claimed)
		}
		if claimed > 2*n+2*maxChunk+inflaterCost {
			t.Errorf("%q: a %d-byte body claims %d at the turn, want about twice its size", enc, n, claimed)
		}
		// Allocated while serving: chunks and the body (2n), the decoded events (n),
		// and the inflater, the JSON scanner, the reply: well under 1 MiB.
		if alloc := int64(after.TotalAlloc - base.TotalAlloc); alloc > 3*n+1<<20 {
			t.Errorf("%q: serving a %d-byte body allocated %d bytes (%.1f×), want at most 3× + 1 MiB", enc, n, alloc, float64(alloc)/float64(n))
		} else {
			t.Logf("%q: %d-byte body: %.2f× allocated, %d live and %d claimed at the turn", enc, n, float64(alloc)/float64(n), live, claimed)
		}
		if used := g.Budget.InUse(); used != 0 {
			t.Errorf("%q: %d bytes still claimed after the call", enc, used)
		}
	}
}
