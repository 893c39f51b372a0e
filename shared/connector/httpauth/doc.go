// Package httpauth authenticates the HTTP connectors to their business tools with one of
// four methods — OAuth 2.0 client credentials, a static bearer token or API-key header,
// HTTP basic, and mutual TLS — all reading their credentials from a secrets.Provider.
// Client wraps an http.Client so that a 401 from the tool refreshes the credentials
// once (the secret may have been rotated, the token may have expired) and replays the
// request once; a 403 (denied: known credentials without the permission) is returned
// as is. OAuth token requests run on the calling turn's context with a timeout.
package httpauth
