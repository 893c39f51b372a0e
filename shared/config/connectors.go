package config

import "fmt"

// Connectors chooses which business tool serves each capability and configures each
// tool. Owned by the connectors work (issue 3): tool sections are added here.
type Connectors struct {
	Customers string `yaml:"customers"` // demo | salesforce | hubspot | sql
	Tickets   string `yaml:"tickets"`   // demo | zendesk | sql
	Payments  string `yaml:"payments"`  // demo | stripe
	KB        string `yaml:"kb"`        // demo | zendesk

	Salesforce Salesforce `yaml:"salesforce"`
	HubSpot    HubSpot    `yaml:"hubspot"`
	Zendesk    Zendesk    `yaml:"zendesk"`
	Stripe     Stripe     `yaml:"stripe"`
	SQL        SQL        `yaml:"sql"`
}

func (c *Connectors) applyDefaults() {
	for _, f := range []*string{&c.Customers, &c.Tickets, &c.Payments, &c.KB} {
		if *f == "" {
			*f = "demo"
		}
	}
	c.Zendesk.applyDefaults()
}

func (c Connectors) validate() error {
	allowed := map[string][]string{
		"customers": {"demo", "salesforce", "hubspot", "sql"},
		"tickets":   {"demo", "zendesk", "sql"},
		"payments":  {"demo", "stripe"},
		"kb":        {"demo", "zendesk"},
	}
	got := map[string]string{"customers": c.Customers, "tickets": c.Tickets, "payments": c.Payments, "kb": c.KB}
	for k, v := range got {
		ok := false
		for _, a := range allowed[k] {
			ok = ok || a == v
		}
		if !ok {
			return fmt.Errorf("config: connectors.%s: unknown tool %q (want one of %v)", k, v, allowed[k])
		}
	}
	if c.Tickets == "zendesk" || c.KB == "zendesk" {
		if err := c.Zendesk.Validate(); err != nil {
			return err
		}
	}
	return nil
}
