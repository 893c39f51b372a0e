package intents

import (
	"strings"

	"github.com/switchboard-dev/switchboard/shared/connector"
)

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// statusWord names a payment status in the reply's language; a status the model does
// not know is shown as the tool gave it to a person, and as unknown to a model (the
// payment record says "unknown" too).
func (s answer) statusWord(st connector.PaymentStatus) string {
	switch st {
	case "":
		return s.p.T("payment_status.unknown")
	case connector.PaymentPaid, connector.PaymentPending, connector.PaymentFailed, connector.PaymentRefunded:
		return s.p.T("payment_status." + string(st))
	}
	if s.agent {
		return s.p.T("payment_status.unknown")
	}
	return data(string(st))
}

// ticketPriority names a ticket's priority as the helpdesk gave it (asked when it
// gave none). A priority the answers do not know is shown as the helpdesk gave it to
// a person; to a model, the priority the ticket was filed with (no record holds the
// helpdesk's word).
func (s answer) ticketPriority(held, asked connector.Priority) string {
	pr := connector.Priority(orDefault(string(held), string(asked)))
	if s.agent && !knownPriority(pr) {
		pr = asked
	}
	return s.priorityWord(pr)
}

// money is an amount in a currency. A currency code that is not three letters is text
// the tool gave, which a model reads only as the payment record's fields.
func (s answer) money(minor int64, code string) string {
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
func (s answer) priorityWord(pr connector.Priority) string {
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

// oneLine collapses whitespace and cuts s to at most max runes on a word boundary.
func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	cut := string(r[:max])
	if i := strings.LastIndexByte(cut, ' '); i > max/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}
