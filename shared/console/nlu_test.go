package console_test

import (
	"testing"

	"github.com/switchboard-dev/switchboard/shared/console"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
)

// Every intent registers the console's keywords for it, and exactly one is the
// fallback of a message nothing matches.
func TestEveryIntentRegistersConsoleKeywords(t *testing.T) {
	t.Parallel()
	fallbacks := 0
	for _, in := range spec.All() {
		if len(in.Console.Keywords) == 0 {
			t.Errorf("%s: no console keywords (spec.Console.Keywords in shared/intents/%s)", in.Name, in.Function)
		}
		if in.Console.Fallback {
			fallbacks++
		}
	}
	if fallbacks != 1 {
		t.Errorf("%d intents are the console's fallback, want 1", fallbacks)
	}
}

// The keyword understanding, read from the intents' registrations, picks what it
// picked when the keywords were listed in the console: a payment reference first,
// then the most specific intent's words, the five languages.
func TestDetectIntent(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]conversation.Intent{
		"is pi_3Nabc123 through?":               conversation.VerifyPayment,
		"how do I check pi_3Nabc123?":           conversation.VerifyPayment, // the reference wins over "how"
		"I have a problem with my account":      conversation.CreateTicket,  // ticket words before account words
		"did my payment on my account go out?":  conversation.VerifyPayment, // payment words before account words
		"how do I look up my account":           conversation.LookupCustomer,
		"Look up my details":                    conversation.LookupCustomer,
		"how do I reset my password?":           conversation.SearchKB,
		"Störung beim Drucker":                  conversation.CreateTicket,
		"meine Zahlung":                         conversation.VerifyPayment,
		"mon compte":                            conversation.LookupCustomer,
		"¿cómo restablezco la contraseña":       conversation.SearchKB,
		"hello there":                           "",
		"my code is 123456":                     "",
		"write to me at ada@example.com please": "",
	} {
		if got := console.DetectIntent(text); got != want {
			t.Errorf("DetectIntent(%q) = %q, want %q", text, got, want)
		}
	}
}

// update_customer's phrases, in the five languages, are tried before every other
// intent's words; a password change stays a help-center search.
func TestDetectUpdateCustomer(t *testing.T) {
	t.Parallel()
	update := conversation.Intent("update_customer")
	for text, want := range map[string]conversation.Intent{
		"I need to change my phone number":         update,
		"I moved, here is my new address":          update,
		"Bitte meine Adresse ändern":               update,
		"je veux changer mon numéro":               update,
		"quiero cambiar mi dirección":              update,
		"quero atualizar meu endereço":             update,
		"how do I change my password?":             conversation.SearchKB,
		"my email address is wrong, it's a ticket": conversation.CreateTicket,
	} {
		if got := console.DetectIntent(text); got != want {
			t.Errorf("DetectIntent(%q) = %q, want %q", text, got, want)
		}
	}
}
