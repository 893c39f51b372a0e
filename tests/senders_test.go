package tests

// The end-to-end tests send codes through SES and audit to DynamoDB on moto (the RIE
// test's functions link the DynamoDB sink themselves); the CloudWatch Logs sink is
// linked too, as `switchboard serve` links it.
import (
	_ "github.com/switchboard-dev/switchboard/shared/identity/cwaudit"
	_ "github.com/switchboard-dev/switchboard/shared/identity/ddbaudit"
	_ "github.com/switchboard-dev/switchboard/shared/identity/sesmail"
)
