package platform

import (
	"embed"
	"fmt"

	"github.com/switchboard-dev/switchboard/shared/conversation"
)

// The response schemas kept beside each adapter (see schematest), in the binary for the
// smoke function, which checks a new version's replies against them before it takes
// traffic.
//
//go:embed dialogflow/testdata/response.schema.json dialogflowcx/testdata/response.schema.json lexv2/testdata/response.schema.json rasa/testdata/response.schema.json
var schemas embed.FS

var schemaDirs = map[conversation.Platform]string{
	conversation.DialogflowES: "dialogflow",
	conversation.DialogflowCX: "dialogflowcx",
	conversation.LexV2:        "lexv2",
	conversation.Rasa:         "rasa",
}

// ResponseSchema returns the JSON Schema of platform p's webhook response.
func ResponseSchema(p conversation.Platform) ([]byte, error) {
	dir, ok := schemaDirs[p]
	if !ok {
		return nil, fmt.Errorf("platform: no response schema for %q", p)
	}
	return schemas.ReadFile(dir + "/testdata/response.schema.json")
}
