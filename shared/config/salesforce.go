package config

// Salesforce configures the Salesforce connector. Owned by the connectors work (issue 3).
type Salesforce struct{}
