package sftest

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Query is a parsed SOQL statement of the subset the stand-in runs:
//
//	SELECT field, Rel.field, … FROM Contact [WHERE cond] [ORDER BY field [ASC|DESC], …] [LIMIT n]
//
// where cond combines comparisons (=, !=, <>, LIKE) with AND, OR, NOT and parentheses,
// and values are string literals (with SOQL's escape sequences), NULL, TRUE, FALSE or
// numbers. Anything else is a MALFORMED_QUERY, as in Salesforce.
type Query struct {
	Fields []string
	From   string
	Where  Cond // nil without WHERE
	Order  []OrderBy
	Limit  int // 0 = none
}

// OrderBy is one ORDER BY item.
type OrderBy struct {
	Field string
	Desc  bool
}

// Cond is a WHERE condition.
type Cond interface {
	eval(r fieldGetter) bool
	comparisons() []Comparison
}

// Comparison is field op value. Value is the decoded literal (nil for NULL).
type Comparison struct {
	Field string
	Op    string // "=", "!=", "LIKE"
	Value any    // string, bool, float64 or nil
	like  *regexp.Regexp
}

type and struct{ l, r Cond }
type or struct{ l, r Cond }
type not struct{ c Cond }

// Comparisons lists every comparison of the WHERE clause, in order: a query the
// connector built from one email must have exactly one.
func (q *Query) Comparisons() []Comparison {
	if q.Where == nil {
		return nil
	}
	return q.Where.comparisons()
}

func (a and) comparisons() []Comparison { return append(a.l.comparisons(), a.r.comparisons()...) }
func (o or) comparisons() []Comparison  { return append(o.l.comparisons(), o.r.comparisons()...) }
func (n not) comparisons() []Comparison { return n.c.comparisons() }
func (c *Comparison) comparisons() []Comparison {
	return []Comparison{*c}
}

type fieldGetter func(path string) (any, bool)

func (a and) eval(r fieldGetter) bool { return a.l.eval(r) && a.r.eval(r) }
func (o or) eval(r fieldGetter) bool  { return o.l.eval(r) || o.r.eval(r) }
func (n not) eval(r fieldGetter) bool { return !n.c.eval(r) }

func (c *Comparison) eval(r fieldGetter) bool {
	v, _ := r(c.Field)
	switch c.Op {
	case "LIKE":
		s, ok := v.(string)
		return ok && c.like.MatchString(s)
	case "=":
		return equal(v, c.Value)
	default:
		return !equal(v, c.Value)
	}
}

// equal compares as SOQL does: text case-insensitively, NULL only to NULL.
func equal(v, lit any) bool {
	if lit == nil || v == nil {
		return lit == nil && (v == nil || v == "")
	}
	switch l := lit.(type) {
	case string:
		s, ok := v.(string)
		return ok && strings.EqualFold(s, l)
	case bool:
		b, ok := v.(bool)
		return ok && b == l
	case float64:
		f, ok := v.(float64)
		return ok && f == l
	}
	return false
}

// ParseSOQL parses q, or returns an error worded like Salesforce's MALFORMED_QUERY.
func ParseSOQL(q string) (*Query, error) {
	toks, err := lex(q)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	return p.query()
}

type tokKind int

const (
	tIdent tokKind = iota
	tString
	tNumber
	tPunct
	tEOF
)

type token struct {
	kind tokKind
	text string // identifier, punctuation or number text; string literal body as written
	pos  int
}

func (t token) is(kw string) bool { return t.kind == tIdent && strings.EqualFold(t.text, kw) }

func lex(q string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(q) {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'':
			start := i
			i++
			var body strings.Builder
			closed := false
			for i < len(q) {
				if q[i] == '\\' {
					if i+1 >= len(q) {
						break
					}
					body.WriteString(q[i : i+2])
					i += 2
					continue
				}
				if q[i] == '\'' {
					closed = true
					i++
					break
				}
				body.WriteByte(q[i])
				i++
			}
			if !closed {
				return nil, fmt.Errorf("unterminated string literal at column %d", start+1)
			}
			toks = append(toks, token{tString, body.String(), start})
		case isIdentStart(c):
			start := i
			for i < len(q) && (isIdentStart(q[i]) || (q[i] >= '0' && q[i] <= '9') || q[i] == '.') {
				i++
			}
			toks = append(toks, token{tIdent, q[start:i], start})
		case (c >= '0' && c <= '9') || c == '-':
			start := i
			i++
			for i < len(q) && ((q[i] >= '0' && q[i] <= '9') || q[i] == '.') {
				i++
			}
			toks = append(toks, token{tNumber, q[start:i], start})
		case c == '!' || c == '<' || c == '>':
			start := i
			i++
			if i < len(q) && (q[i] == '=' || (c == '<' && q[i] == '>')) {
				i++
			}
			toks = append(toks, token{tPunct, q[start:i], start})
		case c == '=' || c == '(' || c == ')' || c == ',':
			toks = append(toks, token{tPunct, string(c), i})
			i++
		default:
			r, _ := utf8.DecodeRuneInString(q[i:])
			return nil, fmt.Errorf("unexpected character %q at column %d", r, i+1)
		}
	}
	return append(toks, token{kind: tEOF, pos: len(q)}), nil
}

func isIdentStart(c byte) bool { return c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z') }

type parser struct {
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) unexpected() error {
	t := p.peek()
	if t.kind == tEOF {
		return errors.New("unexpected end of query")
	}
	return fmt.Errorf("unexpected token: '%s'", t.text)
}

func (p *parser) expect(kw string) error {
	if !p.peek().is(kw) {
		return p.unexpected()
	}
	p.next()
	return nil
}

var fieldRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)

func (p *parser) field() (string, error) {
	t := p.peek()
	if t.kind != tIdent || !fieldRE.MatchString(t.text) || isKeyword(t.text) {
		return "", p.unexpected()
	}
	p.next()
	return t.text, nil
}

func isKeyword(s string) bool {
	switch strings.ToUpper(s) {
	case "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "LIKE", "ORDER", "BY", "LIMIT", "ASC", "DESC", "NULL", "TRUE", "FALSE":
		return true
	}
	return false
}

func (p *parser) query() (*Query, error) {
	q := &Query{}
	if err := p.expect("SELECT"); err != nil {
		return nil, err
	}
	for {
		f, err := p.field()
		if err != nil {
			return nil, err
		}
		q.Fields = append(q.Fields, f)
		if p.peek().text != "," || p.peek().kind != tPunct {
			break
		}
		p.next()
	}
	if err := p.expect("FROM"); err != nil {
		return nil, err
	}
	from, err := p.field()
	if err != nil {
		return nil, err
	}
	q.From = from
	if p.peek().is("WHERE") {
		p.next()
		if q.Where, err = p.or(); err != nil {
			return nil, err
		}
	}
	if p.peek().is("ORDER") {
		p.next()
		if err := p.expect("BY"); err != nil {
			return nil, err
		}
		for {
			f, err := p.field()
			if err != nil {
				return nil, err
			}
			ob := OrderBy{Field: f}
			if p.peek().is("DESC") {
				p.next()
				ob.Desc = true
			} else if p.peek().is("ASC") {
				p.next()
			}
			q.Order = append(q.Order, ob)
			if p.peek().text != "," || p.peek().kind != tPunct {
				break
			}
			p.next()
		}
	}
	if p.peek().is("LIMIT") {
		p.next()
		t := p.next()
		n, err := strconv.Atoi(t.text)
		if t.kind != tNumber || err != nil || n < 0 {
			return nil, fmt.Errorf("unexpected token: '%s'", t.text)
		}
		q.Limit = n
	}
	if p.peek().kind != tEOF {
		return nil, p.unexpected()
	}
	return q, nil
}

func (p *parser) or() (Cond, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.peek().is("OR") {
		p.next()
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = or{l, r}
	}
	return l, nil
}

func (p *parser) and() (Cond, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.peek().is("AND") {
		p.next()
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = and{l, r}
	}
	return l, nil
}

func (p *parser) unary() (Cond, error) {
	switch t := p.peek(); {
	case t.is("NOT"):
		p.next()
		c, err := p.unary()
		if err != nil {
			return nil, err
		}
		return not{c}, nil
	case t.kind == tPunct && t.text == "(":
		p.next()
		c, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.peek().text != ")" {
			return nil, p.unexpected()
		}
		p.next()
		return c, nil
	}
	f, err := p.field()
	if err != nil {
		return nil, err
	}
	cmp := &Comparison{Field: f}
	switch t := p.next(); {
	case t.is("LIKE"):
		cmp.Op = "LIKE"
	case t.kind == tPunct && t.text == "=":
		cmp.Op = "="
	case t.kind == tPunct && (t.text == "!=" || t.text == "<>"):
		cmp.Op = "!="
	default:
		p.i--
		return nil, p.unexpected()
	}
	v := p.next()
	switch {
	case v.kind == tString && cmp.Op == "LIKE":
		s, re, err := likePattern(v.text)
		if err != nil {
			return nil, err
		}
		cmp.Value, cmp.like = s, re
	case v.kind == tString:
		s, err := unescape(v.text)
		if err != nil {
			return nil, err
		}
		cmp.Value = s
	case cmp.Op == "LIKE":
		return nil, fmt.Errorf("unexpected token: '%s'", v.text)
	case v.is("NULL"):
		cmp.Value = nil
	case v.is("TRUE"), v.is("FALSE"):
		cmp.Value = v.is("TRUE")
	case v.kind == tNumber:
		f, err := strconv.ParseFloat(v.text, 64)
		if err != nil {
			return nil, fmt.Errorf("unexpected token: '%s'", v.text)
		}
		cmp.Value = f
	default:
		return nil, fmt.Errorf("unexpected token: '%s'", v.text)
	}
	return cmp, nil
}

// unescape decodes a string literal's body by SOQL's escape sequences. \% and \_ are
// valid in LIKE only; any other backslash is an error, as Salesforce documents.
func unescape(body string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		if body[i] != '\\' {
			b.WriteByte(body[i])
			continue
		}
		i++
		if i >= len(body) {
			return "", errors.New("invalid escape sequence at end of string")
		}
		switch body[i] {
		case 'n', 'N':
			b.WriteByte('\n')
		case 'r', 'R':
			b.WriteByte('\r')
		case 't', 'T':
			b.WriteByte('\t')
		case 'b', 'B':
			b.WriteByte('\b')
		case 'f', 'F':
			b.WriteByte('\f')
		case '"', '\'', '\\':
			b.WriteByte(body[i])
		case 'u':
			if i+4 >= len(body) {
				return "", errors.New("invalid unicode escape")
			}
			n, err := strconv.ParseUint(body[i+1:i+5], 16, 32)
			if err != nil {
				return "", errors.New("invalid unicode escape")
			}
			b.WriteRune(rune(n))
			i += 4
		default:
			return "", fmt.Errorf("invalid escape sequence: '\\%c'", body[i])
		}
	}
	return b.String(), nil
}

// likePattern turns a LIKE literal into a case-insensitive regexp: % is any run, _ any
// one character, \% and \_ the characters themselves.
func likePattern(body string) (string, *regexp.Regexp, error) {
	var re, lit strings.Builder
	re.WriteString(`(?is)^`)
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '%':
			re.WriteString(`.*`)
			lit.WriteByte(c)
		case c == '_':
			re.WriteString(`.`)
			lit.WriteByte(c)
		case c == '\\' && i+1 < len(body) && (body[i+1] == '%' || body[i+1] == '_'):
			i++
			re.WriteString(regexp.QuoteMeta(string(body[i])))
			lit.WriteByte(body[i])
		case c == '\\':
			j := i + 2
			if i+1 < len(body) && body[i+1] == 'u' {
				j = i + 6
			}
			if j > len(body) {
				return "", nil, errors.New("invalid escape sequence at end of string")
			}
			s, err := unescape(body[i:j])
			if err != nil {
				return "", nil, err
			}
			re.WriteString(regexp.QuoteMeta(s))
			lit.WriteString(s)
			i = j - 1
		default:
			// Copy one whole UTF-8 sequence.
			_, n := utf8.DecodeRuneInString(body[i:])
			re.WriteString(regexp.QuoteMeta(body[i : i+n]))
			lit.WriteString(body[i : i+n])
			i += n - 1
		}
	}
	re.WriteString(`$`)
	r, err := regexp.Compile(re.String())
	return lit.String(), r, err
}
