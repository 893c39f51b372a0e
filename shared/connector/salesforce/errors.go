package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/httpauth"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

// apiError is one element of a Salesforce REST error answer:
// [{"message": "...", "errorCode": "INVALID_SESSION_ID", "fields": [...]}].
type apiError struct {
	Message   string   `json:"message"`
	ErrorCode string   `json:"errorCode"`
	Fields    []string `json:"fields"`
}

// codeCause keeps the error code and the fields Salesforce named, never its message:
// a MALFORMED_QUERY message quotes the query, and with it the customer's email.
type codeCause struct {
	code   string
	fields []string
}

func (c codeCause) Error() string {
	if len(c.fields) > 0 {
		return fmt.Sprintf("salesforce %s on %v", c.code, c.fields)
	}
	return "salesforce " + c.code
}

// decodeError reads Salesforce's error body into e (rest.ErrorDecoder). The org's
// rolling 24-hour API request limit comes as a 403 REQUEST_LIMIT_EXCEEDED, which is a
// rate limit, not a credentials problem; the query resource always exists, so a 404
// is a wrong API version or instance, never a missing customer.
func decodeError(e *connector.Error, hdr http.Header, body []byte, now time.Time) {
	var errs []apiError
	if json.Unmarshal(body, &errs) == nil && len(errs) > 0 {
		e.Code = errs[0].ErrorCode
		e.Err = codeCause{code: errs[0].ErrorCode, fields: errs[0].Fields}
		if len(errs[0].Fields) > 0 {
			e.Field = errs[0].Fields[0]
		}
	}
	switch {
	case e.Code == "REQUEST_LIMIT_EXCEEDED":
		e.Kind = connector.KindRateLimited
		e.RetryAfter = connector.ParseRetryAfter(hdr.Get("Retry-After"), now)
	case e.Kind == connector.KindNotFound || e.Kind == connector.KindConflict:
		// MALFORMED_QUERY, INVALID_FIELD (a configured plan/status field the org
		// lacks), INVALID_QUERY_LOCATOR, a wrong version: what we sent is wrong.
		e.Kind = connector.KindInvalidInput
	}
}

// authError classifies a failure to get a token.
func authError(ctx context.Context, op string, err error) error {
	e := &connector.Error{Kind: connector.KindUnauthorized, Tool: tool, Op: op, Err: err}
	var te *httpauth.TokenError
	var se *secrets.Error
	switch {
	case ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
		return connector.Transport(ctx, tool, op, err)
	case errors.As(err, &te):
		e.Op = "token"
		e.StatusCode = te.StatusCode
		e.Code = te.Code
		if te.StatusCode == 0 || te.StatusCode >= 500 || te.StatusCode == http.StatusTooManyRequests {
			e.Kind = connector.KindUnavailable
		}
	case errors.As(err, &se) && se.Kind == secrets.KindUnavailable:
		e.Kind = connector.KindUnavailable
	}
	return e
}
