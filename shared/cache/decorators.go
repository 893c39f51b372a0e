package cache

import (
	"context"
	"slices"
	"strconv"

	"github.com/switchboard-dev/switchboard/shared/connector"
)

// Capability names, the first part of every cache key.
const (
	CapCustomer       = "customer"
	capArticles       = "articles"
	capPayment        = "payment"
	capRecentPayments = "recent_payments"
)

func always[T any](T) bool { return true }
func same[T any](v T) T    { return v }

// Customers caches customer profiles by email under p; tool names the tool behind
// next in metrics. A customer that does not exist
// is not cached: a sign-up must be found at once.
//
// The result also has UpdateCustomer (connector.CustomerUpdater): it passes the change
// to next, or answers connector.ErrUnsupported when next cannot update customers
// (connector.CanUpdateCustomers tells beforehand), and then makes this process forget
// the customer's cached profile, under every scope, in memory and as read from the
// store: the next lookup asks the tool. Other processes (the lookup function's Lambda
// instances) keep theirs until it is older than p.MaxAge.
func (c *Cache) Customers(tool string, next connector.CustomerDirectory, p Policy) connector.CustomerDirectory {
	return &customers{c: c, p: p, tool: tool, next: next}
}

type customers struct {
	c    *Cache
	p    Policy
	tool string
	next connector.CustomerDirectory
}

func (d *customers) FindCustomerByEmail(ctx context.Context, email string) (connector.Customer, error) {
	return fetchSince(ctx, d.c, d.p, d.tool, d.c.ToolKey(ctx, d.tool, CapCustomer, email), d.c.changedKey(d.tool, CapCustomer, email),
		always[connector.Customer], same[connector.Customer],
		func(ctx context.Context) (connector.Customer, error) { return d.next.FindCustomerByEmail(ctx, email) })
}

// UpdateCustomer implements connector.CustomerUpdater when the decorated directory
// does; otherwise it reports connector.ErrUnsupported. Whatever the outcome (a failed
// write may still have landed), the cached profile is forgotten afterwards.
func (d *customers) UpdateCustomer(ctx context.Context, email string, change connector.ContactChange) (connector.Customer, error) {
	u, ok := d.next.(connector.CustomerUpdater)
	if !ok {
		return connector.Customer{}, connector.ErrUnsupported
	}
	c, err := u.UpdateCustomer(ctx, email, change)
	d.c.markChanged(d.p, d.c.changedKey(d.tool, CapCustomer, email))
	return c, err
}

// Unwrap returns the decorated connector.
func (d *customers) Unwrap() any { return d.next }

// KnowledgeBase caches search results by query and limit under p.
func (c *Cache) KnowledgeBase(tool string, next connector.KnowledgeBase, p Policy) connector.KnowledgeBase {
	return &kb{c: c, p: p, tool: tool, next: next}
}

type kb struct {
	c    *Cache
	p    Policy
	tool string
	next connector.KnowledgeBase
}

func (d *kb) SearchArticles(ctx context.Context, query string, limit int) ([]connector.Article, error) {
	return fetch(ctx, d.c, d.p, d.tool, d.c.ToolKey(ctx, d.tool, capArticles, query, strconv.Itoa(limit)), always[[]connector.Article], slices.Clone[[]connector.Article],
		func(ctx context.Context) ([]connector.Article, error) {
			return d.next.SearchArticles(ctx, query, limit)
		})
}

// Unwrap returns the decorated connector.
func (d *kb) Unwrap() any { return d.next }

// Payments caches payment lookups under p, where that is safe: a settled payment (paid
// or refunded) is served from the cache while fresh, but one still moving (pending,
// failed and open to another attempt) is always asked again. Every answer is kept to
// be served, with its age, when the payment tool is down. A reference that is not
// found is never cached: Stripe's search index lags new payments.
func (c *Cache) Payments(tool string, next connector.Payments, p Policy) connector.Payments {
	return &payments{c: c, p: p, tool: tool, next: next}
}

type payments struct {
	c    *Cache
	p    Policy
	tool string
	next connector.Payments
}

func settled(s connector.PaymentStatus) bool {
	return s == connector.PaymentPaid || s == connector.PaymentRefunded
}

func (d *payments) FindPayment(ctx context.Context, reference string) (connector.Payment, error) {
	return fetch(ctx, d.c, d.p, d.tool, d.c.ToolKey(ctx, d.tool, capPayment, reference),
		func(p connector.Payment) bool { return settled(p.Status) }, same[connector.Payment],
		func(ctx context.Context) (connector.Payment, error) { return d.next.FindPayment(ctx, reference) })
}

func (d *payments) RecentPayments(ctx context.Context, email string, limit int) ([]connector.Payment, error) {
	return fetch(ctx, d.c, d.p, d.tool, d.c.ToolKey(ctx, d.tool, capRecentPayments, email, strconv.Itoa(limit)),
		func(ps []connector.Payment) bool {
			return !slices.ContainsFunc(ps, func(p connector.Payment) bool { return !settled(p.Status) })
		}, slices.Clone[[]connector.Payment],
		func(ctx context.Context) ([]connector.Payment, error) {
			return d.next.RecentPayments(ctx, email, limit)
		})
}

// Unwrap returns the decorated connector.
func (d *payments) Unwrap() any { return d.next }
