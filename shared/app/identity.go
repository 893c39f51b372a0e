package app

import (
	"regexp"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/store"
)

// urlPassword matches the password of a URL's user info (a DSN's), kept out of an
// identity.
var urlPassword = regexp.MustCompile(`(://[^:/@\s]*):[^@/\s]*@`)

// toolIdentity is what tells one configuration of a business tool from another: the
// tool's name and a digest of its configuration section (account, subdomain, base
// URL, database — secret ids but never secret values; a password inside a DSN is
// removed first), or the data directory for the demo. Cache and idempotency keys
// carry it, so one backend's data is never served as another's.
func toolIdentity(cfg config.Config, tool string) string {
	if tool == "" || tool == "none" {
		return tool
	}
	if tool == config.ToolDemo {
		return tool + "|" + store.Hash(cfg.DataDir)[:16]
	}
	sec, ok := cfg.Connectors.Tools[tool]
	if !ok || sec == nil {
		return tool
	}
	b, err := yaml.Marshal(sec)
	if err != nil {
		return tool
	}
	return tool + "|" + store.Hash(urlPassword.ReplaceAllString(string(b), "$1@"))[:16]
}

// IdempotencyScope is the idempotency keys' scope: the identities of the four
// capabilities' tools.
func IdempotencyScope(cfg config.Config) string {
	t := cfg.Connectors
	return toolIdentity(cfg, t.Customers) + "," + toolIdentity(cfg, t.Tickets) + "," +
		toolIdentity(cfg, t.Payments) + "," + toolIdentity(cfg, t.KB)
}

// toolIdentities is toolIdentity of cfg with each tool's identity computed once, when
// first asked for: the read cache asks for its tool's on every cached read (a YAML
// encoding of the section and a hash, ~20 allocations), and cfg does not change once
// the app is built.
func toolIdentities(cfg config.Config) func(tool string) string {
	var ids sync.Map // tool → identity
	return func(tool string) string {
		if id, ok := ids.Load(tool); ok {
			return id.(string)
		}
		id, _ := ids.LoadOrStore(tool, toolIdentity(cfg, tool))
		return id.(string)
	}
}
