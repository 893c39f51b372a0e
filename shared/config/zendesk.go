package config

import (
	"fmt"
	"net/url"
	"strings"
)

// Zendesk configures the Zendesk connector (tickets=zendesk, kb=zendesk). Owned by the
// connectors work (issue 3).
type Zendesk struct {
	// Subdomain of the Zendesk account: "acme" for https://acme.zendesk.com.
	Subdomain string `yaml:"subdomain"`
	// BaseURL overrides the URL built from Subdomain: a host-mapped domain, or a local
	// stand-in in tests. Either Subdomain or BaseURL is required when Zendesk is used.
	BaseURL string `yaml:"base_url"`
	// Auth is "api_token" (default: HTTP basic "<email>/token:<api_token>") or "oauth"
	// (an OAuth access token sent as a bearer token).
	Auth string `yaml:"auth"`
	// SecretID names the secret holding the credentials (default "switchboard/zendesk"):
	// keys email and api_token for api_token, access_token for oauth.
	SecretID string `yaml:"secret_id"`
	// Locale restricts Help Center search to one locale, e.g. "en-us". Empty sends no
	// locale and Zendesk searches the help center's default one.
	Locale string `yaml:"locale"`
	// PageSize is the page size of ticket and user lists, 1 to 100 (default 100).
	PageSize int `yaml:"page_size"`
	// MaxPages bounds how many pages of one requester's tickets are read (default 10).
	MaxPages int `yaml:"max_pages"`
	// RequestURL is the link base for tickets shown to customers; a ticket's link is
	// RequestURL + id (default <base URL>/hc/requests/).
	RequestURL string `yaml:"request_url"`
	// Tags are added to every ticket Switchboard creates (default none).
	Tags []string `yaml:"tags"`
}

// Zendesk auth methods.
const (
	ZendeskAuthAPIToken = "api_token"
	ZendeskAuthOAuth    = "oauth"
)

func (z *Zendesk) applyDefaults() {
	if z.Auth == "" {
		z.Auth = ZendeskAuthAPIToken
	}
	if z.SecretID == "" {
		z.SecretID = "switchboard/zendesk"
	}
	if z.PageSize == 0 {
		z.PageSize = 100
	}
	if z.MaxPages == 0 {
		z.MaxPages = 10
	}
}

// URL is the account's base URL: BaseURL when set, else https://<subdomain>.zendesk.com.
func (z Zendesk) URL() string {
	if z.BaseURL != "" {
		return strings.TrimRight(z.BaseURL, "/")
	}
	if z.Subdomain == "" {
		return ""
	}
	return "https://" + strings.ToLower(z.Subdomain) + ".zendesk.com"
}

// Validate checks the Zendesk section. Connectors.validate calls it when a capability
// is served by Zendesk.
func (z Zendesk) Validate() error {
	switch {
	case z.Subdomain == "" && z.BaseURL == "":
		return fmt.Errorf("config: connectors.zendesk: subdomain or base_url is required")
	case z.Subdomain != "" && !validZendeskSubdomain(z.Subdomain):
		return fmt.Errorf("config: connectors.zendesk.subdomain: %q is not a subdomain (want e.g. \"acme\" for acme.zendesk.com)", z.Subdomain)
	}
	if z.BaseURL != "" {
		u, err := url.Parse(z.BaseURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("config: connectors.zendesk.base_url: %q is not an absolute http(s) URL", z.BaseURL)
		}
	}
	switch z.Auth {
	case ZendeskAuthAPIToken, ZendeskAuthOAuth:
	default:
		return fmt.Errorf("config: connectors.zendesk.auth: unknown method %q (want api_token or oauth)", z.Auth)
	}
	if z.PageSize < 1 || z.PageSize > 100 {
		return fmt.Errorf("config: connectors.zendesk.page_size: %d is outside 1..100", z.PageSize)
	}
	if z.MaxPages < 1 {
		return fmt.Errorf("config: connectors.zendesk.max_pages: %d, want at least 1", z.MaxPages)
	}
	if z.RequestURL != "" {
		if u, err := url.Parse(z.RequestURL); err != nil || !u.IsAbs() {
			return fmt.Errorf("config: connectors.zendesk.request_url: %q is not an absolute URL", z.RequestURL)
		}
	}
	return nil
}
