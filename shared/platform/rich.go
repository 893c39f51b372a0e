package platform

import (
	"strings"
	"unicode/utf8"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/i18n"
	"github.com/switchboard-dev/switchboard/shared/platform/plaintext"
)

// DefaultText is what an adapter answers, in the turn's language, when the Reply of an
// outcome carries no message and the user must be told something ("" when nothing
// needs saying).
func DefaultText(o conversation.Outcome, locale string) string {
	key := ""
	switch o {
	case conversation.OutcomeFailed:
		key = "reply.failed_default"
	case conversation.OutcomeUnknownIntent:
		key = "reply.unknown_intent_default"
	case conversation.OutcomeRejected:
		key = "reply.rejected_default"
	default:
		return ""
	}
	return i18n.For(locale).T(key)
}

// Cut shortens s to at most max characters (runes), ending a shortened text with "…"
// so the reader sees it was cut. It never returns more than max runes.
func Cut(s string, max int) string {
	s = strings.TrimSpace(s)
	if max <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	if max == 1 {
		return string(r[:1])
	}
	return strings.TrimRight(string(r[:max-1]), " ") + "…"
}

// RichItem is one element of Dialogflow Messenger's richContent payload (both the ES
// and the CX Messenger). Only the fields of its Type are set: info (title, subtitle,
// actionLink on ES / anchor on CX), button (icon, text, link on ES / anchor on CX) and
// chips (options).
type RichItem struct {
	Type       string       `json:"type"`
	Title      string       `json:"title,omitempty"`
	Subtitle   string       `json:"subtitle,omitempty"`
	ActionLink string       `json:"actionLink,omitempty"`
	Icon       *RichIcon    `json:"icon,omitempty"`
	Text       string       `json:"text,omitempty"`
	Link       string       `json:"link,omitempty"`
	Anchor     *RichAnchor  `json:"anchor,omitempty"`
	Options    []RichOption `json:"options,omitempty"`
}

// RichIcon is a button's Material icon.
type RichIcon struct {
	Type string `json:"type"`
}

// RichAnchor is the link CX Messenger follows when an element is clicked.
type RichAnchor struct {
	Href string `json:"href"`
}

// RichOption is one chip.
type RichOption struct {
	Text string `json:"text"`
}

// MessengerStyle says which Dialogflow Messenger's field names to use for links.
type MessengerStyle int

const (
	// MessengerES is Dialogflow ES Messenger: info.actionLink, button.link.
	MessengerES MessengerStyle = iota
	// MessengerCX is Dialogflow CX Messenger: anchor.href on info and button.
	MessengerCX
)

// RichContent lays r out as Messenger's richContent: one card (inner list) per article
// and for the ticket (an info element, plus a button that opens its link when it has
// one), and the choices as chips. It returns nil when r has nothing to show.
func RichContent(r *conversation.Rich, style MessengerStyle) [][]RichItem {
	if r.Empty() {
		return nil
	}
	var out [][]RichItem
	// Every text is inert (plaintext.Inert: no markup, link or HTML whatever Messenger
	// renders) and a link is followed only when it is https (plaintext.Link).
	card := func(title, subtitle, link string) {
		link = plaintext.Link(link)
		info := RichItem{Type: "info", Title: plaintext.Inert(title), Subtitle: plaintext.Inert(subtitle)}
		items := []RichItem{info}
		if link != "" {
			btn := RichItem{Type: "button", Icon: &RichIcon{Type: "open_in_new"}, Text: plaintext.Inert(orText(r.OpenLabel, link))}
			if style == MessengerCX {
				items[0].Anchor = &RichAnchor{Href: link}
				btn.Anchor = &RichAnchor{Href: link}
			} else {
				items[0].ActionLink = link
				btn.Link = link
			}
			items = append(items, btn)
		}
		out = append(out, items)
	}
	for _, a := range r.Articles {
		card(a.Title, a.Snippet, a.Link)
	}
	if t := r.Ticket; t != nil {
		card(t.Title, t.Subject, t.Link)
	}
	if len(r.Choices) > 0 {
		chips := RichItem{Type: "chips"}
		for _, c := range r.Choices {
			chips.Options = append(chips.Options, RichOption{Text: plaintext.Inert(c.Label)})
		}
		out = append(out, []RichItem{chips})
	}
	return out
}

func orText(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}
