package ui

import "strings"

// scroller is a window over pre-rendered lines; drawing it costs the
// visible lines only.
type scroller struct {
	raw    string // the content before wrapping, kept to re-wrap on resize
	width  int
	lines  []string
	top    int
	height int
}

// set replaces the content, hard-wrapped to width w.
func (s *scroller) set(content string, w int) {
	s.raw, s.width = content, w
	s.lines = strings.Split(strings.TrimRight(wrapLines(content, w), "\n"), "\n")
	s.top = 0
}

// rewrap wraps the same content to a new width, keeping the position.
func (s *scroller) rewrap(w int) {
	if w == s.width {
		return
	}
	top := s.top
	s.set(s.raw, w)
	s.top = top
	s.clamp()
}

func (s *scroller) setHeight(h int) {
	s.height = max(1, h)
	s.clamp()
}

func (s *scroller) by(d int) {
	s.top += d
	s.clamp()
}

func (s *scroller) clamp() {
	s.top = clamp(s.top, 0, max(0, len(s.lines)-s.height))
}

func (s *scroller) view(w int) []string {
	end := min(len(s.lines), s.top+s.height)
	out := make([]string, 0, s.height)
	for _, l := range s.lines[s.top:end] {
		out = append(out, fit(l, w))
	}
	return out
}
