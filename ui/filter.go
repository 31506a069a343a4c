package ui

import (
	"fmt"
	"regexp"
	"strings"
)

// The events pane's filter.

func (m *Model) setFilter(f string) {
	m.filter = f
	if f == "" {
		m.filtered = nil
		m.setMsg("filter cleared")
	} else {
		m.filtered = []int{}
		m.checked = 0
		n := m.s.RowCount()
		for i := 0; i < n; i++ {
			if m.rowMatches(i) {
				m.filtered = append(m.filtered, i)
			}
		}
		m.checked = n
		m.setMsg(fmt.Sprintf("filter %q: %d of %d rows (esc clears)", f, len(m.filtered), n))
	}
	m.evSel = m.visibleCount() - 1
	m.follow = true
	m.clampEvents()
}

func (m *Model) rowMatches(i int) bool {
	r := m.s.Row(i)
	f := strings.ToLower(m.filter)
	return strings.Contains(strings.ToLower(r.Title), f) ||
		strings.Contains(strings.ToLower(r.Kind.String()), f) ||
		strings.Contains(strings.ToLower(r.Type), f) ||
		strings.Contains(strings.ToLower(r.ID), f) ||
		strings.Contains(strings.ToLower(r.Text()), f)
}

// filterPattern is what the filter's text terms look for, for n / N and
// highlighting in the detail view; nil when the filter has none.
func (m *Model) filterPattern() *regexp.Regexp { return nil }
