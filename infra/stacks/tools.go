package stacks

// The CDK app knows every business tool: settings accept each one a capability can
// use, and a function's environment, secret and IAM grant come from the tool's
// registration (its section's secret key), so a new tool needs no change here.
import _ "github.com/switchboard-dev/switchboard/shared/connector/specs"
