// Package contract holds nothing itself: its subpackages are the names that runtime
// code and the CDK app (infra/) must agree on, each in a leaf package with no
// dependency beyond the standard library and shared/conversation, so infra links the
// contracts and not the runtime code that implements them.
//
//   - envnames: environment variable names (the SWITCHBOARD_ prefix, the smoke
//     function's variables);
//   - table: the DynamoDB table's key schema, attribute names, key prefixes and the
//     IAM actions the functions need on it;
//   - smoketarget: the smoke function's target list (intent/platform=function);
//   - toolspec: what a business tool tells the configuration (name, capabilities,
//     section, secret key, resilience quota), registered by the tools' spec packages.
//
// Metric names, dimensions and refusal reasons are in shared/telemetry/metricdefs,
// platform and intent names in shared/conversation. infra/modguard_test.go fails when
// infra starts linking runtime packages again.
package contract
