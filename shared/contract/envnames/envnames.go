// Package envnames names the environment variables that the functions read and the
// CDK app (infra/) sets. shared/config derives the name of every configuration key from
// Prefix (server.addr → SWITCHBOARD_SERVER_ADDR); the smoke function's own variables
// are listed here. No dependency beyond the standard library.
package envnames

// Prefix starts every Switchboard environment variable.
const Prefix = "SWITCHBOARD_"

// Environment variables of the smoke function (shared/smoke reads them, the CDK app
// sets them).
const (
	// SmokeTargets lists what to invoke: intent/platform=function (a version or alias
	// ARN), comma-separated (shared/contract/smoketarget).
	SmokeTargets       = Prefix + "SMOKE_TARGETS"
	SmokeEmail         = Prefix + "SMOKE_EMAIL"
	SmokePaymentRef    = Prefix + "SMOKE_PAYMENT_REF"
	SmokeQuery         = Prefix + "SMOKE_QUERY"
	SmokeExpectName    = Prefix + "SMOKE_EXPECT_NAME"
	SmokeExpectPlan    = Prefix + "SMOKE_EXPECT_PLAN"
	SmokeExpectArticle = Prefix + "SMOKE_EXPECT_ARTICLE"
	SmokeTicketSandbox = Prefix + "SMOKE_TICKET_SANDBOX"
	// Service is the configuration's service key (SWITCHBOARD_SERVICE), which the
	// smoke function reads too.
	Service = Prefix + "SERVICE"
)
