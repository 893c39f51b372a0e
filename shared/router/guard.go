package router

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/aws/aws-lambda-go/events"

	"github.com/switchboard-dev/switchboard/shared/lambdafn"
	"github.com/switchboard-dev/switchboard/shared/security"
	"github.com/switchboard-dev/switchboard/shared/server"
)

// admit runs the guard on an HTTP API event before its body is decoded or forwarded:
// credentials, source rate and the declared size. It returns the refusal to answer
// with, and true, or false to go on. Lex invokes (IAM) and events that are not
// webhooks pass; the standard handler answers the latter.
func (r *Router) admit(ctx context.Context, event []byte) (any, bool) {
	if lambdafn.Classify(event) != lambdafn.KindHTTP {
		return nil, false
	}
	var req events.APIGatewayV2HTTPRequest
	if json.Unmarshal(event, &req) != nil {
		return nil, false
	}
	p, ok := server.PlatformForPath(req.RawPath)
	if !ok {
		return nil, false
	}
	h := make(http.Header, len(req.Headers))
	for k, v := range req.Headers {
		h.Set(k, v)
	}
	q := make(url.Values, len(req.QueryStringParameters))
	for k, v := range req.QueryStringParameters {
		q.Set(k, v)
	}
	ref := r.eng.Admit(ctx, p, h, q, req.RequestContext.HTTP.SourceIP)
	if ref == nil {
		wire := int64(len(req.Body))
		if req.IsBase64Encoded {
			wire = int64(base64.StdEncoding.DecodedLen(len(req.Body)))
		}
		if max := r.cfg.Server.MaxBodyBytes; max > 0 && wire > max {
			ref = r.eng.Refuse(ctx, p, security.RefusedSize, nil)
		}
	}
	if ref == nil {
		return nil, false
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: ref.Status,
		Headers: map[string]string{"Content-Type": "application/json"}, Body: string(ref.Body)}, true
}
