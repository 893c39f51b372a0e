// Package events holds the sample webhook events, events/<platform>/<intent>.json, in
// the binary: the smoke function sends them (with its own customer and fresh ids) to a
// new version before CodeDeploy shifts traffic, and the tests read the same files.
package events

import (
	"embed"
	"fmt"

	"github.com/switchboard-dev/switchboard/shared/conversation"
)

// The sample events a platform lacks for a registered intent are built from the
// intent's contract by its conversation-console simulator (samplegen); an existing
// file is never overwritten.
//
//go:generate go run ./gen

//go:embed bedrock-agent/*.json dialogflow/*.json dialogflow-cx/*.json lex/*.json rasa/*.json tool-api/*.json
var files embed.FS

// Sample returns the sample event of intent in as platform p sends it.
func Sample(p conversation.Platform, in conversation.Intent) ([]byte, error) {
	b, err := files.ReadFile(string(p) + "/" + string(in) + ".json")
	if err != nil {
		return nil, fmt.Errorf("events: no sample %s event for %s: %w", p, in, err)
	}
	return b, nil
}
