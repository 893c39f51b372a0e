package config

// HubSpot configures the HubSpot connector. Owned by the connectors work (issue 3).
type HubSpot struct{}
