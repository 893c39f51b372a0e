package config

import (
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The tool sections are registered at run time, so connectors.* and resilience.* are
// decoded by hand: the fixed keys into their fields, each registered tool's key into
// its section. Every key is checked against the struct it lands in before decoding,
// as KnownFields does for the rest of the file (yaml.v3 does not pass KnownFields on
// to a custom unmarshaler).

// UnmarshalYAML decodes the connectors section.
func (c *Connectors) UnmarshalYAML(n *yaml.Node) error {
	if c.Tools == nil {
		c.Tools = newSections()
	}
	type plain Connectors // without this method
	fixed, err := splitTools(n, "connectors", reflect.TypeOf(plain{}), func(key string, v *yaml.Node) (bool, error) {
		sec, ok := c.Tools[key]
		if !ok {
			return false, nil
		}
		return true, strictDecode(v, sec, "connectors."+key)
	})
	if err != nil {
		return err
	}
	tools := c.Tools
	if err := fixed.Decode((*plain)(c)); err != nil {
		return err
	}
	c.Tools = tools
	return nil
}

// UnmarshalYAML decodes the resilience section.
func (r *Resilience) UnmarshalYAML(n *yaml.Node) error {
	if r.Tools == nil {
		r.Tools = newResilience()
	}
	type plain Resilience
	fixed, err := splitTools(n, "resilience", reflect.TypeOf(plain{}), func(key string, v *yaml.Node) (bool, error) {
		t, ok := r.Tools[key]
		if !ok {
			return false, nil
		}
		return true, strictDecode(v, t, "resilience."+key)
	})
	if err != nil {
		return err
	}
	tools := r.Tools
	if err := fixed.Decode((*plain)(r)); err != nil {
		return err
	}
	r.Tools = tools
	return nil
}

// splitTools hands each key of mapping n that tool claims to it, checks the others
// against the fixed fields of t, and returns a mapping of those.
func splitTools(n *yaml.Node, path string, t reflect.Type, tool func(key string, v *yaml.Node) (bool, error)) (*yaml.Node, error) {
	if n.Kind != yaml.MappingNode {
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			return n, nil
		}
		return nil, fmt.Errorf("line %d: %s: want a mapping", n.Line, path)
	}
	fixed := &yaml.Node{Kind: yaml.MappingNode, Tag: n.Tag, Line: n.Line, Column: n.Column}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if hasYAMLKey(t, k.Value) {
			if err := checkKnown(v, fieldType(t, k.Value), path+"."+k.Value); err != nil {
				return nil, err
			}
			fixed.Content = append(fixed.Content, k, v)
			continue
		}
		ok, err := tool(k.Value, v)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("line %d: %s.%s: unknown key (neither a setting nor a tool linked into this binary; tools: %s)",
				k.Line, path, k.Value, linkedToolNames())
		}
	}
	return fixed, nil
}

// strictDecode decodes v into out (a pointer to a struct) after checking its keys.
func strictDecode(v *yaml.Node, out any, path string) error {
	if err := checkKnown(v, reflect.TypeOf(out).Elem(), path); err != nil {
		return err
	}
	return v.Decode(out)
}

// checkKnown refuses a mapping key that names no field of struct t, recursively.
func checkKnown(n *yaml.Node, t reflect.Type, path string) error {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind != yaml.MappingNode || t.Kind() != reflect.Struct || t == durationType {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Value == "<<" { // a merge key: its mapping is checked where it is defined
			continue
		}
		ft := fieldType(t, k.Value)
		if ft == nil {
			return fmt.Errorf("line %d: %s: unknown key %s", k.Line, path, k.Value)
		}
		if err := checkKnown(n.Content[i+1], ft, path+"."+k.Value); err != nil {
			return err
		}
	}
	return nil
}

func fieldType(t reflect.Type, key string) reflect.Type {
	for i := 0; i < t.NumField(); i++ {
		if f := t.Field(i); f.IsExported() && yamlName(f) == key {
			return f.Type
		}
	}
	return nil
}

func yamlName(f reflect.StructField) string {
	tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if tag == "-" {
		return ""
	}
	return tag
}

func hasYAMLKey(t reflect.Type, key string) bool {
	for i := 0; i < t.NumField(); i++ {
		if yamlName(t.Field(i)) == key {
			return true
		}
	}
	return false
}
