// Package idempotency makes a retried platform turn safe: a conversation.Handler
// middleware with the semantics of Powertools for AWS Lambda's idempotency utility,
// on the one-table store (DynamoDB or the embedded backend). A turn's first delivery
// runs the handler and stores its reply; a redelivery of a finished turn gets the
// stored reply without touching any business tool; a redelivery that arrives while the
// first is still running waits for it within the turn's budget.
package idempotency

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/resilience"
	"github.com/switchboard-dev/switchboard/shared/store"
	"github.com/switchboard-dev/switchboard/shared/turntrace"
)

// keyKind is the kind segment of idempotency keys ("<function>#idem#<hash>").
const keyKind = "idem"

// Options configure the middleware. The zero value of every field is the documented
// default.
type Options struct {
	// Function is the key prefix: the Lambda function's name, so IAM can scope each
	// function to its own items. Default: the turn's intent.
	Function string
	// Scope is the identity of the tools behind the handler (app's toolIdentity), part of
	// every key: a reply stored under one tool configuration is never replayed under
	// another.
	Scope string
	// ScopeOf, when Scope is empty, computes Scope once, when the first turn needs a
	// key: a function whose turns never do (reads, not made idempotent) never pays for
	// it at start (app.IdempotencyScope serialises each tool's section).
	ScopeOf func() string
	// Expiration is how long a completed turn's reply is replayed (default 1h).
	Expiration time.Duration
	// Idempotent reports whether an intent is wrapped (default: every intent).
	Idempotent func(conversation.Intent) bool
	// FailOpen reports whether an intent still runs, without idempotency, when the
	// store cannot be reached (default: none; every intent fails closed).
	FailOpen func(conversation.Intent) bool
	// PollInterval is the first wait between reads of an in-progress record; it grows
	// by half each poll up to MaxPollInterval (defaults 25ms and 250ms).
	PollInterval, MaxPollInterval time.Duration
	// StoreTimeout bounds each store call, so a hanging store cannot eat the turn's
	// budget (default 1s; always also bounded by the turn's own deadline, except for
	// the write that records the reply or frees the key, which gets StoreTimeout even
	// after the turn's budget is spent).
	StoreTimeout time.Duration
	// LockFor is how long an in-progress record holds its key when the turn carries
	// no deadline (default 30s). With a deadline, the lock ends with it.
	LockFor time.Duration
	// LocalCache is how many completed turns are kept in memory and replayed without a
	// store call (default 1000; negative: none).
	LocalCache int
	// Writes returns the description of an intent whose side effect must never be
	// repeated blindly (intents.Service.Writes: create_ticket's TicketWrite), or nil
	// for an intent that only reads. Default: none.
	Writes func(conversation.Intent) Write
	// WriteReserve is the part of a write turn's budget kept back from the handler so
	// that the outcome (completion or unknown-outcome record) is written before the
	// reply is returned (default 300ms). On Lambda nothing runs after the reply.
	WriteReserve time.Duration
	// UnknownFor is how long a write's claim and its unknown-outcome records live
	// (default and minimum 24h): until then no process files that write again.
	UnknownFor time.Duration
	// Say is the reply to a turn the middleware answers itself (Outcome: the store is
	// down, the turn is still running elsewhere, …). The words are the intents'
	// (intents.Service.Refusal): the middleware holds none. Default: the handler's
	// own Refusal when it has one (Sayer), else a failed reply without words.
	Say    func(t conversation.Turn, o Outcome) conversation.Reply
	Now    func() time.Time
	Logger *slog.Logger
}

// Outcome is why the middleware answers a turn itself instead of its handler. It is
// typed, not worded: the intent's Refusal chooses the catalogue key.
type Outcome int

const (
	// StoreUnavailable: the store could not be reached and the intent fails closed:
	// nothing was done.
	StoreUnavailable Outcome = iota + 1
	// StillWorking: an earlier delivery of the turn is still running (or its write's
	// outcome is unknown and nothing will be done twice); no result yet.
	StillWorking
	// PayloadMismatch: the turn's id was used by an earlier, different request;
	// nothing was done.
	PayloadMismatch
	// ResultUnreadable: the turn was handled but its stored reply cannot be read back.
	ResultUnreadable
	// Interrupted: the delivery this one waited for failed without a reply, or the
	// stored record is not one the middleware knows.
	Interrupted
)

var outcomeNames = [...]string{StoreUnavailable: "store_unavailable", StillWorking: "still_working",
	PayloadMismatch: "payload_mismatch", ResultUnreadable: "result_unreadable", Interrupted: "interrupted"}

func (o Outcome) String() string {
	if o > 0 && int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return "outcome(" + strconv.Itoa(int(o)) + ")"
}

// Sayer is a handler that words the middleware's own answers (intents.Service).
type Sayer interface {
	Refusal(t conversation.Turn, o Outcome) conversation.Reply
}

// Write describes an intent with a side effect (create_ticket) to the middleware.
type Write interface {
	// Subject is what the turn asks for across turns (customer and subject), "" when
	// it cannot be told.
	Subject(t conversation.Turn) string
	// ExternalID is the id the tool files this turn's write under.
	ExternalID(t conversation.Turn) string
	// Lookup finds the write filed under externalID in the tool; found: the reply
	// tells the user about it.
	Lookup(ctx context.Context, t conversation.Turn, externalID string) (reply conversation.Reply, found bool, err error)
	// Unconfirmed is the reply while an earlier attempt's outcome stays unknown.
	Unconfirmed(t conversation.Turn) conversation.Reply
	// Promise replaces an unconfirmed reply once the unknown outcome is recorded
	// durably: it may then say that asking again files nothing twice.
	Promise(t conversation.Turn) conversation.Reply
}

// claim is what an IN_PROGRESS or unknown-outcome record holds in its Data (a
// completed record holds the reply instead).
type claim struct {
	// Owner is the token of the delivery that wrote the record: a retried write that
	// meets its own record (its first answer lost) proceeds.
	Owner string `json:"owner,omitempty"`
	// ExternalID is the id the write is filed under in the tool.
	ExternalID string `json:"external_id,omitempty"`
	// UntilMs is when the owner stops waiting (the platform's deadline), epoch ms. A
	// write's lock in the store lasts UnknownFor; past UntilMs a redelivery looks the
	// write up instead of waiting.
	UntilMs int64 `json:"until_ms,omitempty"`
	// Reply is the answer once an unknown outcome is resolved (subject records).
	Reply *conversation.Reply `json:"reply,omitempty"`
}

func decodeClaim(rec store.Record) claim {
	var c claim
	if rec.Status != store.StatusCompleted && len(rec.Data) > 0 {
		_ = json.Unmarshal(rec.Data, &c)
	}
	return c
}

func (c claim) encode() []byte {
	b, _ := json.Marshal(c)
	return b
}

// unknownKind is the kind segment of unknown-outcome records keyed by what was asked
// ("<function>#unknown#<hash of customer and subject>").
const unknownKind = "unknown"

// Middleware is the idempotency layer around a handler.
type Middleware struct {
	s       store.Store
	next    conversation.Handler
	o       Options
	scope   func() string // Options.Scope, or ScopeOf's value once computed
	local   *replies      // nil when off
	running flights
}

var _ conversation.Handler = (*Middleware)(nil)

// New wraps next.
func New(s store.Store, next conversation.Handler, o Options) *Middleware {
	if o.Expiration <= 0 {
		o.Expiration = time.Hour
	}
	if o.Idempotent == nil {
		o.Idempotent = func(conversation.Intent) bool { return true }
	}
	if o.FailOpen == nil {
		o.FailOpen = func(conversation.Intent) bool { return false }
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 25 * time.Millisecond
	}
	if o.MaxPollInterval < o.PollInterval {
		o.MaxPollInterval = max(250*time.Millisecond, o.PollInterval)
	}
	if o.StoreTimeout <= 0 {
		o.StoreTimeout = time.Second
	}
	if o.LockFor <= 0 {
		o.LockFor = 30 * time.Second
	}
	if o.Say == nil {
		if sayer, ok := next.(Sayer); ok {
			o.Say = sayer.Refusal
		} else {
			o.Say = func(conversation.Turn, Outcome) conversation.Reply {
				return conversation.Reply{Outcome: conversation.OutcomeFailed}
			}
		}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.LocalCache == 0 {
		o.LocalCache = 1000
	}
	if o.Writes == nil {
		o.Writes = func(conversation.Intent) Write { return nil }
	}
	if o.WriteReserve <= 0 {
		o.WriteReserve = 300 * time.Millisecond
	}
	if o.UnknownFor < 24*time.Hour {
		o.UnknownFor = 24 * time.Hour
	}
	m := &Middleware{s: s, next: next, o: o, scope: func() string { return o.Scope }}
	if o.Scope == "" && o.ScopeOf != nil {
		m.scope = sync.OnceValue(o.ScopeOf)
	}
	if o.LocalCache > 0 {
		m.local = newReplies(o.LocalCache)
	}
	return m
}

// Key is the store key of a turn: the function (or intent), then a hash of the intent,
// the platform and the platform's turn id, so no turn id is stored in the clear.
func (m *Middleware) Key(t conversation.Turn) string {
	fn := m.o.Function
	if fn == "" {
		fn = string(t.Intent)
	}
	scope := m.scope()
	if scope == "" {
		return store.Key(fn, keyKind, string(t.Intent), string(t.Platform), t.TurnID)
	}
	return store.Key(fn, keyKind, string(t.Intent), string(t.Platform), t.TurnID, scope)
}

// PayloadHash identifies what a turn asks for. A platform redelivers a turn with the
// same payload; a key reused with another payload is a different request that must not
// get this one's answer.
//
// Who asks is part of it: a replay of a signed turn without its token (or with another
// caller's) is not the same request, and must not get the signed answer. The token
// itself never reaches this layer.
func PayloadHash(t conversation.Turn) string {
	parts := []string{string(t.Platform), string(t.Intent), string(t.Phase), t.SessionID,
		string(t.Caller.MethodName()), t.Caller.Email}
	names := make([]string, 0, len(t.Slots))
	for k := range t.Slots {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		parts = append(parts, k, t.Slots[k])
	}
	return store.Hash(parts...)
}

// Handle implements conversation.Handler.
func (m *Middleware) Handle(ctx context.Context, t conversation.Turn) conversation.Reply {
	// Slot validation (Lex DialogCodeHook) makes no business call; a turn without an
	// id cannot be recognised when it comes back.
	if !m.o.Idempotent(t.Intent) || t.Phase == conversation.PhaseValidate || t.TurnID == "" {
		decided(ctx, "not applied", "intent_idempotent", strconv.FormatBool(m.o.Idempotent(t.Intent)),
			"phase", string(t.Phase), "has_turn_id", strconv.FormatBool(t.TurnID != ""))
		return m.next.Handle(ctx, t)
	}
	key, hash := m.Key(t), PayloadHash(t)
	if r, ok := m.local.get(key, m.o.Now()); ok {
		// A redelivery this process has answered: the completed record cannot have
		// changed, so its copy answers without a store call.
		if r.hash != hash {
			decided(ctx, "key reused with a different payload")
			return m.mismatch(t)
		}
		decided(ctx, "replayed the reply this process gave", "write", strconv.FormatBool(m.o.Writes(t.Intent) != nil))
		return r.reply
	}
	fl, first := m.running.join(key, hash)
	if !first {
		// This process is running the same turn: its reply is this one's.
		if fl.hash != hash {
			decided(ctx, "key reused with a different payload")
			return m.mismatch(t)
		}
		decided(ctx, "joined the same turn running in this process")
		select {
		case <-fl.done:
			return cloneReply(fl.reply)
		case <-ctx.Done():
			return m.stillWorking(t)
		}
	}
	var reply conversation.Reply
	landed := false
	defer func() {
		if !landed {
			// The handler panicked (the engine turns it into an apology): the waiting
			// deliveries get one too.
			reply = m.o.Say(t, Interrupted)
		}
		m.running.land(key, fl, reply)
	}()
	reply = m.claim(ctx, t, key, hash)
	landed = true
	return reply
}

// claim takes the turn's key in the store and runs the turn, or answers it from the
// record that holds the key.
func (m *Middleware) claim(ctx context.Context, t conversation.Turn, key, hash string) conversation.Reply {
	w := m.o.Writes(t.Intent)
	// A write is claimed only while no unknown-outcome record holds what it asks for
	// (same customer and subject): one atomic store call checks both.
	skey := ""
	if w != nil {
		skey = m.subjectKey(t, w)
	}
	owner := newToken()
	for takeovers := 0; ; takeovers++ {
		now := m.o.Now()
		until := m.lockUntil(ctx, t, now)
		rec := store.Record{
			Key: key, Status: store.StatusInProgress, PayloadHash: hash,
			Expiration:           now.Add(m.o.Expiration),
			InProgressExpiration: until,
		}
		c := claim{Owner: owner}
		if w != nil {
			// A write's claim is its write-ahead record: it lives as long as an
			// unknown outcome would, and Create never takes it over. A delivery that
			// finds it past UntilMs looks the write up in the tool instead.
			rec.Expiration = now.Add(max(m.o.Expiration, m.o.UnknownFor))
			rec.InProgressExpiration = rec.Expiration
			c.ExternalID, c.UntilMs = w.ExternalID(t), until.UnixMilli()
		}
		rec.Data = c.encode()
		err := m.create(ctx, rec, skey)
		var ex *store.ExistsError
		var guarded *store.GuardedError
		switch {
		case err == nil:
			decided(ctx, "claimed the key: first delivery, handled", "write", strconv.FormatBool(w != nil))
			return m.run(ctx, t, rec, w)
		case errors.As(err, &guarded):
			decided(ctx, "an earlier write of unknown outcome asked for the same: answered from it")
			// An earlier turn asked for the same and its outcome is unknown: answer
			// with its result, file nothing. This turn's claim was not written.
			return m.earlier(ctx, t, rec, w, guarded.Record)
		case errors.As(err, &ex) && ex.Record.Status == store.StatusInProgress && decodeClaim(ex.Record).Owner == owner:
			// Our own record: the store wrote it but its answer was lost, and the
			// retried write met it.
			return m.run(ctx, t, rec, w)
		case errors.As(err, &ex):
			decided(ctx, "key already held: answered from its record", "record_status", string(ex.Record.Status))
			r, again := m.duplicate(ctx, t, hash, ex.Record, w)
			if again && takeovers < 3 {
				continue
			}
			if again {
				return m.stillWorking(t)
			}
			return r
		default:
			decided(ctx, "store unreachable")
			return m.storeDown(ctx, t, err)
		}
	}
}

// decided adds the idempotency layer's decision to the turn's trace (when asked for).
func decided(ctx context.Context, what string, kv ...string) {
	turntrace.Add(ctx, turntrace.KindIdempotency, what, 0, kv...)
}

// create claims rec's key, refused also while a live record holds guard ("" none).
func (m *Middleware) create(ctx context.Context, rec store.Record, guard string) error {
	ctx, cancel := context.WithTimeout(ctx, m.o.StoreTimeout)
	defer cancel()
	return m.s.CreateGuarded(ctx, rec, guard)
}

// lockUntil is when an in-progress record stops holding its key: when the platform
// stops waiting for this delivery, after which a redelivery may run.
func (m *Middleware) lockUntil(ctx context.Context, t conversation.Turn, now time.Time) time.Time {
	if !t.Deadline.IsZero() {
		return t.Deadline
	}
	if d, ok := ctx.Deadline(); ok {
		return d
	}
	return now.Add(m.o.LockFor)
}

// run executes the turn that holds the key, then records the reply or frees the key.
func (m *Middleware) run(ctx context.Context, t conversation.Turn, rec store.Record, w Write) conversation.Reply {
	if w != nil {
		return m.runWrite(ctx, t, rec, w)
	}
	hctx, trouble := resilience.WithTrouble(ctx)
	reply := m.safeNext(hctx, t)
	// The turn's own context may be spent (the engine already answered with its
	// fallback); the record must still be settled, or the key stays locked.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.o.StoreTimeout)
	defer cancel()
	cause, troubled := trouble.Any()
	if ctx.Err() != nil && !troubled {
		cause, troubled = ctx.Err(), true
	}
	// A fulfilled reply is kept even when it came too late for this delivery: the
	// platform's retry then gets the real answer. A failure is kept only when it is the
	// business's answer (the helpdesk refused the ticket), not an outage.
	if reply.Outcome == conversation.OutcomeFulfilled || (reply.Outcome == conversation.OutcomeFailed && !troubled) {
		m.complete(sctx, t, rec, reply)
		return reply
	}
	// Nothing worth replaying (a prompt for a slot costs no business call to produce
	// again), or the failure was an outage: free the key so the
	// platform's retry runs the intent again.
	if troubled {
		m.o.Logger.LogAttrs(ctx, slog.LevelInfo, "idempotency: freeing the key after a transient failure",
			slog.String("intent", string(t.Intent)), slog.Any("error", cause))
	}
	m.free(sctx, t, rec.Key)
	return reply
}

func (m *Middleware) complete(ctx context.Context, t conversation.Turn, rec store.Record, reply conversation.Reply) {
	data, err := json.Marshal(reply)
	if err == nil {
		rec.Status = store.StatusCompleted
		rec.Data = data
		if exp := m.o.Now().Add(m.o.Expiration); exp.After(rec.Expiration) {
			rec.Expiration = exp
		}
		err = m.s.Complete(ctx, rec)
		if err == nil {
			m.local.put(rec.Key, rec.PayloadHash, reply, rec.Expiration)
		}
	}
	if err != nil {
		m.o.Logger.LogAttrs(ctx, slog.LevelError, "idempotency: could not store the reply",
			slog.String("intent", string(t.Intent)), slog.Any("error", err))
	}
}

func (m *Middleware) free(ctx context.Context, t conversation.Turn, key string) {
	if err := m.s.Delete(ctx, key); err != nil {
		m.o.Logger.LogAttrs(ctx, slog.LevelError, "idempotency: could not free the key; it stays locked until its deadline",
			slog.String("intent", string(t.Intent)), slog.Any("error", err))
	}
}

// subjectKey is the key of the unknown-outcome record of what t asks for ("" none).
func (m *Middleware) subjectKey(t conversation.Turn, w Write) string {
	sub := w.Subject(t)
	if sub == "" {
		return ""
	}
	fn := m.o.Function
	if fn == "" {
		fn = string(t.Intent)
	}
	scope := m.scope()
	if scope == "" {
		return store.Key(fn, unknownKind, string(t.Intent), sub)
	}
	return store.Key(fn, unknownKind, string(t.Intent), sub, scope)
}

// runWrite runs a turn with a side effect that holds the key. Everything the next
// delivery's correctness depends on is written before it returns, inside the turn's
// budget: the handler gets the budget minus WriteReserve.
//
//   - (An earlier attempt at the same request, same customer and subject, whose outcome
//     is unknown never gets here: the claim was refused by its record, see earlier.)
//   - A fulfilled reply completes the record; a definite failure (nothing was filed)
//     frees the key so a retry may file it.
//   - An unknown outcome keeps the claim as an unknown-outcome record (UnknownFor),
//     plus one keyed by customer and subject, so that neither a redelivery nor a new
//     turn asking for the same ticket files it again.
func (m *Middleware) runWrite(ctx context.Context, t conversation.Turn, rec store.Record, w Write) conversation.Reply {
	skey := m.subjectKey(t, w)
	hctx, cancel := context.WithCancel(ctx)
	if d, ok := ctx.Deadline(); ok {
		hctx, cancel = context.WithDeadline(ctx, d.Add(-m.o.WriteReserve))
	}
	reply := m.safeNext(hctx, t)
	unknown := reply.Unconfirmed || hctx.Err() != nil && reply.Outcome != conversation.OutcomeFulfilled
	cancel()
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), m.o.StoreTimeout)
	defer scancel()
	switch {
	case reply.Outcome == conversation.OutcomeFulfilled:
		m.complete(sctx, t, rec, reply)
		return reply
	case !unknown:
		// Nothing was filed (the helpdesk refused it or could not be reached): a retry
		// may file it.
		m.free(sctx, t, rec.Key)
		return reply
	}
	now := m.o.Now()
	c := decodeClaim(rec)
	rec.Status, rec.Expiration, rec.InProgressExpiration, rec.Data = store.StatusUnknown, now.Add(m.o.UnknownFor), time.Time{}, c.encode()
	err := m.s.Put(sctx, rec)
	if err == nil && skey != "" {
		err = m.s.Put(sctx, store.Record{Key: skey, Status: store.StatusUnknown, Expiration: rec.Expiration,
			Data: claim{ExternalID: c.ExternalID}.encode()})
	}
	if err != nil {
		// The claim itself (written before the handler ran) still keeps a redelivery
		// from filing it again, but a new turn would not see the unknown outcome: do
		// not promise it.
		m.o.Logger.LogAttrs(ctx, slog.LevelError, "idempotency: could not record an unknown write outcome",
			slog.String("intent", string(t.Intent)), slog.Any("error", err))
		return reply
	}
	m.o.Logger.LogAttrs(ctx, slog.LevelWarn, "idempotency: write outcome unknown; recorded, will be looked up, never repeated",
		slog.String("intent", string(t.Intent)))
	return w.Promise(t)
}

// earlier answers a new turn asking for what an earlier attempt, whose outcome was
// unknown, asked for (prev, the record keyed by customer and subject, refused this
// turn's claim): with that attempt's result once known (looked up in the tool), else
// that it is not known yet. Nothing is filed. This turn's own record is written only
// when the answer is final, so that its redelivery replays it.
func (m *Middleware) earlier(ctx context.Context, t conversation.Turn, rec store.Record, w Write, prev store.Record) conversation.Reply {
	pc := decodeClaim(prev)
	reply, found := conversation.Reply{}, false
	if pc.Reply != nil {
		reply, found = *pc.Reply, true
	} else if pc.ExternalID != "" {
		reply, found = m.lookup(ctx, t, w, pc.ExternalID)
	}
	if !found {
		return w.Unconfirmed(t)
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.o.StoreTimeout)
	defer cancel()
	if pc.Reply == nil {
		pc.Reply = &reply
		prev.Data = pc.encode()
		if err := m.s.Put(sctx, prev); err != nil {
			m.o.Logger.LogAttrs(ctx, slog.LevelWarn, "idempotency: could not record a resolved write outcome",
				slog.String("intent", string(t.Intent)), slog.Any("error", err))
		}
	}
	m.complete(sctx, t, rec, reply)
	return reply
}

// lookup asks the tool for the write filed under externalID, within the turn's budget
// less WriteReserve (kept for recording the answer).
func (m *Middleware) lookup(ctx context.Context, t conversation.Turn, w Write, externalID string) (conversation.Reply, bool) {
	lctx, cancel := context.WithCancel(ctx)
	if d, ok := ctx.Deadline(); ok {
		lctx, cancel = context.WithDeadline(ctx, d.Add(-m.o.WriteReserve))
	}
	defer cancel()
	reply, found, err := w.Lookup(lctx, t, externalID)
	if err != nil {
		m.o.Logger.LogAttrs(ctx, slog.LevelWarn, "idempotency: looking up a write of unknown outcome failed",
			slog.String("intent", string(t.Intent)), slog.Any("error", err))
	}
	return reply, found && err == nil
}

// resolve answers a redelivery of a write whose earlier attempt did not finish in
// time or ended with an unknown outcome: the tool is asked, the write is never filed
// again.
func (m *Middleware) resolve(ctx context.Context, t conversation.Turn, rec store.Record, w Write) conversation.Reply {
	c := decodeClaim(rec)
	if c.ExternalID == "" {
		c.ExternalID = w.ExternalID(t)
	}
	reply, found := m.lookup(ctx, t, w, c.ExternalID)
	if !found {
		return w.Unconfirmed(t)
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.o.StoreTimeout)
	defer cancel()
	m.complete(sctx, t, rec, reply)
	if skey := m.subjectKey(t, w); skey != "" && rec.Status == store.StatusUnknown {
		_ = m.s.Put(sctx, store.Record{Key: skey, Status: store.StatusUnknown, Expiration: rec.Expiration,
			Data: claim{ExternalID: c.ExternalID, Reply: &reply}.encode()})
	}
	return reply
}

// safeNext runs the handler; a panic frees the key like any other failure would, and
// then propagates to the engine, which turns it into an apology.
func (m *Middleware) safeNext(ctx context.Context, t conversation.Turn) (r conversation.Reply) {
	ok := false
	defer func() {
		if !ok {
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.o.StoreTimeout)
			defer cancel()
			_ = m.s.Delete(sctx, m.Key(t))
		}
	}()
	r = m.next.Handle(ctx, t)
	ok = true
	return r
}

// duplicate answers a turn whose key is held by rec. again is true when the key was
// freed or its lock ran out while waiting: the caller may try to take it.
func (m *Middleware) duplicate(ctx context.Context, t conversation.Turn, hash string, rec store.Record, w Write) (conversation.Reply, bool) {
	for wait := m.o.PollInterval; ; wait = min(wait*3/2, m.o.MaxPollInterval) {
		now := m.o.Now()
		if rec.Expired(now) {
			// The store's TTL sweep is lazy: an expired record is no record.
			return conversation.Reply{}, true
		}
		if rec.PayloadHash != hash {
			m.o.Logger.LogAttrs(ctx, slog.LevelWarn, "idempotency: key reused with a different payload",
				slog.String("intent", string(t.Intent)), slog.String("platform", string(t.Platform)))
			return m.mismatch(t), false
		}
		switch rec.Status {
		case store.StatusCompleted:
			var r conversation.Reply
			if err := json.Unmarshal(rec.Data, &r); err != nil || r.Outcome == "" {
				m.o.Logger.LogAttrs(ctx, slog.LevelError, "idempotency: stored reply unreadable",
					slog.String("intent", string(t.Intent)), slog.Any("error", err))
				return m.o.Say(t, ResultUnreadable), false
			}
			m.local.put(rec.Key, rec.PayloadHash, r, rec.Expiration)
			return r, false
		case store.StatusInProgress:
			if w != nil {
				// A write's owner stops at its platform deadline; past it the write is
				// looked up, never taken over.
				if c := decodeClaim(rec); c.UntilMs == 0 || now.UnixMilli() >= c.UntilMs {
					return m.resolve(ctx, t, rec, w), false
				}
			} else if rec.LockExpired(now) {
				return conversation.Reply{}, true
			}
		case store.StatusUnknown:
			if w != nil {
				return m.resolve(ctx, t, rec, w), false
			}
			return m.stillWorking(t), false
		default:
			return m.o.Say(t, Interrupted), false
		}
		// Still running elsewhere: wait, but never past this turn's budget.
		if left, ok := resilience.Remaining(ctx); ok && left <= wait {
			return m.stillWorking(t), false
		}
		tm := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			tm.Stop()
			return m.stillWorking(t), false
		case <-tm.C:
		}
		gctx, cancel := context.WithTimeout(ctx, m.o.StoreTimeout)
		next, err := m.s.Get(gctx, rec.Key)
		cancel()
		switch {
		case errors.Is(err, store.ErrNotFound):
			// The first delivery failed and freed the key (nothing was filed): this one
			// may run.
			return conversation.Reply{}, true
		case err != nil:
			m.o.Logger.LogAttrs(ctx, slog.LevelWarn, "idempotency: polling the in-progress record failed",
				slog.String("intent", string(t.Intent)), slog.Any("error", err))
			if ctx.Err() != nil {
				return m.stillWorking(t), false
			}
			continue
		}
		rec = next
	}
}

// storeDown answers when the store cannot be reached: read-only intents run without
// protection (a repeat costs nothing), the others refuse honestly rather than risk
// doing twice what the user asked once.
func (m *Middleware) storeDown(ctx context.Context, t conversation.Turn, err error) conversation.Reply {
	open := m.o.FailOpen(t.Intent)
	m.o.Logger.LogAttrs(ctx, slog.LevelError, "idempotency: store unreachable",
		slog.String("intent", string(t.Intent)), slog.Bool("fail_open", open), slog.Any("error", err))
	if open {
		return m.next.Handle(ctx, t)
	}
	return m.o.Say(t, StoreUnavailable)
}

func (m *Middleware) stillWorking(t conversation.Turn) conversation.Reply {
	return m.o.Say(t, StillWorking)
}

// newToken is a random owner token for one delivery's claim.
func newToken() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (m *Middleware) mismatch(t conversation.Turn) conversation.Reply {
	return m.o.Say(t, PayloadMismatch)
}
