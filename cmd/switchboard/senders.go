package main

// The local server can send codes through SES and audit to DynamoDB or CloudWatch
// Logs, as the functions do, when its configuration asks for them.
import (
	_ "github.com/switchboard-dev/switchboard/shared/identity/cwaudit"
	_ "github.com/switchboard-dev/switchboard/shared/identity/ddbaudit"
	_ "github.com/switchboard-dev/switchboard/shared/identity/sesmail"
)
