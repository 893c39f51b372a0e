package identity

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/switchboard-dev/switchboard/shared/store"
)

// KeyPrefix starts every store key of the identity layer ("identity#…"): the functions
// that verify callers are granted these items besides their own.
const KeyPrefix = "identity"

// Store key kinds.
const (
	kindCode     = "otp"      // a code, per session and email
	kindRate     = "otprate"  // codes sent to one email in the last hour
	kindVerified = "verified" // a session verified by code, per session
)

// CodeOptions configure Codes. Zero values are the documented defaults.
type CodeOptions struct {
	TTL         time.Duration // 5m
	Attempts    int           // 3
	PerHour     int           // 3
	VerifiedFor time.Duration // 15m
	// Pepper keys the HMAC that codes and emails are stored under, so a copy of the
	// table alone does not give them back by brute force of the hash alone.
	Pepper string
	Now    func() time.Time
}

// Codes issues and checks one-time codes, stored hashed in the store with a TTL and
// bound to one session and one email.
type Codes struct {
	st store.Store
	o  CodeOptions
}

// NewCodes returns Codes over st.
func NewCodes(st store.Store, o CodeOptions) *Codes {
	if o.TTL <= 0 {
		o.TTL = 5 * time.Minute
	}
	if o.Attempts <= 0 {
		o.Attempts = 3
	}
	if o.PerHour <= 0 {
		o.PerHour = 3
	}
	if o.VerifiedFor <= 0 {
		o.VerifiedFor = 15 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Codes{st: st, o: o}
}

// Errors of Issue and Check.
var (
	// ErrRateLimited: the email has been sent PerHour codes in the last hour.
	ErrRateLimited = errors.New("identity: too many codes for this email")
	// ErrWrongCode: no live code for this session and email matches.
	ErrWrongCode = errors.New("identity: wrong or expired code")
	// ErrNoAttemptsLeft: the code was guessed wrong Attempts times and is gone.
	ErrNoAttemptsLeft = errors.New("identity: no attempts left")
)

type codeRecord struct {
	Hash     string `json:"h"`
	Attempts int    `json:"a"`
	Turn     string `json:"t,omitempty"` // the turn that issued it (a platform retry resends nothing)
}

type rateRecord struct {
	Sent []int64 `json:"s"` // unix seconds
}

type verifiedRecord struct {
	Email string `json:"e"` // keyed hash of the email
}

func (c *Codes) mac(parts ...string) string {
	h := hmac.New(sha256.New, []byte("switchboard-identity\x00"+c.o.Pepper))
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (c *Codes) codeKey(session, email string) string {
	return store.Key(KeyPrefix, kindCode, c.mac("code-key", session, email))
}

func (c *Codes) rateKey(email string) string {
	return store.Key(KeyPrefix, kindRate, c.mac("rate-key", email))
}

func (c *Codes) verifiedKey(session string) string {
	return store.Key(KeyPrefix, kindVerified, c.mac("verified-key", session))
}

// Issue counts a code request for email against its hourly limit and, when send is
// true (the email belongs to an account), stores a fresh code bound to session and
// email and returns it for the mailer. When send is false it stores a record no code
// can match, so what follows (wrong code, attempts) reads the same as for a real
// account. A retry of the same turn (turnID) returns "" and sends nothing again.
func (c *Codes) Issue(ctx context.Context, session, email, turnID string, send bool) (string, error) {
	now := c.o.Now()
	key := c.codeKey(session, email)
	if rec, err := c.st.Get(ctx, key); err == nil {
		var cr codeRecord
		if json.Unmarshal(rec.Data, &cr) == nil && turnID != "" && cr.Turn == c.mac("turn", turnID) {
			return "", nil
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	if err := c.countSend(ctx, email, now); err != nil {
		return "", err
	}
	code, hash := "", c.mac("no-code", session, email, randomCode())
	if send {
		code = randomCode()
		hash = c.mac("code", session, email, code)
	}
	data, _ := json.Marshal(codeRecord{Hash: hash, Turn: c.mac("turn", turnID)})
	if err := c.st.Put(ctx, store.Record{Key: key, Data: data, Expiration: now.Add(c.o.TTL)}); err != nil {
		return "", err
	}
	return code, nil
}

// countSend records one code request for email, refusing the (PerHour+1)th in an
// hour. The read-then-write is not atomic: two requests for one email in the same
// instant may both pass, so the limit can be exceeded by concurrent requests.
func (c *Codes) countSend(ctx context.Context, email string, now time.Time) error {
	key := c.rateKey(email)
	var rr rateRecord
	rec, err := c.st.Get(ctx, key)
	switch {
	case err == nil:
		_ = json.Unmarshal(rec.Data, &rr)
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	kept := rr.Sent[:0]
	for _, s := range rr.Sent {
		if now.Sub(time.Unix(s, 0)) < time.Hour {
			kept = append(kept, s)
		}
	}
	if len(kept) >= c.o.PerHour {
		return ErrRateLimited
	}
	kept = append(kept, now.Unix())
	data, _ := json.Marshal(rateRecord{Sent: kept})
	return c.st.Put(ctx, store.Record{Key: key, Data: data, Expiration: now.Add(time.Hour)})
}

// Check compares code with the live code for session and email. A right code deletes
// it and marks the session verified for email for VerifiedFor. A wrong one uses up an
// attempt; the last attempt deletes the code (ErrNoAttemptsLeft).
func (c *Codes) Check(ctx context.Context, session, email, code string) error {
	key := c.codeKey(session, email)
	rec, err := c.st.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return ErrWrongCode
	}
	if err != nil {
		return err
	}
	var cr codeRecord
	if err := json.Unmarshal(rec.Data, &cr); err != nil {
		return ErrWrongCode
	}
	if hmac.Equal([]byte(cr.Hash), []byte(c.mac("code", session, email, code))) {
		if err := c.st.Delete(ctx, key); err != nil {
			return err
		}
		data, _ := json.Marshal(verifiedRecord{Email: c.mac("email", email)})
		return c.st.Put(ctx, store.Record{Key: c.verifiedKey(session), Data: data,
			Expiration: c.o.Now().Add(c.o.VerifiedFor)})
	}
	cr.Attempts++
	if cr.Attempts >= c.o.Attempts {
		if err := c.st.Delete(ctx, key); err != nil {
			return err
		}
		return ErrNoAttemptsLeft
	}
	data, _ := json.Marshal(cr)
	rec.Data = data
	if err := c.st.Put(ctx, rec); err != nil {
		return err
	}
	return ErrWrongCode
}

// VerifiedEmail reports whether session was verified by code for email (and is still).
func (c *Codes) VerifiedEmail(ctx context.Context, session, email string) (bool, error) {
	rec, err := c.st.Get(ctx, c.verifiedKey(session))
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var vr verifiedRecord
	if err := json.Unmarshal(rec.Data, &vr); err != nil {
		return false, nil
	}
	return hmac.Equal([]byte(vr.Email), []byte(c.mac("email", email))), nil
}

// randomCode is six uniformly random decimal digits from crypto/rand.
func randomCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(fmt.Sprintf("identity: crypto/rand: %v", err)) // the platform's CSPRNG failing is not recoverable
	}
	return fmt.Sprintf("%06d", n.Int64())
}
