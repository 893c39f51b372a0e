package tests

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/switchboard-dev/switchboard/events/samplegen"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/platform"
)

// The sample events `go generate ./events` writes (here every registered intent's, in
// an empty folder, as for a new intent) pass the machinery the hand-written ones do:
// in every golden case of the intent (casesFor) the whole stack answers 200 with a
// response the platform's schema accepts, and with the outcome the hand-written
// sample's answer has; filled as the smoke test fills a sample (fresh ids, the smoke
// customer's token), the reply is one the smoke test reads messages from.
func TestGeneratedSamplesAnswerAsTheHandWrittenOnes(t *testing.T) {
	dir := t.TempDir()
	if _, err := samplegen.WriteMissing(dir); err != nil {
		t.Fatal(err)
	}
	tok, err := samplegen.Token()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range webhookPlatforms() {
		e, _ := platform.Lookup(p)
		t.Run(string(p), func(t *testing.T) {
			t.Parallel()
			for _, in := range conversation.Intents {
				for _, c := range casesFor(t, in) {
					file := eventFile[in]
					if c.signed {
						file = samplegen.SignedName(file)
					}
					gen, err := os.ReadFile(filepath.Join(dir, string(p), file))
					if err != nil {
						t.Fatal(err)
					}
					serve := func(body []byte) engine.Response {
						if c.slots != nil {
							body = withSlots(t, p, body, c.slots)
						}
						resp := newEngine(t, c.backendDown).Serve(context.Background(), p, body)
						checkResponse(t, p, resp)
						return resp
					}
					g, h := serve(gen), serve(readEvent(t, p, file))
					gOut, gOK := e.ReadOutcome(g.Body)
					hOut, hOK := e.ReadOutcome(h.Body)
					if g.Status != h.Status || gOK != hOK || gOut != hOut {
						t.Errorf("%s/%s: generated sample answers %d %+v, the hand-written one %d %+v\n%s",
							in, c.name, g.Status, gOut, h.Status, hOut, g.Body)
					}
				}
				// As the smoke test sends it.
				var doc map[string]any
				if err := json.Unmarshal(mustRead(t, filepath.Join(dir, string(p), eventFile[in])), &doc); err != nil {
					t.Fatal(err)
				}
				e.Smoke.FreshIDs(doc, "switchboard-smoke-gen", "gen")
				e.Smoke.IdentityToken(doc, tok)
				body, _ := json.Marshal(doc)
				resp := newEngine(t, false).Serve(context.Background(), p, body)
				checkResponse(t, p, resp)
				if texts, _, err := e.Smoke.Messages(resp.Body); err != nil || len(texts) == 0 {
					t.Errorf("%s smoke: messages %q (%v)\n%s", in, texts, err, resp.Body)
				}
			}
		})
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
