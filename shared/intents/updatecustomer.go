package intents

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/i18n"
	"github.com/switchboard-dev/switchboard/shared/idempotency"
)

// UpdateCustomer is update_customer's canonical name (its contract:
// shared/intents/updatecustomer).
const UpdateCustomer = conversation.Intent("update_customer")

// update_customer's handler: a write, its description to the idempotency layer is
// UpdateWrite (below).
func init() {
	register(UpdateCustomer, handler{fulfil: answer.updateCustomer,
		write: func(s *Service) idempotency.Write { return s.UpdateWrite() }})
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
func (s answer) updateCustomer(ctx context.Context, t conversation.Turn, slots map[string]string) (conversation.Reply, audit) {
	neutral := s.p.T("identity.neutral_update", s.d.SupportEmail)
	if t.Caller.Verified() {
		// Their own record, whatever email the slot names.
		slots = withSlot(slots, SlotEmail, t.Caller.Email)
	}
	caller, stop, a := s.gate(ctx, t, slots, neutral)
	if stop != nil {
		return *stop, a
	}
	if !caller.Verified() {
		// identity.open_intents never opens a write to someone's record to a caller
		// who proved nothing.
		a.outcome = outUnverified
		return s.fulfilled(neutral), a
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
		clear(SlotVerificationCode)
	}
	if r.Outcome != conversation.OutcomeElicitSlot {
		// The request is over (written, declined, refused or unknown): a platform that
		// carries slots across turns (Dialogflow ES contexts) must not bring this yes
		// to the next change, which gets its own question.
		clear(SlotField, SlotNewValue, SlotConfirm)
	}
	return r, a
}

// updateAnswer is the answer for a verified caller: the next value to ask for, the
// question, the refusal on a no, or the write.
func (s answer) updateAnswer(ctx context.Context, t conversation.Turn, caller conversation.Caller, slots map[string]string) (conversation.Reply, audit) {
	change, ask := s.contactChange(slots)
	if ask != nil {
		return *ask, audit{}
	}
	switch slots[SlotConfirm] {
	case "":
		return s.confirmQuestion(change), audit{}
	case ConfirmNo:
		return s.fulfilled(s.p.T("update.cancelled")), audit{}
	}
	a := audit{tool: s.acc.Tools.Customers, caller: caller, fields: change.Fields()}
	if s.d.Updater == nil {
		a.outcome = outUnavailable
		return s.unavailable("what.update_your_details"), a
	}
	change.ExternalID = updateExternalID(t, caller.Email, change)
	cust, err := s.d.Updater.UpdateCustomer(ctx, caller.Email, change)
	a.customerID = cust.ID
	switch {
	case err == nil:
		a.outcome = outUpdated
		r := s.fulfilled(s.nowHolds("update.done", change, cust))
		r.Data = updatedRecord(caller.Email, change, cust)
		return r, a
	case errors.Is(err, connector.ErrNotFound):
		a.outcome = outNotFound
		return s.failed(s.p.T("update.no_account", s.d.SupportEmail)), a
	case errors.Is(err, connector.ErrUnsupported):
		// The CRM cannot change contacts: nothing was sent.
		a.outcome = outUnavailable
		return s.unavailable("what.update_your_details"), a
	case connector.KindOf(err) == connector.KindInvalidInput:
		a.outcome = outRefused
		return s.failed(s.p.T("update.not_accepted", s.d.SupportEmail)), a
	case ctx.Err() != nil || connector.KindOf(err) == connector.KindUnavailable && isTimeout(err):
		// The change may have reached the CRM: not "failed", never "updated". The
		// idempotency layer records the unknown outcome and a later turn reads the
		// record back (UpdateWrite.Lookup).
		a.outcome = outUnknown
		r := s.failed(s.p.T("update.unconfirmed", s.d.SupportEmail))
		r.Unconfirmed = true
		return r, a
	default:
		a.outcome = outFailed
		return s.failed(s.p.T("update.failed", s.d.SupportEmail)), a
	}
}

// contactChange is the change the slots ask for, or the reply asking for what is
// missing or asking again for what is not valid: which field (unless the new value
// says it: a phone number, or an address), then the new value, checked as that field's.
func (s answer) contactChange(slots map[string]string) (connector.ContactChange, *conversation.Reply) {
	field, value := slots[SlotField], slots[SlotNewValue]
	phone, phoneOK := checkPhone(value)
	addr, addrOK := checkAddress(value)
	if field == "" {
		switch {
		case value != "" && phoneOK:
			field = FieldPhone
		case value != "" && addrOK:
			field = FieldAddress
		default:
			r := s.ask(SlotField)
			if value != "" {
				// Neither a phone number nor an address: asked again with the field.
				r.SetSlots = map[string]*string{SlotNewValue: nil}
			}
			return connector.ContactChange{}, r
		}
	}
	prompt, retry := "prompt.phone", "retry.phone"
	if field == FieldAddress {
		prompt, retry = "prompt.address", "retry.address"
	}
	switch {
	case value == "":
		return connector.ContactChange{}, s.askValue(prompt)
	case field == FieldPhone && phoneOK:
		return connector.ContactChange{Phone: phone}, nil
	case field == FieldAddress && addrOK:
		return connector.ContactChange{Address: &addr}, nil
	}
	r := s.askValue(retry)
	r.SetSlots = map[string]*string{SlotNewValue: nil, SlotConfirm: nil}
	return connector.ContactChange{}, r
}

// askValue asks for new_value in the words of the field's prompt (a catalog key).
func (s answer) askValue(key string) *conversation.Reply {
	r := s.ask(SlotNewValue)
	r.Messages = []string{s.p.T(key)}
	return r
}

// ask asks for slot name of update_customer with its prompt (and its choices).
func (s answer) ask(name string) *conversation.Reply {
	for _, sp := range specs[UpdateCustomer] {
		if sp.name == name {
			return elicit(s.p, sp, sp.prompt, false)
		}
	}
	panic("intents: update_customer has no slot " + name)
}

// confirmQuestion repeats the new values and asks for a yes or a no: nothing is
// written on this turn.
func (s answer) confirmQuestion(change connector.ContactChange) conversation.Reply {
	r := *s.ask(SlotConfirm)
	if change.Address != nil {
		r.Messages = []string{s.p.T("update.confirm_address", s.address(*change.Address))}
	} else {
		r.Messages = []string{s.p.T("update.confirm_phone", data(change.Phone))}
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
		parts = append(parts, s.p.T("update.phone_is", orDefault(s.tool("customer.phone", c.Phone), "–")))
	}
	if change.Address != nil {
		held := s.address(c.Address)
		if s.agent && !c.Address.IsZero() && held != "–" {
			held = Ref("customer.address")
		}
		parts = append(parts, s.p.T("update.address_is", held))
	}
	msg := s.p.T(key, strings.Join(parts, " "))
	if !change.Holds(c) {
		msg = s.p.T("update.differs", strings.Join(parts, " "), s.d.SupportEmail)
	}
	return msg
}

// updatedRecord is the record the reply states, as values for the agent surfaces
// (conversation.Data): the verified caller's email and, of what the CRM holds as read
// back, only the fields the change set — what the answer says, no more.
func updatedRecord(email string, ch connector.ContactChange, c connector.Customer) *conversation.Data {
	rec := &conversation.CustomerData{Email: orDefault(c.Email, email)}
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
			parts = append(parts, data(p))
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

// UpdateWrite describes update_customer to the idempotency layer (it implements
// idempotency.Write). CRMs keep no idempotency key on a record, so an earlier attempt
// whose outcome is unknown is resolved by reading the caller's record back: when it
// holds every value the change sets (connector.ContactChange.Holds), the turn reports
// the change made; otherwise the outcome stays unknown, said as unknown, and the change
// is not sent again.
type UpdateWrite struct{ s *Service }

// UpdateWrite returns update_customer's write description over the service's CRM.
func (s *Service) UpdateWrite() UpdateWrite { return UpdateWrite{s} }

// change is the change a turn asks to write: ok only for a turn that writes (every
// value valid and the caller's yes), and who it is for (the verified caller, else the
// email slot the code flow will prove).
func (w UpdateWrite) change(t conversation.Turn) (email string, ch connector.ContactChange, ok bool) {
	t.Intent = UpdateCustomer
	p := i18n.For(t.Locale)
	if t.Caller.Verified() {
		t.Slots = withSlot(t.Slots, SlotEmail, t.Caller.Email)
	}
	slots, elicit := validate(p, UpdateCustomer, t)
	if elicit != nil || slots[SlotConfirm] != ConfirmYes {
		return "", connector.ContactChange{}, false
	}
	ch, ask := answer{Service: w.s, p: p}.contactChange(slots)
	if ask != nil {
		return "", connector.ContactChange{}, false
	}
	return strings.ToLower(slots[SlotEmail]), ch, true
}

func (w UpdateWrite) answer(t conversation.Turn) answer {
	return w.s.answer(i18n.For(t.Locale), t)
}

func (w UpdateWrite) localized(a answer, r conversation.Reply) conversation.Reply {
	r.Language, r.LanguageFallback = a.p.Language(), a.p.Fallback
	return r
}

// Subject is what the turn asks for across turns: the customer and the change ("" for
// a turn that writes nothing: a question, a no).
func (w UpdateWrite) Subject(t conversation.Turn) string {
	email, ch, ok := w.change(t)
	if !ok {
		return ""
	}
	return email + "\x00" + changeSubject(ch)
}

// ExternalID is the id the turn's change is sent with (see updateExternalID).
func (w UpdateWrite) ExternalID(t conversation.Turn) string {
	email, ch, _ := w.change(t)
	return updateExternalID(t, email, ch)
}

// Lookup resolves an earlier attempt by reading the verified caller's record back:
// found when it holds the change (the reply then says what it holds). A record that
// does not hold it, a caller not verified on this turn, or a CRM that cannot be read
// leaves the outcome unknown (found false).
func (w UpdateWrite) Lookup(ctx context.Context, t conversation.Turn, _ string) (conversation.Reply, bool, error) {
	dir := w.s.d.Records
	if dir == nil {
		dir, _ = w.s.d.Updater.(connector.CustomerDirectory)
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
	a := w.answer(t)
	// The record was read: the trail says so, fields and no values.
	_ = w.s.record(ctx, t, audit{tool: w.s.acc.Tools.Customers, caller: t.Caller, customerID: c.ID,
		outcome: outUpdated, fields: ch.Fields()})
	r := a.fulfilled(a.nowHolds("update.found", ch, c))
	r.Data = updatedRecord(t.Caller.Email, ch, c)
	return w.localized(a, r), true, nil
}

// Unconfirmed is the reply while an earlier attempt's outcome stays unknown: nothing
// is sent again.
func (w UpdateWrite) Unconfirmed(t conversation.Turn) conversation.Reply {
	a := w.answer(t)
	r := a.failed(a.p.T("update.unconfirmed_yet", w.s.d.SupportEmail))
	r.Unconfirmed = true
	return w.localized(a, r)
}

// Promise is the reply to the attempt whose outcome just became unknown, once the
// idempotency layer has recorded it durably: asking again reads the record back.
func (w UpdateWrite) Promise(t conversation.Turn) conversation.Reply {
	a := w.answer(t)
	r := a.failed(a.p.T("update.unconfirmed_noted", w.s.d.SupportEmail))
	r.Unconfirmed = true
	return w.localized(a, r)
}
