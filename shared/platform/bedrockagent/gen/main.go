// Command gen writes the Bedrock agent action group definitions (function details and
// OpenAPI schema) generated from the intent registry: `go generate
// ./shared/platform/bedrockagent` writes them to docs/platforms/bedrock-agent/.
package main

import (
	"flag"
	"log"
	"os"
	"path/filepath"

	_ "github.com/switchboard-dev/switchboard/shared/intents/all"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/platform/bedrockagent"
)

func main() {
	out := flag.String("out", "docs/platforms/bedrock-agent", "directory to write the definitions to")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	for name, render := range map[string]func([]spec.Intent) ([]byte, error){
		bedrockagent.FunctionsFile: bedrockagent.Functions,
		bedrockagent.OpenAPIFile:   bedrockagent.OpenAPI,
	} {
		b, err := render(spec.All())
		if err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(*out, name), b, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
