package catalog

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"unicode/utf8"

	"github.com/tailscale/hujson"

	"rtinspect/model"
)

// hujsonErr matches the position prefix hujson puts on its errors. hujson
// has no typed error carrying the offset, so the text is the only source.
var hujsonErr = regexp.MustCompile(`(?s)^hujson: line (\d+), column (\d+): (.*)$`)

// bom is the UTF-8 byte order mark.
var bom = []byte("\xef\xbb\xbf")

// standardize turns JSONC text (// and /* */ comments, trailing commas) into
// standard JSON of the same length: comments and trailing commas become
// spaces and newlines stay, so every byte offset, line and column in the
// result is the one the user sees in the editor. Text that holds only
// blanks and comments comes back blank (no value yet). A syntax error is a
// *model.ParseError at the offending character.
func standardize(text []byte) ([]byte, error) {
	// hujson's AST aliases its input and Standardize blanks comments in
	// place, so work on a copy: the caller's bytes stay as written.
	buf := bytes.Clone(text)
	if bytes.HasPrefix(buf, bom) {
		// Some editors start the file with a byte order mark; blank it
		// like a comment (same length, so offsets hold).
		copy(buf, "   ")
	}
	ast, err := hujson.Parse(buf)
	if err == nil {
		ast.Standardize()
		return ast.Pack(), nil
	}
	// A stub whose value was deleted leaves only its comment header: that
	// is an empty answer, not a syntax error. Probe with a value appended
	// on its own line (so a trailing // comment cannot swallow it).
	probe := make([]byte, 0, len(buf)+5)
	probe = append(append(probe, buf...), "\nnull"...)
	if v, perr := hujson.Parse(probe); perr == nil && v.StartOffset >= len(text) {
		v.Standardize()
		return v.Pack()[:len(text)], nil
	}
	return nil, parseErrorOf(text, err)
}

// parseErrorOf converts a hujson error into a *model.ParseError whose
// column counts characters, like the model's own JSON errors (hujson counts
// bytes).
func parseErrorOf(text []byte, err error) *model.ParseError {
	m := hujsonErr.FindStringSubmatch(err.Error())
	if m == nil {
		return &model.ParseError{Line: 1, Column: 1, Msg: err.Error()}
	}
	line, _ := strconv.Atoi(m[1])
	col, _ := strconv.Atoi(m[2])
	off := lineStart(text, line) + col - 1
	return errorAt(text, off, m[3])
}

// lineStart returns the byte offset where 1-based line n begins (the end
// of text when it has fewer lines).
func lineStart(text []byte, n int) int {
	off := 0
	for ; n > 1; n-- {
		i := bytes.IndexByte(text[off:], '\n')
		if i < 0 {
			return len(text)
		}
		off += i + 1
	}
	return off
}

// position returns the 1-based line and character column of byte offset
// off in text.
func position(text []byte, off int) (line, col int) {
	off = max(0, min(off, len(text)))
	before := text[:off]
	line = 1 + bytes.Count(before, []byte{'\n'})
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, 1 + utf8.RuneCount(before[start:])
}

// errorAt builds a *model.ParseError for byte offset off of text.
func errorAt(text []byte, off int, msg string) *model.ParseError {
	line, col := position(text, off)
	return &model.ParseError{Line: line, Column: col, Msg: msg}
}

// locate returns the byte offset in std (standard JSON) of the value at
// the instance location loc (unescaped JSON pointer tokens), and of the
// member name when the last token names an object member (else -1). When
// the path leaves the document it stops at the deepest value found, so the
// user is still pointed somewhere close.
func locate(std []byte, loc []string) (valueOff, keyOff int) {
	root, err := hujson.Parse(std)
	if err != nil {
		return 0, -1
	}
	v, keyOff := &root, -1
	for _, tok := range loc {
		next, nextKey := child(v, tok)
		if next == nil {
			break
		}
		v, keyOff = next, nextKey
	}
	return v.StartOffset, keyOff
}

// child returns the member tok of an object (the last one, as
// encoding/json and the validator keep the last of duplicate names) with
// its name's offset, or element tok of an array.
func child(v *hujson.Value, tok string) (*hujson.Value, int) {
	switch c := v.Value.(type) {
	case *hujson.Object:
		for i := len(c.Members) - 1; i >= 0; i-- {
			m := &c.Members[i]
			if lit, ok := m.Name.Value.(hujson.Literal); ok && lit.String() == tok {
				return &m.Value, m.Name.StartOffset
			}
		}
	case *hujson.Array:
		if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(c.Elements) {
			return &c.Elements[i], -1
		}
	}
	return nil, -1
}

// node is a parsed JSON value that keeps the order of object members and
// where each value sits in its source: stubs list fields in the schema's
// order, and problems name the line of the field at fault.
type node struct {
	kind    byte     // '{' object, '[' array, 0 literal
	keys    []string // object member names, in order
	keyOffs []int    // byte offsets of the member names
	vals    []*node  // object member values (parallel to keys) or array elements
	lit     []byte   // a literal's JSON text
	off     int      // byte offset of the value in its source
}

// toNode converts a hujson syntax tree (of standardized text) into a node.
func toNode(v *hujson.Value) *node {
	n := &node{off: v.StartOffset}
	switch c := v.Value.(type) {
	case *hujson.Object:
		n.kind = '{'
		for i := range c.Members {
			m := &c.Members[i]
			name, _ := m.Name.Value.(hujson.Literal)
			n.keys = append(n.keys, name.String())
			n.keyOffs = append(n.keyOffs, m.Name.StartOffset)
			n.vals = append(n.vals, toNode(&m.Value))
		}
	case *hujson.Array:
		n.kind = '['
		for i := range c.Elements {
			n.vals = append(n.vals, toNode(&c.Elements[i]))
		}
	case hujson.Literal:
		n.lit = c
	}
	return n
}

// parseNode parses standard JSON into a node.
func parseNode(std []byte) (*node, error) {
	v, err := hujson.Parse(std)
	if err != nil {
		return nil, err
	}
	return toNode(&v), nil
}

// get returns the value of member k of an object (the last one when the
// name repeats, as encoding/json does), or nil.
func (n *node) get(k string) *node {
	if n == nil || n.kind != '{' {
		return nil
	}
	for i := len(n.keys) - 1; i >= 0; i-- {
		if n.keys[i] == k {
			return n.vals[i]
		}
	}
	return nil
}

// str returns the value of a string literal.
func (n *node) str() (string, bool) {
	if n == nil || n.kind != 0 || len(n.lit) == 0 || n.lit[0] != '"' {
		return "", false
	}
	return hujson.Literal(n.lit).String(), true
}

// litOrNil returns a literal's JSON text, nil for anything else.
func (n *node) litOrNil() []byte {
	if n == nil || n.kind != 0 {
		return nil
	}
	return n.lit
}

// num returns the value of a number literal.
func (n *node) num() (float64, bool) {
	if n == nil || n.kind != 0 || len(n.lit) == 0 {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(n.lit), 64)
	return f, err == nil
}

// encode appends the compact JSON of n to buf.
func (n *node) encode(buf *bytes.Buffer) {
	switch n.kind {
	case '{':
		buf.WriteByte('{')
		for i, k := range n.keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.Write(quote(k))
			buf.WriteByte(':')
			n.vals[i].encode(buf)
		}
		buf.WriteByte('}')
	case '[':
		buf.WriteByte('[')
		for i, v := range n.vals {
			if i > 0 {
				buf.WriteByte(',')
			}
			v.encode(buf)
		}
		buf.WriteByte(']')
	default:
		if len(n.lit) == 0 {
			buf.WriteString("null")
			return
		}
		buf.Write(n.lit)
	}
}

// compact returns the compact JSON of n.
func (n *node) compact() []byte {
	var b bytes.Buffer
	n.encode(&b)
	return b.Bytes()
}

// quote returns s as a JSON string, with <, > and & left as they are
// (the text is for people, not for an HTML page).
func quote(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return bytes.TrimSuffix(b.Bytes(), []byte{'\n'})
}

// literal makes a literal node from JSON text.
func literal(s string) *node { return &node{lit: []byte(s)} }
