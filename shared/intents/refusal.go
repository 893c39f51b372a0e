package intents

import (
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/i18n"
	"github.com/switchboard-dev/switchboard/shared/idempotency"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
)

var _ idempotency.Sayer = (*Service)(nil)

// Refusal words the idempotency layer's own answers (idempotency.Outcome) in the
// turn's language: the keys are the intent's (spec.Intent StoreDown and Pending), so
// the layer holds no user-facing words.
func (s *Service) Refusal(t conversation.Turn, o idempotency.Outcome) conversation.Reply {
	p := i18n.For(t.Locale)
	in, _ := spec.Lookup(string(t.Intent))
	var msg string
	switch o {
	case idempotency.StoreUnavailable:
		msg = p.T("reply.store_down", p.T(OrDefault(in.StoreDown, "what.do_that")), s.d.SupportEmail)
	case idempotency.StillWorking:
		msg = p.T(OrDefault(in.Pending, "reply.still_working"), s.d.SupportEmail)
	case idempotency.PayloadMismatch:
		msg = p.T("reply.id_mismatch", s.d.SupportEmail)
	case idempotency.ResultUnreadable:
		msg = p.T("reply.result_unreadable", s.d.SupportEmail)
	default:
		msg = p.T("reply.apology", s.d.SupportEmail)
	}
	return conversation.Reply{Outcome: conversation.OutcomeFailed, Messages: []string{msg}}
}
