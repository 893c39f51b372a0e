package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/intents"
)

// lexBotFlag adds check's --lex-bot flag.
func lexBotFlag(fs *flag.FlagSet) *string {
	return fs.String("lex-bot", "", "an exported Lex V2 bot (the export .zip, its unzipped folder, or JSON {intent: [slots]}): report the slots Switchboard's intents ask for that the bot's intents lack")
}

// lexBot is what check needs of an exported Lex V2 bot: per locale, per intent name,
// the names of the intent's slots.
type lexBot map[string]map[string][]string

// readLexBot reads an exported Lex V2 bot definition: the zip Lex exports (or the
// folder it unzips to), where each slot is
// <bot>/BotLocales/<locale>/Intents/<intent>/Slots/<slot>/Slot.json, or a JSON file —
// {"<intent>": ["<slot>", …]} or {"intents": [{"name", "slots": [{"name"}]}]} — for a
// single locale ("").
func readLexBot(p string) (lexBot, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("lex bot: %w", err)
	}
	if st.IsDir() {
		return walkLexExport(os.DirFS(p))
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("lex bot: %w", err)
	}
	if bytes.HasPrefix(b, []byte("PK")) {
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return nil, fmt.Errorf("lex bot: %s: %w", p, err)
		}
		return walkLexExport(zr)
	}
	return lexBotJSON(p, b)
}

// walkLexExport collects the intents and slots of an unzipped Lex V2 export.
func walkLexExport(fsys fs.FS) (lexBot, error) {
	bot := lexBot{}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		parts := strings.Split(path.Clean(name), "/")
		i := slices.Index(parts, "BotLocales")
		if i < 0 || len(parts) < i+5 || parts[i+2] != "Intents" {
			return nil
		}
		locale, intent := parts[i+1], parts[i+3]
		switch {
		case len(parts) == i+5 && parts[i+4] == "Intent.json":
			if n := jsonName(fsys, name); n != "" {
				intent = n
			}
			bot.add(locale, intent, "")
		case len(parts) == i+7 && parts[i+4] == "Slots" && parts[i+6] == "Slot.json":
			slot := parts[i+5]
			if n := jsonName(fsys, name); n != "" {
				slot = n
			}
			bot.add(locale, intent, slot)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("lex bot: %w", err)
	}
	if len(bot) == 0 {
		return nil, errors.New("lex bot: no BotLocales/<locale>/Intents/<intent> in the export (is it a Lex V2 bot export?)")
	}
	return bot, nil
}

// jsonName is the "name" of a JSON file in an export, or "".
func jsonName(fsys fs.FS, name string) string {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return ""
	}
	var v struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal(b, &v)
	return strings.TrimSpace(v.Name)
}

func lexBotJSON(p string, b []byte) (lexBot, error) {
	bot := lexBot{}
	var list struct {
		Intents []struct {
			Name  string `json:"name"`
			Slots []struct {
				Name string `json:"name"`
			} `json:"slots"`
		} `json:"intents"`
	}
	if json.Unmarshal(b, &list) == nil && len(list.Intents) > 0 {
		for _, in := range list.Intents {
			bot.add("", in.Name, "")
			for _, s := range in.Slots {
				bot.add("", in.Name, s.Name)
			}
		}
		return bot, nil
	}
	var byIntent map[string][]string
	if err := json.Unmarshal(b, &byIntent); err != nil || len(byIntent) == 0 {
		return nil, fmt.Errorf("lex bot: %s is neither a Lex V2 export (.zip or folder) nor JSON {\"<intent>\": [\"<slot>\", …]}", p)
	}
	for in, slots := range byIntent {
		bot.add("", in, "")
		for _, s := range slots {
			bot.add("", in, s)
		}
	}
	return bot, nil
}

// add records an intent of a locale and, unless slot is "", one of its slots.
func (b lexBot) add(locale, intent, slot string) {
	if intent == "" {
		return
	}
	if b[locale] == nil {
		b[locale] = map[string][]string{}
	}
	slots := b[locale][intent]
	if slot != "" && !slices.Contains(slots, slot) {
		slots = append(slots, slot)
	}
	if slots == nil {
		slots = []string{}
	}
	b[locale][intent] = slots
}

// checkLexBot reports, per locale of the exported bot, the slots each enabled intent
// asks for (intents.ElicitedSlots) that the bot's intent of the configured name lacks:
// Lex rejects a reply that elicits a slot the intent does not define, and the user's
// turn fails (the adapter then sends ElicitIntent instead and counts a ConfigErrors).
// An enabled intent none of whose configured names is in the bot is a warning.
func checkLexBot(cfg config.Config, p string) []checkResult {
	if p == "" {
		return nil
	}
	bot, err := readLexBot(p)
	if err != nil {
		return []checkResult{{Tool: "lex bot", Capabilities: []string{}, AuthMethod: "export", Error: err.Error(), ErrorKind: "config"}}
	}
	codes := cfg.Identity.Codes.Sender != "" && cfg.Identity.Codes.Sender != config.SenderNone
	raw := map[conversation.Intent][]string{}
	for name, in := range cfg.Intents.Names(conversation.LexV2) {
		raw[in] = append(raw[in], name)
	}
	locales := make([]string, 0, len(bot))
	for l := range bot {
		locales = append(locales, l)
	}
	sort.Strings(locales)
	var out []checkResult
	for _, locale := range locales {
		intentsOf := bot[locale]
		r := checkResult{Tool: strings.TrimSpace("lex bot " + locale), Capabilities: []string{}, AuthMethod: "export", OK: true}
		var problems, absent []string
		for _, in := range conversation.Intents {
			if !cfg.Intents.IsEnabled(in) {
				continue
			}
			names := raw[in]
			sort.Strings(names)
			found := false
			for _, name := range names {
				slots, ok := intentsOf[name]
				if !ok {
					continue
				}
				found = true
				r.Capabilities = append(r.Capabilities, name)
				var missing []string
				for _, s := range intents.ElicitedSlots(in, codes) {
					if !slices.Contains(slots, s) {
						missing = append(missing, s)
					}
				}
				if len(missing) > 0 {
					problems = append(problems, fmt.Sprintf("intent %s lacks slot(s) %s that %s asks for (its slots: %s)",
						name, strings.Join(missing, ", "), in, orNone(slots)))
				}
			}
			if !found {
				absent = append(absent, fmt.Sprintf("%s (%s)", in, strings.Join(names, " or ")))
			}
		}
		if len(problems) > 0 {
			r.OK, r.ErrorKind = false, "config"
			r.Error = strings.Join(problems, "; ") + ": Lex rejects a reply that elicits a slot its intent does not define; add the slots to the bot or map other intent names (intents.lex)"
		}
		if len(absent) > 0 {
			r.Warning = "no intent of this bot is mapped to " + strings.Join(absent, ", ")
		}
		out = append(out, r)
	}
	return out
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	s = slices.Clone(s)
	sort.Strings(s)
	return strings.Join(s, ", ")
}
