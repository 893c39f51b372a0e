package stripeconn

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// seen records the requests a client sent, to check what reached the server.
type seen struct {
	mu   sync.Mutex
	urls []*url.URL
}

func (s *seen) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	u := *r.URL
	s.urls = append(s.urls, &u)
	s.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

func (s *seen) all() []*url.URL {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*url.URL(nil), s.urls...)
}

func mockClient(t *testing.T, opts Options) (*Client, *seen) {
	t.Helper()
	opts.BaseURL = testenv.StripeMock(t)
	rec := &seen{}
	opts.HTTPClient = &http.Client{Transport: rec}
	if opts.APIKey == "" && opts.Key == nil {
		opts.APIKey = "sk_test_123"
	}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c, rec
}

// stripe-mock answers every call with its bundled fixture for the resource (v0.203.0):
// a PaymentIntent of 1099 usd, requires_payment_method with a last_payment_error,
// created 1234567890, and a customer without an email. These tests check that the
// calls are valid against Stripe's OpenAPI spec and that the fixture maps field by
// field.

func TestFindPaymentByIDAgainstStripeMock(t *testing.T) {
	t.Parallel()
	c, rec := mockClient(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := c.FindPayment(ctx, "pi_3MtwBwLkdIwHu7ix28a3tqPa")
	if err != nil {
		t.Fatal(err)
	}
	checkPayment(t, got, connector.Payment{
		ID: "pi_3MtwBwLkdIwHu7ix28a3tqPa", Amount: 1099, Currency: "usd",
		Status: connector.PaymentFailed, CreatedAt: time.Unix(1234567890, 0).UTC(),
	})
	urls := rec.all()
	if len(urls) != 1 || urls[0].Path != "/v1/payment_intents/pi_3MtwBwLkdIwHu7ix28a3tqPa" {
		t.Fatalf("requests = %v", urls)
	}
	if q := urls[0].Query(); q.Get("expand[0]") != "customer" || q.Get("expand[1]") != "latest_charge" {
		t.Errorf("query = %v, want customer and latest_charge expanded", q)
	}
}

func TestFindPaymentByOrderNumberAgainstStripeMock(t *testing.T) {
	t.Parallel()
	c, rec := mockClient(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := c.FindPayment(ctx, "A-1001' OR status:'succeeded")
	if err != nil {
		t.Fatal(err)
	}
	checkPayment(t, got, connector.Payment{
		ID: "pi_1PgafyB7WZ01zgkWSjxsAJo3", Amount: 1099, Currency: "usd",
		Status: connector.PaymentFailed, CreatedAt: time.Unix(1234567890, 0).UTC(),
	})
	urls := rec.all()
	if len(urls) != 1 || urls[0].Path != "/v1/payment_intents/search" {
		t.Fatalf("requests = %v", urls)
	}
	if q := urls[0].Query().Get("query"); q != `metadata['order_number']:'A-1001\' OR status:\'succeeded'` {
		t.Errorf("query = %s", q)
	}
}

func TestRecentPaymentsAgainstStripeMock(t *testing.T) {
	t.Parallel()
	c, rec := mockClient(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := c.RecentPayments(ctx, "ada@example.com", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d payments, want the fixture's 1", len(got))
	}
	// The fixture customer has no email and the intent no receipt_email: the address
	// the customer was found by is the one reported.
	checkPayment(t, got[0], connector.Payment{
		ID: "pi_1PgafyB7WZ01zgkWSjxsAJo3", CustomerEmail: "ada@example.com", Amount: 1099, Currency: "usd",
		Status: connector.PaymentFailed, CreatedAt: time.Unix(1234567890, 0).UTC(),
	})
	urls := rec.all()
	if len(urls) != 2 {
		t.Fatalf("requests = %v", urls)
	}
	if urls[0].Path != "/v1/customers" || urls[0].Query().Get("email") != "ada@example.com" || urls[0].Query().Get("limit") != "5" {
		t.Errorf("customer lookup = %s", urls[0])
	}
	if urls[1].Path != "/v1/payment_intents" || urls[1].Query().Get("customer") != "cus_QXg1o8vcGmoR32" || urls[1].Query().Get("limit") != "3" {
		t.Errorf("intent listing = %s", urls[1])
	}
}

func TestPingAgainstStripeMock(t *testing.T) {
	t.Parallel()
	c, _ := mockClient(t, Options{})
	if err := c.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	bad, _ := mockClient(t, Options{APIKey: "not-a-key"})
	err := bad.Ping(context.Background())
	if !errors.Is(err, connector.ErrUnauthorized) {
		t.Fatalf("Ping with a bad key = %v, want unauthorized", err)
	}
}

// A rotated key: the cached key is refused, the source is asked to refresh, the call
// succeeds with the new key.
func TestUnauthorizedRefreshesKeyOnce(t *testing.T) {
	t.Parallel()
	var refreshes atomic.Int32
	key := func(ctx context.Context, refresh bool) (string, error) {
		if refresh {
			refreshes.Add(1)
			return "sk_test_rotated", nil
		}
		return "revoked-key", nil
	}
	c, rec := mockClient(t, Options{Key: key})
	got, err := c.FindPayment(context.Background(), "pi_123")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "pi_123" || refreshes.Load() != 1 || len(rec.all()) != 2 {
		t.Fatalf("id %q, refreshes %d, requests %d; want pi_123, 1, 2", got.ID, refreshes.Load(), len(rec.all()))
	}

	// A key that stays wrong is reported, not retried forever.
	always := func(ctx context.Context, refresh bool) (string, error) { return "revoked-key", nil }
	c2, rec2 := mockClient(t, Options{Key: always})
	if _, err := c2.FindPayment(context.Background(), "pi_123"); !errors.Is(err, connector.ErrUnauthorized) {
		t.Fatalf("err = %v, want unauthorized", err)
	}
	if n := len(rec2.all()); n != 2 {
		t.Fatalf("requests = %d, want 2 (one refresh)", n)
	}
}

// errorServer is an in-process stand-in answering the failures stripe-mock cannot
// produce, with Stripe's documented error bodies.
func errorServer(t *testing.T, h http.HandlerFunc) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := New(Options{APIKey: "sk_test_123", BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestErrorsAreTyped(t *testing.T) {
	t.Parallel()
	wrongType, err := os.ReadFile(filepath.Join("testdata", "pi_wrongtype.json"))
	if err != nil {
		t.Fatal(err)
	}
	stripeErr := func(status int, body string, hdr ...string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			for i := 0; i+1 < len(hdr); i += 2 {
				w.Header().Set(hdr[i], hdr[i+1])
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			fmt.Fprint(w, body)
		}
	}
	tests := []struct {
		name       string
		h          http.HandlerFunc
		kind       connector.Kind
		code       string
		retryAfter time.Duration
		field      string
	}{
		{"not found", stripeErr(404, `{"error":{"code":"resource_missing","doc_url":"https://stripe.com/docs/error-codes/resource-missing","message":"No such payment_intent: 'pi_nope'","param":"intent","type":"invalid_request_error"}}`),
			connector.KindNotFound, "resource_missing", 0, ""},
		{"invalid key", stripeErr(401, `{"error":{"message":"Invalid API Key provided: sk_test_****2345","type":"invalid_request_error"}}`),
			connector.KindUnauthorized, "", 0, ""},
		{"rate limited", stripeErr(429, `{"error":{"code":"rate_limit","message":"Too many requests hit the API too quickly.","type":"invalid_request_error"}}`, "Retry-After", "2"),
			connector.KindRateLimited, "rate_limit", 2 * time.Second, ""},
		{"api error", stripeErr(500, `{"error":{"message":"An unknown error occurred","type":"api_error"}}`),
			connector.KindUnavailable, "", 0, ""},
		{"gateway html", stripeErr(502, `<html><body>502 Bad Gateway</body></html>`),
			connector.KindUnavailable, "", 0, ""},
		{"rate limited html", stripeErr(429, `<html>slow down</html>`, "Retry-After", "3"),
			connector.KindRateLimited, "", 3 * time.Second, ""},
		{"bad param", stripeErr(400, `{"error":{"message":"Received unknown parameter: foo","param":"foo","type":"invalid_request_error"}}`),
			connector.KindInvalidInput, "", 0, "foo"},
		{"malformed body", stripeErr(200, `{"id": "pi_1", "amount": 10`),
			connector.KindInvalidResponse, "", 0, "body"},
		{"wrong type", stripeErr(200, string(wrongType)),
			connector.KindInvalidResponse, "", 0, "amount"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := errorServer(t, tc.h)
			_, err := c.FindPayment(context.Background(), "pi_nope")
			var ce *connector.Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v (%T), want *connector.Error", err, err)
			}
			if ce.Kind != tc.kind || ce.Code != tc.code || ce.RetryAfter != tc.retryAfter || ce.Field != tc.field {
				t.Fatalf("got kind %s code %q retry %s field %q (%v); want %s %q %s %q",
					ce.Kind, ce.Code, ce.RetryAfter, ce.Field, err, tc.kind, tc.code, tc.retryAfter, tc.field)
			}
		})
	}
}

func TestSearchWithNoMatchIsNotFound(t *testing.T) {
	t.Parallel()
	c := errorServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/payment_intents/search" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, `{"object":"search_result","data":[],"has_more":false,"next_page":null,"url":"/v1/payment_intents/search"}`)
	})
	if _, err := c.FindPayment(context.Background(), "NO-SUCH-ORDER"); !errors.Is(err, connector.ErrNotFound) {
		t.Fatalf("err = %v, want not found", err)
	}
}

func TestUnknownCustomerIsNotFound(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	c := errorServer(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		fmt.Fprint(w, `{"object":"list","data":[],"has_more":false,"url":"/v1/customers"}`)
	})
	if _, err := c.RecentPayments(context.Background(), "Nobody@Example.com", 3); !errors.Is(err, connector.ErrNotFound) {
		t.Fatalf("err = %v, want not found", err)
	}
	if calls.Load() != 2 {
		t.Fatalf("calls = %d, want 2 (as given, then lower-cased)", calls.Load())
	}
}

func TestSlowAnswerFailsAtTheDeadline(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	c := errorServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	// The stand-in answers only when the client gives up (or the test ends): a client
	// that outlived the deadline would hang here rather than return the error below.
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	_, err := c.FindPayment(ctx, "pi_slow")
	if !errors.Is(err, connector.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want unavailable wrapping the deadline", err)
	}
}

func TestConnectionRefusedIsUnavailable(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c, err := New(Options{APIKey: "sk_test_123", BaseURL: "http://" + addr})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Ping(context.Background()); !errors.Is(err, connector.ErrUnavailable) {
		t.Fatalf("err = %v, want unavailable", err)
	}
}

func TestInvalidInput(t *testing.T) {
	t.Parallel()
	c := errorServer(t, func(w http.ResponseWriter, r *http.Request) { t.Errorf("unexpected call %s", r.URL) })
	if _, err := c.FindPayment(context.Background(), "  "); !errors.Is(err, connector.ErrInvalidInput) {
		t.Errorf("empty reference: %v", err)
	}
	if _, err := c.RecentPayments(context.Background(), "not-an-email", 3); !errors.Is(err, connector.ErrInvalidInput) {
		t.Errorf("bad email: %v", err)
	}
	if _, err := New(Options{}); err == nil {
		t.Errorf("New without a key succeeded")
	}
}

// A secret store that is down is an outage (the user hears "try again later"); a key
// the store refuses or lacks is a credentials problem. No request reaches Stripe.
func TestKeySourceFailures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		err  error
		want error
	}{
		{"store down", &secrets.Error{ID: "switchboard/stripe", Source: "aws", Kind: secrets.KindUnavailable}, connector.ErrUnavailable},
		{"access denied", &secrets.Error{ID: "switchboard/stripe", Source: "aws", Kind: secrets.KindDenied}, connector.ErrUnauthorized},
		{"missing", &secrets.NotFoundError{ID: "switchboard/stripe"}, connector.ErrUnauthorized},
	} {
		key := func(context.Context, bool) (string, error) { return "", tc.err }
		c, rec := mockClient(t, Options{Key: key})
		if _, err := c.FindPayment(context.Background(), "pi_123"); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
		if n := len(rec.all()); n != 0 {
			t.Errorf("%s: %d requests reached Stripe", tc.name, n)
		}
	}
}
