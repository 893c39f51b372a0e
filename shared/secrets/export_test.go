package secrets

import "time"

// SetClock replaces the cache's clock, so tests can age entries without sleeping.
func SetClock(c *Cache, now func() time.Time) { c.now = now }
