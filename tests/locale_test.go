package tests

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/app"
	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/connector/demo"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/identity"
	"github.com/switchboard-dev/switchboard/shared/intents"
	"github.com/switchboard-dev/switchboard/shared/platform/adapters"
	"github.com/switchboard-dev/switchboard/shared/platform/bedrockagent"
	"github.com/switchboard-dev/switchboard/shared/platform/schematest"
	"github.com/switchboard-dev/switchboard/shared/platform/toolapi"
)

// withLocale sets the caller's language where each platform sends it: ES
// queryResult.languageCode, CX languageCode, Lex bot.localeId, Rasa the latest
// message's metadata.
func withLocale(t *testing.T, p conversation.Platform, body []byte, locale string) []byte {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatal(err)
	}
	sub := func(m map[string]any, k string) map[string]any {
		next, _ := m[k].(map[string]any)
		if next == nil {
			next = map[string]any{}
			m[k] = next
		}
		return next
	}
	switch p {
	case conversation.DialogflowES:
		sub(ev, "queryResult")["languageCode"] = locale
	case conversation.DialogflowCX:
		ev["languageCode"] = locale
	case conversation.LexV2:
		sub(ev, "bot")["localeId"] = locale
	case conversation.Rasa:
		sub(sub(sub(ev, "tracker"), "latest_message"), "metadata")["language"] = locale
	case bedrockagent.Platform:
		sub(ev, "sessionAttributes")[bedrockagent.LocaleAttribute] = locale
	}
	out, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func localeEngine(t *testing.T, environ []string) *engine.Engine {
	t.Helper()
	cfg, err := config.Load("", environ)
	if err != nil {
		t.Fatal(err)
	}
	b, err := demo.Open(context.Background(), filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	deps := intents.Deps{Customers: b, Tickets: b, Payments: b, KB: b, SupportEmail: cfg.SupportEmail}
	// The identity layer with the demo key: the signed sample events get full answers.
	v, err := app.Verifier(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return engine.New(wiring.Engine(cfg), &identity.Resolver{Verifier: v, Next: intents.New(deps)}, engine.Options{Adapters: adapters.Default(wiring.Adapters(cfg))})
}

// signedEvent is the sample event of in, signed for ada@example.com where the intent
// reads or writes her data.
func signedEvent(t *testing.T, p conversation.Platform, in conversation.Intent) []byte {
	file := eventFile[in]
	if in != conversation.SearchKB {
		file = strings.TrimSuffix(file, ".json") + "_signed.json"
	}
	return readEvent(t, p, file)
}

// replyTexts is every user-visible text of a response body (all string values).
func replyTexts(t *testing.T, body []byte) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			b.WriteString(x)
			b.WriteByte('\n')
			// A Bedrock agent's body is the tool API's result: its answer names the
			// fields holding the tools' text, which a person reads filled in.
			var r toolapi.Result
			if strings.HasPrefix(x, "{") && json.Unmarshal([]byte(x), &r) == nil && r.Answer != "" {
				b.WriteString(toolapi.Fill(r))
				b.WriteByte('\n')
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return b.String()
}

// richMarker is what shows a platform's rich form in a response.
var richMarker = map[conversation.Platform]string{
	conversation.DialogflowES: `"richContent"`,
	conversation.DialogflowCX: `"richContent"`,
	conversation.LexV2:        `"ImageResponseCard"`,
	conversation.Rasa:         `"buttons"`,
	// An operation's structured parts (articles, tickets: each has its link), inside
	// its JSON body.
	bedrockagent.Platform: `\"link\":`,
}

// TestRepliesInTheCallersLanguage: for each platform and intent, an English and a
// German request get replies in their language, with amounts and dates formatted for
// it, valid in the platform's schema; a locale without a catalog gets English.
func TestRepliesInTheCallersLanguage(t *testing.T) {
	want := map[string]map[conversation.Intent][]string{
		"en-US": {
			conversation.LookupCustomer: {"I found Ada Lovelace", "1200.00 GBP on 15 January 2025", "is paid."},
			conversation.CreateTicket:   {"I've created ticket #", "priority). We'll reply to"},
			conversation.VerifyPayment:  {"Payment ORD-1001 of 1200.00 GBP on 15 January 2025 went through"},
			conversation.SearchKB:       {"Here's what I found about", "https://help.example.com/articles/"},
		},
		"de-DE": {
			conversation.LookupCustomer: {"Ich habe Ada Lovelace (Analytical Engines Ltd) gefunden", "1.200,00 £ am 15. Januar 2025", "ist bezahlt."},
			conversation.CreateTicket:   {"Ich habe Ticket #", "angelegt", "Wir antworten an"},
			conversation.VerifyPayment:  {"Die Zahlung ORD-1001 über 1.200,00 £ vom 15. Januar 2025 ist eingegangen"},
			conversation.SearchKB:       {"Das habe ich zu „", "https://help.example.com/articles/"},
		},
		"ja-JP": { // no catalog: English
			conversation.LookupCustomer: {"I found Ada Lovelace", "1200.00 GBP on 15 January 2025"},
			conversation.CreateTicket:   {"I've created ticket #"},
			conversation.VerifyPayment:  {"Payment ORD-1001 of 1200.00 GBP on 15 January 2025 went through"},
			conversation.SearchKB:       {"Here's what I found about"},
		},
	}
	english := []string{"I found", "I've created", "Payment ORD", "Here's what", "went through", "Read article", "View ticket"}
	for _, p := range webhookPlatforms() {
		t.Run(string(p), func(t *testing.T) {
			t.Parallel()
			for locale, byIntent := range want {
				for in, parts := range byIntent {
					t.Run(locale+"/"+string(in), func(t *testing.T) {
						e := localeEngine(t, []string{})
						resp := e.Serve(context.Background(), p, withLocale(t, p, signedEvent(t, p, in), locale))
						if resp.Status != 200 {
							t.Fatalf("HTTP %d: %s", resp.Status, resp.Body)
						}
						schematest.Validate(t, p, resp.Body)
						text := replyTexts(t, resp.Body)
						for _, w := range parts {
							if !strings.Contains(text, w) {
								t.Errorf("reply lacks %q:\n%s", w, text)
							}
						}
						if strings.HasPrefix(locale, "de") {
							for _, en := range english {
								if strings.Contains(text, en) {
									t.Errorf("German reply contains English %q:\n%s", en, text)
								}
							}
						}
						if (in == conversation.SearchKB || in == conversation.CreateTicket) && !strings.Contains(string(resp.Body), richMarker[p]) {
							t.Errorf("no %s in the reply:\n%s", richMarker[p], resp.Body)
						}
					})
				}
			}
		})
	}
}

// TestRePromptsInTheCallersLanguage: validation re-prompts and honest failures come
// from the catalogs too.
func TestRePromptsInTheCallersLanguage(t *testing.T) {
	for _, p := range webhookPlatforms() {
		t.Run(string(p), func(t *testing.T) {
			t.Parallel()
			body := withLocale(t, p, readEvent(t, p, eventFile[conversation.LookupCustomer]), "de")
			body = withSlots(t, p, body, map[string]*string{intents.SlotEmail: str("ada at example dot com")})
			resp := localeEngine(t, []string{}).Serve(context.Background(), p, body)
			if resp.Status == 200 {
				schematest.Validate(t, p, resp.Body)
			}
			if text := replyTexts(t, resp.Body); !strings.Contains(text, "Das sieht nicht nach einer gültigen E-Mail-Adresse aus") {
				t.Errorf("no German re-prompt:\n%s", text)
			}
			body = withLocale(t, p, readEvent(t, p, eventFile[conversation.SearchKB]), "fr-FR")
			resp = newEngine(t, true).Serve(context.Background(), p, body)
			schematest.Validate(t, p, resp.Body)
			if text := replyTexts(t, resp.Body); !strings.Contains(text, "Désolé, je ne peux pas chercher dans le centre d'aide") {
				t.Errorf("no French apology:\n%s", text)
			}
		})
	}
}

// TestRichCanBeTurnedOff: platform.<name>.rich: false sends text only; Lex sends no
// card to a spoken turn.
func TestRichCanBeTurnedOff(t *testing.T) {
	env := []string{"SWITCHBOARD_PLATFORM_DIALOGFLOW_RICH=false", "SWITCHBOARD_PLATFORM_DIALOGFLOW_CX_RICH=false",
		"SWITCHBOARD_PLATFORM_LEX_RICH=false", "SWITCHBOARD_PLATFORM_RASA_RICH=false",
		"SWITCHBOARD_PLATFORM_BEDROCK_AGENT_RICH=false"}
	for _, p := range webhookPlatforms() {
		resp := localeEngine(t, env).Serve(context.Background(), p, readEvent(t, p, eventFile[conversation.SearchKB]))
		schematest.Validate(t, p, resp.Body)
		if p == bedrockagent.Platform {
			// A model reads the answer, which names the articles' fields instead of
			// quoting them: the records stay (rich: false leaves out quick replies).
			if !strings.Contains(string(resp.Body), richMarker[p]) || strings.Contains(string(resp.Body), `\"choices\":`) {
				t.Errorf("%s: rich off, want the records:\n%s", p, resp.Body)
			}
			continue
		}
		if strings.Contains(string(resp.Body), richMarker[p]) || !strings.Contains(string(resp.Body), "https://help.example.com/articles/") {
			t.Errorf("%s: rich off, want text with links only:\n%s", p, resp.Body)
		}
	}
	var ev map[string]any
	if err := json.Unmarshal(readEvent(t, conversation.LexV2, eventFile[conversation.SearchKB]), &ev); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []map[string]any{{"inputMode": "Speech"}, {"responseContentType": "audio/pcm"}} {
		for k, v := range mode {
			ev[k] = v
		}
		body, _ := json.Marshal(ev)
		resp := localeEngine(t, []string{}).Serve(context.Background(), conversation.LexV2, body)
		schematest.Validate(t, conversation.LexV2, resp.Body)
		if strings.Contains(string(resp.Body), "ImageResponseCard") {
			t.Errorf("%v: a card for a voice turn:\n%s", mode, resp.Body)
		}
		delete(ev, "inputMode")
		ev["responseContentType"] = "text/plain; charset=utf-8"
	}
}
