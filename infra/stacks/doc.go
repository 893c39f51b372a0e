// Package stacks describes Switchboard's AWS deployment as CDK stacks: data (the
// DynamoDB table and its key), monitoring (alarm topic, dashboard, alarms), functions
// (one Lambda per intent plus the router, each with a `live` alias rolled out by
// CodeDeploy) and api (the HTTP API the webhook platforms call). The settings are
// package shared/deploy/settings (no CDK), loaded by one path for `make synth`, `cdk deploy`,
// `switchboard check --env-file` and the tests.
package stacks
