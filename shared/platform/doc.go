// Package platform defines how a chatbot platform's webhook is decoded into a
// conversation.Turn and how a conversation.Reply is encoded back. Each platform lives in
// its own sub-package (dialogflow, dialogflowcx, lexv2, rasa) whose types mirror the wire
// format field for field.
package platform
