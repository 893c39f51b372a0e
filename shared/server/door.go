package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/security"
)

// defaultMaxBody is the body cap when none is configured (server.max_body_bytes).
const defaultMaxBody = 8 << 20

// Door is the one admission pipeline of every entry: `switchboard serve` (Handler),
// each intent function (lambdafn) and the router. A webhook call passes, in order:
// the source's rate, its credentials, its declared size, the per-source upload count
// (streamed bodies only), the in-flight budget while it is read and inflated within the
// size and ratio caps, the JSON nesting, and the platform adapter's decoding. The
// transports are thin adapters that fill a Request and write the answer.
type Door struct {
	Engine *engine.Engine
	// MaxBody caps a body once inflated (defaultMaxBody when <= 0).
	MaxBody int64
}

// Request is one webhook call as its transport hands it to the door.
type Request struct {
	Platform conversation.Platform
	Header   http.Header
	Query    url.Values
	// Source is the caller's address (per-source rate and uploads).
	Source string
	// Declared is the body's size known before reading it (Content-Length, or the
	// length of a body handed over whole); -1 when unknown.
	Declared int64
	// Encoding is the body's Content-Encoding ("", identity, deflate, gzip).
	Encoding string
	// Body is read once, within the caps, as its bytes arrive.
	Body io.Reader
	// Streamed bodies arrive from the network while they are read (net/http): one
	// address may be sending only so many at once (security.uploads_per_source). A body
	// handed over whole (API Gateway, a Lambda invoke) takes no upload slot.
	Streamed bool
	// Authorized skips the source rate and credentials: the caller was authorized by
	// someone the door trusts (IAM for a direct Lex invoke; the router, for a turn it
	// admitted and forwards in an Envelope).
	Authorized bool
}

// Admitted is a call past every step: its body and the platform's decoded request.
// Release hands its claim on the in-flight budget back once the turn is answered.
type Admitted struct {
	Platform conversation.Platform
	Body     []byte
	Request  platform.Request
	claim    *security.Claim
}

// Turn is the decoded turn.
func (a *Admitted) Turn() conversation.Turn { return a.Request.Turn() }

// Release hands the body's claim on the in-flight budget back.
func (a *Admitted) Release() { a.claim.Release() }

// Refusal is the answer to a call the door turned away: Status and Body (JSON), the
// refused_total reason ("" for a request that is merely malformed), and what the
// transport adds when it can: a Basic challenge, a Retry-After, closing a connection
// whose body was left unread.
type Refusal struct {
	Status int
	Body   []byte
	Reason string
	// Challenge: a 401 for missing or wrong credentials (WWW-Authenticate).
	Challenge bool
	// RetryAfter: the in-flight budget was spent; retrying shortly may work.
	RetryAfter bool
	// Untouched: the refusal came before the body was read (the transport may drain
	// it to keep the connection); Unread: it came while reading the body, whose rest
	// was not read (the connection should close).
	Untouched, Unread bool
}

// Admit runs the pipeline on one call. Exactly one of the results is not nil; a
// refusal has been logged and counted (engine.Refuse) where it is one.
func (d Door) Admit(ctx context.Context, r Request) (*Admitted, *Refusal) {
	e := d.Engine
	g := e.Guard()
	p := r.Platform
	refused := func(ref *security.Refusal, why error) *Refusal {
		resp := e.Refuse(ctx, p, ref, why)
		return &Refusal{Status: resp.Status, Body: resp.Body, Reason: ref.Reason}
	}
	if !r.Authorized {
		if ref, why := g.AdmitWhy(ctx, p, r.Header, r.Query, r.Source); ref != nil {
			out := refused(ref, why)
			out.Challenge = out.Status == http.StatusUnauthorized
			out.Untouched = true
			return nil, out
		}
	}
	lim := bodyLimits{Max: d.MaxBody, Ratio: ratioOf(g), Declared: r.Declared}
	if lim.Max <= 0 {
		lim.Max = defaultMaxBody
	}
	if r.Declared > lim.Max {
		out := refused(security.RefusedSize, nil)
		out.Untouched = true
		return nil, out
	}
	if r.Streamed {
		uploads := uploadsOf(g)
		if !uploads.Start(r.Source) {
			out := refused(security.RefusedUploads, nil)
			out.Untouched = true
			return nil, out
		}
		defer uploads.Done(r.Source)
	}
	claim := budgetOf(g).Claim()
	body, err := readBody(ctx, r.Body, r.Encoding, lim, claim)
	if err != nil {
		claim.Release()
		ref := refusalFor(err)
		if ref == nil {
			var bad base64.CorruptInputError
			reason := err.Error()
			if errors.As(err, &bad) {
				reason = "body is not valid base64"
			}
			b, _ := json.Marshal(map[string]string{"error": reason})
			return nil, &Refusal{Status: http.StatusBadRequest, Body: b}
		}
		out := refused(ref, err)
		out.RetryAfter = ref == security.RefusedBusy
		out.Unread = true
		return nil, out
	}
	req, bad := e.Decode(ctx, p, body)
	if bad != nil {
		claim.Release()
		out := &Refusal{Status: bad.Status, Body: bad.Body}
		var depth *security.DepthError
		if g != nil && g.MaxDepth > 0 && errors.As(security.CheckDepth(body, g.MaxDepth), &depth) {
			out.Reason = security.ReasonDepth
		}
		return nil, out
	}
	return &Admitted{Platform: p, Body: body, Request: req, claim: claim}, nil
}

// Serve admits r and answers it: the refusal, or the engine's response to the turn.
func (d Door) Serve(ctx context.Context, r Request) (engine.Response, *Refusal) {
	a, ref := d.Admit(ctx, r)
	if ref != nil {
		return engine.Response{Status: ref.Status, Body: ref.Body}, ref
	}
	defer a.Release()
	return d.Engine.ServeDecoded(ctx, a.Platform, a.Request, a.Body), nil
}
