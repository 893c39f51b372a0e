// Package hubspot implements connector.CustomerDirectory over HubSpot's CRM v3 API: a
// contacts search with an EQ filter on email, following the after cursor, with a
// private-app access token as bearer. Answers are mapped onto connector.Customer in
// one place (normalize.go); 429s become rate-limited errors carrying how long to wait,
// read from Retry-After or HubSpot's rate-limit policy and headers.
package hubspot
