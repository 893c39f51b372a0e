package console

import (
	"cmp"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
)

// The console stands in for the platform's language understanding, which Switchboard
// never sees: a platform sends the webhook an intent and slots, not a sentence to
// interpret. This is deliberately small — keywords and patterns, no model — and the
// page and the chat command let the user name the intent outright. Each intent's
// keywords are in its registration (shared/intents/<name>, spec.Console).

var (
	emailRE   = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
	paymentRE = regexp.MustCompile(`\b((?:pi|ch|py|in)_[A-Za-z0-9_]+)\b`)
	codeRE    = regexp.MustCompile(`\b(\d{6})\b`)
)

// ranked lists the intents by the rank of their console keywords
// (spec.Console.Rank; registration order between equal ranks).
func ranked() []spec.Intent {
	all := spec.All()
	slices.SortStableFunc(all, func(a, b spec.Intent) int { return cmp.Compare(a.Console.Rank, b.Console.Rank) })
	return all
}

// DetectIntent picks an intent for a message, or "" when none fits: the one intent
// with a slot whose value the message names (a payment reference), else the first
// whose keywords it contains (each intent's spec.Console).
func DetectIntent(text string) conversation.Intent {
	for _, slot := range slices.Sorted(maps.Keys(entities(text))) {
		var only []spec.Intent
		for _, in := range spec.All() {
			if slices.ContainsFunc(in.Slots, func(s spec.Slot) bool { return s.Name == slot }) {
				only = append(only, in)
			}
		}
		if len(only) == 1 {
			return conversation.Intent(only[0].Name)
		}
	}
	low := strings.ToLower(text)
	for _, in := range ranked() {
		for _, w := range in.Console.Keywords {
			if strings.Contains(low, w) {
				return conversation.Intent(in.Name)
			}
		}
	}
	return ""
}

// fallback is the intent a message nothing else matches is (spec.Console.Fallback).
func fallback() conversation.Intent {
	for _, in := range spec.All() {
		if in.Console.Fallback {
			return conversation.Intent(in.Name)
		}
	}
	return ""
}

// entities returns the slots a message names outright: an email, a payment
// reference, a six-digit code.
func entities(text string) map[string]string {
	out := map[string]string{}
	if m := emailRE.FindString(text); m != "" {
		out["email"] = m
	}
	if m := paymentRE.FindStringSubmatch(text); m != nil {
		out["payment_reference"] = m[1]
	}
	if m := codeRE.FindStringSubmatch(text); m != nil {
		out["verification_code"] = m[1]
	}
	return out
}

// patterned are the slots whose values have a shape the console recognises.
var patterned = map[string]bool{"email": true, "verification_code": true, "payment_reference": true}

// fill is the value a message gives the slot the platform asked for.
func fill(slot, text string) string {
	text = strings.TrimSpace(text)
	switch slot {
	case "email":
		if m := emailRE.FindString(text); m != "" {
			return m
		}
	case "verification_code":
		if m := codeRE.FindStringSubmatch(text); m != nil {
			return m[1]
		}
	case "payment_reference":
		if m := paymentRE.FindStringSubmatch(text); m != nil {
			return m[1]
		}
	case "priority":
		return strings.ToLower(text)
	}
	return text
}

// understand is what the platform's NLU would make of a message: the intent (the
// one named, else the one in progress when a slot was asked for, else a detected one)
// and the slots it fills.
func understand(c *Conversation, text string, named conversation.Intent) (conversation.Intent, map[string]string) {
	slots := entities(text)
	intent := named
	if intent == "" && c.Elicit != "" && c.Intent != "" {
		// The answer to the question asked — unless it is no answer to it (no email
		// where an email was asked for) and asks for something else: the platform then
		// switches intent, as it would.
		if other := DetectIntent(text); other != "" && other != conversation.Intent(c.Intent) && patterned[c.Elicit] && slots[c.Elicit] == "" {
			intent = other
		} else {
			intent = conversation.Intent(c.Intent)
			slots[c.Elicit] = fill(c.Elicit, text)
		}
	}
	if intent == "" {
		intent = DetectIntent(text)
	}
	if intent == "" && c.Intent != "" {
		intent = conversation.Intent(c.Intent)
	}
	if intent == "" {
		intent = fallback()
	}
	fresh := c.Elicit == "" || intent != conversation.Intent(c.Intent)
	if in, ok := spec.Lookup(string(intent)); ok && fresh {
		if w := in.Console.Whole; w != "" && slots[w] == "" {
			slots[w] = strings.TrimSpace(text)
		}
		// "ticket: the printer is on fire" names the subject.
		if w := in.Console.AfterColon; w != "" && slots[w] == "" {
			if _, after, ok := strings.Cut(text, ":"); ok && strings.TrimSpace(after) != "" {
				slots[w] = strings.TrimSpace(after)
			}
		}
	}
	if c.Elicit != "verification_code" {
		// Six digits are a code only when the platform asked for one.
		delete(slots, "verification_code")
	}
	return intent, slots
}
