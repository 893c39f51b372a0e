package rasa

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/platform/paramvalue"
)

// paramvalue.Dialogflow is the dialogflow and dialogflowcx reduction; this one differs
// on purpose: Rasa slots are typed (text, bool, float, categorical, list, any), so a
// struct is not a slot value Switchboard can use, and numbers never use an exponent.

// scalar reduces a JSON slot or entity value to the string a Turn slot holds: a string
// trimmed; a number as written when it is an integer literal, else in plain decimal
// form without an exponent (42.0 → "42", 1e21 → "1000000000000000000000"); a boolean
// as true/false; a list (Rasa's list slot) as its first element that is a usable
// scalar. null, empty strings, objects and malformed values give "".
func scalar(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	if raw[0] == '[' {
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return ""
		}
		for _, it := range items {
			if len(it) > 0 && it[0] != '[' {
				if s := scalar(it); s != "" {
					return s
				}
			}
		}
		return ""
	}
	switch c := raw[0]; {
	case c == '"':
		return paramvalue.String(raw)
	case c == '-' || (c >= '0' && c <= '9'):
		return numberValue(string(raw))
	case c == 't':
		return "true"
	case c == 'f':
		return "false"
	}
	return ""
}

// numberValue keeps integer literals as written (order numbers can exceed float64's
// exact range) and writes other numbers in plain decimal form: Rasa's float slots
// arrive as 42.0, and Python writes large or small floats with an exponent (1e+16).
func numberValue(lit string) string {
	if digits := strings.TrimPrefix(lit, "-"); digits != "" && strings.Trim(digits, "0123456789") == "" {
		return lit
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil {
		return ""
	}
	if f == 0 {
		return "0" // also -0.0
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
