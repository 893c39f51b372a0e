// Package smoke sends known conversations to a deployed function and checks the
// answers: before CodeDeploy shifts a `live` alias to a new version (the
// BeforeAllowTraffic hook, which reports its verdict with
// PutLifecycleEventHookExecutionStatus), and on a schedule against the `live` aliases
// (synthetic conversations, written as SyntheticSuccess and SyntheticLatency metrics).
// A reply passes when it is a valid response for its platform, carries the outcome
// fulfilled and no fallback (platform.ReadOutcome: read from the reply, never from its
// wording) and, where the operator configured the truth about the smoke customer, says
// it.
package smoke
