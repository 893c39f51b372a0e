package config

// Security configures webhook authentication and abuse limits. Owned by the security
// work (issue 7).
type Security struct{}

func (s *Security) applyDefaults() {}
