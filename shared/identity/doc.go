// Package identity decides who a chat user is before any personal data is read: it
// verifies identity tokens (JWTs signed by the site that embeds the chatbot), issues and
// checks one-time codes sent by email (Amazon SES, or a local outbox file), and keeps
// the audit trail of every read of customer data and every write. The per-intent policy
// that uses the Caller it produces lives in shared/intents (Access).
package identity
