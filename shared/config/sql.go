package config

// SQL configures the SQL connector. Owned by the connectors work (issue 3).
type SQL struct{}
