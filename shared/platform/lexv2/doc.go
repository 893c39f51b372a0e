// Package lexv2 speaks the Amazon Lex V2 code hook: it decodes the Lambda input event
// (DialogCodeHook as a validation turn, FulfillmentCodeHook as a fulfilment turn) into
// a conversation.Turn and encodes a conversation.Reply as the Lambda response (Close,
// ElicitSlot or Delegate) that echoes the session state with the reply's slots applied.
// A body that is not a Lex V2 event is a *platform.BadRequest; on Lambda the lambdafn
// layer turns it into an answer Lex accepts, since Lex fails the whole bot turn on a
// Lambda error.
package lexv2
