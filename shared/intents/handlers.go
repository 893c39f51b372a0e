package intents

import (
	"context"
	"errors"
	"fmt"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/idempotency"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
)

// Handler is one intent's handler, registered by intent (Register) from the init of
// its package, shared/intents/<name>/handler: Service.Handle dispatches through the
// registry, and Service.Writes binds every write to the idempotency layer, so no
// other package names an intent. What a binary imports is what it answers: an intent
// function its own handler, `switchboard serve` every one (shared/intents/handlers).
type Handler struct {
	// Fulfil answers the fulfil phase, the turn's slots validated (normalized, by
	// slot name); the audit entry records what it did (the zero Audit: nothing to
	// record).
	Fulfil func(ctx context.Context, a Answer, t conversation.Turn, slots map[string]string) (conversation.Reply, Audit)
	// Write, for an intent whose contract says it writes (spec.Intent Write), is its
	// description to the idempotency layer: how to look an earlier attempt up instead
	// of repeating it.
	Write func(*Service) idempotency.Write
}

// handlers are the registered handlers, by intent.
var handlers = map[conversation.Intent]Handler{}

// Register makes name's handler known. It panics unless name's contract is
// registered (shared/intents/spec), on a second handler, and on a write that does
// not say how it is looked up (or a read that does).
func Register(name conversation.Intent, h Handler) {
	in, ok := spec.Lookup(string(name))
	switch {
	case !ok:
		panic(fmt.Sprintf("intents: handler for %q, which has no contract (shared/intents/spec)", name))
	case h.Fulfil == nil:
		panic(fmt.Sprintf("intents: %q registered without its answer", name))
	case in.Write != (h.Write != nil):
		panic(fmt.Sprintf("intents: %q is a write by its contract (%t) but has write description %t", name, in.Write, h.Write != nil))
	}
	if _, dup := handlers[name]; dup {
		panic(fmt.Sprintf("intents: %q handler registered twice", name))
	}
	handlers[name] = h
}

// ErrNoHandler is Linked's error: the intent's handler package is not linked into
// the binary.
var ErrNoHandler = errors.New("no handler linked")

// HandlerPackage is the import path of intent in's handler package.
func HandlerPackage(in spec.Intent) string {
	return "github.com/switchboard-dev/switchboard/shared/intents/" + in.Function + "/handler"
}

// Linked returns nil when in's handler is registered, else an error (ErrNoHandler)
// that names the package to import. A binary that would answer in without it would
// answer every turn "unknown intent".
func Linked(in conversation.Intent) error {
	if _, ok := handlers[in]; ok {
		return nil
	}
	c, ok := spec.Lookup(string(in))
	if !ok {
		return fmt.Errorf("intents: %q: %w, and no contract is registered under that name (shared/intents/spec)", in, ErrNoHandler)
	}
	return fmt.Errorf("intents: %q: %w: import _ %q (a function imports its own; every handler: shared/intents/handlers)",
		in, ErrNoHandler, HandlerPackage(c))
}

// Handled lists the intents whose handler is registered, in their contracts' order.
func Handled() []conversation.Intent {
	var out []conversation.Intent
	for _, in := range spec.All() {
		if _, ok := handlers[conversation.Intent(in.Name)]; ok {
			out = append(out, conversation.Intent(in.Name))
		}
	}
	return out
}

// Writes is idempotency.Options.Writes for the service: the write description of
// each intent registered as a write (create_ticket: its TicketWrite), nil for one
// that only reads.
func (s *Service) Writes() func(conversation.Intent) idempotency.Write {
	ws := make(map[conversation.Intent]idempotency.Write, len(handlers))
	for in, h := range handlers {
		if h.Write != nil {
			ws[in] = h.Write(s)
		}
	}
	return func(in conversation.Intent) idempotency.Write { return ws[in] }
}
