package awsenv

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/switchboard-dev/switchboard/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func env(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }

func lambdaEnv(extra map[string]string) map[string]string {
	kv := map[string]string{"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "SECRET",
		"AWS_SESSION_TOKEN": "TOKEN"}
	for k, v := range extra {
		kv[k] = v
	}
	return kv
}

func TestLoadFromLambdaEnvironment(t *testing.T) {
	cfg, err := load(context.Background(), env(lambdaEnv(nil)))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "eu-west-1" {
		t.Errorf("region %q", cfg.Region)
	}
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if creds.AccessKeyID != "AKID" || creds.SecretAccessKey != "SECRET" || creds.SessionToken != "TOKEN" {
		t.Errorf("credentials %+v", creds)
	}
	if cfg.BaseEndpoint != nil || cfg.HTTPClient != nil {
		t.Errorf("endpoint %v, client %v: nothing was configured", cfg.BaseEndpoint, cfg.HTTPClient)
	}
	if cfg.Retryer == nil || cfg.Retryer().MaxAttempts() != MaxAttempts {
		t.Errorf("retryer: want the chat-sized standard retryer (%d attempts)", MaxAttempts)
	}
}

func TestLoadWithoutEnvironment(t *testing.T) {
	saved := chain
	t.Cleanup(func() { chain = saved })
	// A lambdabuild binary: no chain to fall back to, so a clear error.
	chain = nil
	for _, missing := range []string{"AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
		kv := lambdaEnv(nil)
		delete(kv, missing)
		if _, err := load(context.Background(), env(kv)); !errors.Is(err, ErrNoEnvironment) {
			t.Errorf("without %s: %v, want ErrNoEnvironment", missing, err)
		}
	}
	// AWS_DEFAULT_REGION stands in for AWS_REGION, as in the SDK.
	kv := lambdaEnv(map[string]string{"AWS_DEFAULT_REGION": "ap-south-1"})
	delete(kv, "AWS_REGION")
	if cfg, err := load(context.Background(), env(kv)); err != nil || cfg.Region != "ap-south-1" {
		t.Errorf("AWS_DEFAULT_REGION: %q, %v", cfg.Region, err)
	}
	// Elsewhere the SDK's chain is asked.
	asked := false
	chain = func(context.Context) (aws.Config, error) { asked = true; return aws.Config{Region: "chain"}, nil }
	if cfg, err := load(context.Background(), env(map[string]string{})); err != nil || !asked || cfg.Region != "chain" {
		t.Errorf("fallback: asked %v, region %q, %v", asked, cfg.Region, err)
	}
}

func TestBadCABundle(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "bundle.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{notPEM, filepath.Join(dir, "absent.pem")} {
		if _, err := load(context.Background(), env(lambdaEnv(map[string]string{"AWS_CA_BUNDLE": path}))); err == nil ||
			!strings.Contains(err.Error(), "AWS_CA_BUNDLE") {
			t.Errorf("AWS_CA_BUNDLE=%s: %v", path, err)
		}
	}
}

// The clients reach the endpoints the environment names, the service-specific one
// first, as with the SDK's own configuration: DynamoDB, Secrets Manager and Lambda on
// moto.
func TestServiceEndpointsOnMoto(t *testing.T) {
	moto := testenv.Moto(t)
	ctx := context.Background()
	cfg, err := load(ctx, env(lambdaEnv(map[string]string{
		"AWS_ENDPOINT_URL":                 "http://127.0.0.1:1", // nothing listens there
		"AWS_ENDPOINT_URL_DYNAMODB":        moto,
		"AWS_ENDPOINT_URL_SECRETS_MANAGER": moto,
	})))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{}); err != nil {
		t.Errorf("DynamoDB via AWS_ENDPOINT_URL_DYNAMODB: %v", err)
	}
	if _, err := secretsmanager.NewFromConfig(cfg).ListSecrets(ctx, &secretsmanager.ListSecretsInput{}); err != nil {
		t.Errorf("Secrets Manager via AWS_ENDPOINT_URL_SECRETS_MANAGER: %v", err)
	}
	cfg, err = load(ctx, env(lambdaEnv(map[string]string{
		"AWS_ENDPOINT_URL":        "http://127.0.0.1:1",
		"AWS_ENDPOINT_URL_LAMBDA": moto,
	})))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lambda.NewFromConfig(cfg).ListFunctions(ctx, &lambda.ListFunctionsInput{}); err != nil {
		t.Errorf("Lambda via AWS_ENDPOINT_URL_LAMBDA: %v", err)
	}
	// The general endpoint applies where no service-specific one is set.
	cfg, err = load(ctx, env(lambdaEnv(map[string]string{"AWS_ENDPOINT_URL": moto})))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{}); err != nil {
		t.Errorf("DynamoDB via AWS_ENDPOINT_URL: %v", err)
	}
	// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS switches both off.
	cfg, err = load(ctx, env(lambdaEnv(map[string]string{"AWS_ENDPOINT_URL_DYNAMODB": moto,
		"AWS_ENDPOINT_URL": moto, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"})))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.BaseEndpoint != nil {
		t.Errorf("base endpoint %q despite AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", *cfg.BaseEndpoint)
	}
	if v, found, _ := (envEndpoints{env(map[string]string{"AWS_ENDPOINT_URL_DYNAMODB": moto,
		"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"})}).GetServiceBaseEndpoint(ctx, "DynamoDB"); found {
		t.Errorf("service endpoint %q despite AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", v)
	}
}

// AWS_CA_BUNDLE: the client trusts the bundle's certificates (and only those).
func TestCABundleTrustsItsCertificates(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		_, _ = w.Write([]byte(`{"TableNames":["from-tls"]}`))
	}))
	defer srv.Close()
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	cert := srv.Certificate()
	if err := os.WriteFile(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cfg, err := load(ctx, env(lambdaEnv(map[string]string{"AWS_CA_BUNDLE": bundle, "AWS_ENDPOINT_URL": srv.URL})))
	if err != nil {
		t.Fatal(err)
	}
	out, err := dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil || len(out.TableNames) != 1 || out.TableNames[0] != "from-tls" {
		t.Fatalf("TLS endpoint trusted through AWS_CA_BUNDLE: %v, %v", out, err)
	}
	// Without the bundle the test server's certificate is unknown.
	cfg, err = load(ctx, env(lambdaEnv(map[string]string{"AWS_ENDPOINT_URL": srv.URL})))
	if err != nil {
		t.Fatal(err)
	}
	_, err = dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 }).ListTables(ctx, &dynamodb.ListTablesInput{})
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Fatalf("without AWS_CA_BUNDLE the call should fail on the certificate, got %v", err)
	}
}

// A container credentials endpoint (ECS, Lambda Managed Instances): the credentials
// come from it, with the authorization token from the file or the variable.
func TestContainerCredentials(t *testing.T) {
	var gotAuth atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth.Store(r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"AccessKeyId":"ASIAC","SecretAccessKey":"sc","Token":"tc","Expiration":%q}`,
			time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	}))
	defer srv.Close()
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		env  map[string]string
		auth string
	}{
		{map[string]string{"AWS_CONTAINER_AUTHORIZATION_TOKEN": "from-var"}, "from-var"},
		{map[string]string{"AWS_CONTAINER_AUTHORIZATION_TOKEN": "from-var", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile}, "from-file"},
	} {
		kv := map[string]string{"AWS_REGION": "eu-west-1", "AWS_CONTAINER_CREDENTIALS_FULL_URI": srv.URL + "/creds"}
		for k, v := range tc.env {
			kv[k] = v
		}
		saved := chain
		chain = nil
		cfg, err := load(context.Background(), env(kv))
		chain = saved
		if err != nil {
			t.Fatal(err)
		}
		creds, err := cfg.Credentials.Retrieve(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if creds.AccessKeyID != "ASIAC" || creds.SessionToken != "tc" || gotAuth.Load() != tc.auth {
			t.Errorf("credentials %+v, Authorization %v, want %s", creds, gotAuth.Load(), tc.auth)
		}
	}
	// Plain http to anything but loopback or the container addresses is refused.
	if _, err := load(context.Background(), env(map[string]string{"AWS_REGION": "eu-west-1",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://198.51.100.7/creds"})); err == nil {
		t.Error("plain http to a public address accepted")
	}
}
