package app

import (
	"github.com/switchboard-dev/switchboard/shared/cache"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/idempotency"
	"github.com/switchboard-dev/switchboard/shared/resilience"
)

// The composition root is the only reader of shared/config: every other package takes
// its own Options (plain types, its own defaults) and the functions below translate
// the loaded configuration into them.

// CachePolicies reads the store.cache section (after config.Load).
func CachePolicies(c config.StoreCache) cache.Policies {
	return cache.Policies{
		Customer:      cache.Policy{MaxAge: c.Customer, StaleLimit: max(c.StaleLimit, c.Customer)},
		KB:            cache.Policy{MaxAge: c.KB, StaleLimit: max(c.StaleLimit, c.KB)},
		PaymentStatus: cache.Policy{MaxAge: c.PaymentStatus, StaleLimit: max(c.PaymentStaleLimit, c.PaymentStatus)},
	}
}

// IdempotencyOptions returns options from the store section of the configuration, for
// the function named fn ("" for the local server, which keys records by intent).
func IdempotencyOptions(cfg config.Config, fn string) idempotency.Options {
	st := cfg.Store
	return idempotency.Options{
		Function:   fn,
		Expiration: st.IdempotencyExpiration,
		LocalCache: st.IdempotencyLocalCache,
		Idempotent: func(in conversation.Intent) bool { return st.Idempotent(string(in)) },
		FailOpen:   func(in conversation.Intent) bool { return st.FailsOpen(string(in)) },
	}
}

// ResilienceSettings returns each tool's effective resilience policy (resilience.<tool>
// after Load; a tool without a section gets resilience.defaults).
func ResilienceSettings(r config.Resilience) func(tool string) resilience.Settings {
	return func(tool string) resilience.Settings { return resilience.Settings(r.For(tool)) }
}
