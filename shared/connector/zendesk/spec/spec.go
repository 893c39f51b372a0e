// Package spec is the configuration side of the zendesk tool: its name, its
// connectors.zendesk section (defaults, validation) and what shared/config knows of it
// (toolspec.Spec), registered from init. The connector package builds its client
// from it; the CDK app (infra/) links only this package, so it validates a function's
// configuration without the client's dependencies.
package spec

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/contract/toolspec"
)

// Auth methods of the auth key.
const (
	AuthAPIToken = "api_token"
	AuthOAuth    = "oauth"
)

// Tool is the tool's name in the configuration (connectors.tickets: zendesk).
const Tool = "zendesk"

// Config is the connectors.zendesk section (docs/connectors/zendesk.md): tickets and
// Help Center articles.
type Config struct {
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
	// LinkHosts are the hosts a ticket's or an article's link may point to; a link
	// elsewhere, or not https, is not shown (default: the hosts of the base URL and of
	// request_url).
	LinkHosts []string `yaml:"link_hosts"`
}

// ApplyDefaults fills the zero fields.
func (z *Config) ApplyDefaults() {
	if z.Auth == "" {
		z.Auth = AuthAPIToken
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
func (z Config) URL() string {
	if z.BaseURL != "" {
		return strings.TrimRight(z.BaseURL, "/")
	}
	if z.Subdomain == "" {
		return ""
	}
	return "https://" + strings.ToLower(z.Subdomain) + ".zendesk.com"
}

// Validate checks the section; config.Load calls it when a capability is served by
// Zendesk.
func (z *Config) Validate() error {
	switch {
	case z.Subdomain == "" && z.BaseURL == "":
		return fmt.Errorf("config: connectors.zendesk: subdomain or base_url is required (connectors.zendesk.subdomain, SWITCHBOARD_CONNECTORS_ZENDESK_SUBDOMAIN)")
	case z.Subdomain != "" && !validSubdomain(z.Subdomain):
		return fmt.Errorf("config: connectors.zendesk.subdomain: %q is not a subdomain (want e.g. \"acme\" for acme.zendesk.com)", z.Subdomain)
	}
	if z.BaseURL != "" {
		u, err := url.Parse(z.BaseURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("config: connectors.zendesk.base_url: %q is not an absolute http(s) URL", z.BaseURL)
		}
	}
	switch z.Auth {
	case AuthAPIToken, AuthOAuth:
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

// validSubdomain: a letter or digit, then up to 62 letters, digits or hyphens. (A
// plain loop: a package-level regexp is compiled at every process start.)
func validSubdomain(s string) bool {
	alnum := func(c byte) bool { return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') }
	if len(s) == 0 || len(s) > 63 || !alnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !alnum(s[i]) && s[i] != '-' {
			return false
		}
	}
	return true
}

// ToolSpec is what shared/config knows of the tool.
var ToolSpec = toolspec.Spec{
	Name:         Tool,
	Capabilities: []string{toolspec.CapTickets, toolspec.CapKB},
	NewSection:   func() toolspec.Section { return &Config{} },
	SecretKey:    "secret_id",
	// Support API, Suite Enterprise: 700 requests per minute per account. The
	// limiter spends a token per request (OpenTickets usually makes two).
	Resilience: toolspec.Resilience{Rate: 700.0 / 60, Burst: 10, MaxInFlight: 10},
}

func init() { toolspec.Register(ToolSpec) }
