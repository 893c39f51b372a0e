// Package testenv starts the real components tests run against — moto_server for AWS
// services, stripe-mock, PostgreSQL, the Lambda Runtime Interface Emulator — as child
// processes on 127.0.0.1 free ports, once per test binary. A component whose binary is
// absent skips the test with a clear message, except when CI (or
// SWITCHBOARD_REQUIRE_COMPONENTS) is set: then it fails, so CI never passes by skipping.
package testenv
