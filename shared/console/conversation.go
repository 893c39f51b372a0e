// Package console is the conversation console: a page served by `switchboard serve`
// at /console, its API, and the conversation model the page and `switchboard chat`
// share. A Conversation plays the platform: from the user's message and the
// platform's own state carried over from the previous reply (Dialogflow ES output
// contexts, CX session parameters, the Lex V2 session state, the Rasa tracker) it
// builds the exact webhook request the platform would send, and reads the reply the
// way the platform would.
package console

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/intents"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/platform/names"
	// The platforms' folders register their console simulators.
	_ "github.com/switchboard-dev/switchboard/shared/platform/adapters"
)

// Conversation is one conversation with one platform. It is plain data (the page
// keeps it between turns and sends it back); Carry is the platform's own state from
// the previous reply.
type Conversation struct {
	Platform conversation.Platform `json:"platform"`
	// Language is a BCP 47 tag (en, de, fr, es, pt-BR); each platform gets it in its
	// own field and form.
	Language string `json:"language"`
	Session  string `json:"session"`
	// Token is the identity token the site embedding the bot passes (signed in), or "".
	Token string `json:"token,omitempty"`
	// Intent is the intent in progress (canonical name), "" between intents.
	Intent string `json:"intent,omitempty"`
	// Elicit is the slot the last reply asked for, "" when none.
	Elicit string `json:"elicit,omitempty"`
	Turns  int    `json:"turns"`
	// Carry is the platform state the next request is built from.
	Carry json.RawMessage `json:"carry,omitempty"`
	// Names maps canonical intents to this platform's intent names (default: the
	// configuration's defaults).
	Names map[string]string `json:"names,omitempty"`
}

// Platforms the console can play, in the order the page lists them: the registered
// platforms that register a console simulator (platform.Entry.Console).
var Platforms = simulated()

func simulated() []conversation.Platform {
	var out []conversation.Platform
	for _, e := range platform.Entries() {
		if e.Console != nil {
			out = append(out, e.Platform())
		}
	}
	return out
}

// DefaultPlatform is the platform `switchboard chat` plays when none is named: the
// one whose simulator is registered as the default, else the first the console
// lists.
func DefaultPlatform() conversation.Platform {
	for _, p := range Platforms {
		if sim, _ := simulator(p); sim.Default {
			return p
		}
	}
	if len(Platforms) == 0 {
		return ""
	}
	return Platforms[0]
}

// PlatformUsage lists the platforms for a --platform flag's help, each with a short
// name shorter than its name: "dialogflow (es) | dialogflow-cx (cx) | …".
func PlatformUsage() string {
	var out []string
	for _, p := range Platforms {
		sim, _ := simulator(p)
		s := string(p)
		if len(sim.Short) > 0 && len(sim.Short[0]) < len(s) {
			s += " (" + sim.Short[0] + ")"
		}
		out = append(out, s)
	}
	return strings.Join(out, " | ")
}

// simulator returns the console simulator of p.
func simulator(p conversation.Platform) (*platform.Simulator, bool) {
	e, ok := platform.Lookup(p)
	if !ok || e.Console == nil {
		return nil, false
	}
	return e.Console, true
}

// ParsePlatform accepts a platform's name, an older spelling of it or a short name
// its simulator lists (es, cx).
func ParsePlatform(s string) (conversation.Platform, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, e := range platform.Entries() {
		if e.Console == nil {
			continue
		}
		if s == e.Name || slices.Contains(e.Aliases, s) || slices.Contains(e.Console.Short, s) {
			return e.Platform(), true
		}
	}
	return "", false
}

// New starts a conversation with a fresh session id; names maps the platform's intent
// names onto canonical intents (nil: the platform's default names).
func New(p conversation.Platform, language string, names map[string]conversation.Intent) *Conversation {
	if language == "" {
		language = "en"
	}
	c := &Conversation{Platform: p, Language: language, Session: "console-" + randomID(8), Names: map[string]string{}}
	for name, in := range names {
		// Several names may map to one intent: keep the first in sort order, stably.
		if cur, ok := c.Names[string(in)]; !ok || name < cur {
			c.Names[string(in)] = name
		}
	}
	return c
}

// Input is one user message, and optionally the intent the user names (skipping the
// console's keyword matching).
type Input struct {
	Text   string              `json:"text"`
	Intent conversation.Intent `json:"intent,omitempty"`
}

// Pending is a request built for one message, waiting for its reply.
type Pending struct {
	Body   []byte              `json:"-"`
	Intent conversation.Intent `json:"intent"`
	Slots  map[string]string   `json:"slots,omitempty"`
}

// Request builds the webhook request the platform would send for the message. It
// does not change c: Absorb the reply to move the conversation on.
func (c *Conversation) Request(in Input) (Pending, error) {
	sim, ok := simulator(c.Platform)
	if !ok {
		return Pending{}, fmt.Errorf("console: unknown platform %q", c.Platform)
	}
	if in.Intent != "" && !slices.Contains(conversation.Intents, in.Intent) {
		return Pending{}, fmt.Errorf("console: unknown intent %q", in.Intent)
	}
	intent, slots := understand(c, in.Text, in.Intent)
	name := c.Names[string(intent)]
	if name == "" {
		name = defaultName(c.Platform, intent)
	}
	b, err := sim.Request(platform.ConsoleTurn{
		Carry: c.Carry, Session: c.Session, Language: c.Language, Token: c.Token, ID: randomID(16),
		Text: in.Text, Intent: string(intent), Name: name, Continues: c.Intent == string(intent),
		Slots: slots, Form: intents.ElicitedSlots(intent, true),
	})
	return Pending{Body: b, Intent: intent, Slots: slots}, err
}

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// defaultName is the intent's default name on the platform (the platform's convention
// applied to the intent's names), "" when either is unknown.
func defaultName(p conversation.Platform, intent conversation.Intent) string {
	ps, ok := names.Lookup(string(p))
	if !ok {
		return ""
	}
	for _, in := range spec.All() {
		if in.Name == string(intent) {
			return ps.DefaultIntentName(in.Name, in.Display)
		}
	}
	return ""
}
