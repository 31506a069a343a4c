package ui

import (
	tea "charm.land/bubbletea/v2"

	"rtinspect/model"
)

// The mouse, zoom and theme switches: how the screen is looked at, not what
// it shows. Hit-testing uses paneRects, the rects renderPanes draws, so a
// click lands on the row drawn under the pointer in every layout.

// wheelStep is how many rows one notch of the wheel scrolls the events
// pane: three, as most terminals and editors scroll.
const wheelStep = 3

// handleWheel scrolls what is under the pointer: an overlay's text, the
// events pane (window and selection together, so the selected row stays
// where it is on screen while the rows move), or the pending pane (one
// item a notch: its items are few and each one is something to act on).
func (m *Model) handleWheel(msg tea.MouseWheelMsg) {
	if m.mouseOff {
		return
	}
	var d int
	switch msg.Button {
	case tea.MouseWheelUp:
		d = -1
	case tea.MouseWheelDown:
		d = 1
	default:
		return // sideways wheels: nothing scrolls sideways
	}
	switch m.overlay {
	case overlayNone:
	case overlayDetail, overlayHelp, overlayPreview:
		m.scroll.by(d * wheelStep)
		return
	case overlayPicker:
		m.movePicker(d) // one entry a notch: each is somewhere to jump to
		return
	default:
		return // the input line: nothing to scroll
	}
	ev, pend, _ := m.paneRects()
	switch {
	case ev.contains(msg.X, msg.Y):
		m.scrollEvents(d * wheelStep)
	case pend.contains(msg.X, msg.Y):
		m.pSel = clamp(m.pSel+d, 0, m.pendingItems()-1)
	}
}

// scrollEvents moves the events pane's window and selection by d rows.
// Reaching the last row going down follows the tail again, as the keys do.
func (m *Model) scrollEvents(d int) {
	n := m.visibleCount()
	if n == 0 {
		return
	}
	h := m.eventsInnerHeight()
	m.evTop = clamp(m.evTop+d, 0, max(0, n-h))
	m.evSel = clamp(m.evSel+d, 0, n-1)
	m.follow = m.evSel == n-1 && d > 0
	m.clampEvents()
}

// handleClick focuses the pane under a left click and selects the row
// clicked; a click on the row that is already selected in the focused
// events pane opens its details, as enter does. Clicks on overlays, the
// selection preview and the status bar do nothing.
func (m *Model) handleClick(msg tea.MouseClickMsg) tea.Cmd {
	if m.mouseOff || msg.Button != tea.MouseLeft || m.overlay != overlayNone {
		return nil
	}
	ev, pend, _ := m.paneRects()
	switch {
	case ev.contains(msg.X, msg.Y):
		focused := m.focus == paneEvents
		m.focus = paneEvents
		i, ok := m.eventsRowAt(ev, msg.Y)
		if !ok {
			m.clampEvents()
			return nil
		}
		if focused && i == m.evSel {
			m.openRowDetail(m.selectedRow(), false)
			return nil
		}
		m.evSel = i
		if i != m.visibleCount()-1 {
			m.follow = false
		}
		m.clampEvents()
	case pend.contains(msg.X, msg.Y):
		m.focus = panePending
		if i, ok := m.pendingItemAt(pend, msg.Y); ok {
			m.pSel = i
		}
	}
	return nil
}

// eventsRowAt is the visible row drawn at screen line y of the events pane
// placed at r: renderEvents draws rows evTop, evTop+1, … from the line
// under the top border.
func (m *Model) eventsRowAt(r rect, y int) (int, bool) {
	line := y - r.y - 1
	if line < 0 || line >= r.h-2 {
		return 0, false // a border
	}
	i := m.evTop + line
	if i >= m.visibleCount() {
		return 0, false // below the last row
	}
	return i, true
}

// pendingItemAt is the pending item drawn at screen line y of the pending
// pane placed at r, by renderPending's arithmetic: the column header on the
// first line, then the items from pendingOffset, then (if there is room)
// the error of a selected invalid answer.
func (m *Model) pendingItemAt(r rect, y int) (int, bool) {
	h := r.h - 2
	line := y - r.y - 1
	n := m.pendingItems()
	if n == 0 || line < 1 || line >= h {
		return 0, false // a border, the header, or nothing pending
	}
	lines := n + 1
	if c := m.selectedCall(); c != nil && c.Draft.State == model.DraftInvalid && lines < h {
		lines++
	}
	off := 0
	if lines > h {
		off = pendingOffset(m.pSel, lines, h)
	}
	i := off + line - 1
	if i >= n {
		return 0, false // the error line, or blank
	}
	return i, true
}

// pendingOffset is how many items the pending pane skips so the selected
// one shows, when its lines (header included) are more than the h it has.
func pendingOffset(sel, lines, h int) int {
	return clamp(sel+1-(h-1), 0, lines-h)
}

// toggleMouse turns mouse reporting off, so the terminal selects text as
// usual (a terminal that reports the mouse keeps the drags for itself),
// and on again. View declares the mode on every frame.
func (m *Model) toggleMouse() {
	m.mouseOff = !m.mouseOff
	k := m.keys.Mouse.Help().Key
	if m.mouseOff {
		m.setMsg("mouse off: the terminal can select text; " + k + " turns it back on")
	} else {
		m.setMsg("mouse on: a click selects, the wheel scrolls; " + k + " turns it off to select text")
	}
}

// toggleZoom gives the focused pane the whole screen above the status bar,
// or gives the other pane back its place. The events window is clamped to
// its new height at once, so the selection stays in sight.
func (m *Model) toggleZoom() {
	m.zoomed = !m.zoomed
	m.clampEvents()
}

// setBackground picks the light or dark theme once the terminal has said
// what its background is, for the "auto" theme only.
func (m *Model) setBackground(dark bool) {
	if !m.autoTheme {
		return
	}
	th, _ := themeFor("auto", dark)
	if th.name == m.th.name {
		return
	}
	m.th = th
	m.input.SetStyles(m.th.input)
	// The preview and the overlays hold text drawn with the old theme.
	m.sideKey = ""
	switch m.overlay {
	case overlayDetail:
		m.refreshDetail()
	case overlayHelp:
		m.openHelp()
	}
}
