// Package secrets supplies connector credentials: AWS Secrets Manager (one JSON secret
// per connector) cached with a max age and refreshed at once when a tool answers
// 401/403, or files and environment variables for local development.
package secrets
