package console

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/platform"
)

// View is a reply as the channel shows it: its texts, cards and buttons. Every
// string in it is data from the reply (from the tools, in the end): the page puts it
// in the document as text, never as markup. Each platform's simulator reads its
// replies into one (shared/platform/<name>/console.go).
type View = platform.View

// Absorb reads the platform's reply to p and moves the conversation on: the
// platform's state to carry into the next request, the slot asked for, the intent
// still in progress.
func (c *Conversation) Absorb(p Pending, status int, reply []byte) View {
	c.Turns++
	var v View
	if status < 200 || status > 299 {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(reply, &e)
		v.Error = e.Error
		if v.Error == "" {
			v.Error = strings.TrimSpace(string(reply))
		}
		c.Elicit = ""
		return v
	}
	sim, ok := simulator(c.Platform)
	if !ok {
		v.Error = fmt.Sprintf("console: unknown platform %q", c.Platform)
		c.Elicit, c.Intent = "", ""
		return v
	}
	v, carry := sim.Read(p.Body, reply)
	if carry != nil {
		c.Carry = carry
	}
	c.Elicit = v.Elicit
	c.Intent = ""
	if v.Elicit != "" {
		c.Intent = string(p.Intent)
	}
	return v
}
