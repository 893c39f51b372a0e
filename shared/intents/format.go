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
// not know is shown as the tool gave it.
func (s answer) statusWord(st connector.PaymentStatus) string {
	switch st {
	case "":
		return s.p.T("payment_status.unknown")
	case connector.PaymentPaid, connector.PaymentPending, connector.PaymentFailed, connector.PaymentRefunded:
		return s.p.T("payment_status." + string(st))
	}
	return string(st)
}

// priorityWord names a ticket priority in the reply's language.
func (s answer) priorityWord(pr connector.Priority) string {
	switch pr {
	case connector.PriorityLow, connector.PriorityNormal, connector.PriorityHigh, connector.PriorityUrgent:
		return s.p.T("priority." + string(pr))
	}
	return string(pr)
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
