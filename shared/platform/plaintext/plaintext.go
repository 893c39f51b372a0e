// Package plaintext keeps text that comes from business tools and callers (ticket
// subjects, article titles and snippets, names, descriptions) plain text on every chat
// channel: no markup, no link, no HTML, whatever the channel renders. Its rules are
// the one place where Switchboard decides how such text is neutralised; the intents
// apply Inert where they quote tool text in a message, and the platform adapters
// apply Inert, Markdown and Link where they lay rich replies out.
//
// What each channel renders, and so which rule it needs, is written down in
// docs/platforms/*.md ("What the channel renders").
package plaintext

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// WordJoiner (U+2060) is inserted where a markup construct would start. It is
// invisible, zero-width, never a line break, and silent in speech, and it is neither
// an ASCII letter nor whitespace nor punctuation, which is what breaks the constructs:
// an HTML tag or entity, a Markdown inline link or image, an angle-bracket or bare-URL
// autolink, and a Markdown block (heading, quote, list) at the start of a field.
const WordJoiner = "\u2060"

// Inert returns s as one line of text that no channel turns into markup, with every
// visible character kept: runs of whitespace and control characters become one space,
// and a word joiner is inserted
//
//   - after "<" followed by a letter, "/", "!" or "?" (an HTML tag, comment or
//     declaration, or a Markdown autolink "<https://…>"),
//   - after "&" followed by a letter or "#" (an HTML or Markdown entity: "&lt;"),
//   - between "]" and "(" or "[" (a Markdown inline link or image "[x](url)", "![x](url)",
//     or a reference link),
//   - between "://" 's colon and slashes and after "www" before "." (a bare URL that
//     GFM, the Lex web UI and most chat clients turn into a link),
//   - before a first character that would open a Markdown block at the start of a
//     line ("#", ">", "-", "+", "*", "=", "|", "`", "~", or digits then "." or ")").
//
// "Can't log in (2 < 3)" is unchanged. Inert is idempotent.
//
// A text that needs no change (most names, plans and titles) is returned as it is,
// without a copy.
func Inert(s string) string {
	s = oneLine(s)
	if s == "" {
		return ""
	}
	// The output is built only from the first insertion on: s[last:p] is copied, then
	// the word joiner.
	var b strings.Builder
	last := 0
	insert := func(p int) {
		if b.Cap() == 0 {
			b.Grow(len(s) + 8)
		}
		b.WriteString(s[last:p])
		b.WriteString(WordJoiner)
		last = p
	}
	if opensBlock(s) {
		insert(0)
	}
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		rest := s[i+n:]
		switch r {
		case '<':
			if c, ok := next(rest); ok && (isASCIILetter(c) || c == '/' || c == '!' || c == '?') {
				insert(i + n)
			}
		case '&':
			if c, ok := next(rest); ok && (isASCIILetter(c) || c == '#') {
				insert(i + n)
			}
		case ']':
			if c, ok := next(rest); ok && (c == '(' || c == '[') {
				insert(i + n)
			}
		case ':':
			if strings.HasPrefix(rest, "//") {
				insert(i + n)
			}
		case 'w', 'W':
			if (i == 0 || !isWordByte(s[i-1])) && len(rest) >= 3 && strings.EqualFold(rest[:2], "ww") && rest[2] == '.' {
				n += 2
				insert(i + n)
			}
		}
		i += n
	}
	if b.Cap() == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// Markdown backslash-escapes, in a text that goes to a channel rendering CommonMark
// or GFM (Dialogflow CX Messenger text, Rasa webchat), the characters that would
// still style it once Inert has run: emphasis and strong ("*", "_" at a word's edge),
// code spans ("`"), strikethrough ("~"), brackets ("[", "]") and a backslash before
// punctuation. The renderer shows each escaped character as itself. A delimiter
// without a partner in the text, "_" inside a word (snake_case) and everything else
// are left as they are, so ordinary text reads the same on a channel that does not
// render Markdown. Apply it once, to the whole text as sent.
func Markdown(s string) string {
	if !strings.ContainsAny(s, "*`~[]_\\") {
		return s // nothing the loop below would escape: no copy
	}
	// A delimiter styles only with a partner: a lone "*", "_", "~" or "`" (or a "["
	// without a "]") is shown as itself and is left alone.
	paired := func(c string) bool { return strings.Count(s, c) >= 2 }
	link := strings.Contains(s, "[") && strings.Contains(s, "]")
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch r {
		case '*', '`', '~':
			if paired(string(r)) {
				b.WriteByte('\\')
			}
		case '[', ']':
			if link {
				b.WriteByte('\\')
			}
		case '_':
			prev, _ := utf8.DecodeLastRuneInString(s[:i])
			nxt, _ := utf8.DecodeRuneInString(s[i+n:])
			if paired("_") && (i == 0 || i+n == len(s) || !isWordRune(prev) || !isWordRune(nxt)) {
				b.WriteByte('\\')
			}
		case '\\':
			if c, ok := next(s[i+n:]); ok && isASCIIPunct(c) {
				b.WriteByte('\\')
			}
		}
		b.WriteString(s[i : i+n])
		i += n
	}
	return b.String()
}

// Link returns raw when it may be the target of a card or button: an absolute https
// URL with a host, no user info, and no whitespace or control character. Anything
// else (http, javascript:, data:, a relative or malformed URL) returns "": no link.
// Which hosts a tool may link to is the connector's allow-list (AllowedHost); Link is
// the last check before a link reaches a platform.
func Link(raw string) string {
	if raw == "" || strings.IndexFunc(raw, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.Opaque != "" {
		return ""
	}
	return raw
}

// AllowedHost reports whether raw is an https URL (see Link) whose host is one of
// hosts (compared case-insensitively, without the port). An empty list allows nothing.
func AllowedHost(raw string, hosts []string) bool {
	if Link(raw) == "" {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	h := strings.ToLower(u.Hostname())
	for _, a := range hosts {
		if h != "" && h == strings.ToLower(strings.TrimSpace(a)) {
			return true
		}
	}
	return false
}

// HostOf is the host name of an absolute URL ("" when there is none): the default
// allow-list of a tool is its own configured base URL's host.
func HostOf(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

func oneLine(s string) string {
	if isOneLine(s) {
		return s
	}
	sep := func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }
	return strings.Join(strings.FieldsFunc(strings.ToValidUTF8(s, "\uFFFD"), sep), " ")
}

// isOneLine reports whether oneLine would return s unchanged: valid UTF-8, no control
// character, no whitespace but single ASCII spaces between words.
func isOneLine(s string) bool {
	space := true // at the start, a space would be leading
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			return false
		case r == ' ':
			if space {
				return false
			}
			space = true
		case unicode.IsSpace(r) || unicode.IsControl(r):
			return false
		default:
			space = false
		}
		i += n
	}
	return !space || s == ""
}

// isASCIIPunct is CommonMark's ASCII punctuation: the characters a backslash escapes.
func isASCIIPunct(r rune) bool {
	return r < utf8.RuneSelf && strings.ContainsRune("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", r)
}

// opensBlock reports whether s, at the start of a line, would open a Markdown block.
func opensBlock(s string) bool {
	switch s[0] {
	case '#', '>', '-', '+', '*', '=', '|', '`', '~':
		return true
	}
	i := 0
	for i < len(s) && i < 9 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i > 0 && i < len(s) && (s[i] == '.' || s[i] == ')')
}

func next(s string) (rune, bool) {
	if s == "" {
		return 0, false
	}
	r, _ := utf8.DecodeRuneInString(s)
	return r, true
}

func isASCIILetter(r rune) bool { return r < utf8.RuneSelf && unicode.IsLetter(r) }

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
