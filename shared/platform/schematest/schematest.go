package schematest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform/names"
)

var (
	mu       sync.Mutex
	compiled = map[conversation.Platform]*jsonschema.Schema{}
)

// Validate fails t when body is not a valid response of platform p.
func Validate(t testing.TB, p conversation.Platform, body []byte) {
	t.Helper()
	if err := Check(p, body); err != nil {
		t.Fatalf("%s response does not match its schema: %v\nbody: %s", p, err, body)
	}
}

// Check returns why body is not a valid response of platform p, or nil.
func Check(p conversation.Platform, body []byte) error {
	sch, err := schema(p)
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return sch.Validate(inst)
}

// SchemaPath returns the path of platform p's response schema.
func SchemaPath(p conversation.Platform) (string, error) {
	spec, ok := names.Lookup(string(p))
	if !ok {
		return "", fmt.Errorf("schematest: unknown platform %q", p)
	}
	dir := spec.Folder
	rel := filepath.Join(dir, "testdata", "response.schema.json")
	// The schemas live in the source tree beside this package; find it from this
	// file's own path, or else from the working directory up to the module root.
	if _, file, _, ok := runtime.Caller(0); ok {
		path := filepath.Join(filepath.Dir(file), "..", rel)
		if _, err := os.Stat(path); err == nil {
			return path, nil
		}
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("schematest: %w", err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		path := filepath.Join(d, "shared", "platform", rel)
		if _, err := os.Stat(path); err == nil {
			return path, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("schematest: cannot find shared/platform/" + filepath.ToSlash(rel))
		}
	}
}

func schema(p conversation.Platform) (*jsonschema.Schema, error) {
	mu.Lock()
	defer mu.Unlock()
	if s, ok := compiled[p]; ok {
		return s, nil
	}
	path, err := SchemaPath(p)
	if err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("schematest: %w", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("schematest: %s: %w", path, err)
	}
	c := jsonschema.NewCompiler()
	url := "file:///" + filepath.ToSlash(path)
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("schematest: %s: %w", path, err)
	}
	s, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("schematest: %s: %w", path, err)
	}
	compiled[p] = s
	return s, nil
}
