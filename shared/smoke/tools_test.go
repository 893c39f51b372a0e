package smoke_test

// The smoke tests run their conversations against the demo backend, which only the
// binaries that import it contain.
import _ "github.com/switchboard-dev/switchboard/shared/connector/demo"
