package config

import "path/filepath"

// Store configures idempotency records and the read cache. Owned by the store work
// (issue 4).
type Store struct {
	Backend string `yaml:"backend"` // embedded | dynamodb
	// Path of the embedded store's database file (default <data_dir>/store.db).
	Path string `yaml:"path"`
}

func (s *Store) applyDefaults(c *Config) {
	if s.Backend == "" {
		s.Backend = "embedded"
	}
	if s.Path == "" {
		s.Path = filepath.Join(c.DataDir, "store.db")
	}
}
