package i18n

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/text/currency"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
	"golang.org/x/text/number"

	"github.com/switchboard-dev/switchboard/shared/intents/spec"
)

// fallbackTag is English, the fallback language: every key exists in its catalog.
var fallbackTag = language.English

//go:embed locales/*.json
var files embed.FS

type catalogs struct {
	builder *catalog.Builder
	tags    []language.Tag // English first
	matcher language.Matcher
	keys    map[language.Tag][]string
	// tmpls holds each message compiled once, per language (read-only after parse).
	tmpls map[language.Tag]map[string]tmpl
	err   error
}

var (
	loadOnce sync.Once
	loaded   catalogs
	printers sync.Map // language.Tag → *message.Printer
	// locales caches For's answer per locale string as the platforms send it (a few
	// per deployment); bounded, since the string comes from the caller. Every turn in
	// one locale shares its Printer (read-only).
	locales     sync.Map // string → *Printer
	localeCount atomic.Int32
	// symbols caches each currency's symbol per language (valid ISO codes only).
	symbols sync.Map // symbolKey → string
	// groupSeps caches each language's digit group separator.
	groupSeps sync.Map // language.Tag → string

	// numberTags is, per message printer, the language it formats numbers in.
	numberTags sync.Map // *message.Printer → language.Tag
)

// months are the month names' message keys ("month.1" … "month.12").
var months = [12]string{"month.1", "month.2", "month.3", "month.4", "month.5", "month.6",
	"month.7", "month.8", "month.9", "month.10", "month.11", "month.12"}

// maxLocales bounds the For cache: past it, a new locale string is resolved each time.
const maxLocales = 256

type symbolKey struct {
	tag language.Tag
	iso string
}

// load parses the embedded catalogs once, on first use rather than at package
// initialisation (a Lambda's cold start does not pay for languages it never answers
// in before its first turn).
func load() *catalogs {
	loadOnce.Do(func() {
		var own []fs.FS
		for _, in := range spec.All() {
			if in.Locales != nil {
				own = append(own, in.Locales)
			}
		}
		loaded = parse(files, own...)
	})
	return &loaded
}

// parse reads the shared catalogues in fsys and merges into each language the same
// file of every intent's own catalogue (shared/intents/spec: Locales). A key defined
// in two places is an error.
func parse(fsys fs.FS, own ...fs.FS) catalogs {
	c := catalogs{builder: catalog.NewBuilder(catalog.Fallback(fallbackTag)), keys: map[language.Tag][]string{},
		tmpls: map[language.Tag]map[string]tmpl{}}
	names, err := fs.Glob(fsys, "locales/*.json")
	if err != nil {
		c.err = err
		return c
	}
	for _, name := range names {
		tag, err := language.Parse(strings.TrimSuffix(path.Base(name), ".json"))
		if err != nil {
			c.err = fmt.Errorf("i18n: %s: file name is not a language tag: %w", name, err)
			return c
		}
		raw, err := fs.ReadFile(fsys, name)
		if err != nil {
			c.err = fmt.Errorf("i18n: %w", err)
			return c
		}
		var msgs map[string]string
		if err := json.Unmarshal(raw, &msgs); err != nil {
			c.err = fmt.Errorf("i18n: %s: %w", name, err)
			return c
		}
		for _, o := range own {
			raw, err := fs.ReadFile(o, name)
			if errors.Is(err, fs.ErrNotExist) {
				continue // the completeness test says which keys the language lacks
			}
			var more map[string]string
			if err == nil {
				err = json.Unmarshal(raw, &more)
			}
			if err != nil {
				c.err = fmt.Errorf("i18n: an intent's %s: %w", name, err)
				return c
			}
			for k, v := range more {
				if _, dup := msgs[k]; dup {
					c.err = fmt.Errorf("i18n: %s: key %q is defined twice (shared and an intent's, or two intents')", name, k)
					return c
				}
				msgs[k] = v
			}
		}
		keys := make([]string, 0, len(msgs))
		tmpls := make(map[string]tmpl, len(msgs))
		for k, v := range msgs {
			if err := c.builder.SetString(tag, k, v); err != nil {
				c.err = fmt.Errorf("i18n: %s: %s: %w", name, k, err)
				return c
			}
			keys = append(keys, k)
			tmpls[k] = compile(v)
		}
		c.tmpls[tag] = tmpls
		slices.Sort(keys)
		c.keys[tag] = keys
		if tag == fallbackTag {
			c.tags = append([]language.Tag{tag}, c.tags...)
		} else {
			c.tags = append(c.tags, tag)
		}
	}
	if len(c.tags) == 0 || c.tags[0] != fallbackTag {
		c.err = fmt.Errorf("i18n: no English catalog (locales/en.json)")
		return c
	}
	c.matcher = language.NewMatcher(c.tags)
	return c
}

// catalogErr reports a broken catalog (its test calls it; replies then
// fall back to the message keys themselves).
func catalogErr() error { return load().err }

// Languages lists the languages with a catalog, English first.
func Languages() []language.Tag { return slices.Clone(load().tags) }

// Keys returns the message keys of a language's catalog, sorted.
func Keys(tag language.Tag) []string { return slices.Clone(load().keys[tag]) }

// Printer writes messages in one language.
type Printer struct {
	p   *message.Printer
	tag language.Tag
	// Requested is the locale the platform sent.
	Requested string
	// Fallback is true when Requested names a language without a catalog and the
	// Printer writes English instead.
	Fallback bool
}

// For returns the Printer for a platform's locale ("de", "de-DE", "de_DE", "pt-BR").
// An empty locale is English; a locale without a catalog is English with Fallback set.
// The Printer may be shared with other turns in the same locale: it is read-only.
func For(locale string) *Printer {
	if v, ok := locales.Load(locale); ok {
		return v.(*Printer)
	}
	pr := resolve(locale)
	if localeCount.Load() < maxLocales {
		if _, loaded := locales.LoadOrStore(locale, pr); !loaded {
			localeCount.Add(1)
		}
	}
	return pr
}

// resolve is For without the cache.
func resolve(locale string) *Printer {
	c := load()
	pr := &Printer{Requested: locale, tag: fallbackTag}
	if locale = strings.TrimSpace(locale); locale != "" && c.err == nil {
		tag, err := language.Parse(strings.ReplaceAll(locale, "_", "-"))
		_, i, conf := c.matcher.Match(tag)
		if err != nil || conf == language.No {
			pr.Fallback = true
		} else {
			pr.tag = c.tags[i]
		}
	}
	if v, ok := printers.Load(pr.tag); ok {
		pr.p = v.(*message.Printer)
		return pr
	}
	p := message.NewPrinter(pr.tag, message.Catalog(c.builder))
	printers.Store(pr.tag, p)
	pr.p = p
	return pr
}

// Language is the language the Printer writes ("en", "de", "pt-BR").
func (p *Printer) Language() string { return p.tag.String() }

// T returns the message key in the Printer's language, formatted with args as
// fmt.Sprintf would (numbers with the language's digits and separators).
//
// A message whose verbs are all %s or %[n]s, given only strings, is filled in from its
// template compiled at load (the same text x/text's printer writes, without building
// a printer per call); any other message or argument goes through x/text.
func (p *Printer) T(key string, args ...any) string {
	if s, ok := p.fill(key, args); ok {
		return s
	}
	return p.p.Sprintf(message.Key(key, key), args...)
}

// fill writes the message from its compiled template when it can (see T).
func (p *Printer) fill(key string, args []any) (string, bool) {
	c := load()
	t, ok := c.tmpls[p.tag][key]
	if !ok {
		if t, ok = c.tmpls[fallbackTag][key]; !ok {
			return "", false
		}
	}
	return t.fill(args)
}

// TS is T for string arguments, without boxing them into interfaces when the
// message's template can write it (every verb %s or %[n]s): the same text T writes
// with the same arguments.
func (p *Printer) TS(key string, args ...string) string { return p.ts(key, args...) }

// ts is TS (Money and Date call it on every turn that shows an amount or a day).
func (p *Printer) ts(key string, args ...string) string {
	c := load()
	t, ok := c.tmpls[p.tag][key]
	if !ok {
		t, ok = c.tmpls[fallbackTag][key]
	}
	if ok && t.ok && len(args) >= t.max && (t.reordered || len(args) == len(t.args)) {
		return t.fillStrings(args)
	}
	boxed := make([]any, len(args))
	for i, a := range args {
		boxed[i] = a
	}
	return p.p.Sprintf(message.Key(key, key), boxed...)
}

// tmpl is a catalog message compiled once: the literal text around its arguments,
// when every verb in it is %s or %[n]s (and %% a percent sign).
type tmpl struct {
	ok        bool
	parts     []string // literal text: parts[i] comes before args[i]; one more than args
	args      []int    // the argument (0-based) each verb writes
	max       int      // the highest argument used, plus one
	reordered bool     // an explicit index [n] appears
}

// compile parses a message the way fmt (and x/text's printer) reads its verbs.
func compile(msg string) tmpl {
	t := tmpl{}
	var lit strings.Builder
	next := 0
	for i := 0; i < len(msg); i++ {
		if msg[i] != '%' {
			lit.WriteByte(msg[i])
			continue
		}
		i++
		if i >= len(msg) {
			return tmpl{}
		}
		if msg[i] == '%' {
			lit.WriteByte('%')
			continue
		}
		if msg[i] == '[' {
			end := strings.IndexByte(msg[i:], ']')
			if end < 0 {
				return tmpl{}
			}
			n, err := strconv.Atoi(msg[i+1 : i+end])
			if err != nil || n < 1 || n > 64 {
				return tmpl{}
			}
			next, t.reordered = n-1, true
			i += end + 1
			if i >= len(msg) {
				return tmpl{}
			}
		}
		if msg[i] != 's' {
			return tmpl{}
		}
		t.parts = append(t.parts, lit.String())
		lit.Reset()
		t.args = append(t.args, next)
		next++
		t.max = max(t.max, next)
	}
	t.parts = append(t.parts, lit.String())
	t.ok = true
	return t
}

// fill writes the message with args, or reports false when x/text must: a verb the
// template does not take, an argument that is not a string, a missing argument, or
// (without explicit indexes) an extra one, which the printers write as an error.
func (t *tmpl) fill(args []any) (string, bool) {
	if !t.ok || len(args) < t.max || (!t.reordered && len(args) != len(t.args)) {
		return "", false
	}
	if len(t.args) == 0 {
		return t.parts[0], true
	}
	n := 0
	for _, s := range t.parts {
		n += len(s)
	}
	for _, a := range args {
		s, ok := a.(string)
		if !ok {
			return "", false
		}
		n += len(s)
	}
	var b strings.Builder
	b.Grow(n)
	for i, a := range t.args {
		b.WriteString(t.parts[i])
		b.WriteString(args[a].(string))
	}
	b.WriteString(t.parts[len(t.parts)-1])
	return b.String(), true
}

// fillStrings is fill for string arguments, which the caller has checked fit.
func (t *tmpl) fillStrings(args []string) string {
	if len(t.args) == 0 {
		return t.parts[0]
	}
	n := 0
	for _, s := range t.parts {
		n += len(s)
	}
	for _, a := range t.args {
		n += len(args[a])
	}
	var b strings.Builder
	b.Grow(n)
	for i, a := range t.args {
		b.WriteString(t.parts[i])
		b.WriteString(args[a])
	}
	b.WriteString(t.parts[len(t.parts)-1])
	return b.String()
}

// Stripe's zero-decimal currencies: the amount is in the unit itself.
var zeroDecimal = map[string]bool{
	"bif": true, "clp": true, "djf": true, "gnf": true, "jpy": true, "kmf": true, "krw": true,
	"mga": true, "pyg": true, "rwf": true, "ugx": true, "vnd": true, "vuv": true, "xaf": true,
	"xof": true, "xpf": true,
}

// scaleOpts are Money's number options for scale 0 and 2, made once (an option and
// its slice are allocated each time they are made).
var scaleOpts = [2][]number.Option{{number.Scale(0)}, {number.Scale(2)}}

// Money formats an amount in minor units (as Stripe and the connectors give it) for
// the language: the number with its separators, and the currency placed as the
// catalog's "format.money" says (%[1]s amount, %[2]s symbol, %[3]s ISO code, %[4]s the
// amount without grouping separators). 120000 "gbp" is "1200.00 GBP" in English (the
// form replies have always used) and "1.200,00 £" in German.
func (p *Printer) Money(minor int64, code string) string {
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
	amount := p.number(number.Decimal(v, scaleOpts[scale/2]...))
	// The amount without grouping is the amount with the language's group separator
	// taken out (x/text formats the number once rather than twice).
	plain := amount
	if sep := p.groupSeparator(); sep != "" {
		plain = strings.ReplaceAll(amount, sep, "")
	}
	symbol := iso
	if v, ok := symbols.Load(symbolKey{p.tag, iso}); ok {
		symbol = v.(string)
	} else if cur, err := currency.ParseISO(iso); err == nil {
		symbol = p.p.Sprint(currency.Symbol(cur))
		symbols.Store(symbolKey{p.tag, iso}, symbol)
	}
	return p.ts("format.money", amount, symbol, iso, plain)
}

// Decimal writes an amount in minor units as a plain decimal number in the currency's
// major unit, for data rather than reading: 120000 "gbp" is "1200.00", 500 "jpy" is
// "500" (Stripe's zero-decimal currencies).
func Decimal(minor int64, code string) string {
	if zeroDecimal[strings.ToLower(strings.TrimSpace(code))] {
		return strconv.FormatInt(minor, 10)
	}
	var buf [24]byte // "-9223372036854775.80" and room to spare
	b, abs := buf[:0], uint64(minor)
	if minor < 0 {
		b, abs = append(b, '-'), -abs
	}
	b = strconv.AppendUint(b, abs/100, 10)
	b = append(b, '.', byte('0'+abs%100/10), byte('0'+abs%10))
	return string(b)
}

// number writes f as p.p.Sprint(f) does, without a message printer per call (x/text
// builds one, and a catalog context, for every Sprint): Sprint hands f its printer as
// the state, without width, precision or flags, in the printer's language
// (numberTag), and returns what f wrote.
func (p *Printer) number(f number.Formatter) string {
	st := numStates.Get().(*numState)
	st.buf, st.tag = st.buf[:0], p.numberTag()
	f.Format(st, 'v')
	out := string(st.buf)
	numStates.Put(st)
	return out
}

// numStates are number's states, reused: Format takes one as an interface, which
// would put each on the heap.
var numStates = sync.Pool{New: func() any { return &numState{buf: make([]byte, 0, 32)} }}

// numState is the state number.Formatter.Format writes to (x/text's format.State).
type numState struct {
	buf []byte
	tag language.Tag
}

func (s *numState) Write(b []byte) (int, error) { s.buf = append(s.buf, b...); return len(b), nil }
func (s *numState) Width() (int, bool)          { return 0, false }
func (s *numState) Precision() (int, bool)      { return 0, false }
func (s *numState) Flag(int) bool               { return false }
func (s *numState) Language() language.Tag      { return s.tag }

// numberTag is the language p.p formats numbers in: message.NewPrinter matches the tag
// it is given against its catalog's, so it is asked once, through a value that reads
// the printer's language from the state Sprint formats it with.
func (p *Printer) numberTag() language.Tag {
	if v, ok := numberTags.Load(p.p); ok {
		return v.(language.Tag)
	}
	tag := p.tag
	p.p.Sprint(tagProbe{&tag})
	numberTags.Store(p.p, tag)
	return tag
}

// tagProbe records the language of the printer that formats it.
type tagProbe struct{ tag *language.Tag }

func (t tagProbe) Format(f fmt.State, _ rune) {
	if l, ok := f.(interface{ Language() language.Tag }); ok {
		*t.tag = l.Language()
	}
}

// groupSeparator is the language's digit group separator as x/text writes it ("," in
// English, "." in German), found once per language.
func (p *Printer) groupSeparator() string {
	if v, ok := groupSeps.Load(p.tag); ok {
		return v.(string)
	}
	grouped := p.p.Sprint(number.Decimal(1234567))
	plain := p.p.Sprint(number.Decimal(1234567, number.NoSeparator()))
	sep := ""
	if strings.HasPrefix(grouped, "1") && strings.HasSuffix(grouped, "567") && plain == "1234567" {
		// "1,234,567": what stands between the 1 and the 234.
		if i := strings.Index(grouped[1:], "234"); i > 0 {
			sep = grouped[1 : 1+i]
		}
	}
	groupSeps.Store(p.tag, sep)
	return sep
}

// Date formats a day (in UTC, as the tools record it) for the language:
// "15 January 2025", "15. Januar 2025".
func (p *Printer) Date(t time.Time) string {
	if t.IsZero() {
		return p.T("date.unknown")
	}
	t = t.UTC()
	return p.ts("format.date", strconv.Itoa(t.Day()), p.ts(months[t.Month()-1]), year(t.Year()))
}

// years are the years from 2000 to 2099 as text, made once (a day's year is one of
// them on nearly every turn that shows one).
var years = func() (out [100]string) {
	for i := range out {
		out[i] = strconv.Itoa(2000 + i)
	}
	return out
}()

// year is strconv.Itoa(y), without an allocation for the years in years.
func year(y int) string {
	if y >= 2000 && y < 2100 {
		return years[y-2000]
	}
	return strconv.Itoa(y)
}

// Ago says how long ago something was, the way a person would.
func (p *Printer) Ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return p.T("ago.less_than_minute")
	case d < 2*time.Minute:
		return p.T("ago.minute")
	case d < time.Hour:
		return p.T("ago.minutes", int(d/time.Minute))
	case d < 2*time.Hour:
		return p.T("ago.hour")
	case d < 48*time.Hour:
		return p.T("ago.hours", int(d/time.Hour))
	default:
		return p.T("ago.days", int(d/(24*time.Hour)))
	}
}
