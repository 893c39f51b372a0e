// Package stacks describes Switchboard's AWS deployment as CDK stacks: data (the
// DynamoDB table and its key), monitoring (alarm topic, dashboard, alarms), functions
// (one Lambda per intent plus the router, each with a `live` alias rolled out by
// CodeDeploy) and api (the HTTP API the webhook platforms call). Settings come from CDK
// context so one synthesis path serves `make synth`, `cdk deploy` and the tests.
package stacks
