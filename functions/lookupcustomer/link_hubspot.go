//go:build !omit_hubspot

package main

// hubspot can serve customers: a deployment that chooses another tool for it builds
// this function with the tag omit_hubspot (make build ENV=<name>; settings.LinkTags).
import _ "github.com/switchboard-dev/switchboard/shared/connector/hubspot"
