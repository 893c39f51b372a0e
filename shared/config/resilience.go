package config

// Resilience configures retries, breakers, limits and bulkheads per business tool.
// Owned by the resilience work (issue 4).
type Resilience struct{}

func (r *Resilience) applyDefaults() {}
