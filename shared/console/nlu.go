package console

import (
	"regexp"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/conversation"
)

// The console stands in for the platform's language understanding, which Switchboard
// never sees: a platform sends the webhook an intent and slots, not a sentence to
// interpret. This is deliberately small — keywords and patterns, no model — and the
// page and the chat command let the user name the intent outright.

var (
	emailRE   = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
	paymentRE = regexp.MustCompile(`\b((?:pi|ch|py|in)_[A-Za-z0-9_]+)\b`)
	codeRE    = regexp.MustCompile(`\b(\d{6})\b`)
)

// keywords per intent, lower case, in the five languages the product speaks.
var keywords = []struct {
	intent conversation.Intent
	words  []string
}{
	{conversation.CreateTicket, []string{"ticket", "problem", "issue", "broken", "complain", "support request",
		"störung", "problème", "problema", "chamado"}},
	{conversation.VerifyPayment, []string{"payment", "paid", "charge", "refund", "zahlung", "paiement", "pago", "pagamento"}},
	{conversation.LookupCustomer, []string{"look up", "lookup", "account", "my details", "who am i", "konto", "compte", "cuenta", "conta"}},
	{conversation.SearchKB, []string{"how", "what", "why", "where", "search", "article", "help", "wie", "comment", "cómo", "como", "?"}},
}

// DetectIntent picks an intent for a message, or "" when none fits.
func DetectIntent(text string) conversation.Intent {
	low := strings.ToLower(text)
	if paymentRE.MatchString(text) {
		return conversation.VerifyPayment
	}
	for _, k := range keywords {
		for _, w := range k.words {
			if strings.Contains(low, w) {
				return k.intent
			}
		}
	}
	return ""
}

// Entities returns the slots a message names outright: an email, a payment
// reference, a six-digit code.
func Entities(text string) map[string]string {
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
	slots := Entities(text)
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
		intent = conversation.SearchKB
	}
	fresh := c.Elicit == "" || intent != conversation.Intent(c.Intent)
	if intent == conversation.SearchKB && slots["query"] == "" && fresh {
		slots["query"] = strings.TrimSpace(text)
	}
	if intent == conversation.CreateTicket && slots["subject"] == "" && fresh {
		// "ticket: the printer is on fire" names the subject.
		if _, after, ok := strings.Cut(text, ":"); ok && strings.TrimSpace(after) != "" {
			slots["subject"] = strings.TrimSpace(after)
		}
	}
	if c.Elicit != "verification_code" {
		// Six digits are a code only when the platform asked for one.
		delete(slots, "verification_code")
	}
	return intent, slots
}
