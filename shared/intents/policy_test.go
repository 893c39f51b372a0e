package intents_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/identity"
	. "github.com/switchboard-dev/switchboard/shared/intents"
	"github.com/switchboard-dev/switchboard/shared/store/memstore"
)

// mailbox is a Mailer that keeps what it was asked to send (the SES path is tested on
// moto in tests/identity_test.go).
type mailbox struct {
	mu   sync.Mutex
	sent map[string][]string
}

func (m *mailbox) SendCode(_ context.Context, to, code string, _ time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sent == nil {
		m.sent = map[string][]string{}
	}
	m.sent[to] = append(m.sent[to], code)
	return nil
}

func (m *mailbox) last(to string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c := m.sent[to]; len(c) > 0 {
		return c[len(c)-1]
	}
	return ""
}

type trail struct {
	mu     sync.Mutex
	events []identity.Event
	fail   error // every Record fails with it when set (a full disk, CloudWatch down)
}

func (t *trail) Record(_ context.Context, e identity.Event) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.fail != nil {
		return t.fail
	}
	t.events = append(t.events, e)
	return nil
}

func (t *trail) take() []identity.Event {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := t.events
	t.events = nil
	return out
}

type policyRig struct {
	s     *Service
	d     Deps  // what s is built from
	f     *fake // every tool of s
	mail  *mailbox
	trail *trail
	now   time.Time
	clock func() time.Time
}

func newRig(t *testing.T, withCodes bool) *policyRig {
	t.Helper()
	r := &policyRig{mail: &mailbox{}, trail: &trail{}, now: day1.Add(time.Hour)}
	var mu sync.Mutex
	r.clock = func() time.Time { mu.Lock(); defer mu.Unlock(); return r.now }
	// A code offer's fixed time is tested on its own (TestCodeOfferTakesItsFixedTime).
	acc := &Access{Audit: r.trail, HashSession: func(s string) string { return "h-" + s[:1] }, OfferTime: time.Nanosecond}
	if withCodes {
		acc.Codes = identity.NewCodes(memstore.New(r.clock), identity.CodeOptions{Now: r.clock})
		acc.Mailer = r.mail
	}
	f := newFake()
	r.f = f
	r.d = Deps{Customers: f, Tickets: f, Payments: f, KB: f, SupportEmail: "help@example.com", Now: r.clock, Access: acc}
	r.s = New(r.d)
	return r
}

// rebuild replaces the rig's service with one over its deps as adjust changes them
// (its code store, mailbox, trail and tools stay).
func (r *policyRig) rebuild(adjust func(*Deps)) {
	adjust(&r.d)
	r.s = New(r.d)
}

var turnSeq atomic.Int64

func anon(in conversation.Intent, session string, slots map[string]string) conversation.Turn {
	return conversation.Turn{Platform: conversation.LexV2, Intent: in, Slots: slots, SessionID: session,
		TurnID: fmt.Sprintf("turn-%d", turnSeq.Add(1)), Phase: conversation.PhaseFulfill}
}

// personal is what an anonymous or other caller must never see about Ada or Bob.
var personal = []string{"Ada", "Lovelace", "Analytical", "Enterprise", "ticket", "49.00", "USD", "paid", "Bob", "refunded"}

func TestAnonymousCallersLearnNothing(t *testing.T) {
	t.Parallel()
	for _, codes := range []bool{false, true} {
		r := newRig(t, codes)
		for _, in := range []conversation.Intent{conversation.LookupCustomer, conversation.VerifyPayment} {
			var replies []string
			for i, email := range []string{"ada@example.com", "nobody@example.com"} {
				slots := map[string]string{"email": email}
				if in == conversation.VerifyPayment {
					slots["payment_reference"] = "pi_demo_ada_1"
				}
				rep := r.s.Handle(context.Background(), anon(in, "s"+string(rune('a'+i)), slots))
				replies = append(replies, rep.Text())
				for _, p := range personal {
					if strings.Contains(rep.Text(), p) {
						t.Errorf("codes=%v %s %s: anonymous reply reveals %q: %s", codes, in, email, p, rep.Text())
					}
				}
				if codes && (rep.Outcome != conversation.OutcomeElicitSlot || rep.SlotToElicit != SlotVerificationCode) {
					t.Errorf("codes on: %s should ask for the code, got %+v", in, rep)
				}
			}
			if replies[0] != replies[1] {
				t.Errorf("codes=%v %s: known and unknown emails read differently:\n%s\n%s", codes, in, replies[0], replies[1])
			}
			ev := r.trail.take()
			if len(ev) != 2 {
				t.Fatalf("codes=%v %s: %d audit events, want 2", codes, in, len(ev))
			}
			want := "refused_unverified"
			if codes {
				want = "code_sent"
			}
			if ev[0].Outcome != want || ev[0].Verification != "none" {
				t.Errorf("codes=%v %s: event %+v, want outcome %s", codes, in, ev[0], want)
			}
		}
		if codes {
			if r.mail.last("ada@example.com") == "" || r.mail.last("nobody@example.com") != "" {
				t.Errorf("a code goes to an account's email only: %v", r.mail.sent)
			}
		}
	}
}

func TestVerifiedCallerAskingAboutAnotherEmail(t *testing.T) {
	t.Parallel()
	r := newRig(t, false)
	bob := conversation.Caller{Method: conversation.VerifiedToken, Email: "bob@example.com"}
	ask := func(in conversation.Intent, email string) string {
		slots := map[string]string{"email": email, "payment_reference": "pi_demo_ada_1"}
		tn := anon(in, "s1", slots)
		tn.Caller = bob
		return r.s.Handle(context.Background(), tn).Text()
	}
	other, unknown := ask(conversation.LookupCustomer, "ada@example.com"), ask(conversation.LookupCustomer, "nobody@example.com")
	if other != unknown {
		t.Errorf("another customer's email and an unknown one read differently:\n%s\n%s", other, unknown)
	}
	for _, p := range personal {
		if strings.Contains(other, p) {
			t.Errorf("reveals %q: %s", p, other)
		}
	}
	if p := ask(conversation.VerifyPayment, "ada@example.com"); strings.Contains(p, "paid") || strings.Contains(p, "49.00") {
		t.Errorf("payment of another email answered: %s", p)
	}
	ev := r.trail.take()
	if len(ev) != 3 || ev[0].Outcome != "refused_other_customer" || ev[1].Outcome != "refused_other_customer" ||
		ev[2].Outcome != "refused_other_customer" || ev[0].Verification != "token" {
		t.Errorf("events %+v", ev)
	}
}

func TestRefusedTokenGetsTheNeutralAnswer(t *testing.T) {
	t.Parallel()
	r := newRig(t, true)
	for _, reason := range []string{identity.RefusedExpired, identity.RefusedSignature, identity.RefusedAudience} {
		tn := anon(conversation.LookupCustomer, "s1", map[string]string{"email": "ada@example.com"})
		tn.Caller = conversation.Caller{Method: conversation.VerifiedNone, Refused: reason}
		rep := r.s.Handle(context.Background(), tn)
		if rep.Outcome != conversation.OutcomeFulfilled || !strings.Contains(rep.Text(), "can only share account details") {
			t.Errorf("%s: %+v", reason, rep)
		}
		ev := r.trail.take()
		if len(ev) != 1 || ev[0].Outcome != "token_"+reason {
			t.Errorf("%s: events %+v", reason, ev)
		}
	}
	if len(r.mail.sent) != 0 {
		t.Errorf("a refused token must not trigger a code: %v", r.mail.sent)
	}
}

func TestCodeFlow(t *testing.T) {
	t.Parallel()
	r := newRig(t, true)
	ctx := context.Background()
	ada := map[string]string{"email": "ada@example.com"}
	with := func(code string) map[string]string {
		return map[string]string{"email": "ada@example.com", "verification_code": code}
	}
	r.s.Handle(ctx, anon(conversation.LookupCustomer, "s1", ada))
	code := r.mail.last("ada@example.com")
	if len(code) != 6 {
		t.Fatalf("code %q", code)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	// A code from another session is refused (and uses up that session's nothing).
	if rep := r.s.Handle(ctx, anon(conversation.LookupCustomer, "s2", with(code))); rep.SlotToElicit != SlotVerificationCode ||
		strings.Contains(rep.Text(), "Ada") {
		t.Fatalf("code from another session accepted: %+v", rep)
	}
	// Two wrong tries re-ask; the right one answers in full and clears the slot.
	for i := 0; i < 2; i++ {
		rep := r.s.Handle(ctx, anon(conversation.LookupCustomer, "s1", with(wrong)))
		if rep.SlotToElicit != SlotVerificationCode || !strings.Contains(rep.Text(), "isn't right") {
			t.Fatalf("wrong code %d: %+v", i, rep)
		}
	}
	rep := r.s.Handle(ctx, anon(conversation.LookupCustomer, "s1", with(code)))
	if !strings.Contains(rep.Text(), "Ada Lovelace") {
		t.Fatalf("right code: %+v", rep)
	}
	if v, ok := rep.SetSlots[SlotVerificationCode]; !ok || v != nil {
		t.Errorf("the code slot is not cleared: %v", rep.SetSlots)
	}
	// A code is single-use.
	if rep := r.s.Handle(ctx, anon(conversation.LookupCustomer, "s1", with(code))); strings.Contains(rep.Text(), "Ada") {
		t.Errorf("a used code answered again: %+v", rep)
	}
	outcomes := func() []string {
		var o []string
		for _, e := range r.trail.take() {
			o = append(o, e.Outcome+"/"+e.Verification)
			b, _ := json.Marshal(e)
			for _, p := range []string{"ada@", "Ada", "Lovelace", code} {
				if strings.Contains(string(b), p) {
					t.Errorf("audit event holds %q: %s", p, b)
				}
			}
		}
		return o
	}
	if got := strings.Join(outcomes(), " "); got != "code_sent/none code_wrong/none code_wrong/none code_wrong/none answered/code code_wrong/none" {
		t.Errorf("audit outcomes: %s", got)
	}

	// Third wrong attempt ends the code.
	r.s.Handle(ctx, anon(conversation.LookupCustomer, "s3", ada))
	code = r.mail.last("ada@example.com")
	wrong = "000000"
	if code == wrong {
		wrong = "111111"
	}
	for i := 0; i < 2; i++ {
		r.s.Handle(ctx, anon(conversation.LookupCustomer, "s3", map[string]string{"email": "ada@example.com", "verification_code": wrong + string(rune('a'+i))}))
	}
	rep = r.s.Handle(ctx, anon(conversation.LookupCustomer, "s3", with(wrong)))
	if !strings.Contains(rep.Text(), "last try") {
		t.Fatalf("third wrong try: %+v", rep)
	}
	if rep := r.s.Handle(ctx, anon(conversation.LookupCustomer, "s3", with(code))); strings.Contains(rep.Text(), "Ada") {
		t.Errorf("4th attempt with the right code accepted: %+v", rep)
	}
	outcomes()

	// An expired code is refused; a fourth code to one email from one conversation in
	// an hour is not sent, while another conversation still gets its code.
	r.s.Handle(ctx, anon(conversation.LookupCustomer, "s4", ada))
	code = r.mail.last("ada@example.com")
	r.now = r.now.Add(5*time.Minute + time.Second)
	if rep := r.s.Handle(ctx, anon(conversation.LookupCustomer, "s4", with(code))); strings.Contains(rep.Text(), "Ada") {
		t.Errorf("expired code accepted: %+v", rep)
	}
	outcomes()
	r.s.Handle(ctx, anon(conversation.LookupCustomer, "s4", ada))
	r.s.Handle(ctx, anon(conversation.LookupCustomer, "s4", ada))
	rep = r.s.Handle(ctx, anon(conversation.LookupCustomer, "s4", ada))
	if !strings.Contains(rep.Text(), "as many codes") || len(r.mail.sent["ada@example.com"]) != 5 {
		t.Errorf("fourth code in an hour from one conversation: %+v (%d sent)", rep, len(r.mail.sent["ada@example.com"]))
	}
	if other := r.s.Handle(ctx, anon(conversation.LookupCustomer, "s5", ada)); other.SlotToElicit != SlotVerificationCode ||
		len(r.mail.sent["ada@example.com"]) != 6 {
		t.Errorf("another conversation after one used up its codes: %+v (%d sent)", other, len(r.mail.sent["ada@example.com"]))
	}
	outcomes()
	var unknown conversation.Reply
	for i := 0; i < 4; i++ {
		unknown = r.s.Handle(ctx, anon(conversation.LookupCustomer, "s6", map[string]string{"email": "nobody@example.com"}))
	}
	if unknown.Text() != rep.Text() {
		t.Errorf("the hourly limit reads differently for an unknown email:\n%s\n%s", unknown.Text(), rep.Text())
	}
	if got := outcomes(); got[len(got)-1] != "code_rate_limited/none" {
		t.Errorf("outcomes %v", got)
	}
}

func TestCreateTicketPolicy(t *testing.T) {
	t.Parallel()
	r := newRig(t, false)
	f := r.f
	tn := anon(conversation.CreateTicket, "s1", map[string]string{"email": "ada@example.com", "subject": "Printer on fire"})
	rep := r.s.Handle(context.Background(), tn)
	if rep.Outcome != conversation.OutcomeFulfilled {
		t.Fatalf("%+v", rep)
	}
	for _, p := range personal[:4] {
		if strings.Contains(rep.Text(), p) {
			t.Errorf("reply reveals %q: %s", p, rep.Text())
		}
	}
	tn = anon(conversation.CreateTicket, "s2", map[string]string{"email": "someone@example.com", "subject": "Printer on fire"})
	tn.Caller = conversation.Caller{Method: conversation.VerifiedToken, Email: "bob@example.com"}
	r.s.Handle(context.Background(), tn)
	f.mu.Lock()
	filed := f.filed
	f.mu.Unlock()
	if len(filed) != 2 || !strings.HasPrefix(filed[0].Description, identity.UnverifiedNote) || filed[0].RequesterEmail != "ada@example.com" {
		t.Errorf("anonymous ticket not marked unverified: %+v", filed)
	}
	if len(filed) == 2 && (filed[1].RequesterEmail != "bob@example.com" || strings.Contains(filed[1].Description, identity.UnverifiedNote)) {
		t.Errorf("verified ticket not filed for the verified customer: %+v", filed[1])
	}
	ev := r.trail.take()
	if len(ev) != 2 || ev[0].Outcome != "created_unverified" || ev[1].Outcome != "created" || ev[1].Verification != "token" {
		t.Errorf("events %+v", ev)
	}
}

// Without a customer directory (the verifypayment function) a code goes to any address:
// the words are the same, and the hourly limit still holds.
func TestCodeWithoutCustomerDirectory(t *testing.T) {
	t.Parallel()
	r := newRig(t, true)
	r.rebuild(func(d *Deps) { d.Customers = nil })
	slots := map[string]string{"email": "someone@example.com", "payment_reference": "pi_demo_ada_1"}
	rep := r.s.Handle(context.Background(), anon(conversation.VerifyPayment, "s1", slots))
	if rep.SlotToElicit != SlotVerificationCode || r.mail.last("someone@example.com") == "" {
		t.Fatalf("%+v %v", rep, r.mail.sent)
	}
	if ev := r.trail.take(); len(ev) != 1 || ev[0].Outcome != "code_sent" || ev[0].Tool != "identity" {
		t.Errorf("events %+v", ev)
	}
}

// A code pepper that cannot be had (the secret store down) fails the code step
// honestly: known and unknown emails get the same apology with the manual
// alternative, no code is offered or mailed, and a typed code is not checked.
func TestCodePepperUnavailableIsAnHonestApology(t *testing.T) {
	t.Parallel()
	r := newRig(t, true)
	r.rebuild(func(d *Deps) {
		d.Access.Codes = identity.NewCodes(memstore.New(r.clock), identity.CodeOptions{Now: r.clock,
			PepperFunc: func(context.Context) (string, error) { return "", errors.New("secrets manager down") }})
	})
	for _, in := range []conversation.Intent{conversation.LookupCustomer, conversation.VerifyPayment} {
		var replies []string
		for i, email := range []string{"ada@example.com", "nobody@example.com"} {
			for _, code := range []string{"", "123456"} {
				slots := map[string]string{"email": email}
				if in == conversation.VerifyPayment {
					slots["payment_reference"] = "pi_demo_ada_1"
				}
				what := "send a verification code"
				if code != "" {
					slots[SlotVerificationCode], what = code, "check your code"
				}
				rep := r.s.Handle(context.Background(), anon(in, "p"+string(rune('a'+i)), slots))
				if rep.Outcome != conversation.OutcomeFailed || rep.SlotToElicit != "" ||
					!strings.Contains(rep.Text(), "can't "+what) || !strings.Contains(rep.Text(), "help@example.com") {
					t.Errorf("%s %s code=%q: want the apology with the manual alternative, got %+v", in, email, code, rep)
				}
				if code == "" {
					replies = append(replies, rep.Text())
				}
			}
		}
		if replies[0] != replies[1] {
			t.Errorf("%s: known and unknown emails read differently:\n%s\n%s", in, replies[0], replies[1])
		}
		for _, e := range r.trail.take() {
			if e.Outcome != "code_store_unavailable" {
				t.Errorf("%s: audit outcome %s, want code_store_unavailable", in, e.Outcome)
			}
		}
	}
	if len(r.mail.sent) != 0 {
		t.Errorf("mail sent without a pepper: %v", r.mail.sent)
	}
}

// An answer that shows customer data goes out only with its audit event written: when
// the trail cannot be written (a full disk, CloudWatch down) the caller gets the honest
// "can't look that up right now" instead. A write that has happened is still told.
func TestAuditFailureWithholdsDisclosure(t *testing.T) {
	t.Parallel()
	ada := conversation.Caller{Method: conversation.VerifiedToken, Email: "ada@example.com"}
	ask := func(r *policyRig, in conversation.Intent, slots map[string]string) conversation.Reply {
		tn := anon(in, "s1", slots)
		tn.Caller = ada
		return r.s.Handle(context.Background(), tn)
	}
	lookup := map[string]string{"email": "ada@example.com"}
	payment := map[string]string{"email": "ada@example.com", "payment_reference": "pi_demo_ada_1"}
	ticket := map[string]string{"email": "ada@example.com", "subject": "Printer on fire"}

	ok := newRig(t, false)
	if rep := ask(ok, conversation.LookupCustomer, lookup); !strings.Contains(rep.Text(), "Lovelace") {
		t.Fatalf("with the trail up the owner's lookup is answered in full: %s", rep.Text())
	}
	if rep := ask(ok, conversation.VerifyPayment, payment); !strings.Contains(rep.Text(), "paid") {
		t.Fatalf("with the trail up the owner's payment check is answered in full: %s", rep.Text())
	}

	down := newRig(t, false)
	down.trail.fail = errors.New("write audit.jsonl: no space left on device")
	for in, slots := range map[conversation.Intent]map[string]string{conversation.LookupCustomer: lookup, conversation.VerifyPayment: payment} {
		rep := ask(down, in, slots)
		for _, p := range personal {
			if strings.Contains(rep.Text(), p) {
				t.Errorf("%s with the trail down reveals %q: %s", in, p, rep.Text())
			}
		}
		if rep.Outcome != conversation.OutcomeFailed || !strings.Contains(rep.Text(), "help@example.com") {
			t.Errorf("%s with the trail down: want the honest apology with the support address, got %+v", in, rep)
		}
	}
	if rep := ask(down, conversation.CreateTicket, ticket); rep.Outcome != conversation.OutcomeFulfilled {
		t.Errorf("a ticket filed while the trail is down is still confirmed (it exists): %+v", rep)
	}
}

// A code offer to an unproven caller is answered no sooner than Access.OfferTime after
// it began, for a known and an unknown address alike (the mail sent for the known one
// is inside that time). Only the lower bound is tested: that the time is the same for
// both is measured (`make oracle`), never asserted on a clock.
func TestCodeOfferTakesItsFixedTime(t *testing.T) {
	t.Parallel()
	r := newRig(t, true)
	r.rebuild(func(d *Deps) { d.Access.OfferTime = 40 * time.Millisecond })
	for i, email := range []string{"ada@example.com", "nobody@example.com"} {
		start := time.Now()
		rep := r.s.Handle(context.Background(), anon(conversation.LookupCustomer, fmt.Sprintf("pad-%d", i), map[string]string{"email": email}))
		if took := time.Since(start); took < r.d.Access.OfferTime {
			t.Errorf("%s: the code offer took %s, less than its fixed %s", email, took, r.d.Access.OfferTime)
		}
		if rep.SlotToElicit != SlotVerificationCode {
			t.Fatalf("%s: %+v", email, rep)
		}
	}
	if len(r.mail.sent["ada@example.com"]) != 1 || len(r.mail.sent["nobody@example.com"]) != 0 {
		t.Errorf("mail sent: %v", r.mail.sent)
	}
}

// AccountProbe makes a missing account an answer (an empty customer), not an error,
// and passes every other outcome through.
func TestAccountProbe(t *testing.T) {
	t.Parallel()
	p := AccountProbe(newFake())
	if c, err := p.FindCustomerByEmail(context.Background(), "nobody@example.com"); err != nil || c != (connector.Customer{}) {
		t.Errorf("unknown address: %+v, %v", c, err)
	}
	if c, err := p.FindCustomerByEmail(context.Background(), "ada@example.com"); err != nil || c.ID == "" {
		t.Errorf("known address: %+v, %v", c, err)
	}
}
