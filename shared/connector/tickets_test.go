package connector

import (
	"errors"
	"testing"
)

func TestPriorityValid(t *testing.T) {
	t.Parallel()
	for _, p := range []Priority{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent} {
		if !p.Valid() {
			t.Errorf("%q not valid", p)
		}
	}
	for _, p := range []Priority{"", "medium", "URGENT", " low"} {
		if p.Valid() {
			t.Errorf("%q valid", p)
		}
	}
}

func TestCheckNewTicket(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		email, subject string
		prio           Priority
		wantField      string
		wantText       string
	}{
		{"ok", "ada@example.com", "Printer on fire", PriorityNormal, "", ""},
		{"no email", "", "s", PriorityNormal, "requester_email", "desk create_ticket: invalid input field \"requester_email\": a requester email is required"},
		{"no @", "ada.example.com", "s", PriorityNormal, "requester_email", "desk create_ticket: invalid input field \"requester_email\": the requester email has no @"},
		{"no subject", "ada@example.com", "", PriorityNormal, "subject", "desk create_ticket: invalid input field \"subject\": a subject is required"},
		{"email checked first", "", "", "bogus", "requester_email", "desk create_ticket: invalid input field \"requester_email\": a requester email is required"},
		{"unknown priority", "ada@example.com", "s", "meh", "priority", "desk create_ticket: invalid input field \"priority\": unknown priority \"meh\""},
		{"empty priority", "ada@example.com", "s", "", "priority", "desk create_ticket: invalid input field \"priority\": unknown priority \"\""},
	}
	for _, tc := range tests {
		err := CheckNewTicket("desk", "create_ticket", tc.email, tc.subject, tc.prio)
		if tc.wantField == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindInvalidInput || e.Field != tc.wantField {
			t.Errorf("%s: %#v, want invalid input on %s", tc.name, err, tc.wantField)
			continue
		}
		if err.Error() != tc.wantText {
			t.Errorf("%s: %q, want %q", tc.name, err.Error(), tc.wantText)
		}
	}
}
