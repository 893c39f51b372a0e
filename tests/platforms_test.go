package tests

import (
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform"
)

// webhookPlatforms are the platforms these end-to-end tests drive through
// /webhooks/<platform> with a body that names its intent and carries the identity
// token. The tool API takes both from its route (/api/v1/<intent>) and a header, and
// says so in its Smoke.Unsupported; its own tests (shared/platform/toolapi,
// shared/platform/toolapi/toolmcp, cmd/switchboard's TestMCPStdio) drive it through
// serve's handler and Prism.
func webhookPlatforms() []conversation.Platform {
	var out []conversation.Platform
	for _, e := range platform.Entries() {
		if e.Smoke.Unsupported == "" {
			out = append(out, e.Platform())
		}
	}
	return out
}
