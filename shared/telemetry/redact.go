package telemetry

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// Redacted replaces a value that must never be logged.
const Redacted = "[REDACTED]"

// Redactor scrubs secrets and personal data from log attributes, however nested:
//
//   - values under a sensitive key (password, secret, token, authorization, api key,
//     cookie, credential, private key, signature, card number, cvc, …) are replaced
//     whole, whatever their type;
//   - registered secret values (AddSecret) are cut out of every string;
//   - credentials recognisable by their shape are cut out of free text: Bearer/Basic
//     authorization values, key=value pairs with a sensitive key, Stripe/Slack/GitHub/
//     GitLab tokens, AWS access key ids, JWTs, PEM private keys;
//   - card numbers (13–19 digits passing the Luhn check) keep only their last four
//     digits, phone numbers their last two, e-mail addresses their first letter and
//     domain (a***@example.com).
//
// Structs, maps and slices are redacted through their JSON form (what the JSON log
// handler would print), so a field tagged `json:"email"` is treated like any other.
// Safe for concurrent use.
type Redactor struct {
	mu      sync.RWMutex
	secrets []string
	// off turns redaction off: only NewUnsafeRedactor sets it, for the test that
	// proves the leak detector sees leaks.
	off bool
}

// NewUnsafeRedactor returns a Redactor that redacts nothing. It exists for tests that
// must show their leak detector finds leaks when redaction is off; nothing in the
// configuration can select it.
func NewUnsafeRedactor() *Redactor { return &Redactor{off: true} }

// newRedactor returns a Redactor that also removes the given secret values.
func newRedactor(secrets ...string) *Redactor {
	r := &Redactor{}
	for _, s := range secrets {
		r.AddSecret(s)
	}
	return r
}

// minSecretLen keeps short strings ("test", "demo") from being registered as secrets
// and then cut out of every word that contains them.
const minSecretLen = 8

// AddSecret registers a secret value (an API key, a client secret, a password read
// from the secret store) to cut out of every logged string.
func (r *Redactor) AddSecret(s string) {
	s = strings.TrimSpace(s)
	if len(s) < minSecretLen {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, have := range r.secrets {
		if have == s {
			return
		}
	}
	r.secrets = append(r.secrets, s)
}

// AddSecrets registers every value of a fetched secret (secrets.Observe calls it with
// each secret handed out). Values are compared before taking the write lock, so a
// secret served from cache on every turn costs a read-locked scan.
func (r *Redactor) AddSecrets(values map[string]string) {
	for _, v := range values {
		if r.has(v) {
			continue
		}
		r.AddSecret(v)
		// A secret is also logged the ways a tool or a URL echoes it.
		if q := url.QueryEscape(strings.TrimSpace(v)); q != strings.TrimSpace(v) {
			r.AddSecret(q)
		}
	}
}

func (r *Redactor) has(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) < minSecretLen {
		return true
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, have := range r.secrets {
		if have == s {
			return true
		}
	}
	return false
}

// sensitiveKeyParts are matched inside a normalized key (lower case, without _ - . and
// spaces); sensitiveKeys must match the whole normalized key.
var (
	sensitiveKeyParts = []string{"password", "passwd", "secret", "token", "authorization",
		"apikey", "cookie", "credential", "privatekey", "signature", "cardnumber", "accesskey"}
	sensitiveKeys = map[string]bool{"auth": true, "pin": true, "pan": true, "cvc": true, "cvv": true,
		"cvc2": true, "cvv2": true, "ssn": true, "iban": true, "card": true, "number": false, "pwd": true,
		"xapikey": true, "proxyauthorization": true, "setcookie": true}
)

// keyCache remembers SensitiveKey's answer for the keys seen most (log attribute
// keys are mostly constants); it stops growing at maxCachedKeys because body keys
// come from the outside.
var (
	keyCache     sync.Map
	keyCacheSize atomic.Int32
)

const maxCachedKeys = 1024

// SensitiveKey reports whether values logged under key are redacted whole.
func SensitiveKey(key string) bool {
	if v, ok := keyCache.Load(key); ok {
		return v.(bool)
	}
	s := sensitiveKey(key)
	if keyCacheSize.Load() < maxCachedKeys {
		if _, loaded := keyCache.LoadOrStore(key, s); !loaded {
			keyCacheSize.Add(1)
		}
	}
	return s
}

func sensitiveKey(key string) bool {
	if len(key) < 3 {
		return false
	}
	var buf [64]byte
	n := 0
	for i := 0; i < len(key) && n < len(buf); i++ {
		c := key[i]
		switch {
		case c == '_' || c == '-' || c == '.' || c == ' ':
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		buf[n] = c
		n++
	}
	k := string(buf[:n])
	if sensitiveKeys[k] {
		return true
	}
	for _, p := range sensitiveKeyParts {
		if strings.Contains(k, p) {
			return true
		}
	}
	return false
}

// String returns s with secrets and personal data removed or masked.
func (r *Redactor) String(s string) string {
	if len(s) < 5 || r.off {
		return s
	}
	if strings.Contains(s, "://") {
		// URLs lose their query string and user info first: tools echo the request
		// URL in errors (*url.Error), and a search puts the e-mail in the query.
		s = stripURLs(s)
	}
	r.mu.RLock()
	for _, sec := range r.secrets {
		if strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, Redacted)
		}
	}
	r.mu.RUnlock()
	f := prescan(s)
	if f.credentials {
		s = redactCredentials(s)
	}
	if f.at {
		s = maskEmails(s)
	}
	if f.digits >= 7 {
		s = maskNumbers(s)
	}
	return s
}

type scanFlags struct {
	at, credentials bool
	digits          int
}

// prescan finds, in one pass, whether s could hold anything to redact: an '@', enough
// digits for a phone or card number, or the start of a credential (a key=value or
// key: value separator, an authorization scheme before a space, a PEM armour, or a
// word starting like a known token prefix). Most log strings (tool names, outcomes,
// messages) have none, and then cost only this pass.
func prescan(s string) scanFlags {
	var f scanFlags
	wordStart := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c):
			f.digits++
		case c == '@':
			f.at = true
		case c == '%' && i+2 < len(s) && s[i+1] == '4' && s[i+2] == '0':
			f.at = true // a percent-encoded '@'
		case c >= 0x80 && i+1 < len(s) && s[i] == 0xef && s[i+1] == 0xbc:
			f.at = true // a full-width '＠' (U+FF20) and its neighbours
		case c == '=' || c == ':':
			f.credentials = true
		case c == ' ' && i >= 5:
			// "Bearer x", "Basic x", "Token x": the word before the space.
			switch s[i-1] | 0x20 {
			case 'r', 'c', 'n':
				if hasSchemeSuffix(s[max(0, i-6):i]) {
					f.credentials = true
				}
			}
		case c == '-' && strings.HasPrefix(s[i:], "-----"):
			f.credentials = true
		}
		if wordStart && !f.credentials {
			for _, p := range prefixesByFirst[c] {
				if strings.HasPrefix(s[i:], p) {
					f.credentials = true
					break
				}
			}
		}
		wordStart = !tokenChar(c)
	}
	return f
}

func hasSchemeSuffix(w string) bool {
	for _, scheme := range [...]string{"bearer", "basic", "token"} {
		if len(w) >= len(scheme) && strings.EqualFold(w[len(w)-len(scheme):], scheme) {
			return true
		}
	}
	return false
}

// Attr returns a with its value redacted, and whether anything changed.
func (r *Redactor) Attr(a slog.Attr) (slog.Attr, bool) {
	if r.off {
		return a, false
	}
	if SensitiveKey(a.Key) {
		return slog.String(a.Key, Redacted), true
	}
	v, changed := r.value(a.Value)
	if !changed {
		return a, false
	}
	return slog.Attr{Key: a.Key, Value: v}, true
}

// Attrs redacts each attribute, returning as (unchanged) when nothing needed it.
func (r *Redactor) Attrs(as []slog.Attr) []slog.Attr {
	var out []slog.Attr
	for i, a := range as {
		ra, changed := r.Attr(a)
		if changed && out == nil {
			out = append(make([]slog.Attr, 0, len(as)), as[:i]...)
		}
		if out != nil {
			out = append(out, ra)
		}
	}
	if out == nil {
		return as
	}
	return out
}

func (r *Redactor) value(v slog.Value) (slog.Value, bool) {
	resolved := false
	if v.Kind() == slog.KindLogValuer {
		v = v.Resolve()
		resolved = true
	}
	switch v.Kind() {
	case slog.KindString:
		s := v.String()
		if rs := r.String(s); rs != s {
			return slog.StringValue(rs), true
		}
	case slog.KindGroup:
		as := v.Group()
		if ras := r.Attrs(as); len(as) > 0 && &ras[0] != &as[0] {
			return slog.GroupValue(ras...), true
		}
	case slog.KindAny:
		if nv, changed := r.anyValue(v.Any()); changed {
			return nv, true
		}
	}
	return v, resolved
}

// anyValue redacts a value of kind Any: errors by their message, byte slices as JSON
// or text, everything else through its JSON encoding.
func (r *Redactor) anyValue(x any) (slog.Value, bool) {
	switch t := x.(type) {
	case nil, bool, float32, float64, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return slog.AnyValue(x), false
	case error:
		return slog.StringValue(r.String(t.Error())), true
	case json.RawMessage:
		return r.bytesValue(t), true
	case []byte:
		return r.bytesValue(t), true
	}
	raw, err := json.Marshal(x)
	if err != nil {
		return slog.StringValue("[unloggable value]"), true
	}
	return r.bytesValue(raw), true
}

func (r *Redactor) bytesValue(b []byte) slog.Value {
	var tree any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&tree); err != nil || dec.More() {
		return slog.StringValue(r.String(string(b)))
	}
	return slog.AnyValue(r.Tree(tree))
}

// Tree redacts a decoded JSON value (map[string]any, []any, string, json.Number, …) in
// place where it can and returns it.
func (r *Redactor) Tree(x any) any {
	if r.off {
		return x
	}
	switch t := x.(type) {
	case map[string]any:
		for k, v := range t {
			if SensitiveKey(k) {
				t[k] = Redacted
				continue
			}
			t[k] = r.Tree(v)
		}
		return t
	case []any:
		for i, v := range t {
			t[i] = r.Tree(v)
		}
		return t
	case string:
		return r.String(t)
	case json.Number:
		s := string(t)
		if strings.ContainsAny(s, ".eE") {
			return t
		}
		if m := maskNumbers(s); m != s {
			return m
		}
		return t
	}
	return x
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlnum(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// tokenChar is a character of an opaque credential (base64, base64url, hex, ids).
func tokenChar(c byte) bool {
	return isAlnum(c) || c == '_' || c == '-' || c == '.' || c == '=' || c == '+' || c == '/' || c == '~'
}

// credentialPrefixes start tokens whose shape gives them away.
var credentialPrefixes = []string{
	"sk_live_", "sk_test_", "rk_live_", "rk_test_", "whsec_", // Stripe
	"xoxb-", "xoxp-", "xoxa-", "xoxs-", "xapp-", // Slack
	"ghp_", "gho_", "ghs_", "ghu_", "github_pat_", "glpat-", // GitHub, GitLab
	"AKIA", "ASIA", // AWS access key ids
	"eyJ", // JWTs (a base64url JSON header)
	"00D", // Salesforce session ids (org id prefix), checked for length below
}

// prefixesByFirst indexes credentialPrefixes by their first byte.
var prefixesByFirst = func() (idx [256][]string) {
	for _, p := range credentialPrefixes {
		idx[p[0]] = append(idx[p[0]], p)
	}
	return idx
}()

var authSchemes = []string{"Bearer ", "bearer ", "BEARER ", "Basic ", "basic ", "BASIC ", "Token ", "token "}

// redactCredentials removes authorization values, sensitive key=value pairs, PEM
// private keys and tokens recognisable by their prefix.
func redactCredentials(s string) string {
	if i := strings.Index(s, "-----BEGIN"); i >= 0 && strings.Contains(s[i:], "PRIVATE KEY") {
		end := strings.Index(s[i:], "-----END")
		if end < 0 {
			return s[:i] + Redacted
		}
		rest := s[i+end+len("-----END"):]
		if j := strings.Index(rest, "-----"); j >= 0 {
			rest = rest[j+5:]
		} else {
			rest = ""
		}
		s = s[:i] + Redacted + redactCredentials(rest)
	}
	for _, scheme := range authSchemes {
		for from := 0; ; {
			i := strings.Index(s[from:], scheme)
			if i < 0 {
				break
			}
			start := from + i + len(scheme)
			end := start
			for end < len(s) && tokenChar(s[end]) {
				end++
			}
			if end-start >= 6 && s[start:end] != Redacted {
				s = s[:start] + Redacted + s[end:]
				end = start + len(Redacted)
			}
			from = end
		}
	}
	s = redactKeyValues(s)
	for _, p := range credentialPrefixes {
		for from := 0; ; {
			i := strings.Index(s[from:], p)
			if i < 0 {
				break
			}
			start := from + i
			end := start + len(p)
			for end < len(s) && tokenChar(s[end]) {
				end++
			}
			if (start == 0 || !tokenChar(s[start-1])) && credentialShape(p, s[start:end]) {
				s = s[:start] + Redacted + s[end:]
				end = start + len(Redacted)
			}
			from = end
		}
	}
	return s
}

func credentialShape(prefix, tok string) bool {
	switch prefix {
	case "AKIA", "ASIA":
		if len(tok) != 20 {
			return false
		}
		for i := 4; i < 20; i++ {
			if c := tok[i]; !(c >= 'A' && c <= 'Z') && !isDigit(c) {
				return false
			}
		}
		return true
	case "eyJ":
		return strings.Count(tok, ".") == 2 && len(tok) >= 20
	case "00D":
		return len(tok) >= 40 && strings.Contains(tok, "!")
	}
	return len(tok) > len(prefix)+4
}

// redactKeyValues removes the value of key=value / key: value pairs (query strings,
// headers, log text) whose key is sensitive.
func redactKeyValues(s string) string {
	for from := 0; from < len(s); {
		i := strings.IndexAny(s[from:], "=:")
		if i < 0 {
			break
		}
		sep := from + i
		// The key is the identifier just before the separator (allowing a closing quote).
		kEnd := sep
		if kEnd > 0 && (s[kEnd-1] == '"' || s[kEnd-1] == '\'') {
			kEnd--
		}
		kStart := kEnd
		for kStart > 0 && (isAlnum(s[kStart-1]) || s[kStart-1] == '_' || s[kStart-1] == '-') {
			kStart--
		}
		vStart := sep + 1
		for vStart < len(s) && (s[vStart] == ' ' || s[vStart] == '"' || s[vStart] == '\'') {
			vStart++
		}
		vEnd := vStart
		for vEnd < len(s) && s[vEnd] != '&' && s[vEnd] != ' ' && s[vEnd] != '"' && s[vEnd] != '\'' && s[vEnd] != ',' && s[vEnd] != ';' && s[vEnd] != '}' {
			vEnd++
		}
		if kEnd > kStart && vEnd > vStart && SensitiveKey(s[kStart:kEnd]) && s[vStart:vEnd] != Redacted {
			// "Authorization: Bearer x" keeps the scheme name out of the way.
			if s[vStart:vEnd] == "Bearer" || s[vStart:vEnd] == "Basic" {
				from = vEnd
				continue
			}
			s = s[:vStart] + Redacted + s[vEnd:]
			from = vStart + len(Redacted)
			continue
		}
		// A harmless key's value may itself hold a pair ("key: password=x"): scan on
		// from just after this separator, not after the value.
		from = sep + 1
	}
	return s
}

// emailLocal is a byte of an address's local part: RFC 5322 atext (less / = ? &, which
// are rare in addresses and common around them in URLs and key=value text), dots,
// percent-encodings, and any non-ASCII byte (internationalized addresses, RFC 6531).
func emailLocal(c byte) bool {
	if isAlnum(c) || c >= 0x80 {
		return true
	}
	switch c {
	case '.', '_', '%', '+', '-', '!', '#', '$', '\'', '*', '^', '`', '{', '|', '}', '~':
		return true
	}
	return false
}

func emailDomain(c byte) bool { return isAlnum(c) || c == '.' || c == '-' || c >= 0x80 }

// atSign reports the length of an '@' at s[i]: 1 for '@', 3 for "%40", 3 for a
// full-width '＠' (U+FF20); 0 when there is none.
func atSign(s string, i int) int {
	switch {
	case s[i] == '@':
		return 1
	case s[i] == '%' && i+2 < len(s) && s[i+1] == '4' && s[i+2] == '0':
		return 3
	case s[i] == 0xef && i+2 < len(s) && s[i+1] == 0xbc && s[i+2] == 0xa0:
		return 3
	}
	return 0
}

// maskEmails keeps the first character of the local part and the domain of every
// e-mail address: jane.doe@example.com → j***@example.com.
func maskEmails(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		at := atSign(s, i)
		if at == 0 {
			continue
		}
		ls := i
		for ls > last && emailLocal(s[ls-1]) {
			ls--
		}
		de := i + at
		for de < len(s) && emailDomain(s[de]) {
			de++
		}
		for de > i+at && (s[de-1] == '.' || s[de-1] == '-') {
			de--
		}
		domain := s[i+at : de]
		dot := strings.LastIndexByte(domain, '.')
		if dot < 0 {
			// An internationalized domain may use the ideographic full stop.
			dot = strings.LastIndex(domain, "。")
		}
		if ls == i || dot <= 0 || dot >= len(domain)-1 {
			continue
		}
		if b.Len() == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[last:ls])
		// The first character, whole (a multi-byte letter, or the 3 bytes of %XX).
		first := s[ls : ls+1]
		if _, n := utf8.DecodeRuneInString(s[ls:]); n > 1 {
			first = s[ls : ls+n]
		} else if s[ls] == '%' && ls+3 <= i {
			first = s[ls : ls+3]
		}
		b.WriteString(first)
		b.WriteString("***@")
		b.WriteString(domain)
		last = de
		i = de - 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// stripURLs removes the query string (and fragment) and the user info of every URL
// in s: scheme://user:pass@host/path?q=x#f → scheme://host/path?[REDACTED].
func stripURLs(s string) string {
	var b strings.Builder
	last := 0
	for from := 0; ; {
		j := strings.Index(s[from:], "://")
		if j < 0 {
			break
		}
		sep := from + j
		start := sep
		for start > 0 && (isAlnum(s[start-1]) || s[start-1] == '+' || s[start-1] == '-' || s[start-1] == '.') {
			start--
		}
		end := sep + 3
		for end < len(s) && urlChar(s[end]) {
			end++
		}
		if start == sep || start < last {
			from = sep + 3
			continue
		}
		u := s[start:end]
		rest := u[sep-start+3:]
		authority, path := rest, ""
		if k := strings.IndexAny(rest, "/?#"); k >= 0 {
			authority, path = rest[:k], rest[k:]
		}
		if at := strings.LastIndexByte(authority, '@'); at >= 0 {
			authority = authority[at+1:]
		}
		if k := strings.IndexAny(path, "?#"); k >= 0 {
			path = path[:k] + "?" + Redacted
		}
		b.WriteString(s[last:start])
		b.WriteString(s[start : sep+3])
		b.WriteString(authority)
		b.WriteString(path)
		last = end
		from = end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// urlChar is a byte that can be part of a URL as logged (RFC 3986 unreserved,
// reserved and percent; non-ASCII for IRIs). Quotes, spaces, angle brackets and
// backslashes end it.
func urlChar(c byte) bool {
	if isAlnum(c) || c >= 0x80 {
		return true
	}
	return strings.IndexByte("-._~:/?#[]@!$&()*+,;=%", c) >= 0
}

// maskNumbers masks card numbers (13–19 digits passing the Luhn check, spaces or
// dashes allowed between groups) and phone numbers (a leading + and 8–15 digits, or
// 10–15 digits). Dates and IPv4 addresses are left alone.
func maskNumbers(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isDigit(c) || c == '+' || c == '(') || (i > 0 && (isDigit(s[i-1]) || ((c == '+' || c == '(') && isAlnum(s[i-1])))) {
			continue
		}
		// A run glued to letters ("tel4155550132", "card4111111111111111x") is part of
		// a token: masked only when it is long enough to be a phone or card number.
		glued := i > 0 && (isAlnum(s[i-1]) || s[i-1] == '_')
		end, digits, seps, dotsOnly := scanNumber(s, i)
		glued = glued || (end < len(s) && (isAlnum(s[end]) || s[end] == '_'))
		if digits < 7 || (glued && (digits < 10 || seps > 0)) {
			if end > i {
				i = end - 1
			}
			continue
		}
		run := s[i:end]
		var repl string
		ds := onlyDigits(run)
		switch {
		case digits >= 13 && digits <= 19 && luhn(ds):
			repl = "[card ****" + ds[len(ds)-4:] + "]"
		case looksLikeDate(run) || (dotsOnly && seps == 3 && digits <= 12):
		case (run[0] == '+' && digits >= 8 && digits <= 15) || (digits >= 10 && digits <= 15):
			repl = "[phone ***" + ds[len(ds)-2:] + "]"
		}
		if repl != "" {
			if b.Len() == 0 {
				b.Grow(len(s))
			}
			b.WriteString(s[last:i])
			b.WriteString(repl)
			last = end
		}
		i = end - 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// scanNumber reads a run of digits and single separators starting at i. It returns
// where the run ends (trailing separators excluded), its digit count, the number of
// separators and whether every separator is a dot.
func scanNumber(s string, i int) (end, digits, seps int, dotsOnly bool) {
	dotsOnly = true
	j := i
	if s[j] == '+' {
		j++
	}
	end = j
	prevSep := true
	pending, pendingNonDot := 0, false // separators not yet followed by a digit
	for ; j < len(s); j++ {
		c := s[j]
		switch {
		case isDigit(c):
			digits++
			seps += pending
			dotsOnly = dotsOnly && !pendingNonDot
			pending, pendingNonDot = 0, false
			prevSep = false
			end = j + 1
		case (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') && (!prevSep || c == '(' || (c == ' ' && j > 0 && s[j-1] == ')')):
			pending++
			pendingNonDot = pendingNonDot || c != '.'
			prevSep = c != ')'
		default:
			return end, digits, seps, dotsOnly
		}
	}
	return end, digits, seps, dotsOnly
}

func onlyDigits(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			b = append(b, s[i])
		}
	}
	return string(b)
}

// looksLikeDate matches 2024-05-01 and 2024-05-01 12 (a date before a time).
func looksLikeDate(run string) bool {
	return len(run) >= 10 && isDigit(run[0]) && isDigit(run[3]) && run[4] == '-' && run[7] == '-' && isDigit(run[9])
}

// luhn reports whether the digit string passes the Luhn checksum.
func luhn(ds string) bool {
	sum := 0
	double := false
	for i := len(ds) - 1; i >= 0; i-- {
		d := int(ds[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}
