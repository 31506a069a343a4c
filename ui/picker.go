package ui

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"rtinspect/model"
	"rtinspect/model/filter"
)

// The picker: a list over the panes, to jump somewhere and close. Two
// lists use it: the outline (the turns and steps of the session, with the
// requests and stream ends as landmarks) and the executions (to scope the
// events pane to one of them with an exec: filter term). Typing / filters
// the list by substring, as lazygit does in its lists.

type pickerKind int

const (
	pickOutline pickerKind = iota
	pickExecutions
)

// pickCol is one column of a picker list.
type pickCol struct {
	header string
	right  bool // numbers: right-aligned
	tail   bool // ids: cut from the left, so the distinctive tail shows
	dim    bool // drawn dimmed (times)
	status bool // a state word, coloured like the events pane's
}

// pickItem is one entry of a picker list.
type pickItem struct {
	// cells are the entry's columns, already cleaned; indent is the
	// nesting depth, drawn as two spaces a level before the indented
	// column's cell.
	cells  []string
	indent int
	// key identifies the entry across refreshes: the row index of an
	// outline entry, the execution index (-1: every execution).
	key int
	// row is the row an outline entry jumps to; exec is the execution id
	// an executions entry scopes to ("": all).
	row  int
	exec string
	// search is what the typed filter looks in: the cells, lower-cased.
	search string
}

// picker is the state of the open picker.
type picker struct {
	kind  pickerKind
	cols  []pickCol
	head  bool // draw a header line of the column names
	items []pickItem
	// shown are the indexes of the items that match query; sel is the
	// selected position in shown, top the first shown on screen.
	shown []int
	sel   int
	top   int
	// indentCol is the column nesting indents; flex is the column that
	// gives way first when the columns do not fit (the last one, the
	// note, is dropped before that).
	indentCol, flex, flexMin int
	query                    string
	typing                   bool
}

// pickerGap is the space between two columns.
const pickerGap = 2

// openOutline opens the outline on the landmark that contains the events
// pane's selection.
func (m *Model) openOutline() {
	m.pick = picker{kind: pickOutline, indentCol: 2, flex: 2, flexMin: 12}
	m.pick.cols = []pickCol{{dim: true, right: true}, {}, {}, {status: true}, {}}
	m.fillPicker()
	if len(m.pick.items) == 0 {
		m.setErr("the outline is empty: no request, turn or step yet")
		return
	}
	m.overlay = overlayPicker
	m.pickKey(m.outlineKeyAtSelection())
	m.setMsg("")
}

// openExecutions opens the executions list on the execution the filter
// scopes to, else on "all executions".
func (m *Model) openExecutions() {
	if m.s.ExecutionCount() == 0 {
		m.setErr("no execution yet: nothing has streamed")
		return
	}
	m.pick = picker{kind: pickExecutions, head: true, indentCol: 0, flex: 0, flexMin: 14}
	m.pick.cols = []pickCol{
		{header: "execution", tail: true}, {header: "kind"}, {header: "depth", right: true},
		{header: "state", status: true}, {header: "events", right: true}, {header: "first", right: true, dim: true},
		{header: "name"},
	}
	m.fillPicker()
	m.overlay = overlayPicker
	key := -1
	if id := execTerm(m.filter); id != "" {
		for _, it := range m.pick.items {
			if it.exec == id {
				key = it.key
				break
			}
		}
	}
	m.pickKey(key)
	m.setMsg("")
}

// refreshPicker rebuilds the open picker's entries after new events,
// keeping the selected entry.
func (m *Model) refreshPicker() {
	key := m.pickedKey()
	m.fillPicker()
	m.pickKey(key)
}

func (m *Model) fillPicker() {
	switch m.pick.kind {
	case pickOutline:
		m.pick.items = m.outlineItems()
	case pickExecutions:
		m.pick.items = m.executionItems()
	}
	m.filterPicker()
}

// sessionStart is the time the events pane measures relative times from.
func (m *Model) sessionStart() time.Time {
	if r := m.s.Row(0); r != nil {
		return r.At
	}
	return time.Time{}
}

func relTime(at, start time.Time) string {
	if at.IsZero() || start.IsZero() {
		return ""
	}
	return fmt.Sprintf("%.2fs", at.Sub(start).Seconds())
}

// outlineItems lists the landmarks: time, kind, title (indented by
// depth), status and a note (the stop reason and tokens of a turn, the id
// of an execution, why a stream ended).
func (m *Model) outlineItems() []pickItem {
	lm := m.s.Landmarks()
	start := m.sessionStart()
	items := make([]pickItem, 0, len(lm))
	for _, i := range lm {
		r := m.s.Row(i)
		if r == nil {
			continue
		}
		kind := r.Kind.String()
		title, status, note := "", r.Status, ""
		switch r.Kind {
		case model.RowRequest:
			title = r.Text()
		case model.RowExecution:
			if r.Type == "execution_error" {
				title, note = "error", r.Text()
			} else {
				title, note = r.Text(), r.ExecutionID
				if title == "" {
					title = "start"
				}
			}
		case model.RowStreamEnd:
			title = "ended"
			rest := strings.TrimPrefix(r.Text(), "stream ended: ")
			note = strings.TrimPrefix(strings.TrimPrefix(rest, r.Status), ": ")
		default:
			title = strings.TrimSpace(strings.TrimPrefix(r.Title, kind))
			note = r.Text()
			// A turn's or step's time, tokens and cost: what an outline
			// of the run is read for.
			if u := usageText(r.Usage); u != "" {
				note = strings.TrimPrefix(note+" · "+u, " · ")
			}
		}
		it := pickItem{
			cells:  []string{relTime(r.At, start), kind, clean(title), clean(status), clean(note)},
			indent: r.Depth,
			key:    i,
			row:    i,
		}
		it.search = strings.ToLower(strings.Join(it.cells, " "))
		items = append(items, it)
	}
	return items
}

// executionItems lists "all executions", then each execution: its id
// (indented by depth), kind, depth, state, events, when first seen, and
// its name.
func (m *Model) executionItems() []pickItem {
	execs := m.s.Executions()
	start := m.sessionStart()
	all := pickItem{cells: []string{"all executions", "", "", "", strconv.Itoa(m.s.EventCount()), "", ""}, key: -1, row: -1}
	items := append(make([]pickItem, 0, len(execs)+1), all)
	for i, ex := range execs {
		name := ex.Name
		if name == "" && !ex.Started && sameRunBefore(execs, i) {
			// §4.1: the id an agent's awaits switch to, the one a resume
			// names; it is the same run as the exec_ id above it.
			name = "(same run: the id of its awaits)"
		}
		it := pickItem{
			cells: []string{clean(ex.ID), clean(ex.Kind), strconv.Itoa(ex.Depth), ex.State,
				strconv.Itoa(ex.Events), relTime(ex.FirstSeen, start), clean(name)},
			indent: ex.Depth,
			key:    i,
			row:    -1,
			exec:   ex.ID,
		}
		items = append(items, it)
	}
	for i := range items {
		items[i].search = strings.ToLower(strings.Join(items[i].cells, " "))
	}
	return items
}

// sameRunBefore reports whether an execution listed before execs[i] sits
// at the same depth: a later id there is the same run renamed.
func sameRunBefore(execs []model.Execution, i int) bool {
	for j := i - 1; j >= 0; j-- {
		if execs[j].Depth == execs[i].Depth {
			return true
		}
	}
	return false
}

// filterPicker recomputes the entries the query shows.
func (m *Model) filterPicker() {
	p := &m.pick
	p.shown = p.shown[:0]
	q := strings.ToLower(p.query)
	for i, it := range p.items {
		if q == "" || strings.Contains(it.search, q) {
			p.shown = append(p.shown, i)
		}
	}
	p.sel = clamp(p.sel, 0, len(p.shown)-1)
	m.clampPicker()
}

// pickedKey is the key of the selected entry, -2 when none.
func (m *Model) pickedKey() int {
	p := &m.pick
	if p.sel < 0 || p.sel >= len(p.shown) {
		return -2
	}
	return p.items[p.shown[p.sel]].key
}

// pickKey selects the shown entry with this key, else keeps the position.
func (m *Model) pickKey(key int) {
	p := &m.pick
	for pos, i := range p.shown {
		if p.items[i].key == key {
			p.sel = pos
			break
		}
	}
	m.clampPicker()
}

// outlineKeyAtSelection is the landmark that contains the events pane's
// selection: the last one at or before its row.
func (m *Model) outlineKeyAtSelection() int {
	row := m.selectedRow()
	if m.flat && row >= 0 {
		row = m.s.EventRow(row)
	}
	lm := m.s.Landmarks()
	if row < 0 || len(lm) == 0 {
		return -2
	}
	i := sort.SearchInts(lm, row+1) - 1
	if i < 0 {
		i = 0
	}
	return lm[i]
}

// pickerRows is how many entries fit in the picker's box.
func (m *Model) pickerRows() int {
	h := m.mainHeight() - 2
	if m.pick.head {
		h--
	}
	return max(1, h)
}

func (m *Model) clampPicker() {
	p := &m.pick
	h := m.pickerRows()
	if p.sel < p.top {
		p.top = p.sel
	}
	if p.sel >= p.top+h {
		p.top = p.sel - h + 1
	}
	p.top = clamp(p.top, 0, max(0, len(p.shown)-h))
}

func (m *Model) movePicker(d int) {
	m.pick.sel = clamp(m.pick.sel+d, 0, len(m.pick.shown)-1)
	m.clampPicker()
}

func (m *Model) closePicker() {
	m.overlay = overlayNone
	m.pick = picker{}
}

// handlePickerKey handles a key while the picker is open. While typing a
// query, printable keys go to the query; otherwise the usual moves apply.
func (m *Model) handlePickerKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	p := &m.pick
	if msg.String() == "ctrl+c" {
		return m, m.quit()
	}
	if p.typing {
		switch {
		case key.Matches(msg, k.Cancel):
			p.typing, p.query = false, ""
			m.filterPicker()
		case key.Matches(msg, k.Open):
			p.typing = false
		case msg.Code == tea.KeyBackspace:
			if r := []rune(p.query); len(r) > 0 {
				p.query = string(r[:len(r)-1])
				m.filterPicker()
			}
		case msg.Code == tea.KeyUp:
			m.movePicker(-1)
		case msg.Code == tea.KeyDown:
			m.movePicker(1)
		case msg.Text != "":
			p.query += msg.Text
			p.sel = 0
			m.filterPicker()
		}
		return m, nil
	}
	switch {
	case key.Matches(msg, k.Cancel):
		if p.query != "" {
			p.query = ""
			m.filterPicker()
			return m, nil
		}
		m.closePicker()
	case key.Matches(msg, k.Quit):
		m.closePicker()
	case key.Matches(msg, k.Filter):
		p.typing = true
	case key.Matches(msg, k.Outline):
		if p.kind == pickOutline {
			m.closePicker()
		} else {
			m.openOutline()
		}
	case key.Matches(msg, k.Executions):
		if p.kind == pickExecutions {
			m.closePicker()
		} else {
			m.openExecutions()
		}
	case key.Matches(msg, k.Open):
		m.pickSelected()
	case key.Matches(msg, k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown):
		m.movePicker(moveDelta(k, msg, m.pickerRows()))
	}
	return m, nil
}

// pickSelected acts on the selected entry and closes the picker.
func (m *Model) pickSelected() {
	p := &m.pick
	if p.sel < 0 || p.sel >= len(p.shown) {
		m.setErr(fmt.Sprintf("nothing matches %q (esc clears)", p.query))
		return
	}
	it := p.items[p.shown[p.sel]]
	kind := p.kind
	shared := 0
	for _, o := range p.items {
		if o.exec != "" && o.exec == it.exec {
			shared++
		}
	}
	m.closePicker()
	switch kind {
	case pickOutline:
		m.jumpToRow(it.row)
	case pickExecutions:
		m.setFilter(withExecTerm(m.filter, it.exec))
		if it.exec == "" {
			m.setMsg("showing every execution")
		} else {
			noun := "rows"
			if m.flat {
				noun = "events"
			}
			note := ""
			if shared > 1 {
				// A nested flow reports under its agent's id (§2.3): the
				// filter cannot tell them apart.
				note = fmt.Sprintf(", %d executions share this id", shared)
			}
			m.setMsg(fmt.Sprintf("showing execution %s: %d of %d %s%s (%s picks another)",
				clean(it.exec), m.visibleCount(), m.itemCount(), noun, note, m.keys.Executions.Help().Key))
		}
	}
}

// jumpToRow selects row in the events pane (in the flat view, the row's
// first event), stops following the tail and shows it a third of the way
// down the pane. A row the filter hides gives way to the nearest row shown
// after it.
func (m *Model) jumpToRow(row int) {
	r := m.s.Row(row)
	if r == nil {
		return
	}
	item := row
	if m.flat {
		// A request or stream-end row has no event of its own: the next
		// event is where it stands in the flat view.
		item = m.s.EventCount() - 1
		for i := row; i < m.s.RowCount(); i++ {
			if evs := m.s.Row(i).Events; len(evs) > 0 {
				item = evs[0]
				break
			}
		}
	}
	pos, exact := m.positionOf(item)
	if pos < 0 {
		m.setErr("the filter hides every row (esc clears it)")
		return
	}
	m.focus = paneEvents
	m.follow = false
	m.evSel = pos
	m.evTop = pos - m.eventsInnerHeight()/3
	m.clampEvents()
	title := strings.TrimSpace(r.Kind.String() + " " + strings.TrimSpace(strings.TrimPrefix(r.Title, r.Kind.String())))
	if exact {
		m.setMsg("at " + clean(title))
	} else {
		m.setMsg("the filter hides " + clean(title) + ": at the nearest row shown")
	}
}

// positionOf maps an item (row, or event in the flat view) to its
// position in the events pane, and whether the filter shows it; -1 when
// nothing is shown.
func (m *Model) positionOf(item int) (int, bool) {
	if m.filtered == nil {
		return clamp(item, 0, m.visibleCount()-1), true
	}
	if len(m.filtered) == 0 {
		return -1, false
	}
	i := sort.SearchInts(m.filtered, item)
	if i < len(m.filtered) && m.filtered[i] == item {
		return i, true
	}
	return min(i, len(m.filtered)-1), false
}

// ---- the filter's exec: term ----

// splitTerms splits a filter expression into its terms as typed:
// separated by spaces, except inside double quotes (text:"a b").
func splitTerms(s string) []string {
	var terms []string
	start, quoted := -1, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quoted && c == '\\':
			i++
		case c == '"':
			quoted = !quoted
			if start < 0 {
				start = i
			}
		case !quoted && (c == ' ' || c == '\t'):
			if start >= 0 {
				terms = append(terms, s[start:i])
				start = -1
			}
		default:
			if start < 0 {
				start = i
			}
		}
	}
	if start >= 0 {
		terms = append(terms, s[start:])
	}
	return terms
}

const execPrefix = "exec:"

func isExecTerm(t string) bool {
	return len(t) >= len(execPrefix) && strings.EqualFold(t[:len(execPrefix)], execPrefix)
}

// execTerm returns the id of the filter's exec: term, "" when it has none.
func execTerm(filter string) string {
	id := ""
	for _, t := range splitTerms(filter) {
		if isExecTerm(t) {
			id = t[len(execPrefix):]
			if u, err := strconv.Unquote(id); err == nil {
				id = u
			}
		}
	}
	return id
}

// withExecTerm returns expr with its exec: term replaced by exec:id, or
// removed when id is "". The other terms are kept as typed, in order; a
// negated !exec: term is another condition and stays.
func withExecTerm(expr, id string) string {
	var out []string
	for _, t := range splitTerms(expr) {
		if !isExecTerm(t) {
			out = append(out, t)
		}
	}
	if id != "" {
		out = append(out, execPrefix+filter.Quote(id))
	}
	return strings.Join(out, " ")
}

// ---- drawing ----

// renderPicker draws the open picker as a box over the panes.
func (m *Model) renderPicker() string {
	p := &m.pick
	w, h := m.width, m.mainHeight()
	inner := w - 2
	title := "Outline"
	if p.kind == pickExecutions {
		title = "Executions"
	}
	if p.query != "" || p.typing {
		title += fmt.Sprintf(" · /%s · %d of %d", clean(p.query), len(p.shown), len(p.items))
	} else {
		title += fmt.Sprintf(" · %d", len(p.items))
	}
	// The columns are laid out over every entry, not just the visible
	// ones, so they do not shift while scrolling.
	rows := make([][]string, 0, len(p.items)+1)
	for _, it := range p.items {
		rows = append(rows, m.pickCells(it))
	}
	var head []string
	if p.head {
		head = make([]string, len(p.cols))
		for c, col := range p.cols {
			head[c] = col.header
		}
		rows = append(rows, head)
	}
	// Two cells of gutter: the mark of the execution the filter scopes
	// to.
	widths := layoutColumns(p.cols, rows, inner-2, p.flex, p.flexMin)
	scoped := ""
	if p.kind == pickExecutions {
		scoped = execTerm(m.filter)
	}
	k := newInks(&m.th)
	var lines []string
	if head != nil {
		lines = append(lines, m.th.dim.Render(fit("  "+joinColumns(p.cols, widths, head, nil, nil), inner)))
	}
	if len(p.shown) == 0 {
		msg := "  nothing matches " + strconv.Quote(p.query)
		lines = append(lines, m.th.dim.Render(fit(msg, inner)))
	}
	for pos := p.top; pos < len(p.shown) && pos < p.top+m.pickerRows(); pos++ {
		it := p.items[p.shown[pos]]
		gutter := "  "
		if scoped != "" && it.exec == scoped {
			gutter = "• "
		}
		cells := m.pickCells(it)
		plain := fit(gutter+joinColumns(p.cols, widths, cells, nil, nil), inner)
		if pos == p.sel {
			lines = append(lines, m.th.selected.Render(plain))
			continue
		}
		lines = append(lines, fit(gutter+joinColumns(p.cols, widths, cells, k, m), inner))
	}
	return box(m.th, title, strings.Join(lines, "\n"), w, h, true)
}

// pickCells is an entry's cells with the nesting indent applied.
func (m *Model) pickCells(it pickItem) []string {
	cells := append([]string(nil), it.cells...)
	if it.indent > 0 && m.pick.indentCol < len(cells) {
		cells[m.pick.indentCol] = strings.Repeat("  ", min(it.indent, 4)) + cells[m.pick.indentCol]
	}
	return cells
}

// layoutColumns gives each column its width within w cells: every column
// but the last as wide as its widest cell; the last gets the rest and is
// dropped (width 0) when that is under 8 cells; then, if the line is
// still too wide, the flex column shrinks down to flexMin. What does not
// fit after that is cut by the caller with an ellipsis.
func layoutColumns(cols []pickCol, rows [][]string, w, flex, flexMin int) []int {
	n := len(cols)
	widths := make([]int, n)
	for _, r := range rows {
		for c := 0; c < n && c < len(r); c++ {
			cw, _ := cellWidth(r[c])
			widths[c] = max(widths[c], cw)
		}
	}
	used := 0
	for c := 0; c < n-1; c++ {
		used += widths[c] + pickerGap
	}
	last := widths[n-1]
	rest := w - used
	switch {
	case last == 0 || rest < min(last, 8):
		widths[n-1] = 0
		used -= pickerGap
	default:
		widths[n-1] = min(last, rest)
		used += widths[n-1]
	}
	if over := used - w; over > 0 && flex < n-1 {
		widths[flex] = max(min(widths[flex], flexMin), widths[flex]-over)
	}
	return widths
}

// joinColumns lays cells out in columns of the given widths (a 0 width
// drops the column). With inks it colours the dimmed and status columns.
func joinColumns(cols []pickCol, widths []int, cells []string, k *inks, m *Model) string {
	var b strings.Builder
	first := true
	for c, col := range cols {
		cw := widths[c]
		if cw <= 0 {
			continue
		}
		if !first {
			b.WriteString(strings.Repeat(" ", pickerGap))
		}
		first = false
		s := ""
		if c < len(cells) {
			s = cells[c]
		}
		s = fitCell(s, cw, col)
		if k != nil {
			switch {
			case col.status && strings.TrimSpace(s) != "":
				in := m.statusInk(k, strings.TrimSpace(s))
				s = in.render(s)
			case col.dim:
				in := k.of(&m.th.dim)
				s = in.render(s)
			}
		}
		b.WriteString(s)
	}
	return b.String()
}

// fitCell pads or cuts a cell to w cells, with an ellipsis where it cuts:
// at the end, or at the start for ids, whose tail tells them apart.
func fitCell(s string, w int, col pickCol) string {
	sw, plain := cellWidth(s)
	switch {
	case sw > w && col.tail:
		if w <= 1 {
			return fit(s, w)
		}
		if plain {
			return "…" + dropCells(s, sw-(w-1))
		}
		return "…" + ansi.TruncateLeft(s, sw-(w-1), "")
	case sw > w:
		return fit(s, w)
	case col.right:
		return strings.Repeat(" ", w-sw) + s
	}
	return s + strings.Repeat(" ", w-sw)
}

// idTail is the end of an execution id, w cells at most ("…" and the
// tail): the pending pane's execution column.
func idTail(id string, w int) string {
	return fitCell(clean(id), w, pickCol{tail: true})
}
