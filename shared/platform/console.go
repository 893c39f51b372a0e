package platform

import (
	"encoding/json"
	"strings"
	"time"
)

// Simulator plays a platform in the conversation console (shared/console, the
// /console page, `switchboard chat` and `switchboard replay`): it builds the exact
// webhook request the platform would send for a turn from the platform's own state
// carried over from the previous reply (Dialogflow ES output contexts, CX session
// parameters, the Lex V2 session state, the Rasa tracker), and reads a reply the way
// the platform would. A platform registers one in its Entry.Console; the console
// lists the platforms that have one.
type Simulator struct {
	// Short are the short names the console and `switchboard chat --platform` accept
	// besides the platform's name and older spellings ("es", "cx").
	Short []string
	// Default marks the platform `switchboard chat` plays when --platform is not
	// given (at most one registers it; the console's first platform otherwise).
	Default bool
	// Request builds the webhook request for the turn.
	Request func(t ConsoleTurn) ([]byte, error)
	// Read reads the reply to request (a 2xx one): what the channel shows, and the
	// platform's state the next request is built from.
	Read func(request, reply []byte) (View, json.RawMessage)
	// Call, when set, reads a request Request built as an HTTP call of its own: for
	// a platform whose call is more than a body posted to /webhooks/<platform> (the
	// tool API: the intent in the path, the identity token in a header). Request
	// then builds a JSON ConsoleCall (what the console shows and exports) and Call
	// parses it. nil: the request is the body posted to /webhooks/<platform>.
	Call func(request []byte) (ConsoleCall, error)
}

// ConsoleCall is a simulated HTTP call: its method and path on the server, its
// headers and body, and Prepare, which completes the decoded request from the path
// and headers as the platform's route does (Gate's GateCall.Prepare).
type ConsoleCall struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body"`
	// Prepare is set by Simulator.Call; an error is the call's 4xx (Status).
	Prepare func(Request) error `json:"-"`
	// Status is the HTTP status the route answers a Prepare error with (404 for a
	// path that names no operation); 0 is 400.
	Status int `json:"-"`
}

// ConsoleTurn is one user message as the platform's language understanding has
// understood it (the console stands in for it), with the conversation it belongs to.
type ConsoleTurn struct {
	// Carry is the platform's state from the previous reply (Simulator.Read), nil at
	// the start.
	Carry json.RawMessage
	// Session is the conversation's session id; Language a BCP 47 tag (en, pt-BR);
	// Token the identity token of a signed-in caller, or "".
	Session, Language, Token string
	// ID is a fresh id for the turn (the platform's response or message id).
	ID string
	// At, when set, is when the message was sent (a sample event's fixed time, so a
	// rebuild gives the same bytes); zero is now.
	At time.Time
	// Text is what the user typed.
	Text string
	// Intent is the canonical intent understood; Name its name on this platform.
	Intent, Name string
	// Continues is true when the intent was in progress (the previous reply asked
	// for one of its slots).
	Continues bool
	// Slots are the slots understood from the message.
	Slots map[string]string
	// Form lists every slot the intent may ask for, in order: the console's agent
	// defines each (a CX page's form, a Lex intent's slots).
	Form []string
}

// View is a reply as the channel shows it: its texts, cards and buttons. Every
// string in it is data from the reply (from the tools, in the end): the console page
// puts it in the document as text, never as markup.
type View struct {
	Texts   []string `json:"texts"`
	Cards   []Card   `json:"cards,omitempty"`
	Buttons []Button `json:"buttons,omitempty"`
	// Elicit is the slot the reply asks for, "" when none.
	Elicit string `json:"elicit,omitempty"`
	// Error is the error a non-2xx reply carries.
	Error string `json:"error,omitempty"`
}

// Card is a rich card: an article, a created ticket.
type Card struct {
	Title    string   `json:"title"`
	Subtitle string   `json:"subtitle,omitempty"`
	Link     string   `json:"link,omitempty"`
	Buttons  []Button `json:"buttons,omitempty"`
}

// Button is a button or a suggestion chip: Value is what a click sends back, Link a
// page it opens.
type Button struct {
	Text  string `json:"text"`
	Value string `json:"value,omitempty"`
	Link  string `json:"link,omitempty"`
}

// Text is the view's texts, one a line.
func (v View) Text() string { return strings.Join(v.Texts, "\n") }

// ReadRichContent reads Dialogflow Messenger's richContent (a Dialogflow ES or CX
// custom payload) into v: info items are cards, a button item after one its link,
// chips the buttons.
func ReadRichContent(v *View, raw json.RawMessage) {
	var p struct {
		RichContent [][]struct {
			Type       string `json:"type"`
			Title      string `json:"title"`
			Subtitle   string `json:"subtitle"`
			Text       string `json:"text"`
			ActionLink string `json:"actionLink"`
			Link       string `json:"link"`
			Anchor     *struct {
				Href string `json:"href"`
			} `json:"anchor"`
			Options []struct {
				Text string `json:"text"`
			} `json:"options"`
		} `json:"richContent"`
	}
	if json.Unmarshal(raw, &p) != nil {
		return
	}
	for _, group := range p.RichContent {
		var card *Card
		for _, it := range group {
			link := it.ActionLink
			if link == "" {
				link = it.Link
			}
			if it.Anchor != nil && link == "" {
				link = it.Anchor.Href
			}
			switch it.Type {
			case "info":
				v.Cards = append(v.Cards, Card{Title: it.Title, Subtitle: it.Subtitle, Link: link})
				card = &v.Cards[len(v.Cards)-1]
			case "button":
				b := Button{Text: it.Text, Link: link}
				if card != nil {
					card.Buttons = append(card.Buttons, b)
				} else {
					v.Buttons = append(v.Buttons, b)
				}
			case "chips":
				for _, o := range it.Options {
					v.Buttons = append(v.Buttons, Button{Text: o.Text, Value: o.Text})
				}
			}
		}
	}
}

// DialogflowMessage is a Dialogflow ES fulfillment message or a CX response message,
// as the console reads them: its texts and its custom payload.
type DialogflowMessage struct {
	Text *struct {
		Text []string `json:"text"`
	} `json:"text"`
	Payload json.RawMessage `json:"payload"`
}

// ReadDialogflowMessages appends the messages' texts and rich content to v.
func ReadDialogflowMessages(v *View, msgs []DialogflowMessage) {
	for _, m := range msgs {
		if m.Text != nil {
			v.Texts = append(v.Texts, m.Text.Text...)
		}
		if len(m.Payload) > 0 {
			ReadRichContent(v, m.Payload)
		}
	}
}
