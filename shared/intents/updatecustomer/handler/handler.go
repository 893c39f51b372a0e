// Package handler is update_customer's handler (its contract: the folder above,
// shared/intents/updatecustomer), registered from its init (intents.Register). Its
// function, functions/updatecustomer, imports it; so does every binary that answers
// every intent (shared/intents/handlers).
package handler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/idempotency"
	"github.com/switchboard-dev/switchboard/shared/intents"
	"github.com/switchboard-dev/switchboard/shared/intents/updatecustomer"
	"github.com/switchboard-dev/switchboard/shared/platform/plaintext"
)

// name is the intent's canonical name (its contract's).
const name conversation.Intent = updatecustomer.Name

// A write: its description to the idempotency layer is updateWrite (below).
func init() {
	intents.Register(name, intents.Handler{
		Fulfil: func(ctx context.Context, a intents.Answer, t conversation.Turn, slots map[string]string) (conversation.Reply, intents.Audit) {
			return answer{a}.updateCustomer(ctx, t, slots)
		},
		Write: func(s *intents.Service) idempotency.Write { return updateWrite{s} },
	})
}

// answer is the turn's answer, with this intent's own parts.
type answer struct{ intents.Answer }

// withSlot is m with slot k set to v, in a copy.
func withSlot(m map[string]string, k, v string) map[string]string {
	out := make(map[string]string, len(m)+1)
	maps.Copy(out, m)
	out[k] = v
	return out
}

func isTimeout(err error) bool {
	return errors.Is(err, context.DeadlineExceeded)
}

// updateCustomer changes the verified caller's own phone number or postal address.
//
// Who: only the caller the identity layer or a one-time code proved (t.Caller), on
// their own record; an email typed in the slot by a signed-in caller is ignored, and an
// unproven caller is offered a code (or gets the neutral answer) and learns nothing
// about any account. What: the phone or the address, never the email. When: only after
// the caller answered yes to the question that repeats the new values; the first turn
// with every value asks it and writes nothing, a no writes nothing and says so. The
// reply states what the CRM holds afterwards, as it read it back.
func (s answer) updateCustomer(ctx context.Context, t conversation.Turn, slots map[string]string) (conversation.Reply, intents.Audit) {
	neutral := func() string { return s.TS("identity.neutral_update", s.Deps().SupportEmail) }
	if t.Caller.Verified() {
		// Their own record, whatever email the slot names.
		slots = withSlot(slots, intents.SlotEmail, t.Caller.Email)
	}
	caller, stop, a := s.Gate(ctx, t, slots, neutral)
	if stop != nil {
		return *stop, a
	}
	if !caller.Verified() {
		// identity.open_intents never opens a write to someone's record to a caller
		// who proved nothing.
		a.Outcome = intents.AuditUnverified
		return s.Fulfilled(neutral()), a
	}
	r, a := s.updateAnswer(ctx, t, caller, slots)
	clear := func(names ...string) {
		if r.SetSlots == nil {
			r.SetSlots = map[string]*string{}
		}
		for _, n := range names {
			r.SetSlots[n] = nil
		}
	}
	if caller.Method == conversation.VerifiedCode && t.Caller.Method != conversation.VerifiedCode {
		// The code was right: clear it so it is not sent again.
		clear(intents.SlotVerificationCode)
	}
	if r.Outcome != conversation.OutcomeElicitSlot {
		// The request is over (written, declined, refused or unknown): a platform that
		// carries slots across turns (Dialogflow ES contexts) must not bring this yes
		// to the next change, which gets its own question.
		clear(intents.SlotField, intents.SlotNewValue, intents.SlotConfirm)
	}
	return r, a
}

// updateAnswer is the answer for a verified Caller: the next value to ask for, the
// question, the refusal on a no, or the write.
func (s answer) updateAnswer(ctx context.Context, t conversation.Turn, caller conversation.Caller, slots map[string]string) (conversation.Reply, intents.Audit) {
	change, ask := s.contactChange(slots)
	if ask != nil {
		return *ask, intents.Audit{}
	}
	switch slots[intents.SlotConfirm] {
	case "":
		return s.confirmQuestion(change), intents.Audit{}
	case intents.ConfirmNo:
		return s.Fulfilled(s.T("update.cancelled")), intents.Audit{}
	}
	a := intents.Audit{Tool: s.Tools().Customers, Caller: caller, Fields: change.Fields()}
	if s.Deps().Updater == nil {
		a.Outcome = intents.AuditUnavailable
		return s.Unavailable("what.update_your_details"), a
	}
	change.ExternalID = updateExternalID(t, caller.Email, change)
	cust, err := s.Deps().Updater.UpdateCustomer(ctx, caller.Email, change)
	a.CustomerID = cust.ID
	switch {
	case err == nil:
		a.Outcome = intents.AuditUpdated
		r := s.Fulfilled(s.nowHolds("update.done", change, cust))
		r.Data = updatedRecord(caller.Email, change, cust)
		return r, a
	case errors.Is(err, connector.ErrNotFound):
		a.Outcome = intents.AuditNotFound
		return s.Failed(s.TS("update.no_account", s.Deps().SupportEmail)), a
	case errors.Is(err, connector.ErrUnsupported):
		// The CRM cannot change contacts: nothing was sent.
		a.Outcome = intents.AuditUnavailable
		return s.Unavailable("what.update_your_details"), a
	case connector.KindOf(err) == connector.KindInvalidInput:
		a.Outcome = intents.AuditRefused
		return s.Failed(s.TS("update.not_accepted", s.Deps().SupportEmail)), a
	case ctx.Err() != nil || connector.KindOf(err) == connector.KindUnavailable && isTimeout(err):
		// The change may have reached the CRM: not "failed", never "updated". The
		// idempotency layer records the unknown outcome and a later turn reads the
		// record back (updateWrite.Lookup).
		a.Outcome = intents.AuditUnknown
		r := s.Failed(s.TS("update.unconfirmed", s.Deps().SupportEmail))
		r.Unconfirmed = true
		return r, a
	default:
		a.Outcome = intents.AuditFailed
		return s.Failed(s.TS("update.failed", s.Deps().SupportEmail)), a
	}
}

// contactChange is the change the slots ask for, or the reply asking for what is
// missing or asking again for what is not valid: which field (unless the new value
// says it: a phone number, or an address), then the new value, checked as that field's.
func (s answer) contactChange(slots map[string]string) (connector.ContactChange, *conversation.Reply) {
	field, value := slots[intents.SlotField], slots[intents.SlotNewValue]
	phone, phoneOK := checkPhone(value)
	addr, addrOK := checkAddress(value)
	if field == "" {
		switch {
		case value != "" && phoneOK:
			field = intents.FieldPhone
		case value != "" && addrOK:
			field = intents.FieldAddress
		default:
			r := s.ask(intents.SlotField)
			if value != "" {
				// Neither a phone number nor an address: asked again with the field.
				r.SetSlots = map[string]*string{intents.SlotNewValue: nil}
			}
			return connector.ContactChange{}, r
		}
	}
	prompt, retry := "prompt.phone", "retry.phone"
	if field == intents.FieldAddress {
		prompt, retry = "prompt.address", "retry.address"
	}
	switch {
	case value == "":
		return connector.ContactChange{}, s.askValue(prompt)
	case field == intents.FieldPhone && phoneOK:
		return connector.ContactChange{Phone: phone}, nil
	case field == intents.FieldAddress && addrOK:
		return connector.ContactChange{Address: &addr}, nil
	}
	r := s.askValue(retry)
	r.SetSlots = map[string]*string{intents.SlotNewValue: nil, intents.SlotConfirm: nil}
	return connector.ContactChange{}, r
}

// askValue asks for new_value in the words of the field's prompt (a catalog key).
func (s answer) askValue(key string) *conversation.Reply {
	r := s.ask(intents.SlotNewValue)
	r.Messages = []string{s.T(key)}
	return r
}

// ask asks for slot of update_customer with its prompt (and its choices).
func (s answer) ask(slot string) *conversation.Reply { return s.Ask(name, slot) }

// confirmQuestion repeats the new values and asks for a yes or a no: nothing is
// written on this turn.
func (s answer) confirmQuestion(change connector.ContactChange) conversation.Reply {
	r := *s.ask(intents.SlotConfirm)
	if change.Address != nil {
		r.Messages = []string{s.TS("update.confirm_address", s.address(*change.Address))}
	} else {
		r.Messages = []string{s.TS("update.confirm_phone", plaintext.Inert(change.Phone))}
	}
	return r
}

// nowHolds says what the CRM holds for the fields the change set, as read back (key:
// update.done or update.found). A record that does not hold what was asked says so
// with what it holds instead. What it holds is text the CRM gave, even where the
// caller typed it first: on an agent surface the answer refers to the record's fields
// (updatedRecord) rather than quoting it.
func (s answer) nowHolds(key string, change connector.ContactChange, c connector.Customer) string {
	var parts []string
	if change.Phone != "" {
		parts = append(parts, s.TS("update.phone_is", intents.OrDefault(s.Tool("customer.phone", c.Phone), "–")))
	}
	if change.Address != nil {
		held := s.address(c.Address)
		if s.Agent() && !c.Address.IsZero() && held != "–" {
			held = intents.Ref("customer.address")
		}
		parts = append(parts, s.TS("update.address_is", held))
	}
	msg := s.TS(key, strings.Join(parts, " "))
	if !change.Holds(c) {
		msg = s.TS("update.differs", strings.Join(parts, " "), s.Deps().SupportEmail)
	}
	return msg
}

// updatedRecord is the record the reply states, as values for the agent surfaces
// (conversation.Data): the verified caller's email and, of what the CRM holds as read
// back, only the fields the change set — what the answer says, no more.
func updatedRecord(email string, ch connector.ContactChange, c connector.Customer) *conversation.Data {
	rec := &conversation.CustomerData{Email: intents.OrDefault(c.Email, email)}
	if ch.Phone != "" {
		rec.Phone = c.Phone
	}
	if ch.Address != nil && !c.Address.IsZero() {
		rec.Address = &conversation.AddressData{Street: c.Address.Street, City: c.Address.City, Region: c.Address.Region,
			PostalCode: c.Address.PostalCode, Country: c.Address.Country}
	}
	return &conversation.Data{Customer: rec}
}

// address is a postal address on one line, every part inert.
func (s answer) address(a connector.Address) string {
	var parts []string
	for _, p := range []string{a.Street, strings.TrimSpace(a.PostalCode + " " + a.City), a.Region, a.Country} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, plaintext.Inert(p))
		}
	}
	if len(parts) == 0 {
		return "–"
	}
	return strings.Join(parts, ", ")
}

// updateExternalID is the idempotency key of a change: stable across the platform's
// retries of one turn, different for different turns (without a turn id: the same
// change for the same customer in the same session).
func updateExternalID(t conversation.Turn, email string, ch connector.ContactChange) string {
	h := sha256.New()
	fmt.Fprintf(h, "update\x00%s\x00%s\x00%s", t.Platform, t.SessionID, t.TurnID)
	if t.TurnID == "" {
		fmt.Fprintf(h, "\x00%s\x00%s", strings.ToLower(email), changeSubject(ch))
	}
	return "sb-" + hex.EncodeToString(h.Sum(nil))[:32]
}

// changeSubject is a change's fields and values on one line.
func changeSubject(ch connector.ContactChange) string {
	s := "phone=" + ch.Phone
	if a := ch.Address; a != nil {
		s += "\x00address=" + strings.Join([]string{a.Street, a.City, a.Region, a.PostalCode, a.Country}, "\x00")
	}
	return strings.ToLower(s)
}

// updateWrite describes update_customer to the idempotency layer (it implements
// idempotency.Write). CRMs keep no idempotency key on a record, so an earlier attempt
// whose outcome is unknown is resolved by reading the caller's record back: when it
// holds every value the change sets (connector.ContactChange.Holds), the turn reports
// the change made; otherwise the outcome stays unknown, said as unknown, and the change
// is not sent again.
type updateWrite struct{ s *intents.Service }

// change is the change a turn asks to write: ok only for a turn that writes (every
// value valid and the caller's yes), and who it is for (the verified caller, else the
// email slot the code flow will prove).
func (w updateWrite) change(t conversation.Turn) (email string, ch connector.ContactChange, ok bool) {
	t.Intent = name
	if t.Caller.Verified() {
		t.Slots = withSlot(t.Slots, intents.SlotEmail, t.Caller.Email)
	}
	slots, valid := intents.ValidSlots(t)
	if !valid || slots[intents.SlotConfirm] != intents.ConfirmYes {
		return "", connector.ContactChange{}, false
	}
	ch, ask := answer{w.s.Answer(t)}.contactChange(slots)
	if ask != nil {
		return "", connector.ContactChange{}, false
	}
	return strings.ToLower(slots[intents.SlotEmail]), ch, true
}

// answer is the turn's answer in its language.
func (w updateWrite) answer(t conversation.Turn) answer { return answer{w.s.Answer(t)} }

// Subject is what the turn asks for across turns: the customer and the change ("" for
// a turn that writes nothing: a question, a no).
func (w updateWrite) Subject(t conversation.Turn) string {
	email, ch, ok := w.change(t)
	if !ok {
		return ""
	}
	return email + "\x00" + changeSubject(ch)
}

// ExternalID is the id the turn's change is sent with (see updateExternalID).
func (w updateWrite) ExternalID(t conversation.Turn) string {
	email, ch, _ := w.change(t)
	return updateExternalID(t, email, ch)
}

// Lookup resolves an earlier attempt by reading the verified caller's record back:
// found when it holds the change (the reply then says what it holds). A record that
// does not hold it, a caller not verified on this turn, or a CRM that cannot be read
// leaves the outcome unknown (found false).
func (w updateWrite) Lookup(ctx context.Context, t conversation.Turn, _ string) (conversation.Reply, bool, error) {
	a := w.answer(t)
	dir := a.Deps().Records
	if dir == nil {
		dir, _ = a.Deps().Updater.(connector.CustomerDirectory)
	}
	if dir == nil {
		return conversation.Reply{}, false, connector.ErrUnsupported
	}
	if !t.Caller.Verified() {
		// Only the record's owner may read it back.
		return conversation.Reply{}, false, nil
	}
	email, ch, ok := w.change(t)
	if !ok || !strings.EqualFold(email, t.Caller.Email) {
		return conversation.Reply{}, false, nil
	}
	c, err := dir.FindCustomerByEmail(ctx, t.Caller.Email)
	if err != nil || !ch.Holds(c) {
		return conversation.Reply{}, false, err
	}
	// The record was read: the trail says so, fields and no values.
	_ = a.Record(ctx, t, intents.Audit{Tool: a.Tools().Customers, Caller: t.Caller, CustomerID: c.ID,
		Outcome: intents.AuditUpdated, Fields: ch.Fields()})
	r := a.Fulfilled(a.nowHolds("update.found", ch, c))
	r.Data = updatedRecord(t.Caller.Email, ch, c)
	return a.Localized(r), true, nil
}

// Unconfirmed is the reply while an earlier attempt's outcome stays unknown: nothing
// is sent again.
func (w updateWrite) Unconfirmed(t conversation.Turn) conversation.Reply {
	a := w.answer(t)
	r := a.Failed(a.TS("update.unconfirmed_yet", a.Deps().SupportEmail))
	r.Unconfirmed = true
	return a.Localized(r)
}

// Promise is the reply to the attempt whose outcome just became unknown, once the
// idempotency layer has recorded it durably: asking again reads the record back.
func (w updateWrite) Promise(t conversation.Turn) conversation.Reply {
	a := w.answer(t)
	r := a.Failed(a.TS("update.unconfirmed_noted", a.Deps().SupportEmail))
	r.Unconfirmed = true
	return a.Localized(r)
}

// checkPhone normalises a phone number towards E.164: spaces, dots, dashes and
// brackets dropped, a leading 00 read as +; the result is + and 8 to 15 digits, the
// first not 0. A number without its country code is refused (the prompt asks for it):
// the CRM holds numbers callers in any country can dial.
func checkPhone(s string) (string, bool) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "tel:"))
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')' || r == '/' || r == '\u00a0':
		default:
			return "", false
		}
	}
	n := b.String()
	if strings.HasPrefix(n, "00") {
		n = "+" + n[2:]
	}
	digits := strings.TrimPrefix(n, "+")
	if !strings.HasPrefix(n, "+") || len(digits) < 8 || len(digits) > 15 || digits[0] == '0' {
		return "", false
	}
	return n, true
}

// checkPostalCode accepts letters, digits, spaces and dashes, 2 to 12 characters, with
// at least one digit or letter (SW1A 1AA, 10115, 75008, H3Z 2Y7, 01310-100), upper-cased.
func checkPostalCode(s string) (string, bool) {
	s = strings.ToUpper(strings.Join(strings.Fields(s), " "))
	if len(s) < 2 || len(s) > 12 {
		return "", false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r == ' ' || r == '-') {
			return "", false
		}
	}
	return s, strings.Trim(s, " -") != ""
}

// checkAddress reads a postal address given in one line, its parts separated by
// commas: the street first and the country last, between them the town or city and
// the postal code (in one part, either order: "10115 Berlin", "London NW1 6XE", or
// apart) and, optionally, a region ("IL 62704", or a part of its own after the city).
// Street, city and country are required; the postal code is not (some countries have
// none). Each part is plain text, kept as typed (spacing folded); the question that
// confirms the change shows how it was read.
func checkAddress(s string) (connector.Address, bool) {
	var parts []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.Join(strings.Fields(p), " "); p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) < 3 || len(parts) > 6 || !utf8.ValidString(s) {
		return connector.Address{}, false
	}
	a := connector.Address{Street: parts[0], Country: parts[len(parts)-1]}
	for _, p := range parts[1 : len(parts)-1] {
		words := strings.Fields(p)
		digit := func(w string) bool { return strings.ContainsAny(w, "0123456789") }
		lead, trail := 0, len(words)
		for lead < len(words) && digit(words[lead]) {
			lead++
		}
		for trail > 0 && digit(words[trail-1]) {
			trail--
		}
		var code, rest string
		switch {
		case trail < len(words):
			code, rest = strings.Join(words[trail:], " "), strings.Join(words[:trail], " ")
		case lead > 0:
			code, rest = strings.Join(words[:lead], " "), strings.Join(words[lead:], " ")
		default:
			rest = p
		}
		if code != "" {
			c, ok := checkPostalCode(code)
			if !ok || a.PostalCode != "" {
				return connector.Address{}, false
			}
			a.PostalCode = c
		}
		switch {
		case rest == "":
		case a.City == "":
			a.City = rest
		case a.Region == "":
			a.Region = rest
		default:
			return connector.Address{}, false
		}
	}
	if utf8.RuneCountInString(a.Street) < 3 || a.City == "" || utf8.RuneCountInString(a.Country) < 2 {
		return connector.Address{}, false
	}
	// Within what every CRM stores (connector.CheckContactChange's limits), so a value
	// read here is never one the CRM refuses.
	for _, f := range []struct {
		v   string
		max int
	}{{a.Street, connector.MaxStreetRunes}, {a.City, connector.MaxCityRunes}, {a.Region, connector.MaxRegionRunes},
		{a.PostalCode, connector.MaxPostalCodeRunes}, {a.Country, connector.MaxCountryRunes}} {
		if utf8.RuneCountInString(f.v) > f.max {
			return connector.Address{}, false
		}
	}
	return a, true
}
