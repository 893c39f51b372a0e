//go:build !omit_salesforce

package main

// salesforce can serve customers: a deployment that chooses another tool for it builds
// this function with the tag omit_salesforce (make build ENV=<name>; settings.LinkTags).
import _ "github.com/switchboard-dev/switchboard/shared/connector/salesforce"
