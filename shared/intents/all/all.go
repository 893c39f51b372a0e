// Package all links every intent's contract: each folder registers itself
// (spec.Register) from its init. shared/conversation imports it, so every binary knows
// every intent (a function answers only its own: functions/<name>/main.go).
package all

import (
	_ "github.com/switchboard-dev/switchboard/shared/intents/createticket"
	_ "github.com/switchboard-dev/switchboard/shared/intents/lookupcustomer"
	_ "github.com/switchboard-dev/switchboard/shared/intents/searchkb"
	_ "github.com/switchboard-dev/switchboard/shared/intents/updatecustomer"
	_ "github.com/switchboard-dev/switchboard/shared/intents/verifypayment"
)
