package config

import (
	"reflect"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/platform/names"
)

// Keys lists every configuration key as a dotted YAML path (server.addr,
// connectors.hubspot.base_url, …), in declaration order, each registered tool's keys
// after the fixed keys of its parent section (tools by name). The matching
// environment variable is SWITCHBOARD_ plus the path in upper case with "_" for "."
// and "-".
func Keys() []string {
	var out []string
	var walkKeys func(t reflect.Type, prefix string)
	walkKeys = func(t reflect.Type, prefix string) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if !f.IsExported() || tag == "" || tag == "-" {
				continue
			}
			key := prefix + tag
			if f.Type == reflect.TypeOf(Platforms{}) {
				for _, p := range names.List() {
					walkKeys(reflect.TypeOf(PlatformOptions{}), key+"."+p+".")
				}
				continue
			}
			if f.Type.Kind() == reflect.Struct && f.Type != durationType {
				walkKeys(f.Type, key+".")
				continue
			}
			out = append(out, key)
		}
		switch t {
		case reflect.TypeOf(Security{}):
			for _, p := range names.List() {
				walkKeys(reflect.TypeOf(WebhookAuth{}), prefix+p+".")
			}
		case reflect.TypeOf(Intents{}), reflect.TypeOf(Deadlines{}):
			for _, p := range names.List() {
				out = append(out, prefix+p)
			}
		case reflect.TypeOf(Connectors{}):
			for _, s := range Tools() {
				if s.NewSection != nil {
					walkKeys(reflect.TypeOf(s.NewSection()).Elem(), prefix+s.Name+".")
				}
			}
		case reflect.TypeOf(Resilience{}):
			for _, s := range Tools() {
				walkKeys(reflect.TypeOf(ToolResilience{}), prefix+s.Name+".")
			}
		}
	}
	walkKeys(reflect.TypeOf(Config{}), "")
	return out
}
