//go:build go1.27

package dialogflow

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/platform"
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
		// Fields nothing reads: checked as Unmarshal checks them, not kept.
		`"fulfillmentText":5`, `"fulfillmentText":null,"action":null,"webhookSource":"w"`, `"action":{}`, `"webhookSource":[]`,
		`"cancelsSlotFilling":1`, `"allRequiredParamsPresent":null,"cancelsSlotFilling":false`, `"intentDetectionConfidence":"0.9"`,
		`"intentDetectionConfidence":null,"speechRecognitionConfidence":-1.5e-3`, `"intentDetectionConfidence":1e400`,
		`"fulfillmentMessages":null`, `"fulfillmentMessages":[null,{"text":null},{"text":{"text":null}},{"platform":null}]`,
		`"fulfillmentMessages":[{"text":{"text":[1]}}]`, `"fulfillmentMessages":[{"text":{"text":"a"}}]`, `"fulfillmentMessages":[{"text":"a"}]`,
		`"fulfillmentMessages":[{"platform":1}]`, `"fulfillmentMessages":[{"card":null,"image":1,"payload":[{}]}]`, `"fulfillmentMessages":[1]`,
		`"fulfillmentMessages":{}`, `"fulfillmentMessages":[{"TEXT":{"text":["a"]}}]`, `"fulfillmentMessages":[{"text":{"Text":["a"]}}]`,
		`"fulfillmentMessages":[{"text":{"text":["a"],"text":["b"]}}]`, `"fulfillmentMessages":[{"text":{"text":["a"]},"text":{}}]`,
		`"intent":null`, `"intent":{"displayName":"y","name":5}`, `"intent":{"displayName":"y","isFallback":"no"}`, `"intent":{"displayName":"y","endInteraction":null}`,
		`"intent":{"displayName":"y","NAME":"n"}`, `"sentimentAnalysisResult":null`, `"sentimentAnalysisResult":{"queryTextSentiment":null}`,
		`"sentimentAnalysisResult":{"queryTextSentiment":{"score":"1"}}`, `"sentimentAnalysisResult":{"queryTextSentiment":{"score":null,"magnitude":2}}`,
		`"sentimentAnalysisResult":[]`, `"diagnosticInfo":{"a":[1,"b",null]},"webhookPayload":null,"knowledgeAnswers":{"answers":[]}`,
		`"outputContexts":[{"name":"p/contexts/__system_counters__","lifespanCount":2,"parameters":{"no-input":0,"a":null}}]`,
		`"outputContexts":[{"parameters":{"x":"1"},"name":"p/contexts/__system_counters__"}]`,
		`"outputContexts":[{"name":"p/contexts/__x","parameters":null}]`, `"outputContexts":[{"name":"p/contexts/__x","parameters":[]}]`,
		`"outputContexts":[{"name":"p/contexts/__x","parameters":"a"}]`, `"outputContexts":[{"name":"p/contexts/c","lifespanCount":null}]`,
		`"outputContexts":[{"name":"p/contexts/c","lifespanCount":"1"}]`, `"outputContexts":[{"name":"p/contexts/c","lifespanCount":1e2}]`,
	} {
		odd = append(odd, []byte(strings.Replace(base, "%s", member, 1)))
	}
	odd = append(odd, []byte(`{"responseId":"r"} x`), []byte(`{"responseId":"r"}{}`), []byte(` {"responseId":"r"} `), []byte(`[]`),
		[]byte(`null`), []byte(`{"responseId":"r","responseId":"s"}`), []byte(`{"ResponseId":"r"}`), []byte(`{"originalDetectIntentRequest":{"payload":{"identity_token":"t"},"source":"s"}}`),
		[]byte(`{"originalDetectIntentRequest":null}`), []byte(`{"queryResult":null}`), []byte(`{"originalDetectIntentRequest":{"source":5}}`),
		[]byte(`{"originalDetectIntentRequest":{"version":null,"payload":null}}`), []byte(`{"originalDetectIntentRequest":{"payload":"t"}}`),
		[]byte(`{"originalDetectIntentRequest":{"payload": { "identity_token" : " t\u0020" , "x":1}}}`),
		[]byte(`{"originalDetectIntentRequest":{"payload":{"identity_token":5}}}`), []byte(`{"originalDetectIntentRequest":{"payload":{"identity_token":null}}}`),
		[]byte(`{"originalDetectIntentRequest":{"payload":{"identity_token":"a","identity_token":"b"}}}`),
		[]byte(`{"originalDetectIntentRequest":{"payload":{"Identity_Token":"a"}}}`), []byte(`{"originalDetectIntentRequest":{"payload":[{"identity_token":"a"}]}}`),
		[]byte(`{"originalDetectIntentRequest":{"payload":{"identity_token":"a"},"payload":{}}}`), []byte(`{"originalDetectIntentRequest":{"Source":"s"}}`))
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
	wantToken := ""
	if o := want.OriginalDetectIntentRequest; o != nil {
		wantToken = platform.IdentityToken(o.Payload)
	}
	kept(&want)
	var s wireStore
	token, fast := fastDecode(b, &s)
	got := s.w
	switch {
	case fast && werr != nil:
		t.Fatalf("fast path read a body json.Unmarshal refuses (%v): %s", werr, b)
	case fast && !reflect.DeepEqual(got, want):
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Fatalf("fast path read %s\n as %s\nUnmarshal: %s", b, g, w)
	case fast && token != wantToken:
		t.Fatalf("fast path read the identity token %q, IdentityToken %q: %s", token, wantToken, b)
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
