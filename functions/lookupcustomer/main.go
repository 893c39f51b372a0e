// Command lookupcustomer is the Lambda function answering the lookup_customer intent for every platform:
// Dialogflow ES/CX and Rasa webhooks through API Gateway (HTTP API, payload 2.0), and
// Lex V2 code hooks invoked directly. Configuration comes from SWITCHBOARD_* environment
// variables (see README); shared/function.Main does the wiring.
package main

import (
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/function"

	// One-time codes by SES and the audit trail in CloudWatch Logs.
	_ "github.com/switchboard-dev/switchboard/shared/identity/cwaudit"
	_ "github.com/switchboard-dev/switchboard/shared/identity/sesmail"
)

func main() { function.Main(conversation.LookupCustomer) }
