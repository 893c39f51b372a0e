package stripeconn

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/resilience"
)

// RecentPayments lists the customers with the email, then each one's PaymentIntents:
// against stripe-mock (one customer) two requests, two tokens. With three tokens (and
// none refilled within the test) the second lookup gets its customer list out and its
// PaymentIntent list refused, unsent.
func TestRecentPaymentsSpendsATokenPerRequest(t *testing.T) {
	t.Parallel()
	c, rec := mockClient(t, Options{})
	p := resilience.NewPolicy(Tool, resilience.Settings{
		MaxAttempts: 1, BreakerFailures: 100, BreakerMinRequests: 100, BreakerWindow: time.Minute,
		BreakerOpenFor: time.Minute, BreakerProbes: 1, Rate: 1e-9, Burst: 3,
	}, resilience.Options{})
	pay := resilience.Payments(p, c)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := pay.RecentPayments(ctx, "ada@example.com", 3); err != nil {
		t.Fatal(err)
	}
	if n := len(rec.all()); n != 2 {
		t.Fatalf("RecentPayments sent %d requests, want 2 (customers, payment intents)", n)
	}
	_, err := pay.RecentPayments(ctx, "ada@example.com", 3)
	if !errors.Is(err, resilience.ErrLimited) || connector.KindOf(err) != connector.KindRateLimited {
		t.Fatalf("err = %v, want the limiter's refusal (ErrLimited, rate_limited)", err)
	}
	urls := rec.all()
	if len(urls) != 3 || urls[2].Path != "/v1/customers" {
		t.Fatalf("requests = %v; want the second lookup's customer list only", urls)
	}
	if st := p.Stats(); st.LimiterRejections != 1 || st.Failures != 0 || st.Breaker != resilience.BreakerClosed {
		t.Fatalf("stats = %+v; want one rejection, no failure, breaker closed", st)
	}
}
