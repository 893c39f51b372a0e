package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/switchboard-dev/switchboard/shared/contract/table"
	"time"
)

// Status is the state of an idempotency record. Cache entries have no status.
type Status string

// Idempotency record states (Powertools vocabulary).
const (
	StatusInProgress Status = "IN_PROGRESS"
	StatusCompleted  Status = "COMPLETED"
	// StatusUnknown marks a write whose outcome is unknown (the request may have
	// reached the tool): never replaced by Create until it expires, resolved only by
	// looking the write up in the tool.
	StatusUnknown Status = "UNKNOWN_OUTCOME"
)

// Record is one item of the table: an idempotency record or a cache entry.
type Record struct {
	// Key is the partition key; it always starts with "<function>#" (see Key).
	Key    string
	Status Status
	// Expiration is when the record stops existing for readers. It is stored as epoch
	// seconds in the TTL attribute; backends also check it in code, because DynamoDB
	// deletes expired items lazily (typically within days).
	Expiration time.Time
	// InProgressExpiration is when an IN_PROGRESS record's owner ran out of time; after
	// it, another caller may take the key over. Stored as epoch milliseconds.
	InProgressExpiration time.Time
	// PayloadHash lets a reused key with a different payload be told apart from a retry.
	PayloadHash string
	// Data is the stored payload: a JSON Reply for idempotency, a JSON value for the cache.
	Data []byte
	// FetchedAt is when a cached value was read from its tool (millisecond precision).
	FetchedAt time.Time
}

// Expired reports whether the record no longer exists for a reader at now. The rule is
// the same in every backend and in DynamoDB's condition expression: a record is gone
// from the second its expiration names.
func (r Record) Expired(now time.Time) bool {
	return !r.Expiration.IsZero() && r.Expiration.Unix() <= now.Unix()
}

// LockExpired reports whether an IN_PROGRESS record's owner has run out of time at now.
func (r Record) LockExpired(now time.Time) bool {
	return r.Status == StatusInProgress && !r.InProgressExpiration.IsZero() &&
		r.InProgressExpiration.UnixMilli() <= now.UnixMilli()
}

// Replaceable reports whether Create may overwrite r at now.
func (r Record) Replaceable(now time.Time) bool { return r.Expired(now) || r.LockExpired(now) }

// Errors returned by every backend.
var (
	// ErrNotFound: no live record holds the key.
	ErrNotFound = errors.New("store: record not found")
	// ErrExists matches *ExistsError with errors.Is.
	ErrExists = errors.New("store: record already exists")
)

// ExistsError is returned by Create when a live record already holds the key. Record is
// that record, as the backend saw it when the write was refused (DynamoDB returns it
// with the failed condition, so no extra read is needed).
type ExistsError struct {
	Record Record
}

func (e *ExistsError) Error() string {
	return fmt.Sprintf("store: record %s already exists (status %q)", e.Record.Key, e.Record.Status)
}

// Is makes errors.Is(err, ErrExists) match.
func (e *ExistsError) Is(target error) bool { return target == ErrExists }

// ErrGuarded matches *GuardedError with errors.Is.
var ErrGuarded = errors.New("store: a live record holds the guard")

// GuardedError is returned by CreateGuarded when a live record holds the guard key
// (and none holds the record's own key). Record is the guard's record, as the backend
// saw it (DynamoDB returns it with the cancelled transaction).
type GuardedError struct {
	Record Record
}

func (e *GuardedError) Error() string {
	return fmt.Sprintf("store: guard %s is held (status %q)", e.Record.Key, e.Record.Status)
}

// Is makes errors.Is(err, ErrGuarded) match.
func (e *GuardedError) Is(target error) bool { return target == ErrGuarded }

// Store keeps records. Every method honours ctx. Implementations are safe for
// concurrent use.
type Store interface {
	// Create writes rec unless a live record holds rec.Key. A record is live until its
	// Expiration, and an IN_PROGRESS record only until its InProgressExpiration. When a
	// live record exists, Create returns an *ExistsError carrying it.
	Create(ctx context.Context, rec Record) error
	// CreateGuarded is Create that is also refused while a live record (one not
	// Expired) holds guard, a key it reads but never writes, in one atomic step
	// (DynamoDB: one TransactWriteItems). When rec.Key is held it returns an
	// *ExistsError as Create does, whether or not guard is held too; when only guard
	// is held, a *GuardedError carrying the guard's record. guard == "" is Create.
	CreateGuarded(ctx context.Context, rec Record, guard string) error
	// Complete marks rec.Key COMPLETED with rec.Data, rec.PayloadHash and
	// rec.Expiration, whether or not the record still exists (an owner whose lock
	// expired still records its answer).
	Complete(ctx context.Context, rec Record) error
	// Get returns the live record holding key, or ErrNotFound.
	Get(ctx context.Context, key string) (Record, error)
	// Put writes rec unconditionally (cache entries).
	Put(ctx context.Context, rec Record) error
	// Delete removes key; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

// Key builds a partition key "<function>#<kind>#<sha256 of parts>". Hashing keeps user
// data (emails, turn ids, search text) out of the key while the "<function>#" prefix
// lets IAM scope each function to its own items (dynamodb:LeadingKeys).
func Key(function, kind string, parts ...string) string {
	return keyPrefix(function) + kind + "#" + Hash(parts...)
}

// keyPrefix is the prefix of every key a function writes (table.KeyPrefix).
func keyPrefix(function string) string { return table.KeyPrefix(function) }

// LeadingKeysPattern is the dynamodb:LeadingKeys StringLike value that limits a
// function's role to its own items (table.LeadingKeysPattern).
func LeadingKeysPattern(function string) string { return table.LeadingKeysPattern(function) }

// Hash is the hex SHA-256 of parts joined by NUL bytes, so ("ab","c") and ("a","bc")
// hash differently.
func Hash(parts ...string) string {
	h := sha256.New()
	for i, p := range parts {
		if i > 0 {
			h.Write([]byte{0})
		}
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}
