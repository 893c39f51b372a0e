package intents_test

import (
	"context"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/identity"
	. "github.com/switchboard-dev/switchboard/shared/intents"
	"github.com/switchboard-dev/switchboard/shared/platform/plaintext"
)

const hostileSubject = "[Reset your password](https://evil.example/login) <img src=x onerror=alert(1)>"

// TestStrangersTicketNeverSpeaks: a ticket a caller filed without proving the email
// is filed with the unverified mark, and the owner's lookup neither quotes it nor
// counts it; it is mentioned as a request filed in chat without sign-in.
func TestStrangersTicketNeverSpeaks(t *testing.T) {
	t.Parallel()
	f := newFake()
	s := svc(f)
	anon := conversation.Turn{Platform: conversation.Rasa, Intent: conversation.CreateTicket, SessionID: "stranger",
		TurnID: "t9", Phase: conversation.PhaseFulfill,
		Slots: map[string]string{SlotEmail: "ada@example.com", SlotSubject: hostileSubject, SlotDescription: "urgent"}}
	if r := s.Handle(context.Background(), anon); r.Outcome != conversation.OutcomeFulfilled {
		t.Fatalf("anonymous create_ticket = %+v", r)
	}
	if len(f.filed) != 1 || !f.filed[0].Unverified || !connector.FiledUnverified(f.filed[0].Description) {
		t.Fatalf("filed %+v: want the unverified mark as a flag and on the description", f.filed)
	}
	// The fake's helpdesk reads the provenance back as every real one does.
	for i := range f.tickets {
		f.tickets[i].Unverified = f.tickets[i].ExternalID == f.filed[0].ExternalID
	}

	r := s.Handle(context.Background(), turn(conversation.LookupCustomer, map[string]string{SlotEmail: "ada@example.com"}))
	text := r.Text()
	for _, bad := range []string{"Reset your password", "evil.example", "onerror", "2 open tickets"} {
		if strings.Contains(text, bad) {
			t.Errorf("owner's lookup quotes or counts the stranger's ticket (%q): %s", bad, text)
		}
	}
	for _, want := range []string{`There is 1 open ticket: #1001 "Invoice copy".`, "a request filed in chat without sign-in"} {
		if !strings.Contains(text, want) {
			t.Errorf("owner's lookup lacks %q: %s", want, text)
		}
	}

	// With only the stranger's ticket, the owner has none of their own.
	f.tickets = f.tickets[1:]
	text = s.Handle(context.Background(), turn(conversation.LookupCustomer, map[string]string{SlotEmail: "ada@example.com"})).Text()
	if !strings.Contains(text, "You have no open tickets of your own.") || strings.Contains(text, "1 open ticket") {
		t.Errorf("lookup with only a stranger's ticket: %s", text)
	}
}

// TestToolTextIsInert: names, subjects, titles and snippets are quoted as inert data;
// a link is kept only when it is https.
func TestToolTextIsInert(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.customers["ada@example.com"] = connector.Customer{ID: "c1", Email: "ada@example.com", FirstName: "<b>Ada</b>",
		LastName: "[x](javascript:alert(1))", Plan: "Pro"}
	f.tickets[0].Subject = hostileSubject
	f.articles = []connector.Article{
		{ID: "1", Title: "Password [help](javascript:alert(1))", Snippet: "See <a href=https://evil.example>this</a>", URL: "javascript:alert(1)"},
		{ID: "2", Title: "Password reset", Snippet: "ok", URL: "http://help.example.com/a/2"},
		{ID: "3", Title: "Password rules", Snippet: "ok", URL: "https://help.example.com/a/3"},
	}
	s := svc(f)
	lookup := s.Handle(context.Background(), turn(conversation.LookupCustomer, map[string]string{SlotEmail: "ada@example.com"})).Text()
	kb := s.Handle(context.Background(), turn(conversation.SearchKB, map[string]string{SlotQuery: "password"}))
	for _, text := range []string{lookup, kb.Text()} {
		for _, bad := range []string{"](", "<b", "<a", "<img", "https://evil", "http://help"} {
			if strings.Contains(text, bad) {
				t.Errorf("reply carries live markup %q: %s", bad, text)
			}
		}
		if !strings.Contains(strings.ReplaceAll(text, plaintext.WordJoiner, ""), "](") {
			t.Errorf("the visible text was lost: %s", text)
		}
	}
	if !strings.Contains(kb.Text(), " https://help.example.com/a/3") {
		t.Errorf("the https article link is missing from the text: %s", kb.Text())
	}
	links := []string{}
	for _, a := range kb.Rich.Articles {
		links = append(links, a.Link)
	}
	if strings.Join(links, ",") != ",,https://help.example.com/a/3" {
		t.Errorf("rich links = %q, want only the https one", links)
	}
}

func TestUnverifiedNoteCarriesTheProvenanceMark(t *testing.T) {
	t.Parallel()
	if !connector.FiledUnverified(identity.UnverifiedNote + "\n\nhelp") {
		t.Fatalf("identity.UnverifiedNote does not start with connector.UnverifiedPrefix %q", connector.UnverifiedPrefix)
	}
}

// TestToolWordsAreInert: a payment status, a currency code or a ticket priority the
// answers have no word for is the tool's text: quoted inert on a chat platform, never
// as markup.
func TestToolWordsAreInert(t *testing.T) {
	t.Parallel()
	const markup = "<B>NOW</B>"
	f := newFake()
	for i := range f.payments {
		f.payments[i].Status, f.payments[i].Currency = connector.PaymentStatus(markup), markup
	}
	for i := range f.tickets {
		f.tickets[i].Priority = connector.Priority(markup)
	}
	s := svc(f)
	for _, tu := range []conversation.Turn{
		turn(conversation.VerifyPayment, map[string]string{SlotEmail: "ada@example.com", SlotPaymentReference: "ORD-1001"}),
		turn(conversation.LookupCustomer, map[string]string{SlotEmail: "ada@example.com"}),
	} {
		tu.Platform = conversation.Rasa
		text := s.Handle(context.Background(), tu).Text()
		if strings.Contains(text, markup) || !strings.Contains(text, plaintext.Inert(markup)) {
			t.Errorf("%s: the tool's word is not inert: %s", tu.Intent, text)
		}
	}
}
