//go:build !omit_zendesk

package main

// zendesk can serve tickets: a deployment that chooses another tool for it builds
// this function with the tag omit_zendesk (make build ENV=<name>; settings.LinkTags).
import _ "github.com/switchboard-dev/switchboard/shared/connector/zendesk"
