// Package samplegen writes the sample events a platform lacks for an intent,
// events/<platform>/<intent>.json and <intent>_signed.json, from the intent's contract
// (shared/intents/spec: its sample file name, its slots' Example values, Identity) and
// the platform's conversation-console simulator (platform.Simulator.Request: the exact
// webhook request the platform sends for a turn). `go generate ./events` runs it
// (events/gen); it never overwrites a file, so the hand-written samples stay as they are.
package samplegen

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/shared/identity"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/platform"
)

// demoEmail is the demo's customer, the caller the signed samples are signed in as.
const demoEmail = "ada@example.com"

// The signed samples' identity token: the demo key's (identity.DemoKey, what `make run`
// and the tests accept), for demoEmail, issued at signedAt and valid until signedUntil,
// so every signed sample carries the same token, hand-written or generated. A sample
// turn is sent at signedAt too (a platform that stamps its events: Rasa).
var (
	signedAt    = time.Unix(1796160214, 0)
	signedUntil = time.Unix(4136160214, 0)
)

// Token is the identity token the signed samples carry.
func Token() (string, error) {
	return identity.Mint([]byte(identity.DemoKey), demoEmail, "", "", "", signedAt, signedUntil.Sub(signedAt))
}

// SignedName is the file name of the signed variant of a sample (<intent>_signed.json).
func SignedName(samples string) string {
	return strings.TrimSuffix(samples, ".json") + "_signed.json"
}

// Files lists the sample files an intent has on a platform: its sample and, for an
// intent whose answer depends on the caller (Identity), the signed variant, on a
// platform whose body carries the identity token (not one whose simulator builds a
// call of its own, as the tool API's does: its token is a header).
func Files(e platform.Entry, in spec.Intent) []string {
	if in.Samples == "" {
		return nil
	}
	out := []string{in.Samples}
	if in.Identity && (e.Console == nil || e.Console.Call == nil) {
		out = append(out, SignedName(in.Samples))
	}
	return out
}

// Build builds an intent's sample event on a platform: one turn that starts the intent
// with its slots' Example values, in English, signed in as demoEmail when signed. Its
// ids are derived from the platform and the intent, so a rebuild writes the same bytes.
func Build(e platform.Entry, in spec.Intent, signed bool) ([]byte, error) {
	sim := e.Console
	if sim == nil {
		return nil, fmt.Errorf("samplegen: %s has no conversation-console simulator: write events/%s/%s by hand",
			e.Name, e.Name, in.Samples)
	}
	slots := map[string]string{}
	var values []string
	for _, s := range in.Slots {
		if s.Example != "" {
			slots[s.Name] = s.Example
			values = append(values, s.Example)
		}
	}
	text := spec.Words(in.Display)
	if len(values) > 0 {
		text += ": " + strings.Join(values, ", ")
	}
	turn := platform.ConsoleTurn{
		Session: id("session", e.Name, in.Name), ID: id("turn", e.Name, in.Name), At: signedAt, Language: "en", Text: text,
		Intent: in.Name, Name: e.DefaultIntentName(in.Name, in.Display), Slots: slots,
		Form: Form(in),
	}
	if signed {
		tok, err := Token()
		if err != nil {
			return nil, err
		}
		turn.Token = tok
	}
	b, err := sim.Request(turn)
	if err != nil {
		return nil, fmt.Errorf("samplegen: %s %s: %w", e.Name, in.Name, err)
	}
	if sim.Call != nil {
		// The request is a call of its own (method, path, headers, body): the sample
		// is its body, as the platform's route receives it.
		c, err := sim.Call(b)
		if err != nil {
			return nil, fmt.Errorf("samplegen: %s %s: %w", e.Name, in.Name, err)
		}
		b = c.Body
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return nil, fmt.Errorf("samplegen: %s %s: the simulator's request is not JSON: %w", e.Name, in.Name, err)
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// codeSlot is the one-time code's slot (intents.SlotVerificationCode), asked for by
// an intent that offers codes.
const codeSlot = "verification_code"

// Form lists every slot the intent may ask for, in order, as the console's agent
// defines them (intents.ElicitedSlots with codes): its slots, then the one-time code's
// for an intent that offers codes. It reads the contract alone, so it serves an intent
// registered after the handlers' tables were built.
func Form(in spec.Intent) []string {
	var out []string
	for _, s := range in.Slots {
		out = append(out, s.Name)
	}
	if in.Codes() {
		out = append(out, codeSlot)
	}
	return out
}

// id is a stable id for a sample's session or turn.
func id(kind, platformName, intent string) string {
	h := sha256.Sum256([]byte("switchboard-sample/" + kind + "/" + platformName + "/" + intent))
	return hex.EncodeToString(h[:12])
}

// WriteMissing writes, under dir (the events folder), every sample file the registered
// platforms with a simulator lack for the registered intents, and returns the paths
// it wrote (relative to dir). A file that exists is never touched.
func WriteMissing(dir string) ([]string, error) {
	var wrote []string
	var errs []error
	for _, e := range platform.Entries() {
		if e.Console == nil {
			continue
		}
		for _, in := range spec.All() {
			for _, name := range Files(e, in) {
				rel := filepath.Join(e.Name, name)
				path := filepath.Join(dir, rel)
				if _, err := os.Stat(path); err == nil {
					continue
				} else if !errors.Is(err, fs.ErrNotExist) {
					errs = append(errs, err)
					continue
				}
				b, err := Build(e, in, name != in.Samples)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					errs = append(errs, err)
					continue
				}
				// O_EXCL: a file that appeared since the check is kept, never replaced.
				f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				_, werr := f.Write(b)
				if cerr := f.Close(); werr == nil {
					werr = cerr
				}
				if werr != nil {
					errs = append(errs, werr)
					continue
				}
				wrote = append(wrote, rel)
			}
		}
	}
	return wrote, errors.Join(errs...)
}
