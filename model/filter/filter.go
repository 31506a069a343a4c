// Package filter is the events pane's small expression language:
// space-separated terms that must all hold (AND), each one negated by a
// leading "!" — type:tool, tool:add_to_cart, id:call_Q1, exec:ID,
// status:failed, text:"regex", the flags error and pending, or a bare word
// or "quoted phrase" matched anywhere.
//
// Matching is smart-case, as in ripgrep and vim: a term is
// case-insensitive unless its value has an upper-case letter. Parse does
// all the work that does not depend on the item (unquoting, lower-casing,
// compiling regular expressions), so Match allocates nothing and reads
// each field of an item at most once per term.
package filter

import (
	"regexp"
	"regexp/syntax"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Item is what a filter tests: one row of the grouped view or one event
// of the flat view, reduced to the fields the language can name.
type Item struct {
	// Kind is the row kind ("text", "tool", "await", "turn", …).
	Kind string
	// Type is the event type ("text_delta", "tool_start", …).
	Type string
	// Tool is the tool name, when the item is about a tool.
	Tool string
	// ExecutionID is the execution the item belongs to (exec:ID).
	ExecutionID string
	// IDs are every id the item carries: block, tool call, approval,
	// execution, turn, step.
	IDs []string
	// Title is the item's short label ("tool add_to_cart", "turn 1
	// assistant"); bare words look in it, text: does not.
	Title string
	// Text is the item's text: folded deltas, a one-line summary of
	// arguments and results, an error message.
	Text string
	// Status is the row's state in a word ("done", "failed", "waiting"…).
	Status string
	// Error is set for failed tools, error events and failed executions.
	Error bool
	// Pending is set while the item waits for the user (an await or an
	// approval not yet answered).
	Pending bool
}

// fieldHint is what a syntax error about a field name suggests: the
// field names, in the order the README lists them.
const fieldHint = "fields: type tool id exec text status"

type field uint8

const (
	fWord    field = iota // a bare word or quoted phrase: anywhere
	fType                 // type:V — the kind, or the event type
	fTool                 // tool:V — the tool name
	fID                   // id:V — any id
	fExec                 // exec:V — the execution id
	fText                 // text:RE — a regular expression over Text
	fStatus               // status:V — the status word
	fError                // the flag error
	fPending              // the flag pending
)

var fieldByName = map[string]field{
	"type": fType, "tool": fTool, "id": fID, "exec": fExec, "text": fText, "status": fStatus,
}

// term is one parsed term.
type term struct {
	f   field
	neg bool
	val string // the value as meant: unquoted, and lower-cased where it folds

	lit literal        // fWord, fTool, fID, fExec
	re  *regexp.Regexp // fText
	// under is val + "_": type:tool matches tool_start without building
	// the string per item.
	under string
}

// literal is a smart-case substring search.
type literal struct {
	s    string // the needle; lower-case when fold
	fold bool
	// re does a folding search for a needle that is not ASCII, where
	// lower-casing bytes is not enough (ß, Σ…); Go's folding regular
	// expressions read some 30 MB/s, so pre, the needle's longest ASCII
	// run, is looked for first and most texts are rejected at ASCII speed.
	re  *regexp.Regexp
	pre string
}

func newLiteral(v string) literal {
	if hasUpper(v) {
		return literal{s: v}
	}
	l := literal{s: v, fold: true}
	if !isASCII(v) {
		l.re = regexp.MustCompile("(?i)" + regexp.QuoteMeta(v))
		l.pre = asciiRun(v)
	}
	return l
}

// asciiRun is the longest run of ASCII bytes of s that holds no k or s
// (they alone among ASCII letters fold to a rune that is not ASCII: the
// Kelvin sign and the long s), "" when shorter than two bytes.
func asciiRun(s string) string {
	best, start := "", 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] < utf8.RuneSelf && s[i] != 'k' && s[i] != 's' {
			continue
		}
		if i-start > len(best) {
			best = s[start:i]
		}
		start = i + 1
	}
	if len(best) < 2 {
		return ""
	}
	return best
}

// index is the byte offset of the first match of l in h from byte from,
// and its length; -1 when there is none.
func (l *literal) index(h string, from int) (int, int) {
	switch {
	case l.re != nil:
		if l.pre != "" && indexFoldASCII(h[from:], l.pre) < 0 {
			return -1, 0
		}
		loc := l.re.FindStringIndex(h[from:])
		if loc == nil {
			return -1, 0
		}
		return from + loc[0], loc[1] - loc[0]
	case l.fold:
		if i := indexFoldASCII(h[from:], l.s); i >= 0 {
			return from + i, len(l.s)
		}
	default:
		if i := strings.Index(h[from:], l.s); i >= 0 {
			return from + i, len(l.s)
		}
	}
	return -1, 0
}

func (l *literal) in(h string) bool {
	if len(h) < len(l.s) && l.re == nil {
		return false
	}
	i, _ := l.index(h, 0)
	return i >= 0
}

// indexFoldASCII is strings.Index with ASCII letters folded; n is
// lower-case ASCII. It never allocates (lower-casing a 30 KB text per item
// and per keystroke would), and it jumps between the candidates for n's
// first byte with strings.IndexByte, remembering the next of each case, so
// it reads h about once per case.
func indexFoldASCII(h, n string) int {
	if n == "" {
		return 0
	}
	last := len(h) - len(n) // the last offset n can start at
	if last < 0 {
		return -1
	}
	c0, u0 := n[0], n[0]
	if 'a' <= c0 && c0 <= 'z' {
		u0 = c0 - ('a' - 'A')
	}
	next := func(c byte, from int) int {
		if j := strings.IndexByte(h[from:last+1], c); j >= 0 {
			return from + j
		}
		return -1
	}
	lo, up := next(c0, 0), -1
	if u0 != c0 {
		up = next(u0, 0)
	}
	for {
		j := lo
		if j < 0 || (up >= 0 && up < j) {
			j = up
		}
		if j < 0 {
			return -1
		}
		if equalFoldASCII(h[j+1:j+len(n)], n[1:]) {
			return j
		}
		if j == lo {
			lo = -1
			if j < last {
				lo = next(c0, j+1)
			}
		} else {
			up = -1
			if j < last {
				up = next(u0, j+1)
			}
		}
	}
}

// equalFoldASCII reports whether s equals the lower-case ASCII n with
// ASCII letters folded; len(s) == len(n).
func equalFoldASCII(s, n string) bool {
	for i := 0; i < len(n); i++ {
		if lowerASCII(s[i]) != n[i] {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

func hasUpper(s string) bool {
	for _, r := range s {
		if unicode.IsUpper(r) {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Expr is a parsed filter expression.
type Expr struct {
	src     string
	terms   []term
	pattern *regexp.Regexp
}

// SyntaxError is a filter that cannot be parsed; Pos is the byte offset
// of the problem in the expression, so the input line can point at it.
type SyntaxError struct {
	Pos int
	Msg string
	// Hint, when set, says what would have been valid (the field names).
	Hint string
}

// Error says what is wrong and where, the column counted from 1 as an
// editor counts it: `unknown field "tol" at 1 — fields: type tool …`.
func (e *SyntaxError) Error() string {
	s := e.Msg + " at " + strconv.Itoa(e.Pos+1)
	if e.Hint != "" {
		s += " — " + e.Hint
	}
	return s
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isIdent(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-'
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// Parse parses an expression. The empty expression matches everything.
//
// A term is a word (a run of characters up to a space) or a "quoted
// phrase", optionally prefixed by "!" and by a field name and a colon.
// A word that starts with a letter and has a colon after letters, digits,
// "_" or "-" names a field, and an unknown name is an error, so a typo
// (tol:x) is never silently a text search: quote it ("tol:x") to search
// for the text. In quotes, \" is a quote and \\ a backslash (in text:,
// \\ stays as written: the regular expression reads it); any other
// backslash is kept.
func Parse(s string) (*Expr, error) {
	if !utf8.ValidString(s) {
		// Regular expressions cannot say an invalid byte, and the screen
		// shows one as \xNN, never as itself: it could not match what is
		// seen.
		i := 0
		for i < len(s) {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			i += n
		}
		return nil, &SyntaxError{Pos: i, Msg: "invalid UTF-8"}
	}
	e := &Expr{src: s}
	i := 0
	for {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i == len(s) {
			break
		}
		t := term{}
		if s[i] == '!' {
			t.neg = true
			if i+1 == len(s) || isSpace(s[i+1]) {
				return nil, &SyntaxError{Pos: i, Msg: "! needs a term after it"}
			}
			if s[i+1] == '!' {
				return nil, &SyntaxError{Pos: i + 1, Msg: "one ! per term"}
			}
			i++
		}
		j := i
		for j < len(s) && isIdent(s[j]) {
			j++
		}
		if j > i && isLetter(s[i]) && j < len(s) && s[j] == ':' {
			name := strings.ToLower(s[i:j])
			f, ok := fieldByName[name]
			if !ok {
				return nil, &SyntaxError{Pos: i, Msg: "unknown field " + strconv.Quote(s[i:j]), Hint: fieldHint}
			}
			t.f = f
			val, end, err := readValue(s, j+1, f == fText)
			if err != nil {
				return nil, err
			}
			if val == "" {
				return nil, &SyntaxError{Pos: j + 1, Msg: name + ": needs a value"}
			}
			if err := t.compile(val, j+1); err != nil {
				return nil, err
			}
			i = end
		} else {
			quoted := s[i] == '"'
			val, end, err := readValue(s, i, false)
			if err != nil {
				return nil, err
			}
			switch {
			case val == "":
				return nil, &SyntaxError{Pos: i, Msg: "empty phrase"}
			case !quoted && val == "error":
				t.f = fError
			case !quoted && val == "pending":
				t.f = fPending
			default:
				t.f = fWord
				_ = t.compile(val, i) // a word cannot be invalid
			}
			i = end
		}
		e.terms = append(e.terms, t)
	}
	e.pattern = e.buildPattern()
	return e, nil
}

// readValue reads a word or a quoted string at s[i:], and returns it
// unquoted and where it ends. raw keeps \\ as written (a regular
// expression's own escape).
func readValue(s string, i int, raw bool) (string, int, error) {
	if i == len(s) || s[i] != '"' {
		j := i
		for j < len(s) && !isSpace(s[j]) {
			j++
		}
		return s[i:j], j, nil
	}
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '\\' && j+1 < len(s):
			switch n := s[j+1]; {
			case n == '"':
				b.WriteByte('"')
			case n == '\\' && !raw:
				b.WriteByte('\\')
			default:
				b.WriteByte(c)
				b.WriteByte(n)
			}
			j++
		case c == '"':
			if j+1 < len(s) && !isSpace(s[j+1]) {
				return "", 0, &SyntaxError{Pos: j + 1, Msg: "a space must follow the closing quote"}
			}
			return b.String(), j + 1, nil
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, &SyntaxError{Pos: i, Msg: "unclosed quote"}
}

// compile prepares the term's matcher from its value, found at pos.
func (t *term) compile(val string, pos int) error {
	t.val = val
	switch t.f {
	case fWord, fTool, fID, fExec:
		t.lit = newLiteral(val)
	case fType, fStatus:
		// Kinds, types and status words are lower-case identifiers: fold
		// always.
		t.val = strings.ToLower(val)
		t.under = t.val + "_"
	case fText:
		re, err := compileRegexp(val)
		if err != nil {
			return &SyntaxError{Pos: pos, Msg: "text: " + err.Error()}
		}
		t.re = re
	}
	return nil
}

// compileRegexp compiles a text: pattern, case-insensitive unless the
// pattern itself has an upper-case letter (a literal or a character class
// bound; escapes such as \D or \S do not count).
func compileRegexp(p string) (*regexp.Regexp, error) {
	tree, err := syntax.Parse(p, syntax.Perl)
	if err != nil {
		if se, ok := err.(*syntax.Error); ok {
			return nil, &regexpError{se}
		}
		return nil, err
	}
	if !regexpHasUpper(tree) {
		p = "(?i)" + p
	}
	re, err := regexp.Compile(p)
	if err != nil {
		if se, ok := err.(*syntax.Error); ok {
			return nil, &regexpError{se}
		}
		return nil, err
	}
	return re, nil
}

// regexpError words a regular expression error without Go's "error
// parsing regexp" prefix.
type regexpError struct{ e *syntax.Error }

func (r *regexpError) Error() string {
	return "invalid regular expression: " + string(r.e.Code) + ": " + strconv.Quote(r.e.Expr)
}

func regexpHasUpper(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpLiteral, syntax.OpCharClass:
		// A class's runes are its range bounds: [A-Z] counts, \D and \W
		// (bounds such as ':' and '@') do not.
		for _, r := range re.Rune {
			if unicode.IsUpper(r) {
				return true
			}
		}
	}
	for _, sub := range re.Sub {
		if regexpHasUpper(sub) {
			return true
		}
	}
	return false
}

// Match reports whether the item satisfies every term.
func (e *Expr) Match(it *Item) bool {
	if e == nil {
		return true
	}
	for i := range e.terms {
		t := &e.terms[i]
		if t.match(it) == t.neg {
			return false
		}
	}
	return true
}

func (t *term) match(it *Item) bool {
	switch t.f {
	case fWord:
		if t.lit.in(it.Kind) || t.lit.in(it.Type) || t.lit.in(it.Tool) || t.lit.in(it.Title) ||
			t.lit.in(it.Status) || t.lit.in(it.ExecutionID) || t.lit.in(it.Text) {
			return true
		}
		for _, id := range it.IDs {
			if t.lit.in(id) {
				return true
			}
		}
		return false
	case fType:
		return it.Kind == t.val || word(it.Type, t.val, t.under)
	case fTool:
		return it.Tool != "" && t.lit.in(it.Tool)
	case fID:
		if it.ExecutionID != "" && t.lit.in(it.ExecutionID) {
			return true
		}
		for _, id := range it.IDs {
			if id != "" && t.lit.in(id) {
				return true
			}
		}
		return false
	case fExec:
		return it.ExecutionID != "" && t.lit.in(it.ExecutionID)
	case fText:
		return t.re.MatchString(it.Text)
	case fStatus:
		// A prefix is enough (status:fail, status:wait): the words are few
		// and distinct.
		return hasPrefixFold(it.Status, t.val)
	case fError:
		return it.Error
	case fPending:
		return it.Pending
	}
	return false
}

// word reports whether s is v, or starts with v and an underscore (v and
// under = v+"_" lower-case; s compared without case).
func word(s, v, under string) bool {
	return strings.EqualFold(s, v) || hasPrefixFold(s, under)
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// Pattern is one regular expression matching what the positive text
// terms (bare words and text:) look for, for highlighting and for n/N in
// the detail view; nil when there are none. Each term keeps its own case
// rule.
func (e *Expr) Pattern() *regexp.Regexp {
	if e == nil {
		return nil
	}
	return e.pattern
}

func (e *Expr) buildPattern() *regexp.Regexp {
	var parts []string
	for i := range e.terms {
		t := &e.terms[i]
		if t.neg {
			continue
		}
		switch t.f {
		case fWord:
			p := regexp.QuoteMeta(t.val)
			if t.lit.fold {
				parts = append(parts, "(?i:"+p+")")
			} else {
				parts = append(parts, "(?:"+p+")")
			}
		case fText:
			// t.re's source already carries the (?i) smart case gave it;
			// a group keeps that flag to this alternative.
			parts = append(parts, "(?:"+t.re.String()+")")
		}
	}
	if len(parts) == 0 {
		return nil
	}
	re, err := regexp.Compile(strings.Join(parts, "|"))
	if err != nil {
		return nil // cannot happen: every part compiled on its own
	}
	return re
}

// Highlights reports whether the expression has positive text terms, so
// Spans can find something.
func (e *Expr) Highlights() bool { return e != nil && e.pattern != nil }

// Spans appends to dst the byte ranges [start, end) of s that the positive
// text terms (bare words and text:) match, sorted and merged where they
// overlap. It is Pattern().FindAllStringIndex made cheap enough to run on
// every visible line of every frame: words are searched without a regular
// expression, and nothing is allocated beyond dst.
func (e *Expr) Spans(s string, dst [][2]int) [][2]int {
	if e == nil || e.pattern == nil || s == "" {
		return dst
	}
	start := len(dst)
	for i := range e.terms {
		t := &e.terms[i]
		if t.neg {
			continue
		}
		switch t.f {
		case fWord:
			for from := 0; from < len(s); {
				j, n := t.lit.index(s, from)
				if j < 0 || n == 0 {
					break
				}
				dst = append(dst, [2]int{j, j + n})
				from = j + n
			}
		case fText:
			for _, loc := range t.re.FindAllStringIndex(s, -1) {
				if loc[1] > loc[0] {
					dst = append(dst, [2]int{loc[0], loc[1]})
				}
			}
		}
	}
	return mergeSpans(dst, start)
}

// mergeSpans sorts dst[start:] and merges overlapping or touching spans.
func mergeSpans(dst [][2]int, start int) [][2]int {
	sp := dst[start:]
	if len(sp) < 2 {
		return dst
	}
	sorted := true
	for i := 1; i < len(sp); i++ {
		if sp[i][0] < sp[i-1][0] {
			sorted = false
			break
		}
	}
	if !sorted {
		sort.Slice(sp, func(i, j int) bool { return sp[i][0] < sp[j][0] })
	}
	out := sp[:1]
	for _, r := range sp[1:] {
		last := &out[len(out)-1]
		if r[0] <= last[1] {
			last[1] = max(last[1], r[1])
			continue
		}
		out = append(out, r)
	}
	return dst[:start+len(out)]
}

// String returns the expression as typed.
func (e *Expr) String() string {
	if e == nil {
		return ""
	}
	return e.src
}

// Empty reports whether the expression has no terms (it matches
// everything).
func (e *Expr) Empty() bool { return e == nil || len(e.terms) == 0 }

// Quote returns v written as one literal value of the language (a phrase,
// or the value of tool:, id: or exec:; not of text:, whose backslashes are
// the regular expression's): as it is when it is a plain word, else in
// quotes with " and \ escaped. Code that builds an expression from an id
// or a name (the execution switcher's exec:ID) uses it, so any value
// parses back to itself: Parse("exec:" + Quote(id)). It quotes the words
// error and pending too, so a bare Quote(v) is always a text search.
func Quote(v string) string {
	plain := v != "" && v != "error" && v != "pending" && v[0] != '!' && v[0] != '"'
	for i := 0; plain && i < len(v); i++ {
		if isSpace(v[i]) || v[i] == ':' || v[i] == '\\' || v[i] == '"' {
			plain = false
		}
	}
	if plain {
		return v
	}
	var b strings.Builder
	b.Grow(len(v) + 4)
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		if v[i] == '"' || v[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(v[i])
	}
	b.WriteByte('"')
	return b.String()
}
