package tests

// The end-to-end tests configure every business tool, as `switchboard serve` links
// them all.
import _ "github.com/switchboard-dev/switchboard/shared/connector/all"
