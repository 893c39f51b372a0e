// Package lexv2 speaks the Amazon Lex V2 code hook: it decodes the Lambda input event
// into a conversation.Turn and encodes a conversation.Reply as the Lambda response
// (Close, ElicitSlot or Delegate). Lex invokes a Lambda, not a URL, and turns any
// Lambda error into a failure of the whole bot turn, so even a malformed event is
// answered with a valid Close/Failed response.
package lexv2
