package intents

import (
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/intents/updatecustomer"
)

// UpdateCustomer is update_customer's canonical name (its contract's,
// updatecustomer.Name), for the tests that drive the intent by name
// (tests/golden_test.go, tests/lambda_test.go, this package's). Product code names an
// intent only in its folder, shared/intents/<name>; a test that can iterates the
// registry (spec.All) instead.
const UpdateCustomer = conversation.Intent(updatecustomer.Name)
