package stacks

import (
	"github.com/switchboard-dev/switchboard/shared/deploy/settings"
)

// Settings are everything the stacks vary on: the deployment's settings (package
// settings, which `switchboard check --env-file` reads through the same Load) and
// the stacks' own methods on them. Build them with DefaultSettings or the loaders.
type Settings struct {
	settings.Settings
}

// The schema's types and names, as the stacks and their tests use them.
type (
	// Rollout is a deployment stage (settings.Rollout).
	Rollout = settings.Rollout
	// Capability is a business capability (settings.Capability).
	Capability = settings.Capability
	// Function describes one intent function (settings.Function).
	Function = settings.Function
	// CanarySettings are the outcome-ratio rollback thresholds.
	CanarySettings = settings.CanarySettings
	// SmokeSettings are the smoke and synthetic conversations' profile.
	SmokeSettings = settings.SmokeSettings
	// Getter reads one context value; nil means absent.
	Getter = settings.Getter
)

// The rollout stages and capabilities.
const (
	RolloutReads    = settings.RolloutReads
	RolloutWrites   = settings.RolloutWrites
	RolloutPayments = settings.RolloutPayments

	Customers = settings.Customers
	Tickets   = settings.Tickets
	Payments  = settings.Payments
	KB        = settings.KB
)

// Names shared with the settings.
const (
	RouterName         = settings.RouterName
	AliasName          = settings.AliasName
	EnabledEnv         = settings.EnabledEnv
	RouterExtra        = settings.RouterExtra
	AuditRetentionDays = settings.AuditRetentionDays
	EnvDir             = settings.EnvDir
)

var (
	// Rollouts lists the stages in order.
	Rollouts = settings.Rollouts
	// IntentFunctions are the intent functions.
	IntentFunctions = settings.IntentFunctions
	// RouteEnv is the router's variable holding the alias ARN of an intent.
	RouteEnv = settings.RouteEnv
	// SecretIDEnv is the variable that points a tool at its secret.
	SecretIDEnv = settings.SecretIDEnv
	// FileContext reads cdk.json's "context".
	FileContext = settings.FileContext
	// ParseArgs reads the CDK app's arguments (infra/) (-c key=value only).
	ParseArgs = settings.ParseArgs
	// CLIOverrides returns the context the CDK CLI was given beyond cdk.json's.
	CLIOverrides = settings.CLIOverrides
)

// DefaultSettings are the settings with no context given.
func DefaultSettings() Settings { return Settings{settings.Default()} }

// SettingsFromSources loads one deployment's settings (settings.FromSources): the
// environment named by the context key "env" under root, context, then overrides.
func SettingsFromSources(root string, context, overrides map[string]any) (Settings, error) {
	s, err := settings.FromSources(root, context, overrides)
	return Settings{s}, err
}

// LoadSettings loads one deployment's settings (settings.Load).
func LoadSettings(src settings.Sources) (Settings, error) {
	s, err := settings.Load(src)
	return Settings{s}, err
}

// SettingsFromContext overlays context values on the defaults and validates them.
func SettingsFromContext(get func(key string) any) (Settings, error) {
	s, err := settings.FromContext(get)
	return Settings{s}, err
}
