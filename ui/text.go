package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// clean makes text from the stream safe to draw: control characters, and so
// every ANSI or OSC escape sequence a model or tool put in its output, are
// shown escaped (\x1b, \n, ...) instead of being interpreted by the
// terminal. Invalid UTF-8 is shown as \xNN. Text is drawn on one line.
func clean(s string) string {
	needs := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || c >= 0x80 {
			needs = true
			break
		}
	}
	if !needs {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(" ")
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

// cleanBlock is clean for multi-line text: newlines are kept as line breaks,
// every other control character is escaped.
func cleanBlock(s string) string {
	if !strings.ContainsAny(s, "\n") {
		return clean(s)
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = clean(strings.TrimSuffix(l, "\r"))
	}
	return strings.Join(lines, "\n")
}

// fit truncates (with an ellipsis) or pads s to exactly w cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw, plain := cellWidth(s)
	if sw > w {
		if plain {
			return cutCells(s, w-1) + "…"
		}
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-sw)
}

// cellWidth returns the cells s takes on screen, as ansi.StringWidth
// counts them, and whether s is plain: no escape sequence and every rune
// one cell wide on its own. Measuring grapheme clusters is most of the
// cost of drawing a frame, and almost every string drawn is ASCII with a
// few one-cell symbols (… · → é), CJK text (wideAlone) and colour (SGR)
// sequences, which this counts directly; anything else goes to
// ansi.StringWidth (TestCellWidthMatchesAnsi).
func cellWidth(s string) (int, bool) {
	n, plain := 0, true
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= 0x20 && c < 0x7f:
			n++
			i++
		case c == 0x1b && i+1 < len(s) && s[i+1] == '[':
			// A CSI sequence: parameter and intermediate bytes, then a
			// final byte. It takes no cell.
			j := i + 2
			for j < len(s) && s[j] >= 0x20 && s[j] <= 0x3f {
				j++
			}
			if j == len(s) || s[j] < 0x40 || s[j] > 0x7e {
				return ansi.StringWidth(s), false
			}
			plain = false
			i = j + 1
		case c >= 0x80:
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case oneCell(r):
				n++
			case wideAlone(r):
				// Two cells (CJK): no longer plain, but still counted
				// here; a rune after it that could join it goes to
				// ansi.StringWidth like any other.
				n += 2
				plain = false
			default:
				return ansi.StringWidth(s), false
			}
			i += size
		default:
			return ansi.StringWidth(s), false
		}
	}
	return n, plain
}

// oneCell reports whether r is one cell wide and never joins the runes
// around it into a grapheme cluster: Latin-1 and Latin Extended-A letters
// and signs, general punctuation (‘ ’ “ ” – — … •), arrows and box
// drawing. The soft hyphen and the C1 controls are not.
func oneCell(r rune) bool {
	switch {
	case r >= 0xa0 && r <= 0x17f:
		return r != 0xad
	case r >= 0x2010 && r <= 0x2027, r >= 0x2030 && r <= 0x205e:
		return true
	case r >= 0x2190 && r <= 0x21ff, r >= 0x2500 && r <= 0x257f:
		return true
	}
	return false
}

// cutCells returns the first n cells of a plain string (see cellWidth).
func cutCells(s string, n int) string {
	if n <= 0 {
		return ""
	}
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// dropCells returns a plain string without its first n cells.
func dropCells(s string, n int) string {
	for i := range s {
		if n <= 0 {
			return s[i:]
		}
		n--
	}
	return ""
}

// ink draws single-line text in one style. lipgloss works out a style's
// escape sequences again on every Render, most of the cost of a frame
// with a hundred styled pieces; an ink works them out once, by rendering
// a marker, and wraps text in them. For text with no tab, line break or
// escape sequence it draws exactly what Render draws
// (TestInksMatchLipgloss); any other text goes to Render.
type ink struct {
	st        lipgloss.Style
	pre, post string
	wraps     bool // pre and post are known
}

func newInk(st lipgloss.Style) ink {
	out := st.Render("M")
	i := strings.IndexByte(out, 'M')
	if i < 0 || strings.Count(out, "M") != 1 {
		return ink{st: st}
	}
	k := ink{st: st, pre: out[:i], post: out[i+1:]}
	// A style that sizes, pads or borders the text does more than wrap
	// it: a text of another width would come out differently.
	if st.Render(" M  M") != k.pre+" M  M"+k.post {
		return ink{st: st}
	}
	k.wraps = true
	return k
}

func (k ink) render(s string) string {
	out, _ := k.draw(s)
	return out
}

// draw is render, and whether the text was only wrapped in the style's
// sequences (false: Render drew it, and may have changed it).
func (k ink) draw(s string) (string, bool) {
	if !k.wraps || strings.ContainsAny(s, "\t\n\x1b") {
		return k.st.Render(s), false
	}
	return k.pre + s + k.post, true
}

// inks are the inks of one frame, made on first use: a frame draws with a
// dozen styles a hundred times.
type inks struct {
	th     *theme
	styles map[*lipgloss.Style]ink
	kinds  map[string]ink
}

func newInks(th *theme) *inks {
	return &inks{th: th, styles: make(map[*lipgloss.Style]ink, 8), kinds: make(map[string]ink, 8)}
}

// of returns the ink of a style of the theme (st points into k.th).
func (k *inks) of(st *lipgloss.Style) ink {
	in, ok := k.styles[st]
	if !ok {
		in = newInk(*st)
		k.styles[st] = in
	}
	return in
}

// kind returns the ink of a row kind, false when the theme has none.
func (k *inks) kind(name string) (ink, bool) {
	if in, ok := k.kinds[name]; ok {
		return in, true
	}
	st, ok := k.th.kind[name]
	if !ok {
		return ink{}, false
	}
	in := newInk(st)
	k.kinds[name] = in
	return in, true
}

// compactJSON renders raw JSON on one line ("" for none).
func compactJSON(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}

// prettyJSON indents raw JSON and colours it with the theme. Input that is
// not JSON is returned as cleaned text.
func prettyJSON(raw []byte, th theme) string {
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return cleanBlock(string(raw))
	}
	return colorJSON(b.String(), th)
}

// colorJSON colours indented JSON token by token: keys, strings, numbers and
// literals. It assumes valid JSON (the output of json.Indent).
func colorJSON(s string, th theme) string {
	var out strings.Builder
	out.Grow(len(s) * 2)
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"':
			j := i + 1
			for j < len(s) {
				if s[j] == '\\' {
					j += 2
					continue
				}
				if s[j] == '"' {
					break
				}
				j++
			}
			if j >= len(s) {
				j = len(s) - 1
			}
			tok := clean(s[i : j+1])
			// A string followed by a colon is a key.
			k := j + 1
			for k < len(s) && s[k] == ' ' {
				k++
			}
			if k < len(s) && s[k] == ':' {
				out.WriteString(th.jsonKey.Render(tok))
			} else {
				out.WriteString(th.jsonString.Render(tok))
			}
			i = j + 1
		case c == '-' || (c >= '0' && c <= '9'):
			j := i
			for j < len(s) && strings.IndexByte("+-0123456789.eE", s[j]) >= 0 {
				j++
			}
			out.WriteString(th.jsonNumber.Render(s[i:j]))
			i = j
		case c == 't' || c == 'f' || c == 'n':
			j := i
			for j < len(s) && s[j] >= 'a' && s[j] <= 'z' {
				j++
			}
			out.WriteString(th.jsonLiteral.Render(s[i:j]))
			i = j
		default:
			out.WriteByte(c)
			i++
		}
	}
	return out.String()
}

// wrapLines hard-wraps every line of s to w cells, so long strings (a 400 KB
// tool result) are readable in a pane instead of being cut.
func wrapLines(s string, w int) string {
	if w <= 0 {
		return s
	}
	return ansi.Hardwrap(s, w, true)
}

// wrapHead returns the first h lines (at least one) of wrapLines(s, w),
// wrapping only the lines of s it needs.
func wrapHead(s string, w, h int) []string {
	h = max(h, 1)
	if w <= 0 {
		return firstLines(s, h)
	}
	out := make([]string, 0, h)
	for {
		line, rest, more := strings.Cut(s, "\n")
		lw, plain := cellWidth(line)
		switch {
		case lw <= w:
			out = append(out, line)
		case plain:
			// One cell a rune: the wrap is a cut every w runes, and only
			// the head of a long line (a streamed answer has no line
			// breaks) can show.
			for line != "" && len(out) < h {
				head := cutCells(line, w)
				out = append(out, head)
				line = line[len(head):]
			}
		default:
			out = append(out, strings.Split(wrapLines(line, w), "\n")...)
		}
		if !more || len(out) >= h {
			break
		}
		s = rest
	}
	if len(out) > h {
		out = out[:h]
	}
	return out
}

// firstLines returns the first h lines of s.
func firstLines(s string, h int) []string {
	out := strings.SplitN(s, "\n", h+1)
	if len(out) > h {
		out = out[:h]
	}
	return out
}

// box draws a rounded border with a title around content sized to exactly
// w x h cells (border included). It draws what lipgloss's bordered,
// sized style draws (TestBoxMatchesLipgloss), by hand: the content is
// already lines of at most w-2 cells, and measuring every line once
// instead of on each of lipgloss's passes makes a frame several times
// cheaper. A line wider than w-2 cells is cut, never wrapped.
func box(th theme, title string, content string, w, h int, focused bool) string {
	if w < 4 || h < 2 {
		return ""
	}
	border := th.border
	if focused {
		border = th.borderFocus
	}
	ink := newInk(lipgloss.NewStyle().Foreground(border.GetBorderTopForeground()))
	rb := lipgloss.RoundedBorder()
	left, right := ink.render(rb.Left), ink.render(rb.Right)
	inner := w - 2

	var b strings.Builder
	b.Grow((h + 1) * (inner + len(left) + len(right) + 16))
	if title != "" {
		// Put the title into the top border line.
		t := " " + title + " "
		t = fit(t, min(w-4, ansi.StringWidth(t)))
		ts := th.title.Render(t)
		if focused {
			ts = th.titleFocus.Render(t)
		}
		tw, _ := cellWidth(t)
		b.WriteString(ink.render(rb.TopLeft + rb.Top))
		b.WriteString(ts)
		b.WriteString(ink.render(strings.Repeat(rb.Top, w-3-tw) + rb.TopRight))
	} else {
		b.WriteString(ink.render(rb.TopLeft + strings.Repeat(rb.Top, inner) + rb.TopRight))
	}
	rest := content
	for i := 0; i < h-2; i++ {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		b.WriteByte('\n')
		b.WriteString(left)
		b.WriteString(fit(line, inner))
		b.WriteString(right)
	}
	b.WriteByte('\n')
	b.WriteString(ink.render(rb.BottomLeft + strings.Repeat(rb.Bottom, inner) + rb.BottomRight))
	return b.String()
}

// lineBuf builds one pane line from pieces, drawn and plain side by side,
// counting the cells used so far: the row lines of both event views are
// put together this way, measured as they grow, so only their text is cut.
type lineBuf struct {
	b, p strings.Builder
	used int
}

func newLineBuf(w int) *lineBuf {
	l := &lineBuf{}
	l.b.Grow(2*w + 64)
	l.p.Grow(w + 16)
	return l
}

// add appends a piece, drawn with ink (nil: as it is).
func (l *lineBuf) add(s string, in *ink) {
	if in != nil {
		d, wrapped := in.draw(s)
		l.b.WriteString(d)
		if !wrapped {
			// Render may have changed the text itself (a tab): the plain
			// line is what it drew.
			s = ansi.Strip(d)
		}
	} else {
		l.b.WriteString(s)
	}
	l.p.WriteString(s)
	cw, _ := cellWidth(s)
	l.used += cw
}
