package ui

import "strings"

// scroller is a window over lines; drawing it costs the visible lines
// only. It shows either pre-rendered text (the help and the resume
// preview: wrapped once, no cursor) or a document (the detail view: laid
// out lazily, with a cursor line the window follows).
type scroller struct {
	raw    string // the content before wrapping, kept to re-wrap on resize
	width  int
	lines  []string
	top    int
	height int

	// doc, when set, is what the scroller shows instead of lines; th is
	// the theme it is drawn with (the model's, which may change).
	doc    *doc
	th     *theme
	cursor int
}

// set replaces the content with text, hard-wrapped to width w.
func (s *scroller) set(content string, w int) {
	s.raw, s.width, s.doc = content, w, nil
	s.lines = strings.Split(strings.TrimRight(wrapLines(content, w), "\n"), "\n")
	s.top, s.cursor = 0, 0
}

// setDoc replaces the content with a document laid out at width w, the
// cursor on its first line.
func (s *scroller) setDoc(d *doc, w int, th *theme) {
	s.raw, s.lines, s.doc, s.th, s.width = "", nil, d, th, w
	d.layout(w)
	s.top, s.cursor = 0, 0
}

// count is the number of lines there are to show.
func (s *scroller) count() int {
	if s.doc != nil {
		return s.doc.total()
	}
	return len(s.lines)
}

// rewrap wraps the same content to a new width, keeping the position: a
// document keeps the cursor on the text it was on.
func (s *scroller) rewrap(w int) {
	if w == s.width {
		return
	}
	if s.doc != nil {
		s.relayout(w, -1)
		return
	}
	top := s.top
	s.set(s.raw, w)
	s.top = top
	s.clamp()
}

// relayout lays the document out again at width w after a fold changed,
// with the cursor on the line showing src offset at (-1: the text the
// cursor was on), at the same height on the screen if it can be.
func (s *scroller) relayout(w, at int) {
	if at < 0 {
		at = s.doc.offsetOf(s.cursor)
	}
	row := s.cursor - s.top
	s.width = w
	s.doc.layout(w)
	s.cursor = clamp(s.doc.lineOf(at), 0, max(0, s.count()-1))
	s.top = s.cursor - row
	s.clamp()
	s.follow()
}

func (s *scroller) setHeight(h int) {
	s.height = max(1, h)
	s.clamp()
	s.follow()
}

// by scrolls the window d lines; a cursor stays inside it.
func (s *scroller) by(d int) {
	s.top += d
	s.clamp()
	s.cursor = clamp(s.cursor, s.top, min(s.top+s.height, s.count())-1)
}

// move moves the cursor d lines; the window follows it.
func (s *scroller) move(d int) {
	s.moveTo(s.cursor + d)
}

// moveTo puts the cursor on line l; the window follows it.
func (s *scroller) moveTo(l int) {
	s.cursor = clamp(l, 0, s.count()-1)
	s.follow()
}

// page moves the window and the cursor d lines together, as pgup and
// pgdown do in a pager; at either end the cursor goes on alone.
func (s *scroller) page(d int) {
	s.top += d
	s.clamp()
	s.cursor = clamp(s.cursor+d, 0, s.count()-1)
	s.follow()
}

func (s *scroller) clamp() {
	s.top = clamp(s.top, 0, max(0, s.count()-s.height))
}

// follow scrolls the window so the cursor shows.
func (s *scroller) follow() {
	if s.doc == nil {
		return
	}
	if s.cursor < s.top {
		s.top = s.cursor
	}
	if s.cursor >= s.top+s.height {
		s.top = s.cursor - s.height + 1
	}
	s.clamp()
}

// view draws the window, every line exactly w cells.
func (s *scroller) view(w int) []string {
	end := min(s.count(), s.top+s.height)
	out := make([]string, 0, s.height)
	if s.doc != nil {
		di := newDocInks(s.th)
		for l := s.top; l < end; l++ {
			line, cells := s.doc.draw(l, w, &di, l == s.cursor)
			if cells <= w {
				// draw measured it: pad without measuring again.
				line += strings.Repeat(" ", w-cells)
			} else {
				line = fit(line, w)
			}
			out = append(out, line)
		}
		return out
	}
	for _, l := range s.lines[s.top:end] {
		out = append(out, fit(l, w))
	}
	return out
}
