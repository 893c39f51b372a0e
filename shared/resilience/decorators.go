package resilience

import (
	"context"
	"sync"

	"github.com/switchboard-dev/switchboard/shared/connector"
)

// Operation names, as they appear in CallInfo, logs and metrics.
const (
	opFindCustomer   = "find_customer"
	opUpdateCustomer = "update_customer"
	opCreateTicket   = "create_ticket"
	opOpenTickets    = "open_tickets"
	opFindTicket     = "find_ticket"
	opFindPayment    = "find_payment"
	opRecentPayments = "recent_payments"
	opSearchArticles = "search_articles"
)

// Customers applies p to every call of next. Lookups are reads, so they are retried.
// The result also has UpdateCustomer (connector.CustomerUpdater), which passes the
// change to next, or answers connector.ErrUnsupported when next cannot update
// customers (connector.CanUpdateCustomers tells beforehand). An update is a write and,
// like CreateTicket, is retried only when the policy allows retrying writes
// (RetryWrites) and the change carries the turn's key (ExternalID): the CustomerUpdater
// contract makes a repeated change leave the record as one does, but a blind second
// PATCH after an ambiguous failure could still land after a newer change. Otherwise
// one attempt is made, and an unknown outcome is resolved by reading the record back
// (connector.ContactChange.Holds).
func Customers(p *Policy, next connector.CustomerDirectory) connector.CustomerDirectory {
	return &customers{p: p, next: next}
}

type customers struct {
	p    *Policy
	next connector.CustomerDirectory
}

func (c *customers) FindCustomerByEmail(ctx context.Context, email string) (connector.Customer, error) {
	return Do(ctx, c.p, Op{Name: opFindCustomer, Idempotent: true}, func(ctx context.Context) (connector.Customer, error) {
		return c.next.FindCustomerByEmail(ctx, email)
	})
}

// UpdateCustomer implements connector.CustomerUpdater when the decorated directory
// does; otherwise it reports connector.ErrUnsupported.
func (c *customers) UpdateCustomer(ctx context.Context, email string, change connector.ContactChange) (connector.Customer, error) {
	u, ok := c.next.(connector.CustomerUpdater)
	if !ok {
		return connector.Customer{}, connector.ErrUnsupported
	}
	op := Op{Name: opUpdateCustomer, Write: true, Idempotent: c.p.s.RetryWrites && change.ExternalID != ""}
	return Do(ctx, c.p, op, func(ctx context.Context) (connector.Customer, error) {
		return u.UpdateCustomer(ctx, email, change)
	})
}

// Unwrap returns the decorated connector.
func (c *customers) Unwrap() any { return c.next }

// CustomerUpdater applies p to every call of next, a CRM that updates contact details
// (update_customer). UpdateCustomer is a write: it is retried only when the policy
// allows retrying writes (RetryWrites) and the change carries its ExternalID; the
// contract makes applying the same change twice the same as applying it once. The
// decorator also reads the record back (FindCustomerByEmail, a read, retried like one,
// never cached) when next is a connector.CustomerDirectory: how an update of unknown
// outcome is resolved. Otherwise FindCustomerByEmail reports connector.ErrUnsupported.
func CustomerUpdater(p *Policy, next connector.CustomerUpdater) connector.CustomerUpdater {
	return &updater{p: p, next: next}
}

type updater struct {
	p    *Policy
	next connector.CustomerUpdater
}

func (u *updater) UpdateCustomer(ctx context.Context, email string, ch connector.ContactChange) (connector.Customer, error) {
	op := Op{Name: opUpdateCustomer, Write: true, Idempotent: u.p.s.RetryWrites && ch.ExternalID != ""}
	return Do(ctx, u.p, op, func(ctx context.Context) (connector.Customer, error) {
		return u.next.UpdateCustomer(ctx, email, ch)
	})
}

func (u *updater) FindCustomerByEmail(ctx context.Context, email string) (connector.Customer, error) {
	d, ok := u.next.(connector.CustomerDirectory)
	if !ok {
		return connector.Customer{}, connector.ErrUnsupported
	}
	return Do(ctx, u.p, Op{Name: opFindCustomer, Idempotent: true}, func(ctx context.Context) (connector.Customer, error) {
		return d.FindCustomerByEmail(ctx, email)
	})
}

// Unwrap returns the decorated connector.
func (u *updater) Unwrap() any { return u.next }

// ExternalIDHonourer is implemented by helpdesks that can say whether they deduplicate
// CreateTicket by NewTicket.ExternalID (Zendesk's external_id lookup, the demo and SQL
// backends' unique index).
type ExternalIDHonourer interface {
	HonoursExternalID() bool
}

// HelpdeskOptions say what the decorator may assume about the helpdesk.
type HelpdeskOptions struct {
	// HonoursExternalID: a second CreateTicket with the same ExternalID returns the
	// first ticket. Without it (and without the helpdesk saying so through
	// ExternalIDHonourer) a ticket creation is never repeated.
	HonoursExternalID bool
}

// Helpdesk applies p to every call of next. OpenTickets is a read and is retried.
// CreateTicket is retried only when the policy allows retrying writes (RetryWrites),
// the helpdesk honours ExternalID, and the ticket carries one: a blind second POST
// could file the ticket twice.
func Helpdesk(p *Policy, next connector.Helpdesk, o HelpdeskOptions) connector.Helpdesk {
	honours := o.HonoursExternalID
	if h, ok := next.(ExternalIDHonourer); ok && h.HonoursExternalID() {
		honours = true
	}
	return &helpdesk{p: p, next: next, honours: honours}
}

type helpdesk struct {
	p       *Policy
	next    connector.Helpdesk
	honours bool
}

func (h *helpdesk) CreateTicket(ctx context.Context, t connector.NewTicket) (connector.Ticket, error) {
	op := Op{Name: opCreateTicket, Write: true, Idempotent: h.p.s.RetryWrites && h.honours && t.ExternalID != ""}
	return Do(ctx, h.p, op, func(ctx context.Context) (connector.Ticket, error) {
		return h.next.CreateTicket(ctx, t)
	})
}

func (h *helpdesk) OpenTickets(ctx context.Context, email string) ([]connector.Ticket, error) {
	return Do(ctx, h.p, Op{Name: opOpenTickets, Idempotent: true}, func(ctx context.Context) ([]connector.Ticket, error) {
		return h.next.OpenTickets(ctx, email)
	})
}

// FindTicketByExternalID implements connector.TicketFinder when the decorated helpdesk
// does (a read: retried like one); otherwise it reports connector.ErrUnsupported.
func (h *helpdesk) FindTicketByExternalID(ctx context.Context, externalID, email string) (connector.Ticket, bool, error) {
	f, ok := h.next.(connector.TicketFinder)
	if !ok {
		return connector.Ticket{}, false, connector.ErrUnsupported
	}
	type found struct {
		t  connector.Ticket
		ok bool
	}
	r, err := Do(ctx, h.p, Op{Name: opFindTicket, Idempotent: true}, func(ctx context.Context) (found, error) {
		t, ok, err := f.FindTicketByExternalID(ctx, externalID, email)
		return found{t, ok}, err
	})
	return r.t, r.ok, err
}

// Unwrap returns the decorated connector.
func (h *helpdesk) Unwrap() any { return h.next }

// Payments applies p to every call of next; both calls are reads.
func Payments(p *Policy, next connector.Payments) connector.Payments {
	return &payments{p: p, next: next}
}

type payments struct {
	p    *Policy
	next connector.Payments
}

func (c *payments) FindPayment(ctx context.Context, reference string) (connector.Payment, error) {
	return Do(ctx, c.p, Op{Name: opFindPayment, Idempotent: true}, func(ctx context.Context) (connector.Payment, error) {
		return c.next.FindPayment(ctx, reference)
	})
}

func (c *payments) RecentPayments(ctx context.Context, email string, limit int) ([]connector.Payment, error) {
	return Do(ctx, c.p, Op{Name: opRecentPayments, Idempotent: true}, func(ctx context.Context) ([]connector.Payment, error) {
		return c.next.RecentPayments(ctx, email, limit)
	})
}

// Unwrap returns the decorated connector.
func (c *payments) Unwrap() any { return c.next }

// KnowledgeBase applies p to every search of next.
func KnowledgeBase(p *Policy, next connector.KnowledgeBase) connector.KnowledgeBase {
	return &kb{p: p, next: next}
}

type kb struct {
	p    *Policy
	next connector.KnowledgeBase
}

func (k *kb) SearchArticles(ctx context.Context, query string, limit int) ([]connector.Article, error) {
	return Do(ctx, k.p, Op{Name: opSearchArticles, Idempotent: true}, func(ctx context.Context) ([]connector.Article, error) {
		return k.next.SearchArticles(ctx, query, limit)
	})
}

// Unwrap returns the decorated connector.
func (k *kb) Unwrap() any { return k.next }

// Set holds one Policy per business tool, so that every connector interface a tool
// implements (the demo backend implements all four) shares one breaker, one limiter
// and one bulkhead. Safe for concurrent use.
type Set struct {
	settings func(tool string) Settings
	opts     Options

	mu       sync.Mutex
	policies map[string]*Policy
}

// NewSet returns a Set building each tool's policy from settings(tool), its effective
// settings.
func NewSet(settings func(tool string) Settings, o Options) *Set {
	return &Set{settings: settings, opts: o, policies: map[string]*Policy{}}
}

// For returns the tool's policy, building it on first use.
func (s *Set) For(tool string) *Policy {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.policies[tool]
	if !ok {
		p = NewPolicy(tool, s.settings(tool), s.opts)
		s.policies[tool] = p
	}
	return p
}

// Stats returns a snapshot of every policy built so far.
func (s *Set) Stats() []Stats {
	s.mu.Lock()
	ps := make([]*Policy, 0, len(s.policies))
	for _, p := range s.policies {
		ps = append(ps, p)
	}
	s.mu.Unlock()
	out := make([]Stats, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.Stats())
	}
	return out
}
