package app

import (
	"context"
	"fmt"

	"github.com/aws/smithy-go/middleware"

	"github.com/switchboard-dev/switchboard/shared/cache"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/idempotency"
	"github.com/switchboard-dev/switchboard/shared/intents"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/resilience"
	"github.com/switchboard-dev/switchboard/shared/store"
)

// OpenStore builds the store cfg.Store names: the embedded SQLite file at Path (the
// default), or a registered backend (backend: dynamodb, registered by
// shared/store/dynamostore, which `serve` and the functions whose turns use the store
// import). Neither makes a network call here. The returned func closes what was
// opened. apiOptions go on every DynamoDB call's middleware stack (tracing).
func OpenStore(ctx context.Context, cfg config.Store, apiOptions ...func(*middleware.Stack) error) (store.Store, func() error, error) {
	switch cfg.Backend {
	case "", "embedded":
		return openEmbedded(ctx, cfg.Path)
	}
	st, ok, err := store.OpenBackend(ctx, cfg.Backend, store.BackendOptions{Table: cfg.Table, Endpoint: cfg.Endpoint, APIOptions: apiOptions})
	switch {
	case !ok && cfg.Backend == "dynamodb":
		return nil, nil, fmt.Errorf("store.backend: dynamodb is not linked into this binary (import _ shared/store/dynamostore)")
	case !ok:
		return nil, nil, fmt.Errorf("store: unknown backend %q", cfg.Backend)
	case err != nil:
		return nil, nil, err
	}
	return st, func() error { return nil }, nil
}

// NeedsStore reports whether a turn of this deployment can reach the store: an
// enabled intent wrapped by idempotency, the shared read cache, or one-time codes
// (their codes, limits and verified sessions live in it). A deployment that needs
// none (searchkb: one read intent, cache per process, no codes) opens no store, so
// its binary need not link the store's client.
func NeedsStore(cfg config.Config) bool {
	if cfg.Store.Cache.Shared || cfg.Identity.Codes.Sender != config.SenderNone {
		return true
	}
	for _, i := range spec.All() {
		if cfg.Intents.IsEnabled(conversation.Intent(i.Name)) && cfg.Store.Idempotent(i.Name) {
			return true
		}
	}
	return false
}

// protect composes the layers around the connectors and the intent handler:
//
//	identity → idempotency → intents (policy, audit) → cache → resilience → connector
//
// Each connector gets its tool's resilience policy (one breaker, limiter and bulkhead
// per tool, shared by every capability the tool serves); reads are cached (in process,
// and in the store only with store.cache.shared); the handler
// is wrapped with idempotency for the configured intents, keyed (like the cache) under
// the turn's intent, which is the prefix each function's IAM role is scoped to.
func (a *App) protect(ctx context.Context, d *intents.Deps) (func(conversation.Handler) conversation.Handler, error) {
	cfg := a.Config
	var apiOptions []func(*middleware.Stack) error
	if a.Telemetry != nil && a.Telemetry.Tracing != nil {
		apiOptions = append(apiOptions, a.Telemetry.Tracing.AWSMiddleware())
	}
	// A deployment whose turns never reach the store does not open it (Unused refuses
	// every call, so a path missed here fails instead of answering from nothing).
	var st store.Store = store.Unused{}
	if NeedsStore(cfg) {
		s, closeStore, err := OpenStore(ctx, cfg.Store, apiOptions...)
		if err != nil {
			return nil, err
		}
		a.closers = append(a.closers, closeStore)
		st = s
	}

	ro := resilience.Options{Logger: a.Logger}
	co := cache.Options{Size: cfg.Store.Cache.Size, Logger: a.Logger,
		Identity: func(tool string) string { return toolIdentity(cfg, tool) }}
	if a.Telemetry != nil {
		ro.Observer = a.Telemetry
		co.Observer = a.Telemetry
	}
	a.Policies = resilience.NewSet(ResilienceSettings(cfg.Resilience), ro)
	// The read cache is per process unless store.cache.shared asks for the store too:
	// a read turn then costs no store write.
	var shared store.Store
	if cfg.Store.Cache.Shared {
		shared = st
	}
	c := cache.New(shared, co)
	pol := CachePolicies(cfg.Store.Cache)
	tools := cfg.Connectors
	var accounts connector.CustomerDirectory
	raw := d.Customers
	if d.Customers != nil {
		// A code offer asks the directory whether an address has an account through its
		// own path: the same resilience policy (breaker, limiter, bulkhead), no cache,
		// and "no such customer" as an answer, not an error, so a known and an unknown
		// address make the same calls and move the same metrics (docs/identity.md).
		accounts = resilience.Customers(a.Policies.For(tools.Customers), intents.AccountProbe(d.Customers))
		// Both decorators pass UpdateCustomer through to a CRM that has it
		// (connector.CanUpdateCustomers; connector.ErrUnsupported otherwise): the
		// resilience layer retries it only as it retries CreateTicket, and the cache then
		// forgets this process's profile of that customer.
		d.Customers = c.Customers(tools.Customers, resilience.Customers(a.Policies.For(tools.Customers), d.Customers), pol.Customer)
	}
	if u, ok := raw.(connector.CustomerUpdater); ok && d.Updater == nil {
		// update_customer writes with the CRM's own policy (one breaker for its reads
		// and writes): through the customer decorators when they pass the update on
		// (the cache then forgets the profile), else through the resilience layer
		// alone. It reads the record back fresh, never from the read cache: a change
		// is confirmed by the tool, not by a cached copy.
		d.Updater = resilience.CustomerUpdater(a.Policies.For(tools.Customers), u)
		if chain, ok := d.Customers.(connector.CustomerUpdater); ok {
			d.Updater = chain
		}
		d.Records = resilience.Customers(a.Policies.For(tools.Customers), raw)
	}
	if d.Tickets != nil {
		// connector.Helpdesk's contract makes CreateTicket deduplicate by ExternalID;
		// a write is still retried only when resilience.<tool>.retry_writes says so.
		d.Tickets = resilience.Helpdesk(a.Policies.For(tools.Tickets), d.Tickets, resilience.HelpdeskOptions{HonoursExternalID: true})
	}
	if d.Payments != nil {
		d.Payments = c.Payments(tools.Payments, resilience.Payments(a.Policies.For(tools.Payments), d.Payments), pol.PaymentStatus)
	}
	if d.KB != nil {
		d.KB = c.KnowledgeBase(tools.KB, resilience.KnowledgeBase(a.Policies.For(tools.KB), d.KB), pol.KB)
	}

	ident, err := a.identityLayer(ctx, st, d, accounts)
	if err != nil {
		return nil, err
	}
	io := IdempotencyOptions(cfg, "")
	io.Logger = a.Logger
	// A turn's key carries the identity of the tools that answer it: a reply stored
	// under one helpdesk configuration is never replayed under another.
	io.Scope = IdempotencyScope(cfg)
	return func(h conversation.Handler) conversation.Handler {
		o := io
		if svc, ok := h.(*intents.Service); ok {
			o.Writes = WritesOf(svc)
			o.Say = svc.Refusal
		}
		// The caller is known (and the token gone) before idempotency sees the turn.
		return ident(cache.Scoped(idempotency.New(st, h, o)))
	}, nil
}

// WritesOf is idempotency.Options.Writes for the intents: each intent registered as a
// write (never repeated blindly) has its description, the others read
// (intents.Service.Writes).
func WritesOf(svc *intents.Service) func(conversation.Intent) idempotency.Write {
	return svc.Writes()
}
