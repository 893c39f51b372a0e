// Package specs links the configuration side of every deployable business tool
// (shared/connector/<tool>/spec: name, capabilities, section, secret key) without the
// tools' clients. The CDK app (infra/) and the deployment settings
// (shared/deploy/settings) import it: they accept any tool a function can link and
// validate a function's configuration as the function will, without compiling
// stripe-go, pgx or the vendors' HTTP clients. The demo tool is left out: no deployed
// function links it. TestEveryToolHasItsSpec keeps it in step with shared/connector/all.
package specs

import (
	_ "github.com/switchboard-dev/switchboard/shared/connector/hubspot/spec"    // customers
	_ "github.com/switchboard-dev/switchboard/shared/connector/salesforce/spec" // customers
	_ "github.com/switchboard-dev/switchboard/shared/connector/sqldb/spec"      // customers, tickets
	_ "github.com/switchboard-dev/switchboard/shared/connector/stripe/spec"     // payments
	_ "github.com/switchboard-dev/switchboard/shared/connector/zendesk/spec"    // tickets, kb
)
