// Command gen writes the sample events the platforms lack for the registered intents
// (events/samplegen): `go generate ./events`, after registering an intent. It never
// overwrites a file.
package main

import (
	"fmt"
	"os"

	"github.com/switchboard-dev/switchboard/events/samplegen"
	// Every platform and every intent.
	_ "github.com/switchboard-dev/switchboard/shared/conversation"
	_ "github.com/switchboard-dev/switchboard/shared/platform/adapters"
)

func main() {
	dir := "."
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	wrote, err := samplegen.WriteMissing(dir)
	for _, p := range wrote {
		fmt.Println("wrote", p)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if len(wrote) == 0 {
		fmt.Println("every platform has every intent's sample events")
	}
}
