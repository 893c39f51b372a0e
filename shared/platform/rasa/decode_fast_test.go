//go:build go1.27

package rasa

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// fastSeeds are action calls for the differential test: the sample events, and the
// fuzz seeds and bodies each meant to stop the fast path.
func fastSeeds(t testing.TB) (common, odd [][]byte) {
	var files []string
	for _, glob := range []string{"../../../events/rasa/*.json", "../../../events/rasa/invalid/*.json"} {
		m, _ := filepath.Glob(glob)
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no sample events")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(f, "/malformed.json") {
			odd = append(odd, b) // not JSON: Unmarshal words the error
			continue
		}
		common = append(common, b)
	}
	seeds, _ := filepath.Glob("testdata/fuzz/FuzzDecode/*")
	for _, f := range seeds {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// go test fuzz v1 / []byte("...")
		if _, rest, ok := strings.Cut(string(b), "[]byte("); ok {
			var s string
			if err := json.Unmarshal([]byte(strings.TrimSuffix(strings.TrimSpace(rest), ")")), &s); err == nil {
				odd = append(odd, []byte(s))
			}
		}
	}
	return common, append(odd, oddBodies()...)
}

// oddBodies are short calls each meant to stop the fast path, or to pass it with
// something unusual.
func oddBodies() (odd [][]byte) {
	base := `{"next_action":"action_x","sender_id":"s","tracker":{"sender_id":"s",%s},"version":"3"}`
	for _, member := range []string{
		`"slots":{"a":"1"}`, `"slots":null`, `"Slots":{"a":"1"}`, `"SLOTS":{}`, `"slots":{"a":"1","a":"2"}`,
		`"slots":{"a":null,"b":[1,null],"c":{"d":null}}`, `"slots":{"a":1,"a":null}`, `"slots":{"\u0061":"1"}`,
		`"sender_id":"t"`, `"sender_\u0069d":"t"`, `"paused":"true"`, `"paused":null`, `"paused":true`,
		`"latest_event_time":null`, `"latest_event_time":"1717171719.65"`, `"latest_event_time":"x"`, `"latest_event_time":1e999`,
		`"latest_event_time":-0.5e3`, `"followup_action":null`, `"followup_action":"a"`, `"followup_action":1`,
		`"events":null`, `"events":[]`, `"events":[{"event":"x","event":"y"}]`, "\"events\":[\"bad \xff utf8\"]",
		`"events":[1,2`, `"events":{"a":[null,true,false,{}]}`, `"latest_input_channel":null`, `"latest_action_name":"\u2028"`,
		`"active_loop":{}`, `"active_loop":null`, `"active_loop":{"name":"f","validate":null,"rejected":false,"trigger_message":null}`,
		`"active_loop":{"name":"f","validate":true,"trigger_message":{"x":1}}`, `"active_loop":{"Name":"f"}`, `"active_loop":[]`,
		`"latest_action":{"action_name":"a","action_text":"b"}`, `"latest_action":null`, `"latest_action":{"action_name":null}`,
		`"latest_message":null`, `"latest_message":{}`, `"latest_message":{"intent":null,"entities":null,"intent_ranking":null,"metadata":null}`,
		`"latest_message":{"intent":{"name":"i","confidence":1},"entities":[],"intent_ranking":[],"metadata":{}}`,
		`"latest_message":{"intent":{"name":"i","confidence":"1"}}`, `"latest_message":{"intent_ranking":[null]}`,
		`"latest_message":{"entities":[{"entity":"email","value":null,"start":null,"end":3,"confidence_entity":null}]}`,
		`"latest_message":{"entities":[{"entity":"e","value":{"a":[1]},"start":1.5}]}`, `"latest_message":{"entities":[{"start":-0}]}`,
		`"latest_message":{"entities":[{"start":99999999999999999999}]}`, `"latest_message":{"entities":[null]}`,
		`"latest_message":{"entities":[{"entity":"e","role":"r","group":"g","extractor":"x","confidence_entity":0.5}]}`,
		`"latest_message":{"text":"caf\u00e9 \ud83d\ude00 \"q\"","message_id":"m","metadata":{"identity_token":"t"}}`,
		"\"latest_message\":{\"text\":\"bad \xff utf8\"}", `"latest_message":{"text":null}`, `"latest_message":{"ſext":"x"}`,
		`"unknown":{"deep":[1,2,{"x":null}]},"x":1`, `"skipped":1,"skipped":2`, `"events":  [ 1 , { "a" : 2 } ] `,
	} {
		odd = append(odd, []byte(strings.Replace(base, "%s", member, 1)))
	}
	odd = append(odd, []byte(`{"next_action":"a"} x`), []byte(`{"next_action":"a"}{}`), []byte(` {"next_action":"a"} `), []byte(`[]`),
		[]byte(`null`), []byte(`{"next_action":"a","next_action":"b"}`), []byte(`{"Next_Action":"a"}`), []byte(`{"tracker":null,"domain":null}`),
		[]byte(`{"next_action":"a","domain":{"slots":{}},"version":null}`), []byte(`{"next_action":"a","tracker":[]}`), []byte(`{"next_action":1}`))
	return odd
}

// TestFastDecodeAsUnmarshal: where the fast path reads a call, it yields exactly what
// json.Unmarshal yields; it reads none that json.Unmarshal refuses; and it reads every
// sample event (the fast path is the common path).
func TestFastDecodeAsUnmarshal(t *testing.T) {
	common, odd := fastSeeds(t)
	for i, b := range append(common, odd...) {
		checkFast(t, b, i < len(common))
	}
}

func checkFast(t *testing.T, b []byte, mustBeFast bool) {
	t.Helper()
	var want ActionCall
	werr := json.Unmarshal(b, &want)
	var got ActionCall
	fast := fastDecode(b, &got)
	switch {
	case fast && werr != nil:
		t.Fatalf("fast path read a body json.Unmarshal refuses (%v): %s", werr, b)
	case fast && !reflect.DeepEqual(got, want):
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Fatalf("fast path read %s\n as %s\nUnmarshal: %s", b, g, w)
	case !fast && mustBeFast:
		t.Fatalf("a sample call did not take the fast path (Unmarshal: %v): %.200s", werr, b)
	}
}

// FuzzFastDecode: seeds in testdata/fuzz/FuzzFastDecode (the sample events,
// compacted and trimmed) and the odd bodies.
func FuzzFastDecode(f *testing.F) {
	for _, b := range oddBodies() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkFast(t, b, false) })
}
