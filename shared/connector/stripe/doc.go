// Package stripeconn implements connector.Payments over Stripe's API with
// github.com/stripe/stripe-go/v76: a payment is looked up by PaymentIntent id or by the
// merchant's order number kept in PaymentIntent metadata, and a customer's recent
// PaymentIntents are listed after finding the customer by email. Stripe's answers are
// mapped onto connector.Payment in one place (normalize.go).
package stripeconn
