package toolapi

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
)

// On an agent surface (the tool API, MCP, Bedrock agents) the answer quotes no text a
// business tool gave: where a chat platform's answer says "#1010 "Export times out"",
// the result's answer says "#[tickets[0].number] "[tickets[0].subject]"", and the
// values are only in those fields (shared/intents: Answer.Tool). A reference is a path
// into the result, in square brackets: a record (customer, payment) or an element of
// a list of records (tickets[0], articles[1]), then the field ("customer.name",
// "articles[1].title", "payment.status"; "customer.address" is an object).

// referenceRE matches a reference.
var referenceRE = regexp.MustCompile(`\[((?:customer|payment|(?:tickets|articles)\[[0-9]+\])\.[a-z_]+)\]`)

// References lists the paths an answer refers to, in order ("tickets[0].subject").
func References(answer string) []string {
	var out []string
	for _, m := range referenceRE.FindAllStringSubmatch(answer, -1) {
		out = append(out, m[1])
	}
	return out
}

// Field is the value at path in a result document (its JSON): a string, a number, a
// boolean or an object (an address); ok is false when the document has no such field.
func Field(doc []byte, path string) (v any, ok bool) {
	var cur any
	if json.Unmarshal(doc, &cur) != nil {
		return nil, false
	}
	for _, step := range strings.Split(path, ".") {
		name, index, indexed := strings.Cut(step, "[")
		obj, isObj := cur.(map[string]any)
		if !isObj {
			return nil, false
		}
		if cur, ok = obj[name]; !ok {
			return nil, false
		}
		if !indexed {
			continue
		}
		i, err := strconv.Atoi(strings.TrimSuffix(index, "]"))
		arr, isArr := cur.([]any)
		if err != nil || !isArr || i < 0 || i >= len(arr) {
			return nil, false
		}
		cur = arr[i]
	}
	return cur, cur != nil
}

// Fill is a result's answer with every reference replaced by its field's value (an
// address on one line): the answer as a person reads it, for a custom chatbot that
// shows it to its user. A reference to no field is left as it is.
func Fill(r Result) string {
	doc, err := json.Marshal(r)
	if err != nil {
		return r.Answer
	}
	return referenceRE.ReplaceAllStringFunc(r.Answer, func(ref string) string {
		v, ok := Field(doc, ref[1:len(ref)-1])
		if !ok {
			return ref
		}
		switch v := v.(type) {
		case string:
			return v
		case map[string]any:
			str := func(k string) string { s, _ := v[k].(string); return s }
			var parts []string
			for _, p := range []string{str("street"), strings.TrimSpace(str("postal_code") + " " + str("city")), str("region"), str("country")} {
				if p != "" {
					parts = append(parts, p)
				}
			}
			return strings.Join(parts, ", ")
		}
		b, _ := json.Marshal(v)
		return string(b)
	})
}

// Unresolved lists the references of a result document's answer that name no field
// of the document (or an empty one): none, for every result Switchboard answers.
func Unresolved(doc []byte) []string {
	var r struct {
		Answer string `json:"answer"`
	}
	if json.Unmarshal(doc, &r) != nil {
		return []string{"(not a result)"}
	}
	var out []string
	for _, ref := range References(r.Answer) {
		if v, ok := Field(doc, ref); !ok || v == "" {
			out = append(out, ref)
		}
	}
	return out
}
