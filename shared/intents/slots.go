package intents

import (
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/i18n"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
)

// Slot names shared by every platform.
const (
	SlotEmail            = "email"
	SlotSubject          = "subject"
	SlotDescription      = "description"
	SlotPriority         = "priority"
	SlotPaymentReference = "payment_reference"
	SlotQuery            = "query"
	// update_customer's: what changes, the new values, and the answer to the question
	// that repeats them.
	SlotField    = "field"
	SlotNewValue = "new_value"
	SlotConfirm  = "confirm"
)

// The values of the field and confirm slots.
const (
	FieldPhone   = "phone"
	FieldAddress = "address"
	ConfirmYes   = "yes"
	ConfirmNo    = "no"
)

// slotSpec describes one slot an intent reads: whether it is required, how to
// normalize and validate it, and what to ask for it.
type slotSpec struct {
	name     string
	required bool
	// check returns the normalized value, or ok=false when the value is unusable.
	check func(string) (string, bool)
	// prompt and retry are catalog keys: asked when the slot is missing, and when the
	// value was invalid (never echoing the bad value back).
	prompt, retry string
	// choices are the values the slot takes, offered as quick replies (catalog keys
	// "<choices>.<value>" label them).
	choices []string
	label   string
}

// slotKinds are how each kind of slot is checked and offered, by slot name; which
// slots an intent has, whether they are required and their prompts are the intent's
// (shared/intents/<name>, registered in shared/intents/spec).
var slotKinds = map[string]slotSpec{
	SlotEmail:       {check: checkEmail},
	SlotSubject:     {check: checkText(3, 200)},
	SlotDescription: {check: checkText(0, 5000)},
	SlotPriority: {check: checkPriority, label: "priority",
		choices: []string{string(connector.PriorityLow), string(connector.PriorityNormal),
			string(connector.PriorityHigh), string(connector.PriorityUrgent)}},
	SlotPaymentReference: {check: checkReference},
	SlotQuery:            {check: checkText(2, 300)},
	SlotField:            {check: checkField, label: "field", choices: []string{FieldPhone, FieldAddress}},
	// The new value's own check depends on the field (update_customer's handler,
	// shared/intents/updatecustomer/handler: checkPhone, checkAddress); here only its
	// length.
	SlotNewValue: {check: checkText(3, 300)},
	SlotConfirm:  {check: checkConfirm, label: "confirm", choices: []string{ConfirmYes, ConfirmNo}},
}

// specs are the slots of every registered intent, in the order they are asked for.
var specs = func() map[conversation.Intent][]slotSpec {
	out := map[conversation.Intent][]slotSpec{}
	for _, in := range spec.All() {
		for _, sl := range in.Slots {
			k, ok := slotKinds[sl.Name]
			if !ok {
				panic("intents: slot " + sl.Name + " of " + in.Name + " has no kind in slotKinds")
			}
			k.name, k.required, k.prompt, k.retry = sl.Name, sl.Required, sl.Prompt, sl.Retry
			out[conversation.Intent(in.Name)] = append(out[conversation.Intent(in.Name)], k)
		}
	}
	return out
}()

// validate checks the turn's slots against the intent's spec. It returns the
// normalized slot values, or an elicit Reply (in p's language) for the first missing
// or invalid slot.
func validate(p *i18n.Printer, in conversation.Intent, t conversation.Turn) (map[string]string, *conversation.Reply) {
	out := make(map[string]string, len(specs[in]))
	for _, s := range specs[in] {
		raw := t.Slot(s.name)
		if raw == "" {
			if s.required {
				return nil, elicit(p, s, s.prompt, false)
			}
			continue
		}
		v, ok := s.check(raw)
		if !ok {
			return nil, elicit(p, s, s.retry, true)
		}
		out[s.name] = v
	}
	return out, nil
}

// ValidSlots checks the turn's slots against its intent's contract (t.Intent), as
// Handle does before a handler is asked: the normalized values, ok false while a slot
// is missing or invalid.
func ValidSlots(t conversation.Turn) (map[string]string, bool) {
	slots, ask := validate(i18n.For(t.Locale), t.Intent, t)
	return slots, ask == nil
}

// Ask asks for slot name of intent in with the prompt its contract gives it (and its
// choices, as quick replies). It panics when in has no such slot.
func (s Answer) Ask(in conversation.Intent, name string) *conversation.Reply {
	for _, sp := range specs[in] {
		if sp.name == name {
			return elicit(s.p, sp, sp.prompt, false)
		}
	}
	panic("intents: " + string(in) + " has no slot " + name)
}

func elicit(p *i18n.Printer, s slotSpec, prompt string, invalid bool) *conversation.Reply {
	r := &conversation.Reply{
		Outcome:      conversation.OutcomeElicitSlot,
		Messages:     []string{p.T(prompt)},
		SlotToElicit: s.name,
	}
	if invalid {
		// Clear the bad value so the platform asks again instead of reusing it.
		r.SetSlots = map[string]*string{s.name: nil}
	}
	if len(s.choices) > 0 {
		r.Rich = &conversation.Rich{}
		for _, c := range s.choices {
			r.Rich.Choices = append(r.Rich.Choices, conversation.Choice{Label: p.T(s.label + "." + c), Value: c})
		}
	}
	return r
}

// checkEmail accepts one plain address (no display name) with a dotted domain, and
// returns it lower-cased.
//
// An address of printable ASCII without RFC 5322 specials — a dot-atom, "@", a dotted
// dot-atom: what callers type — is accepted here (plainAddress) without net/mail,
// which allocates its parser's results on every turn; net/mail.ParseAddress accepts
// every such address as itself. Anything else (a quoted local part, a domain literal,
// a comment, UTF-8, no "@") is decided by net/mail as before (checkEmailMail).
// TestCheckEmailFastPath and FuzzCheckEmail hold the two to the same answers.
func checkEmail(s string) (string, bool) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "mailto:"))
	if len(s) <= 254 && plainAddress(s) {
		return strings.ToLower(s), true
	}
	return checkEmailMail(s)
}

// plainAddress reports whether s is local@domain, each a dot-atom of printable ASCII
// other than RFC 5322's specials (no leading, trailing or double dot), the domain
// with at least one dot.
func plainAddress(s string) bool {
	at := strings.IndexByte(s, '@')
	if at <= 0 {
		return false
	}
	local, domain := s[:at], s[at+1:]
	return dotAtom(local) && dotAtom(domain) && strings.IndexByte(domain, '.') > 0
}

// dotAtom reports whether s is atext separated by single dots (RFC 5322 §3.2.3, ASCII
// only): net/mail's consumeAtom(dot, not permissive) takes all of it.
func dotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			if s[i-1] == '.' {
				return false
			}
		case c < '!' || c > '~':
			return false
		case c == '(' || c == ')' || c == '<' || c == '>' || c == '[' || c == ']' || c == ':' ||
			c == ';' || c == '@' || c == '\\' || c == ',' || c == '"':
			return false
		}
	}
	return true
}

// checkEmailMail is checkEmail by net/mail, for whatever plainAddress does not accept
// (s already trimmed).
func checkEmailMail(s string) (string, bool) {
	if len(s) > 254 || strings.ContainsAny(s, " \t\r\n<>\"") {
		return "", false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", false
	}
	local, domain, ok := strings.Cut(a.Address, "@")
	if !ok || local == "" || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") ||
		strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return "", false
	}
	return strings.ToLower(a.Address), true
}

func checkText(min, max int) func(string) (string, bool) {
	return func(s string) (string, bool) {
		s = strings.Join(strings.Fields(s), " ")
		n := utf8.RuneCountInString(s)
		if n < min || n > max || !utf8.ValidString(s) {
			return "", false
		}
		return s, true
	}
}

func checkPriority(s string) (string, bool) {
	p, ok := connector.ParsePriority(s)
	return string(p), ok
}

// checkField maps the caller's words for what to change onto FieldPhone or
// FieldAddress, in the five languages.
func checkField(s string) (string, bool) {
	switch strings.ToLower(strings.Join(strings.Fields(s), " ")) {
	case "phone", "phone number", "telephone", "mobile", "number", "telefon", "telefonnummer", "handy",
		"téléphone", "telephone number", "numéro", "numéro de téléphone", "teléfono", "número", "telefone", "celular":
		return FieldPhone, true
	case "address", "postal address", "home address", "street", "adresse", "anschrift", "postadresse",
		"adresse postale", "dirección", "direccion", "domicilio", "endereço", "endereco", "morada":
		return FieldAddress, true
	}
	return "", false
}

// checkConfirm maps a yes or a no, in the five languages, onto ConfirmYes or ConfirmNo.
func checkConfirm(s string) (string, bool) {
	switch strings.Trim(strings.ToLower(strings.Join(strings.Fields(s), " ")), ".!") {
	case "yes", "y", "yeah", "yep", "ok", "okay", "confirm", "correct", "true", "sure",
		"ja", "jawohl", "oui", "sí", "si", "sim", "claro", "d'accord", "bestätigen", "confirmer", "confirmar":
		return ConfirmYes, true
	case "no", "n", "nope", "cancel", "false", "nein", "non", "não", "nao", "abbrechen", "annuler", "cancelar":
		return ConfirmNo, true
	}
	return "", false
}

// A payment id (Stripe pi_/ch_/py_ ids and the like) or an order number: letters,
// digits, '_' and '-', 3 to 64 characters, at least one digit.
// (A hand-written check: the equivalent regexp, ^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$,
// compiles to 61 KB at package initialisation, on every Lambda cold start.)
func checkReference(s string) (string, bool) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "#"))
	if len(s) < 3 || len(s) > 64 || s[0] == '_' || s[0] == '-' {
		return "", false
	}
	digit := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c == '-':
		default:
			return "", false
		}
	}
	if !digit {
		return "", false
	}
	return s, true
}

// ElicitedSlots returns the slots intent in may ask for (a reply's SlotToElicit), in
// the order they are asked: every slot of its spec (an optional one is asked again
// when its value is invalid) and, with codes on, the one-time code slot of the intents
// behind the identity policy. A platform's definition of the intent must define each.
func ElicitedSlots(in conversation.Intent, codes bool) []string {
	var out []string
	for _, s := range specs[in] {
		out = append(out, s.name)
	}
	if i, _ := spec.Lookup(string(in)); codes && i.Codes() {
		out = append(out, SlotVerificationCode)
	}
	return out
}
