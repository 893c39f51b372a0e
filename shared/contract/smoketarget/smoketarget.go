// Package smoketarget is the smoke function's target list, the value of
// envnames.SmokeTargets: the CDK app writes it (Format), the smoke function reads it
// (Parse). No dependency beyond the standard library and shared/conversation.
package smoketarget

import (
	"fmt"
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/contract/envnames"
	"github.com/switchboard-dev/switchboard/shared/conversation"
)

// Target is one conversation to hold: an intent's sample event for a platform, sent to
// a function (a version ARN before traffic shifts, an alias ARN on the schedule).
type Target struct {
	Intent   conversation.Intent
	Platform conversation.Platform
	Function string
}

// Format is the inverse of Parse: "intent/platform=function,…".
func Format(ts []Target) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = string(t.Intent) + "/" + string(t.Platform) + "=" + t.Function
	}
	return strings.Join(parts, ",")
}

// Parse reads "intent/platform=function,…".
func Parse(s string) ([]Target, error) {
	var out []Target
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		key, fn, ok := strings.Cut(part, "=")
		in, p, ok2 := strings.Cut(key, "/")
		t := Target{Intent: conversation.Intent(in), Platform: conversation.Platform(p), Function: fn}
		if !ok || !ok2 || fn == "" || !slices.Contains(conversation.Intents, t.Intent) || !slices.Contains(conversation.Platforms, t.Platform) {
			return nil, fmt.Errorf("smoke: %s: %q is not <intent>/<platform>=<function>", envnames.SmokeTargets, part)
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("smoke: %s lists no targets", envnames.SmokeTargets)
	}
	return out, nil
}
