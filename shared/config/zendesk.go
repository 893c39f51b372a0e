package config

// Zendesk configures the Zendesk connector. Owned by the connectors work (issue 3).
type Zendesk struct{}
