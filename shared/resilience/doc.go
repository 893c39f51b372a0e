// Package resilience wraps every outbound call to a business tool in one policy per
// tool: the turn's deadline budget, retries with exponential backoff and full jitter
// (idempotent calls only, Retry-After respected, never sleeping past the budget), a
// circuit breaker (sony/gobreaker), a token-bucket rate limiter (golang.org/x/time/rate)
// spending one token per HTTP request sent to the tool (connector.RequestGate), and a
// bulkhead (golang.org/x/sync/semaphore). Decorators apply a Policy to each
// connector interface, and Parallel runs independent lookups under one shared budget.
package resilience
