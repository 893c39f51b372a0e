package bedrockagent_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform/bedrockagent"
)

// botocoreModel is an extract of a botocore service model (testdata/botocore: the
// shapes reachable from its roots, documentation stripped; extract.py made it).
type botocoreModel struct {
	Source string                   `json:"source"`
	Shapes map[string]botocoreShape `json:"shapes"`
}

type botocoreShape struct {
	Type     string                 `json:"type"`
	Required []string               `json:"required"`
	Members  map[string]botocoreRef `json:"members"`
	Member   *botocoreRef           `json:"member"`
	Key      *botocoreRef           `json:"key"`
	Value    *botocoreRef           `json:"value"`
	Enum     []string               `json:"enum"`
	Min      *float64               `json:"min"`
	Max      *float64               `json:"max"`
	Pattern  string                 `json:"pattern"`
	Union    bool                   `json:"union"`
}

type botocoreRef struct {
	Shape string `json:"shape"`
}

func loadBotocore(t *testing.T, service string) botocoreModel {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "botocore", service+".shapes.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m botocoreModel
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// validate holds a JSON value to a botocore shape as the service would read it: the
// shape's type, the members a structure has (no others) and requires, one member of a
// union, enums, lengths and sizes (min, max), and patterns (anchored: the whole value).
// It returns every violation with its path.
func (m botocoreModel) validate(v any, shape, path string) []string {
	s, ok := m.Shapes[shape]
	if !ok {
		return []string{fmt.Sprintf("%s: shape %s not in the extract", path, shape)}
	}
	bad := func(format string, args ...any) []string {
		return []string{path + ": " + fmt.Sprintf(format, args...) + " (botocore " + shape + ")"}
	}
	size := func(n int) []string {
		if s.Min != nil && float64(n) < *s.Min || s.Max != nil && float64(n) > *s.Max {
			return bad("size %d outside [%v, %v]", n, deref(s.Min), deref(s.Max))
		}
		return nil
	}
	switch s.Type {
	case "structure":
		obj, ok := v.(map[string]any)
		if !ok {
			return bad("want an object, have %T", v)
		}
		var out []string
		for _, r := range s.Required {
			if _, ok := obj[r]; !ok {
				out = append(out, bad("required member %s missing", r)...)
			}
		}
		if s.Union && len(obj) != 1 {
			out = append(out, bad("a union holds exactly one member, have %d", len(obj))...)
		}
		for _, k := range sortedKeys(obj) {
			ref, ok := s.Members[k]
			if !ok {
				out = append(out, bad("member %s is not in the shape (members %v)", k, sortedKeys(s.Members))...)
				continue
			}
			out = append(out, m.validate(obj[k], ref.Shape, path+"."+k)...)
		}
		return out
	case "list":
		arr, ok := v.([]any)
		if !ok {
			return bad("want an array, have %T", v)
		}
		out := size(len(arr))
		for i, e := range arr {
			out = append(out, m.validate(e, s.Member.Shape, fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	case "map":
		obj, ok := v.(map[string]any)
		if !ok {
			return bad("want an object, have %T", v)
		}
		out := size(len(obj))
		for _, k := range sortedKeys(obj) {
			out = append(out, m.validate(k, s.Key.Shape, path+" key "+k)...)
			out = append(out, m.validate(obj[k], s.Value.Shape, path+"["+k+"]")...)
		}
		return out
	case "string":
		str, ok := v.(string)
		if !ok {
			return bad("want a string, have %T", v)
		}
		if len(s.Enum) > 0 && !slices.Contains(s.Enum, str) {
			return bad("%q is not one of %v", str, s.Enum)
		}
		if out := size(utf8.RuneCountInString(str)); out != nil {
			return out
		}
		if s.Pattern != "" && !regexp.MustCompile(`^(?:`+s.Pattern+`)$`).MatchString(str) {
			return bad("%q does not match %s", str, s.Pattern)
		}
		return nil
	case "integer", "long":
		n, ok := v.(float64)
		if !ok || n != math.Trunc(n) {
			return bad("want an integer, have %T %v", v, v)
		}
		if s.Min != nil && n < *s.Min || s.Max != nil && n > *s.Max {
			return bad("%v outside [%v, %v]", n, deref(s.Min), deref(s.Max))
		}
		return nil
	case "boolean":
		if _, ok := v.(bool); !ok {
			return bad("want a boolean, have %T", v)
		}
		return nil
	case "double", "float":
		if _, ok := v.(float64); !ok {
			return bad("want a number, have %T", v)
		}
		return nil
	}
	return bad("shape type %s is not one this test reads", s.Type)
}

func deref(f *float64) any {
	if f == nil {
		return "-"
	}
	return *f
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// pick copies the named members of obj that are present.
func pick(obj map[string]any, keys ...string) map[string]any {
	out := map[string]any{}
	for _, k := range keys {
		if v, ok := obj[k]; ok {
			out[k] = v
		}
	}
	return out
}

// Fields of the Lambda event and response that botocore does not model: the Lambda
// integration's envelope (AWS documents it in the Bedrock user guide only).
var (
	eventOnlyLambda    = []string{"messageVersion", "agent", "inputText", "sessionId", "sessionAttributes", "promptSessionAttributes"}
	responseOnlyLambda = []string{"messageVersion", "response", "sessionAttributes", "promptSessionAttributes", "knowledgeBasesConfiguration"}
)

// checkEvent holds a Lambda input event to botocore's shapes of the same invocation
// as InvokeAgent returns it for return of control: FunctionInvocationInput (function
// details) or ApiInvocationInput (API schema), agent.id as agentId; the attribute maps
// to SessionState's.
func checkEvent(rt botocoreModel, raw []byte) []string {
	var ev map[string]any
	if err := json.Unmarshal(raw, &ev); err != nil {
		return []string{err.Error()}
	}
	in := pick(ev, "actionGroup", "function", "parameters", "apiPath", "httpMethod", "requestBody")
	if agent, ok := ev["agent"].(map[string]any); ok {
		in["agentId"] = agent["id"]
	}
	var out []string
	for k := range ev {
		if _, modeled := in[k]; !modeled && !slices.Contains(eventOnlyLambda, k) {
			out = append(out, "event field "+k+" is neither botocore's nor the Lambda envelope's")
		}
	}
	shape := "FunctionInvocationInput"
	if _, api := ev["apiPath"]; api {
		shape = "ApiInvocationInput"
	}
	out = append(out, rt.validate(in, shape, "event")...)
	return append(out, rt.validate(pick(ev, "sessionAttributes", "promptSessionAttributes"), "SessionState", "event")...)
}

// checkReply holds a Lambda response to botocore's shapes of the same result as
// InvokeAgent takes it back (sessionState.returnControlInvocationResults): ApiResult
// for the API schema form (response as it is), FunctionResult for function details
// (response.functionResponse's responseState and responseBody are FunctionResult's
// own members); the attribute maps to SessionState's. form is "function" or "api".
func checkReply(rt botocoreModel, raw []byte) (form string, problems []string) {
	var resp map[string]any
	if err := json.Unmarshal(raw, &resp); err != nil {
		return "", []string{err.Error()}
	}
	for k := range resp {
		if !slices.Contains(responseOnlyLambda, k) {
			problems = append(problems, "response field "+k+" is not the Lambda response's")
		}
	}
	r, ok := resp["response"].(map[string]any)
	if !ok {
		return "", append(problems, "no response object")
	}
	result, shape, form := r, "ApiResult", "api"
	if fr, ok := r["functionResponse"].(map[string]any); ok {
		shape, form = "FunctionResult", "function"
		result = pick(r, "actionGroup", "function")
		for k, v := range fr {
			result[k] = v
		}
		for k := range r {
			if !slices.Contains([]string{"actionGroup", "function", "functionResponse"}, k) {
				problems = append(problems, "function response field "+k+" is not FunctionResult's")
			}
		}
	}
	problems = append(problems, rt.validate(result, shape, "response")...)
	// botocore types responseBody as a map of content type to ContentBody without
	// naming the keys; the user guide names TEXT for functions and the media type of
	// the API schema's response (application/json) for operations.
	if body, ok := result["responseBody"].(map[string]any); ok {
		want := map[string]string{"function": "TEXT", "api": bedrockagent.ContentJSON}[form]
		if keys := sortedKeys(body); !slices.Equal(keys, []string{want}) {
			problems = append(problems, fmt.Sprintf("responseBody keys %v, want [%s]", keys, want))
		}
	}
	return form, append(problems, rt.validate(pick(resp, "sessionAttributes", "promptSessionAttributes"), "SessionState", "reply")...)
}

// TestBotocoreShapes holds the action group's wire to botocore's model of the same
// invocation and result (bedrock-agent-runtime: what InvokeAgent hands an application
// for return of control and takes back; the Lambda integration carries the same
// fields, in an envelope botocore does not model): every sample event, every golden
// reply, the replies to each sample event for every outcome and the refusals, in both
// forms; and the function definitions users upload (docs/platforms/bedrock-agent/
// functions.json) to bedrock-agent's FunctionSchema.
func TestBotocoreShapes(t *testing.T) {
	t.Parallel()
	rt := loadBotocore(t, "bedrock-agent-runtime")
	t.Logf("checked against %s", rt.Source)

	events, err := filepath.Glob(filepath.Join("..", "..", "..", "events", "bedrock-agent", "*.json"))
	if err != nil || len(events) == 0 {
		t.Fatalf("no sample events: %v", err)
	}
	forms := map[string]int{}
	for _, f := range events {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bedrockagent.IsEvent(raw) {
			continue // malformed.json: the door refuses it (checked below)
		}
		for _, p := range checkEvent(rt, raw) {
			t.Errorf("%s: %s", filepath.Base(f), p)
		}
		c := decode(t, raw)
		replies := map[string][]byte{}
		for _, o := range []conversation.Outcome{conversation.OutcomeFulfilled, conversation.OutcomeFailed,
			conversation.OutcomeRejected, conversation.OutcomeUnknownIntent} {
			b, _ := json.Marshal(encode(t, c, conversation.Reply{Outcome: o, Messages: []string{"An answer."}}))
			replies[string(o)] = b
		}
		b, _ := json.Marshal(encode(t, c, conversation.Reply{Outcome: conversation.OutcomeElicitSlot, SlotToElicit: "email",
			Messages: []string{"What is the email address on the account?"}}))
		replies["elicit"] = b
		for _, status := range []int{400, 401, 413, 503} {
			replies[fmt.Sprintf("refused %d", status)] = bedrockagent.Refused(raw, status, []byte(`{"error":"refused"}`))
		}
		for name, b := range replies {
			form, problems := checkReply(rt, b)
			forms[form]++
			for _, p := range problems {
				t.Errorf("%s, %s reply: %s\n%s", filepath.Base(f), name, p, b)
			}
		}
	}
	golden, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.json"))
	for _, f := range golden {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		form, problems := checkReply(rt, raw)
		forms[form]++
		for _, p := range problems {
			t.Errorf("%s: %s", filepath.Base(f), p)
		}
	}
	if forms["function"] == 0 || forms["api"] == 0 || len(golden) == 0 {
		t.Errorf("replies checked by form %v, %d golden: want both forms", forms, len(golden))
	}
	// REPROMPT asks the user again (a missing or invalid parameter), FAILURE ends the
	// action (botocore's ResponseState enum holds no other value).
	c := decode(t, readEvent(t, "lookup_customer.json"))
	elicit := encode(t, c, conversation.Reply{Outcome: conversation.OutcomeElicitSlot, SlotToElicit: "email", Messages: []string{"Email?"}})
	if elicit.Response.FunctionResponse == nil || elicit.Response.FunctionResponse.ResponseState != "REPROMPT" {
		t.Errorf("an elicitation's responseState: %+v", elicit.Response.FunctionResponse)
	}

	ag := loadBotocore(t, "bedrock-agent")
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "docs", "platforms", "bedrock-agent", bedrockagent.FunctionsFile))
	if err != nil {
		t.Fatal(err)
	}
	var defs any
	if err := json.Unmarshal(raw, &defs); err != nil {
		t.Fatal(err)
	}
	for _, p := range ag.validate(defs, "FunctionSchema", "functionSchema") {
		t.Errorf("%s: %s", bedrockagent.FunctionsFile, p)
	}
}

// TestBotocoreValidatorRejects: the check above finds what botocore's shapes forbid
// (it is not a check that cannot fail).
func TestBotocoreValidatorRejects(t *testing.T) {
	t.Parallel()
	rt := loadBotocore(t, "bedrock-agent-runtime")
	good := `{"messageVersion":"1.0","response":{"actionGroup":"g","function":"f","functionResponse":{"responseState":"REPROMPT","responseBody":{"TEXT":{"body":"x"}}}},"sessionAttributes":{},"promptSessionAttributes":{}}`
	if _, p := checkReply(rt, []byte(good)); len(p) != 0 {
		t.Fatalf("a valid reply: %v", p)
	}
	for name, bad := range map[string]string{
		"responseState RETRY":   strings.Replace(good, "REPROMPT", "RETRY", 1),
		"no actionGroup":        strings.Replace(good, `"actionGroup":"g",`, "", 1),
		"unknown member":        strings.Replace(good, `"responseState"`, `"state":1,"responseState"`, 1),
		"body not a string":     strings.Replace(good, `{"body":"x"}`, `{"body":{"x":1}}`, 1),
		"attribute not string":  strings.Replace(good, `"sessionAttributes":{}`, `"sessionAttributes":{"n":1}`, 1),
		"status code as string": `{"messageVersion":"1.0","response":{"actionGroup":"g","apiPath":"/x","httpMethod":"POST","httpStatusCode":"400","responseBody":{"application/json":{"body":"{}"}}}}`,
		"function body as JSON": strings.Replace(good, `"TEXT"`, `"application/json"`, 1),
	} {
		if _, p := checkReply(rt, []byte(bad)); len(p) == 0 {
			t.Errorf("%s: accepted", name)
		}
	}
	ag := loadBotocore(t, "bedrock-agent")
	long := strings.Repeat("x", 1201)
	for name, bad := range map[string]string{
		"parameter type object": `{"functions":[{"name":"f","parameters":{"p":{"type":"object"}}}]}`,
		"description too long":  `{"functions":[{"name":"f","description":"` + long + `"}]}`,
		"name with a space":     `{"functions":[{"name":"look up"}]}`,
	} {
		var v any
		json.Unmarshal([]byte(bad), &v)
		if len(ag.validate(v, "FunctionSchema", "functionSchema")) == 0 {
			t.Errorf("%s: accepted", name)
		}
	}
}
