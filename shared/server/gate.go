package server

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform"
)

// Gate is the Door as a platform's own routes use it (platform.Gate).
type Gate struct{ Door Door }

var _ platform.Gate = Gate{}

// Answer admits the call, lets its Prepare complete the decoded request and answers
// the turn; a refusal comes back with what the transport adds to it.
func (g Gate) Answer(ctx context.Context, c platform.GateCall) (int, []byte, *platform.GateRefusal) {
	// The caller behind a trusted reverse proxy (security.trusted_proxies).
	source := proxiesOf(g.Door.Engine.Guard()).ClientOf(c.Source, c.Header)
	a, ref := g.Door.Admit(ctx, Request{Platform: c.Platform, Header: c.Header, Source: source,
		Declared: c.Declared, Body: c.Body, Authorized: c.Authorized})
	if ref != nil {
		return ref.Status, ref.Body, &platform.GateRefusal{Challenge: ref.Challenge, RetryAfter: ref.RetryAfter}
	}
	defer a.Release()
	if c.Prepare != nil {
		if err := c.Prepare(a.Request); err != nil {
			b, _ := json.Marshal(map[string]string{"error": err.Error()})
			return http.StatusBadRequest, b, nil
		}
	}
	resp := g.Door.Engine.ServeDecoded(ctx, a.Platform, a.Request, a.Body)
	return resp.Status, resp.Body, nil
}

// Check admits a call by its source's rate and platform p's credentials; status 0
// admits it.
func (g Gate) Check(ctx context.Context, p conversation.Platform, h http.Header, source string) (int, []byte, *platform.GateRefusal) {
	source = proxiesOf(g.Door.Engine.Guard()).ClientOf(source, h)
	if resp := g.Door.Engine.Admit(ctx, p, h, nil, source); resp != nil {
		return resp.Status, resp.Body, &platform.GateRefusal{Challenge: resp.Status == http.StatusUnauthorized, RetryAfter: resp.Status == http.StatusServiceUnavailable}
	}
	return 0, nil, nil
}
