//go:build go1.27

package dialogflow

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// fastSeeds are request bodies for the differential test: the sample events, the
// real captures and the fuzz seeds, and bodies each meant to stop the fast path.
func fastSeeds(t testing.TB) (common, odd [][]byte) {
	var files []string
	for _, glob := range []string{"../../../events/dialogflow/*.json", "../../../events/dialogflow/invalid/*.json", "testdata/real/*.json"} {
		m, _ := filepath.Glob(glob)
		files = append(files, m...)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
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

// oddBodies are short bodies each meant to stop the fast path, or to pass it with
// something unusual.
func oddBodies() (odd [][]byte) {
	base := `{"responseId":"r","session":"projects/p/agent/sessions/s","queryResult":{"intent":{"displayName":"x"},%s}}`
	for _, member := range []string{
		`"parameters":{"a":"1"}`, `"parameters":null`, `"Parameters":{"a":"1"}`, `"PARAMETERS":{}`, `"parameters":{"a":"1","a":"2"}`,
		`"parameters":{"a":null}`, `"languageCode":"en","languageCode":"fr"`, `"languageCode":"\u0065n"`, `"language\u0043ode":"en"`,
		`"languageCode":5`, `"speechRecognitionConfidence":1e999`, `"speechRecognitionConfidence":"1"`, `"allRequiredParamsPresent":"true"`,
		`"outputContexts":[{"name":"n","lifespanCount":1.5}]`, `"outputContexts":[{"name":"n","lifespanCount":99999999999999999999}]`,
		`"outputContexts":[{"name":"n","lifespanCount":-0}]`, `"outputContexts":[null]`, `"outputContexts":[]`, `"outputContexts":{}`,
		`"fulfillmentMessages":[{"text":{"text":["a",null]}}]`, `"fulfillmentMessages":[{"text":{"text":[]}},{"text":null},{}]`,
		`"fulfillmentMessages":[{"card":{"title":"t"} , "platform":"FACEBOOK","Platform":"x"}]`, `"sentimentAnalysisResult":{"queryTextSentiment":{"score":0.5,"magnitude":1}}`,
		`"sentimentAnalysisResult":{"querytextsentiment":{}}`, `"queryText":"caf\u00e9 \ud83d\ude00 \"q\""`, "\"queryText\":\"bad \xff utf8\"",
		`"unknown":{"deep":[1,2,{"x":null}]},"x":1`, `"webhookPayload":  { "a" : [ 1 , 2 ] } `, `"ſpeechRecognitionConfidence":1`,
		`"intent":{"displayName":"y","isFallback":true,"endInteraction":false,"name":"n"}`, `"knowledgeAnswers":null`,
		`"outputContexts":[{"name":"a","name":"b"}]`, `"outputContexts":[{"name":"a","parameters":{"x":"1"},"parameters":{"y":"2"}}]`,
		`"skipped":1,"skipped":2`, `"parameters":{"a":{"b":1,"b":2}}`,
	} {
		odd = append(odd, []byte(strings.Replace(base, "%s", member, 1)))
	}
	odd = append(odd, []byte(`{"responseId":"r"} x`), []byte(`{"responseId":"r"}{}`), []byte(` {"responseId":"r"} `), []byte(`[]`),
		[]byte(`null`), []byte(`{"responseId":"r","responseId":"s"}`), []byte(`{"ResponseId":"r"}`), []byte(`{"originalDetectIntentRequest":{"payload":{"identity_token":"t"},"source":"s"}}`))
	return odd
}

// TestFastDecodeAsUnmarshal: where the fast path reads a body, it yields exactly what
// json.Unmarshal yields; it reads none that json.Unmarshal refuses; and it reads every
// sample event and real capture (the fast path is the common path).
func TestFastDecodeAsUnmarshal(t *testing.T) {
	common, odd := fastSeeds(t)
	for i, b := range append(common, odd...) {
		checkFast(t, b, i < len(common))
	}
}

func checkFast(t *testing.T, b []byte, mustBeFast bool) {
	t.Helper()
	var want WebhookRequest
	werr := json.Unmarshal(b, &want)
	var got WebhookRequest
	fast := fastDecode(b, &got)
	switch {
	case fast && werr != nil:
		t.Fatalf("fast path read a body json.Unmarshal refuses (%v): %s", werr, b)
	case fast && !reflect.DeepEqual(got, want):
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Fatalf("fast path read %s\n as %s\nUnmarshal: %s", b, g, w)
	case !fast && mustBeFast && werr == nil:
		t.Fatalf("a sample request did not take the fast path: %.200s", b)
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
