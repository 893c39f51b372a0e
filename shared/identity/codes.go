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
	"strconv"
	"time"

	"github.com/switchboard-dev/switchboard/shared/contract/table"
	"github.com/switchboard-dev/switchboard/shared/store"
)

// KeyPrefix starts every store key of the identity layer ("identity#…"): the functions
// that verify callers are granted these items besides their own.
const KeyPrefix = table.IdentityPrefix

// Store key kinds.
const (
	kindCode     = "otp"      // a code, per session and email
	kindRate     = "otprate"  // one of a conversation's hourly code slots for an email
	kindDay      = "otpday"   // one of an email's daily code slots
	kindAttempt  = "otptry"   // one of a code's attempt slots
	kindVerified = "verified" // a session verified by code, per session
)

// CodeOptions configure Codes. Zero values are the documented defaults.
type CodeOptions struct {
	TTL      time.Duration // 5m
	Attempts int           // 3
	// PerHour is how many codes one conversation (platform and session) may have sent
	// to one email in any hour (3): one stranger's conversation cannot use up the
	// codes of the owner's own.
	PerHour int
	// PerDay is how many codes one email is sent in any 24 hours, whoever asks (10):
	// the most unwanted mail an address can get.
	PerDay      int
	VerifiedFor time.Duration // 15m
	// PepperFunc returns the secret that keys the HMAC codes, emails and sessions are
	// stored under, so a copy of the table alone does not give them back by brute
	// force. It is called on every Issue, Check and VerifiedEmail (the secrets
	// provider behind it caches), never by NewCodes; its error is the call's. A pepper
	// shorter than MinPepper is refused. Nil: Pepper keys the HMAC.
	PepperFunc func(context.Context) (string, error)
	// Pepper is a fixed key, used only when PepperFunc is nil: the local runs' public
	// telemetry.hash_salt (identity.codes.pepper_secret_id unset; never with sender ses).
	Pepper string
	Now    func() time.Time
}

// MinPepper is the shortest pepper PepperFunc may return.
const MinPepper = 32

// Codes issues and checks one-time codes, stored hashed in the store with a TTL and
// bound to one session and one email.
type Codes struct {
	st store.Store
	o  CodeOptions
}

// ErrPepper wraps a failure to get the pepper (the secret store down, the secret
// missing or too short): the call fails, as for a store failure.
var ErrPepper = errors.New("identity: the code pepper is unavailable")

// keyer computes the keyed hashes under one pepper.
type keyer []byte

// key returns the HMAC keyer of this call: from PepperFunc when set, else Pepper.
func (c *Codes) key(ctx context.Context) (keyer, error) {
	p := c.o.Pepper
	if c.o.PepperFunc != nil {
		var err error
		if p, err = c.o.PepperFunc(ctx); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrPepper, err)
		}
		if len(p) < MinPepper {
			return nil, fmt.Errorf("%w: missing or shorter than %d bytes", ErrPepper, MinPepper)
		}
	}
	return keyer("switchboard-identity\x00" + p), nil
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
	if o.PerDay <= 0 {
		o.PerDay = 10
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
	// ErrRateLimited: this conversation has had PerHour codes sent to the email in the
	// last hour, or the email PerDay codes in the last 24 hours.
	ErrRateLimited = errors.New("identity: too many codes for this email")
	// ErrWrongCode: no live code for this session and email matches.
	ErrWrongCode = errors.New("identity: wrong or expired code")
	// ErrNoAttemptsLeft: the code was guessed wrong Attempts times and is gone.
	ErrNoAttemptsLeft = errors.New("identity: no attempts left")
)

type codeRecord struct {
	Hash string `json:"h"`
	Turn string `json:"t,omitempty"` // the turn that issued it (a platform retry resends nothing)
	// Nonce names this code's attempt slots, so a new code starts with all of them.
	Nonce string `json:"n,omitempty"`
}

type verifiedRecord struct {
	Email string `json:"e"` // keyed hash of the email
}

func (k keyer) mac(parts ...string) string {
	h := hmac.New(sha256.New, k)
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (k keyer) codeKey(session, email string) string {
	return store.Key(KeyPrefix, kindCode, k.mac("code-key", session, email))
}

func (k keyer) rateKey(session, email string, slot int) string {
	return store.Key(KeyPrefix, kindRate, k.mac("rate-key", session, email), strconv.Itoa(slot))
}

func (k keyer) dayKey(email string, slot int) string {
	return store.Key(KeyPrefix, kindDay, k.mac("day-key", email), strconv.Itoa(slot))
}

func (c *Codes) attemptKey(codeKey, nonce string, slot int) string {
	return store.Key(KeyPrefix, kindAttempt, codeKey, nonce, strconv.Itoa(slot))
}

func (k keyer) verifiedKey(session string) string {
	return store.Key(KeyPrefix, kindVerified, k.mac("verified-key", session))
}

// Issue counts a code request for email against the conversation's hourly limit and
// the email's daily one and, when send is
// true (the email belongs to an account), stores a fresh code bound to session and
// email and returns it for the mailer. When send is false it stores a record no code
// can match, so what follows (wrong code, attempts) reads the same as for a real
// account. A retry of the same turn (turnID) returns "" and sends nothing again.
func (c *Codes) Issue(ctx context.Context, session, email, turnID string, send bool) (string, error) {
	k, err := c.key(ctx)
	if err != nil {
		return "", err
	}
	now := c.o.Now()
	key := k.codeKey(session, email)
	if rec, err := c.st.Get(ctx, key); err == nil {
		var cr codeRecord
		if json.Unmarshal(rec.Data, &cr) == nil && turnID != "" && cr.Turn == k.mac("turn", turnID) {
			return "", nil
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	if err := c.countSend(ctx, k, session, email, now); err != nil {
		return "", err
	}
	code, hash := "", k.mac("no-code", session, email, randomCode())
	if send {
		code = randomCode()
		hash = k.mac("code", session, email, code)
	}
	data, _ := json.Marshal(codeRecord{Hash: hash, Turn: k.mac("turn", turnID), Nonce: randomNonce()})
	if err := c.st.Put(ctx, store.Record{Key: key, Data: data, Expiration: now.Add(c.o.TTL)}); err != nil {
		return "", err
	}
	return code, nil
}

// countSend takes one of the conversation's PerHour slots for the email, then one of
// the email's PerDay slots. A slot is a record that lives an hour (a day) from when it
// was taken and is only written while free (one conditional create, atomic in every
// store), so however many requests run at once, at most PerHour codes go to one email
// from one conversation in any hour, and at most PerDay to one email in any 24 hours.
// The conversation's slot comes first: a conversation over its limit takes nothing
// from the email's daily ceiling.
func (c *Codes) countSend(ctx context.Context, k keyer, session, email string, now time.Time) error {
	if err := c.takeSlot(ctx, c.o.PerHour, now.Add(time.Hour), func(i int) string { return k.rateKey(session, email, i) }); err != nil {
		return err
	}
	return c.takeSlot(ctx, c.o.PerDay, now.Add(24*time.Hour), func(i int) string { return k.dayKey(email, i) })
}

// takeSlot creates the first free of n slot records, or returns ErrRateLimited.
func (c *Codes) takeSlot(ctx context.Context, n int, expires time.Time, key func(int) string) error {
	for slot := range n {
		err := c.st.Create(ctx, store.Record{Key: key(slot), Expiration: expires})
		if err == nil {
			return nil
		}
		if !errors.Is(err, store.ErrExists) {
			return err
		}
	}
	return ErrRateLimited
}

// Check compares code with the live code for session and email. Each try first takes
// one of the code's Attempts slots (records written only while free, like the hourly
// slots), so concurrent guesses cannot share an attempt. A right code deletes it and
// marks the session verified for email for VerifiedFor. A wrong one uses up its
// attempt; the last attempt deletes the code (ErrNoAttemptsLeft).
func (c *Codes) Check(ctx context.Context, session, email, code string) error {
	k, err := c.key(ctx)
	if err != nil {
		return err
	}
	key := k.codeKey(session, email)
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
	attempt := -1
	for slot := range c.o.Attempts {
		err := c.st.Create(ctx, store.Record{Key: c.attemptKey(key, cr.Nonce, slot), Expiration: rec.Expiration})
		if err == nil {
			attempt = slot
			break
		}
		if !errors.Is(err, store.ErrExists) {
			return err
		}
	}
	if attempt < 0 {
		// Every attempt was taken by tries running at the same time as this one.
		if err := c.st.Delete(ctx, key); err != nil {
			return err
		}
		return ErrNoAttemptsLeft
	}
	if hmac.Equal([]byte(cr.Hash), []byte(k.mac("code", session, email, code))) {
		if err := c.st.Delete(ctx, key); err != nil {
			return err
		}
		data, _ := json.Marshal(verifiedRecord{Email: k.mac("email", email)})
		return c.st.Put(ctx, store.Record{Key: k.verifiedKey(session), Data: data,
			Expiration: c.o.Now().Add(c.o.VerifiedFor)})
	}
	if attempt == c.o.Attempts-1 {
		if err := c.st.Delete(ctx, key); err != nil {
			return err
		}
		return ErrNoAttemptsLeft
	}
	return ErrWrongCode
}

// VerifiedEmail reports whether session was verified by code for email (and is still).
func (c *Codes) VerifiedEmail(ctx context.Context, session, email string) (bool, error) {
	k, err := c.key(ctx)
	if err != nil {
		return false, err
	}
	rec, err := c.st.Get(ctx, k.verifiedKey(session))
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
	return hmac.Equal([]byte(vr.Email), []byte(k.mac("email", email))), nil
}

// randomNonce is 96 random bits, hex.
func randomNonce() string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("identity: crypto/rand: %v", err))
	}
	return hex.EncodeToString(b[:])
}

// randomCode is six uniformly random decimal digits from crypto/rand.
func randomCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(fmt.Sprintf("identity: crypto/rand: %v", err)) // the platform's CSPRNG failing is not recoverable
	}
	return fmt.Sprintf("%06d", n.Int64())
}
