//go:build !omit_sql

package main

// sql can serve customers: a deployment that chooses another tool for it builds
// this function with the tag omit_sql (make build ENV=<name>; settings.LinkTags).
import _ "github.com/switchboard-dev/switchboard/shared/connector/sqldb"
