// Package all links every business tool: `switchboard serve`, `check` and `invoke`
// (cmd/switchboard) and the CDK app import it, so they know every tool. A Lambda
// function imports only the tools its intent can call (functions/<fn>/main.go).
package all

import (
	_ "github.com/switchboard-dev/switchboard/shared/connector/demo"       // demo: every capability, embedded SQLite
	_ "github.com/switchboard-dev/switchboard/shared/connector/hubspot"    // customers
	_ "github.com/switchboard-dev/switchboard/shared/connector/salesforce" // customers
	_ "github.com/switchboard-dev/switchboard/shared/connector/sqldb"      // customers, tickets
	_ "github.com/switchboard-dev/switchboard/shared/connector/stripe"     // payments
	_ "github.com/switchboard-dev/switchboard/shared/connector/zendesk"    // tickets, kb
)
