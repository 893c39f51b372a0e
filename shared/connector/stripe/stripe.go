package stripeconn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

const tool = Tool

// KeyFunc returns the secret API key. refresh is true after Stripe answered 401 with the
// previous key: the source must drop any cached copy and fetch the key again (a
// rotated secret). It must never log the key.
type KeyFunc func(ctx context.Context, refresh bool) (string, error)

// Options configure a Client. The zero value of every field but the key is a usable
// default.
type Options struct {
	// APIKey is a static secret key (sk_…); Key wins when both are set.
	APIKey string
	// Key fetches the key from a secret store and refreshes it after a 401.
	Key KeyFunc
	// BaseURL overrides Stripe's API URL (stripe-mock in tests and local runs).
	BaseURL string
	// HTTPClient is the client used for every call; its Transport is wrapped, not
	// replaced. Default: a client without a timeout (deadlines come from ctx).
	HTTPClient *http.Client
	// OrderMetadataKey is the PaymentIntent metadata key holding the merchant's order
	// number. Default "order_number".
	OrderMetadataKey string
	// MaxCustomers caps how many Stripe customers sharing one email RecentPayments
	// reads (Stripe does not make email unique). Default 5.
	MaxCustomers int
	Logger       *slog.Logger
}

// Client implements connector.Payments and connector.Pinger over Stripe.
type Client struct {
	opts    Options
	backend *stripe.Backends
	log     *slog.Logger

	mu  sync.Mutex
	key string
	api *client.API
}

var (
	_ connector.Payments = (*Client)(nil)
	_ connector.Pinger   = (*Client)(nil)
)

// New builds a Client. stripe-go's own network retries are off (MaxNetworkRetries 0):
// the resilience layer owns retries, and two layers of retries would multiply the
// attempts and blow the turn's deadline.
func New(opts Options) (*Client, error) {
	if opts.APIKey == "" && opts.Key == nil {
		return nil, errors.New("stripe: no API key configured")
	}
	if opts.OrderMetadataKey == "" {
		opts.OrderMetadataKey = "order_number"
	}
	if opts.MaxCustomers <= 0 {
		opts.MaxCustomers = 5
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	hc := &http.Client{}
	if opts.HTTPClient != nil {
		c := *opts.HTTPClient
		hc = &c
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	// Each request passes the call's connector.RequestGate (the resilience layer's
	// per-request rate limit) before the recorder and the wire.
	hc.Transport = connector.GatedTransport(&recorder{next: base})
	cfg := &stripe.BackendConfig{
		HTTPClient:        hc,
		MaxNetworkRetries: stripe.Int64(0),
		// stripe-go's logger prints response body samples (emails, names) on errors:
		// keep it silent and log our own redacted attributes.
		LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull},
	}
	if opts.BaseURL != "" {
		cfg.URL = stripe.String(strings.TrimRight(opts.BaseURL, "/"))
	}
	c := &Client{opts: opts, log: log}
	c.backend = &stripe.Backends{API: stripe.GetBackendWithConfig(stripe.APIBackend, cfg)}
	return c, nil
}

// apiFor returns the stripe-go client for the current key, building it again only when
// the key changed (rotation), because client.New wires every resource client.
func (c *Client) apiFor(ctx context.Context, refresh bool) (*client.API, error) {
	key := c.opts.APIKey
	if c.opts.Key != nil {
		k, err := c.opts.Key(ctx, refresh)
		if err != nil {
			// A secret store that is down is an outage; a refused, missing or malformed
			// key is a credentials problem.
			kind := connector.KindUnauthorized
			if secrets.Unavailable(err) || ctx.Err() != nil {
				kind = connector.KindUnavailable
			}
			return nil, &connector.Error{Kind: kind, Tool: tool, Op: "api_key", Err: err}
		}
		key = k
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.api == nil || c.key != key {
		c.api = client.New(key, c.backend)
		c.key = key
	}
	return c.api, nil
}

// call runs fn with the current key and, when a key source is configured and Stripe
// answered 401, once more with a refreshed key.
func (c *Client) call(ctx context.Context, op string, fn func(ctx context.Context, api *client.API) error) error {
	err := c.callOnce(ctx, op, false, fn)
	if c.opts.Key != nil && connector.KindOf(err) == connector.KindUnauthorized && ctx.Err() == nil {
		c.log.InfoContext(ctx, "stripe key rejected, refreshing", slog.String("tool", tool), slog.String("op", op))
		err = c.callOnce(ctx, op, true, fn)
	}
	return err
}

func (c *Client) callOnce(ctx context.Context, op string, refresh bool, fn func(ctx context.Context, api *client.API) error) error {
	api, err := c.apiFor(ctx, refresh)
	if err != nil {
		return err
	}
	st := &callState{}
	ctx = context.WithValue(ctx, callStateKey{}, st)
	start := time.Now()
	err = fn(ctx, api)
	if err != nil {
		err = mapError(ctx, op, st, err)
		c.log.DebugContext(ctx, "stripe call failed", slog.String("tool", tool), slog.String("op", op),
			slog.String("error_class", connector.KindOf(err).String()), slog.Duration("elapsed", time.Since(start)))
	}
	return err
}

// FindPayment finds a PaymentIntent by id (pi_…) or else by the order number kept in
// its metadata. The search path uses Stripe's search API, whose index lags writes by up
// to a minute: a payment made seconds ago may not be found by order number yet.
func (c *Client) FindPayment(ctx context.Context, reference string) (connector.Payment, error) {
	ref := strings.TrimSpace(reference)
	if ref == "" {
		return connector.Payment{}, &connector.Error{Kind: connector.KindInvalidInput, Tool: tool, Op: "find_payment", Field: "reference", Err: errors.New("empty reference")}
	}
	if len(ref) > 500 {
		// Stripe metadata values are at most 500 characters; longer cannot match.
		return connector.Payment{}, &connector.Error{Kind: connector.KindInvalidInput, Tool: tool, Op: "find_payment", Field: "reference", Err: errors.New("reference too long")}
	}
	if strings.HasPrefix(ref, "pi_") && !strings.ContainsAny(ref, "/?#% ") {
		return c.retrieve(ctx, ref)
	}
	return c.searchOrder(ctx, ref)
}

func (c *Client) retrieve(ctx context.Context, id string) (connector.Payment, error) {
	var pi *stripe.PaymentIntent
	err := c.call(ctx, "retrieve_payment_intent", func(ctx context.Context, api *client.API) error {
		p := &stripe.PaymentIntentParams{}
		p.Context = ctx
		p.AddExpand("customer")
		p.AddExpand("latest_charge")
		var err error
		pi, err = api.PaymentIntents.Get(id, p)
		return err
	})
	if err != nil {
		return connector.Payment{}, err
	}
	return normalize(pi, c.opts.OrderMetadataKey, "")
}

// OrderQuery builds the search query for an order number. Values are quoted and the
// quote and backslash escaped, so a hostile value cannot close the string and add
// clauses (`x' OR status:'succeeded`).
func OrderQuery(metadataKey, order string) string {
	return fmt.Sprintf("metadata['%s']:'%s'", escapeSearch(metadataKey), escapeSearch(order))
}

func escapeSearch(s string) string {
	return strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s)
}

func (c *Client) searchOrder(ctx context.Context, order string) (connector.Payment, error) {
	var found []*stripe.PaymentIntent
	err := c.call(ctx, "search_payment_intents", func(ctx context.Context, api *client.API) error {
		found = found[:0]
		p := &stripe.PaymentIntentSearchParams{}
		p.Context = ctx
		p.Query = OrderQuery(c.opts.OrderMetadataKey, order)
		p.Limit = stripe.Int64(10)
		p.Single = true
		p.AddExpand("data.customer")
		p.AddExpand("data.latest_charge")
		it := api.PaymentIntents.Search(p)
		for it.Next() {
			found = append(found, it.PaymentIntent())
		}
		return it.Err()
	})
	if err != nil {
		return connector.Payment{}, err
	}
	if len(found) == 0 {
		return connector.Payment{}, connector.NotFound(tool, "search_payment_intents")
	}
	// Several attempts for one order (a declined card, then a good one): the newest
	// tells the customer where the order stands.
	sort.SliceStable(found, func(i, j int) bool { return found[i].Created > found[j].Created })
	return normalize(found[0], c.opts.OrderMetadataKey, "")
}

// RecentPayments finds the Stripe customers with this email (Stripe's email filter is
// case-sensitive, so the lower-cased address is tried when the given one finds none)
// and returns their latest PaymentIntents, newest first.
func (c *Client) RecentPayments(ctx context.Context, email string, limit int) ([]connector.Payment, error) {
	email = strings.TrimSpace(email)
	if email == "" || !strings.Contains(email, "@") {
		return nil, &connector.Error{Kind: connector.KindInvalidInput, Tool: tool, Op: "recent_payments", Field: "email", Err: errors.New("not an email address")}
	}
	if limit <= 0 {
		limit = 5
	}
	if limit > 100 {
		limit = 100 // Stripe's page size cap
	}
	customers, err := c.customersByEmail(ctx, email)
	if err == nil && len(customers) == 0 && strings.ToLower(email) != email {
		customers, err = c.customersByEmail(ctx, strings.ToLower(email))
	}
	if err != nil {
		return nil, err
	}
	if len(customers) == 0 {
		return nil, connector.NotFound(tool, "list_customers")
	}
	type item struct {
		pi    *stripe.PaymentIntent
		email string
	}
	var all []item
	for _, cu := range customers {
		var page []*stripe.PaymentIntent
		err := c.call(ctx, "list_payment_intents", func(ctx context.Context, api *client.API) error {
			page = page[:0]
			p := &stripe.PaymentIntentListParams{Customer: stripe.String(cu.ID)}
			p.Context = ctx
			p.Limit = stripe.Int64(int64(limit))
			p.Single = true
			p.AddExpand("data.latest_charge")
			it := api.PaymentIntents.List(p)
			for it.Next() {
				page = append(page, it.PaymentIntent())
			}
			return it.Err()
		})
		if err != nil {
			return nil, err
		}
		fallback := cu.Email
		if fallback == "" {
			fallback = email // the customer matched the email filter
		}
		for _, pi := range page {
			all = append(all, item{pi, fallback})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].pi.Created > all[j].pi.Created })
	if len(all) > limit {
		all = all[:limit]
	}
	out := make([]connector.Payment, 0, len(all))
	for _, it := range all {
		// Listed intents carry the customer as an id only; the customer we found holds
		// the email.
		p, err := normalize(it.pi, c.opts.OrderMetadataKey, it.email)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func (c *Client) customersByEmail(ctx context.Context, email string) ([]*stripe.Customer, error) {
	var out []*stripe.Customer
	err := c.call(ctx, "list_customers", func(ctx context.Context, api *client.API) error {
		out = out[:0]
		p := &stripe.CustomerListParams{Email: stripe.String(email)}
		p.Context = ctx
		p.Limit = stripe.Int64(int64(c.opts.MaxCustomers))
		p.Single = true
		it := api.Customers.List(p)
		for it.Next() {
			out = append(out, it.Customer())
		}
		return it.Err()
	})
	return out, err
}

// Ping proves the key and the reach: it reads the account balance, the cheapest
// authenticated call that needs no object id.
func (c *Client) Ping(ctx context.Context) error {
	return c.call(ctx, "ping", func(ctx context.Context, api *client.API) error {
		p := &stripe.BalanceParams{}
		p.Context = ctx
		_, err := api.Balance.Get(p)
		return err
	})
}
