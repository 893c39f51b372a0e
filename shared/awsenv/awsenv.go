// Package awsenv builds the aws.Config every Switchboard AWS client (the SDK's DynamoDB,
// Secrets Manager and Lambda service clients) starts from, with a retryer sized for a
// chat turn.
//
// A Lambda function's environment holds everything a client needs: AWS_REGION and the
// execution role's AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN. Load
// reads them directly. Anywhere else (a laptop with profiles, SSO, an EC2 instance role)
// it falls back to the SDK's default configuration chain — except in binaries built
// with the `lambdabuild` tag, which leave that chain (its SSO, STS, sign-in and IMDS
// clients, a few hundred kilobytes and ~0.5 ms of package initialisation) out of every
// function's cold start.
package awsenv

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
)

// chain is the SDK's default configuration chain, or nil in a `lambdabuild` binary.
var chain func(ctx context.Context) (aws.Config, error)

// ErrNoEnvironment is returned by Load in a `lambdabuild` binary whose environment
// lacks a region or credentials.
var ErrNoEnvironment = errors.New("awsenv: AWS_REGION and credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, " +
	"or AWS_CONTAINER_CREDENTIALS_FULL_URI/_RELATIVE_URI) are not all set, " +
	"and this build (tag lambdabuild) reads the AWS configuration from the environment only")

// Load returns the AWS configuration: from the environment when it names a region and
// either static credentials (a Lambda function's) or a container credentials endpoint
// (AWS_CONTAINER_CREDENTIALS_FULL_URI or _RELATIVE_URI, as on ECS or Lambda Managed
// Instances), else from the SDK's default chain where that is linked in.
func Load(ctx context.Context) (aws.Config, error) {
	return load(ctx, os.Getenv)
}

func load(ctx context.Context, getenv func(string) string) (aws.Config, error) {
	region := firstOf(getenv, "AWS_REGION", "AWS_DEFAULT_REGION")
	creds, err := envCredentials(getenv)
	if err != nil {
		return aws.Config{}, err
	}
	if region == "" || creds == nil {
		if chain == nil {
			return aws.Config{}, ErrNoEnvironment
		}
		cfg, err := chain(ctx)
		if err != nil {
			return cfg, err
		}
		cfg.Retryer = NewRetryer
		return cfg, nil
	}
	cfg := aws.Config{
		Region:        region,
		Credentials:   aws.NewCredentialsCache(creds),
		ConfigSources: []any{envEndpoints{getenv}},
		Retryer:       NewRetryer,
	}
	if u := getenv("AWS_ENDPOINT_URL"); u != "" && !ignoreEndpoints(getenv) {
		cfg.BaseEndpoint = aws.String(u)
	}
	if path := getenv("AWS_CA_BUNDLE"); path != "" {
		client, err := caBundle(path)
		if err != nil {
			return aws.Config{}, err
		}
		cfg.HTTPClient = client
	}
	return cfg, nil
}

// The retry budget of every Switchboard AWS call. A chat turn has a few seconds in all:
// the SDK's standard retryer (its retryable-error classification, clock-skew handling
// and retry quota) with three attempts and a 100 ms backoff cap, where the SDK's
// default backoff may sleep up to 20 s, far past any platform deadline. The turn's
// context deadline bounds the whole call on top of that.
const (
	MaxAttempts = 3
	maxBackoff  = 100 * time.Millisecond
)

// NewRetryer returns the retryer Load puts in every configuration: retry.NewStandard
// with MaxAttempts and maxBackoff, and the SDK's default retry quota (a token bucket
// that stops retries while a service keeps failing).
func NewRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = MaxAttempts
		o.MaxBackoff = maxBackoff
	})
}

// envCredentials is the credentials provider the environment names: static keys, else
// a container credentials endpoint; nil when it names none.
func envCredentials(getenv func(string) string) (aws.CredentialsProvider, error) {
	if id, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY"); id != "" && secret != "" {
		return credentials.NewStaticCredentialsProvider(id, secret, getenv("AWS_SESSION_TOKEN")), nil
	}
	uri := getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI")
	if rel := getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"); rel != "" {
		uri = "http://169.254.170.2" + rel
	} else if uri == "" {
		return nil, nil
	} else if err := checkContainerURI(uri); err != nil {
		return nil, err
	}
	return endpointcreds.New(uri, func(o *endpointcreds.Options) {
		o.AuthorizationTokenProvider = endpointcreds.TokenProviderFunc(func() (string, error) {
			if path := getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"); path != "" {
				b, err := os.ReadFile(path)
				if err != nil {
					return "", fmt.Errorf("awsenv: AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: %w", err)
				}
				return strings.TrimSpace(string(b)), nil
			}
			return getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN"), nil
		})
	}), nil
}

// checkContainerURI allows what the SDK allows for a full URI: https anywhere, plain
// http only to loopback or the ECS/EKS container credential addresses.
func checkContainerURI(uri string) error {
	u, err := url.Parse(uri)
	if err != nil || u.Host == "" {
		return fmt.Errorf("awsenv: AWS_CONTAINER_CREDENTIALS_FULL_URI %q is not a URL", uri)
	}
	if u.Scheme == "https" {
		return nil
	}
	ip := net.ParseIP(u.Hostname())
	if u.Scheme == "http" && (u.Hostname() == "localhost" || ip != nil && (ip.IsLoopback() ||
		ip.Equal(net.ParseIP("169.254.170.2")) || ip.Equal(net.ParseIP("169.254.170.23")) || ip.Equal(net.ParseIP("fd00:ec2::23")))) {
		return nil
	}
	return fmt.Errorf("awsenv: AWS_CONTAINER_CREDENTIALS_FULL_URI %q: plain http only to loopback or the container credential addresses", uri)
}

func firstOf(getenv func(string) string, names ...string) string {
	for _, n := range names {
		if v := getenv(n); v != "" {
			return v
		}
	}
	return ""
}

func serviceVariable(getenv func(string) string, sdkID string) string {
	return getenv("AWS_ENDPOINT_URL_" + strings.ToUpper(strings.ReplaceAll(sdkID, " ", "_")))
}

func ignoreEndpoints(getenv func(string) string) bool {
	return strings.EqualFold(getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true")
}

// envEndpoints gives the service clients AWS_ENDPOINT_URL_<SERVICE> (e.g.
// AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SECRETS_MANAGER), as the SDK's own
// configuration does: the service id upper-cased, spaces as underscores.
type envEndpoints struct{ getenv func(string) string }

func (e envEndpoints) GetServiceBaseEndpoint(_ context.Context, sdkID string) (string, bool, error) {
	if ignoreEndpoints(e.getenv) {
		return "", false, nil
	}
	v := serviceVariable(e.getenv, sdkID)
	return v, v != "", nil
}

func (e envEndpoints) GetIgnoreConfiguredEndpoints(context.Context) (bool, bool, error) {
	return ignoreEndpoints(e.getenv), true, nil
}

// bundles holds one client per AWS_CA_BUNDLE path: parsing a system-sized bundle takes
// milliseconds, and every AWS client of the process (DynamoDB, Secrets Manager) would
// otherwise pay it again at start.
var bundles sync.Map // path → func() (*awshttp.BuildableClient, error)

func caBundle(path string) (*awshttp.BuildableClient, error) {
	f, _ := bundles.LoadOrStore(path, sync.OnceValues(func() (*awshttp.BuildableClient, error) { return caBundleClient(path) }))
	return f.(func() (*awshttp.BuildableClient, error))()
}

// caBundleClient is the SDK's HTTP client trusting only the PEM bundle at path, which
// is what AWS_CA_BUNDLE means to the SDK's own configuration.
func caBundleClient(path string) (*awshttp.BuildableClient, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("awsenv: AWS_CA_BUNDLE: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("awsenv: AWS_CA_BUNDLE %s holds no PEM certificate", path)
	}
	return awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		if t.TLSClientConfig == nil {
			t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		t.TLSClientConfig.RootCAs = pool
	}), nil
}
