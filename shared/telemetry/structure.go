package telemetry

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strconv"
)

// Structure limits: a body's shape is for seeing which fields came and how big they
// were, not for replaying it.
const (
	structMaxDepth = 24
	structMaxItems = 8 // array elements shown; the rest are counted
	structMaxKey   = 64
)

// Structure returns what a log line may say about a JSON body (a webhook request or
// reply): its shape — field names, the type of every value, the length in bytes of
// every string, the length of every array — and never a value. Names, companies,
// plans, amounts, ticket subjects, e-mails and the one-time codes users type are all
// values, so none of them can reach a log through a body, whatever the redactor's
// patterns know. Values are not hashed either: with the default (public) hash salt, a
// hash of a 6-digit code or of an amount is reversed by trying every candidate.
//
// A field name is kept when it looks like an identifier (letters, digits, _ . - $, at
// most 64 bytes, fewer than 7 digits, nothing the redactor would change); any other
// name — a platform map keyed by caller text — is shown as "~<n>" (its position).
//
// A Redactor made by NewUnsafeRedactor returns the decoded body itself: the leak test
// proves with it that bodies carry the seeded values.
func (r *Redactor) Structure(body []byte) slog.Value {
	var tree any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&tree); err != nil || dec.More() {
		if r.off {
			return slog.StringValue(string(body))
		}
		return slog.StringValue(strconv.Itoa(len(body)) + " bytes, not JSON")
	}
	if r.off {
		return slog.AnyValue(tree)
	}
	return slog.AnyValue(r.shape(tree, 0))
}

// StructureOf is Structure of v's JSON encoding.
func (r *Redactor) StructureOf(v any) slog.Value {
	b, err := json.Marshal(v)
	if err != nil {
		return slog.StringValue("[unloggable value]")
	}
	return r.Structure(b)
}

func (r *Redactor) shape(x any, depth int) any {
	switch t := x.(type) {
	case nil:
		return nil
	case bool:
		return "bool"
	case json.Number:
		return "number"
	case string:
		return "string(" + strconv.Itoa(len(t)) + ")"
	case []any:
		if depth >= structMaxDepth {
			return "array(" + strconv.Itoa(len(t)) + ")"
		}
		n := min(len(t), structMaxItems)
		out := make([]any, 0, n+1)
		for _, e := range t[:n] {
			out = append(out, r.shape(e, depth+1))
		}
		if len(t) > n {
			out = append(out, "+"+strconv.Itoa(len(t)-n)+" more")
		}
		return out
	case map[string]any:
		if depth >= structMaxDepth {
			return "object(" + strconv.Itoa(len(t)) + ")"
		}
		out := make(map[string]any, len(t))
		i := 0
		for k, v := range t {
			i++
			if !r.safeKey(k) {
				// Map iteration order is random: the position says only that
				// the name was withheld, and keeps members apart.
				k = "~" + strconv.Itoa(i)
			}
			out[k] = r.shape(v, depth+1)
		}
		return out
	}
	return "value"
}

// safeKey reports whether a field name may be logged as it is.
func (r *Redactor) safeKey(k string) bool {
	if k == "" || len(k) > structMaxKey {
		return false
	}
	digits := 0
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case isDigit(c):
			digits++
		case isAlnum(c), c == '_', c == '.', c == '-', c == '$':
		default:
			return false
		}
	}
	return digits < 7 && r.String(k) == k
}
