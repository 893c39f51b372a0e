package stripeconn

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/stripe/stripe-go/v76"

	"github.com/switchboard-dev/switchboard/shared/connector"
)

// maxRecordedBody caps the copy of a response body kept to name the offending field
// when stripe-go cannot decode it.
const maxRecordedBody = 4 << 20

// callState is what the recorder saw of the last HTTP exchange of one call. stripe-go
// flattens transport and decoding failures into plain strings; the recorder keeps the
// facts needed to classify them without string matching.
type callState struct {
	status     int
	retryAfter time.Duration
	body       []byte
	sawResp    bool
}

type callStateKey struct{}

// recorder is an http.RoundTripper that notes status, Retry-After and body of every
// response made under a context carrying a *callState.
type recorder struct{ next http.RoundTripper }

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	st, _ := req.Context().Value(callStateKey{}).(*callState)
	if st == nil || err != nil {
		return resp, err
	}
	st.sawResp = true
	st.status = resp.StatusCode
	st.retryAfter = connector.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxRecordedBody))
	resp.Body.Close()
	if rerr != nil {
		return nil, rerr
	}
	st.body = body
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// stripeCause keeps *stripe.Error reachable with errors.As while printing only its type
// and code: Stripe's message and request log URL stay out of logs.
type stripeCause struct{ se *stripe.Error }

func (c stripeCause) Error() string {
	if c.se.Code != "" {
		return fmt.Sprintf("stripe %s: %s", c.se.Type, c.se.Code)
	}
	return fmt.Sprintf("stripe %s", c.se.Type)
}

func (c stripeCause) Unwrap() error { return c.se }

// shapes are the types stripe-go decodes each operation's answer into, used to find
// the field a malformed answer got wrong.
var shapes = map[string]func() any{
	"retrieve_payment_intent": func() any { return &stripe.PaymentIntent{} },
	"search_payment_intents":  func() any { return &stripe.PaymentIntentSearchResult{} },
	"list_payment_intents":    func() any { return &stripe.PaymentIntentList{} },
	"list_customers":          func() any { return &stripe.CustomerList{} },
	"ping":                    func() any { return &stripe.Balance{} },
}

// mapError turns whatever stripe-go returned into a *connector.Error.
func mapError(ctx context.Context, op string, st *callState, err error) error {
	var ce *connector.Error
	if errors.As(err, &ce) {
		// The call's connector.RequestGate (the resilience layer's rate limit) refused
		// the request: it was never sent, and its refusal is already typed.
		return ce
	}
	e := &connector.Error{Tool: tool, Op: op, StatusCode: st.status, Err: err}
	var se *stripe.Error
	switch {
	case errors.As(err, &se):
		e.Err = stripeCause{se}
		e.Code = string(se.Code)
		e.StatusCode = se.HTTPStatusCode
		switch {
		case se.Code == stripe.ErrorCodeResourceMissing || se.HTTPStatusCode == http.StatusNotFound:
			e.Kind = connector.KindNotFound
		case se.HTTPStatusCode == http.StatusUnauthorized:
			e.Kind = connector.KindUnauthorized
		case se.HTTPStatusCode == http.StatusForbidden:
			e.Kind = connector.KindDenied
		case se.HTTPStatusCode == http.StatusTooManyRequests || se.Code == stripe.ErrorCodeRateLimit:
			e.Kind = connector.KindRateLimited
			e.RetryAfter = st.retryAfter
		case se.HTTPStatusCode >= 500 || se.Type == stripe.ErrorTypeAPI:
			e.Kind = connector.KindUnavailable
			e.RetryAfter = st.retryAfter
		case se.Type == stripe.ErrorTypeIdempotency || se.HTTPStatusCode == http.StatusConflict:
			e.Kind = connector.KindConflict
		default:
			e.Kind = connector.KindInvalidInput
			e.Field = se.Param
		}
	case ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
		// The turn's deadline passed (or it was cancelled): keep the context error in
		// the chain so callers can tell a timeout from a refusal.
		e.Kind = connector.KindUnavailable
		if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
			e.Err = fmt.Errorf("%w: %w", ctx.Err(), err)
		}
	case !st.sawResp:
		e.Kind = connector.KindUnavailable // connection refused, reset, DNS
	case st.status == http.StatusTooManyRequests:
		e.Kind = connector.KindRateLimited
		e.RetryAfter = st.retryAfter
		e.Err = errors.New("rate limited with an unreadable body")
	case st.status >= 500:
		e.Kind = connector.KindUnavailable
		e.RetryAfter = st.retryAfter
		e.Err = errors.New("server error with an unreadable body")
	case st.status == http.StatusUnauthorized:
		e.Kind = connector.KindUnauthorized
		e.Err = errors.New("refused with an unreadable body")
	case st.status == http.StatusForbidden:
		e.Kind = connector.KindDenied
		e.Err = errors.New("refused with an unreadable body")
	default:
		// A 2xx (or 4xx) whose body stripe-go could not decode. Its error carries a
		// body sample: replace it with the name of the field that broke.
		e.Kind = connector.KindInvalidResponse
		e.Field, e.Err = badField(op, st.body)
	}
	return e
}

// badField decodes body into the operation's shape to name the field that does not
// fit. It returns "body" when the body is not JSON at all.
func badField(op string, body []byte) (string, error) {
	shape, ok := shapes[op]
	if !ok {
		return "body", errors.New("undecodable answer")
	}
	err := json.Unmarshal(body, shape())
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return te.Field, fmt.Errorf("got JSON %s, want %s", te.Value, te.Type)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) || err != nil {
		return "body", fmt.Errorf("not JSON (offset %d)", offsetOf(se))
	}
	return "body", errors.New("undecodable answer")
}

func offsetOf(se *json.SyntaxError) int64 {
	if se == nil {
		return 0
	}
	return se.Offset
}
