package platform

import (
	"fmt"

	"github.com/switchboard-dev/switchboard/shared/conversation"
)

// ResponseSchema returns the JSON Schema of platform p's webhook response, kept beside
// its adapter (see schematest) and registered with it: the smoke function checks a new
// version's replies against it before it takes traffic.
func ResponseSchema(p conversation.Platform) ([]byte, error) {
	e, ok := Lookup(p)
	if !ok {
		return nil, fmt.Errorf("platform: no response schema for %q", p)
	}
	return e.ResponseSchema, nil
}
