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
	sw := ansi.StringWidth(s)
	if sw > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-sw)
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

// box draws a rounded border with a title around content sized to exactly
// w x h cells (border included).
func box(th theme, title string, content string, w, h int, focused bool) string {
	if w < 4 || h < 2 {
		return ""
	}
	border := th.border
	if focused {
		border = th.borderFocus
	}
	inner := lipgloss.NewStyle().Width(w - 2).Height(h - 2).MaxHeight(h - 2).Render(content)
	body := border.Width(w).Height(h).Render(inner)
	if title == "" {
		return body
	}
	// Put the title into the top border line.
	lines := strings.SplitN(body, "\n", 2)
	t := " " + title + " "
	if ansi.StringWidth(t) > w-4 {
		t = ansi.Truncate(t, w-4, "…")
	}
	ts := th.title.Render(t)
	if focused {
		ts = th.titleFocus.Render(t)
	}
	top := ansi.Cut(lines[0], 0, 2) + ts + ansi.Cut(lines[0], 2+ansi.StringWidth(t), w)
	if len(lines) == 1 {
		return top
	}
	return top + "\n" + lines[1]
}
