// Package awsjson calls AWS services that speak the JSON protocol (DynamoDB: JSON 1.0,
// Secrets Manager: JSON 1.1) over plain net/http, signed with Signature Version 4.
//
// The functions make four kinds of AWS call — DynamoDB PutItem, GetItem and
// DeleteItem, Secrets Manager GetSecretValue — and the SDK's service packages cost
// every cold start about a millisecond of package initialisation (their generated
// schemas and endpoint tables) and a few megabytes of binary for them. This client does
// what those calls need: endpoint resolution (AWS_ENDPOINT_URL[_<SERVICE>], else the
// regional endpoint), SigV4 with the SDK's own signer and credentials, the protocol's
// error shape (__type, message), and bounded retries with jitter for throttling, 5xx
// and transport errors.
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
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go"
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
		c.http = &http.Client{Transport: http.DefaultTransport}
	}
	c.endpoint = strings.TrimSuffix(c.resolveEndpoint(cfg), "/")
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
	if !strings.EqualFold(c.o.Getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true") {
		if v := c.o.Getenv("AWS_ENDPOINT_URL_" + strings.ToUpper(strings.ReplaceAll(c.svc.SDKID, " ", "_"))); v != "" {
			return v
		}
		if v := c.o.Getenv("AWS_ENDPOINT_URL"); v != "" {
			return v
		}
		if cfg.BaseEndpoint != nil && *cfg.BaseEndpoint != "" {
			return *cfg.BaseEndpoint
		}
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
func (c *Client) Call(ctx context.Context, op string, in, out any) (err error) {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("awsjson: %s.%s: encode request: %w", c.svc.SDKID, op, err)
	}
	var requestID string
	if c.o.Observe != nil {
		var done func(string, error)
		ctx, done = c.o.Observe(ctx, CallInfo{Service: c.svc.SDKID, Operation: op, Region: c.region})
		defer func() { done(requestID, err) }()
	}
	for attempt := 1; ; attempt++ {
		var transient bool
		requestID, transient, err = c.once(ctx, op, body, out)
		if err == nil || attempt >= c.o.MaxAttempts || !transient || ctx.Err() != nil {
			if err != nil {
				var apiErr *Error
				if !errors.As(err, &apiErr) {
					err = fmt.Errorf("awsjson: %s.%s: %w", c.svc.SDKID, op, err)
				}
			}
			return err
		}
		// Full jitter on an exponential base: 25ms, 50ms, … capped at MaxBackoff.
		wait := time.Duration(rand.Int64N(int64(min(c.o.MaxBackoff, 25*time.Millisecond<<(attempt-1))) + 1))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("awsjson: %s.%s: %w (after %v)", c.svc.SDKID, op, ctx.Err(), err)
		case <-t.C:
		}
	}
}

// once makes one attempt; transient reports whether another may succeed.
func (c *Client) once(ctx context.Context, op string, body []byte, out any) (requestID string, transient bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return "", false, err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-"+c.svc.Version)
	req.Header.Set("X-Amz-Target", c.svc.TargetPrefix+"."+op)
	req.Header.Set("Accept-Encoding", "identity")
	creds, err := c.creds.Retrieve(ctx)
	if err != nil {
		return "", false, fmt.Errorf("credentials: %w", err)
	}
	sum := sha256.Sum256(body)
	if err := c.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), c.svc.SigningName, c.region, time.Now()); err != nil {
		return "", false, fmt.Errorf("sign: %w", err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// Refused, reset, this attempt's timeout: the next attempt may get through.
		return "", true, err
	}
	defer resp.Body.Close()
	requestID = resp.Header.Get("X-Amzn-Requestid")
	if requestID == "" {
		requestID = resp.Header.Get("X-Amz-Request-Id")
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return requestID, true, fmt.Errorf("read answer: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		e := decodeError(resp, requestID, data)
		return requestID, retryable(e), e
	}
	if out == nil {
		return requestID, false, nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return requestID, false, fmt.Errorf("decode answer: %w", err)
	}
	return requestID, false, nil
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
		code = http.StatusText(resp.StatusCode)
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
