package intents_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	. "github.com/switchboard-dev/switchboard/shared/intents"
	"github.com/switchboard-dev/switchboard/shared/intents/updatecustomer"
)

// UpdateCustomer is the intent under test, by its contract's name.
const UpdateCustomer = conversation.Intent(updatecustomer.Name)

// UpdateCustomer makes the fake a connector.CustomerUpdater: it applies the change to
// the record and returns the record as it holds it afterwards.
func (f *fake) UpdateCustomer(ctx context.Context, email string, ch connector.ContactChange) (connector.Customer, error) {
	f.updates.Add(1)
	if err := f.wait(ctx); err != nil {
		return connector.Customer{}, err
	}
	if ch.IsZero() {
		return connector.Customer{}, &connector.Error{Kind: connector.KindInvalidInput, Tool: "fake"}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.customers[strings.ToLower(email)]
	if !ok {
		return c, connector.NotFound("fake", "update_customer")
	}
	if ch.Phone != "" {
		c.Phone = ch.Phone
	}
	if ch.Address != nil {
		c.Address = *ch.Address
	}
	f.customers[strings.ToLower(email)] = c
	return c, nil
}

func (f *fake) record(email string) connector.Customer {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.customers[email]
}

func updateSvc(f *fake, acc *Access) *Service {
	return New(Deps{Customers: f, Updater: f, SupportEmail: "help@example.com",
		Now: func() time.Time { return day1.Add(time.Hour) }, Access: acc})
}

// ada is a turn of update_customer from Ada, signed in.
func ada(slots map[string]string) conversation.Turn {
	t := turn(UpdateCustomer, slots)
	t.Caller = conversation.Caller{Method: conversation.VerifiedToken, Email: "ada@example.com"}
	return t
}

func with(base map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

var newPhone = map[string]string{"email": "ada@example.com", "field": "phone", "new_value": "+44 (20) 7946-0958"}

// The first turn with every value asks the question and writes nothing; a no writes
// nothing and says so; a yes writes once and states what the CRM now holds.
func TestUpdateCustomerAsksBeforeWriting(t *testing.T) {
	t.Parallel()
	f := newFake()
	s := updateSvc(f, nil)
	ctx := context.Background()

	q := s.Handle(ctx, ada(newPhone))
	if q.Outcome != conversation.OutcomeElicitSlot || q.SlotToElicit != SlotConfirm ||
		!strings.Contains(q.Text(), "+442079460958") || !strings.Contains(q.Text(), "yes or no") {
		t.Fatalf("question: %+v", q)
	}
	if q.Rich == nil || len(q.Rich.Choices) != 2 || q.Rich.Choices[0].Value != ConfirmYes || q.Rich.Choices[1].Value != ConfirmNo {
		t.Errorf("question's quick replies: %+v", q.Rich)
	}
	if n := f.updates.Load(); n != 0 {
		t.Fatalf("the question wrote %d times", n)
	}

	no := s.Handle(ctx, ada(with(newPhone, "confirm", "nein")))
	if no.Outcome != conversation.OutcomeFulfilled || !strings.Contains(no.Text(), "haven't changed anything") {
		t.Fatalf("no: %+v", no)
	}
	if n := f.updates.Load(); n != 0 || f.record("ada@example.com").Phone != "" {
		t.Fatalf("a no wrote: %d, %+v", n, f.record("ada@example.com"))
	}

	yes := s.Handle(ctx, ada(with(newPhone, "confirm", "Yes")))
	if yes.Outcome != conversation.OutcomeFulfilled || !strings.Contains(yes.Text(), "Your phone number is now \u2060+442079460958.") {
		t.Fatalf("yes: %+v", yes)
	}
	if n := f.updates.Load(); n != 1 || f.record("ada@example.com").Phone != "+442079460958" {
		t.Fatalf("yes: %d updates, record %+v", n, f.record("ada@example.com"))
	}
}

// An address in one line is read into its parts, shown as read in the question, and
// written whole; the field is inferred from the value.
func TestUpdateCustomerAddress(t *testing.T) {
	t.Parallel()
	f := newFake()
	s := updateSvc(f, nil)
	slots := map[string]string{"email": "ada@example.com", "new_value": "742 Evergreen Terrace, Springfield, IL 62704, USA"}
	q := s.Handle(context.Background(), ada(slots))
	if q.SlotToElicit != SlotConfirm || !strings.Contains(q.Text(), "742 Evergreen Terrace, 62704 Springfield, IL, USA") {
		t.Fatalf("question: %+v", q)
	}
	r := s.Handle(context.Background(), ada(with(slots, "confirm", "oui")))
	want := connector.Address{Street: "742 Evergreen Terrace", City: "Springfield", Region: "IL", PostalCode: "62704", Country: "USA"}
	if got := f.record("ada@example.com").Address; got != want || !strings.Contains(r.Text(), "Your postal address is now: 742 Evergreen Terrace") {
		t.Fatalf("record %+v, reply %+v", got, r)
	}
}

// Missing and invalid values are asked for (the invalid one cleared, never echoed);
// nothing is written and no question asked until the value is valid. The email is
// not a field that can be changed.
func TestUpdateCustomerPrompts(t *testing.T) {
	t.Parallel()
	f := newFake()
	s := updateSvc(f, nil)
	email := map[string]string{"email": "ada@example.com"}
	for _, c := range []struct {
		name  string
		slots map[string]string
		slot  string
		says  string
		clear bool
	}{
		{"no field", email, SlotField, "phone number or your postal address", false},
		{"email is no field", with(email, "field", "email"), SlotField, "your email address stays", true},
		{"phone missing", with(email, "field", "Telefon"), SlotNewValue, "country code", false},
		{"national number", with(email, "field", "phone", "new_value", "020 7946 0958"), SlotNewValue, "doesn't look like a phone number", true},
		{"letters in a phone", with(email, "field", "phone", "new_value", "+44 20 CALL ME"), SlotNewValue, "doesn't look like a phone number", true},
		{"address missing", with(email, "field", "address"), SlotNewValue, "separated by commas", false},
		{"address without parts", with(email, "field", "address", "new_value", "somewhere in Paris"), SlotNewValue, "couldn't read that as an address", true},
		{"neither", with(email, "new_value", "call me maybe"), SlotField, "phone number or your postal address", true},
		{"bad answer to the question", with(newPhone, "confirm", "perhaps"), SlotConfirm, "answer yes", true},
	} {
		r := s.Handle(context.Background(), ada(c.slots))
		if r.Outcome != conversation.OutcomeElicitSlot || r.SlotToElicit != c.slot || !strings.Contains(r.Text(), c.says) {
			t.Errorf("%s: %+v, want %s asked with %q", c.name, r, c.slot, c.says)
		}
		if _, cleared := r.SetSlots[c.slot]; c.slot != SlotField && cleared != c.clear {
			t.Errorf("%s: set slots %v, cleared %v", c.name, r.SetSlots, c.clear)
		}
		if v := c.slots["new_value"]; v != "" && strings.Contains(r.Text(), v) {
			t.Errorf("%s: the invalid value is echoed: %q", c.name, r.Text())
		}
	}
	if n := f.updates.Load(); n != 0 {
		t.Errorf("prompts wrote %d times", n)
	}
}

// A signed-in caller naming another email in the slot still only changes their own
// record (the confirmation is about theirs); the other record is untouched.
func TestUpdateCustomerOnlyTheCallersOwnRecord(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.customers["bob@example.com"] = connector.Customer{ID: "c2", Email: "bob@example.com", FirstName: "Bob", Phone: "+15550100"}
	s := updateSvc(f, nil)
	slots := with(newPhone, "email", "bob@example.com", "confirm", "yes")
	r := s.Handle(context.Background(), ada(slots))
	if r.Outcome != conversation.OutcomeFulfilled || strings.Contains(r.Text(), "Bob") {
		t.Fatalf("%+v", r)
	}
	if f.record("bob@example.com").Phone != "+15550100" || f.record("ada@example.com").Phone != "+442079460958" {
		t.Errorf("bob %+v, ada %+v", f.record("bob@example.com"), f.record("ada@example.com"))
	}
}

// A caller who proved nothing learns nothing and changes nothing: the neutral answer
// without codes, a code offer (the same for every address) with them, and
// identity.open_intents never opens the write.
func TestUpdateCustomerUnverified(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	slots := with(newPhone, "confirm", "yes")
	for _, email := range []string{"ada@example.com", "nobody@example.com"} {
		slots := with(slots, "email", email)
		r := newRig(t, false)
		f := newFake()
		r.rebuild(func(d *Deps) { d.Updater = f })
		neutral := r.s.Handle(ctx, anon(UpdateCustomer, "s1", slots))
		r.rebuild(func(d *Deps) { d.Access.Open = func(in conversation.Intent) bool { return in == UpdateCustomer } })
		open := r.s.Handle(ctx, anon(UpdateCustomer, "s1", slots))
		for _, rep := range []conversation.Reply{neutral, open} {
			if !strings.Contains(rep.Text(), "only change contact details for the account holder") {
				t.Errorf("%s: %+v", email, rep)
			}
			for _, p := range personal {
				if strings.Contains(rep.Text(), p) {
					t.Errorf("%s: reply says %q: %s", email, p, rep.Text())
				}
			}
		}
		if n := f.updates.Load(); n != 0 {
			t.Errorf("%s: an anonymous caller wrote %d times", email, n)
		}

		rc := newRig(t, true)
		rc.rebuild(func(d *Deps) { d.Updater = f })
		offer := rc.s.Handle(ctx, anon(UpdateCustomer, "s1", slots))
		if offer.SlotToElicit != SlotVerificationCode || strings.Contains(offer.Text(), "Ada") || f.updates.Load() != 0 {
			t.Errorf("%s: code offer %+v", email, offer)
		}
	}
}

// A one-time code proves the caller; the change is then asked for and written for the
// proven email.
func TestUpdateCustomerAfterCode(t *testing.T) {
	t.Parallel()
	r := newRig(t, true)
	f := newFake()
	r.rebuild(func(d *Deps) { d.Updater = f })
	ctx := context.Background()
	slots := with(newPhone, "confirm", "yes")
	r.s.Handle(ctx, anon(UpdateCustomer, "s1", slots))
	code := r.mail.last("ada@example.com")
	rep := r.s.Handle(ctx, anon(UpdateCustomer, "s1", with(slots, "verification_code", code)))
	if rep.Outcome != conversation.OutcomeFulfilled || f.record("ada@example.com").Phone != "+442079460958" {
		t.Fatalf("%+v, record %+v", rep, f.record("ada@example.com"))
	}
	if v, ok := rep.SetSlots[SlotVerificationCode]; !ok || v != nil {
		t.Errorf("the code slot is not cleared: %v", rep.SetSlots)
	}
}

// The audit event names the fields changed and holds none of their values.
func TestUpdateCustomerAuditHasFieldsNotValues(t *testing.T) {
	t.Parallel()
	r := newRig(t, false)
	f := newFake()
	r.rebuild(func(d *Deps) { d.Updater = f })
	slots := map[string]string{"email": "ada@example.com", "new_value": "221B Baker Street, London NW1 6XE, United Kingdom", "confirm": "yes"}
	r.s.Handle(context.Background(), ada(slots))
	evs := r.trail.take()
	if len(evs) != 1 || evs[0].Outcome != AuditUpdated || strings.Join(evs[0].Fields, ",") != "address" || evs[0].Intent != "update_customer" {
		t.Fatalf("events %+v", evs)
	}
	b, _ := json.Marshal(evs[0])
	for _, v := range []string{"Baker", "London", "NW1", "Kingdom", "ada@"} {
		if strings.Contains(string(b), v) {
			t.Errorf("audit event holds %q: %s", v, b)
		}
	}
	// A question and a no touch nothing: no event.
	r.s.Handle(context.Background(), ada(with(slots, "confirm", "")))
	r.s.Handle(context.Background(), ada(with(slots, "confirm", "no")))
	if evs := r.trail.take(); len(evs) != 0 {
		t.Errorf("events for turns that wrote nothing: %+v", evs)
	}
}

// A CRM that does not answer in time leaves the outcome unknown: the reply says so,
// never "changed", and marks itself unconfirmed for the idempotency layer.
func TestUpdateCustomerTimeoutIsUnknown(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.delay = time.Second
	s := updateSvc(f, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	r := s.Handle(ctx, ada(with(newPhone, "confirm", "yes")))
	if !r.Unconfirmed || r.Outcome != conversation.OutcomeFailed || !strings.Contains(r.Text(), "couldn't confirm whether") ||
		strings.Contains(r.Text(), "is now") {
		t.Fatalf("%+v", r)
	}
	f.delay, f.err = 0, &connector.Error{Kind: connector.KindInvalidInput, Tool: "fake"}
	if r := s.Handle(context.Background(), ada(with(newPhone, "confirm", "yes"))); r.Unconfirmed ||
		!strings.Contains(r.Text(), "didn't accept that change, so nothing was changed") {
		t.Errorf("refused: %+v", r)
	}
	f.err = connector.ErrUnsupported
	if r := s.Handle(context.Background(), ada(with(newPhone, "confirm", "yes"))); r.Unconfirmed ||
		!strings.Contains(r.Text(), "change your contact details") {
		t.Errorf("a CRM that cannot update: %+v", r)
	}
	f.err = nil
	if r := New(Deps{SupportEmail: "help@example.com"}).Handle(context.Background(), ada(with(newPhone, "confirm", "yes"))); !strings.Contains(r.Text(), "change your contact details") {
		t.Errorf("no CRM: %+v", r)
	}
}

// UpdateWrite resolves an earlier attempt by reading the record back: found (and
// worded as made) only when the record holds every value; otherwise unknown. Only a
// yes turn has a subject.
func TestUpdateWriteReadsBack(t *testing.T) {
	t.Parallel()
	f := newFake()
	s := updateSvc(f, nil)
	w := s.Writes()(UpdateCustomer)
	ctx := context.Background()
	yes := ada(with(newPhone, "confirm", "yes"))
	if w.Subject(ada(newPhone)) != "" || w.Subject(ada(with(newPhone, "confirm", "no"))) != "" || w.Subject(yes) == "" {
		t.Errorf("subjects: question %q, no %q, yes %q", w.Subject(ada(newPhone)), w.Subject(ada(with(newPhone, "confirm", "no"))), w.Subject(yes))
	}
	if w.ExternalID(yes) == w.ExternalID(ada(with(newPhone, "confirm", "yes", "new_value", "+33 1 23 45 67 89"))) && yes.TurnID == "" {
		t.Error("different changes share an external id")
	}
	if _, found, err := w.Lookup(ctx, yes, w.ExternalID(yes)); found || err != nil {
		t.Fatalf("a record without the change found: %v %v", found, err)
	}
	if u := w.Unconfirmed(yes); !u.Unconfirmed || !strings.Contains(u.Text(), "still can't tell") {
		t.Errorf("unconfirmed: %+v", u)
	}
	f.customers["ada@example.com"] = with2(f.customers["ada@example.com"], "+442079460958")
	r, found, err := w.Lookup(ctx, yes, w.ExternalID(yes))
	if !found || err != nil || !strings.Contains(r.Text(), "Your change was made. Your phone number is now \u2060+442079460958.") {
		t.Fatalf("%v %v %+v", found, err, r)
	}
	// Someone not proven on this turn does not read the record back.
	anonYes := yes
	anonYes.Caller = conversation.Caller{}
	if _, found, _ := w.Lookup(ctx, anonYes, ""); found {
		t.Error("an anonymous turn read the record back")
	}
	if n := f.updates.Load(); n != 0 {
		t.Errorf("resolving wrote %d times", n)
	}
}

func with2(c connector.Customer, phone string) connector.Customer { c.Phone = phone; return c }

// Text a caller typed comes back inert: markup in a street name is no markup in the
// question nor in the answer.
func TestUpdateCustomerHostileValues(t *testing.T) {
	t.Parallel()
	f := newFake()
	s := updateSvc(f, nil)
	slots := map[string]string{"email": "ada@example.com", "field": "address",
		"new_value": "<img src=x onerror=alert(1)> [Reset](https://evil.example/login) 5, 75001 Paris, France"}
	for _, r := range []conversation.Reply{s.Handle(context.Background(), ada(slots)),
		s.Handle(context.Background(), ada(with(slots, "confirm", "yes")))} {
		for _, bad := range []string{"<img", "](", "https://evil"} {
			if strings.Contains(r.Text(), bad) {
				t.Errorf("reply carries %q: %s", bad, r.Text())
			}
		}
	}
	if !strings.Contains(f.record("ada@example.com").Address.Street, "<img") {
		t.Errorf("the street is stored as typed (data, not rewritten): %+v", f.record("ada@example.com").Address)
	}
}

// writeOnly is a CRM that updates but cannot read.
type writeOnly struct{ f *fake }

func (w writeOnly) UpdateCustomer(ctx context.Context, email string, ch connector.ContactChange) (connector.Customer, error) {
	return w.f.UpdateCustomer(ctx, email, ch)
}

// The read-back goes to Deps.Records (the CRM outside the read cache) when set; an
// Updater that cannot read, without Records, leaves the outcome unknown.
func TestUpdateWriteReadsBackThroughRecords(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.customers["ada@example.com"] = with2(f.customers["ada@example.com"], "+442079460958")
	yes := ada(with(newPhone, "confirm", "yes"))
	s := New(Deps{Updater: writeOnly{f}, SupportEmail: "help@example.com"})
	if _, found, err := s.Writes()(UpdateCustomer).Lookup(context.Background(), yes, ""); found || !errors.Is(err, connector.ErrUnsupported) {
		t.Errorf("without a directory: found %v, err %v", found, err)
	}
	s = New(Deps{Updater: writeOnly{f}, Records: f, SupportEmail: "help@example.com"})
	if _, found, err := s.Writes()(UpdateCustomer).Lookup(context.Background(), yes, ""); !found || err != nil {
		t.Errorf("through Records: found %v, err %v", found, err)
	}
}
