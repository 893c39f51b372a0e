package secrets

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

// SecretsManagerAPI is the one Secrets Manager call the AWS provider makes, with the
// AWS SDK's signature: *secretsmanager.Client implements it (NewSecretsManager).
type SecretsManagerAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

var _ SecretsManagerAPI = (*secretsmanager.Client)(nil)

// NewSecretsManager is the SDK's Secrets Manager client from cfg (awsenv.Load: its
// retryer fits a chat turn), at endpoint when not "" (else AWS_ENDPOINT_URL_SECRETS_MANAGER,
// AWS_ENDPOINT_URL or the regional endpoint), with apiOptions on every call (tracing).
func NewSecretsManager(cfg aws.Config, endpoint string, apiOptions ...func(*middleware.Stack) error) *secretsmanager.Client {
	return secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
		o.APIOptions = append(o.APIOptions, apiOptions...)
	})
}

// AWSOptions configure the Secrets Manager provider. Zero values are the defaults.
type AWSOptions struct {
	// Prefix is prepended to every id to form the SecretId (e.g. "switchboard/prod/").
	Prefix string
	// MaxAge is how long a secret is served from memory (defaultMaxAge).
	MaxAge time.Duration
	// StaleFor is how long past MaxAge a cached secret is still served while Secrets
	// Manager cannot be reached (defaultStaleFor; negative: never).
	StaleFor time.Duration
	// Logger receives one line per rotation seen (secret id and version ids only).
	Logger *slog.Logger
}

// AWS is the Secrets Manager provider: each secret is a JSON object stored as the
// secret string, fetched with GetSecretValue (AWSCURRENT stage), cached for MaxAge.
type AWS struct {
	*Cache
	api    SecretsManagerAPI
	prefix string
	log    *slog.Logger
}

// NewAWS builds the provider over api.
func NewAWS(api SecretsManagerAPI, o AWSOptions) *AWS {
	a := &AWS{api: api, prefix: o.Prefix, log: o.Logger}
	if a.log == nil {
		a.log = slog.Default()
	}
	a.Cache = NewCache(FetcherFunc(a.fetch), o.MaxAge)
	switch {
	case o.StaleFor == 0:
		a.Cache.staleFor = defaultStaleFor
	case o.StaleFor > 0:
		a.Cache.staleFor = o.StaleFor
	}
	a.Cache.onStale = func(id string, age time.Duration, err error) {
		a.log.Warn("secret store unreachable; serving the cached copy", slog.String("secret", a.prefix+id),
			slog.Duration("age", age.Round(time.Second)), slog.Any("error", err))
	}
	return a
}

const sourceAWS = "aws"

// defaultStaleFor is how long past its max age a cached secret is served while Secrets
// Manager is down.
const defaultStaleFor = time.Hour

func (a *AWS) fetch(ctx context.Context, id string) (Secret, string, error) {
	// Errors and logs name the SecretId as requested (prefix included), the name an
	// operator finds in Secrets Manager.
	full := a.prefix + id
	out, err := a.api.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(full)})
	if err != nil {
		return nil, "", awsError(ctx, full, err)
	}
	var raw []byte
	switch {
	case out.SecretString != nil:
		raw = []byte(*out.SecretString)
	case out.SecretBinary != nil:
		raw = out.SecretBinary
	}
	s, err := Decode(raw)
	if err != nil {
		return nil, "", &Error{ID: full, Source: sourceAWS, Kind: KindMalformed, Err: err}
	}
	version := aws.ToString(out.VersionId)
	if old, ok := a.Cache.Version(id); ok && old != version {
		a.log.Info("secret rotated", slog.String("secret", full), slog.String("old_version", old),
			slog.String("new_version", version))
	}
	return s, version, nil
}

// awsError classifies a GetSecretValue failure. Service errors carry a code and a
// message about the request, never the secret's value.
func awsError(ctx context.Context, id string, err error) error {
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "ResourceNotFoundException":
			return &NotFoundError{ID: id, Source: sourceAWS}
		case "AccessDeniedException", "DecryptionFailure", "UnrecognizedClientException",
			"InvalidSignatureException", "ExpiredTokenException", "InvalidRequestException":
			// InvalidRequestException: the secret is scheduled for deletion or has no
			// AWSCURRENT version; either way, waiting will not help.
			return &Error{ID: id, Source: sourceAWS, Kind: KindDenied, Code: api.ErrorCode(), Err: errors.New(api.ErrorMessage())}
		}
		return &Error{ID: id, Source: sourceAWS, Kind: KindUnavailable, Code: api.ErrorCode(), Err: errors.New(api.ErrorMessage())}
	}
	if ctx.Err() != nil {
		return &Error{ID: id, Source: sourceAWS, Kind: KindUnavailable, Err: ctx.Err()}
	}
	return &Error{ID: id, Source: sourceAWS, Kind: KindUnavailable, Err: err}
}
