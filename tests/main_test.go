// Package tests holds the end-to-end tests: the whole stack against real local servers
// (moto_server, stripe-mock, PostgreSQL, the tools' HTTP stand-ins, aws-lambda-rie).
// TestMain is here, once for the package: every file shares it.
package tests

import (
	"testing"

	// Every intent's handler: the stack under test answers every intent.
	_ "github.com/switchboard-dev/switchboard/shared/intents/handlers"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }
