package platform

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform/names"
)

// Entry is what a platform's folder (shared/platform/<name>) registers from its init:
// its static facts (names.Spec) and everything that differs from one platform to the
// next — the adapter, where a reply carries its outcome, how a webhook body names its
// intent, its response schema and how the smoke test fills and reads its events.
// Everything that lists the platforms (config, server routes, router, smoke, CLI)
// iterates Entries instead of naming them.
type Entry struct {
	names.Spec
	// New builds the adapter from the configured intent names (intents.<name>);
	// plainText is platform.<name>.rich: false.
	New func(n Names, plainText bool) Adapter
	// IntentName reads the platform's own intent name from a webhook body ("" when it
	// has none), without decoding the whole turn (the router routes on it).
	IntentName func(body []byte) string
	// ReadOutcome reads the outcome a response body carries (see WireOutcome).
	ReadOutcome func(body []byte) (WireOutcome, bool)
	// OutcomeWhere says where in a response the outcome is ("payload.switchboard").
	OutcomeWhere string
	// ResponseSchema is the JSON Schema of a webhook response (the adapter's tests
	// hold its responses to it; the smoke function checks a new version's replies).
	ResponseSchema []byte
	// Smoke fills and reads the platform's sample events for the smoke test.
	Smoke Smoke
	// Routes, when set, lists the GET routes `switchboard serve` answers beside the
	// webhook (rasa-sdk's /health and /actions), behind the platform's credentials
	// off loopback.
	Routes func(n Names) []Route
	// Handlers, when set, are HTTP routes of the platform's own shape that `switchboard
	// serve` mounts as they are ("POST /api/v1/{intent}"); they answer turns through
	// the Gate, so every call passes the same admission as a webhook call.
	Handlers func(n Names, g Gate) map[string]http.Handler
	// Complete, for a platform whose intent and identity come from its route rather
	// than its body (the tool API: the path's intent, the identity header), completes a
	// decoded request from them: the intent's name and the request's Headers. It is how
	// an intent function answers a call the router admitted and forwarded with its
	// route (lambdafn.Route); the returned func errs for an intent it does not know.
	Complete func(intent string, h http.Header) func(Request) error
	// Headers, with Complete, are the request headers Complete reads: the only ones
	// the router forwards with a call's route.
	Headers []string
	// Invoked, for a platform that invokes the router's Lambda directly (HTTP
	// false) other than Lex, reports whether a Lambda event is one of its events (the
	// event's shape: lambdafn classifies direct invocations with it).
	Invoked func(event []byte) bool
	// Refused, with Invoked, is the Lambda result for an event of the platform that
	// the door refused or could not decode (status and JSON body as an HTTP platform
	// would get them): a response the platform accepts, saying so.
	Refused func(event []byte, status int, body []byte) []byte
	// Setup prints what to paste into the platform's console after a deploy
	// (`switchboard platform-config`).
	Setup func(w io.Writer, in SetupInfo)
	// Console, when set, plays the platform in the conversation console
	// (shared/console): the console lists the platforms that have one.
	Console *Simulator
	// Package is the import path of the registering package (its folder), filled by
	// Register.
	Package string
}

// SetupInfo is what Setup prints from.
type SetupInfo struct {
	// BaseURL is the deployment's webhook base URL (a platform that calls the HTTP
	// API); RouterARN the router alias it invokes otherwise.
	BaseURL, RouterARN string
	// Auth says how the webhook authenticates ("Authentication: …").
	Auth string
	// Intents are the configured names, "platform name -> canonical intent", sorted.
	Intents []string
}

// Route is a GET route beside a platform's webhook: Path (/webhooks/<name>/…) answers
// the JSON Body.
type Route struct {
	Platform conversation.Platform
	Path     string
	Body     []byte
}

// Smoke is how the smoke test fills a platform's sample event and reads its reply.
type Smoke struct {
	// FreshIDs sets the fields the adapter derives the turn id (the idempotency key)
	// and the session from.
	FreshIDs func(doc map[string]any, id, run string)
	// IdentityToken puts a signed-in caller's token where the platform carries it.
	IdentityToken func(doc map[string]any, token string)
	// Messages returns the texts a response shows the user and, for a platform that
	// has one, the intent state it reports (Lex: Fulfilled, Failed, …).
	Messages func(body []byte) (texts []string, state string, err error)
	// Unsupported, when set, says why the smoke test cannot exercise the platform yet
	// (its cases are reported skipped with this reason, never passed).
	Unsupported string
}

// Gate is the admission pipeline of a webhook call (server.Door) as a platform's own
// routes (Entry.Handlers) use it: the source's rate, the platform's credentials, the
// body's caps and nesting, the adapter's Decode; then Prepare completes the decoded
// request from what its body cannot carry (the path's intent, headers), and the engine
// answers the turn.
type Gate interface {
	Answer(ctx context.Context, c GateCall) (status int, body []byte, refused *GateRefusal)
	// Check runs the first steps only (the source's rate, the platform's
	// credentials), for a route whose calls reach turns otherwise (an MCP session):
	// nil admits; otherwise the status and JSON body to answer with.
	Check(ctx context.Context, p conversation.Platform, h http.Header, source string) (status int, body []byte, refused *GateRefusal)
}

// GateCall is one call through a Gate.
type GateCall struct {
	Platform conversation.Platform
	Header   http.Header
	// Source is the caller's address (per-source rate).
	Source string
	Body   io.Reader
	// Declared is the body's size known before reading it; -1 when unknown.
	Declared int64
	// Authorized skips the source rate and credentials: the caller was authorized
	// already (the MCP session's HTTP request, or the local stdio user).
	Authorized bool
	// Prepare, when set, completes the decoded request before the turn is answered;
	// an error answers 400 with its text as the reason.
	Prepare func(Request) error
}

// GateRefusal is a call the gate turned away before a turn: what the HTTP transport
// adds to the answer.
type GateRefusal struct {
	// Challenge: missing or wrong credentials (401).
	Challenge bool
	// RetryAfter: the in-flight budget was spent.
	RetryAfter bool
}

// Platform is the entry's name as conversation.Platform.
func (e Entry) Platform() conversation.Platform { return conversation.Platform(e.Name) }

var (
	regMu   sync.RWMutex
	entries = map[conversation.Platform]Entry{}
)

// Register makes a platform known. Call it from the platform package's init, with the
// Spec names.Lookup returns for its name. It panics on a name names does not list, a
// duplicate or a missing function.
func Register(e Entry) {
	spec, ok := names.Lookup(e.Name)
	if !ok {
		panic(fmt.Sprintf("platform: %q is not in shared/platform/names", e.Name))
	}
	if e.New == nil || e.IntentName == nil || e.ReadOutcome == nil || e.Smoke.FreshIDs == nil ||
		e.Smoke.IdentityToken == nil || e.Smoke.Messages == nil || len(e.ResponseSchema) == 0 || e.Setup == nil {
		panic(fmt.Sprintf("platform: %q registers an incomplete entry", e.Name))
	}
	if c := e.Console; c != nil && (c.Request == nil || c.Read == nil) {
		panic(fmt.Sprintf("platform: %q registers an incomplete console simulator", e.Name))
	}
	e.Spec = spec
	if pc, _, _, ok := runtime.Caller(1); ok {
		e.Package = funcPackage(runtime.FuncForPC(pc).Name())
	}
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := entries[e.Platform()]; dup {
		panic(fmt.Sprintf("platform: %q registered twice", e.Name))
	}
	for _, o := range entries {
		if e.Console != nil && e.Console.Default && o.Console != nil && o.Console.Default {
			panic(fmt.Sprintf("platform: %q and %q both register the default console simulator", o.Name, e.Name))
		}
	}
	entries[e.Platform()] = e
}

// funcPackage is the package path of a function's full name
// (github.com/x/y/pkg.init.0 → github.com/x/y/pkg).
func funcPackage(fn string) string {
	slash := strings.LastIndex(fn, "/")
	dot := strings.Index(fn[slash+1:], ".")
	if dot < 0 {
		return fn
	}
	return fn[:slash+1+dot]
}

// Lookup returns the registered platform p.
func Lookup(p conversation.Platform) (Entry, bool) {
	regMu.RLock()
	defer regMu.RUnlock()
	e, ok := entries[p]
	return e, ok
}

// Entries lists the registered platforms in names.All's order.
func Entries() []Entry {
	regMu.RLock()
	defer regMu.RUnlock()
	var out []Entry
	for _, s := range names.All() {
		if e, ok := entries[conversation.Platform(s.Name)]; ok {
			out = append(out, e)
		}
	}
	return out
}
