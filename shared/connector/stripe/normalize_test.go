package stripeconn

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"

	"github.com/switchboard-dev/switchboard/shared/connector"
)

func TestStatus(t *testing.T) {
	t.Parallel()
	declined := &stripe.Error{Type: stripe.ErrorTypeCard, Code: stripe.ErrorCodeCardDeclined}
	tests := []struct {
		name string
		pi   stripe.PaymentIntent
		want connector.PaymentStatus
	}{
		{"succeeded", stripe.PaymentIntent{Status: stripe.PaymentIntentStatusSucceeded}, connector.PaymentPaid},
		{"succeeded, charge not refunded", stripe.PaymentIntent{Status: stripe.PaymentIntentStatusSucceeded, LatestCharge: &stripe.Charge{Amount: 100}}, connector.PaymentPaid},
		{"succeeded, partly refunded", stripe.PaymentIntent{Status: stripe.PaymentIntentStatusSucceeded, LatestCharge: &stripe.Charge{Amount: 100, AmountRefunded: 40}}, connector.PaymentPaid},
		{"succeeded, fully refunded by amount", stripe.PaymentIntent{Status: stripe.PaymentIntentStatusSucceeded, LatestCharge: &stripe.Charge{Amount: 100, AmountRefunded: 100}}, connector.PaymentRefunded},
		{"succeeded, refunded flag", stripe.PaymentIntent{Status: stripe.PaymentIntentStatusSucceeded, LatestCharge: &stripe.Charge{Refunded: true}}, connector.PaymentRefunded},
		{"succeeded, unexpanded charge", stripe.PaymentIntent{Status: stripe.PaymentIntentStatusSucceeded, LatestCharge: &stripe.Charge{ID: "ch_1"}}, connector.PaymentPaid},
		{"processing", stripe.PaymentIntent{Status: stripe.PaymentIntentStatusProcessing}, connector.PaymentPending},
		{"requires_payment_method", stripe.PaymentIntent{Status: stripe.PaymentIntentStatusRequiresPaymentMethod}, connector.PaymentPending},
		{"requires_confirmation", stripe.PaymentIntent{Status: stripe.PaymentIntentStatusRequiresConfirmation}, connector.PaymentPending},
		{"requires_action", stripe.PaymentIntent{Status: stripe.PaymentIntentStatusRequiresAction}, connector.PaymentPending},
		{"requires_capture", stripe.PaymentIntent{Status: stripe.PaymentIntentStatusRequiresCapture}, connector.PaymentPending},
		{"declined attempt", stripe.PaymentIntent{Status: stripe.PaymentIntentStatusRequiresPaymentMethod, LastPaymentError: declined}, connector.PaymentFailed},
		{"canceled", stripe.PaymentIntent{Status: stripe.PaymentIntentStatusCanceled}, connector.PaymentFailed},
		{"unknown future status", stripe.PaymentIntent{Status: "requires_moon_phase"}, connector.PaymentPending},
		{"succeeded despite an earlier error", stripe.PaymentIntent{Status: stripe.PaymentIntentStatusSucceeded, LastPaymentError: declined}, connector.PaymentPaid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := Status(&tc.pi); got != tc.want {
				t.Errorf("Status = %q, want %q", got, tc.want)
			}
		})
	}
}

func readPI(t *testing.T, name string) *stripe.PaymentIntent {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var pi stripe.PaymentIntent
	if err := json.Unmarshal(raw, &pi); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &pi
}

func TestNormalizeDocumentedShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file     string
		fallback string
		want     connector.Payment
	}{
		{"pi_succeeded.json", "", connector.Payment{
			ID: "pi_3MtwBwLkdIwHu7ix28a3tqPa", OrderNumber: "A-1001", CustomerEmail: "ada@example.com",
			Amount: 2000, Currency: "usd", Status: connector.PaymentPaid, Description: "Order A-1001",
			CreatedAt: time.Unix(1680800504, 0).UTC(),
		}},
		{"pi_refunded.json", "", connector.Payment{
			ID: "pi_3MtwBwLkdIwHu7ix0refund", CustomerEmail: "ada@example.com",
			Amount: 4599, Currency: "eur", Status: connector.PaymentRefunded,
			CreatedAt: time.Unix(1680900000, 0).UTC(),
		}},
		{"pi_declined.json", "grace@example.com", connector.Payment{
			ID: "pi_3MtwBwLkdIwHu7ix0declin", OrderNumber: "B-7", CustomerEmail: "grace@example.com",
			Amount: 1099, Currency: "gbp", Status: connector.PaymentFailed,
			CreatedAt: time.Unix(1680700000, 0).UTC(),
		}},
		{"pi_processing.json", "", connector.Payment{
			ID: "pi_3MtwBwLkdIwHu7ix0proces", Amount: 500, Currency: "usd", Status: connector.PaymentPending,
			CreatedAt: time.Unix(1680600000, 0).UTC(),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			got, err := normalize(readPI(t, tc.file), "order_number", tc.fallback)
			if err != nil {
				t.Fatal(err)
			}
			checkPayment(t, got, tc.want)
		})
	}
}

func checkPayment(t *testing.T, got, want connector.Payment) {
	t.Helper()
	fields := []struct {
		name      string
		got, want any
	}{
		{"ID", got.ID, want.ID},
		{"OrderNumber", got.OrderNumber, want.OrderNumber},
		{"CustomerEmail", got.CustomerEmail, want.CustomerEmail},
		{"Amount", got.Amount, want.Amount},
		{"Currency", got.Currency, want.Currency},
		{"Status", got.Status, want.Status},
		{"Description", got.Description, want.Description},
		{"CreatedAt", got.CreatedAt, want.CreatedAt},
	}
	for _, f := range fields {
		if f.got != f.want {
			t.Errorf("%s = %v, want %v", f.name, f.got, f.want)
		}
	}
}

func TestNormalizeRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		pi    *stripe.PaymentIntent
		field string
	}{
		{"nil", nil, "payment_intent"},
		{"no id", &stripe.PaymentIntent{Amount: 1}, "id"},
		{"negative amount", &stripe.PaymentIntent{ID: "pi_1", Amount: -5}, "amount"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := normalize(tc.pi, "order_number", "")
			var ce *connector.Error
			if !errors.As(err, &ce) || ce.Kind != connector.KindInvalidResponse || ce.Field != tc.field {
				t.Fatalf("err = %v, want invalid response naming %q", err, tc.field)
			}
		})
	}
}

func TestBadFieldNamesTheWrongType(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join("testdata", "pi_wrongtype.json"))
	if err != nil {
		t.Fatal(err)
	}
	field, cause := badField("retrieve_payment_intent", raw)
	if field != "amount" || cause == nil {
		t.Fatalf("badField = %q, %v; want amount", field, cause)
	}
	field, _ = badField("retrieve_payment_intent", []byte("<html>oops</html>"))
	if field != "body" {
		t.Fatalf("badField(html) = %q, want body", field)
	}
}

func TestOrderQueryEscapes(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"A-1001", `metadata['order_number']:'A-1001'`},
		{"x' OR status:'succeeded", `metadata['order_number']:'x\' OR status:\'succeeded'`},
		{`a\' OR created>0 OR x:'`, `metadata['order_number']:'a\\\' OR created>0 OR x:\''`},
	}
	for _, tc := range tests {
		if got := OrderQuery("order_number", tc.in); got != tc.want {
			t.Errorf("OrderQuery(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
