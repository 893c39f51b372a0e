package intents

import (
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/i18n"
)

// OrDefault is s, or def when s is blank.
func OrDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// PaymentStatus names a payment status in the reply's language; a status the model does
// not know is shown as the tool gave it to a person, and as unknown to a model (the
// payment record says "unknown" too).
func (s Answer) PaymentStatus(st connector.PaymentStatus) string {
	switch st {
	case "":
		return s.p.T("payment_status.unknown")
	case connector.PaymentPaid:
		return s.p.T("payment_status.paid")
	case connector.PaymentPending:
		return s.p.T("payment_status.pending")
	case connector.PaymentFailed:
		return s.p.T("payment_status.failed")
	case connector.PaymentRefunded:
		return s.p.T("payment_status.refunded")
	}
	if s.agent {
		return s.p.T("payment_status.unknown")
	}
	return data(string(st))
}

// TicketPriority names a ticket's priority as the helpdesk gave it (asked when it
// gave none). A priority the answers do not know is shown as the helpdesk gave it to
// a person; to a model, the priority the ticket was filed with (no record holds the
// helpdesk's word).
func (s Answer) TicketPriority(held, asked connector.Priority) string {
	pr := connector.Priority(OrDefault(string(held), string(asked)))
	if s.agent && !knownPriority(pr) {
		pr = asked
	}
	return s.priorityWord(pr)
}

// Money is an amount in a currency. A currency code that is not three letters is text
// the tool gave, which a model reads only as the payment record's fields.
func (s Answer) Money(minor int64, code string) string {
	switch {
	case isoCode(code):
		return s.p.Money(minor, code)
	case s.agent:
		return Ref("payment.amount") + " " + Ref("payment.currency")
	}
	return s.p.Money(minor, data(code))
}

// isoCode reports whether c is three ASCII letters (an ISO 4217 code's shape).
func isoCode(c string) bool {
	c = strings.TrimSpace(c)
	if len(c) != 3 {
		return false
	}
	for _, r := range c {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
			return false
		}
	}
	return true
}

// priorityWord names a ticket priority in the reply's language; one the answers do
// not know is the helpdesk's text, inert.
func (s Answer) priorityWord(pr connector.Priority) string {
	if knownPriority(pr) {
		return s.p.T("priority." + string(pr))
	}
	return data(string(pr))
}

func knownPriority(pr connector.Priority) bool {
	switch pr {
	case connector.PriorityLow, connector.PriorityNormal, connector.PriorityHigh, connector.PriorityUrgent:
		return true
	}
	return false
}

// PaymentData is a payment as a record (conversation.Data): the amount as a decimal,
// the status one the answers know or "unknown", the day in UTC; ref is the reference
// the answer names ("" when it names none).
func PaymentData(p connector.Payment, ref string) *conversation.PaymentData {
	out := PaymentRecord(p, ref)
	return &out
}

// PaymentRecord is PaymentData as a value, for a handler that allocates the reply's
// records together.
func PaymentRecord(p connector.Payment, ref string) conversation.PaymentData {
	out := conversation.PaymentData{Reference: ref, Amount: i18n.Decimal(p.Amount, p.Currency),
		Currency: strings.ToUpper(strings.TrimSpace(p.Currency)), Status: "unknown"}
	switch p.Status {
	case connector.PaymentPaid, connector.PaymentPending, connector.PaymentFailed, connector.PaymentRefunded:
		out.Status = string(p.Status)
	}
	if !p.CreatedAt.IsZero() {
		out.Date = p.CreatedAt.UTC().Format(time.DateOnly)
	}
	return out
}
