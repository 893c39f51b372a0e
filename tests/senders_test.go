package tests

// The end-to-end tests send codes through SES and audit to CloudWatch Logs on moto.
import (
	_ "github.com/switchboard-dev/switchboard/shared/identity/cwaudit"
	_ "github.com/switchboard-dev/switchboard/shared/identity/sesmail"
)
