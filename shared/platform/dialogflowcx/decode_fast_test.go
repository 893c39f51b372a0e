//go:build go1.27

package dialogflowcx

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// fastSeeds are request bodies for the differential test: the sample events, and the
// fuzz seeds and bodies each meant to stop the fast path.
func fastSeeds(t testing.TB) (common, odd [][]byte) {
	var files []string
	for _, glob := range []string{"../../../events/dialogflow-cx/*.json", "../../../events/dialogflow-cx/invalid/*.json"} {
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

// oddBodies are short requests each meant to stop the fast path, or to pass it with
// something unusual: above all the snake_case spellings, alone, beside the camelCase
// ones (which win unless empty), null or empty.
func oddBodies() (odd [][]byte) {
	base := `{"detectIntentResponseId":"r",%s}`
	for _, member := range []string{
		`"sessionInfo":{"session":"projects/p/locations/l/agents/a/sessions/s","parameters":{"email":"a@b.c","n":null,"x":{"y":[1,2]}}}`,
		`"sessionInfo":{"parameters":{"a":"1","a":"2"}}`, `"sessionInfo":{"parameters":null}`, `"sessionInfo":{"parameters":{}}`,
		`"sessionInfo":null`, `"sessionInfo":{"Session":"s"}`, `"sessionInfo":{"session":"s"},"session_info":{"session":"t"}`,
		`"session_info":{"session":"t","parameters":{"a":"1"}}`, `"sessionInfo":null,"session_info":{"session":"t"}`,
		`"sessionInfo":{"parameters":{"\u0061":"\u00e9"}}`, `"sessionInfo":{"parameters":[]}`, `"sessionInfo":"s"`,
		`"text":"t","transcript":"u","triggerIntent":"i","trigger_intent":"j","triggerEvent":"e","trigger_event":"f","dtmfDigits":"1","dtmf_digits":"2"`,
		`"trigger_intent":"j","trigger_event":"f","dtmf_digits":"2","language_code":"fr"`, `"languageCode":"en","language_code":"fr"`,
		`"languageCode":null,"language_code":"fr"`, `"Text":"t"`, `"TEXT":"t"`, `"text":null`, `"text":"caf\u00e9 \ud83d\ude00 \"q\""`,
		"\"text\":\"bad \xff utf8\"", `"languag\u0065Code":"en"`, `"ſext":"t"`, `"text":"a","text":"b"`,
		`"fulfillment_info":{"tag":"x"}`, `"fulfillmentInfo":null`, `"fulfillmentInfo":{"Tag":"x"}`, `"fulfillmentInfo":{"tag":1}`,
		`"intentInfo":{"lastMatchedIntent":"l","displayName":"d","parameters":{"email":{"originalValue":"o","resolvedValue":"r"}},"confidence":0.5}`,
		`"intentInfo":{"last_matched_intent":"l","display_name":"d","parameters":{"email":{"original_value":"o","resolved_value":{"a":1}}}}`,
		`"intentInfo":{"displayName":"","display_name":"d","lastMatchedIntent":"l","last_matched_intent":"m"}`,
		`"intentInfo":{"parameters":{"e":{"originalValue":"","original_value":"o","resolvedValue":null,"resolved_value":"r"}}}`,
		`"intentInfo":{"parameters":{"e":{"resolved_value":"r"}}}`, `"intentInfo":{"parameters":{"e":{"resolvedValue":"","resolved_value":"r"}}}`,
		`"intentInfo":{"parameters":{"e":null}}`, `"intentInfo":{"parameters":{"e":{},"e":{"originalValue":"o"}}}`,
		`"intentInfo":{"parameters":{"e":{"originalValue":"o","originalValue":"p"}}}`, `"intentInfo":{"parameters":null}`,
		`"intentInfo":{"parameters":{}}`, `"intentInfo":{"parameters":{"e":"x"}}`, `"intentInfo":{"parameters":{"e":{"OriginalValue":"o"}}}`,
		`"intentInfo":{"confidence":null}`, `"intentInfo":{"confidence":"0.5"}`, `"intentInfo":{"confidence":1e999}`, `"intentInfo":{"confidence":-0}`,
		`"intentInfo":{"displayName":"a"},"intent_info":{"displayName":"b"}`, `"intentInfo":null,"intent_info":{"displayName":"b"}`,
		`"intentInfo":{},"intent_info":{"displayName":"b"}`, `"intentInfo":[]`, `"intentInfo":{"display_Name":"x"}`,
		`"pageInfo":{"currentPage":"c","displayName":"d","formInfo":{"parameterInfo":[{"displayName":"email","required":true,"state":"FILLED","value":"a@b.c","justCollected":true}]}}`,
		`"page_info":{"current_page":"c","display_name":"d","form_info":{"parameter_info":[{"display_name":"email","state":"EMPTY","just_collected":true,"value":null}]}}`,
		`"pageInfo":{"formInfo":{"parameterInfo":[],"parameter_info":[{"displayName":"x"}]}}`,
		`"pageInfo":{"formInfo":{"parameterInfo":null,"parameter_info":[{"displayName":"x"}]}}`,
		`"pageInfo":{"formInfo":{"parameter_info":[]}}`, `"pageInfo":{"formInfo":{}}`, `"pageInfo":{"formInfo":null,"form_info":{}}`,
		`"pageInfo":{"formInfo":{"parameterInfo":[null]}}`, `"pageInfo":{"formInfo":{"parameterInfo":[{"required":null,"justCollected":false,"just_collected":true}]}}`,
		`"pageInfo":{"formInfo":{"parameterInfo":[{"required":"true"}]}}`, `"pageInfo":{"formInfo":{"parameterInfo":[{"displayName":"a","display_name":"b"}]}}`,
		`"pageInfo":{"formInfo":{"parameterInfo":{}}}`, `"pageInfo":{"currentPage":"a","current_page":"b","displayName":"","display_name":"n"}`,
		`"pageInfo":{"formInfo":{"ParameterInfo":[]}}`, `"pageInfo":{"formInfo":{"parameterInfo":[{"value":{"a":[1, 2 ,3]}}]}}`,
		`"messages":[{"text":{"text":["a","b"],"allowPlaybackInterruption":true}},{"payload":{"richContent":[[{"type":"info"}]]}},{}]`,
		`"messages":[{"text":{"text":null}},{"text":null},{"text":{"text":[]}},{"channel":"c","endInteraction":{}}]`,
		`"messages":[{"text":{"text":["a",null]}}]`, `"messages":[null]`, `"messages":null`, `"messages":[]`, `"messages":{}`,
		`"messages":[{"payload":null,"conversationSuccess":{"metadata":{}},"outputAudioText":{"text":"t"},"liveAgentHandoff":{},"playAudio":{"audioUri":"u"},"mixedAudio":{},"telephonyTransferCall":{"phoneNumber":"1"},"knowledgeInfoCard":{}}]`,
		`"messages":[{"Payload":{}}]`, `"messages":[{"text":{"Text":["a"]}}]`,
		`"payload":{"identity_token":"t"}`, `"payload":null`, `"payload":  { "a" : [ 1 , 2 ] } `, `"payload":"s"`, `"payload":{"a":1,"a":2}`,
		`"sentimentAnalysisResult":{"score":0.5,"magnitude":1}`, `"sentiment_analysis_result":{"score":-0.5}`, `"sentimentAnalysisResult":{"score":null}`,
		`"sentimentAnalysisResult":{"Score":1}`, `"sentimentAnalysisResult":{"score":1,"score":2}`,
		`"languageInfo":{"inputLanguageCode":"en","resolvedLanguageCode":"en-US","confidenceScore":0.9}`,
		`"language_info":{"input_language_code":"en","resolved_language_code":"en-US","confidence_score":0.9}`,
		`"languageInfo":{"confidenceScore":0,"confidence_score":0.7,"inputLanguageCode":"","input_language_code":"fr"}`,
		`"languageInfo":{"confidenceScore":0.1,"confidence_score":0.7}`, `"languageInfo":null,"language_info":{"confidence_score":0.7}`,
		`"unknown":{"deep":[1,2,{"x":null}]},"x":1`, `"skipped":1,"skipped":2`, `"fulfillmentInfo":{"tag":"x"}`,
	} {
		odd = append(odd, []byte(strings.Replace(base, "%s", member, 1)))
	}
	for _, member := range []string{
		`"detect_intent_response_id":"s"`, `"detectIntentResponseId":"","detect_intent_response_id":"s"`,
		`"detectIntentResponseId":"r","detect_intent_response_id":"s"`, `"detect_intent_response_id":"s","detectIntentResponseId":null`,
		`"DetectIntentResponseId":"s"`, `"detectintentresponseid":"s"`, `"DETECT_INTENT_RESPONSE_ID":"s"`, `"detect_intent_response_ID":"s"`,
		`"detectIntentResponseId":null`, `"detectIntentResponseId":5`, `"detectIntentResponseId":["x"]`,
	} {
		odd = append(odd, []byte("{"+member+"}"))
	}
	odd = append(odd, []byte(`{"detectIntentResponseId":"r"} x`), []byte(`{"detectIntentResponseId":"r"}{}`),
		[]byte(` {"detectIntentResponseId":"r"} `), []byte(`[]`), []byte(`null`), []byte(`{}`), []byte(`"x"`),
		[]byte(`{"detectIntentResponseId":"r","detectIntentResponseId":"s"}`), []byte(`{"detectIntentResponseId":"r"`))
	return odd
}

// TestFastDecodeAsUnmarshal: where the fast path reads a request, it yields exactly
// what json.Unmarshal (through WebhookRequest.UnmarshalJSON) yields; it reads none that
// json.Unmarshal refuses; and it reads every sample event (the fast path is the common
// path).
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
	case !fast && mustBeFast:
		t.Fatalf("a sample request did not take the fast path (Unmarshal: %v): %.300s", werr, b)
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
