// Package paramvalue reduces the JSON values platforms send as parameters or slots to
// the plain strings a conversation.Turn holds. Dialogflow ES and CX share one
// reduction; Rasa keeps its own (its slots are typed) and shares String.
package paramvalue

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxValueDepth bounds how far Dialogflow descends into lists and structs.
const maxValueDepth = 4

// preferredKeys are the struct keys tried first, in order, when a parameter value is a
// struct: the system entities' amount (unit-currency, duration), name (person), and
// date-time shapes, then generic value/original.
var preferredKeys = []string{"amount", "name", "date_time", "startDateTime", "startDate", "startTime", "value", "original"}

// Dialogflow reduces a Dialogflow (ES or CX) parameter value to the string a slot
// holds: a string trimmed, a number as an integer when it is one (else its shortest
// decimal form), a boolean as true/false, the first usable element of a list, and for a
// struct the first usable preferred key, then the first usable key in sorted order.
// null, empty and malformed values give "".
func Dialogflow(raw json.RawMessage) string { return scalarDepth(raw, 0) }

func scalarDepth(raw json.RawMessage, depth int) string {
	if len(raw) == 0 || depth > maxValueDepth {
		return ""
	}
	switch c := raw[0]; {
	case c == '"':
		return String(raw)
	case c == '-' || (c >= '0' && c <= '9'):
		return numberValue(string(raw))
	case c == 't':
		return "true"
	case c == 'f':
		return "false"
	case c == '[':
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return ""
		}
		for _, it := range items {
			if s := scalarDepth(it, depth+1); s != "" {
				return s
			}
		}
	case c == '{':
		var fields map[string]json.RawMessage
		if json.Unmarshal(raw, &fields) != nil {
			return ""
		}
		for _, k := range preferredKeys {
			if s := scalarDepth(fields[k], depth+1); s != "" {
				return s
			}
		}
		keys := make([]string, 0, len(fields))
		for k := range fields {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if s := scalarDepth(fields[k], depth+1); s != "" {
				return s
			}
		}
	}
	return ""
}

// String decodes a JSON string literal and trims its white space, skipping the decoder
// for the common case of a literal without escapes. A malformed literal gives "".
func String(raw json.RawMessage) string {
	if n := len(raw); n >= 2 && raw[n-1] == '"' && !strings.ContainsRune(string(raw[1:n-1]), '\\') && utf8.Valid(raw[1:n-1]) {
		return strings.TrimSpace(string(raw[1 : n-1]))
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return strings.TrimSpace(s)
}

// numberValue keeps integer literals as written (order numbers can exceed float64's
// exact range) and normalizes the rest: Dialogflow sends 42 as 42.0.
func numberValue(lit string) string {
	if digits := strings.TrimPrefix(lit, "-"); digits != "" && strings.Trim(digits, "0123456789") == "" {
		return lit
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil {
		return ""
	}
	if f == float64(int64(f)) && f > -1e15 && f < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
