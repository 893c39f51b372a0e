package platform

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/conversation"
)

// Names maps a platform's own intent names (ES display names, CX tags, Lex intent
// names, Rasa action names) to canonical intents.
type Names map[string]conversation.Intent

// Resolve returns the canonical intent for a platform name, or "".
func (n Names) Resolve(raw string) conversation.Intent { return n[raw] }

// Reverse returns the platform name of a canonical intent, or "".
func (n Names) Reverse(i conversation.Intent) string {
	for k, v := range n {
		if v == i {
			return k
		}
	}
	return ""
}

// Adapter decodes one platform's webhook requests.
type Adapter interface {
	Platform() conversation.Platform
	// Decode parses one webhook body (the raw JSON the platform sent). A body that is
	// not a valid request of this platform yields a *BadRequest.
	Decode(body []byte) (Request, error)
}

// Request is a decoded webhook call: the neutral Turn plus what the adapter must echo
// back when it encodes the reply.
type Request interface {
	Turn() conversation.Turn
	// Encode renders reply in the platform's response format. status is the HTTP
	// status to answer with (200 except where the platform's protocol says otherwise,
	// e.g. Rasa's 404 for an unknown action).
	Encode(reply conversation.Reply) (status int, body []byte, err error)
}

// BadRequest is a webhook body that cannot be decoded. Status and Body are what the
// platform expects to receive for it (HTTP 400 with a JSON reason, or the platform's
// own error shape).
type BadRequest struct {
	Platform conversation.Platform
	Reason   string
	Status   int
	Body     []byte
}

func (e *BadRequest) Error() string {
	return fmt.Sprintf("%s: bad request: %s", e.Platform, e.Reason)
}

// NewBadRequest builds a 400 with the generic body {"error": reason}.
func NewBadRequest(p conversation.Platform, reason string) *BadRequest {
	b, _ := json.Marshal(map[string]string{"error": reason})
	return &BadRequest{Platform: p, Reason: reason, Status: 400, Body: b}
}

// IdentityToken returns the string field identity_token of a JSON object (a platform's
// payload or metadata), or "" when raw is not an object or has no such string.
func IdentityToken(raw json.RawMessage) string {
	if len(raw) == 0 || raw[0] != '{' {
		return ""
	}
	if s, ok := fastIdentityToken(raw); ok {
		return strings.TrimSpace(s)
	}
	var v struct {
		Token any `json:"identity_token"`
	}
	if json.Unmarshal(raw, &v) != nil {
		return ""
	}
	s, _ := v.Token.(string)
	return strings.TrimSpace(s)
}

// TakeIdentityToken removes the identity_token entry from decoded slots, where a
// platform that keeps it among session parameters puts it, and returns its value: a
// token must never be echoed back as a slot.
func TakeIdentityToken(slots map[string]string) string {
	v, ok := slots[conversation.IdentityField]
	if ok {
		delete(slots, conversation.IdentityField)
	}
	return strings.TrimSpace(v)
}
