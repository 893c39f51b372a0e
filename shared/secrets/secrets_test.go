package secrets_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/switchboard-dev/switchboard/shared/awsenv"
	"github.com/switchboard-dev/switchboard/shared/connector/httpauth"
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// counting wraps the real Secrets Manager client, counting GetSecretValue calls and
// optionally slowing them so concurrent callers overlap.
type counting struct {
	secrets.SecretsManagerAPI
	calls atomic.Int64
	delay time.Duration
}

func (c *counting) GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	c.calls.Add(1)
	if c.delay > 0 {
		select {
		case <-time.After(c.delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return c.SecretsManagerAPI.GetSecretValue(ctx, in, optFns...)
}

// api is the production Secrets Manager client (the SDK's, from awsenv.Load) on
// endpoint, with the environment's credentials (testenv.AWSEnv) and attempts as given.
func api(t *testing.T, endpoint string, attempts int) secrets.SecretsManagerAPI {
	t.Helper()
	cfg, err := awsenv.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if attempts != awsenv.MaxAttempts {
		cfg.Retryer = nil
		cfg.RetryMaxAttempts = attempts
	}
	return secrets.NewSecretsManager(cfg, endpoint)
}

// motoAPI is the production client on moto (motoClient must have set the environment).
func motoAPI(t *testing.T) secrets.SecretsManagerAPI { return api(t, testenv.Moto(t), 3) }

func motoClient(t *testing.T) *secretsmanager.Client {
	t.Helper()
	endpoint := testenv.Moto(t)
	testenv.AWSEnv(t, endpoint)
	cfg, err := awsconfig.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

func createSecret(t *testing.T, sm *secretsmanager.Client, name, value string) {
	t.Helper()
	_, err := sm.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(value)})
	if err != nil {
		t.Fatalf("create secret %s: %v", name, err)
	}
}

func putSecret(t *testing.T, sm *secretsmanager.Client, name, value string) string {
	t.Helper()
	out, err := sm.PutSecretValue(context.Background(), &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String(value)})
	if err != nil {
		t.Fatalf("put secret %s: %v", name, err)
	}
	return aws.ToString(out.VersionId)
}

func uniq(t *testing.T) string {
	return fmt.Sprintf("test/%s/%d", strings.ReplaceAll(t.Name(), "/", "-"), time.Now().UnixNano())
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestAWSGetCachesUntilMaxAge(t *testing.T) {
	sm := motoClient(t)
	id := uniq(t)
	createSecret(t, sm, "pfx/"+id, `{"client_id":"cid","client_secret":"s3cr3t-v1","port":5432,"tls":true,"unused":null}`)
	api := &counting{SecretsManagerAPI: motoAPI(t)}
	p := secrets.NewAWS(api, secrets.AWSOptions{Prefix: "pfx/", MaxAge: time.Minute})
	clock := time.Now()
	var mu sync.Mutex
	secrets.SetClock(p.Cache, func() time.Time { mu.Lock(); defer mu.Unlock(); return clock })
	advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }

	want := secrets.Secret{"client_id": "cid", "client_secret": "s3cr3t-v1", "port": "5432", "tls": "true"}
	for i := range 5 {
		s, err := p.Get(ctx(t), id)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(s) != fmt.Sprint(want) {
			t.Fatalf("get %d: %v, want %v", i, s, want)
		}
	}
	if n := api.calls.Load(); n != 1 {
		t.Fatalf("5 Gets within max age made %d GetSecretValue calls, want 1", n)
	}
	advance(59 * time.Second)
	if _, err := p.Get(ctx(t), id); err != nil {
		t.Fatal(err)
	}
	if n := api.calls.Load(); n != 1 {
		t.Fatalf("Get at 59s made %d calls, want still 1", n)
	}
	putSecret(t, sm, "pfx/"+id, `{"client_id":"cid","client_secret":"s3cr3t-v2"}`)
	advance(2 * time.Second)
	s, err := p.Get(ctx(t), id)
	if err != nil {
		t.Fatal(err)
	}
	if n := api.calls.Load(); n != 2 || s["client_secret"] != "s3cr3t-v2" {
		t.Fatalf("Get past max age: calls=%d secret=%v, want a second fetch with v2", n, s["client_secret"])
	}
	// Refresh always fetches.
	if _, err := p.Refresh(ctx(t), id); err != nil {
		t.Fatal(err)
	}
	if n := api.calls.Load(); n != 3 {
		t.Fatalf("Refresh made %d total calls, want 3", n)
	}
}

func TestAWSConcurrentCallersShareOneFetch(t *testing.T) {
	sm := motoClient(t)
	id := uniq(t)
	createSecret(t, sm, id, `{"token":"tok"}`)
	api := &counting{SecretsManagerAPI: motoAPI(t), delay: 100 * time.Millisecond}
	p := secrets.NewAWS(api, secrets.AWSOptions{})
	for _, op := range []struct {
		name string
		call func(context.Context, string) (secrets.Secret, error)
	}{{"get", p.Get}, {"refresh", p.Refresh}} {
		before := api.calls.Load()
		var wg sync.WaitGroup
		errs := make(chan error, 50)
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s, err := op.call(ctx(t), id)
				if err == nil && s["token"] != "tok" {
					err = fmt.Errorf("got %v", s)
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("%s: %v", op.name, err)
			}
		}
		if n := api.calls.Load() - before; n != 1 {
			t.Errorf("50 concurrent %s calls made %d GetSecretValue calls, want 1", op.name, n)
		}
	}
}

// TestAWSRotationRefreshesOn401 is the rotation story end to end: the tool accepts only
// the current token; the secret gets a new version; the next call goes out with the
// cached old token, is refused with 401, httpauth refreshes the secret once and the
// replay succeeds — and the cache then serves the new token without further fetches.
func TestAWSRotationRefreshesOn401(t *testing.T) {
	sm := motoClient(t)
	id := uniq(t)
	createSecret(t, sm, id, `{"token":"tok-v1"}`)
	api := &counting{SecretsManagerAPI: motoAPI(t)}
	p := secrets.NewAWS(api, secrets.AWSOptions{})

	var valid atomic.Value
	valid.Store("tok-v1")
	var refused, served atomic.Int64
	tool := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+valid.Load().(string) {
			refused.Add(1)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"status":"error","message":"Authentication credentials not found."}`)
			return
		}
		served.Add(1)
		fmt.Fprint(w, `{"ok":true}`)
	}))
	defer tool.Close()
	client := &httpauth.Client{HTTP: tool.Client(), Auth: httpauth.Bearer(p, id, "token")}
	call := func() int {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx(t), http.MethodGet, tool.URL+"/crm/v3/objects/contacts", nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for range 3 {
		if code := call(); code != 200 {
			t.Fatalf("before rotation: HTTP %d", code)
		}
	}
	if n := api.calls.Load(); n != 1 {
		t.Fatalf("3 calls before rotation fetched the secret %d times, want 1", n)
	}
	v1, _ := p.Version(id)

	v2 := putSecret(t, sm, id, `{"token":"tok-v2"}`)
	valid.Store("tok-v2") // the tool now refuses the old token

	if code := call(); code != 200 {
		t.Fatalf("after rotation: HTTP %d, want 200 after one refresh", code)
	}
	if r := refused.Load(); r != 1 {
		t.Errorf("tool refused %d requests, want exactly 1 (the old token)", r)
	}
	if n := api.calls.Load(); n != 2 {
		t.Errorf("GetSecretValue calls after rotation = %d, want 2", n)
	}
	if got, _ := p.Version(id); got != v2 || got == v1 {
		t.Errorf("cached version = %q, want the new version %q (old %q)", got, v2, v1)
	}
	for range 3 {
		if code := call(); code != 200 {
			t.Fatalf("after refresh: HTTP %d", code)
		}
	}
	if n := api.calls.Load(); n != 2 {
		t.Errorf("calls after refresh fetched again: %d GetSecretValue calls, want 2", n)
	}
}

func TestAWSErrorsAreTypedAndCarryNoValue(t *testing.T) {
	sm := motoClient(t)
	base := uniq(t)
	const value = "sk_live_VERY_SECRET_VALUE"
	createSecret(t, sm, base+"/notjson", value)
	createSecret(t, sm, base+"/nested", `{"token":{"inner":"`+value+`"}}`)
	createSecret(t, sm, base+"/array", `["`+value+`"]`)
	p := secrets.NewAWS(motoAPI(t), secrets.AWSOptions{})
	for _, tc := range []struct {
		id       string
		notFound bool
		kind     secrets.Kind
	}{
		{id: base + "/missing", notFound: true},
		{id: base + "/notjson", kind: secrets.KindMalformed},
		{id: base + "/nested", kind: secrets.KindMalformed},
		{id: base + "/array", kind: secrets.KindMalformed},
	} {
		_, err := p.Get(ctx(t), tc.id)
		if err == nil {
			t.Fatalf("%s: no error", tc.id)
		}
		if strings.Contains(err.Error(), value) || strings.Contains(fmt.Sprintf("%+v", err), value) {
			t.Errorf("%s: error quotes the secret: %v", tc.id, err)
		}
		var nf *secrets.NotFoundError
		var e *secrets.Error
		switch {
		case tc.notFound:
			if !errors.As(err, &nf) || nf.ID != tc.id {
				t.Errorf("%s: err = %v (%T), want *secrets.NotFoundError", tc.id, err, err)
			}
		case !errors.As(err, &e) || e.Kind != tc.kind || e.ID != tc.id || e.Source != "aws":
			t.Errorf("%s: err = %v, want *Error kind %s", tc.id, err, tc.kind)
		}
	}
}

// TestAWSDown: with Secrets Manager unreachable the provider answers a typed
// unavailable error within the caller's deadline; a still-fresh cached copy keeps
// being served.
func TestAWSDown(t *testing.T) {
	sm := motoClient(t)
	id := uniq(t)
	createSecret(t, sm, id, `{"token":"tok"}`)
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close() // nothing listens there any more

	sw := &switchable{up: motoAPI(t), down: api(t, deadURL, 3)}
	p := secrets.NewAWS(sw, secrets.AWSOptions{})
	if _, err := p.Get(ctx(t), id); err != nil {
		t.Fatal(err)
	}
	sw.isDown.Store(true)
	if s, err := p.Get(ctx(t), id); err != nil || s["token"] != "tok" {
		t.Fatalf("cached Get while down: %v %v", s, err)
	}
	c, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err := p.Refresh(c, id)
	var e *secrets.Error
	if !errors.As(err, &e) || e.Kind != secrets.KindUnavailable || e.ID != id {
		t.Fatalf("Refresh while down: err = %v (%T), want *Error unavailable", err, err)
	}
	// Within the caller's deadline: either the attempts failed before it, or the
	// deadline cut them short and the error says so (the provider honoured it).
	if c.Err() != nil && !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Refresh while down: err = %v after the caller's deadline passed, want the deadline to end it", err)
	}
	if !strings.Contains(err.Error(), "unavailable") || strings.Contains(err.Error(), "tok\"") {
		t.Errorf("error text = %q", err)
	}

	// A 5xx from the service is unavailable too, with the service's code.
	fail := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, `{"__type":"InternalServiceError","message":"An error occurred on the server side."}`)
	}))
	defer fail.Close()
	_, err = secrets.NewAWS(api(t, fail.URL, 1), secrets.AWSOptions{}).Get(ctx(t), id)
	if !errors.As(err, &e) || e.Kind != secrets.KindUnavailable || e.Code != "InternalServiceError" {
		t.Fatalf("5xx: err = %v, want unavailable [InternalServiceError]", err)
	}
	// Access denied is not worth retrying: its own kind.
	deny := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"__type":"AccessDeniedException","Message":"User is not authorized to perform: secretsmanager:GetSecretValue"}`)
	}))
	defer deny.Close()
	_, err = secrets.NewAWS(api(t, deny.URL, 3), secrets.AWSOptions{}).Get(ctx(t), id)
	if !errors.As(err, &e) || e.Kind != secrets.KindDenied || e.Code != "AccessDeniedException" {
		t.Fatalf("denied: err = %v, want access denied [AccessDeniedException]", err)
	}
}

type switchable struct {
	up, down secrets.SecretsManagerAPI
	isDown   atomic.Bool
}

func (s *switchable) GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	if s.isDown.Load() {
		return s.down.GetSecretValue(ctx, in, optFns...)
	}
	return s.up.GetSecretValue(ctx, in, optFns...)
}

func TestFileProvider(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secrets.json")
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(`{"hubspot":{"token":"pat-1"},"bad":{"token":["x"]}}`)
	p := secrets.NewFile(path, 0)
	s, err := p.Get(ctx(t), "hubspot")
	if err != nil || s["token"] != "pat-1" {
		t.Fatalf("Get: %v %v", s, err)
	}
	write(`{"hubspot":{"token":"pat-2"}}`)
	if s, _ := p.Get(ctx(t), "hubspot"); s["token"] != "pat-1" {
		t.Fatalf("Get within max age re-read the file: %v", s)
	}
	if s, err := p.Refresh(ctx(t), "hubspot"); err != nil || s["token"] != "pat-2" {
		t.Fatalf("Refresh: %v %v, want pat-2", s, err)
	}
	var nf *secrets.NotFoundError
	if _, err := p.Get(ctx(t), "zendesk"); !errors.As(err, &nf) {
		t.Fatalf("missing id: %v", err)
	}
	write(`{"bad":{"token":["x"]}}`)
	var e *secrets.Error
	if _, err := p.Get(ctx(t), "bad"); !errors.As(err, &e) || e.Kind != secrets.KindMalformed {
		t.Fatalf("malformed: %v", err)
	}
	write(`not json sk_live_XYZ`)
	if _, err := p.Refresh(ctx(t), "hubspot"); !errors.As(err, &e) || e.Kind != secrets.KindMalformed || strings.Contains(err.Error(), "sk_live") {
		t.Fatalf("file not JSON: %v", err)
	}
	if _, err := secrets.NewFile(filepath.Join(t.TempDir(), "absent.json"), 0).Get(ctx(t), "x"); !errors.As(err, &e) || e.Kind != secrets.KindUnavailable {
		t.Fatalf("absent file: %v", err)
	}
}

func TestEnvProvider(t *testing.T) {
	env := map[string]string{
		"SWITCHBOARD_SECRET_ZENDESK":            `{"email":"bot@example.com","api_token":"zd-1"}`,
		"SWITCHBOARD_SECRET_SWITCHBOARD_STRIPE": `{"api_key":"sk_test_1"}`,
		"SWITCHBOARD_SECRET_BROKEN":             `sk_live_LEAK`,
	}
	var mu sync.Mutex
	p := secrets.NewEnv(func(k string) (string, bool) { mu.Lock(); defer mu.Unlock(); v, ok := env[k]; return v, ok }, 0)
	for _, tc := range []struct{ id, key, want string }{
		{"zendesk", "api_token", "zd-1"},
		{"switchboard/stripe", "api_key", "sk_test_1"},
	} {
		s, err := p.Get(ctx(t), tc.id)
		if err != nil || s[tc.key] != tc.want {
			t.Errorf("%s: %v %v", tc.id, s, err)
		}
	}
	mu.Lock()
	env["SWITCHBOARD_SECRET_ZENDESK"] = `{"email":"bot@example.com","api_token":"zd-2"}`
	mu.Unlock()
	if s, _ := p.Refresh(ctx(t), "zendesk"); s["api_token"] != "zd-2" {
		t.Errorf("Refresh did not re-read the environment: %v", s)
	}
	var nf *secrets.NotFoundError
	if _, err := p.Get(ctx(t), "hubspot"); !errors.As(err, &nf) || !strings.Contains(err.Error(), "SWITCHBOARD_SECRET_HUBSPOT") {
		t.Errorf("missing: %v, want not found naming the variable", err)
	}
	var e *secrets.Error
	if _, err := p.Get(ctx(t), "broken"); !errors.As(err, &e) || e.Kind != secrets.KindMalformed || strings.Contains(err.Error(), "LEAK") {
		t.Errorf("malformed: %v", err)
	}
}

// TestCacheCallerDeadline: a caller whose deadline passes stops waiting with an
// unavailable error, while the shared fetch completes for the others.
func TestCacheCallerDeadline(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int64
	c := secrets.NewCache(secrets.FetcherFunc(func(ctx context.Context, id string) (secrets.Secret, string, error) {
		calls.Add(1)
		<-release
		return secrets.Secret{"k": "v"}, "1", nil
	}), 0)
	short, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { _, err := c.Get(ctx(t), "x"); done <- err }()
	_, err := c.Get(short, "x")
	var e *secrets.Error
	if !errors.As(err, &e) || e.Kind != secrets.KindUnavailable || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("short caller: %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("patient caller: %v", err)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("fetches = %d, want 1", n)
	}
}

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want secrets.Secret
		ok   bool
	}{
		{`{"a":"b"}`, secrets.Secret{"a": "b"}, true},
		{`{"n":1.50,"b":false,"z":null}`, secrets.Secret{"n": "1.50", "b": "false"}, true},
		{`{}`, secrets.Secret{}, true},
		{`null`, nil, false},
		{`"str"`, nil, false},
		{`{"a":"b"} {"c":"d"}`, nil, false},
		{`{"a":{"b":"c"}}`, nil, false},
		{``, nil, false},
	} {
		got, err := secrets.Decode([]byte(tc.in))
		if (err == nil) != tc.ok || (tc.ok && fmt.Sprint(got) != fmt.Sprint(tc.want)) {
			t.Errorf("Decode(%q) = %v, %v", tc.in, got, err)
		}
	}
}

// Past max age, a cached copy is still served while Secrets Manager is down — up to
// stale_for, and never by Refresh (a tool refused that copy).
func TestAWSServesStaleWhileDown(t *testing.T) {
	sm := motoClient(t)
	id := uniq(t)
	createSecret(t, sm, id, `{"token":"tok"}`)
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	sw := &switchable{up: motoAPI(t), down: api(t, deadURL, 1)}
	p := secrets.NewAWS(sw, secrets.AWSOptions{MaxAge: time.Minute, StaleFor: time.Hour})
	var mu sync.Mutex
	clock := time.Now()
	secrets.SetClock(p.Cache, func() time.Time { mu.Lock(); defer mu.Unlock(); return clock })
	advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
	if _, err := p.Get(ctx(t), id); err != nil {
		t.Fatal(err)
	}
	sw.isDown.Store(true)
	advance(30 * time.Minute) // past max age, within stale_for
	if s, err := p.Get(ctx(t), id); err != nil || s["token"] != "tok" {
		t.Fatalf("stale Get while down: %v, %v; want the cached copy", s, err)
	}
	if _, err := p.Refresh(ctx(t), id); !secrets.Unavailable(err) {
		t.Fatalf("Refresh while down: %v; want unavailable, never the stale copy", err)
	}
	advance(time.Hour) // past max age + stale_for
	if _, err := p.Get(ctx(t), id); !secrets.Unavailable(err) {
		t.Fatalf("Get past stale_for while down: %v; want unavailable", err)
	}
	// Back up: a fresh fetch.
	sw.isDown.Store(false)
	if s, err := p.Get(ctx(t), id); err != nil || s["token"] != "tok" {
		t.Fatalf("Get after the outage: %v, %v", s, err)
	}
	// A secret that is gone is not "down": no stale copy for it.
	p2 := secrets.NewAWS(&switchable{up: motoAPI(t)}, secrets.AWSOptions{MaxAge: time.Minute})
	secrets.SetClock(p2.Cache, func() time.Time { mu.Lock(); defer mu.Unlock(); return clock })
	if _, err := p2.Get(ctx(t), id); err != nil {
		t.Fatal(err)
	}
	if _, err := sm.DeleteSecret(context.Background(), &secretsmanager.DeleteSecretInput{SecretId: aws.String(id), ForceDeleteWithoutRecovery: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	advance(2 * time.Minute)
	if _, err := p2.Get(ctx(t), id); err == nil || secrets.Unavailable(err) {
		t.Fatalf("deleted secret: %v; want not found, not a stale copy", err)
	}
}

// TestAWSErrorsNameTheFullSecretID: a missing secret is reported by the SecretId the
// provider asked Secrets Manager for, prefix included.
func TestAWSErrorsNameTheFullSecretID(t *testing.T) {
	_ = motoClient(t)
	p := secrets.NewAWS(motoAPI(t), secrets.AWSOptions{Prefix: "prod/", MaxAge: time.Minute})
	id := "switchboard/" + uniq(t)
	_, err := p.Get(ctx(t), id)
	var nf *secrets.NotFoundError
	if !errors.As(err, &nf) || nf.ID != "prod/"+id || !strings.Contains(err.Error(), "prod/"+id) {
		t.Fatalf("missing secret: %v, want a NotFoundError naming prod/%s", err, id)
	}
}
