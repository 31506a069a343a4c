package ui

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"rtinspect/api"
	"rtinspect/model"
)

// Layout constants.
const (
	statusHeight = 2   // status line + key hints
	wideWidth    = 120 // at or above this width the panes sit side by side
	minWidth     = 40
	minHeight    = 10
)

func (m *Model) mainHeight() int { return max(0, m.height-statusHeight) }

func (m *Model) wide() bool { return m.width >= wideWidth }

// paneSizes computes the outer sizes of the events and pending panes. All
// layout arithmetic lives here and in paneRects, which places them.
func (m *Model) paneSizes() (evW, evH, pW, pH int) {
	h := m.mainHeight()
	if m.zoomed {
		// The focused pane takes everything above the status bar; the
		// other one is not drawn.
		if m.focus == paneEvents {
			return m.width, h, 0, 0
		}
		return 0, 0, m.width, h
	}
	if m.wide() {
		evW = m.width * 3 / 5
		return evW, h, m.width - evW, h
	}
	// Stacked: the pending pane takes what its items need, at least 4
	// rows and at most half the height.
	pH = clamp(m.pendingItems()+2, 4, max(4, h/2))
	if m.pendingItems() > 0 {
		pH = clamp(m.pendingLines()+2, 5, max(5, h/2))
	}
	return m.width, h - pH, m.width, pH
}

// pendingLines is how many lines the pending pane's content needs: the
// column header, one per item, and the error of a selected invalid answer.
func (m *Model) pendingLines() int {
	n := m.pendingItems() + 1
	if c := m.selectedCall(); c != nil && c.Draft.State == model.DraftInvalid {
		n++
	}
	return n
}

func (m *Model) eventsInnerHeight() int {
	_, h, _, _ := m.paneSizes()
	return max(0, h-2)
}

// rect is a pane's place on the screen, border included; a pane that is
// not drawn has a zero rect.
type rect struct{ x, y, w, h int }

func (r rect) contains(x, y int) bool {
	return x >= r.x && x < r.x+r.w && y >= r.y && y < r.y+r.h
}

// paneRects places the panes of paneSizes on the screen: stacked, side by
// side with the selection preview under the pending pane, or the zoomed
// pane alone. renderPanes draws these rects and the mouse hits them, so a
// click lands where the pane is drawn.
func (m *Model) paneRects() (ev, pend, side rect) {
	evW, evH, pW, pH := m.paneSizes()
	switch {
	case m.zoomed:
		return rect{0, 0, evW, evH}, rect{0, 0, pW, pH}, rect{}
	case m.wide():
		// The pending pane keeps what its items need; the rest of the
		// right column previews the selection.
		ph := clamp(m.pendingLines()+2, 5, max(5, pH/2))
		return rect{0, 0, evW, evH}, rect{evW, 0, pW, ph}, rect{evW, ph, pW, pH - ph}
	}
	return rect{0, 0, evW, evH}, rect{0, evH, pW, pH}, rect{}
}

// View draws the whole screen.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "rtinspect"
	if !m.mouseOff {
		// Cell motion: clicks, wheel and drags, not every move of the
		// pointer, which would wake the program for nothing.
		v.MouseMode = tea.MouseModeCellMotion
	}
	return v
}

func (m *Model) render() string {
	if m.width < minWidth || m.height < minHeight {
		msg := fmt.Sprintf("rtinspect needs at least %dx%d (now %dx%d)", minWidth, minHeight, m.width, m.height)
		return ansi.Truncate(m.stateBadge()+" "+msg, max(1, m.width), "…")
	}
	var main string
	switch m.overlay {
	case overlayDetail, overlayHelp, overlayPreview:
		lines := m.scroll.view(m.width - 4)
		for i, l := range lines {
			lines[i] = " " + l
		}
		main = box(m.th, m.detailTitle, strings.Join(lines, "\n"), m.width, m.mainHeight(), true)
	case overlayPicker:
		main = m.renderPicker()
	default:
		main = m.renderPanes()
	}
	return main + "\n" + m.renderStatus()
}

func (m *Model) renderPanes() string {
	ev, pend, side := m.paneRects()
	if m.zoomed {
		if m.focus == paneEvents {
			return box(m.th, m.eventsTitle()+m.zoomNote(), m.renderEvents(ev.w-2, ev.h-2), ev.w, ev.h, true)
		}
		return box(m.th, m.pendingTitle()+m.zoomNote(), m.renderPending(pend.w-2, pend.h-2), pend.w, pend.h, true)
	}
	events := box(m.th, m.eventsTitle(), m.renderEvents(ev.w-2, ev.h-2), ev.w, ev.h, m.focus == paneEvents)
	pending := box(m.th, m.pendingTitle(), m.renderPending(pend.w-2, pend.h-2), pend.w, pend.h, m.focus == panePending)
	if side.h > 0 {
		sideBox := box(m.th, "Selected", m.renderSide(side.w-4, side.h-2), side.w, side.h, false)
		return joinH(events, pending+"\n"+sideBox)
	}
	return events + "\n" + pending
}

// zoomNote ends a zoomed pane's title: it says so, and how to go back.
func (m *Model) zoomNote() string {
	if k := m.keys.Zoom.Help().Key; k != "" {
		return " · zoomed (" + k + " back)"
	}
	return " · zoomed"
}

// renderSide previews the selected event or pending item in the wide
// layout. The lines are cached per selection, session version and size, so
// drawing a frame while nothing changed costs only the visible lines; and
// only the lines that show are wrapped, so a frame while a long answer
// streams in (a new version every frame) costs a screenful, not the 16 KB
// the preview holds.
func (m *Model) renderSide(w, h int) string {
	key := fmt.Sprintf("%d/%d/%d/%d/%d/%d/%t", m.focus, m.evSel, m.pSel, m.s.Version(), w, h, m.flat)
	if key != m.sideKey {
		m.sideKey = key
		m.sideLines = wrapHead(m.selectionPreview(), w, h)
	}
	lines := make([]string, 0, h)
	for _, l := range m.sideLines {
		if len(lines) == h {
			break
		}
		lines = append(lines, " "+fit(l, w))
	}
	return strings.Join(lines, "\n")
}

// sidePreviewLimit bounds the text the preview prepares: it shows one
// screen, so a 400 KB tool result is cut here and read whole in the detail
// view.
const sidePreviewLimit = 16 << 10

func (m *Model) selectionPreview() string {
	var s string
	if m.focus == panePending {
		if c := m.selectedCall(); c != nil {
			s = m.callDetail(c)
		} else if a := m.selectedApproval(); a != nil {
			s = m.approvalDetail(a)
		}
	} else if m.flat {
		if i := m.rowAt(m.evSel); i >= 0 {
			s = m.eventPreview(i)
		}
	} else if i := m.selectedRow(); i >= 0 {
		s = m.rowDetailLimited(m.s.Row(i), 20)
	}
	if len(s) > sidePreviewLimit {
		s = s[:sidePreviewLimit] + "\n…"
	}
	return s
}

// joinH puts two blocks of equal height side by side.
func joinH(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range al {
		if i < len(bl) {
			al[i] += bl[i]
		}
	}
	return strings.Join(al, "\n")
}

func (m *Model) eventsTitle() string {
	n := thousands(m.itemCount())
	t := "Events " + n
	if m.filter != "" {
		// As typed, not Go-quoted: text:"sku" would read text:\"sku\".
		t = fmt.Sprintf("Events %s/%s · filter %s", thousands(len(m.filtered)), n, clean(m.filter))
	}
	if m.flat {
		// The count is of events here, of rows in the grouped view.
		t += " · flat"
	}
	if m.follow {
		t += " · following"
	}
	return t
}

func (m *Model) pendingTitle() string {
	c := m.s.Counts()
	t := fmt.Sprintf("Pending %d", c.Pending)
	if c.Pending > 0 {
		t += fmt.Sprintf(" · %d answered", c.Answered)
	}
	if c.Approvals > 0 {
		t += fmt.Sprintf(" · %d approval(s)", c.Approvals)
	}
	if id, n := m.pendingExecs(); n == 1 && m.s.ExecutionIDCount() > 1 {
		// Several executions, but every item belongs to one: say which
		// here rather than in a column of identical cells.
		if tw, _ := cellWidth(clean(id)); tw > execColumnWidth {
			id = "…" + dropCells(clean(id), tw-execColumnWidth+1)
		}
		t += " · exec " + clean(id)
	}
	return t
}

// renderEvents draws only the visible window of rows (or of events, in
// the flat view): its cost does not depend on the length of the log. A
// pane wide enough gets the rows' durations, tokens and costs as columns
// on the right (usageLayout).
func (m *Model) renderEvents(w, h int) string {
	n := m.visibleCount()
	if n == 0 {
		return m.th.dim.Render(fit(m.noItemsText(), w))
	}
	var start time.Time
	if m.s.RowCount() > 0 {
		start = m.s.Row(0).At
	}
	k := newInks(&m.th)
	cols := m.usageLayout(w)
	var ev api.Event // the flat view's event, rebuilt per line
	var b strings.Builder
	b.Grow(h * (w + 64))
	for i, drawn := m.evTop, 0; i < n && drawn < h; i, drawn = i+1, drawn+1 {
		if drawn > 0 {
			b.WriteByte('\n')
		}
		var line, plain string
		if m.flat {
			ei := m.rowAt(i)
			m.s.ReadEvent(ei, &ev)
			line, plain = m.flatLine(k, &ev, ei, start, w, cols)
		} else {
			line, plain = m.rowLineCols(k, m.s.Row(m.rowAt(i)), start, w, cols)
		}
		switch {
		case i == m.evSel && m.focus == paneEvents:
			line = k.of(&m.th.selected).render(plain)
		case i == m.evSel:
			line = k.of(&m.th.bold).render(plain)
		}
		b.WriteString(line)
	}
	return b.String()
}

// rowLineCols is rowLine followed by the row's duration, tokens and cost
// in the right-aligned columns of cols (none on a narrow pane).
func (m *Model) rowLineCols(k *inks, r *model.Row, start time.Time, w int, cols usageLayout) (line, plain string) {
	cw := cols.width()
	if cw == 0 {
		return m.rowLine(k, r, start, w)
	}
	line, plain = m.rowLine(k, r, start, w-cw)
	c := cols.cols(r.Usage)
	return line + k.of(&m.th.dim).render(c), plain + c
}

// rowLine renders one events row: relative time, kind, title, status and
// the start of its text, cut to w cells. It returns the line and the same
// without colours (what ansi.Strip would make of it).
//
// Everything before the text is measured as it is put together, so only
// the text is cut, and with the plain-text fast path of fit: this is the
// line drawn for every visible row of every frame.
func (m *Model) rowLine(k *inks, r *model.Row, start time.Time, w int) (line, plain string) {
	rel := ""
	if !r.At.IsZero() && !start.IsZero() {
		rel = fmt.Sprintf("%6.2fs", r.At.Sub(start).Seconds())
	}
	kind := r.Kind.String()
	label := fit(kind, 9)
	lb := newLineBuf(w)
	add := lb.add
	dim := k.of(&m.th.dim)
	add(fit(rel, 7), &dim)
	add(" ", nil)
	if in, ok := k.kind(kind); ok {
		add(label, &in)
	} else {
		add(label, nil)
	}
	add(" ", nil)
	if r.Depth > 0 {
		add(strings.Repeat("  ", min(r.Depth, 4)), nil)
	}
	// The kind is its own column: drop it from the title, and drop the
	// title from the head of the text, so a row never says a word twice.
	title := strings.TrimPrefix(r.Title, kind)
	title = strings.TrimSpace(title)
	text := r.Text()
	// Only the head of a long text can be visible; cut before cleaning so
	// a huge folded text costs what one line costs.
	if n := 4*w + 16; len(text) > n {
		if r.Status == "streaming" {
			// A text still streaming shows its newest words, like a
			// ticker; cut on a rune boundary.
			i := len(text) - n
			for i < len(text) && !utf8.RuneStart(text[i]) {
				i++
			}
			text = "…" + text[i:]
			ct := clean(text)
			if tw, plain := cellWidth(ct); tw > w/2 {
				if plain {
					text = "…" + dropCells(ct, tw-w/2)
				} else {
					text = "…" + ansi.TruncateLeft(ct, tw-w/2, "")
				}
			}
		} else {
			text = text[:n]
		}
	}
	if r.Kind == model.RowStreamEnd {
		title, text = "", strings.TrimPrefix(text, "stream ")
	}
	if title != "" && strings.HasPrefix(text, title+" ") {
		text = text[len(title)+1:]
	}
	// What the filter's text terms match is underlined in the title and
	// the text (the plain line stays the same); without such terms this
	// costs one test.
	hl := m.filterExpr.Highlights()
	if title != "" {
		if ct := clean(title); hl {
			lb.b.WriteString(m.highlight(k, ct))
			lb.p.WriteString(ct)
			cw, _ := cellWidth(ct)
			lb.used += cw
		} else {
			add(ct, nil)
		}
		add(" ", nil)
	}
	if r.Status != "" && r.Kind != model.RowStreamEnd {
		in := m.statusInk(k, r.Status)
		add(clean(r.Status), &in) // a status can come from the server (an approval decision)
		add(" ", nil)
	}
	ct := clean(text)
	if lb.used < w || (lb.used == w && ct == "") {
		// The text gets what is left: cutting it alone cuts the line
		// where cutting the whole line would.
		rest := fit(ct, w-lb.used)
		if hl {
			lb.b.WriteString(m.highlight(k, rest))
		} else {
			lb.b.WriteString(rest)
		}
		lb.p.WriteString(rest)
		return lb.b.String(), lb.p.String()
	}
	// The head alone is too wide (a long title on a narrow pane).
	line = fit(lb.b.String()+ct, w)
	return line, ansi.Strip(line)
}

// statusInk is the colour of a row's status word.
func (m *Model) statusInk(k *inks, s string) ink {
	switch s {
	case "failed", "error", "denied":
		return k.of(&m.th.errText)
	case "waiting", "pending":
		return k.of(&m.th.warnText)
	case "ok", "done", "approved", "completed":
		return k.of(&m.th.okText)
	}
	return k.of(&m.th.dim)
}

func (m *Model) renderPending(w, h int) string {
	calls, appr := m.s.Pending(), m.s.Approvals()
	if len(calls)+len(appr) == 0 {
		msg := "nothing pending"
		switch m.s.State() {
		case api.RunStreaming, api.RunSending:
			msg = "nothing pending: the execution is running"
		case api.RunCompleted:
			msg = "nothing pending: the execution completed"
		case api.RunFailed:
			msg = "nothing pending: the execution failed"
		}
		return m.th.dim.Render(fit(" "+msg, w))
	}
	now := m.now()
	pc := m.pendingColumns(w)
	var lines []string
	// A header naming the columns helps the first time; it costs one row.
	lines = append(lines, m.th.dim.Render(fit("  "+fit("tool", pc.tool)+" "+fit("call id", pc.id)+pc.execCell("exec")+" "+fit("answer", pc.answer)+pc.argsCell("arguments"), w)))
	for i, c := range calls {
		state := c.Draft.State.String()
		st := m.th.dim
		switch c.Draft.State {
		case model.DraftValid:
			st = m.th.okText
		case model.DraftInvalid:
			st = m.th.errText
			if c.Draft.Line > 0 {
				state = fmt.Sprintf("invalid L%d", c.Draft.Line)
			}
		case model.DraftError:
			st = m.th.warnText
		}
		if a := autoMark(c); a != "" {
			state = a + " " + state
		}
		marker := "  "
		if now.Sub(c.Since) < Grace {
			marker = "• "
		}
		line := marker + fit(clean(c.ToolName), pc.tool) + " " + fit(clean(c.ToolCallID), pc.id) + pc.execCell(idTail(c.ExecutionID, pc.exec)) +
			" " + st.Render(fit(state, pc.answer)) + pc.argsCell(clean(compactJSON(c.Parameters)))
		lines = append(lines, m.pendingLine(line, i, w))
	}
	for j, a := range appr {
		i := len(calls) + j
		line := "  " + fit(clean(a.ToolName), pc.tool) + " " + fit(clean(a.ApprovalID), pc.id) + pc.execCell(idTail(a.ExecutionID, pc.exec)) +
			" " + m.th.warnText.Render(fit("approve?", pc.answer)) + pc.argsCell(clean(compactJSON(a.Parameters)))
		lines = append(lines, m.pendingLine(line, i, w))
	}
	if c := m.selectedCall(); c != nil && c.Draft.State == model.DraftInvalid && len(lines) < h {
		lines = append(lines, m.th.errText.Render(fit("  "+clean(c.Draft.Err), w)))
	}
	if len(lines) > h {
		// Keep the selection visible.
		off := pendingOffset(m.pSel, len(lines), h)
		lines = append(lines[:1], lines[1+off:off+h]...)
	}
	return strings.Join(lines, "\n")
}

// pendingCols are the widths of the pending pane's columns: exec is 0
// when there is no execution column, args false when the arguments are
// dropped.
type pendingCols struct {
	tool, id, exec, answer int
	args                   bool
}

// execColumnWidth is the execution column's width: "…" and the last nine
// characters of the id, the random part of a virtual_ id.
const execColumnWidth = 10

// pendingColumns lays out the pending pane in w cells. Call ids are the
// resume keys: they get room to show whole (Anthropic's are 30
// characters) before the arguments get any. When the pending items belong
// to more than one execution (a nested flow's call beside its agent's) a
// column says which one each belongs to; on a narrow pane the arguments go
// before anything is cut.
func (m *Model) pendingColumns(w int) pendingCols {
	pc := pendingCols{tool: 16, answer: 12, args: true}
	longest, execW := len("call id"), len("exec")
	for _, c := range m.s.Pending() {
		cw, _ := cellWidth(clean(c.ToolCallID))
		ew, _ := cellWidth(clean(c.ExecutionID))
		longest, execW = max(longest, cw), max(execW, ew)
	}
	for _, a := range m.s.Approvals() {
		cw, _ := cellWidth(clean(a.ApprovalID))
		ew, _ := cellWidth(clean(a.ExecutionID))
		longest, execW = max(longest, cw), max(execW, ew)
	}
	// The id column fits the longest id (they are the resume keys: whole
	// before the arguments get any room), up to half the pane.
	pc.id = clamp(longest, 12, max(12, w/2))
	if _, n := m.pendingExecs(); n > 1 {
		pc.exec = min(execW, execColumnWidth)
	}
	fixed := 2 + pc.tool + 1 + pc.id + 1 + pc.answer
	if pc.exec > 0 {
		fixed += pc.exec + 1
	}
	if w-fixed-1 < 10 {
		pc.args = false
	}
	if over := fixed - w; over > 0 {
		pc.tool = max(8, pc.tool-over)
	}
	return pc
}

// pendingExecs returns the execution id of the pending items and how many
// distinct ones they carry.
func (m *Model) pendingExecs() (string, int) {
	var first string
	n := 0
	seen := func(id string) {
		if n == 0 {
			first, n = id, 1
		} else if id != first && n == 1 {
			n = 2
		}
	}
	for _, c := range m.s.Pending() {
		seen(c.ExecutionID)
	}
	for _, a := range m.s.Approvals() {
		seen(a.ExecutionID)
	}
	return first, n
}

// execCell is s as the execution column's cell with the space before it,
// "" when there is no such column.
func (pc pendingCols) execCell(s string) string {
	if pc.exec == 0 {
		return ""
	}
	return " " + fit(s, pc.exec)
}

// argsCell is s as the arguments cell with the space before it, "" when
// the arguments are dropped.
func (pc pendingCols) argsCell(s string) string {
	if !pc.args {
		return ""
	}
	return " " + s
}

func (m *Model) selectedCall() *model.PendingCall {
	calls := m.s.Pending()
	if m.pSel >= 0 && m.pSel < len(calls) {
		return calls[m.pSel]
	}
	return nil
}

func (m *Model) pendingLine(line string, i, w int) string {
	line = fit(line, w)
	if i == m.pSel {
		if m.focus == panePending {
			return m.th.selected.Render(ansi.Strip(line))
		}
		return m.th.bold.Render(ansi.Strip(line))
	}
	return line
}

func (m *Model) stateBadge() string {
	s := m.s.State().String()
	st, ok := m.th.stateStyle[s]
	if !ok {
		return " " + strings.ToUpper(s) + " "
	}
	return st.Render(" " + strings.ToUpper(s) + " ")
}

// renderStatus draws the status bar: the run state and the last message
// first (they matter most), then what is being inspected and the run's
// totals. When they do not fit, the least important parts go first (the
// title, the recording, the event count, the execution id, the kind,
// then tokens, cost and elapsed time), and only what is left is cut.
func (m *Model) renderStatus() string {
	c := m.s.Counts()
	type part struct {
		s    string
		prio int // higher stays longer
	}
	var parts []part
	add := func(s string, prio int) { parts = append(parts, part{s, prio}) }
	if t := m.playbackTitle(); t != "" {
		add(t, 10)
	}
	if k := m.s.Kind(); k != "" {
		add(k, 5)
	}
	if id := m.s.ExecutionID(); id != "" {
		add(clean(id), 4)
	}
	add(thousands(c.Events)+" events", 3)
	if c.Unknown > 0 {
		add(fmt.Sprintf("%d unknown", c.Unknown), 9)
	}
	if c.Malformed > 0 {
		add(fmt.Sprintf("%d malformed", c.Malformed), 9)
	}
	tot := m.s.Totals()
	switch {
	case tot.TokensIn > 0 || tot.TokensOut > 0:
		add(fmtCount(tot.TokensIn)+" in/"+fmtCount(tot.TokensOut)+" out tok", 6)
	case tot.Tokens > 0:
		add(fmtCount(tot.Tokens)+" tok", 6)
	}
	if tot.Cost > 0 {
		add(fmtCost(tot.Cost), 7)
	}
	if tot.Elapsed > 0 {
		add(fmtDuration(tot.Elapsed)+" elapsed", 8)
	}
	if p := m.RecordingPath(); p != "" {
		add("rec "+filepath.Base(p), 2)
	}
	if m.opts.Title != "" {
		add(m.opts.Title, 1)
	}
	// join drops the least important parts until the rest fits room.
	join := func(room int) string {
		for {
			width := 0
			low := -1
			for i, p := range parts {
				width += ansi.StringWidth(p.s)
				if i > 0 {
					width += 3
				}
				if low < 0 || p.prio < parts[low].prio {
					low = i
				}
			}
			if width <= room || len(parts) == 1 {
				break
			}
			parts = append(parts[:low], parts[low+1:]...)
		}
		ss := make([]string, len(parts))
		for i, p := range parts {
			ss[i] = p.s
		}
		return ansi.Truncate(strings.Join(ss, " · "), room, "…")
	}
	left := m.stateBadge()
	if sm := m.statusMsg(); sm != "" {
		msg := clean(sm)
		if m.msgErr || m.notice != "" {
			msg = m.th.errText.Render(msg)
		} else {
			msg = m.th.okText.Render(msg)
		}
		left += " " + msg
	}
	line1 := fit(left, m.width)
	if room := m.width - ansi.StringWidth(left) - 2; room >= 12 {
		info := join(room)
		gap := m.width - ansi.StringWidth(left) - ansi.StringWidth(info)
		line1 = left + strings.Repeat(" ", gap) + m.th.dim.Render(info)
	}
	line2 := m.hints()
	if m.overlay == overlayInput {
		line2 = m.input.View()
	}
	return line1 + "\n" + fit(line2, m.width)
}

// hints is the one-line key help for what is on screen, taken from the key
// map so rebinding a key changes it too.
func (m *Model) hints() string {
	k := m.keys
	type kb = struct{ k, d string }
	var bs []kb
	h := func(b key.Binding) kb { return kb{b.Help().Key, b.Help().Desc} }
	switch m.overlay {
	case overlayPreview:
		bs = append(bs, kb{k.Confirm.Help().Key, "send"})
		if m.previewPartial {
			bs = append(bs, kb{k.Partial.Help().Key, "partial"})
		}
		bs = append(bs, kb{k.Cancel.Help().Key, "cancel"}, kb{upDown(k), "scroll"})
	case overlayDetail:
		bs = append(bs, m.detailHints()...)
	case overlayHelp:
		bs = append(bs, kb{upDown(k), "scroll"}, kb{"any key", "close"})
	case overlayPicker:
		if m.pick.typing {
			bs = append(bs, kb{"type", "filter"}, kb{k.Open.Help().Key, "done"}, kb{k.Cancel.Help().Key, "clear"})
			break
		}
		pick := "jump"
		other, otherDesc := k.Executions.Help().Key, "executions"
		if m.pick.kind == pickExecutions {
			pick = "show"
			other, otherDesc = k.Outline.Help().Key, "outline"
		}
		bs = append(bs, kb{k.Open.Help().Key, pick}, kb{upDown(k), "move"}, kb{k.Filter.Help().Key, "filter"},
			kb{other, otherDesc}, kb{k.Cancel.Help().Key, "close"})
	default:
		if m.focus == panePending {
			if m.pendingItems() > 0 {
				if len(m.s.Pending()) > 0 {
					bs = append(bs, kb{k.Edit.Help().Key, "edit"}, kb{k.ErrorAnswer.Help().Key, "error"}, kb{k.Resume.Help().Key, "resume"}, kb{k.Messages.Help().Key, "messages"})
				}
				if len(m.s.Approvals()) > 0 {
					bs = append(bs, kb{k.Approve.Help().Key, "approve"}, kb{k.Deny.Help().Key, "deny"})
				}
			}
			bs = append(bs, h(k.NextPane))
		} else {
			if m.player != nil {
				bs = append(bs, kb{k.StepBack.Help().Key + " " + k.StepForward.Help().Key, "step"}, kb{k.Play.Help().Key, "play"}, kb{k.Speed.Help().Key, "speed"})
			}
			bs = append(bs, kb{k.Open.Help().Key, "details"}, kb{k.Raw.Help().Key, "raw"}, kb{k.Filter.Help().Key, "filter"}, kb{k.Follow.Help().Key, "follow"}, h(k.NextPane))
		}
		// On a wide screen, the views' keys too, as many as fit: they
		// are found in the help otherwise.
		used := 0
		for _, b := range bs {
			used += len(b.k) + len(b.d) + 4
		}
		tail := []kb{{k.Help.Help().Key, "help"}, {k.Quit.Help().Key, "quit"}}
		used += len(tail[0].k) + len(tail[0].d) + len(tail[1].k) + len(tail[1].d) + 8
		for _, b := range []kb{{k.ViewMode.Help().Key, "view"}, {k.Outline.Help().Key, "outline"}, {k.Executions.Help().Key, "executions"}, {k.Zoom.Help().Key, "zoom"}} {
			if used += len(b.k) + len(b.d) + 4; used > m.width || b.k == "" {
				break
			}
			bs = append(bs, b)
		}
		bs = append(bs, tail...)
	}
	ik := newInks(&m.th)
	bold, hint := ik.of(&m.th.bold), ik.of(&m.th.keyHint)
	parts := make([]string, len(bs))
	for i, b := range bs {
		parts[i] = bold.render(b.k) + " " + hint.render(b.d)
	}
	return strings.Join(parts, hint.render(" · "))
}

// upDown names the first keys of Down and Up ("j/k"), for the hints.
func upDown(k KeyMap) string {
	d, u := k.Down.Keys(), k.Up.Keys()
	if len(d) == 0 || len(u) == 0 {
		return hk(k.Down) + "/" + hk(k.Up)
	}
	return d[0] + "/" + u[0]
}
