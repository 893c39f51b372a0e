package config

import (
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/switchboard-dev/switchboard/shared/contract/table"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
)

// Store configures idempotency records and the read cache. Owned by the store work
// (issue 4).
type Store struct {
	Backend string `yaml:"backend"` // embedded | dynamodb
	// Path of the embedded store's database file (default <data_dir>/store.db).
	Path string `yaml:"path"`
	// Table is the DynamoDB table (default "switchboard").
	Table string `yaml:"table"`
	// Endpoint overrides the DynamoDB endpoint (local tests); "" keeps the SDK's own
	// resolution, which also honours AWS_ENDPOINT_URL.
	Endpoint string `yaml:"endpoint"`

	// IdempotentIntents lists the intents wrapped by the idempotency middleware
	// (default: the writes, create_ticket and update_customer; "none" disables it). Each wrapped new turn costs
	// two DynamoDB writes; a retried turn costs one. Read intents are not wrapped by
	// default: a repeated read reads again, through the read cache, and a read turn
	// costs no store write.
	IdempotentIntents []string `yaml:"idempotent_intents"`
	// FailOpenIntents lists the intents that still run when the store is unreachable
	// (default: the read-only ones — lookup_customer, verify_payment, search_kb; "none"
	// makes every intent fail closed). An intent not listed answers with an honest
	// failure instead of risking a duplicate side effect.
	FailOpenIntents []string `yaml:"fail_open_intents"`
	// IdempotencyExpiration is how long a completed turn's reply is kept and replayed
	// (default 1h).
	IdempotencyExpiration time.Duration `yaml:"idempotency_expiration"`
	// IdempotencyLocalCache is how many completed turns each process (Lambda
	// instance, server) keeps in memory, so a redelivery it has already answered
	// costs no DynamoDB call (default 1000; -1 turns it off). A completed record never
	// changes before it expires, so the copy cannot go stale.
	IdempotencyLocalCache int `yaml:"idempotency_local_cache"`

	Cache StoreCache `yaml:"cache"`
}

// StoreCache configures the read cache: per-capability maximum ages, and how long an
// entry is kept to be served stale (with its age) while its tool is failing.
type StoreCache struct {
	// Size bounds the in-memory LRU of each Lambda instance or server (default 1000).
	Size int `yaml:"size"`
	// Shared also keeps every answer in the store (the DynamoDB table on AWS), so one
	// instance's fetch serves the others and outlives the instance. Off by default: a
	// read turn then makes no store write, and no customer record rests in the table.
	// On, each cache miss costs one PutItem and each memory miss one GetItem.
	Shared bool `yaml:"shared"`
	// Customer, KB and PaymentStatus are the maximum ages of a fresh answer
	// (defaults 10m, 30m, 1m). A negative value disables caching of that capability.
	Customer      time.Duration `yaml:"customer"`
	KB            time.Duration `yaml:"kb"`
	PaymentStatus time.Duration `yaml:"payment_status"`
	// StaleLimit is how old an entry may be and still be served during an outage
	// (default 24h); PaymentStaleLimit is the same for payment status (default 1h),
	// since a payment's state moves faster than a profile's.
	StaleLimit        time.Duration `yaml:"stale_limit"`
	PaymentStaleLimit time.Duration `yaml:"payment_stale_limit"`
}

// idempotencyNone is the list value that disables an intent list.
const idempotencyNone = "none"

func (s *Store) applyDefaults(c *Config) {
	if s.Backend == "" {
		s.Backend = "embedded"
	}
	if s.Path == "" {
		s.Path = filepath.Join(c.DataDir, "store.db")
	}
	if s.Table == "" {
		s.Table = table.DefaultName
	}
	if len(s.IdempotentIntents) == 0 {
		// Only the write: a read turn repeated reads again (through the read cache) and
		// costs no store write.
		s.IdempotentIntents = intentsWhere(func(i spec.Intent) bool { return i.Write })
	}
	if len(s.FailOpenIntents) == 0 {
		s.FailOpenIntents = intentsWhere(func(i spec.Intent) bool { return !i.Write })
	}
	setDur(&s.IdempotencyExpiration, time.Hour)
	setInt(&s.IdempotencyLocalCache, 1000)
	if s.Cache.Size == 0 {
		s.Cache.Size = 1000
	}
	setDur(&s.Cache.Customer, 10*time.Minute)
	setDur(&s.Cache.KB, 30*time.Minute)
	setDur(&s.Cache.PaymentStatus, time.Minute)
	setDur(&s.Cache.StaleLimit, 24*time.Hour)
	setDur(&s.Cache.PaymentStaleLimit, time.Hour)
}

// Idempotent reports whether the intent (or function) is wrapped by idempotency.
func (s Store) Idempotent(intent string) bool { return listed(s.IdempotentIntents, intent) }

// FailsOpen reports whether the intent runs without idempotency when the store fails.
func (s Store) FailsOpen(intent string) bool { return listed(s.FailOpenIntents, intent) }

func listed(list []string, in string) bool {
	return !slices.Contains(list, idempotencyNone) && slices.Contains(list, in)
}

// Validate checks the store section. Config.Validate should call it.
func (s Store) Validate() error {
	switch s.Backend {
	case "embedded", "dynamodb":
	default:
		return fmt.Errorf("config: store.backend: unknown backend %q (want embedded or dynamodb)", s.Backend)
	}
	for name, list := range map[string][]string{"idempotent_intents": s.IdempotentIntents, "fail_open_intents": s.FailOpenIntents} {
		for _, in := range list {
			if in != idempotencyNone && !isCanonical(conversation.Intent(in)) {
				return fmt.Errorf("config: store.%s: unknown intent %q", name, in)
			}
		}
	}
	if s.IdempotencyExpiration < time.Minute {
		return fmt.Errorf("config: store.idempotency_expiration: %s is shorter than a platform's retry window", s.IdempotencyExpiration)
	}
	if s.IdempotencyLocalCache < -1 {
		return fmt.Errorf("config: store.idempotency_local_cache: %d (want a size, or -1 for none)", s.IdempotencyLocalCache)
	}
	if s.Cache.Size < 0 {
		return fmt.Errorf("config: store.cache.size: %d is negative", s.Cache.Size)
	}
	return nil
}

// intentsWhere lists the registered intents (shared/intents/spec) that match.
func intentsWhere(match func(spec.Intent) bool) []string {
	var out []string
	for _, i := range spec.All() {
		if match(i) {
			out = append(out, i.Name)
		}
	}
	return out
}
