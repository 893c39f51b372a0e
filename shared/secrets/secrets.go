package secrets

import "context"

// Secret is one connector's credentials: the JSON object stored as the secret string
// (for example {"client_id": "...", "client_secret": "..."}).
type Secret map[string]string

// Provider hands out connector credentials. Implementations cache and are safe for
// concurrent use. Callers never log a Secret nor put one in an error.
type Provider interface {
	// Get returns the secret named id, from the cache while it is younger than the
	// provider's max age.
	Get(ctx context.Context, id string) (Secret, error)
	// Refresh drops the cached copy of id and fetches it again: a connector calls it
	// once when the business tool answers 401/403, in case the secret was rotated.
	Refresh(ctx context.Context, id string) (Secret, error)
}

// Static is a fixed Provider, for tests and for credentials given inline.
type Static map[string]Secret

// Get returns s[id] or ErrNotFound.
func (s Static) Get(_ context.Context, id string) (Secret, error) {
	v, ok := s[id]
	if !ok {
		return nil, &NotFoundError{ID: id}
	}
	return v, nil
}

// Refresh is Get: a static secret never changes.
func (s Static) Refresh(ctx context.Context, id string) (Secret, error) { return s.Get(ctx, id) }

// NotFoundError says a secret does not exist in its source.
type NotFoundError struct {
	ID     string
	Source string // "aws", "file", "env"; empty for Static
}

func (e *NotFoundError) Error() string {
	if e.Source != "" {
		return "secrets: secret " + e.ID + " not found (" + e.Source + ")"
	}
	return "secrets: secret " + e.ID + " not found"
}
