package connector

import (
	"context"
	"strings"
	"time"
)

// Customer is a person known to the CRM. Connectors fill what their tool has; the same
// person looked up in Salesforce, HubSpot, SQL or the demo backend yields the same
// values (ID aside, which is the tool's own identifier).
type Customer struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	FirstName string    `json:"first_name"`
	LastName  string    `json:"last_name"`
	Company   string    `json:"company,omitempty"`
	Phone     string    `json:"phone,omitempty"`
	Plan      string    `json:"plan,omitempty"`   // e.g. "Enterprise", "Pro", "Free"
	Status    string    `json:"status,omitempty"` // e.g. "active", "trial", "churned"
	CreatedAt time.Time `json:"created_at,omitempty"`
	// Address is the customer's postal address as the tool holds it (Salesforce's
	// Mailing* fields, HubSpot's address properties, the SQL and demo columns).
	Address Address `json:"address,omitzero"`
}

// Address is a postal address. Connectors fill what their tool has; an empty field is
// one the tool does not hold.
type Address struct {
	Street     string `json:"street,omitempty"`
	City       string `json:"city,omitempty"`
	Region     string `json:"region,omitempty"` // state, province or county
	PostalCode string `json:"postal_code,omitempty"`
	Country    string `json:"country,omitempty"`
}

// IsZero reports whether no field is set.
func (a Address) IsZero() bool { return a == Address{} }

// ContactChange is a change a verified customer asks for on their own record: a new
// phone number, a new postal address, or both. The email address is never changed
// (it is the identity the caller proved).
type ContactChange struct {
	// Phone, when not empty, replaces the phone number.
	Phone string
	// Address, when not nil, replaces the whole postal address (fields left empty are
	// cleared, so a new address never keeps the old one's street).
	Address *Address
	// ExternalID identifies the change (the turn's idempotency key), for tools that can
	// record it; never shown to anyone.
	ExternalID string
}

// IsZero reports whether the change changes nothing.
func (c ContactChange) IsZero() bool { return c.Phone == "" && c.Address == nil }

// Fields names the fields the change sets ("phone", "address"), in that order: what
// an audit event records (never the values).
func (c ContactChange) Fields() []string {
	var f []string
	if c.Phone != "" {
		f = append(f, "phone")
	}
	if c.Address != nil {
		f = append(f, "address")
	}
	return f
}

// Holds reports whether c already holds everything the change sets: how a write whose
// outcome is unknown is resolved by reading the record back.
func (ch ContactChange) Holds(c Customer) bool {
	if ch.Phone != "" && c.Phone != ch.Phone {
		return false
	}
	return ch.Address == nil || c.Address == *ch.Address
}

// Name is the customer's display name.
func (c Customer) Name() string {
	switch {
	case c.FirstName != "" && c.LastName != "":
		return c.FirstName + " " + c.LastName
	case c.FirstName != "":
		return c.FirstName
	default:
		return c.LastName
	}
}

// TicketStatus is the normalized state of a helpdesk ticket (Zendesk's vocabulary).
type TicketStatus string

// Ticket statuses. New, Open, Pending and Hold count as open.
const (
	TicketNew     TicketStatus = "new"
	TicketOpen    TicketStatus = "open"
	TicketPending TicketStatus = "pending"
	TicketHold    TicketStatus = "hold"
	TicketSolved  TicketStatus = "solved"
	TicketClosed  TicketStatus = "closed"
)

// IsOpen reports whether the ticket still needs work.
func (s TicketStatus) IsOpen() bool {
	return s == TicketNew || s == TicketOpen || s == TicketPending || s == TicketHold
}

// Priority of a ticket.
type Priority string

// Ticket priorities (Zendesk's vocabulary). Normal is the default.
const (
	PriorityLow    Priority = "low"
	PriorityNormal Priority = "normal"
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

// ParsePriority maps user words onto a Priority; ok is false for an unknown word.
func ParsePriority(s string) (p Priority, ok bool) {
	switch normalizeWord(s) {
	case "", "normal", "medium", "default", "regular":
		return PriorityNormal, true
	case "low", "minor":
		return PriorityLow, true
	case "high", "important", "major":
		return PriorityHigh, true
	case "urgent", "critical", "emergency", "asap":
		return PriorityUrgent, true
	}
	return "", false
}

// Ticket is a helpdesk ticket.
type Ticket struct {
	ID             string       `json:"id"`
	Subject        string       `json:"subject"`
	Description    string       `json:"description,omitempty"`
	Status         TicketStatus `json:"status"`
	Priority       Priority     `json:"priority"`
	RequesterEmail string       `json:"requester_email"`
	// ExternalID is the idempotency key the ticket was created with, if any.
	ExternalID string `json:"external_id,omitempty"`
	// URL is the ticket's link for the customer: an https URL on one of the tool's
	// allowed link hosts, or "" (no link).
	URL       string    `json:"url,omitempty"`
	CreatedAt time.Time `json:"created_at,omitempty"`
	// Unverified is the ticket's provenance as the helpdesk recorded it when the ticket
	// was filed: true when the requester did not prove the email (UnverifiedTag on
	// Zendesk, UnverifiedPrefix on the description in the SQL helpdesk and the demo
	// backend). Such a ticket's words are a stranger's, not the email owner's.
	Unverified bool `json:"unverified,omitempty"`
}

// UnverifiedTag is the Zendesk tag on a ticket filed by a caller who did not prove the
// requester email.
const UnverifiedTag = "switchboard_unverified"

// UnverifiedPrefix starts the description of a ticket filed by a caller who did not
// prove the requester email (identity.UnverifiedNote begins with it): the provenance
// mark of helpdesks without tags (the SQL helpdesk, the demo backend).
const UnverifiedPrefix = "[Unverified requester]"

// MarkUnverified returns the description a helpdesk without tags stores for t: t's
// description, starting with UnverifiedPrefix when t.Unverified.
func MarkUnverified(t NewTicket) string {
	d := strings.TrimSpace(t.Description)
	if t.Unverified && !FiledUnverified(d) {
		d = strings.TrimSpace(UnverifiedPrefix + " " + d)
	}
	return d
}

// FiledUnverified reports whether a description carries UnverifiedPrefix.
func FiledUnverified(description string) bool {
	return strings.HasPrefix(strings.TrimSpace(description), UnverifiedPrefix)
}

// NewTicket is what CreateTicket needs.
type NewTicket struct {
	RequesterEmail string
	RequesterName  string
	Subject        string
	Description    string
	Priority       Priority
	// ExternalID is the idempotency key: a helpdesk that already holds a ticket with
	// this ExternalID returns that ticket instead of creating a second one.
	ExternalID string
	// Unverified records that the caller did not prove RequesterEmail: the helpdesk
	// marks the ticket (Ticket.Unverified reads the mark back).
	Unverified bool
}

// PaymentStatus is the normalized state of a payment.
type PaymentStatus string

// Payment statuses.
const (
	PaymentPaid     PaymentStatus = "paid"
	PaymentPending  PaymentStatus = "pending"
	PaymentFailed   PaymentStatus = "failed"
	PaymentRefunded PaymentStatus = "refunded"
)

// Payment is one payment (a Stripe PaymentIntent, a row in the demo database).
type Payment struct {
	ID string `json:"id"`
	// OrderNumber is the merchant's order reference, when the tool keeps one.
	OrderNumber   string        `json:"order_number,omitempty"`
	CustomerEmail string        `json:"customer_email"`
	Amount        int64         `json:"amount"`   // in the currency's minor unit
	Currency      string        `json:"currency"` // ISO 4217, lower case
	Status        PaymentStatus `json:"status"`
	Description   string        `json:"description,omitempty"`
	CreatedAt     time.Time     `json:"created_at,omitempty"`
}

// Article is a knowledge-base article found by a search.
type Article struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Snippet string `json:"snippet"` // one line, plain text
	// URL is the article's link: an https URL on one of the knowledge base's allowed
	// link hosts, or "" (no link).
	URL   string  `json:"url"`
	Score float64 `json:"score,omitempty"`
}

// CustomerDirectory finds customers (CRM: Salesforce, HubSpot, SQL, demo).
type CustomerDirectory interface {
	// FindCustomerByEmail matches the email case-insensitively. A missing customer is
	// an error matching ErrNotFound.
	FindCustomerByEmail(ctx context.Context, email string) (Customer, error)
}

// CustomerUpdater changes a customer's contact details (Salesforce Contact PATCH,
// HubSpot contact PATCH, SQL, demo). CRMs that can implement CustomerDirectory too; a
// CRM without it cannot serve update_customer.
type CustomerUpdater interface {
	// UpdateCustomer applies change to the customer whose email matches
	// (case-insensitively) and returns the record as the tool holds it afterwards, read
	// back from the tool, never assembled from the change. A missing customer is an
	// error matching ErrNotFound; an empty change matches ErrInvalidInput. Applying the
	// same change twice leaves the record as applying it once does.
	UpdateCustomer(ctx context.Context, email string, change ContactChange) (Customer, error)
}

// Helpdesk creates and lists tickets (Zendesk, SQL, demo).
type Helpdesk interface {
	// CreateTicket creates a ticket, or returns the existing one when a ticket with
	// t.ExternalID already exists.
	CreateTicket(ctx context.Context, t NewTicket) (Ticket, error)
	// OpenTickets lists the requester's tickets that are still open, newest first.
	OpenTickets(ctx context.Context, email string) ([]Ticket, error)
}

// Payments looks payments up (Stripe, demo).
type Payments interface {
	// FindPayment finds a payment by its id or by the merchant's order number.
	// Callers must check CustomerEmail before revealing anything.
	FindPayment(ctx context.Context, reference string) (Payment, error)
	// RecentPayments lists the customer's latest payments, newest first.
	RecentPayments(ctx context.Context, email string, limit int) ([]Payment, error)
}

// KnowledgeBase searches help articles (Zendesk Help Center, demo).
type KnowledgeBase interface {
	// SearchArticles returns at most limit articles, best match first. No match is an
	// empty slice and a nil error.
	SearchArticles(ctx context.Context, query string, limit int) ([]Article, error)
}

// Pinger is implemented by connectors that can prove their credentials and reach
// (switchboard check): authenticate and fetch one item.
type Pinger interface {
	Ping(ctx context.Context) error
}

// TicketFinder is implemented by helpdesks that can find a ticket by the external id
// it was filed with (Zendesk external_id, the SQL helpdesk's and the demo backend's
// unique key). A write whose outcome is unknown is resolved with it, never by filing
// again. found is false, with a nil error, when no ticket holds externalID.
type TicketFinder interface {
	FindTicketByExternalID(ctx context.Context, externalID, email string) (t Ticket, found bool, err error)
}
