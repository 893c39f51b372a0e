package zendesk

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/connector/httpauth"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

// FromConfig builds a Client from the connectors.zendesk section, reading credentials
// from p: email and api_token for auth api_token, access_token for auth oauth. hc and
// log may be nil.
func FromConfig(z config.Zendesk, p secrets.Provider, hc *http.Client, log *slog.Logger) (*Client, error) {
	if err := z.Validate(); err != nil {
		return nil, err
	}
	var auth httpauth.Method
	switch z.Auth {
	case config.ZendeskAuthAPIToken:
		auth = httpauth.BasicAuth(p, z.SecretID, "email", "api_token").WithUser(APITokenUser)
	case config.ZendeskAuthOAuth:
		auth = httpauth.Bearer(p, z.SecretID, "access_token")
	default:
		return nil, fmt.Errorf("zendesk: unknown auth %q", z.Auth)
	}
	return New(Options{
		BaseURL:    z.URL(),
		Auth:       auth,
		HTTPClient: hc,
		Locale:     z.Locale,
		PageSize:   z.PageSize,
		MaxPages:   z.MaxPages,
		RequestURL: z.RequestURL,
		Tags:       z.Tags,
		Logger:     log,
	})
}
