package intents

import (
	"context"
	"fmt"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/idempotency"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
)

// handler is one intent's handler, registered by intent from its file's init
// (lookupcustomer.go, createticket.go, …): Service.Handle dispatches through the
// registry, and Service.Writes binds every write to the idempotency layer, so no
// other file names an intent.
type handler struct {
	// fulfil answers the fulfil phase, the turn's slots validated; the audit entry
	// records what it did (the zero audit: nothing to record).
	fulfil func(a answer, ctx context.Context, t conversation.Turn, slots map[string]string) (conversation.Reply, audit)
	// write, for an intent whose contract says it writes (spec.Intent Write), is its
	// description to the idempotency layer: how to look an earlier attempt up instead
	// of repeating it.
	write func(*Service) idempotency.Write
}

// handlers are the registered handlers, by intent.
var handlers = map[conversation.Intent]handler{}

// register makes name's handler known. It panics unless name's contract is
// registered (shared/intents/spec), on a second handler, and on a write that does
// not say how it is looked up (or a read that does).
func register(name conversation.Intent, h handler) {
	in, ok := spec.Lookup(string(name))
	switch {
	case !ok:
		panic(fmt.Sprintf("intents: handler for %q, which has no contract (shared/intents/spec)", name))
	case h.fulfil == nil:
		panic(fmt.Sprintf("intents: %q registered without its answer", name))
	case in.Write != (h.write != nil):
		panic(fmt.Sprintf("intents: %q is a write by its contract (%t) but has write description %t", name, in.Write, h.write != nil))
	}
	if _, dup := handlers[name]; dup {
		panic(fmt.Sprintf("intents: %q handler registered twice", name))
	}
	handlers[name] = h
}

// Writes is idempotency.Options.Writes for the service: the write description of
// each intent registered as a write (create_ticket: TicketWrite), nil for one that
// only reads.
func (s *Service) Writes() func(conversation.Intent) idempotency.Write {
	ws := make(map[conversation.Intent]idempotency.Write, len(handlers))
	for in, h := range handlers {
		if h.write != nil {
			ws[in] = h.write(s)
		}
	}
	return func(in conversation.Intent) idempotency.Write { return ws[in] }
}
