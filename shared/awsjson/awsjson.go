// Package awsjson calls AWS services that speak the JSON protocol (DynamoDB: JSON 1.0,
// Secrets Manager: JSON 1.1; Call) or REST-JSON (Lambda Invoke; Send) over plain
// net/http, signed with Signature Version 4.
//
// The functions make five kinds of AWS call — DynamoDB PutItem, GetItem and
// DeleteItem, Secrets Manager GetSecretValue, the router's Lambda Invoke — and the
// SDK's service packages cost every cold start about a millisecond of package
// initialisation (their generated schemas and endpoint tables) and a few megabytes of
// binary for them. This client does
// what those calls need: endpoint resolution (AWS_ENDPOINT_URL[_<SERVICE>], else the
// regional endpoint), SigV4 with the SDK's own signer and credentials, the protocol's
// error shape (__type or X-Amzn-ErrorType, message), and bounded retries with jitter for
// throttling, 5xx and transport errors.
package awsjson

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/switchboard-dev/switchboard/shared/awsenv"
)

// Service describes one JSON-protocol service.
type Service struct {
	// SigningName is the SigV4 service name and the endpoint's first label
	// ("dynamodb", "secretsmanager").
	SigningName string
	// SDKID is the service id the endpoint variables use, upper-cased with spaces
	// as underscores: "DynamoDB" → AWS_ENDPOINT_URL_DYNAMODB.
	SDKID string
	// TargetPrefix prefixes X-Amz-Target ("DynamoDB_20120810", "secretsmanager").
	TargetPrefix string
	// Version is the JSON protocol version, "1.0" or "1.1".
	Version string
}

// The services Switchboard calls.
var (
	DynamoDB       = Service{SigningName: "dynamodb", SDKID: "DynamoDB", TargetPrefix: "DynamoDB_20120810", Version: "1.0"}
	SecretsManager = Service{SigningName: "secretsmanager", SDKID: "Secrets Manager", TargetPrefix: "secretsmanager", Version: "1.1"}
	// Lambda speaks REST-JSON: use Send.
	Lambda = Service{SigningName: "lambda", SDKID: "Lambda"}
)

// Options configure a client. Zero values are the defaults.
type Options struct {
	// Endpoint overrides every other endpoint source (tests, local stand-ins).
	Endpoint string
	// MaxAttempts bounds the attempts of one call (default 3).
	MaxAttempts int
	// MaxBackoff caps the wait between attempts (default 100ms: a chat turn cannot
	// wait for the SDK's default of up to 20 s).
	MaxBackoff time.Duration
	// Observe, when set, is called around every call (tracing): it returns the
	// context the call runs under and a function told the outcome.
	Observe Observer
	// Getenv reads the endpoint variables (os.Getenv when nil).
	Getenv func(string) string
}

// Observer wraps one call: ctx for the call, and done with the request id (may be
// empty) and the call's error.
type Observer func(ctx context.Context, c CallInfo) (context.Context, func(requestID string, err error))

// CallInfo names a call for an Observer.
type CallInfo struct {
	Service   string // SDK id: "DynamoDB"
	Operation string // "PutItem"
	Region    string
}

// Client calls one service.
type Client struct {
	svc      Service
	endpoint string
	base     *url.URL // endpoint, parsed once
	region   string
	creds    aws.CredentialsProvider
	http     aws.HTTPClient
	signer   *v4.Signer
	o        Options
}

// New returns a client for svc with cfg's region, credentials and HTTP client.
func New(cfg aws.Config, svc Service, o Options) (*Client, error) {
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 3
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 100 * time.Millisecond
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if cfg.Region == "" {
		return nil, fmt.Errorf("awsjson: %s: no AWS region configured (AWS_REGION)", svc.SDKID)
	}
	if cfg.Credentials == nil {
		return nil, fmt.Errorf("awsjson: %s: no AWS credentials configured", svc.SDKID)
	}
	c := &Client{svc: svc, region: cfg.Region, creds: cfg.Credentials, http: cfg.HTTPClient, signer: v4.NewSigner(), o: o}
	if c.http == nil {
		// The SDK's own client: its dial, TLS and idle-connection settings (ten idle
		// connections per host, where net/http's default keeps two).
		c.http = awshttp.NewBuildableClient()
	}
	c.endpoint = strings.TrimSuffix(c.resolveEndpoint(cfg), "/")
	base, err := url.Parse(c.endpoint)
	if err != nil || base.Scheme == "" || base.Host == "" {
		return nil, fmt.Errorf("awsjson: %s: endpoint %q is not an absolute URL", svc.SDKID, c.endpoint)
	}
	c.base = base
	return c, nil
}

// Endpoint is the URL the client posts to.
func (c *Client) Endpoint() string { return c.endpoint }

// resolveEndpoint follows the SDK's order: an explicit endpoint, then
// AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL or the config's base endpoint
// (unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true), then the regional endpoint.
func (c *Client) resolveEndpoint(cfg aws.Config) string {
	if c.o.Endpoint != "" {
		return c.o.Endpoint
	}
	if v := awsenv.ServiceEndpoint(c.o.Getenv, c.svc.SDKID); v != "" {
		return v
	}
	if cfg.BaseEndpoint != nil && *cfg.BaseEndpoint != "" && !strings.EqualFold(c.o.Getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true") {
		return *cfg.BaseEndpoint
	}
	suffix := "amazonaws.com"
	if strings.HasPrefix(c.region, "cn-") {
		suffix = "amazonaws.com.cn"
	}
	return "https://" + c.svc.SigningName + "." + c.region + "." + suffix
}

// Error is a service's error answer: the protocol's __type (without its namespace) as
// Code, its message, the HTTP status, the request id, and the body (DynamoDB's
// ConditionalCheckFailedException carries the existing item there). It implements
// smithy.APIError, so code written against the SDK's errors classifies it the same.
type Error struct {
	Code      string
	Message   string
	Status    int
	RequestID string
	Body      []byte
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s (HTTP %d, request id %s): %s", e.Code, e.Status, e.RequestID, e.Message)
}

// ErrorCode implements smithy.APIError.
func (e *Error) ErrorCode() string { return e.Code }

// ErrorMessage implements smithy.APIError.
func (e *Error) ErrorMessage() string { return e.Message }

// ErrorFault implements smithy.APIError.
func (e *Error) ErrorFault() smithy.ErrorFault {
	if e.Status >= 500 {
		return smithy.FaultServer
	}
	return smithy.FaultClient
}

var _ smithy.APIError = (*Error)(nil)

// maxBody bounds a response read into memory; DynamoDB items are at most 400 KB and
// secrets 64 KB, so anything larger is not an answer to these calls.
const maxBody = 16 << 20

// Call sends op with in (marshalled to JSON) and decodes the answer into out (nil: the
// answer is discarded). A service error is an *Error; retries are spent on throttling,
// 5xx answers and transport errors, within ctx.
func (c *Client) Call(ctx context.Context, op string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("awsjson: %s.%s: encode request: %w", c.svc.SDKID, op, err)
	}
	header := http.Header{}
	header.Set("Content-Type", "application/x-amz-json-"+c.svc.Version)
	header.Set("X-Amz-Target", c.svc.TargetPrefix+"."+op)
	resp, err := c.run(ctx, op, Request{Method: http.MethodPost, Path: "/", Header: header, Body: body})
	if err != nil || out == nil {
		return err
	}
	if err := json.Unmarshal(resp.Body, out); err != nil {
		return fmt.Errorf("awsjson: %s.%s: decode answer: %w", c.svc.SDKID, op, err)
	}
	return nil
}

// Request is a REST call: method, path (already escaped, labels with PathLabel, e.g.
// "/2015-03-31/functions/my%3Afn/invocations"), query, headers and body.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte
}

// Response is a 2xx answer.
type Response struct {
	Status    int
	Header    http.Header
	Body      []byte
	RequestID string
}

// PathLabel percent-encodes a value for a REST path label as the AWS SDKs do: every
// byte but the unreserved ones (an ARN's colons included).
func PathLabel(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// Send makes a signed REST call named op (for the observer), with the same retries as
// Call. A non-2xx answer is an *Error (code from X-Amzn-ErrorType or the body).
func (c *Client) Send(ctx context.Context, op string, r Request) (*Response, error) {
	return c.run(ctx, op, r)
}

func (c *Client) run(ctx context.Context, op string, r Request) (resp *Response, err error) {
	var requestID string
	if c.o.Observe != nil {
		var done func(string, error)
		ctx, done = c.o.Observe(ctx, CallInfo{Service: c.svc.SDKID, Operation: op, Region: c.region})
		defer func() { done(requestID, err) }()
	}
	for attempt := 1; ; attempt++ {
		var transient bool
		resp, requestID, transient, err = c.once(ctx, r)
		if err == nil || attempt >= c.o.MaxAttempts || !transient || ctx.Err() != nil {
			if err != nil {
				var apiErr *Error
				if !errors.As(err, &apiErr) {
					err = fmt.Errorf("awsjson: %s.%s: %w", c.svc.SDKID, op, err)
				}
			}
			return resp, err
		}
		// Full jitter on an exponential base: 25ms, 50ms, … capped at MaxBackoff.
		wait := time.Duration(rand.Int64N(int64(min(c.o.MaxBackoff, 25*time.Millisecond<<(attempt-1))) + 1))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("awsjson: %s.%s: %w (after %v)", c.svc.SDKID, op, ctx.Err(), err)
		case <-t.C:
		}
	}
}

// once makes one attempt; transient reports whether another may succeed.
func (c *Client) once(ctx context.Context, r Request) (resp *Response, requestID string, transient bool, err error) {
	u := *c.base
	u.RawPath = strings.TrimSuffix(u.EscapedPath(), "/") + r.Path
	if u.Path, err = url.PathUnescape(u.RawPath); err != nil {
		return nil, "", false, fmt.Errorf("path: %w", err)
	}
	if len(r.Query) > 0 {
		u.RawQuery = r.Query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, u.String(), bytes.NewReader(r.Body))
	if err != nil {
		return nil, "", false, err
	}
	for k, v := range r.Header {
		req.Header[k] = v
	}
	req.Header.Set("Accept-Encoding", "identity")
	creds, err := c.creds.Retrieve(ctx)
	if err != nil {
		return nil, "", false, fmt.Errorf("credentials: %w", err)
	}
	sum := sha256.Sum256(r.Body)
	if err := c.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), c.svc.SigningName, c.region, time.Now()); err != nil {
		return nil, "", false, fmt.Errorf("sign: %w", err)
	}
	hr, err := c.http.Do(req)
	if err != nil {
		// Refused, reset, this attempt's timeout: the next attempt may get through.
		return nil, "", true, err
	}
	defer hr.Body.Close()
	requestID = hr.Header.Get("X-Amzn-Requestid")
	if requestID == "" {
		requestID = hr.Header.Get("X-Amz-Request-Id")
	}
	data, err := io.ReadAll(io.LimitReader(hr.Body, maxBody))
	if err != nil {
		return nil, requestID, true, fmt.Errorf("read answer: %w", err)
	}
	if hr.StatusCode/100 != 2 {
		e := decodeError(hr, requestID, data)
		return nil, requestID, retryable(e), e
	}
	return &Response{Status: hr.StatusCode, Header: hr.Header, Body: data, RequestID: requestID}, requestID, false, nil
}

// decodeError reads the JSON protocol's error shape: {"__type": "ns#Code", "message": …}
// (Secrets Manager writes "Message"); the code may also come in X-Amzn-ErrorType.
func decodeError(resp *http.Response, requestID string, body []byte) *Error {
	var shape struct {
		Type     string `json:"__type"`
		Code     string `json:"code"`
		Message  string `json:"message"`
		MessageU string `json:"Message"`
	}
	_ = json.Unmarshal(body, &shape)
	code := shape.Type
	if code == "" {
		code = shape.Code
	}
	if code == "" {
		code = resp.Header.Get("X-Amzn-Errortype")
	}
	code, _, _ = strings.Cut(code, ":") // "Code:http://internal.amazon.com/…"
	if i := strings.LastIndexByte(code, '#'); i >= 0 {
		code = code[i+1:]
	}
	if code == "" {
		code = strings.ReplaceAll(http.StatusText(resp.StatusCode), " ", "")
	}
	if code == "" {
		code = fmt.Sprintf("HTTP%d", resp.StatusCode)
	}
	msg := shape.Message
	if msg == "" {
		msg = shape.MessageU
	}
	return &Error{Code: code, Message: msg, Status: resp.StatusCode, RequestID: requestID, Body: body}
}

// retryable: throttling and server errors may pass; a client error will not.
func retryable(e *Error) bool {
	if e.Status >= 500 || e.Status == http.StatusTooManyRequests {
		return true
	}
	switch e.Code {
	case "ThrottlingException", "Throttling", "ThrottledException", "RequestThrottledException",
		"TooManyRequestsException", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
		"TransactionInProgressException", "RequestTimeout", "RequestTimeoutException":
		return true
	}
	return false
}
