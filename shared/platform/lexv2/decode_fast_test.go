//go:build go1.27

package lexv2

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// fastSeeds are input events for the differential test: the sample events, and the
// fuzz seeds and bodies each meant to stop the fast path.
func fastSeeds(t testing.TB) (common, odd [][]byte) {
	var files []string
	for _, glob := range []string{"../../../events/lex/*.json", "../../../events/lex/invalid/*.json"} {
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

// oddBodies are short events each meant to stop the fast path, or to pass it with
// something unusual.
func oddBodies() (odd [][]byte) {
	base := `{"messageVersion":"1.0","invocationSource":"FulfillmentCodeHook","sessionId":"s",%s}`
	for _, member := range []string{
		`"sessionState":{"intent":{"name":"i","slots":{"a":null,"b":{"value":{"interpretedValue":"x","resolvedValues":[]}}}}}`,
		`"sessionState":{"intent":{"name":"i","slots":{"a":{"shape":"List","values":[{"value":{"originalValue":"o","resolvedValues":null}}]}}}}`,
		`"sessionState":{"intent":{"slots":{"a":{"subSlots":{"b":null,"c":{"shape":"Scalar"}}}}}}`, `"sessionState":{"intent":{"slots":{"a":1}}}`,
		`"sessionState":{"intent":{"slots":{"a":{},"a":null}}}`, `"sessionState":{"intent":{"slots":{"a":{"values":[null]}}}}`,
		`"sessionState":{"intent":{"Slots":{}}}`, `"sessionState":{"intent":null}`, `"sessionState":null`, `"sessionState":{"intent":{"name":null}}`,
		`"sessionState":{"intent":{"kendraResponse":null}}`, `"sessionState":{"intent":{"kendraResponse":{"a":[1]}}}`,
		`"sessionState":{"sessionAttributes":{"a":"1","a":"2","b":null}}`, `"sessionState":{"sessionAttributes":{"a":1}}`,
		`"sessionState":{"sessionAttributes":null}`, `"sessionState":{"sessionAttributes":{"\u0061":"\u00e9"}}`,
		`"sessionState":{"activeContexts":[{"name":"c","contextAttributes":{},"timeToLive":{"timeToLiveInSeconds":60,"turnsToLive":-0}}]}`,
		`"sessionState":{"activeContexts":[{"timeToLive":{"turnsToLive":1.5}}]}`, `"sessionState":{"activeContexts":[null]}`,
		`"sessionState":{"activeContexts":[{"timeToLive":null}]}`, `"sessionState":{"dialogAction":{"type":"ElicitSlot","subSlotToElicit":{"name":"a","subSlotToElicit":{"name":"b"}}}}`,
		`"sessionState":{"runtimeHints":{"slotHints":{"i":{"s":{"runtimeHintValues":[{"phrase":"p"}],"subSlotHints":{"t":{}}}}}}}`,
		`"sessionState":{"runtimeHints":{"slotHints":{"i":null}}}`, `"sessionState":{"runtimeHints":{"slotHints":{"i":{"s":null}}}}`,
		`"sessionState":{"runtimeHints":{"slotHints":null}}`, `"sessionState":{"originatingRequestId":"r","OriginatingRequestId":"q"}`,
		`"interpretations":[{"intent":{"name":"i"},"nluConfidence":0.5}]`, `"interpretations":[{"nluConfidence":{"score":0.5}}]`,
		`"interpretations":[{"nluConfidence":{"score":"0.5"}}]`, `"interpretations":[{"nluConfidence":"0.5"}]`, `"interpretations":[{"nluConfidence":{}}]`,
		`"interpretations":[{"nluConfidence":{"score":null}}]`, `"interpretations":[{"nluConfidence":{"Score":1}}]`, `"interpretations":[{"nluConfidence":{"score":1,"score":2}}]`,
		`"interpretations":[{"nluConfidence":{"x":1,"score":1}}]`, `"interpretations":[{"nluConfidence":null}]`, `"interpretations":[{"nluConfidence":1e999}]`,
		`"interpretations":[{"sentimentResponse":{"sentiment":"NEUTRAL","sentimentScore":{"mixed":0,"negative":1,"neutral":0.5,"positive":-0}}}]`,
		`"interpretations":[{"sentimentResponse":{"sentimentScore":null}}]`, `"interpretations":[null]`, `"interpretations":[]`, `"interpretations":{}`,
		`"proposedNextState":{"dialogAction":{"type":"ElicitSlot","slotToElicit":"e"},"intent":{"name":"i"},"prompt":{"attempt":"Retry1"}}`,
		`"proposedNextState":null`, `"proposedNextState":{"prompt":null,"intent":null,"dialogAction":null}`,
		`"requestAttributes":{"x-amz-lex:channels:platform":"Slack"}`, `"requestAttributes":null`, `"requestAttributes":{"a":true}`,
		`"transcriptions":[{"transcription":"t","transcriptionConfidence":0.9,"resolvedContext":{"intent":"i"},"resolvedSlots":{"a":{"shape":"Scalar"}}}]`,
		`"transcriptions":[{"transcriptionConfidence":{"score":1},"resolvedContext":null,"resolvedSlots":null}]`,
		`"bot":{"id":"b","name":"n","localeId":"en_US","version":"DRAFT","aliasId":"a","aliasName":"x"}`, `"bot":null`, `"bot":{"ID":"b"}`,
		`"inputTranscript":"caf\u00e9 \ud83d\ude00 \"q\""`, "\"inputTranscript\":\"bad \xff utf8\"", `"inputTranscript":null`, `"inputTranscript":5`,
		`"unknown":{"deep":[1,2,{"x":null}]},"x":1`, `"skipped":1,"skipped":2`, `"ſessionId":"t"`, `"session\u0049d":"t"`,
	} {
		odd = append(odd, []byte(strings.Replace(base, "%s", member, 1)))
	}
	odd = append(odd, []byte(`{"sessionId":"a"} x`), []byte(`{"sessionId":"a"}{}`), []byte(` {"sessionId":"a"} `), []byte(`[]`),
		[]byte(`null`), []byte(`{"sessionId":"a","sessionId":"b"}`), []byte(`{"SessionId":"a"}`), []byte(`{}`))
	return odd
}

// TestFastDecodeAsUnmarshal: where the fast path reads an event, it yields exactly
// what json.Unmarshal yields; it reads none that json.Unmarshal refuses; and it reads
// every sample event (the fast path is the common path).
func TestFastDecodeAsUnmarshal(t *testing.T) {
	common, odd := fastSeeds(t)
	for i, b := range append(common, odd...) {
		checkFast(t, b, i < len(common))
	}
}

func checkFast(t *testing.T, b []byte, mustBeFast bool) {
	t.Helper()
	var want Event
	werr := json.Unmarshal(b, &want)
	var got Event
	fast := fastDecode(b, &got)
	switch {
	case fast && werr != nil:
		t.Fatalf("fast path read a body json.Unmarshal refuses (%v): %s", werr, b)
	case fast && !reflect.DeepEqual(got, want):
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Fatalf("fast path read %s\n as %s\nUnmarshal: %s", b, g, w)
	case !fast && mustBeFast:
		t.Fatalf("a sample event did not take the fast path (Unmarshal: %v): %.300s", werr, b)
	}
}

// FuzzFastDecode: seeds in testdata/fuzz/FuzzFastDecode (the sample events,
// compacted) and the odd bodies.
func FuzzFastDecode(f *testing.F) {
	for _, b := range oddBodies() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkFast(t, b, false) })
}
