package hubspot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

// apiError is HubSpot's error body: {"status":"error","message","correlationId",
// "category"}; a 429 adds "errorType":"RATE_LIMIT" and "policyName" (SECONDLY,
// TEN_SECONDLY_ROLLING, DAILY, …).
type apiError struct {
	Status        string `json:"status"`
	Message       string `json:"message"`
	CorrelationID string `json:"correlationId"`
	Category      string `json:"category"`
	ErrorType     string `json:"errorType"`
	PolicyName    string `json:"policyName"`
}

// apiCause keeps the category and correlation id (what HubSpot support asks for),
// never the message, which may quote the request.
type apiCause struct{ category, policy, correlationID string }

func (c apiCause) Error() string {
	s := "hubspot " + c.category
	if c.policy != "" {
		s += " policy " + c.policy
	}
	if c.correlationID != "" {
		s += " (correlationId " + c.correlationID + ")"
	}
	return s
}

// statusError classifies a non-2xx answer.
func statusError(op string, status int, hdr http.Header, body []byte, now time.Time) error {
	e := &connector.Error{Tool: tool, Op: op, StatusCode: status}
	var ae apiError
	if json.Unmarshal(body, &ae) == nil && (ae.Category != "" || ae.ErrorType != "" || ae.Status == "error") {
		e.Code = ae.Category
		if e.Code == "" {
			e.Code = ae.ErrorType
		}
		e.Err = apiCause{category: e.Code, policy: ae.PolicyName, correlationID: ae.CorrelationID}
	} else {
		e.Err = fmt.Errorf("HTTP %d with an unreadable error body", status)
	}
	switch {
	case status == http.StatusTooManyRequests:
		e.Kind = connector.KindRateLimited
		e.RetryAfter = RetryAfter(hdr, ae.PolicyName, now)
		if ae.PolicyName != "" {
			e.Code = ae.PolicyName
		}
	case status == http.StatusUnauthorized:
		e.Kind = connector.KindUnauthorized
	case status == http.StatusForbidden:
		e.Kind = connector.KindDenied
	case status >= 500:
		e.Kind = connector.KindUnavailable
		e.RetryAfter = connector.ParseRetryAfter(hdr.Get("Retry-After"), now)
	default:
		// 400 VALIDATION_ERROR; a 404 from the search endpoint is a wrong base URL,
		// never a missing customer.
		e.Kind = connector.KindInvalidInput
	}
	return e
}

// RetryAfter is how long a 429 asks us to wait: Retry-After when HubSpot sends it;
// else, for the DAILY policy, the time to the next midnight UTC (the daily allowance
// resets at midnight in the account's time zone, which the answer does not give, so
// this is an estimate); else the X-HubSpot-RateLimit-Interval-Milliseconds window of
// the burst limit; else one second, the search endpoint's window.
func RetryAfter(hdr http.Header, policy string, now time.Time) time.Duration {
	if d := connector.ParseRetryAfter(hdr.Get("Retry-After"), now); d > 0 {
		return d
	}
	if policy == "DAILY" {
		next := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)
		return next.Sub(now.UTC())
	}
	if ms, err := strconv.Atoi(hdr.Get("X-HubSpot-RateLimit-Interval-Milliseconds")); err == nil && ms > 0 {
		return time.Duration(ms) * time.Millisecond
	}
	return time.Second
}

// requestError classifies a failure of httpauth.Client.Do: the credentials could not
// be applied, or the request got no answer.
func requestError(ctx context.Context, op string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) || ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return connector.Transport(ctx, tool, op, err)
	}
	e := &connector.Error{Kind: connector.KindUnauthorized, Tool: tool, Op: op, Err: err}
	if secrets.Unavailable(err) {
		e.Kind = connector.KindUnavailable
	}
	return e
}
