package hubspot

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/rest"
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

// statusError classifies a non-2xx answer as the REST backend does.
func statusError(op string, status int, hdr http.Header, body []byte, now time.Time) error {
	return rest.StatusError(tool, op, status, hdr, body, now, decodeError)
}

// decodeError reads HubSpot's error body into e (rest.ErrorDecoder). A 404 from the
// search endpoint is a wrong base URL, never a missing customer; a 429 names its
// policy, which decides how long to wait.
func decodeError(e *connector.Error, hdr http.Header, body []byte, now time.Time) {
	var ae apiError
	if json.Unmarshal(body, &ae) == nil && (ae.Category != "" || ae.ErrorType != "" || ae.Status == "error") {
		e.Code = ae.Category
		if e.Code == "" {
			e.Code = ae.ErrorType
		}
		e.Err = apiCause{category: e.Code, policy: ae.PolicyName, correlationID: ae.CorrelationID}
	}
	switch e.Kind {
	case connector.KindRateLimited:
		e.RetryAfter = RetryAfter(hdr, ae.PolicyName, now)
		if ae.PolicyName != "" {
			e.Code = ae.PolicyName
		}
	case connector.KindNotFound, connector.KindConflict:
		// 400 VALIDATION_ERROR and every other refusal is invalid input; so is a 404.
		e.Kind = connector.KindInvalidInput
	}
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
