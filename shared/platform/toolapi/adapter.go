package toolapi

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/i18n"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/platform/plaintext"
)

// Platform is the tool API's canonical name (shared/platform/names).
const Platform conversation.Platform = "tool-api"

// Headers the tool API reads.
const (
	// IdentityHeader carries the end user's identity token (a JWT). It is the only
	// place the tool API takes it from: a body field identity_token is ignored.
	IdentityHeader = "X-Switchboard-Identity"
	// IdempotencyHeader names a call; a retried call with the same key gets the
	// same answer, and a write is made once.
	IdempotencyHeader = "Idempotency-Key"
	// SessionHeader names the conversation (per-conversation rate limit, one-time
	// code flows); a call without it is a conversation of its own.
	SessionHeader = "X-Switchboard-Session"
)

// CodeInput is the input of the one-time code a caller without an identity token
// received by email (shared/intents: SlotVerificationCode), for the intents that send
// one: an answer with outcome elicit_slot asks for it in missing, and the next call
// gives it (with the same X-Switchboard-Session). It proves the email by the user's
// mailbox, never by what a model says.
const CodeInput = "verification_code"

// LanguageField is the body field that names the answer's language (it wins over
// Accept-Language).
const LanguageField = "language"

// Adapter decodes tool API calls: a JSON object of the intent's inputs.
type Adapter struct{}

var _ platform.Adapter = (*Adapter)(nil)

// New returns the adapter.
func New() *Adapter { return &Adapter{} }

// Platform reports the tool API.
func (a *Adapter) Platform() conversation.Platform { return Platform }

// Call is one decoded call. Its body gives the inputs (and the language); the route
// (Complete) gives the intent, the identity token and the ids.
type Call struct {
	turn conversation.Turn
	// in is the intent called ("" until Complete).
	in spec.Intent
}

// Decode parses the body: a JSON object whose values are strings, numbers or
// booleans (null or "" is no value). identity_token is dropped whatever it holds:
// identity comes from the header only.
func (a *Adapter) Decode(body []byte) (platform.Request, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		trimmed = []byte("{}")
	}
	if trimmed[0] != '{' {
		return nil, platform.NewBadRequest(Platform, "the body must be a JSON object of the operation's inputs")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &raw); err != nil {
		return nil, platform.NewBadRequest(Platform, "the body is not valid JSON: "+err.Error())
	}
	slots := map[string]string{}
	lang := ""
	for k, v := range raw {
		if k == conversation.IdentityField {
			continue // never from the body
		}
		s, ok := scalar(v)
		if !ok {
			return nil, platform.NewBadRequest(Platform, fmt.Sprintf("input %q: want a string, number or boolean", k))
		}
		if k == LanguageField {
			lang = s
			continue
		}
		if s != "" {
			slots[k] = s
		}
	}
	return &Call{turn: conversation.Turn{Platform: Platform, Phase: conversation.PhaseFulfill,
		Slots: slots, Locale: lang}}, nil
}

// scalar reads a JSON string, number or boolean as text; null is "".
func scalar(v json.RawMessage) (string, bool) {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || string(v) == "null" {
		return "", true
	}
	switch v[0] {
	case '"':
		var s string
		if json.Unmarshal(v, &s) != nil {
			return "", false
		}
		return strings.TrimSpace(s), true
	case '{', '[':
		return "", false
	}
	return string(v), true
}

// Complete sets what the route knows and the body does not: the intent (from the
// path), the identity token (IdentityHeader only), the language (Accept-Language,
// when the body names none), the turn id (IdempotencyHeader, or a fresh one) and the
// session. Inputs the intent does not have are dropped (CodeInput is one of an intent
// that sends codes).
func (c *Call) Complete(in spec.Intent, h http.Header) {
	c.in = in
	c.turn.Intent = conversation.Intent(in.Name)
	c.turn.RawIntent = in.Name
	for k := range c.turn.Slots {
		if !slices.ContainsFunc(in.Slots, func(s spec.Slot) bool { return s.Name == k }) && !(k == CodeInput && in.Codes()) {
			delete(c.turn.Slots, k)
		}
	}
	if len(c.turn.Slots) == 0 {
		c.turn.Slots = nil
	}
	c.turn.IdentityToken = strings.TrimSpace(h.Get(IdentityHeader))
	if c.turn.Locale == "" {
		c.turn.Locale = AcceptLanguage(h.Get("Accept-Language"))
	}
	c.turn.SessionID = strings.TrimSpace(h.Get(SessionHeader))
	if c.turn.SessionID == "" {
		c.turn.SessionID = fresh()
	}
	if k := strings.TrimSpace(h.Get(IdempotencyHeader)); k != "" {
		c.turn.TurnID = c.turn.SessionID + ":" + k
	} else {
		c.turn.TurnID = c.turn.SessionID + ":" + fresh()
	}
}

// AcceptLanguage is the first language of an Accept-Language header ("de-DE,de;q=0.9"
// → "de-DE"); "" for none or "*".
func AcceptLanguage(v string) string {
	first, _, _ := strings.Cut(v, ",")
	first, _, _ = strings.Cut(first, ";")
	first = strings.TrimSpace(first)
	if first == "*" {
		return ""
	}
	return first
}

func fresh() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Turn is the decoded turn.
func (c *Call) Turn() conversation.Turn { return c.turn }

// Result is the tool API's answer, and the MCP tools' structured output. Text from the
// business tools (a ticket subject, an article title) is only ever a data field.
type Result struct {
	// Outcome: fulfilled, failed, elicit_slot (an input is missing or invalid: see
	// Missing), rejected (the intent is not enabled here) or unknown_intent.
	Outcome conversation.Outcome `json:"outcome"`
	// Answer is what to tell the user, in Language.
	Answer   string `json:"answer"`
	Language string `json:"language"`
	// Missing lists the inputs still needed, the one to ask for first with the
	// question to ask.
	Missing []Missing `json:"missing,omitempty"`
	// Customer is the verified caller's own customer record (lookup_customer): only
	// what the answer states.
	Customer *conversation.CustomerData `json:"customer,omitempty"`
	// Payment is the verified caller's payment the call asked about (verify_payment),
	// or their last payment (lookup_customer).
	Payment *conversation.PaymentData `json:"payment,omitempty"`
	// Tickets are the tickets the call created or found.
	Tickets []Ticket `json:"tickets,omitempty"`
	// Articles are knowledge-base results, best first.
	Articles []Article `json:"articles,omitempty"`
	// Choices are what the user may answer next.
	Choices []Choice `json:"choices,omitempty"`
	// DataAge is "live" for an answer from the tools now, "unknown" for a degraded
	// one (cached data, a part left out, or an apology): Fallback.
	DataAge  string `json:"data_age"`
	Fallback bool   `json:"fallback"`
}

// Missing is an input the intent still needs.
type Missing struct {
	Input string `json:"input"`
	// Invalid is true when the input was given but is not valid.
	Invalid bool `json:"invalid,omitempty"`
	// Prompt is the question to ask the user for it, in the result's language.
	Prompt string `json:"prompt,omitempty"`
}

// Ticket is a ticket as data.
type Ticket struct {
	Number  string `json:"number"`
	Subject string `json:"subject,omitempty"`
	Link    string `json:"link,omitempty"`
}

// Article is a knowledge-base result as data.
type Article struct {
	Title   string `json:"title"`
	Snippet string `json:"snippet,omitempty"`
	Link    string `json:"link,omitempty"`
}

// Choice is a quick reply.
type Choice struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Data ages.
const (
	AgeLive    = "live"
	AgeUnknown = "unknown"
)

// Encode answers 200 with the Result.
func (c *Call) Encode(r conversation.Reply) (int, []byte, error) {
	b, err := platform.EncodeJSON(c.Result(r))
	if err != nil {
		return 0, nil, fmt.Errorf("tool-api: %w", err)
	}
	return http.StatusOK, b, nil
}

// Result lays a reply out as the tool API's result.
func (c *Call) Result(r conversation.Reply) Result { return ResultOf(r, c.turn, c.in) }

// ResultOf lays the reply to turn t of intent in out as the tool API's result: the
// body of POST /api/v1/<intent>, the MCP tools' structured content and the
// application/json body of a Bedrock agent's API-schema operation. The records the
// reply carries (Reply.Rich, Reply.Data) become fields of their own, every text in
// them inert (plaintext.Inert: no markup, no link) and every link https or none; the
// answer is the reply's messages, which on these agent surfaces quote no tool text:
// the intents wrote references to these fields in its place (references.go).
//
// A new kind of record: a field in conversation.Data, its field here (set below) and
// its property in testdata/response.schema.json (TestResultSchemaCoversResult fails
// until the schema describes it).
func ResultOf(r conversation.Reply, t conversation.Turn, in spec.Intent) Result {
	out := Result{Outcome: r.Outcome, Answer: r.Text(), Language: r.Language, DataAge: AgeLive, Fallback: r.Fallback}
	if out.Answer == "" {
		out.Answer = platform.DefaultText(r.Outcome, t.Locale)
	}
	if out.Language == "" {
		out.Language = i18n.For(t.Locale).Language()
	}
	if r.Fallback {
		out.DataAge = AgeUnknown
	}
	if rich := r.Rich; rich != nil {
		for _, a := range rich.Articles {
			out.Articles = append(out.Articles, Article{Title: inert(a.Title), Snippet: inert(a.Snippet), Link: plaintext.Link(a.Link)})
		}
		if tk := rich.Ticket; tk != nil {
			out.Tickets = append(out.Tickets, Ticket{Number: inert(tk.Number), Subject: inert(tk.Subject), Link: plaintext.Link(tk.Link)})
		}
		for _, ch := range rich.Choices {
			out.Choices = append(out.Choices, Choice{Label: inert(ch.Label), Value: ch.Value})
		}
	}
	if d := r.Data; d != nil {
		if cu := d.Customer; cu != nil {
			out.Customer = &conversation.CustomerData{Name: inert(cu.Name), Email: inert(cu.Email), Company: inert(cu.Company),
				Plan: inert(cu.Plan), Status: inert(cu.Status), Phone: inert(cu.Phone)}
			if a := cu.Address; a != nil && *a != (conversation.AddressData{}) {
				out.Customer.Address = &conversation.AddressData{Street: inert(a.Street), City: inert(a.City),
					Region: inert(a.Region), PostalCode: inert(a.PostalCode), Country: inert(a.Country)}
			}
		}
		if p := d.Payment; p != nil {
			out.Payment = &conversation.PaymentData{Reference: inert(p.Reference), Amount: p.Amount, Currency: inert(p.Currency),
				Status: p.Status, Date: p.Date}
		}
		for _, tk := range d.Tickets {
			out.Tickets = append(out.Tickets, Ticket{Number: inert(tk.Number), Subject: inert(tk.Subject), Link: plaintext.Link(tk.Link)})
		}
	}
	if r.Outcome == conversation.OutcomeElicitSlot {
		out.Missing = missing(r, t, in, out.Language)
	}
	return out
}

// inert is tool text as a data field: one line no channel or model view turns into
// markup or a link.
func inert(s string) string { return plaintext.Inert(s) }

// missing lists the slot the reply asks for (its prompt is the answer), then every
// other required slot the call did not give.
func missing(r conversation.Reply, t conversation.Turn, in spec.Intent, lang string) []Missing {
	var out []Missing
	if r.SlotToElicit != "" {
		_, given := t.Slots[r.SlotToElicit]
		out = append(out, Missing{Input: r.SlotToElicit, Invalid: given, Prompt: r.Text()})
	}
	pr := i18n.For(lang)
	for _, s := range in.Slots {
		if !s.Required || s.Name == r.SlotToElicit || t.Slots[s.Name] != "" {
			continue
		}
		m := Missing{Input: s.Name}
		if s.Prompt != "" {
			m.Prompt = pr.T(s.Prompt)
		}
		out = append(out, m)
	}
	return out
}
