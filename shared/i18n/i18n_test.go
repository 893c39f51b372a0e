package i18n

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"golang.org/x/text/currency"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
	"golang.org/x/text/number"

	// The intents' own catalogues (shared/intents/<name>/locales), merged by load:
	// every test here covers them too.
	_ "github.com/switchboard-dev/switchboard/shared/intents/all"
)

// TestCatalogsHaveEveryEnglishKey fails when a language's catalog lacks a key English
// has (or has one English lacks), or uses other arguments than English does for it.
func TestCatalogsHaveEveryEnglishKey(t *testing.T) {
	if err := catalogErr(); err != nil {
		t.Fatal(err)
	}
	langs := Languages()
	if len(langs) < 5 {
		t.Fatalf("languages = %v, want at least en, de, fr, es, pt-BR", langs)
	}
	en := Keys(fallbackTag)
	if len(en) == 0 {
		t.Fatal("English catalog is empty")
	}
	enMsgs := messages(t, "en")
	for _, tag := range langs[1:] {
		keys := Keys(tag)
		for _, k := range en {
			if !slices.Contains(keys, k) {
				t.Errorf("%s: missing key %q", tag, k)
			}
		}
		for _, k := range keys {
			if !slices.Contains(en, k) {
				t.Errorf("%s: key %q is not in the English catalog", tag, k)
			}
		}
		msgs := messages(t, tag.String())
		for k, v := range msgs {
			if want, got := args(enMsgs[k]), args(v); !slices.Equal(want, got) && k != "format.money" {
				t.Errorf("%s: %q uses arguments %v, English uses %v", tag, k, got, want)
			}
		}
	}
}

func messages(t *testing.T, lang string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, k := range Keys(language.MustParse(lang)) {
		out[k] = printerFor(t, lang).T(k, marks[0], marks[1], marks[2], marks[3], marks[4])
	}
	return out
}

func printerFor(t *testing.T, lang string) *Printer {
	t.Helper()
	p := For(lang)
	if p.Fallback {
		t.Fatalf("%s fell back to English", lang)
	}
	return p
}

// marks stand for the arguments; no catalog text contains them.
var marks = []string{"\u29831\u2984", "\u29832\u2984", "\u29833\u2984", "\u29834\u2984", "\u29835\u2984"}

// args lists which placeholders a message's raw text uses, by reading the message
// back with marked arguments.
func args(formatted string) []string {
	var out []string
	for _, a := range marks {
		if strings.Contains(formatted, a) {
			out = append(out, a)
		}
	}
	return out
}

func TestForMatchesLocales(t *testing.T) {
	for _, tt := range []struct {
		locale, lang string
		fallback     bool
	}{
		{"", "en", false},
		{"en", "en", false},
		{"en-US", "en", false},
		{"en_GB", "en", false},
		{"de", "de", false},
		{"de-DE", "de", false},
		{"de_AT", "de", false},
		{"fr-CA", "fr", false},
		{"es-419", "es", false},
		{"es_US", "es", false},
		{"pt-BR", "pt-BR", false},
		{"pt_BR", "pt-BR", false},
		{"ja-JP", "en", true},
		{"zh", "en", true},
		{"not a locale!", "en", true},
	} {
		p := For(tt.locale)
		if p.Language() != tt.lang || p.Fallback != tt.fallback {
			t.Errorf("For(%q) = %s fallback %v, want %s fallback %v", tt.locale, p.Language(), p.Fallback, tt.lang, tt.fallback)
		}
	}
}

func TestMoneyAndDates(t *testing.T) {
	day := time.Date(2025, 1, 15, 10, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		lang        string
		minor       int64
		cur         string
		money, date string
	}{
		{"en", 4900, "usd", "49.00 USD", "15 January 2025"},
		{"en", 120000, "gbp", "1200.00 GBP", "15 January 2025"},
		{"en", 1200, "jpy", "1200 JPY", "15 January 2025"},
		{"de", 120000, "gbp", "1.200,00 £", "15. Januar 2025"},
		{"de", 4900, "eur", "49,00 €", "15. Januar 2025"},
		{"es", 120000, "eur", "1.200,00 €", "15 de enero de 2025"},
		{"pt-BR", 120000, "brl", "R$ 1.200,00", "15 de janeiro de 2025"},
		{"fr", 4900, "eur", "49,00 €", "15 janvier 2025"},
		{"de", -4900, "eur", "-49,00 €", "15. Januar 2025"},
		{"de", 4900, "xyz", "49,00 XYZ", "15. Januar 2025"},
	} {
		p := For(tt.lang)
		if got := p.Money(tt.minor, tt.cur); got != tt.money {
			t.Errorf("%s Money(%d, %s) = %q, want %q", tt.lang, tt.minor, tt.cur, got, tt.money)
		}
		if got := p.Date(day); got != tt.date {
			t.Errorf("%s Date = %q, want %q", tt.lang, got, tt.date)
		}
	}
	if got := For("de").Date(time.Time{}); got != "einem unbekannten Datum" {
		t.Errorf("zero date = %q", got)
	}
}

func TestAgo(t *testing.T) {
	for _, tt := range []struct {
		lang string
		d    time.Duration
		want string
	}{
		{"en", 30 * time.Second, "less than a minute ago"},
		{"en", 12 * time.Minute, "12 minutes ago"},
		{"en", 3 * time.Hour, "3 hours ago"},
		{"de", 12 * time.Minute, "vor 12 Minuten"},
		{"de", 72 * time.Hour, "vor 3 Tagen"},
	} {
		if got := For(tt.lang).Ago(tt.d); got != tt.want {
			t.Errorf("%s Ago(%v) = %q, want %q", tt.lang, tt.d, got, tt.want)
		}
	}
}

// A catalog file for a new language is all it takes to answer in it.
func TestNewLanguageIsOneFile(t *testing.T) {
	fsys := fstest.MapFS{
		"locales/en.json": {Data: []byte(`{"hello": "Hello %[1]s"}`)},
		"locales/it.json": {Data: []byte(`{"hello": "Ciao %[1]s"}`)},
	}
	c := parse(fsys)
	if c.err != nil {
		t.Fatal(c.err)
	}
	if len(c.tags) != 2 || c.tags[0] != fallbackTag || c.tags[1] != language.Italian {
		t.Fatalf("tags = %v", c.tags)
	}
	bad := parse(fstest.MapFS{"locales/de.json": {Data: []byte(`{}`)}})
	if bad.err == nil {
		t.Error("catalogs without English accepted")
	}
	bad = parse(fstest.MapFS{"locales/en.json": {Data: []byte(`{"a": 1}`)}})
	if bad.err == nil {
		t.Error("a non-string message accepted")
	}
}

// TestIntentCatalogsMerge: an intent's catalogue adds its keys to each language of the
// shared one; a key defined twice is an error, not a silent override; the intents'
// keys are in the loaded catalogues.
func TestIntentCatalogsMerge(t *testing.T) {
	shared := fstest.MapFS{
		"locales/en.json": {Data: []byte(`{"hello": "Hello %[1]s"}`)},
		"locales/de.json": {Data: []byte(`{"hello": "Hallo %[1]s"}`)},
	}
	own := fstest.MapFS{
		"locales/en.json": {Data: []byte(`{"bye": "Bye"}`)},
		"locales/de.json": {Data: []byte(`{"bye": "Tschüss"}`)},
	}
	c := parse(shared, own)
	if c.err != nil {
		t.Fatal(c.err)
	}
	if !slices.Equal(c.keys[language.German], []string{"bye", "hello"}) {
		t.Fatalf("German keys %v", c.keys[language.German])
	}
	dup := fstest.MapFS{"locales/en.json": {Data: []byte(`{"hello": "Hi"}`)}}
	if c := parse(shared, own, dup); c.err == nil || !strings.Contains(c.err.Error(), "defined twice") {
		t.Errorf("a key defined twice: %v", c.err)
	}
	for _, k := range []string{"ticket.created", "lookup.found", "payment.paid", "kb.heading", "update.done"} {
		if !slices.Contains(Keys(fallbackTag), k) || !slices.Contains(Keys(language.German), k) {
			t.Errorf("the intents' key %q is not loaded", k)
		}
	}
}

// TestTemplatesWriteWhatXTextWrites: every message of every language, filled from its
// compiled template, is the text x/text's printer writes for the same arguments (strings
// holding verbs, markup and non-ASCII included); the messages that take numbers go
// through x/text.
func TestTemplatesWriteWhatXTextWrites(t *testing.T) {
	c := load()
	if c.err != nil {
		t.Fatal(c.err)
	}
	values := []string{"%d %s %[1]s", "Zoë <b>&</b>", "", "49.00 USD", "ticket #42"}
	filled := 0
	for _, tag := range c.tags {
		p := For(tag.String())
		for _, key := range c.keys[fallbackTag] {
			for n := 0; n <= 5; n++ {
				args := make([]any, n)
				for i := range args {
					args[i] = values[(i+n)%len(values)]
				}
				want := p.p.Sprintf(message.Key(key, key), args...)
				if got := p.T(key, args...); got != want {
					t.Errorf("%s %s with %d args: %q, x/text writes %q", tag, key, n, got, want)
				}
				if _, ok := p.fill(key, args); ok {
					filled++
				}
				strs := make([]string, n)
				for i := range strs {
					strs[i] = args[i].(string)
				}
				if got := p.TS(key, strs...); got != want {
					t.Errorf("%s %s with %d string args: TS writes %q, x/text writes %q", tag, key, n, got, want)
				}
			}
		}
	}
	if filled == 0 {
		t.Fatal("no message was filled from its template")
	}
	// Numbers are the language's (x/text): never filled from a template.
	if _, ok := For("de").fill("ago.minutes", []any{1200}); ok {
		t.Error("a number argument was filled from a template")
	}
	if got := For("de").T("ago.minutes", 1200); got != "vor 1.200 Minuten" {
		t.Errorf("de ago.minutes 1200 = %q", got)
	}
}

// TestCompileAsPrinter: messages with every form the template takes (and some it does
// not) give the text x/text's printer gives.
func TestCompileAsPrinter(t *testing.T) {
	b := catalog.NewBuilder()
	msgs := []string{"plain", "100%% sure", "%s and %s", "%[2]s before %[1]s", "%[2]s then %s", "%[1]s %[1]s",
		"%5s padded", "%q quoted", "%v any", "trailing %", "%[x]s bad index", "%[1] no verb", "%[3]s only the third"}
	for i, m := range msgs {
		if err := b.SetString(fallbackTag, strconv.Itoa(i), m); err != nil {
			t.Fatal(err)
		}
	}
	xp := message.NewPrinter(fallbackTag, message.Catalog(b))
	for i, m := range msgs {
		tm := compile(m)
		for n := 0; n <= 4; n++ {
			args := make([]any, n)
			for j := range args {
				args[j] = "a" + strconv.Itoa(j+1)
			}
			got, ok := tm.fill(args)
			if !ok {
				continue
			}
			if want := xp.Sprintf(message.Key(strconv.Itoa(i), m), args...); got != want {
				t.Errorf("%q with %d args: %q, x/text writes %q", m, n, got, want)
			}
		}
	}
	if compile("%5s padded").ok || compile("%q quoted").ok || compile("trailing %").ok {
		t.Error("a verb the template does not take was compiled")
	}
}

func BenchmarkT(b *testing.B) {
	p := For("de-DE")
	day := time.Date(2025, 1, 15, 10, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		_ = For("de-DE")
		_ = p.T("reply.apology", "support@example.com")
		_ = p.Money(120000, "gbp")
		_ = p.Date(day)
	}
}

// TestFormattersBuiltOnce: a language's formatters are built once and reused — a
// message without arguments, a locale already seen and a currency symbol cost no
// formatting per call (allocations are counted, not time).
func TestFormattersBuiltOnce(t *testing.T) {
	locale := strings.Repeat("de-DE", 1) // not a constant: as a platform sends it
	p := For(locale)
	for name, tc := range map[string]struct {
		f   func()
		max float64
	}{
		"message without arguments": {func() { _ = p.T("month.1") }, 0},
		"message with strings":      {func() { _ = p.T("reply.apology", locale) }, 3},
		"message with strings (TS)": {func() { _ = p.TS("reply.apology", locale) }, 1},
		"locale seen before":        {func() { _ = For(locale) }, 0},
		"decimal":                   {func() { _ = Decimal(120000, "gbp") }, 1},
		"date":                      {func() { _ = p.Date(time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC)) }, 1},
		"money":                     {func() { _ = p.Money(120000, "gbp") }, 9},
	} {
		if n := testing.AllocsPerRun(50, tc.f); n > tc.max {
			t.Errorf("%s: %v allocations per call, want at most %v", name, n, tc.max)
		}
	}
}

// moneyBefore is Money as it was written before the amount was formatted once: the
// reference the faster one is held to.
func moneyBefore(p *Printer, minor int64, code string) string {
	lower := strings.ToLower(strings.TrimSpace(code))
	iso := strings.ToUpper(lower)
	scale := 2
	if zeroDecimal[lower] {
		scale = 0
	}
	v := float64(minor)
	if scale == 2 {
		v /= 100
	}
	amount := p.p.Sprint(number.Decimal(v, number.Scale(scale)))
	plain := p.p.Sprint(number.Decimal(v, number.Scale(scale), number.NoSeparator()))
	symbol := iso
	if cur, err := currency.ParseISO(iso); err == nil {
		symbol = p.p.Sprint(currency.Symbol(cur))
	}
	return p.p.Sprintf(message.Key("format.money", "format.money"), amount, symbol, iso, plain)
}

// TestMoneyAsBefore: every language writes every amount as it did when x/text formatted
// the amount twice and the symbol each time.
func TestMoneyAsBefore(t *testing.T) {
	amounts := []int64{0, 1, -1, 5, 99, 100, 4900, 99999, 100000, 120000, -120000, 123456789, -987654321, 100000000000, 1 << 53}
	for _, tag := range load().tags {
		p := For(tag.String())
		for _, cur := range []string{"usd", "EUR", " gbp ", "jpy", "krw", "brl", "chf", "xyz", ""} {
			for _, m := range amounts {
				if got, want := p.Money(m, cur), moneyBefore(p, m, cur); got != want {
					t.Errorf("%s Money(%d, %q) = %q, before %q", tag, m, cur, got, want)
				}
			}
		}
	}
}

// Decimal writes an amount as data: the major unit with the currency's decimals.
func TestDecimal(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		minor int64
		code  string
		want  string
	}{
		{120000, "gbp", "1200.00"}, {5, "EUR", "0.05"}, {-1999, "usd", "-19.99"}, {500, "jpy", "500"}, {0, "usd", "0.00"},
	} {
		if got := Decimal(c.minor, c.code); got != c.want {
			t.Errorf("Decimal(%d, %q) = %q, want %q", c.minor, c.code, got, c.want)
		}
	}
}

// TestDecimalEdges: Decimal's text at the edges of int64 and of the cents.
func TestDecimalEdges(t *testing.T) {
	for _, tc := range []struct {
		minor int64
		code  string
		want  string
	}{
		{0, "usd", "0.00"}, {5, "usd", "0.05"}, {-5, "usd", "-0.05"}, {100, "usd", "1.00"}, {120000, "GBP", "1200.00"},
		{-123456, "eur", "-1234.56"}, {math.MaxInt64, "usd", "92233720368547758.07"},
		{math.MinInt64, "usd", "-92233720368547758.08"}, {500, "jpy", "500"}, {-7, " JPY ", "-7"},
	} {
		if got := Decimal(tc.minor, tc.code); got != tc.want {
			t.Errorf("Decimal(%d, %q) = %q, want %q", tc.minor, tc.code, got, tc.want)
		}
	}
}

// TestDateYears: a day's year is written as strconv writes it, inside and outside the
// years made once.
func TestDateYears(t *testing.T) {
	p := For("en")
	for _, y := range []int{1, 999, 1999, 2000, 2025, 2099, 2100, 12345} {
		want := p.TS("format.date", "15", p.T("month.1"), strconv.Itoa(y))
		if got := p.Date(time.Date(y, 1, 15, 12, 0, 0, 0, time.UTC)); got != want {
			t.Errorf("year %d: %q, want %q", y, got, want)
		}
	}
}
