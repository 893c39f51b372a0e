package identity

import (
	"context"
	"sync"

	"github.com/switchboard-dev/switchboard/shared/config"
)

// A code sender or audit sink that needs an AWS SDK client registers itself from its
// own package's init (sesmail, ddbaudit, cwaudit), as database/sql drivers do: a Lambda binary
// links the SDK packages only if its main imports them.
var (
	regMu    sync.RWMutex
	mailers  = map[string]func(context.Context, config.Codes, string) (Mailer, error){}
	auditors = map[string]func(context.Context, config.Audit) (Auditor, error){}
)

// RegisterMailer makes a code sender available under name (identity.codes.sender).
func RegisterMailer(name string, f func(ctx context.Context, c config.Codes, service string) (Mailer, error)) {
	regMu.Lock()
	defer regMu.Unlock()
	mailers[name] = f
}

// RegisterAuditor makes an audit sink available under name (identity.audit.sink).
func RegisterAuditor(name string, f func(ctx context.Context, c config.Audit) (Auditor, error)) {
	regMu.Lock()
	defer regMu.Unlock()
	auditors[name] = f
}

// NewMailer builds the registered sender name; ok is false when no package registered it.
func NewMailer(ctx context.Context, name string, c config.Codes, service string) (m Mailer, ok bool, err error) {
	regMu.RLock()
	f := mailers[name]
	regMu.RUnlock()
	if f == nil {
		return nil, false, nil
	}
	m, err = f(ctx, c, service)
	return m, true, err
}

// NewAuditor builds the registered sink name; ok is false when no package registered it.
func NewAuditor(ctx context.Context, name string, c config.Audit) (a Auditor, ok bool, err error) {
	regMu.RLock()
	f := auditors[name]
	regMu.RUnlock()
	if f == nil {
		return nil, false, nil
	}
	a, err = f(ctx, c)
	return a, true, err
}
