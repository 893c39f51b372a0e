package console

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/switchboard-dev/switchboard/shared/conversation"
)

// chatHelp lists the chat commands.
const chatHelp = `commands:
  /json            the last request and reply, as sent
  /trace           the last turn's tool calls, cache, idempotency, policy and audit
  /signin EMAIL    sign in as a demo customer (an identity token with the demo key)
  /signout         stay anonymous
  /code            the latest one-time code sent to the email in this conversation
  /intent NAME     name the intent of the next messages (auto: understood from them)
  /lang TAG        start over in another language (en, de, fr, es, pt-BR)
  /new             start over
  /export FILE     write the conversation's requests as a replayable fixture
  /quit            leave (also Ctrl-D)
`

// Chat is a terminal conversation with a platform (switchboard chat).
type Chat struct {
	Runner   Runner
	Platform conversation.Platform
	Language string
	// Names maps each platform's intent names onto canonical intents.
	Names map[conversation.Platform]map[string]conversation.Intent
	Out   io.Writer

	conv    *Conversation
	intent  conversation.Intent
	email   string
	last    *TurnResult
	history []FixtureTurn
}

// Fixture is a console conversation exported for `switchboard replay`: the requests
// in order, with the replies they got.
type Fixture struct {
	Version  int                   `json:"switchboard_console"`
	Platform conversation.Platform `json:"platform"`
	Language string                `json:"language,omitempty"`
	Turns    []FixtureTurn         `json:"turns"`
}

// FixtureTurn is one exported turn.
type FixtureTurn struct {
	Text    string          `json:"text,omitempty"`
	Request json.RawMessage `json:"request"`
	Status  int             `json:"status,omitempty"`
	Reply   json.RawMessage `json:"reply,omitempty"`
}

func (c *Chat) start() {
	token := ""
	if c.conv != nil {
		token = c.conv.Token
	}
	c.conv = New(c.Platform, c.Language, c.Names[c.Platform])
	c.conv.Token = token
	c.last, c.history = nil, nil
	fmt.Fprintf(c.Out, "new %s conversation in %s (session %s); /help for commands\n", c.Platform, c.conv.Language, c.conv.Session)
}

// Run reads lines until EOF or /quit.
func (c *Chat) Run(ctx context.Context, readLine func() (string, error)) error {
	c.start()
	for {
		line, err := readLine()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "/") {
			if quit := c.command(ctx, line); quit {
				return nil
			}
			continue
		}
		c.say(ctx, line)
	}
}

func (c *Chat) say(ctx context.Context, text string) {
	pend, err := c.conv.Request(Input{Text: text, Intent: c.intent})
	if err != nil {
		fmt.Fprintln(c.Out, "error:", err)
		return
	}
	if e := pend.Slots["email"]; e != "" {
		c.email = e
	}
	res, err := c.Runner.Turn(ctx, c.Platform, pend.Body)
	if err != nil {
		fmt.Fprintln(c.Out, "error:", err)
		return
	}
	res.Trace.Intent = pend.Intent
	v := c.conv.Absorb(pend, res.Status, res.Reply)
	res.View, res.Request = &v, pend.Body
	c.last = &res
	c.history = append(c.history, FixtureTurn{Text: text, Request: pend.Body, Status: res.Status, Reply: res.Reply})
	PrintView(c.Out, v, res)
}

// PrintView writes a reply as a terminal shows it.
func PrintView(w io.Writer, v View, res TurnResult) {
	if v.Error != "" {
		fmt.Fprintf(w, "bot! HTTP %d: %s\n", res.Status, v.Error)
	}
	for _, t := range v.Texts {
		fmt.Fprintf(w, "bot> %s\n", t)
	}
	for _, card := range v.Cards {
		fmt.Fprintf(w, "     [card] %s", card.Title)
		if card.Subtitle != "" {
			fmt.Fprintf(w, " — %s", strings.ReplaceAll(card.Subtitle, "\n", " "))
		}
		if card.Link != "" {
			fmt.Fprintf(w, " <%s>", card.Link)
		}
		fmt.Fprintln(w)
		for _, b := range card.Buttons {
			fmt.Fprintf(w, "            [%s] %s\n", b.Text, b.Link+b.Value)
		}
	}
	if len(v.Buttons) > 0 {
		labels := make([]string, len(v.Buttons))
		for i, b := range v.Buttons {
			labels[i] = "[" + b.Text + "]"
		}
		fmt.Fprintf(w, "     %s\n", strings.Join(labels, " "))
	}
	var meta []string
	if res.Trace.Intent != "" {
		meta = append(meta, string(res.Trace.Intent))
	}
	meta = append(meta, fmt.Sprintf("HTTP %d", res.Status))
	if res.Trace.LatencyMS > 0 {
		meta = append(meta, fmt.Sprintf("%.1f ms", res.Trace.LatencyMS))
	}
	if v.Elicit != "" {
		meta = append(meta, "asks for "+v.Elicit)
	}
	fmt.Fprintf(w, "     (%s)\n", strings.Join(meta, " · "))
}

// PrintTrace writes a turn's trace as a table.
func PrintTrace(w io.Writer, tr Trace) {
	if len(tr.Events) == 0 {
		fmt.Fprintln(w, "(no trace: the runner cannot see this turn's steps, or it had none)")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "at ms\tkind\twhat\tms\tdetail")
	for _, e := range tr.Events {
		d := ""
		if e.DurationMS > 0 {
			d = fmt.Sprintf("%.2f", e.DurationMS)
		}
		var kv []string
		for _, k := range slices.Sorted(maps.Keys(e.Detail)) {
			if e.Detail[k] != "" {
				kv = append(kv, k+"="+e.Detail[k])
			}
		}
		fmt.Fprintf(tw, "%.1f\t%s\t%s\t%s\t%s\n", e.AtMS, e.Kind, e.Name, d, strings.Join(kv, " "))
	}
	tw.Flush()
}

// pretty indents JSON keeping its bytes' order and values: the exact message.
func pretty(b []byte) string {
	var out bytes.Buffer
	if json.Indent(&out, b, "", "  ") != nil {
		return string(b)
	}
	return out.String()
}

func (c *Chat) command(ctx context.Context, line string) (quit bool) {
	cmd, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	w := c.Out
	switch cmd {
	case "/quit", "/exit":
		return true
	case "/help":
		fmt.Fprint(w, chatHelp)
	case "/json":
		if c.last == nil {
			fmt.Fprintln(w, "no turn yet")
			return
		}
		fmt.Fprintf(w, "request (%s):\n%s\nreply (HTTP %d):\n%s\n", c.Platform, pretty(c.last.Request), c.last.Status, pretty(c.last.Reply))
	case "/trace":
		if c.last == nil {
			fmt.Fprintln(w, "no turn yet")
			return
		}
		PrintTrace(w, c.last.Trace)
	case "/signin":
		if !emailRE.MatchString(arg) {
			fmt.Fprintln(w, "usage: /signin EMAIL")
			return
		}
		tok, err := c.Runner.SignIn(ctx, arg)
		if err != nil {
			fmt.Fprintln(w, "sign-in:", err)
			return
		}
		c.conv.Token, c.email = tok, strings.ToLower(arg)
		fmt.Fprintf(w, "signed in as %s (the next requests carry an identity token)\n", c.email)
	case "/signout":
		c.conv.Token = ""
		fmt.Fprintln(w, "anonymous")
	case "/code":
		if c.email == "" {
			fmt.Fprintln(w, "no email in this conversation yet")
			return
		}
		codes, err := c.Runner.Codes(ctx, c.email)
		if err != nil {
			fmt.Fprintln(w, "outbox:", err)
			return
		}
		if len(codes) == 0 {
			fmt.Fprintf(w, "no code sent to %s\n", c.email)
			return
		}
		fmt.Fprintf(w, "code for %s: %s (type it as your next message)\n", codes[0].To, codes[0].Code)
	case "/intent":
		if arg == "" || arg == "auto" {
			c.intent = ""
			fmt.Fprintln(w, "intent: understood from each message")
			return
		}
		in := conversation.Intent(arg)
		if !slices.Contains(conversation.Intents, in) {
			fmt.Fprintf(w, "unknown intent %q; one of %v or auto\n", arg, conversation.Intents)
			return
		}
		c.intent = in
		fmt.Fprintf(w, "intent: %s\n", in)
	case "/lang":
		if arg == "" {
			fmt.Fprintln(w, "usage: /lang TAG")
			return
		}
		c.Language = arg
		c.start()
	case "/new":
		c.start()
	case "/export":
		if arg == "" {
			fmt.Fprintln(w, "usage: /export FILE")
			return
		}
		f := Fixture{Version: 1, Platform: c.Platform, Language: c.conv.Language, Turns: c.history}
		b, _ := json.MarshalIndent(f, "", "  ")
		if err := os.WriteFile(arg, append(b, '\n'), 0o600); err != nil {
			fmt.Fprintln(w, "export:", err)
			return
		}
		fmt.Fprintf(w, "wrote %d turns to %s (switchboard replay %s)\n", len(c.history), arg, arg)
	default:
		fmt.Fprintf(w, "unknown command %s\n%s", cmd, chatHelp)
	}
	return false
}
