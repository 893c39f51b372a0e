// Package settings is the schema of a deployment's settings, without the CDK: the
// keys of cdk.json's context, an environment file (infra/env/<name>.yaml) and the
// command line's -c key=value, their validation, and the exact environment every
// function gets. The CDK app (infra/stacks) and `switchboard check --env-file` both
// read a deployment through Load, so what synth refuses, check refuses too. It lives
// in the product's module, not in infra's (infra/go.mod), so `switchboard check` and
// the benchmarks read it without compiling the CDK.
package settings
