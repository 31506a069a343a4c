// Package rules is rtinspect's auto-responders: a rules file whose rules
// match pending tool calls by tool name (a glob) and, optionally, argument
// values (exact or by regular expression), and answer them from an inline
// JSON value, a file, the recorded answer in a session recording, or a
// command.
//
// A rules file is JSON:
//
//	{"rules": [
//	  {"name": "cart", "tool": "add_to_cart", "args": {"sku": "SHOE-001"},
//	   "answer": {"ok": true}, "fire": "session", "send": false},
//	  {"name": "cart-cmd", "tool": "add_*", "args": {"sku": "/^SHOE-0[0-9]7$/"},
//	   "command": ["sh", "-c", "jq '{ok:true}'"], "timeout": "5s"}
//	]}
//
// Bad input never stops the inspector: a broken rule becomes a Problem that
// names the file, the line and the rule, the rule is dropped, and every
// other rule still works. Only a file that does not parse at all is an
// error.
//
// Parsing is pure. Answering does I/O (files, recordings, commands), so it
// is split for the UI: Respond does the I/O on copies of the pending calls
// and may run in a tea.Cmd; Fill stores the results in the session on the
// session's goroutine. Apply does both, for headless mode and tests.
package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"rtinspect/api"
	"rtinspect/model"
)

// DefaultTimeout is how long a command may run when its rule sets no
// timeout.
const DefaultTimeout = 10 * time.Second

// webmcpPrefix is put on page tools by the flow path only (§4.1): rules
// match tool names with or without it.
const webmcpPrefix = "webmcp:"

// Problem is something wrong with a rules file that did not stop it from
// being used: the rule it names (if any) is dropped, the rest still works.
type Problem struct {
	// File is the rules file's path, as given to Parse.
	File string
	// Line is the 1-based line of the offending field (or rule).
	Line int
	// Rule names the rule, "rule 2 (cart)", or is "" for a problem
	// outside any rule.
	Rule string
	// Msg says what is wrong.
	Msg string
}

// String reads "rules.json:7: rule 2 (cart): message", as compilers write
// positions, so editors and terminals can jump to it.
func (p Problem) String() string {
	s := p.File + ":" + strconv.Itoa(p.Line) + ": "
	if p.Rule != "" {
		s += p.Rule + ": "
	}
	return s + p.Msg
}

// Set is the usable rules of one rules file, with what they have done so
// far in the session ("once" rules used up, calls already answered, the
// recordings' answer cursors). It is safe for concurrent use.
type Set struct {
	file  string
	rules []*rule

	// mu guards the state below: Respond may run in a command goroutine
	// while the UI goroutine owns the session.
	mu sync.Mutex
	// handled holds the pending calls a rule has already responded to
	// (successfully or not), so asking again at the same pause neither
	// re-runs a failed command nor overwrites a draft the user cleared.
	handled map[callKey]bool
}

// callKey identifies a pending call: its execution and toolOutputs key.
type callKey struct{ exec, key string }

func keyOf(c *model.PendingCall) callKey { return callKey{c.ExecutionID, c.Key()} }

// rule is one usable rule.
type rule struct {
	name string // the name marks and results carry: its "name", else "rule 2"
	tool string // glob, without the webmcp: prefix
	args []argMatch
	resp responder
	once bool
	send bool
	used bool // a once rule has fired
}

// argMatch is one entry of a rule's "args".
type argMatch struct {
	key  string
	re   *regexp.Regexp // set for a "/regex/" value
	want any            // the exact value otherwise (json.Number for numbers)
}

// responderKind says where a rule's answer comes from.
type responderKind uint8

const (
	respAnswer responderKind = iota
	respFile
	respRecorded
	respCommand
	// respDecision answers approvals, not tool calls.
	respDecision
)

// responder is a rule's answer source; which fields are set depends on kind.
type responder struct {
	kind    responderKind
	answer  json.RawMessage // respAnswer, compact
	path    string          // respFile, respRecorded: resolved against the rules folder
	argv    []string        // respCommand
	dir     string          // respCommand: runs in the rules file's folder
	timeout time.Duration   // respCommand
	rec     *recordedSource // respRecorded
	// decision and reason: respDecision ("approved" or "denied").
	decision string
	reason   string
}

// Load reads and parses the rules file at name; see Parse.
func Load(name string) (*Set, []Problem, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, nil, fmt.Errorf("rules: %w", err) // *fs.PathError names the file
	}
	return Parse(name, data)
}

// responderFields are the fields that name an answer source; a rule needs
// exactly one.
var responderFields = []string{"answer", "file", "recorded", "command", "decision"}

// ruleFields lists every field a rule may have, for the unknown-field
// message.
const ruleFields = "name, tool, args, answer, file, recorded, command, decision, reason, timeout, fire, send"

// Parse reads a rules file. name is its path: it names the file in every
// message, and "file", "recorded" and a command's working folder are
// relative to its folder.
//
// Only data that is not JSON, or not an object with a "rules" array, is an
// error (with its line). Anything wrong with a rule (an unknown field, no
// responder or two, a bad glob, regular expression, timeout or type) is a
// Problem with the line; the rule is dropped and the others are kept.
func Parse(name string, data []byte) (*Set, []Problem, error) {
	p := &parser{file: name, data: data, names: map[string]int{}}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil, fmt.Errorf(`%s:1: the rules file is empty (want {"rules": [...]})`, name)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		off := 0
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off = int(se.Offset) - 1
			if strings.Contains(se.Error(), "unexpected end") {
				off = len(data)
			}
		}
		return nil, nil, fmt.Errorf("%s:%d: not JSON: %s", name, p.line(off), jsonErrText(err))
	}
	start := skipSpace(data, 0)
	if data[start] != '{' {
		return nil, nil, fmt.Errorf(`%s:%d: a rules file is a JSON object {"rules": [...]}`, name, p.line(start))
	}
	set := &Set{file: name, handled: map[callKey]bool{}}
	seen := false
	err := walkObject(data, start, func(key string, keyAt, valAt int, raw json.RawMessage) error {
		switch {
		case key != "rules":
			p.problem(keyAt, "", fmt.Sprintf("unknown field %q (want rules)", key))
		case seen:
			p.problem(keyAt, "", `a second "rules" field; it is ignored`)
		case raw[0] != '[':
			return fmt.Errorf(`%s:%d: "rules" must be an array of rules`, name, p.line(valAt))
		default:
			seen = true
			n := 0
			walkArray(data, valAt, func(at int, raw json.RawMessage) {
				n++
				if r := p.rule(n, at, raw); r != nil {
					set.rules = append(set.rules, r)
				}
			})
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if !seen {
		p.problem(start, "", `no "rules" array: no rule is used`)
	}
	return set, p.problems, nil
}

// Len returns the number of usable rules (broken ones are not counted); 0
// for a nil Set, which stands for "no rules file".
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.rules)
}

// File returns the rules file's path, as given to Parse.
func (s *Set) File() string { return s.file }

// parser collects the problems of one file.
type parser struct {
	file     string
	data     []byte
	problems []Problem
	names    map[string]int // rule name -> the rule number that has it
}

// line returns the 1-based line of byte offset off.
func (p *parser) line(off int) int {
	off = max(0, min(off, len(p.data)))
	return 1 + bytes.Count(p.data[:off], []byte{'\n'})
}

func (p *parser) problem(off int, rule, msg string) {
	p.problems = append(p.problems, Problem{File: p.file, Line: p.line(off), Rule: rule, Msg: msg})
}

// field is one member of a rule object, with the offsets of its key and
// value for messages.
type field struct {
	key          string
	keyAt, valAt int
	raw          json.RawMessage
}

// rule builds rule number n (1-based) from the object at offset at; nil
// when it has a problem (each one is reported).
func (p *parser) rule(n, at int, raw json.RawMessage) *rule {
	label := "rule " + strconv.Itoa(n)
	if raw[0] != '{' {
		p.problem(at, label, "a rule must be a JSON object")
		return nil
	}
	var fields []field
	walkObject(p.data, at, func(key string, keyAt, valAt int, raw json.RawMessage) error {
		fields = append(fields, field{key, keyAt, valAt, raw})
		return nil
	})
	// The name goes into every message, so it is read first.
	r := &rule{name: label}
	for _, f := range fields {
		var name string
		if f.key == "name" && json.Unmarshal(f.raw, &name) == nil && name != "" {
			label += " (" + name + ")"
			r.name = name
			break
		}
	}
	bad := false
	fail := func(off int, format string, a ...any) {
		bad = true
		p.problem(off, label, fmt.Sprintf(format, a...))
	}
	str := func(f field) (string, bool) {
		var v string
		if json.Unmarshal(f.raw, &v) != nil {
			fail(f.valAt, "%q must be a string", f.key)
			return "", false
		}
		return v, true
	}

	seen := map[string]bool{}
	var resp []field // the responder fields, in file order, broken ones too
	var timeout, reasonAt *field
	dir := filepath.Dir(p.file)
	for _, f := range fields {
		if seen[f.key] {
			fail(f.keyAt, "field %q given twice", f.key)
			continue
		}
		seen[f.key] = true
		switch f.key {
		case "name":
			v, ok := str(f)
			if !ok {
				continue
			}
			if v == "" {
				fail(f.valAt, `"name" must not be empty (leave it out instead)`)
				continue
			}
			if m, dup := p.names[v]; dup {
				// Marks and results carry the name: two rules with one name
				// could not be told apart in the pane.
				fail(f.valAt, "name %q is already used by rule %d", v, m)
				continue
			}
			p.names[v] = n
		case "tool":
			v, ok := str(f)
			if !ok {
				continue
			}
			v = strings.TrimPrefix(v, webmcpPrefix)
			if v == "" {
				fail(f.valAt, `"tool" must not be empty (use "*" for every tool)`)
				continue
			}
			if _, err := path.Match(v, ""); err != nil {
				fail(f.valAt, "bad tool glob %q: %v", v, err)
				continue
			}
			r.tool = v
		case "args":
			if f.raw[0] != '{' {
				fail(f.valAt, `"args" must be an object of argument name to value or "/regex/"`)
				continue
			}
			walkObject(p.data, f.valAt, func(key string, _, valAt int, raw json.RawMessage) error {
				m, err := newArgMatch(key, raw)
				if err != nil {
					fail(valAt, "args.%s: %v", key, err)
					return nil
				}
				r.args = append(r.args, m)
				return nil
			})
		case "answer":
			resp = append(resp, f)
			var b bytes.Buffer
			_ = json.Compact(&b, f.raw) // valid: the whole file parsed
			r.resp = responder{kind: respAnswer, answer: b.Bytes()}
		case "file", "recorded":
			resp = append(resp, f)
			v, ok := str(f)
			if !ok {
				continue
			}
			if v == "" {
				fail(f.valAt, "%q must name a file", f.key)
				continue
			}
			r.resp = responder{kind: respFile, path: resolve(dir, v)}
			if f.key == "recorded" {
				r.resp.kind = respRecorded
				r.resp.rec = &recordedSource{path: r.resp.path}
			}
		case "command":
			resp = append(resp, f)
			argv, err := parseCommand(f.raw)
			if err != nil {
				fail(f.valAt, "%v", err)
				continue
			}
			r.resp = responder{kind: respCommand, argv: argv, dir: dir, timeout: DefaultTimeout}
		case "decision":
			resp = append(resp, f)
			v, ok := str(f)
			if !ok {
				continue
			}
			if v != api.DecisionApproved && v != api.DecisionDenied {
				fail(f.valAt, `"decision" must be %q or %q, not %q`, api.DecisionApproved, api.DecisionDenied, v)
				continue
			}
			reason := r.resp.reason
			r.resp = responder{kind: respDecision, decision: v, reason: reason}
		case "reason":
			v, ok := str(f)
			if !ok {
				continue
			}
			r.resp.reason = v
			reasonAt = &f
		case "timeout":
			timeout = &f
		case "fire":
			v, ok := str(f)
			if !ok {
				continue
			}
			switch v {
			case "session":
			case "once":
				r.once = true
			default:
				fail(f.valAt, `"fire" must be "session" or "once", not %q`, v)
			}
		case "send":
			if json.Unmarshal(f.raw, &r.send) != nil {
				fail(f.valAt, `"send" must be true or false`)
			}
		default:
			fail(f.keyAt, "unknown field %q (want %s)", f.key, ruleFields)
		}
	}
	if !seen["tool"] {
		fail(at, `no "tool": say which tool the rule answers (a glob, "*" for every tool)`)
	}
	switch {
	case len(resp) == 0:
		fail(at, "no responder: give one of %s", strings.Join(responderFields, ", "))
	case len(resp) > 1:
		fail(resp[1].keyAt, "two responders (%s and %s): give exactly one", resp[0].key, resp[1].key)
	}
	if reasonAt != nil && r.resp.kind != respDecision {
		fail(reasonAt.keyAt, `"reason" is only for a "decision" rule`)
	}
	if timeout != nil {
		var v string
		switch {
		case json.Unmarshal(timeout.raw, &v) != nil:
			fail(timeout.valAt, `"timeout" must be a duration string such as "5s"`)
		case !slices.ContainsFunc(resp, func(f field) bool { return f.key == "command" }):
			fail(timeout.keyAt, `"timeout" is only for a "command" rule`)
		default:
			d, err := time.ParseDuration(v)
			switch {
			case err != nil:
				fail(timeout.valAt, `bad timeout %q (want a duration such as "5s" or "500ms")`, v)
			case d <= 0:
				fail(timeout.valAt, "bad timeout %q: it must be more than zero", v)
			default:
				r.resp.timeout = d
			}
		}
	}
	if bad {
		return nil
	}
	return r
}

// newArgMatch reads one "args" entry: a string written "/regex/" is a
// regular expression, anything else an exact value.
func newArgMatch(key string, raw json.RawMessage) (argMatch, error) {
	m := argMatch{key: key}
	var s string
	if json.Unmarshal(raw, &s) == nil && len(s) >= 2 && s[0] == '/' && s[len(s)-1] == '/' {
		re, err := regexp.Compile(s[1 : len(s)-1])
		if err != nil {
			return m, fmt.Errorf("bad regular expression %s: %v", raw, err)
		}
		m.re = re
		return m, nil
	}
	v, err := decodeJSON(raw)
	if err != nil {
		return m, err
	}
	m.want = v
	return m, nil
}

// parseCommand reads "command": a non-empty argv array of strings, or a
// string run with "sh -c".
func parseCommand(raw json.RawMessage) ([]string, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if strings.TrimSpace(s) == "" {
			return nil, errors.New(`"command" must not be empty`)
		}
		return []string{"sh", "-c", s}, nil
	}
	var argv []string
	if json.Unmarshal(raw, &argv) != nil {
		return nil, errors.New(`"command" must be an array of strings (argv) or a string run with sh -c`)
	}
	if len(argv) == 0 || argv[0] == "" {
		return nil, errors.New(`"command" must name a program first`)
	}
	return argv, nil
}

// resolve makes a path from the rules file relative to its folder, so a
// rules file works whatever folder rtinspect is started from.
func resolve(dir, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

// matches reports whether the rule applies to a call whose arguments are
// args (nil when they are not a JSON object).
func (r *rule) matches(c *model.PendingCall, args map[string]json.RawMessage) bool {
	if ok, _ := path.Match(r.tool, strings.TrimPrefix(c.ToolName, webmcpPrefix)); !ok {
		return false
	}
	for _, m := range r.args {
		raw, ok := args[m.key]
		if !ok || !m.match(raw) {
			return false
		}
	}
	return true
}

// match tests one argument's value: a regular expression sees a string
// argument as is and any other value as compact JSON; an exact value is
// compared as JSON (numbers by value, objects whatever their key order).
func (m argMatch) match(raw json.RawMessage) bool {
	if m.re != nil {
		var s string
		// Only a JSON string is seen as is: decoding null into a string
		// would succeed and give "".
		if raw = bytes.TrimSpace(raw); len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
			var b bytes.Buffer
			if json.Compact(&b, raw) != nil {
				return false
			}
			s = b.String()
		}
		return m.re.MatchString(s)
	}
	got, err := decodeJSON(raw)
	return err == nil && jsonEqual(m.want, got)
}

// callArgs reads a call's arguments as an object; nil when they are absent
// or not an object, so any rule with "args" fails to match.
func callArgs(c *model.PendingCall) map[string]json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(c.Parameters, &m) != nil {
		return nil
	}
	return m
}

// decodeJSON decodes with numbers kept as text, so jsonEqual can compare
// them exactly (float64 would equate distinct large ids).
func decodeJSON(raw json.RawMessage) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// jsonEqual compares two values from decodeJSON: 1, 1.0 and 1e0 are equal;
// objects are equal whatever their key order.
func jsonEqual(a, b any) bool {
	switch a := a.(type) {
	case json.Number:
		b, ok := b.(json.Number)
		if !ok {
			return false
		}
		x, okx := new(big.Rat).SetString(string(a))
		y, oky := new(big.Rat).SetString(string(b))
		return okx && oky && x.Cmp(y) == 0
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, va := range a {
			vb, ok := b[k]
			if !ok || !jsonEqual(va, vb) {
				return false
			}
		}
		return true
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !jsonEqual(a[i], b[i]) {
				return false
			}
		}
		return true
	default: // string, bool, nil
		return a == b
	}
}

// walkObject calls fn for each member of the JSON object at data[off]
// (already known to be valid JSON), with the byte offsets of the member's
// key and value, so problems can name their line. It stops at fn's first
// error.
func walkObject(data []byte, off int, fn func(key string, keyAt, valAt int, raw json.RawMessage) error) error {
	dec := json.NewDecoder(bytes.NewReader(data[off:]))
	if _, err := dec.Token(); err != nil { // '{'
		return err
	}
	for dec.More() {
		keyAt := skipSpaceAnd(data, off+int(dec.InputOffset()), ',')
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		valAt := skipSpaceAnd(data, off+int(dec.InputOffset()), ':')
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		if err := fn(key, keyAt, valAt, raw); err != nil {
			return err
		}
	}
	return nil
}

// walkArray calls fn for each element of the JSON array at data[off]
// (already known to be valid JSON), with the element's offset.
func walkArray(data []byte, off int, fn func(at int, raw json.RawMessage)) {
	dec := json.NewDecoder(bytes.NewReader(data[off:]))
	if _, err := dec.Token(); err != nil { // '['
		return
	}
	for dec.More() {
		at := skipSpaceAnd(data, off+int(dec.InputOffset()), ',')
		var raw json.RawMessage
		if dec.Decode(&raw) != nil {
			return
		}
		fn(at, raw)
	}
}

// skipSpace returns the offset of the first non-blank byte at or after off.
func skipSpace(data []byte, off int) int {
	for off < len(data) && isSpace(data[off]) {
		off++
	}
	return off
}

// skipSpaceAnd skips blanks, then one sep (the ',' or ':' the decoder
// leaves before the next token), then blanks.
func skipSpaceAnd(data []byte, off int, sep byte) int {
	off = skipSpace(data, off)
	if off < len(data) && data[off] == sep {
		off = skipSpace(data, off+1)
	}
	return off
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// jsonErrText strips encoding/json's "json: " prefix, which reads oddly
// after a file and line.
func jsonErrText(err error) string {
	return strings.TrimPrefix(err.Error(), "json: ")
}

// firstLine returns the first non-blank line of b, trimmed and cut to a
// readable length, for error reasons.
func firstLine(b []byte) string {
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			if len(l) > 200 {
				l = l[:200]
				for !utf8.ValidString(l) {
					l = l[:len(l)-1]
				}
				l += "…"
			}
			return l
		}
	}
	return ""
}
