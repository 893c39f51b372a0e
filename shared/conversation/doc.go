// Package conversation holds the platform-neutral shape of one chatbot turn: the Turn a
// platform adapter decodes from a webhook and the Reply an intent handler answers with.
// Intent handlers see only these types; adapters translate them to and from the wire.
package conversation
