package toolapi

import (
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/platform"
)

// simulator plays an agent calling the tool API in the conversation console: each
// message is one operation call, POST /api/v1/<intent> with the inputs the agent's
// model knows (it keeps them across its calls, as a model keeps the conversation),
// the identity token in IdentityHeader (set by the integration, never by the model),
// the language in Accept-Language, the conversation in SessionHeader and a fresh
// IdempotencyHeader per call. The request is the call as JSON (platform.ConsoleCall):
// method, path, headers, body.
var simulator = &platform.Simulator{Short: []string{"tool", "openapi"}, Request: consoleRequest, Read: consoleRead,
	Call: consoleCall}

// consoleCarry is what the console keeps between calls: the operation called last
// and the inputs given so far.
type consoleCarry struct {
	Intent string            `json:"intent,omitempty"`
	Inputs map[string]string `json:"inputs,omitempty"`
}

func consoleRequest(t platform.ConsoleTurn) ([]byte, error) {
	var carry consoleCarry
	_ = json.Unmarshal(t.Carry, &carry)
	inputs := map[string]string{}
	if t.Continues && carry.Intent == t.Intent {
		maps.Copy(inputs, carry.Inputs)
	} else {
		// A new operation: the model passes what the conversation already told it
		// (the email from a lookup, say) for the inputs this operation has; a one-time
		// code is for the call that asked for it only.
		for _, name := range t.Form {
			if v, ok := carry.Inputs[name]; ok && name != CodeInput {
				inputs[name] = v
			}
		}
	}
	maps.Copy(inputs, t.Slots)
	body, err := json.Marshal(inputs)
	if err != nil {
		return nil, err
	}
	h := map[string]string{"Content-Type": "application/json", SessionHeader: t.Session, IdempotencyHeader: t.ID}
	if t.Token != "" {
		h[IdentityHeader] = t.Token
	}
	if t.Language != "" {
		h["Accept-Language"] = t.Language
	}
	return json.Marshal(platform.ConsoleCall{Method: http.MethodPost, Path: PathPrefix + t.Intent, Headers: h, Body: body})
}

// consoleCall reads a request consoleRequest built (or one a fixture holds) as the
// HTTP call, with the route's Prepare: the operation from the path, the rest from
// the headers.
func consoleCall(request []byte) (platform.ConsoleCall, error) {
	var c platform.ConsoleCall
	if err := json.Unmarshal(request, &c); err != nil {
		return c, errors.New("the request is not a tool API call (method, path, headers, body)")
	}
	name, ok := strings.CutPrefix(c.Path, PathPrefix)
	if c.Method != http.MethodPost || !ok {
		return c, errors.New("a tool API call is POST " + PathPrefix + "<intent>")
	}
	if len(c.Body) == 0 {
		c.Body = json.RawMessage("{}")
	}
	h := http.Header{}
	for k, v := range c.Headers {
		h.Set(k, v)
	}
	in, known := spec.Lookup(name)
	c.Prepare = func(req platform.Request) error {
		call, ok := req.(*Call)
		switch {
		case !known:
			return ErrNoOperation
		case !ok:
			return errors.New("not a tool API call")
		}
		call.Complete(in, h)
		return nil
	}
	if !known {
		c.Status = http.StatusNotFound
	}
	return c, nil
}

func consoleRead(request, reply []byte) (platform.View, json.RawMessage) {
	var v platform.View
	var r Result
	if err := json.Unmarshal(reply, &r); err != nil {
		v.Error = "reply is not a tool API result"
		return v, nil
	}
	carry := consoleCarry{Inputs: map[string]string{}}
	if c, err := consoleCall(request); err == nil {
		carry.Intent = strings.TrimPrefix(c.Path, PathPrefix)
		_ = json.Unmarshal(c.Body, &carry.Inputs)
	}
	v = View(r)
	switch {
	case v.Elicit != "" && r.Missing[0].Invalid:
		delete(carry.Inputs, v.Elicit)
	case v.Elicit == "":
		// The request is finished: the next call starts a new one, as an agent does.
		// What the conversation told it about the user (the inputs several operations
		// share: the email) stays; an operation's own inputs are spent — a "yes" to one
		// question never confirms the next.
		carry.Intent = ""
		shared := sharedInputs()
		maps.DeleteFunc(carry.Inputs, func(name, _ string) bool { return !shared[name] })
	}
	out, _ := json.Marshal(carry)
	return v, out
}

// View is a result as the console shows it: the answer as a person reads it (its
// references filled from the fields: Fill; the answer as the model reads it is in the
// reply's JSON), the records as cards (what an agent's UI shows beside the answer), the
// choices as buttons, the input asked for.
func View(r Result) platform.View {
	var v platform.View
	if r.Answer != "" {
		v.Texts = append(v.Texts, Fill(r))
	}
	// The records as cards: what an agent's UI shows beside the answer.
	if c := r.Customer; c != nil {
		v.Cards = append(v.Cards, platform.Card{Title: orText(c.Name, c.Email),
			Subtitle: joinNonEmpty(" · ", c.Email, c.Company, c.Plan, c.Status, c.Phone)})
	}
	if p := r.Payment; p != nil {
		v.Cards = append(v.Cards, platform.Card{Title: joinNonEmpty(" ", p.Amount, p.Currency),
			Subtitle: joinNonEmpty(" · ", p.Reference, p.Status, p.Date)})
	}
	for _, tk := range r.Tickets {
		c := platform.Card{Title: "#" + tk.Number, Subtitle: tk.Subject, Link: tk.Link}
		if tk.Link != "" {
			c.Buttons = []platform.Button{{Text: tk.Link, Link: tk.Link}}
		}
		v.Cards = append(v.Cards, c)
	}
	for _, a := range r.Articles {
		c := platform.Card{Title: a.Title, Subtitle: a.Snippet, Link: a.Link}
		if a.Link != "" {
			c.Buttons = []platform.Button{{Text: a.Link, Link: a.Link}}
		}
		v.Cards = append(v.Cards, c)
	}
	for _, ch := range r.Choices {
		v.Buttons = append(v.Buttons, platform.Button{Text: ch.Label, Value: ch.Value})
	}
	if r.Outcome == "elicit_slot" && len(r.Missing) > 0 {
		v.Elicit = r.Missing[0].Input
	}
	return v
}

// sharedInputs are the inputs more than one registered operation takes.
func sharedInputs() map[string]bool {
	n := map[string]int{}
	for _, in := range spec.All() {
		for _, sl := range in.Slots {
			n[sl.Name]++
		}
	}
	out := map[string]bool{}
	for name, c := range n {
		if c > 1 {
			out[name] = true
		}
	}
	return out
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
