package awsjson

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/encoding/httpbinding"

	"github.com/switchboard-dev/switchboard/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func testConfig() aws.Config {
	return aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "TOKEN")}
}

func noEnv(string) string { return "" }

func client(t *testing.T, svc Service, endpoint string, o Options) *Client {
	t.Helper()
	o.Endpoint = endpoint
	if o.Getenv == nil {
		o.Getenv = noEnv
	}
	c, err := New(testConfig(), svc, o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Real services on moto: a DynamoDB answer decodes, a Secrets Manager error is typed.
func TestOnMoto(t *testing.T) {
	moto := testenv.Moto(t)
	ctx := context.Background()
	var tables struct{ TableNames []string }
	if err := client(t, DynamoDB, moto, Options{}).Call(ctx, "ListTables", map[string]any{}, &tables); err != nil {
		t.Fatalf("DynamoDB ListTables: %v", err)
	}
	err := client(t, SecretsManager, moto, Options{}).Call(ctx, "GetSecretValue",
		map[string]string{"SecretId": "switchboard/absent-" + fmt.Sprint(time.Now().UnixNano())}, nil)
	var e *Error
	if !errors.As(err, &e) || e.Code != "ResourceNotFoundException" || e.Status/100 != 4 {
		t.Fatalf("missing secret: %#v", err)
	}
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "ResourceNotFoundException" || api.ErrorFault() != smithy.FaultClient {
		t.Fatalf("not a smithy.APIError: %v", err)
	}
	// moto checks nothing of the signature; a wrong target is refused like on AWS.
	if err := client(t, DynamoDB, moto, Options{}).Call(ctx, "NoSuchOperation", map[string]any{}, nil); err == nil {
		t.Fatal("an unknown operation succeeded")
	}
}

// What goes on the wire: the target, the protocol's content type and a SigV4
// signature over the body with the session token.
func TestRequestIsSigned(t *testing.T) {
	var got *http.Request
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		body, _ = io.ReadAll(r.Body)
		w.Header().Set("X-Amzn-Requestid", "req-1")
		fmt.Fprint(w, `{"Item":{"id":{"S":"k"}}}`)
	}))
	defer srv.Close()
	var out struct {
		Item map[string]map[string]string
	}
	if err := client(t, DynamoDB, srv.URL, Options{}).Call(context.Background(), "GetItem", map[string]string{"TableName": "t"}, &out); err != nil {
		t.Fatal(err)
	}
	if got.Method != http.MethodPost || got.URL.Path != "/" {
		t.Errorf("%s %s", got.Method, got.URL.Path)
	}
	if v := got.Header.Get("X-Amz-Target"); v != "DynamoDB_20120810.GetItem" {
		t.Errorf("X-Amz-Target %q", v)
	}
	if v := got.Header.Get("Content-Type"); v != "application/x-amz-json-1.0" {
		t.Errorf("Content-Type %q", v)
	}
	auth := got.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKID/") || !strings.Contains(auth, "/eu-west-1/dynamodb/aws4_request") ||
		!strings.Contains(auth, "x-amz-target") || !strings.Contains(auth, "Signature=") {
		t.Errorf("Authorization %q", auth)
	}
	if got.Header.Get("X-Amz-Security-Token") != "TOKEN" || got.Header.Get("X-Amz-Date") == "" {
		t.Errorf("token %q, date %q", got.Header.Get("X-Amz-Security-Token"), got.Header.Get("X-Amz-Date"))
	}
	if string(body) != `{"TableName":"t"}` {
		t.Errorf("body %s", body)
	}
	if out.Item["id"]["S"] != "k" {
		t.Errorf("answer %+v", out)
	}
	if v := client(t, SecretsManager, srv.URL, Options{}); v != nil {
		_ = v.Call(context.Background(), "GetSecretValue", map[string]string{"SecretId": "x"}, nil)
		if ct := got.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" || got.Header.Get("X-Amz-Target") != "secretsmanager.GetSecretValue" {
			t.Errorf("Secrets Manager: %q, %q", ct, got.Header.Get("X-Amz-Target"))
		}
	}
}

// Throttling, 5xx and dropped connections are retried within MaxAttempts; a client
// error is not; every outcome reaches the observer once.
func TestRetries(t *testing.T) {
	cases := []struct {
		name     string
		answers  []func(w http.ResponseWriter)
		attempts int
		code     string // "" = success
	}{
		{"500 then ok", []func(http.ResponseWriter){status(500, `{"__type":"InternalServerError","message":"boom"}`), ok}, 2, ""},
		{"throttled twice then ok", []func(http.ResponseWriter){
			status(400, `{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow down"}`),
			status(400, `{"__type":"ThrottlingException","message":"Rate exceeded"}`), ok}, 3, ""},
		{"throttled past the limit", []func(http.ResponseWriter){
			status(429, `{"__type":"ThrottlingException"}`), status(429, `{"__type":"ThrottlingException"}`),
			status(429, `{"__type":"ThrottlingException"}`), ok}, 3, "ThrottlingException"},
		{"validation is final", []func(http.ResponseWriter){
			status(400, `{"__type":"com.amazon.coral.validate#ValidationException","message":"bad key"}`), ok}, 1, "ValidationException"},
		{"conditional check is final", []func(http.ResponseWriter){
			status(400, `{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed","Item":{"id":{"S":"k"}}}`), ok}, 1, "ConditionalCheckFailedException"},
		{"code in the header", []func(http.ResponseWriter){func(w http.ResponseWriter) {
			w.Header().Set("X-Amzn-ErrorType", "AccessDeniedException:http://internal.amazon.com/coral/com.amazon.coral.service/")
			w.WriteHeader(403)
		}}, 1, "AccessDeniedException"},
		{"connection dropped then ok", []func(http.ResponseWriter){hangUp, ok}, 2, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				i := int(n.Add(1)) - 1
				tc.answers[min(i, len(tc.answers)-1)](w)
			}))
			defer srv.Close()
			var observed []error
			obs := func(ctx context.Context, c CallInfo) (context.Context, func(string, error)) {
				if c.Service != "DynamoDB" || c.Operation != "PutItem" || c.Region != "eu-west-1" {
					t.Errorf("observer saw %+v", c)
				}
				return ctx, func(_ string, err error) { observed = append(observed, err) }
			}
			err := client(t, DynamoDB, srv.URL, Options{Observe: obs}).Call(context.Background(), "PutItem", map[string]any{}, nil)
			if int(n.Load()) != tc.attempts {
				t.Errorf("%d attempts, want %d", n.Load(), tc.attempts)
			}
			var e *Error
			switch {
			case tc.code == "" && err != nil:
				t.Errorf("want success, got %v", err)
			case tc.code != "" && (!errors.As(err, &e) || e.Code != tc.code):
				t.Errorf("want %s, got %#v", tc.code, err)
			}
			if len(observed) != 1 || !errors.Is(observed[0], err) && (observed[0] != nil || err != nil) {
				t.Errorf("observer told %v, call returned %v", observed, err)
			}
		})
	}
}

func status(code int, body string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(code)
		fmt.Fprint(w, body)
	}
}

func ok(w http.ResponseWriter) { fmt.Fprint(w, `{}`) }

func hangUp(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

// A dead endpoint fails within the caller's deadline, not the retries' sum.
func TestDeadlineEndsRetries(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status(503, `{"__type":"ServiceUnavailable"}`)(w)
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := client(t, DynamoDB, srv.URL, Options{MaxAttempts: 100, MaxBackoff: 20 * time.Millisecond}).Call(ctx, "GetItem", map[string]any{}, nil)
	if err == nil || time.Since(start) > time.Second {
		t.Fatalf("err %v after %s", err, time.Since(start))
	}
}

func TestEndpointResolution(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	base := testConfig()
	withBase := testConfig()
	withBase.BaseEndpoint = aws.String("http://base:1")
	cn := testConfig()
	cn.Region = "cn-north-1"
	cases := []struct {
		name string
		cfg  aws.Config
		svc  Service
		o    Options
		want string
	}{
		{"regional", base, DynamoDB, Options{Getenv: env()}, "https://dynamodb.eu-west-1.amazonaws.com"},
		{"china", cn, SecretsManager, Options{Getenv: env()}, "https://secretsmanager.cn-north-1.amazonaws.com.cn"},
		{"service variable", base, SecretsManager, Options{Getenv: env("AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://sm:1", "AWS_ENDPOINT_URL", "http://all:1")}, "http://sm:1"},
		{"global variable", base, DynamoDB, Options{Getenv: env("AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://sm:1", "AWS_ENDPOINT_URL", "http://all:1")}, "http://all:1"},
		{"config base", withBase, DynamoDB, Options{Getenv: env()}, "http://base:1"},
		{"ignored", withBase, DynamoDB, Options{Getenv: env("AWS_ENDPOINT_URL_DYNAMODB", "http://d:1", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")}, "https://dynamodb.eu-west-1.amazonaws.com"},
		{"explicit wins", base, DynamoDB, Options{Endpoint: "http://x:1/", Getenv: env("AWS_ENDPOINT_URL_DYNAMODB", "http://d:1")}, "http://x:1"},
	}
	for _, tc := range cases {
		c, err := New(tc.cfg, tc.svc, tc.o)
		if err != nil {
			t.Fatal(err)
		}
		if c.Endpoint() != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, c.Endpoint(), tc.want)
		}
	}
	if _, err := New(aws.Config{Credentials: base.Credentials}, DynamoDB, Options{}); err == nil {
		t.Error("no region accepted")
	}
	if _, err := New(aws.Config{Region: "eu-west-1"}, DynamoDB, Options{}); err == nil {
		t.Error("no credentials accepted")
	}
}

// FuzzDecodeError: whatever an endpoint answers with a non-2xx status, the client
// reads it as an *Error with a code, and never panics.
func FuzzDecodeError(f *testing.F) {
	f.Add(400, "", `{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed","Item":{"id":{"S":"k"}}}`)
	f.Add(404, "", `{"__type":"ResourceNotFoundException","Message":"Secrets Manager can't find the specified secret."}`)
	f.Add(403, "AccessDeniedException:http://internal.amazon.com/coral/com.amazon.coral.service/", ``)
	f.Add(429, "TooManyRequestsException", `{"Reason":"ReservedFunctionConcurrentInvocationLimitExceeded","Type":"User","message":"Rate Exceeded."}`)
	f.Add(500, "", `<html>gateway</html>`)
	f.Add(503, "", `{"__type":5}`)
	f.Fuzz(func(t *testing.T, status int, errType, body string) {
		if status < 100 || status > 999 {
			status = 500
		}
		resp := &http.Response{StatusCode: status, Header: http.Header{}}
		if errType != "" {
			resp.Header.Set("X-Amzn-ErrorType", errType)
		}
		e := decodeError(resp, "req", []byte(body))
		if e == nil || e.Code == "" || e.Status != status || strings.ContainsAny(e.Code, "#") {
			t.Fatalf("decodeError(%d, %q, %q) = %#v", status, errType, body, e)
		}
		_ = e.Error()
		_ = retryable(e)
	})
}

func TestBadEndpointFailsAtStart(t *testing.T) {
	for _, e := range []string{"127.0.0.1:8000", "://x", "not a url"} {
		if _, err := New(testConfig(), DynamoDB, Options{Endpoint: e, Getenv: noEnv}); err == nil {
			t.Errorf("endpoint %q accepted", e)
		}
	}
}

// The signature covers what actually reaches the server: the endpoint re-signs the
// request as received (the headers the Authorization header lists, the path, query and
// body) and must get the same signature. This catches a header net/http adds or
// changes after signing (Host, Content-Length, Accept-Encoding), which a real AWS
// endpoint would refuse with SignatureDoesNotMatch.
func TestSignatureMatchesTheRequestAsReceived(t *testing.T) {
	creds := aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET", SessionToken: "TOKEN"}
	var problems []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		auth := r.Header.Get("Authorization")
		fail := func(s string) { mu.Lock(); problems = append(problems, s); mu.Unlock(); w.WriteHeader(403) }
		_, signedPart, ok := strings.Cut(auth, "SignedHeaders=")
		if !ok {
			fail("no SignedHeaders in " + auth)
			return
		}
		signedList, sigPart, _ := strings.Cut(signedPart, ", Signature=")
		when, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
		if err != nil {
			fail("X-Amz-Date: " + err.Error())
			return
		}
		re, _ := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), bytes.NewReader(body))
		re.Header = http.Header{}
		for _, h := range strings.Split(signedList, ";") {
			switch h {
			case "host":
				re.Host = r.Host
			case "content-length":
				re.ContentLength = r.ContentLength
			default:
				for _, v := range r.Header.Values(h) {
					re.Header.Add(h, v)
				}
			}
		}
		re.Header.Del("X-Amz-Date")
		re.Header.Del("X-Amz-Security-Token")
		sum := sha256.Sum256(body)
		svc, _, _ := strings.Cut(strings.TrimPrefix(auth[strings.Index(auth, "/")+1:], ""), ",")
		parts := strings.Split(svc, "/") // date/region/service/aws4_request
		if len(parts) < 4 {
			fail("credential scope " + svc)
			return
		}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, re, hex.EncodeToString(sum[:]), parts[2], parts[1], when); err != nil {
			fail(err.Error())
			return
		}
		_, want, _ := strings.Cut(re.Header.Get("Authorization"), "Signature=")
		if want != sigPart {
			fail(fmt.Sprintf("%s %s: signature %s, re-signed as received %s (signed headers %s, re-signed %s)",
				r.Method, r.URL.RequestURI(), sigPart, want, signedList, re.Header.Get("Authorization")))
			return
		}
		fmt.Fprint(w, `{}`)
	}))
	defer srv.Close()
	cfg := aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken)}
	ctx := context.Background()
	for _, svc := range []Service{DynamoDB, SecretsManager} {
		c, err := New(cfg, svc, Options{Endpoint: srv.URL, Getenv: noEnv, MaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Call(ctx, "GetItem", map[string]any{"TableName": "t", "Key": map[string]any{"id": map[string]string{"S": "a b/ç"}}}, nil); err != nil {
			t.Errorf("%s: %v", svc.SDKID, err)
		}
	}
	lambda, err := New(cfg, Lambda, Options{Endpoint: srv.URL, Getenv: noEnv, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = lambda.Send(ctx, "Invoke", Request{Method: http.MethodPost,
		Path:   "/2015-03-31/functions/" + PathLabel("arn:aws:lambda:eu-west-1:1:function:f:live") + "/invocations",
		Query:  url.Values{"Qualifier": {"live"}},
		Header: http.Header{"X-Amz-Invocation-Type": {"RequestResponse"}, "Content-Type": {"application/octet-stream"}},
		Body:   []byte(`{"x":1}`)})
	if err != nil {
		t.Errorf("Lambda: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Error(p)
	}
}

// An independent check of the signing: moto_server with authentication on verifies
// SigV4 with botocore's implementation. The right key is accepted for both JSON
// protocols; a wrong secret is refused.
func TestSignatureAcceptedByAnIndependentVerifier(t *testing.T) {
	endpoint, id, secret := testenv.MotoWithAuth(t)
	ctx := context.Background()
	for _, tc := range []struct {
		secret string
		ok     bool
	}{{secret, true}, {"not-" + secret, false}} {
		cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(id, tc.secret, "")}
		for _, op := range []struct {
			svc Service
			op  string
		}{{DynamoDB, "ListTables"}, {SecretsManager, "ListSecrets"}} {
			c, err := New(cfg, op.svc, Options{Endpoint: endpoint, Getenv: noEnv, MaxAttempts: 1})
			if err != nil {
				t.Fatal(err)
			}
			err = c.Call(ctx, op.op, map[string]any{}, nil)
			var e *Error
			switch {
			case tc.ok && err != nil:
				t.Errorf("%s.%s signed with the right key: %v", op.svc.SDKID, op.op, err)
			case !tc.ok && (!errors.As(err, &e) || e.Status != http.StatusForbidden):
				t.Errorf("%s.%s signed with a wrong secret: %v, want 403", op.svc.SDKID, op.op, err)
			}
		}
		// Lambda Invoke (REST, a path label and a query): past the signature check, moto
		// answers that the function does not exist. (Not an ARN: moto's verifier refuses
		// an escaped colon in the path even from botocore, which signed it.)
		lc, err := New(cfg, Lambda, Options{Endpoint: endpoint, Getenv: noEnv, MaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		_, err = lc.Send(ctx, "Invoke", Request{Method: http.MethodPost,
			Path:   "/2015-03-31/functions/" + PathLabel("sb-absent") + "/invocations",
			Query:  url.Values{"Qualifier": {"live"}},
			Header: http.Header{"X-Amz-Invocation-Type": {"RequestResponse"}, "Content-Type": {"application/octet-stream"}},
			Body:   []byte(`{"x":1}`)})
		var e *Error
		switch {
		case !errors.As(err, &e):
			t.Errorf("Lambda Invoke of a missing function: %v", err)
		case tc.ok && e.Status == http.StatusForbidden:
			t.Errorf("Lambda Invoke signed with the right key refused: %v", err)
		case !tc.ok && e.Status != http.StatusForbidden:
			t.Errorf("Lambda Invoke signed with a wrong secret: %v, want 403", err)
		}
	}
}

// PathLabel escapes a label exactly as the SDKs' REST serializers do (smithy-go's
// httpbinding, which the SDK's Lambda client used for FunctionName).
func TestPathLabelMatchesTheSDK(t *testing.T) {
	for _, s := range []string{"sb-lookupcustomer", "arn:aws:lambda:eu-west-1:123456789012:function:sb-x:live",
		"a b/c?d#e%f", "ü~._-", ""} {
		if got, want := PathLabel(s), httpbinding.EscapePath(s, true); got != want {
			t.Errorf("PathLabel(%q) = %q, the SDK's %q", s, got, want)
		}
	}
}
