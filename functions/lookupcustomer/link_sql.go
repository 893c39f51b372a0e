//go:build !omit_sql

package main

// sql can serve customers, tickets: a deployment that chooses another tool for them builds
// this function with the tag omit_sql (make build ENV=<name>; settings.LinkTags).
import _ "github.com/switchboard-dev/switchboard/shared/connector/sqldb"
