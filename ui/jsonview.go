package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// The detail view's document: lines of text and JSON values, written once
// into one plain source text (JSON pretty-printed two spaces a level), and
// laid out lazily. Nothing is wrapped, cleaned or coloured up front: the
// layout counts the display lines of each visible line and keeps where the
// long ones wrap (an index), and a frame draws only the lines it shows. A
// 400 KB tool result opens in the time it takes to parse it, and a frame
// costs a screenful whatever the size.
//
// Every piece of the source is drawn through clean, so text from the stream
// never reaches the terminal as escape sequences.

// nodeKind is what a node of the document is.
type nodeKind uint8

const (
	nodeText nodeKind = iota // a line of text (cleaned when drawn)
	nodeObject
	nodeArray
	nodeString
	nodeNumber
	nodeLiteral // true, false, null
)

// textStyle is the style of the head of a text line.
type textStyle uint8

const (
	stylePlain textStyle = iota
	styleBold
	styleDim
	styleErr
)

// bigString is the size above which a JSON string starts folded: a 4 KB
// string wraps to more than a screenful, and a 400 KB one to thousands of
// lines the reader rarely wants to page through.
const bigString = 4 << 10

// maxMatches bounds the matches n / N count, so a pattern that matches
// every other character of a 400 KB value cannot stall a key press.
const maxMatches = 100_000

// node is one line of text, or one JSON value. Offsets are into doc.src.
// A JSON node's first line starts at line (its indentation), then its key
// token and ": " (key == keyEnd when it has no key), then its value:
// [val, valEnd) is the token, or the brackets and everything between them.
// end is where its last line ends, after the comma if one follows. A text
// node is the line [line, end), its head [line, head) drawn in style, and
// [val, end) what CopyValue copies.
type node struct {
	kind   nodeKind
	style  textStyle
	folded bool
	hang   uint8 // a text line's continuation indent (JSON indents by depth)
	depth  int32
	parent int32 // -1 at the top level
	first  int32 // first child, -1 for none
	next   int32 // next sibling, -1 for none
	count  int32 // children

	line, end   int
	key, keyEnd int
	val, valEnd int
	head        int
}

func (n *node) container() bool { return n.kind == nodeObject || n.kind == nodeArray }

// entryPart says which line of a node an entry of the layout is.
type entryPart uint8

const (
	partLine  entryPart = iota // the node's only line: text, a scalar, an empty or folded value
	partOpen                   // a container's first line, up to its opening bracket
	partClose                  // a container's closing bracket
)

// entry is one logical line of the layout; it takes one or more display
// lines at the layout's width.
type entry struct {
	node  int32
	part  entryPart
	start int // where the entry starts in src (its span's start)
}

// doc is a detail view's content.
type doc struct {
	src   string
	nodes []node
	root  int32 // the first top-level node, -1 when empty

	// allFn makes what CopyAll copies and SaveFile writes (nil: the
	// source text), made only when asked for: the JSON of every event of
	// a row costs a pass over all of them. what names it in messages, ext
	// ends the file's name.
	allFn     func() string
	what, ext string

	// The layout at width: entries in order, the first display line of
	// each (lines[len(entries)] is the total), and where the entries
	// longer than a line wrap, by the entry's start. wraps survives
	// folding (the same lines wrap the same way) and is dropped when the
	// width changes.
	width   int
	entries []entry
	lines   []int
	wraps   map[int][]int
	widths  *runeWidths

	// The matches of pattern in src, found on first use.
	pattern *regexp.Regexp
	matches [][2]int
	found   bool
	capped  bool
}

// ---- building ----

// docBuilder writes a document line by line.
type docBuilder struct {
	src   strings.Builder
	nodes []node
	last  int32 // the last top-level node, -1 for none
	root  int32
}

func newDocBuilder() *docBuilder { return &docBuilder{last: -1, root: -1} }

// top appends a top-level node, linked after the last one.
func (b *docBuilder) top(n node) int32 {
	i := int32(len(b.nodes))
	n.parent, n.first, n.next = -1, -1, -1
	b.nodes = append(b.nodes, n)
	if b.last >= 0 {
		b.nodes[b.last].next = i
	} else {
		b.root = i
	}
	b.last = i
	return i
}

// newline separates the line about to be written from the one before.
func (b *docBuilder) newline() {
	if len(b.nodes) > 0 {
		b.src.WriteByte('\n')
	}
}

// text adds s as lines of text in style st (a trailing \r is dropped from
// each, as cleanBlock does).
func (b *docBuilder) text(s string, st textStyle) {
	for {
		line, rest, more := strings.Cut(s, "\n")
		b.line(strings.TrimSuffix(line, "\r"), st, "")
		if !more {
			return
		}
		s = rest
	}
}

// line adds one line: head in style st, then rest; CopyValue copies it
// whole. A line break in either is drawn escaped, as clean draws it.
func (b *docBuilder) line(head string, st textStyle, rest string) {
	b.add(head, st, rest, false)
}

// field adds a "label: value" line, of which CopyValue copies the value.
func (b *docBuilder) field(label, value string) {
	b.add(label+": ", stylePlain, value, true)
}

func (b *docBuilder) add(head string, st textStyle, rest string, restIsValue bool) {
	b.newline()
	n := node{kind: nodeText, style: st, line: b.src.Len()}
	b.src.WriteString(head)
	n.head = b.src.Len()
	n.val = n.line
	if restIsValue {
		n.val = n.head
	}
	b.src.WriteString(rest)
	n.end = b.src.Len()
	n.valEnd = n.end
	b.top(n)
}

// blank adds an empty line.
func (b *docBuilder) blank() { b.line("", stylePlain, "") }

// json adds raw as a pretty-printed JSON value and reports whether it was
// valid JSON; when not, nothing is added.
func (b *docBuilder) json(raw []byte) bool {
	if !json.Valid(raw) {
		return false
	}
	b.newline()
	p := jsonParser{b: b, raw: raw}
	p.ws()
	i := p.value(0, -1, nil)
	// Link it in as a top-level node.
	if b.last >= 0 {
		b.nodes[b.last].next = i
	} else {
		b.root = i
	}
	b.last = i
	return true
}

// jsonOrText adds raw as JSON, or as lines of text when it is not JSON.
func (b *docBuilder) jsonOrText(raw []byte) {
	if !b.json(raw) {
		b.text(string(raw), stylePlain)
	}
}

func (b *docBuilder) doc() *doc {
	return &doc{src: b.src.String(), nodes: b.nodes, root: b.root, what: "the text", ext: ".txt"}
}

// all is what CopyAll copies and SaveFile writes.
func (d *doc) all() string {
	if d.allFn != nil {
		return d.allFn()
	}
	return d.src
}

// jsonParser pretty-prints valid JSON into a builder, a node per value.
type jsonParser struct {
	b   *docBuilder
	raw []byte
	i   int
}

const indentSpaces = "                                                                "

func (p *jsonParser) indent(depth int32) {
	for n := int(depth) * 2; n > 0; {
		k := min(n, len(indentSpaces))
		p.b.src.WriteString(indentSpaces[:k])
		n -= k
	}
}

func (p *jsonParser) ws() {
	for p.i < len(p.raw) {
		switch p.raw[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// str returns the string token at p.i, quotes included.
func (p *jsonParser) str() []byte {
	start := p.i
	i := p.i + 1
	for {
		j := bytes.IndexAny(p.raw[i:], "\"\\")
		i += j
		if p.raw[i] == '\\' {
			i += 2
			continue
		}
		break
	}
	p.i = i + 1
	return p.raw[start:p.i]
}

// value writes the value at p.i, after its key token (nil in an array or
// at the top), and returns its node. The caller writes what follows it
// (a comma) and sets the node's end past it.
func (p *jsonParser) value(depth, parent int32, key []byte) int32 {
	b := p.b
	idx := int32(len(b.nodes))
	b.nodes = append(b.nodes, node{})
	n := node{depth: depth, parent: parent, first: -1, next: -1, line: b.src.Len()}
	p.indent(depth)
	n.key = b.src.Len()
	if key != nil {
		b.src.Write(key)
		n.keyEnd = b.src.Len()
		b.src.WriteString(": ")
	} else {
		n.keyEnd = n.key
	}
	n.val = b.src.Len()
	switch c := p.raw[p.i]; c {
	case '{', '[':
		closer := byte('}')
		n.kind = nodeObject
		if c == '[' {
			n.kind, closer = nodeArray, ']'
		}
		b.src.WriteByte(c)
		p.i++
		p.ws()
		if p.raw[p.i] == closer {
			p.i++
			b.src.WriteByte(closer)
			break
		}
		prev := int32(-1)
		for {
			b.src.WriteByte('\n')
			var k []byte
			if c == '{' {
				k = p.str()
				p.ws()
				p.i++ // ':'
				p.ws()
			}
			child := p.value(depth+1, idx, k)
			if prev < 0 {
				n.first = child
			} else {
				b.nodes[prev].next = child
			}
			prev = child
			n.count++
			p.ws()
			if p.raw[p.i] != ',' {
				break
			}
			p.i++
			p.ws()
			b.src.WriteByte(',')
			b.nodes[child].end = b.src.Len()
		}
		p.i++ // the closer
		b.src.WriteByte('\n')
		p.indent(depth)
		b.src.WriteByte(closer)
	case '"':
		n.kind = nodeString
		tok := p.str()
		b.src.Write(tok)
		n.folded = len(tok) > bigString
	default:
		n.kind = nodeNumber
		if c == 't' || c == 'f' || c == 'n' {
			n.kind = nodeLiteral
		}
		j := p.i
		for j < len(p.raw) && !strings.ContainsRune(",}] \t\r\n", rune(p.raw[j])) {
			j++
		}
		b.src.Write(p.raw[p.i:j])
		p.i = j
	}
	n.valEnd = b.src.Len()
	n.end = n.valEnd
	b.nodes[idx] = n
	return idx
}

// ---- layout ----

// span is where an entry's text is in src. A folded value's entry spans
// the whole value, so a match inside it lands on its line.
func (d *doc) span(e entry) (int, int) {
	n := &d.nodes[e.node]
	switch e.part {
	case partOpen:
		return n.line, n.val + 1
	case partClose:
		return n.valEnd - 1 - 2*int(n.depth), n.end
	}
	return n.line, n.end
}

// folded reports whether an entry draws its node folded.
func (d *doc) folded(e entry) bool {
	return e.part == partLine && d.nodes[e.node].folded
}

// hang is how far the continuation lines of an entry are indented: two
// more than a value's own indentation, so a wrapped string stays inside
// its level; a text line's own (under the value of "data: …"); never more
// than half the width.
func (d *doc) hang(e entry, w int) int {
	n := &d.nodes[e.node]
	if n.kind == nodeText {
		return min(int(n.hang), w/2)
	}
	return min(2*int(n.depth)+2, w/2)
}

// layout lays the document out at width w (in cells).
func (d *doc) layout(w int) {
	w = max(w, 4)
	if w != d.width {
		d.wraps = nil
	}
	d.width = w
	d.entries = d.collect(d.entries[:0])
	d.lines = d.lines[:0]
	total := 0
	for _, e := range d.entries {
		d.lines = append(d.lines, total)
		total += 1 + len(d.breaks(e))
	}
	d.lines = append(d.lines, total)
}

// collect appends the entries of the unfolded document, in order.
func (d *doc) collect(out []entry) []entry {
	for i := d.root; i >= 0; i = d.nodes[i].next {
		out = d.walk(out, i)
	}
	return out
}

func (d *doc) walk(out []entry, i int32) []entry {
	n := &d.nodes[i]
	if n.container() && n.count > 0 && !n.folded {
		out = append(out, entry{node: i, part: partOpen, start: n.line})
		for c := n.first; c >= 0; c = d.nodes[c].next {
			out = d.walk(out, c)
		}
		return append(out, entry{node: i, part: partClose, start: n.valEnd - 1 - 2*int(n.depth)})
	}
	return append(out, entry{node: i, part: partLine, start: n.line})
}

// breaks returns where the display lines after an entry's first one
// start (nil when it fits on one line), computed once per width.
func (d *doc) breaks(e entry) []int {
	if d.folded(e) {
		return nil
	}
	a, b := d.span(e)
	if br, ok := d.wraps[a]; ok {
		return br
	}
	inJSON := d.nodes[e.node].kind != nodeText
	// A \n escape in a JSON string ends a display line, so a short string
	// with one goes through wrapSpan too.
	if d.widths.fits(d.src[a:b], d.width) && !(inJSON && strings.Contains(d.src[a:b], `\n`)) {
		return nil
	}
	if d.widths == nil {
		d.widths = newRuneWidths()
	}
	br := d.widths.wrap(d.src, a, b, d.width, d.width-d.hang(e, d.width), inJSON)
	if d.wraps == nil {
		d.wraps = map[int][]int{}
	}
	d.wraps[a] = br
	return br
}

// total is the number of display lines.
func (d *doc) total() int {
	if len(d.lines) == 0 {
		return 0
	}
	return d.lines[len(d.lines)-1]
}

// at returns the entry of display line l and which of its lines l is.
func (d *doc) at(l int) (int, int) {
	// The last entry whose first line is at or before l.
	// Every entry has a line, so first lines are strictly increasing.
	i, found := slices.BinarySearch(d.lines[:len(d.entries)], l)
	if !found {
		i--
	}
	return i, l - d.lines[i]
}

// subSpan is where the sub-th display line of entry i is in src.
func (d *doc) subSpan(i, sub int) (int, int) {
	e := d.entries[i]
	a, b := d.span(e)
	br := d.breaks(e)
	if sub > 0 {
		a = br[sub-1]
	}
	if sub < len(br) {
		b = br[sub]
	}
	return a, b
}

// offsetOf is where display line l starts in src: what keeps a line in
// place while the layout changes around it.
func (d *doc) offsetOf(l int) int {
	if len(d.entries) == 0 {
		return 0
	}
	i, sub := d.at(clamp(l, 0, d.total()-1))
	a, _ := d.subSpan(i, sub)
	return a
}

// lineOf is the display line showing src offset p (the folded line of a
// folded value that holds it).
func (d *doc) lineOf(p int) int {
	if len(d.entries) == 0 {
		return 0
	}
	i, found := slices.BinarySearchFunc(d.entries, p, func(e entry, p int) int { return e.start - p })
	if !found {
		i--
	}
	i = max(i, 0)
	l := d.lines[i]
	for _, b := range d.breaks(d.entries[i]) {
		if b > p {
			break
		}
		l++
	}
	return l
}

// nodeAt returns the innermost node holding src offset p (-1 for none).
// Nodes are in document order, so the last one starting at or before p
// holds it, or one of its ancestors does.
func (d *doc) nodeAt(p int) int32 {
	i, found := slices.BinarySearchFunc(d.nodes, p, func(n node, p int) int { return n.line - p })
	if !found {
		i--
	}
	// Top-level nodes are in order too, so climbing stops at one.
	n := int32(i)
	for n >= 0 && p > d.nodes[n].end {
		n = d.nodes[n].parent
	}
	return n
}

// reveal unfolds every folded value that hides src offset p, and reports
// whether it unfolded any (the layout is then stale).
func (d *doc) reveal(p int) bool {
	changed := false
	for n := d.nodeAt(p); n >= 0; n = d.nodes[n].parent {
		// A folded value's line shows its key: only what comes after
		// the key is hidden.
		if d.nodes[n].folded && p >= d.nodes[n].val {
			d.nodes[n].folded = false
			changed = true
		}
	}
	return changed
}

// ---- measuring ----

// runeWidths remembers what measuring grapheme clusters found out about
// runes outside the fast paths (oneCell, wideAlone): the width of a rune
// that made a cluster on its own before a printable character that cannot
// join it (it is that wide before any such character), and whether a rune
// can join the character before it (a mark, a joiner, a variation
// selector can). Measuring clusters is most of the cost of wrapping text
// outside the fast paths (a ✓ in every word of a 400 KB result); a doc
// keeps one. Hangul jamo and regional indicators pair with some
// neighbours and not others, so they are never remembered. A nil
// *runeWidths remembers nothing.
type runeWidths struct {
	width map[rune]int
	alone map[rune]bool
}

func newRuneWidths() *runeWidths {
	return &runeWidths{width: map[rune]int{}, alone: map[rune]bool{}}
}

// cellAt returns the bytes and cells of the character at s[i] (i < end), as
// clean draws it: a control character as \xNN (\n and \r as two cells, a
// tab as a space), a byte that is not UTF-8 as \xNN, a grapheme cluster as
// wide as ansi measures it. In JSON a backslash escape is one character,
// never split. The fast paths (ASCII, oneCell, wideAlone, remembered
// runes) hold only when the next character cannot join this one (a
// combining mark, a variation selector, a zero-width joiner would): then
// ansi measures the cluster.
func cellAt(s string, i, end int, inJSON bool) (size, cells int) {
	return (*runeWidths)(nil).cellAt(s, i, end, inJSON)
}

func (rw *runeWidths) cellAt(s string, i, end int, inJSON bool) (size, cells int) {
	c := s[i]
	switch {
	case c >= 0x20 && c < 0x7f:
		if inJSON && c == '\\' && i+1 < end {
			if s[i+1] == 'u' && i+6 <= end {
				return 6, 6
			}
			return 2, 2
		}
		if i+1 == end || rw.apart(s, i+1, end) {
			return 1, 1
		}
		return cluster(s, i, end)
	case c == '\t':
		size, cells = 1, 1 // a space
	case c == '\n' || c == '\r':
		size, cells = 1, 2
	case c < 0x80:
		size, cells = 1, 4
	default:
		r, n := utf8.DecodeRuneInString(s[i:end])
		apart := i+n == end || rw.apart(s, i+n, end)
		switch {
		case r == utf8.RuneError && n == 1:
			size, cells = 1, 4 // not UTF-8: \xNN
		case r < 0xa0:
			size, cells = n, 4 // a C1 control: \xNN
		case oneCell(r) && apart:
			return n, 1
		case wideAlone(r) && apart:
			return n, 2
		case rw != nil && apart && i+n < end && !rewritten(s, i+n, end) && !pairs(r):
			// Learnt only before a printable character: a control
			// character ends the cluster of any rune, a prepended one
			// (U+0600) included, which joins any other.
			if w, ok := rw.width[r]; ok {
				return n, w
			}
			size, w := cluster(s, i, end)
			if size == n {
				rw.width[r] = w
			}
			return size, w
		default:
			return cluster(s, i, end)
		}
	}
	// Drawn escaped, the character ends in a letter or a space a
	// following mark would join, as it would join any letter.
	if j := i + size; j < end && !rw.apart(s, j, end) {
		cl, w := ansi.FirstGraphemeCluster("x"+s[j:min(end, j+64)], ansi.GraphemeWidth)
		return size + len(cl) - 1, cells + w - 1
	}
	return size, cells
}

// apart reports whether the character at s[i] starts a new grapheme
// cluster whatever printable character comes before it: ASCII, a rune of
// oneCell or wideAlone, or one found not to join a letter.
func (rw *runeWidths) apart(s string, i, end int) bool {
	if s[i] < 0x80 {
		return s[i] != '\r' // \r\n is one cluster
	}
	r, n := utf8.DecodeRuneInString(s[i:end])
	if oneCell(r) || wideAlone(r) {
		return true
	}
	if rw == nil || pairs(r) || (r == utf8.RuneError && n == 1) {
		return false
	}
	v, ok := rw.alone[r]
	if !ok {
		// A rune that joins what comes before it joins a letter.
		cl, _ := ansi.FirstGraphemeCluster("a"+string(r), ansi.GraphemeWidth)
		v = len(cl) == 1
		rw.alone[r] = v
	}
	return v
}

// pairs reports whether r joins some neighbours and not others: Hangul
// jamo, regional indicators (flags).
func pairs(r rune) bool {
	return (r >= 0x1100 && r <= 0x11ff) || (r >= 0xa960 && r <= 0xa97f) || (r >= 0xd7b0 && r <= 0xd7ff) ||
		(r >= 0x1f1e6 && r <= 0x1f1ff)
}

// cluster measures the grapheme cluster at s[i], as ansi measures it
// drawn by clean. Clean rewrites control characters and bytes that are not
// UTF-8 as printable text (\xNN, a space for a tab), so the cluster is
// measured up to the first of them, then against what clean draws there
// (a prepended rune, U+0600, joins its backslash).
func cluster(s string, i, end int) (int, int) {
	cl, w := ansi.FirstGraphemeCluster(s[i:end], ansi.GraphemeWidth)
	if len(cl) == 0 {
		return 1, 1
	}
	for k := i + 1; k < i+len(cl); k++ {
		if utf8.RuneStart(s[k]) && rewritten(s, k, end) {
			cl, w = ansi.FirstGraphemeCluster(s[i:k], ansi.GraphemeWidth)
			break
		}
	}
	if j := i + len(cl); j < end && rewritten(s, j, end) {
		first := `\`
		if s[j] == '\t' {
			first = " "
		}
		if cl2, w2 := ansi.FirstGraphemeCluster(cl+first, ansi.GraphemeWidth); len(cl2) > len(cl) {
			size, cells := cellAt(s, j, end, false)
			return len(cl) + size, w2 + cells - 1
		}
	}
	return len(cl), w
}

// rewritten reports whether clean draws the character at s[i] as something
// else: a control character or a byte that is not UTF-8 as an escape (\xNN,
// \n), a tab as a space.
func rewritten(s string, i, end int) bool {
	c := s[i]
	if c < 0x80 {
		return c < 0x20 || c == 0x7f
	}
	r, n := utf8.DecodeRuneInString(s[i:end])
	return (r == utf8.RuneError && n == 1) || r < 0xa0
}

// cells is the width of s as clean draws it.
func (rw *runeWidths) cells(s string) int {
	n := 0
	for i := 0; i < len(s); {
		size, c := rw.cellAt(s, i, len(s), false)
		n += c
		i += size
	}
	return n
}

// wideAlone reports whether r is two cells wide and joins no rune before
// it into a grapheme cluster (but a Hangul jamo, which no fast path
// takes): the CJK ideographs, kana and Hangul syllables, most of the wide
// text a tool returns. A rune after it may still join it (a combining
// mark), which runeWidths.apart checks.
func wideAlone(r rune) bool {
	switch {
	case r >= 0x4e00 && r <= 0x9fff, r >= 0x3400 && r <= 0x4dbf:
		return true
	case r >= 0x3041 && r <= 0x3096, r >= 0x30a1 && r <= 0x30fa:
		return true
	case r >= 0xac00 && r <= 0xd7a3, r >= 0xf900 && r <= 0xfaff:
		return true
	}
	return false
}

// fits reports whether s takes at most w cells as clean draws it.
func (rw *runeWidths) fits(s string, w int) bool {
	if len(s) <= w && printableASCII(s) {
		return true
	}
	used := 0
	for i := 0; i < len(s); {
		size, cells := rw.cellAt(s, i, len(s), false)
		used += cells
		if used > w {
			return false
		}
		i += size
	}
	return true
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// wrap wraps src[a:b]: w1 cells on the first line, w2 on the others. It
// returns where each line after the first starts. A line ends after its
// last space or comma when that leaves no more than a third of it empty,
// so prose breaks between words and compact JSON (a raw frame) between
// values; otherwise (a long token, a URL, base64) it is cut where it is
// full. In JSON a \n escape also ends a line (unless only the
// closing quote and comma would follow), so multi-line text in a string
// reads as lines.
func (rw *runeWidths) wrap(src string, a, b, w1, w2 int, inJSON bool) []int {
	w1, w2 = max(w1, 1), max(w2, 1)
	var out []int
	w, used := w1, 0
	space, atSpace := -1, 0 // after the line's last space or comma, and the cells up to it
	breakAt := func(p, rest int) {
		out = append(out, p)
		w, used, space = w2, rest, -1
	}
	for i := a; i < b; {
		size, cells := rw.cellAt(src, i, b, inJSON)
		if used+cells > w && used > 0 {
			if space > 0 && used-atSpace <= w/3 && used-atSpace+cells <= w2 {
				breakAt(space, used-atSpace)
			} else {
				breakAt(i, 0)
			}
		}
		used += cells
		i += size
		if size == 1 && (src[i-1] == ' ' || src[i-1] == ',') {
			space, atSpace = i, used
		}
		if inJSON && size == 2 && src[i-1] == 'n' && src[i-2] == '\\' && b-i > 2 {
			breakAt(i, 0)
		}
	}
	return out
}

// ---- drawing ----

// docInks are the inks a document is drawn with, made once a frame.
// Matches are drawn as the events pane draws them (matchStyle: attributes,
// so they read in every theme), on the cursor line on top of its reverse.
type docInks struct {
	k           *inks
	match       ink
	cursor      ink
	cursorMatch ink
}

func newDocInks(th *theme) docInks {
	k := newInks(th)
	return docInks{
		k:           k,
		match:       k.of(&matchStyle),
		cursor:      k.of(&th.selected),
		cursorMatch: newInk(th.selected.Inherit(matchStyle)),
	}
}

// styleInk is the ink of a text line's head.
func (di docInks) styleInk(st textStyle) *ink {
	var in ink
	switch st {
	case styleBold:
		in = di.k.of(&di.k.th.bold)
	case styleDim:
		in = di.k.of(&di.k.th.dim)
	case styleErr:
		in = di.k.of(&di.k.th.errText)
	default:
		return nil
	}
	return &in
}

// valueInk is the ink of a JSON value token.
func (di docInks) valueInk(k nodeKind) *ink {
	var in ink
	switch k {
	case nodeString:
		in = di.k.of(&di.k.th.jsonString)
	case nodeNumber:
		in = di.k.of(&di.k.th.jsonNumber)
	case nodeLiteral:
		in = di.k.of(&di.k.th.jsonLiteral)
	default:
		return nil
	}
	return &in
}

// lineWriter puts a line together from pieces in inks, counting cells.
type lineWriter struct {
	b      strings.Builder
	cells  int
	cursor bool
	di     *docInks
	rw     *runeWidths
}

// put draws s (already clean) in ink in (nil: plain); on the cursor line
// everything but matches is drawn in the cursor's ink.
func (lw *lineWriter) put(s string, in *ink, match bool) {
	if s == "" {
		return
	}
	switch {
	case match && lw.cursor:
		lw.b.WriteString(lw.di.cursorMatch.render(s))
	case match:
		lw.b.WriteString(lw.di.match.render(s))
	case lw.cursor:
		lw.b.WriteString(lw.di.cursor.render(s))
	case in != nil:
		lw.b.WriteString(in.render(s))
	default:
		lw.b.WriteString(s)
	}
	lw.cells += lw.rw.cells(s)
}

// draw draws display line l in at most w cells, its matches highlighted,
// as the cursor line (padded to w) when cursor is set. It returns the
// line and its width.
func (d *doc) draw(l, w int, di *docInks, cursor bool) (string, int) {
	i, sub := d.at(l)
	lw := &lineWriter{cursor: cursor, di: di, rw: d.widths}
	e := d.entries[i]
	if d.folded(e) {
		d.drawFolded(lw, e, w)
	} else {
		a, b := d.subSpan(i, sub)
		if sub > 0 {
			lw.put(indentSpaces[:min(d.hang(e, w), len(indentSpaces))], nil, false)
		}
		d.drawSpan(lw, e, a, b)
	}
	if cursor && lw.cells < w {
		lw.put(strings.Repeat(" ", w-lw.cells), nil, false)
	}
	return lw.b.String(), lw.cells
}

// drawSpan draws src[a:b] of entry e: key, value and head in their inks,
// matches highlighted.
func (d *doc) drawSpan(lw *lineWriter, e entry, a, b int) {
	n := &d.nodes[e.node]
	// Cut points: where the ink may change.
	cuts := []int{a, b}
	add := func(p int) {
		if p > a && p < b {
			cuts = append(cuts, p)
		}
	}
	if n.kind == nodeText {
		add(n.head)
	} else {
		add(n.key)
		add(n.keyEnd)
		add(n.val)
		add(n.valEnd)
	}
	ms := d.matchesIn(a, b)
	for _, m := range ms {
		add(m[0])
		add(m[1])
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	mi := 0
	for j := 0; j+1 < len(cuts); j++ {
		x, y := cuts[j], cuts[j+1]
		for mi < len(ms) && ms[mi][1] <= x {
			mi++
		}
		match := mi < len(ms) && ms[mi][0] <= x
		var in *ink
		switch {
		case n.kind == nodeText:
			if x < n.head {
				in = lw.di.styleInk(n.style)
			}
		case x >= n.key && x < n.keyEnd:
			k := lw.di.k.of(&lw.di.k.th.jsonKey)
			in = &k
		case x >= n.val && x < n.valEnd && e.part == partLine:
			in = lw.di.valueInk(n.kind)
		}
		lw.put(clean(d.src[x:y]), in, match)
	}
}

// drawFolded draws a folded value on one line: its key, then {…} 12 keys,
// […] 40 items, or the head of a string and its size.
func (d *doc) drawFolded(lw *lineWriter, e entry, w int) {
	n := &d.nodes[e.node]
	d.drawSpan(lw, e, n.line, n.val)
	comma := ""
	if n.end > n.valEnd {
		comma = ","
	}
	lit := lw.di.k.of(&lw.di.k.th.jsonLiteral)
	dim := lw.di.k.of(&lw.di.k.th.dim)
	switch n.kind {
	case nodeObject:
		lw.put("{…}", &lit, false)
		lw.put(" "+plural(int(n.count), "key"), &dim, false)
	case nodeArray:
		lw.put("[…]", &lit, false)
		lw.put(" "+plural(int(n.count), "item"), &dim, false)
	default:
		note := " " + humanBytes(n.valEnd-n.val-2)
		str := lw.di.k.of(&lw.di.k.th.jsonString)
		// The head of the string, up to its first line break, in what
		// the line has left.
		room := w - lw.cells - 3 - len(note) - len(comma)
		head, used := n.val+1, 0
		for head < n.valEnd-1 {
			size, cells := d.widths.cellAt(d.src, head, n.valEnd-1, true)
			if used+cells > room || (d.src[head] == '\\' && d.src[head+1] == 'n') {
				break
			}
			used += cells
			head += size
		}
		lw.put(`"`+clean(d.src[n.val+1:head])+`…"`, &str, false)
		lw.put(note, &dim, false)
	}
	lw.put(comma, nil, false)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// humanBytes says a size the way the folded line shows it: 812 B, 4 KB,
// 400 KB, 1.2 MB (powers of 1000).
func humanBytes(n int) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1_000_000:
		return fmt.Sprintf("%d KB", (n+500)/1000)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

// styled draws the whole document, unwrapped, as lines of styled text: for
// the side preview, which cuts and wraps it itself. It stops after max
// lines.
func (d *doc) styled(th *theme, max int) string {
	di := newDocInks(th)
	var b strings.Builder
	for i, e := range d.collect(nil) {
		if i == max {
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		lw := &lineWriter{di: &di, rw: d.widths}
		if d.folded(e) {
			d.drawFolded(lw, e, 80)
		} else {
			a, end := d.span(e)
			d.drawSpan(lw, e, a, end)
		}
		b.WriteString(lw.b.String())
	}
	return b.String()
}

// ---- matches ----

// setPattern sets what n / N look for and the view highlights (nil: none).
func (d *doc) setPattern(re *regexp.Regexp) {
	if re == d.pattern || (re != nil && d.pattern != nil && re.String() == d.pattern.String()) {
		return
	}
	d.pattern, d.matches, d.found, d.capped = re, nil, false, false
}

// allMatches finds every match of the pattern in the source once: one pass
// over the text, not over the drawn lines, so matches inside folded values
// count too.
func (d *doc) allMatches() [][2]int {
	if d.pattern == nil || d.found {
		return d.matches
	}
	d.found = true
	for _, m := range d.pattern.FindAllStringIndex(d.src, maxMatches+1) {
		if m[1] > m[0] {
			d.matches = append(d.matches, [2]int{m[0], m[1]})
		}
	}
	if len(d.matches) > maxMatches {
		d.matches, d.capped = d.matches[:maxMatches], true
	}
	return d.matches
}

// matchesIn returns the matches overlapping src[a:b].
func (d *doc) matchesIn(a, b int) [][2]int {
	ms := d.allMatches()
	if len(ms) == 0 {
		return nil
	}
	i, _ := slices.BinarySearchFunc(ms, a, func(m [2]int, a int) int { return m[1] - 1 - a })
	j := i
	for j < len(ms) && ms[j][0] < b {
		j++
	}
	return ms[i:j]
}

// ---- values ----

// valueText is what CopyValue copies for node i: a string's text,
// unquoted; the indented JSON of any other value; the value of a text
// line.
func (d *doc) valueText(i int32) string {
	n := &d.nodes[i]
	tok := d.src[n.val:n.valEnd]
	switch n.kind {
	case nodeText:
		return tok
	case nodeString:
		var s string
		if json.Unmarshal([]byte(tok), &s) == nil {
			return s
		}
		return tok
	case nodeObject, nodeArray:
		var b bytes.Buffer
		if json.Indent(&b, []byte(tok), "", "  ") == nil {
			return b.String()
		}
	}
	return tok
}

// describe names node i for the status bar: "the string (400 KB)", "the
// object (12 keys)".
func (d *doc) describe(i int32) string {
	n := &d.nodes[i]
	switch n.kind {
	case nodeObject:
		return "the object (" + plural(int(n.count), "key") + ")"
	case nodeArray:
		return "the array (" + plural(int(n.count), "item") + ")"
	case nodeString:
		return "the string (" + humanBytes(n.valEnd-n.val-2) + ")"
	case nodeNumber:
		return "the number"
	case nodeLiteral:
		return "the value"
	}
	return "the line"
}

// foldable reports whether node i can fold: a container with something
// in it, or a string longer than a line.
func (d *doc) foldable(i int32) bool {
	n := &d.nodes[i]
	switch n.kind {
	case nodeObject, nodeArray:
		return n.count > 0
	case nodeString:
		return n.folded || len(d.breaks(entry{node: i, part: partLine, start: n.line})) > 0
	}
	return false
}
