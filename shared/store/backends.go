package store

import (
	"context"
	"errors"
	"sync"

	"github.com/aws/smithy-go/middleware"
)

// BackendOptions is what a registered backend is opened with (config.Store's fields
// that concern it).
type BackendOptions struct {
	// Table is the table name; Endpoint overrides the service endpoint ("" keeps the
	// SDK's own resolution).
	Table, Endpoint string
	// APIOptions go on every call's middleware stack (tracing).
	APIOptions []func(*middleware.Stack) error
}

// A backend that needs an AWS SDK client (dynamostore) registers itself from its own
// package's init, as database/sql drivers do: a Lambda binary links the SDK's DynamoDB
// client only if its main imports the package (a function whose turns never touch the
// store, searchkb, does not).
var (
	backendsMu sync.RWMutex
	backends   = map[string]func(context.Context, BackendOptions) (Store, error){}
)

// RegisterBackend makes a store backend available under name (store.backend).
func RegisterBackend(name string, open func(context.Context, BackendOptions) (Store, error)) {
	backendsMu.Lock()
	defer backendsMu.Unlock()
	backends[name] = open
}

// OpenBackend opens the registered backend name; ok is false when no package
// registered it (not linked into this binary).
func OpenBackend(ctx context.Context, name string, o BackendOptions) (s Store, ok bool, err error) {
	backendsMu.RLock()
	open := backends[name]
	backendsMu.RUnlock()
	if open == nil {
		return nil, false, nil
	}
	s, err = open(ctx, o)
	return s, true, err
}

// ErrNoStore is what Unused returns from every call.
var ErrNoStore = errors.New("store: this deployment opened no store (none of its turns needs one)")

// Unused is the store of a deployment whose configuration needs none (no idempotent
// intent enabled, no shared cache, no one-time codes): it was never opened, and a call
// reaching it is refused with ErrNoStore rather than answered from nothing.
type Unused struct{}

// Create implements Store.
func (Unused) Create(context.Context, Record) error { return ErrNoStore }

// CreateGuarded implements Store.
func (Unused) CreateGuarded(context.Context, Record, string) error { return ErrNoStore }

// Complete implements Store.
func (Unused) Complete(context.Context, Record) error { return ErrNoStore }

// Get implements Store.
func (Unused) Get(context.Context, string) (Record, error) { return Record{}, ErrNoStore }

// Put implements Store.
func (Unused) Put(context.Context, Record) error { return ErrNoStore }

// Delete implements Store.
func (Unused) Delete(context.Context, string) error { return ErrNoStore }

var _ Store = Unused{}
