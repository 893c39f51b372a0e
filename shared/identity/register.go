package identity

import (
	"context"
	"sync"
)

// A code sender or audit sink that needs an AWS SDK client registers itself from its
// own package's init (sesmail, ddbaudit, cwaudit), as database/sql drivers do: a Lambda binary
// links the SDK packages only if its main imports them.
var (
	regMu    sync.RWMutex
	mailers  = map[string]func(context.Context, MailerOptions) (Mailer, error){}
	auditors = map[string]func(context.Context, AuditorOptions) (Auditor, error){}
)

// The registered code sender and audit sink of the AWS builds (identity.codes.sender,
// identity.audit.sink).
const (
	SenderSES       = "ses"
	AuditCloudWatch = "cloudwatch"
	AuditDynamoDB   = "dynamodb"
)

// MailerOptions are what a registered code sender is built from (identity.codes).
type MailerOptions struct {
	// From is the identity (a verified email address) codes are sent from.
	From string
	// Endpoint overrides the service endpoint (tests).
	Endpoint string
	// Service names the deployment in the mail.
	Service string
}

// AuditorOptions are what a registered audit sink is built from (identity.audit).
type AuditorOptions struct {
	// LogGroup is the CloudWatch Logs group of the cloudwatch sink.
	LogGroup string
	// Table is the DynamoDB table of the dynamodb sink.
	Table string
	// Endpoint overrides the service endpoint (tests).
	Endpoint string
}

// RegisterMailer makes a code sender available under name (identity.codes.sender).
func RegisterMailer(name string, f func(ctx context.Context, o MailerOptions) (Mailer, error)) {
	regMu.Lock()
	defer regMu.Unlock()
	mailers[name] = f
}

// RegisterAuditor makes an audit sink available under name (identity.audit.sink).
func RegisterAuditor(name string, f func(ctx context.Context, o AuditorOptions) (Auditor, error)) {
	regMu.Lock()
	defer regMu.Unlock()
	auditors[name] = f
}

// NewMailer builds the registered sender name; ok is false when no package registered it.
func NewMailer(ctx context.Context, name string, o MailerOptions) (m Mailer, ok bool, err error) {
	regMu.RLock()
	f := mailers[name]
	regMu.RUnlock()
	if f == nil {
		return nil, false, nil
	}
	m, err = f(ctx, o)
	return m, true, err
}

// NewAuditor builds the registered sink name; ok is false when no package registered it.
func NewAuditor(ctx context.Context, name string, o AuditorOptions) (a Auditor, ok bool, err error) {
	regMu.RLock()
	f := auditors[name]
	regMu.RUnlock()
	if f == nil {
		return nil, false, nil
	}
	a, err = f(ctx, o)
	return a, true, err
}
