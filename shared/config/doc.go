// Package config loads Switchboard's configuration from an optional YAML file and
// SWITCHBOARD_* environment variables. The zero configuration is the embedded default:
// demo backend, embedded store under ./.switchboard/, default intent names. Each
// section lives in its own file next to the feature it configures; a business tool's
// section (connectors.<tool>, resilience.<tool>) lives in its connector package, which
// registers it (RegisterTool, through shared/connector/registry), so the configuration
// knows exactly the tools the binary links.
package config
