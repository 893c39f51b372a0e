//go:build !omit_stripe

package main

// stripe can serve payments: a deployment that chooses another tool for it builds
// this function with the tag omit_stripe (make build ENV=<name>; settings.LinkTags).
import _ "github.com/switchboard-dev/switchboard/shared/connector/stripe"
