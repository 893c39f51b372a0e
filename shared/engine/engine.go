package engine

import (
	"context"
	"errors"
	"fmt"
	"github.com/switchboard-dev/switchboard/shared/workers"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/i18n"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/lru"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/platform/names"
	"github.com/switchboard-dev/switchboard/shared/security"
)

// Response is what goes back to the platform.
type Response struct {
	Status int
	Body   []byte
}

// Engine dispatches webhook bodies to the handler through the platform adapters.
type Engine struct {
	adapters map[conversation.Platform]platform.Adapter
	handler  conversation.Handler
	settings Settings
	log      *slog.Logger
	now      func() time.Time
	hook     TurnHook
	guard    *security.Guard
	// admitted remembers the turns this process admitted past the conversation limit:
	// a platform's redelivery of one of them is not a new message and takes no token.
	admitted *lru.Cache[struct{}]
}

// Settings are what the configuration decides for the engine (the composition root
// converts it: shared/app/wiring.Engine).
type Settings struct {
	// Enabled lists the canonical intents this deployment answers (empty: all).
	Enabled []conversation.Intent
	// SupportEmail is named in the replies the engine words itself.
	SupportEmail string
	// Deadlines is each platform's webhook deadline; a platform not in it gets its
	// default (shared/platform/names), else 5s.
	Deadlines map[conversation.Platform]time.Duration
	// ReplyMargin is kept from the deadline to encode and send the reply.
	ReplyMargin time.Duration
}

// Enables reports whether the deployment answers the canonical intent.
func (s Settings) Enables(in conversation.Intent) bool {
	return len(s.Enabled) == 0 || slices.Contains(s.Enabled, in)
}

// Deadline is the platform's webhook deadline.
func (s Settings) Deadline(p conversation.Platform) time.Duration {
	if v, ok := s.Deadlines[p]; ok {
		return v
	}
	if n, ok := names.Lookup(string(p)); ok {
		return n.Deadline
	}
	return 5 * time.Second
}

// Options configure an Engine. Zero values are the documented defaults.
type Options struct {
	// Adapters by platform (app.DefaultAdapters builds the standard four).
	Adapters map[conversation.Platform]platform.Adapter
	Logger   *slog.Logger
	Now      func() time.Time
	// Hook observes every decoded turn (telemetry); none when nil.
	Hook TurnHook
	// Guard authenticates and rate-limits webhook calls and bounds JSON nesting; none
	// when nil.
	Guard *security.Guard
}

// TurnHook observes every decoded turn: StartTurn before the handler runs (the
// context it returns is the one the turn runs under), EndTurn once the reply is
// encoded. Telemetry implements it. Both are called on the request's goroutine.
type TurnHook interface {
	StartTurn(ctx context.Context, s TurnStart) context.Context
	EndTurn(ctx context.Context, e TurnEnd)
}

// RefusalHook, when the TurnHook also implements it, is told of every call refused
// before it became a turn (telemetry counts refused_total{reason}).
type RefusalHook interface {
	Refused(ctx context.Context, p conversation.Platform, reason string)
}

// RelayHook, when the TurnHook also implements it, is told of every turn the router
// relayed to an intent function (telemetry counts the Relayed* metrics the router's
// canary watches).
type RelayHook interface {
	Relayed(ctx context.Context, r RelayEnd)
}

// RelayEnd describes a relayed turn by the outcome the intent function's reply carried.
type RelayEnd struct {
	Platform conversation.Platform
	Intent   conversation.Intent
	// Outcome is what the reply carried; Known is false when it carried none (or the
	// router could not read it).
	Outcome platform.WireOutcome
	Known   bool
	// ForwardFailed: the function did not answer (invoke error, function error, a
	// payload that is not JSON) and the router answered with its own apology.
	ForwardFailed bool
}

// TurnStart describes a turn about to be handled.
type TurnStart struct {
	Platform conversation.Platform
	Turn     conversation.Turn
	// Body is the raw webhook body. Its values are the caller's words, names, amounts
	// and codes: log only its structure (telemetry.Redactor.Structure), and only at
	// debug.
	Body []byte
}

// TurnEnd describes how a turn was answered.
type TurnEnd struct {
	Platform conversation.Platform
	Turn     conversation.Turn
	Reply    conversation.Reply
	// Status and Body are what goes back to the platform (Body, like Reply, holds
	// customer data: log only its structure).
	Status int
	Body   []byte
	// Latency runs from the decoded request to the encoded reply.
	Latency time.Duration
	// Fallback: the engine answered for the handler (turn budget exhausted, handler
	// panic, or the reply could not be encoded).
	Fallback bool
	// Problems are what the adapter had to leave out of the reply because the bot does
	// not define it (a Lex slot the intent lacks): a configuration error of the bot.
	Problems []platform.ConfigProblem
}

// New returns an Engine answering with h.
func New(s Settings, h conversation.Handler, o Options) *Engine {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Engine{
		adapters: o.Adapters, handler: h, settings: s, log: o.Logger, now: o.Now, hook: o.Hook, guard: o.Guard,
		admitted: lru.New[struct{}](4096),
	}
}

// admittedFor is how long a turn admitted past the conversation limit is remembered:
// longer than any platform keeps redelivering it.
const admittedFor = 10 * time.Minute

// allowTurn applies the per-conversation limit to a new turn; a redelivery of a turn
// already admitted (same platform, session and turn id) is not counted again.
func (e *Engine) allowTurn(p conversation.Platform, t conversation.Turn) bool {
	if !e.guard.LimitsSessions() {
		// No conversation limit (security.per_session_rate < 0): every turn is
		// allowed, and there is nothing to remember a redelivery by.
		return true
	}
	key := ""
	if t.TurnID != "" {
		key = string(p) + "\x00" + t.SessionID + "\x00" + t.TurnID
		if _, ok := e.admitted.Get(key, e.now()); ok {
			return true
		}
	}
	if !e.guard.AllowSession(p, t.SessionID) {
		return false
	}
	if key != "" {
		e.admitted.Put(key, struct{}{}, e.now().Add(admittedFor))
	}
	return true
}

// Adapter returns the adapter of a platform, or nil.
func (e *Engine) Adapter(p conversation.Platform) platform.Adapter { return e.adapters[p] }

// Admit checks an HTTP webhook call's credentials and its client's rate before the body
// is read: nil lets it through, otherwise the response says why not (401, 429, or 503
// when the secret cannot be read). Direct Lex invocations are authorized by IAM and
// skip it.
func (e *Engine) Admit(ctx context.Context, p conversation.Platform, h http.Header, q url.Values, source string) *Response {
	if r, why := e.guard.AdmitWhy(ctx, p, h, q, source); r != nil {
		return e.Refuse(ctx, p, r, why)
	}
	return nil
}

// Refuse logs and counts a refusal and returns the response that carries it. why (may
// be nil) says more for the log; it never holds a credential or the body.
func (e *Engine) Refuse(ctx context.Context, p conversation.Platform, r *security.Refusal, why error) *Response {
	attrs := []slog.Attr{slog.String("platform", string(p)), slog.Int("status", r.Status), slog.String("reason", r.Reason)}
	if why != nil {
		attrs = append(attrs, slog.String("why", why.Error()))
	}
	e.log.LogAttrs(ctx, slog.LevelWarn, "webhook call refused", attrs...)
	if rh, ok := e.hook.(RefusalHook); ok {
		rh.Refused(ctx, p, r.Reason)
	}
	return &Response{Status: r.Status, Body: r.Body}
}

// Guard is the engine's guard (nil: none).
func (e *Engine) Guard() *security.Guard { return e.guard }

// Serve answers one webhook body from platform p. It always returns a response the
// platform understands, within the platform's deadline: errors become the platform's
// error shape (bad requests) or an honest failed reply (everything else).
func (e *Engine) Serve(ctx context.Context, p conversation.Platform, body []byte) Response {
	req, bad := e.Decode(ctx, p, body)
	if bad != nil {
		return *bad
	}
	return e.ServeDecoded(ctx, p, req, body)
}

// Decode is the last two steps of admission: the body's nesting (security.max_json_depth)
// and the platform adapter's decoding. A body that fails either gets the response to
// answer with (a depth refusal is logged and counted as refused_total{reason="depth"}).
func (e *Engine) Decode(ctx context.Context, p conversation.Platform, body []byte) (platform.Request, *Response) {
	ad := e.adapters[p]
	if ad == nil {
		return nil, &Response{Status: 404, Body: []byte(`{"error":"unknown platform"}`)}
	}
	if err := e.guard.Depth(body); err != nil {
		e.Refuse(ctx, p, &security.Refusal{Status: 400, Reason: security.ReasonDepth}, err)
		return nil, &Response{Status: 400, Body: platform.NewBadRequest(p, err.Error()).Body}
	}
	req, err := ad.Decode(body)
	if err != nil {
		var br *platform.BadRequest
		if errors.As(err, &br) {
			e.log.LogAttrs(ctx, slog.LevelWarn, "bad webhook request",
				slog.String("platform", string(p)), slog.String("reason", br.Reason))
			return nil, &Response{Status: br.Status, Body: br.Body}
		}
		return nil, &Response{Status: 400, Body: platform.NewBadRequest(p, "invalid request").Body}
	}
	return req, nil
}

// ServeDecoded answers a request Decode returned for body: the conversation's rate,
// the handler under the platform's deadline, the reply encoded.
func (e *Engine) ServeDecoded(ctx context.Context, p conversation.Platform, req platform.Request, body []byte) Response {
	turn := req.Turn()
	if !e.allowTurn(p, turn) {
		// Logged and counted as refused_total{reason="rate"}; answered in the
		// platform's shape below.
		e.Refuse(ctx, p, &security.Refusal{Status: 429, Reason: security.ReasonRate}, errors.New("session rate limited"))
		// In the platform's own reply shape: a bare 429 shows the user an empty
		// answer (Dialogflow) or a generic error.
		if status, out, err := req.Encode(localized(turn, conversation.Reply{Outcome: conversation.OutcomeFailed,
			Messages: []string{i18n.For(turn.Locale).T("reply.slow_down", e.settings.SupportEmail)}})); err == nil {
			return Response{Status: status, Body: out}
		}
		return Response{Status: 429, Body: []byte(`{"error":"too many requests in this conversation"}`)}
	}
	turn.Deadline = e.deadlineFor(ctx, p)
	start := e.now()
	if e.hook != nil {
		ctx = e.hook.StartTurn(ctx, TurnStart{Platform: p, Turn: turn, Body: body})
	}
	reply, fallback := e.handle(ctx, turn)
	// The engine's own answer for a handler that did not answer is a fallback, and the
	// reply says so on the wire.
	reply.Fallback = reply.Fallback || fallback
	status, out, err := req.Encode(reply)
	if err != nil {
		fallback = true
		// Encoding our own reply failed: say so in the simplest reply the adapter can
		// still produce rather than failing the platform's whole turn.
		e.log.LogAttrs(ctx, slog.LevelError, "encode reply", slog.String("platform", string(p)), slog.Any("error", err))
		status, out, err = req.Encode(conversation.Reply{Outcome: conversation.OutcomeFailed,
			Messages: []string{e.apology(turn)}, Fallback: true})
		if err != nil {
			status, out = 500, []byte(`{"error":"internal error"}`)
		}
	}
	if e.hook != nil {
		var problems []platform.ConfigProblem
		if pr, ok := req.(platform.ProblemReporter); ok {
			problems = pr.ConfigProblems()
		}
		e.hook.EndTurn(ctx, TurnEnd{Platform: p, Turn: turn, Reply: reply, Status: status, Body: out,
			Latency: e.now().Sub(start), Fallback: fallback, Problems: problems})
	}
	return Response{Status: status, Body: out}
}

// deadlineFor is the earlier of the platform's own deadline from now and the caller's
// context deadline (the Lambda invocation's).
func (e *Engine) deadlineFor(ctx context.Context, p conversation.Platform) time.Time {
	d := e.now().Add(e.settings.Deadline(p))
	if cd, ok := ctx.Deadline(); ok && cd.Before(d) {
		d = cd
	}
	return d
}

// Handle runs the handler on a decoded turn under the turn's budget (its deadline minus
// the reply margin). Unknown and disabled intents are answered here without reaching
// the handler. If the handler has not answered when the budget runs out, the user gets
// an honest fallback while there is still time to deliver it.
func (e *Engine) Handle(ctx context.Context, t conversation.Turn) conversation.Reply {
	r, _ := e.handle(ctx, t)
	return r
}

// handle is Handle, also reporting whether the engine answered for the handler
// (budget exhausted or panic).
func (e *Engine) handle(ctx context.Context, t conversation.Turn) (conversation.Reply, bool) {
	switch {
	case t.Intent == "":
		return localized(t, conversation.Reply{Outcome: conversation.OutcomeUnknownIntent,
			Messages: []string{i18n.For(t.Locale).T("reply.unknown_intent")}}), false
	case !e.settings.Enables(t.Intent):
		return localized(t, conversation.Reply{Outcome: conversation.OutcomeRejected,
			Messages: []string{i18n.For(t.Locale).T("reply.not_enabled", e.settings.SupportEmail)}}), false
	}
	if t.Deadline.IsZero() {
		return e.safeHandle(ctx, t)
	}
	budget := t.Deadline.Add(-e.settings.ReplyMargin)
	ctx, cancel := context.WithDeadline(ctx, budget)
	defer cancel()
	// On a worker that keeps the stack an earlier turn grew (shared/workers).
	h := runs.Get().(*run)
	h.e, h.ctx, h.t = e, ctx, t
	workers.Go(h.work)
	select {
	case <-h.done:
		r, fb := h.r, h.fallback
		// The worker is done with h (it sent last): reuse it.
		*h = run{done: h.done, work: h.work}
		runs.Put(h)
		return r, fb
	case <-ctx.Done():
		// h stays the worker's: it answers into h.done when it returns, and h is
		// left to the garbage collector.
		e.log.LogAttrs(ctx, slog.LevelWarn, "turn budget exhausted",
			slog.String("intent", string(t.Intent)), slog.String("platform", string(t.Platform)))
		return e.timeoutReply(t), true
	}
}

// run is one turn handed to a worker (handle), reused from turn to turn (runs) once
// the worker has answered: the turn, its answer, the channel it signals the answer
// on (buffered: a worker whose turn ran out of budget never blocks), and its work,
// bound once.
type run struct {
	e        *Engine
	ctx      context.Context
	t        conversation.Turn
	r        conversation.Reply
	fallback bool
	done     chan struct{}
	work     func()
}

var runs = sync.Pool{New: func() any {
	h := &run{done: make(chan struct{}, 1)}
	h.work = h.handle
	return h
}}

// handle answers the turn, then signals it; nothing of h is touched after the send.
func (h *run) handle() {
	h.r, h.fallback = h.e.safeHandle(h.ctx, h.t)
	h.done <- struct{}{}
}

// safeHandle turns a panic in a handler into an honest failed reply: a platform must
// never see a crash.
func (e *Engine) safeHandle(ctx context.Context, t conversation.Turn) (r conversation.Reply, fallback bool) {
	defer func() {
		if v := recover(); v != nil {
			e.log.LogAttrs(ctx, slog.LevelError, "handler panic",
				slog.String("intent", string(t.Intent)), slog.String("panic", fmt.Sprint(v)))
			r, fallback = localized(t, conversation.Reply{Outcome: conversation.OutcomeFailed, Messages: []string{e.apology(t)}}), true
		}
	}()
	return e.handler.Handle(ctx, t), false
}

func (e *Engine) timeoutReply(t conversation.Turn) conversation.Reply {
	key := "reply.slow"
	if in, _ := spec.Lookup(string(t.Intent)); in.Slow != "" {
		key = in.Slow
	}
	return localized(t, conversation.Reply{Outcome: conversation.OutcomeFailed,
		Messages: []string{i18n.For(t.Locale).T(key, e.settings.SupportEmail)}})
}

func (e *Engine) apology(t conversation.Turn) string {
	return i18n.For(t.Locale).T("reply.apology", e.settings.SupportEmail)
}

// localized marks a reply the engine wrote with the language of the turn's locale.
func localized(t conversation.Turn, r conversation.Reply) conversation.Reply {
	p := i18n.For(t.Locale)
	r.Language, r.LanguageFallback = p.Language(), p.Fallback
	return r
}
