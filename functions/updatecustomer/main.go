// Command updatecustomer is the Lambda function answering the update_customer intent for every platform:
// Dialogflow ES/CX and Rasa webhooks through API Gateway (HTTP API, payload 2.0), and
// Lex V2 code hooks invoked directly. Configuration comes from SWITCHBOARD_* environment
// variables (see README); shared/function.Main does the wiring.
//
// It links the tools that can serve its capability, customers: the CRM whose record it
// changes and reads back (a CRM that cannot update, connector.CustomerUpdater, answers
// that the change cannot be made here).
// Each link_<tool>.go imports one, which registers its tool as a database/sql driver
// does; a tool not imported is not in the binary, and a deployment's build leaves out
// the tools it does not choose (tag omit_<tool>: make build ENV=<name>, docs/deploy.md).
// infra/stacks/linking_test.go holds these imports to the capabilities infra/stacks
// gives the function, and each deployment's build to its tools.
package main

import (
	"github.com/switchboard-dev/switchboard/shared/function"

	// Its intent's handler: the one intent it answers (function.Main refuses to start
	// without it), and no other intent's code.
	_ "github.com/switchboard-dev/switchboard/shared/intents/updatecustomer/handler"

	// The store in DynamoDB (idempotency records of its writes, one-time codes, their
	// limits and verified sessions). searchkb, whose turns never reach the store, does
	// not link it (shared/app.NeedsStore).
	_ "github.com/switchboard-dev/switchboard/shared/store/dynamostore"

	// The audit trail in its own DynamoDB table (on the DynamoDB client the store links
	// already; the CloudWatch Logs sink, cwaudit, is not linked: docs/identity.md).
	// One-time codes by SES: link_sesmail.go.
	_ "github.com/switchboard-dev/switchboard/shared/identity/ddbaudit"
)

func main() { function.Main("update_customer") }
