package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/store"
)

// A backend is opened only if a package registered it; an unregistered name says so
// (ok false) rather than failing or falling back to another backend.
func TestOpenBackendOnlyWhatIsRegistered(t *testing.T) {
	ctx := context.Background()
	if _, ok, err := store.OpenBackend(ctx, "test-unregistered", store.BackendOptions{}); ok || err != nil {
		t.Fatalf("unregistered backend: ok %v err %v, want false, nil", ok, err)
	}
	var got store.BackendOptions
	store.RegisterBackend("test-registered", func(_ context.Context, o store.BackendOptions) (store.Store, error) {
		got = o
		return store.Unused{}, nil
	})
	st, ok, err := store.OpenBackend(ctx, "test-registered", store.BackendOptions{Table: "t", Endpoint: "http://e"})
	if !ok || err != nil || st == nil {
		t.Fatalf("registered backend: %v %v %v", st, ok, err)
	}
	if got.Table != "t" || got.Endpoint != "http://e" {
		t.Errorf("backend opened with %+v", got)
	}
}

// The store of a deployment that needs none refuses every call: a path that reaches it
// after all fails instead of being answered from nothing.
func TestUnusedRefusesEveryCall(t *testing.T) {
	ctx := context.Background()
	var s store.Store = store.Unused{}
	_, getErr := s.Get(ctx, "k")
	for name, err := range map[string]error{
		"Create":        s.Create(ctx, store.Record{Key: "k"}),
		"CreateGuarded": s.CreateGuarded(ctx, store.Record{Key: "k"}, "g"),
		"Complete":      s.Complete(ctx, store.Record{Key: "k"}),
		"Get":           getErr,
		"Put":           s.Put(ctx, store.Record{Key: "k"}),
		"Delete":        s.Delete(ctx, "k"),
	} {
		if !errors.Is(err, store.ErrNoStore) {
			t.Errorf("%s: %v, want ErrNoStore", name, err)
		}
	}
}
