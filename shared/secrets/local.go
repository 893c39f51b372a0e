package secrets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"
)

// File is a provider for local development reading a JSON file that maps each secret
// id to its object: {"hubspot": {"token": "…"}, "stripe": {"api_key": "sk_test_…"}}.
// The file is read again after MaxAge and on every Refresh, so editing it acts like a
// rotation.
type File struct{ *Cache }

const (
	sourceFile = "file"
	sourceEnv  = "env"
)

// NewFile reads secrets from path, cached for maxAge (defaultMaxAge when zero).
func NewFile(path string, maxAge time.Duration) *File {
	return &File{NewCache(FetcherFunc(func(_ context.Context, id string) (Secret, string, error) {
		raw, err := os.ReadFile(path)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, "", &Error{ID: id, Source: sourceFile, Kind: KindUnavailable,
					Err: fmt.Errorf("secrets file %s does not exist", path)}
			}
			return nil, "", &Error{ID: id, Source: sourceFile, Kind: KindUnavailable, Err: err}
		}
		var all map[string]json.RawMessage
		if err := json.Unmarshal(raw, &all); err != nil {
			return nil, "", &Error{ID: id, Source: sourceFile, Kind: KindMalformed,
				Err: fmt.Errorf("secrets file %s is not a JSON object of objects", path)}
		}
		one, ok := all[id]
		if !ok {
			return nil, "", &NotFoundError{ID: id, Source: sourceFile}
		}
		s, err := Decode(one)
		if err != nil {
			return nil, "", &Error{ID: id, Source: sourceFile, Kind: KindMalformed, Err: err}
		}
		return s, "", nil
	}), maxAge)}
}

// envPrefix starts the environment variables the Env provider reads.
const envPrefix = "SWITCHBOARD_SECRET_"

// envName is the variable holding secret id: envPrefix + id upper-cased, every
// character other than a letter or digit turned into "_" ("switchboard/hubspot" →
// SWITCHBOARD_SECRET_SWITCHBOARD_HUBSPOT).
func envName(id string) string {
	var b strings.Builder
	b.WriteString(envPrefix)
	for _, r := range strings.ToUpper(id) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// Env is a provider for local development reading each secret's JSON object from an
// environment variable: SWITCHBOARD_SECRET_HUBSPOT='{"token":"…"}'.
type Env struct{ *Cache }

// NewEnv reads secrets through lookup (os.LookupEnv when nil), cached for maxAge.
func NewEnv(lookup func(string) (string, bool), maxAge time.Duration) *Env {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	return &Env{NewCache(FetcherFunc(func(_ context.Context, id string) (Secret, string, error) {
		name := envName(id)
		raw, ok := lookup(name)
		if !ok {
			return nil, "", &NotFoundError{ID: id, Source: sourceEnv + " " + name}
		}
		s, err := Decode([]byte(raw))
		if err != nil {
			return nil, "", &Error{ID: id, Source: sourceEnv + " " + name, Kind: KindMalformed, Err: err}
		}
		return s, "", nil
	}), maxAge)}
}
