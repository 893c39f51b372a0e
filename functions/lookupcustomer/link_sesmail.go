//go:build !omit_sesmail

package main

// One-time codes by SES (SES v2's client): a deployment without an SES identity sends
// no codes and builds this function with the tag omit_sesmail (make build ENV=<name>;
// settings.LinkTags).
import _ "github.com/switchboard-dev/switchboard/shared/identity/sesmail"
