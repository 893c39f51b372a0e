package app

// The app's tests run on the demo backend and configure real tools, as `switchboard
// serve` links them all.
import _ "github.com/switchboard-dev/switchboard/shared/connector/all"
