package connector

import (
	"context"
	"net/http"
)

// RequestGate admits the HTTP requests a connector sends to its tool, one at a time:
// the resilience layer puts one in the context of each connector call so that the
// tool's rate limit is spent per request the vendor counts (a lookup that searches,
// then reads, then follows a page link is three), not per connector call.
type RequestGate interface {
	// Admit returns nil when req may be sent now (it may wait first), or the error
	// that refuses it: req must then not be sent.
	Admit(req *http.Request) error
}

type gateKey struct{}

// WithRequestGate returns a context whose requests are admitted by g (the innermost
// gate wins).
func WithRequestGate(ctx context.Context, g RequestGate) context.Context {
	return context.WithValue(ctx, gateKey{}, g)
}

// AdmitRequest asks the RequestGate of req's context to admit req; without a gate
// every request is admitted.
func AdmitRequest(req *http.Request) error {
	if g, ok := req.Context().Value(gateKey{}).(RequestGate); ok && g != nil {
		return g.Admit(req)
	}
	return nil
}

type readKey struct{}

// ReadOnly returns a context whose requests change nothing at the tool whatever their
// method: a search the vendor takes as a POST (HubSpot's CRM search). A RequestGate
// counts such a request as a read, as it counts GET and HEAD, so it is never taken for
// the write after which a call's further requests must not be refused.
func ReadOnly(ctx context.Context) context.Context {
	return context.WithValue(ctx, readKey{}, true)
}

// IsRead reports whether req changes nothing at the tool: a GET or a HEAD, or a
// request whose context ReadOnly marked.
func IsRead(req *http.Request) bool {
	switch req.Method {
	case "", http.MethodGet, http.MethodHead:
		return true
	}
	read, _ := req.Context().Value(readKey{}).(bool)
	return read
}

// GatedTransport wraps next (http.DefaultTransport when nil) so that every request
// passes AdmitRequest before it is sent. A refused request is not
// sent; the refusal comes back as the round trip's error (http.Client wraps it in a
// *url.Error, which keeps it in the chain for errors.Is and errors.As).
func GatedTransport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	if g, ok := next.(gatedTransport); ok {
		return g
	}
	return gatedTransport{next: next}
}

// GatedClient returns a copy of hc (a new client when nil) whose transport is
// GatedTransport: the client every HTTP connector sends its tool requests with. The
// caller's client is left as it was, so a token endpoint reached with it (OAuth) is
// not counted against the tool's API limit.
func GatedClient(hc *http.Client) *http.Client {
	c := &http.Client{}
	if hc != nil {
		*c = *hc
	}
	c.Transport = GatedTransport(c.Transport)
	return c
}

type gatedTransport struct{ next http.RoundTripper }

func (t gatedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := AdmitRequest(req); err != nil {
		if req.Body != nil {
			req.Body.Close() // a RoundTripper closes the body, even on error
		}
		return nil, err
	}
	return t.next.RoundTrip(req)
}

// CloseIdleConnections passes http.Client.CloseIdleConnections on to the wrapped
// transport.
func (t gatedTransport) CloseIdleConnections() {
	if c, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
