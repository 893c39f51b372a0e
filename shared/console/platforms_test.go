package console_test

import (
	"slices"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/console"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform"
)

// The console plays every registered platform, from its registered simulator, in the
// registry's order.
func TestPlatformsAreTheRegisteredSimulators(t *testing.T) {
	t.Parallel()
	var want []conversation.Platform
	for _, e := range platform.Entries() {
		if e.Console != nil {
			want = append(want, e.Platform())
		}
	}
	if len(want) == 0 || !slices.Equal(console.Platforms, want) {
		t.Errorf("console.Platforms = %v, want the platforms with a simulator %v", console.Platforms, want)
	}
	// Every platform: the four intent platforms, the tool API (driven by path and
	// headers: platform.Simulator.Call) and Bedrock agents.
	if !slices.Equal(console.Platforms, []conversation.Platform{conversation.DialogflowES, conversation.DialogflowCX, conversation.LexV2, conversation.Rasa,
		"tool-api", "bedrock-agent"}) {
		t.Errorf("console.Platforms = %v, want the four intent platforms, the tool API and Bedrock agents", console.Platforms)
	}
}

// Every spelling `switchboard chat --platform` and the page accepted before the
// simulators moved into the platform folders still names its platform; the names'
// older spellings too.
func TestParsePlatformSpellings(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]conversation.Platform{
		"es": conversation.DialogflowES, "dialogflow": conversation.DialogflowES, "dialogflow-es": conversation.DialogflowES,
		" Dialogflow ": conversation.DialogflowES,
		"cx":           conversation.DialogflowCX, "dialogflow-cx": conversation.DialogflowCX, "dialogflow_cx": conversation.DialogflowCX,
		"lex": conversation.LexV2, "lexv2": conversation.LexV2, "lex-v2": conversation.LexV2, "LEX": conversation.LexV2,
		"rasa": conversation.Rasa,
		"tool": "tool-api", "tool-api": "tool-api", "openapi": "tool-api",
	} {
		if got, ok := console.ParsePlatform(s); !ok || got != want {
			t.Errorf("ParsePlatform(%q) = %q, %v; want %q", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "teams", "dialog", "lex v2"} {
		if got, ok := console.ParsePlatform(s); ok {
			t.Errorf("ParsePlatform(%q) = %q, want refused", s, got)
		}
	}
}

// A conversation with a platform the console cannot play gets an error, not a
// request, and a reply to it says so.
func TestUnknownPlatformIsRefused(t *testing.T) {
	t.Parallel()
	c := console.Conversation{Platform: "teams", Language: "en", Session: "s"}
	if _, err := c.Request(console.Input{Text: "hello"}); err == nil {
		t.Error("Request on an unknown platform: no error")
	}
	if v := c.Absorb(console.Pending{}, 200, []byte(`{}`)); v.Error == "" {
		t.Error("Absorb on an unknown platform: no error in the view")
	}
}

// `switchboard chat` plays Lex unless told otherwise (the Lex folder registers its
// simulator as the default), and its help lists every platform with its short name.
func TestDefaultPlatformAndUsage(t *testing.T) {
	t.Parallel()
	if got := console.DefaultPlatform(); got != conversation.LexV2 {
		t.Errorf("DefaultPlatform() = %q, want %q", got, conversation.LexV2)
	}
	if got, want := console.PlatformUsage(), "dialogflow (es) | dialogflow-cx (cx) | lex | rasa | tool-api (tool) | bedrock-agent (bedrock)"; got != want {
		t.Errorf("PlatformUsage() = %q, want %q", got, want)
	}
}
