package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
)

// A body's values never reach a debug line: only its field names, the types of its
// values and the lengths of its strings and arrays.
func TestStructureLogsNoValues(t *testing.T) {
	body := []byte(`{"sessionId":"Ada-Lovelace-+14155550132","inputTranscript":"my code is 481516",
		"customer":{"name":"Ada Lovelace","company":"Analytical Engines Ltd","plan":"Enterprise"},
		"amount":4271.38,"paid":true,"none":null,
		"slots":{"verification_code":"481516","subject":"Invoice address needs our VAT"},
		"ada.lovelace@example.com":"keyed by an address","Zebulon Quixley":1,
		"events":[1,2,3,4,5,6,7,8,9,10,11]}`)
	values := []string{"Ada", "Lovelace", "4155550132", "481516", "Analytical", "Enterprise", "4271",
		"Invoice", "ada.lovelace", "Zebulon", "true"}
	var out bytes.Buffer
	log := slog.New(newLogHandler(&out, LogOptions{Level: slog.LevelDebug}))
	log.LogAttrs(context.Background(), slog.LevelDebug, "webhook request", slog.Any("body", newRedactor().Structure(body)))
	// The values are looked for in the line without its timestamp, whose nanoseconds
	// may spell any digits ("…857542712Z" holds 4271).
	line := out.String()
	if i, j := strings.Index(line, `"time":"`), strings.Index(line, `","level"`); i >= 0 && j > i {
		line = line[:i] + line[j+2:]
	}
	for _, v := range values {
		if strings.Contains(line, v) {
			t.Errorf("debug line holds %q: %s", v, line)
		}
	}
	var got struct {
		Body map[string]any `json:"body"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"sessionId": "string(25)", "amount": "number", "paid": "bool", "none": nil,
		"customer": map[string]any{"name": "string(12)", "company": "string(22)", "plan": "string(10)"},
		"slots":    map[string]any{"verification_code": "string(6)", "subject": "string(29)"},
		"events":   []any{"number", "number", "number", "number", "number", "number", "number", "number", "+3 more"},
	}
	for k, w := range want {
		if g, _ := json.Marshal(got.Body[k]); string(g) != mustJSON(t, w) {
			t.Errorf("body.%s = %s, want %s", k, g, mustJSON(t, w))
		}
	}
	withheld := 0
	for k := range got.Body {
		if strings.HasPrefix(k, "~") {
			withheld++
		}
	}
	if withheld != 2 {
		t.Errorf("%d field names withheld, want 2 (an address and a name): %s", withheld, line)
	}

	// The unsafe redactor (leak tests) shows the values: a leak detector can see them.
	v := NewUnsafeRedactor().Structure(body)
	b, _ := json.Marshal(v.Any())
	if !strings.Contains(string(b), "Ada Lovelace") || !strings.Contains(string(b), "481516") {
		t.Errorf("unsafe redactor hid the values: %s", b)
	}
	if s := newRedactor().Structure([]byte(`{"a": "Ada Lovelace"`)).String(); s != "20 bytes, not JSON" {
		t.Errorf("invalid JSON: %q", s)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A turn id can hold the session id (a Rasa sender's email, a Lex session id made of
// a name and phone number): when it stands in for the correlation id it is logged as
// its keyed hash, the same as the turn_id of the turn's audit event.
func TestCorrelationIDFromTurnIsHashed(t *testing.T) {
	cfg, err := config.Load("", []string{"SWITCHBOARD_DATA_DIR=" + t.TempDir(), "SWITCHBOARD_TELEMETRY_HASH_SALT=corr-salt"})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	tel, err := New(cfg.Service, Settings(cfg.Telemetry), Options{Logs: &out, EMF: io.Discard, Traces: io.Discard, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	turn := conversation.Turn{Platform: conversation.Rasa, Intent: conversation.LookupCustomer,
		SessionID: "AdaLovelace-14155550132", TurnID: "AdaLovelace-14155550132:msg-1"}
	ctx := tel.StartTurn(context.Background(), engine.TurnStart{Platform: conversation.Rasa, Turn: turn, Body: []byte(`{}`)})
	tel.EndTurn(ctx, engine.TurnEnd{Platform: conversation.Rasa, Turn: turn, Status: 200})
	var line map[string]any
	if err := json.Unmarshal(out.Bytes(), &line); err != nil {
		t.Fatalf("%v: %s", err, out.Bytes())
	}
	if line["correlation_id"] != HashID("corr-salt", turn.TurnID) || strings.Contains(out.String(), "AdaLovelace") {
		t.Errorf("correlation_id %v, want the keyed hash of the turn id: %s", line["correlation_id"], out.Bytes())
	}
}
