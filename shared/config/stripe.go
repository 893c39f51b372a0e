package config

// Stripe configures the Stripe connector. Owned by the connectors work (issue 3).
type Stripe struct{}
