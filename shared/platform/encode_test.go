package platform

import (
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/conversation"
)

// TestEncodeJSONOwnBody: the body EncodeJSON returns is the caller's (a later encode,
// on this goroutine or another, never changes it), unescaped and without the newline.
func TestEncodeJSONOwnBody(t *testing.T) {
	first, err := EncodeJSON(map[string]string{"text": "<b>Ada</b> & co"})
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"text":"<b>Ada</b> & co"}`
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				b, err := EncodeJSON([]string{strings.Repeat("x", i*j)})
				if err != nil || len(b) != i*j+4 {
					t.Errorf("%d %d: %s %v", i, j, b, err)
				}
			}
		}()
	}
	wg.Wait()
	if string(first) != want {
		t.Fatalf("first body now %s, want %s", first, want)
	}
	if _, err := EncodeJSON(func() {}); err == nil {
		t.Fatal("a function encoded")
	}
}

// TestEncodeJSONReusesItsBuffer: encoding a reply of a few kilobytes allocates the body
// it returns (and the boxed value) and little else — the encoder and its buffer come from a pool rather than
// being grown again for every turn (allocations are counted, not time).
func TestEncodeJSONReusesItsBuffer(t *testing.T) {
	v := struct {
		Text     string   `json:"fulfillmentText"`
		Messages []string `json:"messages"`
	}{strings.Repeat("Your ticket is open. ", 60), []string{strings.Repeat("a", 900), strings.Repeat("b", 900)}}
	if raceEnabled {
		t.Skip("the race detector's sync.Pool drops items at random")
	}
	EncodeJSON(v) // warm the pool
	if n := testing.AllocsPerRun(100, func() { _, _ = EncodeJSON(v) }); n > 3 {
		t.Fatalf("%v allocations per encode, want at most 3", n)
	}
}

// TestOutcomePayloadShape: the payload is {"switchboard": {...}} under OutcomeKey, as
// the map it was built from wrote it, for every outcome.
func TestOutcomePayloadShape(t *testing.T) {
	f, _ := reflect.TypeFor[outcomePayload]().FieldByName("Switchboard")
	if f.Tag.Get("json") != OutcomeKey {
		t.Fatalf("outcomePayload's tag %q is not OutcomeKey %q", f.Tag.Get("json"), OutcomeKey)
	}
	for _, o := range []conversation.Outcome{conversation.OutcomeFulfilled, conversation.OutcomeFailed, conversation.OutcomeElicitSlot,
		conversation.OutcomeDelegate, conversation.OutcomeUnknownIntent, conversation.OutcomeRejected} {
		for _, fb := range []bool{false, true} {
			r := conversation.Reply{Outcome: o, Fallback: fb}
			want, _ := json.Marshal(map[string]WireOutcome{OutcomeKey: OutcomeOf(r)})
			if got := OutcomePayload(r); string(got) != string(want) {
				t.Errorf("%s %v: %s, want %s", o, fb, got, want)
			}
		}
	}
}
