package schematest

import (
	"strings"

	"github.com/switchboard-dev/switchboard/shared/conversation"
)

// RichCase is a reply with rich parts that every adapter must render validly.
type RichCase struct {
	Name  string
	Reply conversation.Reply
}

// RichReplies are one reply per kind of rich part (articles, a ticket, choices), plus
// one whose texts and counts exceed every platform's card limits, to hold each adapter
// to its platform's limits.
func RichReplies() []RichCase {
	long := strings.Repeat("Überlänge ", 40) // 400 runes, multi-byte
	var many []conversation.Choice
	for i := range 7 {
		many = append(many, conversation.Choice{Label: string([]rune(long)[:60+i]), Value: "value-" + long})
	}
	return []RichCase{
		{"rich_articles", conversation.Reply{Outcome: conversation.OutcomeFulfilled,
			Messages: []string{`Here's what I found about "password":`,
				"1. How to reset your password — Open the sign-in page. https://help.example.com/articles/101",
				"2. Two-factor authentication — Turn it on in settings."},
			Rich: &conversation.Rich{OpenLabel: "Read article", Articles: []conversation.Article{
				{Title: "How to reset your password", Snippet: "Open the sign-in page.", Link: "https://help.example.com/articles/101"},
				{Title: "Two-factor authentication", Snippet: "Turn it on in settings."},
			}}}},
		{"rich_ticket", conversation.Reply{Outcome: conversation.OutcomeFulfilled,
			Messages: []string{`I've created ticket #1012: "Cannot log in" (high priority). We'll reply to ada@example.com.`},
			Rich: &conversation.Rich{OpenLabel: "View ticket", Ticket: &conversation.TicketCard{
				Number: "1012", Subject: "Cannot log in", Link: "https://support.example.com/requests/1012", Title: "Ticket #1012"}}}},
		{"rich_choices", conversation.Reply{Outcome: conversation.OutcomeElicitSlot, SlotToElicit: "priority",
			SetSlots: map[string]*string{"priority": nil},
			Messages: []string{"What priority should the ticket have: low, normal, high or urgent?"},
			Rich: &conversation.Rich{Choices: []conversation.Choice{
				{Label: "low", Value: "low"}, {Label: "normal", Value: "normal"},
				{Label: "high", Value: "high"}, {Label: "urgent", Value: "urgent"}}}}},
		{"rich_over_limits", conversation.Reply{Outcome: conversation.OutcomeElicitSlot, SlotToElicit: "priority",
			Messages: []string{long},
			Rich: &conversation.Rich{OpenLabel: long, Choices: many,
				Articles: []conversation.Article{{Title: long, Snippet: long, Link: "https://help.example.com/" + strings.Repeat("a", 300)},
					{Title: long, Snippet: long, Link: "https://help.example.com/articles/102"}},
				Ticket: &conversation.TicketCard{Number: "1", Title: long, Subject: long, Link: "https://support.example.com/requests/1"}}}},
	}
}
