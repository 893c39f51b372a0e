package testenv

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// APIGateway is an http.RoundTripper that plays the HTTP API in front of a Lambda: each
// request becomes the payload 2.0 event API Gateway would deliver (headers lowercased,
// the body base64), Invoke runs the function on it (in process, or under the RIE), and
// the function's events.APIGatewayV2HTTPResponse becomes the HTTP response. An HTTP
// client (an MCP client, say) then talks to a function as it would to its deployed URL.
type APIGateway struct {
	// Invoke runs the function on one event and returns its payload.
	Invoke func(event []byte) ([]byte, error)
	// SourceIP is the caller's address in the event (default 192.0.2.10).
	SourceIP string
}

// RoundTrip delivers req to the function as API Gateway would.
func (g APIGateway) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: req.Method + " " + req.URL.Path, RawPath: req.URL.Path,
		RawQueryString: req.URL.RawQuery, Headers: map[string]string{}, Body: base64.StdEncoding.EncodeToString(body),
		IsBase64Encoded: true}
	for k, vs := range req.Header {
		ev.Headers[strings.ToLower(k)] = strings.Join(vs, ",")
	}
	ev.RequestContext.HTTP.Method = req.Method
	ev.RequestContext.HTTP.Path = req.URL.Path
	ev.RequestContext.HTTP.SourceIP = g.SourceIP
	if ev.RequestContext.HTTP.SourceIP == "" {
		ev.RequestContext.HTTP.SourceIP = "192.0.2.10"
	}
	ev.RequestContext.Stage = "$default"
	ev.RequestContext.RequestID = fmt.Sprintf("apigw-%p", req)
	ev.RequestContext.DomainName = req.URL.Host
	event, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	payload, err := g.Invoke(event)
	if err != nil {
		return nil, err
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(payload, &resp); err != nil || resp.StatusCode == 0 {
		// API Gateway answers 500 for an integration response it cannot read.
		return nil, fmt.Errorf("not an API Gateway response: %.300s", payload)
	}
	out := []byte(resp.Body)
	if resp.IsBase64Encoded {
		if out, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			return nil, err
		}
	}
	h := http.Header{}
	for k, v := range resp.Headers {
		h.Set(k, v)
	}
	return &http.Response{StatusCode: resp.StatusCode, Status: fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode)),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: h, Body: io.NopCloser(bytes.NewReader(out)),
		ContentLength: int64(len(out)), Request: req}, nil
}
