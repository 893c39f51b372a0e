// Package zdtest is an in-process stand-in for Zendesk's REST API, for tests: it serves
// the documented ticket, user and Help Center article-search endpoints with Zendesk's
// JSON shapes, cursor and offset pagination, basic API-token and OAuth bearer auth, and
// Zendesk's error bodies, seeded with the demo backend's tickets and articles (so Ada's
// open ticket and the password-reset article answer the same everywhere). It misbehaves
// on cue (Fail): 401, 429 with Retry-After, 5xx, a malformed body, a slow answer, or a
// dropped connection after the request was carried out.
package zdtest
