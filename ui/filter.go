package ui

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"rtinspect/model"
	"rtinspect/model/filter"
)

// The events pane's filter: the expression language of package filter,
// applied to rows (grouped view) or events (flat view), kept up to date as
// the stream adds items, and validated as it is typed.

// matchStyle draws the text a filter matched in the events pane. It is an
// attribute, not a colour, so it reads in every theme (NO_COLOR included)
// and on top of any kind's colour; underline, not reverse, which is the
// selection's.
var matchStyle = lipgloss.NewStyle().Underline(true).Bold(true)

// Live validation counts the matches of the expression being typed only
// while that is cheap: at most this many items, or this much text, per
// keystroke (a few milliseconds: a folding text: pattern reads some
// 50 MB/s). A longer log is counted when enter applies the filter.
const (
	countItemLimit = 5_000
	countTextLimit = 256 << 10
)

// liveLimit bounds the items re-tested after each batch because their
// state may still change (see noteLive).
const liveLimit = 256

// openFilterInput opens the input line on the current filter, validated.
func (m *Model) openFilterInput() tea.Cmd {
	m.openInput(inputFilter, "", "filter: ", `type:tool tool:NAME id:ID text:"re" error pending !term (empty clears)`)
	m.input.SetValue(m.filter)
	m.input.CursorEnd()
	m.validateFilterInput()
	return m.input.Focus()
}

// validateFilterInput parses what the filter input holds, as it is typed,
// and says in the status line what is wrong (with the column) or how many
// items it matches.
func (m *Model) validateFilterInput() {
	val := strings.TrimSpace(m.input.Value())
	e, err := filter.Parse(val)
	switch {
	case err != nil:
		m.setErr("filter: " + err.Error())
	case e.Empty() && m.filter != "":
		m.setMsg("filter: empty: enter clears the filter, esc keeps it")
	case e.Empty():
		m.setMsg("filter: space-separated terms, all must hold; ! negates one")
	default:
		m.setMsg("filter: " + m.countMatches(e))
	}
}

// countMatches says how many items e matches, when that is cheap.
func (m *Model) countMatches(e *filter.Expr) string {
	n := m.itemCount()
	matched, text := 0, 0
	for i := 0; i < n; i++ {
		if i == countItemLimit || text > countTextLimit {
			return fmt.Sprintf("%s matches in the first %s of %s %s (enter applies)", thousands(matched), thousands(i), thousands(n), m.itemNoun())
		}
		m.loadItem(i)
		text += len(m.fitem.Text)
		if e.Match(&m.fitem) {
			matched++
		}
	}
	return fmt.Sprintf("%s of %s %s match (enter applies)", thousands(matched), thousands(n), m.itemNoun())
}

// noItemsText is what the events pane says when it lists nothing: a
// filter that hides everything must not read as an empty log.
func (m *Model) noItemsText() string {
	if m.filtered != nil && m.itemCount() > 0 {
		return fmt.Sprintf(" no %s match the filter (%s clears it)", m.itemNoun(), m.keys.Cancel.Help().Key)
	}
	return " no events yet"
}

// itemNoun is what the events pane lists.
func (m *Model) itemNoun() string {
	if m.flat {
		return "events"
	}
	return "rows"
}

// setFilter applies the filter f ("" clears it) and selects the last item
// it shows. An expression that does not parse changes nothing and says
// why (the input line refuses one before it gets here).
func (m *Model) setFilter(f string) {
	f = strings.TrimSpace(f)
	e, err := filter.Parse(f)
	if err != nil {
		m.setErr("filter: " + err.Error())
		return
	}
	m.hlCache = nil // drawn for the previous expression
	if e.Empty() {
		m.filter, m.filterExpr, m.filtered, m.filterLive = "", nil, nil, nil
		m.filterBehind = false
		m.setMsg("filter cleared")
	} else {
		m.filter, m.filterExpr = f, e
		m.applyFilter()
		// The expression itself is in the pane's title.
		m.filterMessage()
	}
	m.evSel = m.visibleCount() - 1
	m.follow = true
	m.clampEvents()
}

// filterSlice bounds the time one update spends testing items, so
// filtering a log of a million events never freezes the screen: the rest
// is tested in further slices (filterMoreMsg), between keys and frames.
// The first filterAtOnce items of a slice are always tested, so a
// session of ordinary size is filtered in one go, whatever the clock.
const (
	filterSlice  = 8 * time.Millisecond
	filterAtOnce = 20000
)

// filterMoreMsg asks for the next slice of a filter that is behind.
type filterMoreMsg struct{}

// applyFilter tests the items against the filter from scratch, a slice of
// them now and the rest in further slices.
func (m *Model) applyFilter() {
	m.filtered = []int{}
	m.filterLive = m.filterLive[:0]
	m.checked = 0
	m.scanFilter()
}

// scanFilter tests the items not yet tested, for one slice of time, and
// says whether any are left.
func (m *Model) scanFilter() {
	n := m.itemCount()
	deadline := time.Now().Add(filterSlice)
	i, first := m.checked, m.checked+filterAtOnce
	for ; i < n; i++ {
		if i > first && i&1023 == 1023 && time.Now().After(deadline) {
			break
		}
		if m.itemMatches(i) {
			m.filtered = append(m.filtered, i)
		}
		m.noteLive(i)
	}
	m.checked = i
	m.filterBehind = i < n
}

// filterMore tests the next slice of a filter that is behind, and once it
// has caught up says how many items matched.
func (m *Model) filterMore() {
	if m.filterExpr == nil || !m.filterBehind {
		m.filterBehind = false
		return
	}
	m.scanFilter()
	if m.follow {
		m.evSel = m.visibleCount() - 1
	}
	m.clampEvents()
	m.filterMessage()
}

// filterMessage says what the filter found, or how far it has got.
func (m *Model) filterMessage() {
	if m.filterBehind {
		m.setMsg(fmt.Sprintf("filter: %s matches so far, %d%% of %s %s searched (%s clears)",
			thousands(len(m.filtered)), m.checked*100/max(1, m.itemCount()), thousands(m.itemCount()), m.itemNoun(), m.keys.Cancel.Help().Key))
		return
	}
	m.setMsg(fmt.Sprintf("filter: %s of %s %s match (%s clears)", thousands(len(m.filtered)), thousands(m.checked), m.itemNoun(), m.keys.Cancel.Help().Key))
}

// refilter brings the filter index up to date after new events: it
// re-tests the items whose state may have changed since they were tested
// (a text still streaming, a tool call running, an await waiting) and tests
// the new ones, never the whole log. afterRowsChanged calls it.
func (m *Model) refilter() {
	n := m.itemCount()
	if n < m.checked {
		// The session shrank under the index (a recording stepped back):
		// nothing in it can be trusted.
		m.applyFilter()
		return
	}
	keep := m.filterLive[:0]
	for _, i := range m.filterLive {
		m.setMember(i, m.itemMatches(i))
		if liveStatus(m.fitem.Status) {
			keep = append(keep, i)
		}
	}
	m.filterLive = keep
	m.scanFilter()
}

// liveStatus reports whether an item in this state may still change
// (grow, finish, fail, be answered), so a filter must test it again.
func liveStatus(s string) bool {
	switch s {
	case "streaming", "running", "waiting", "sending", "sent":
		return true
	}
	return false
}

// noteLive remembers item i, just tested (m.fitem), for testing again if
// its state may still change. Only the newest liveLimit are kept: in the
// flat view every delta of a streaming text is "streaming", and re-testing
// thousands of them per batch would cost what the incremental filter saves.
func (m *Model) noteLive(i int) {
	if !liveStatus(m.fitem.Status) {
		return
	}
	if len(m.filterLive) == liveLimit {
		copy(m.filterLive, m.filterLive[1:])
		m.filterLive = m.filterLive[:liveLimit-1]
	}
	m.filterLive = append(m.filterLive, i)
}

// setMember adds item i to the filter index or takes it out, keeping the
// selection and the window on the items they were on.
func (m *Model) setMember(i int, ok bool) {
	p := sort.SearchInts(m.filtered, i)
	in := p < len(m.filtered) && m.filtered[p] == i
	switch {
	case ok && !in:
		m.filtered = append(m.filtered, 0)
		copy(m.filtered[p+1:], m.filtered[p:])
		m.filtered[p] = i
		if p <= m.evSel {
			m.evSel++
		}
		if p < m.evTop {
			m.evTop++
		}
	case !ok && in:
		m.filtered = append(m.filtered[:p], m.filtered[p+1:]...)
		if p < m.evSel {
			m.evSel--
		}
		if p < m.evTop {
			m.evTop--
		}
	}
}

// itemMatches reports whether item i (a row, or in the flat view an
// event) passes the filter. It leaves the item in m.fitem, so the caller
// can read its state without building it again.
func (m *Model) itemMatches(i int) bool {
	m.loadItem(i)
	return m.filterExpr.Match(&m.fitem)
}

// loadItem builds item i into m.fitem. Rows reuse its IDs slice, so
// testing a row allocates nothing; the flat view's eventItem builds its
// own.
func (m *Model) loadItem(i int) {
	if m.flat {
		m.fitem = m.eventItem(i)
		return
	}
	if r := m.s.Row(i); r != nil {
		fillRowItem(&m.fitem, r)
	} else {
		m.fitem = filter.Item{}
	}
}

// rowItem is row i as the filter sees it.
func (m *Model) rowItem(i int) filter.Item {
	var it filter.Item
	if r := m.s.Row(i); r != nil {
		fillRowItem(&it, r)
	}
	return it
}

// fillRowItem makes it the row r, reusing it.IDs. The ids are the row's
// own (block, call, approval, turn or step) and its execution's; the ids
// of the events folded into it are not read: rebuilding events costs far
// more than testing a row, and a row's events share its ids (the flat
// view shows every event's own).
func fillRowItem(it *filter.Item, r *model.Row) {
	ids := it.IDs[:0]
	if r.ID != "" {
		ids = append(ids, r.ID)
	}
	if r.ExecutionID != "" && r.ExecutionID != r.ID {
		ids = append(ids, r.ExecutionID)
	}
	*it = filter.Item{
		Kind:        r.Kind.String(),
		Type:        r.Type,
		Tool:        r.ToolName(),
		ExecutionID: r.ExecutionID,
		IDs:         ids,
		Title:       r.Title,
		// Text is the folded text of a text row and the one-line summary
		// (arguments → result, error message, stop reason) of the others.
		Text:    r.Text(),
		Status:  r.Status,
		Error:   rowFailed(r),
		Pending: r.Status == "waiting",
	}
}

// rowFailed reports whether a row says that something failed: an error
// event, a malformed frame, a tool, step, turn or execution that completed
// failed, a request the server refused, a stream that ended failed. The
// rows a failed run leaves "failed" without completing (the text block
// and the step it cut short) are not: status:failed finds them too.
func rowFailed(r *model.Row) bool {
	switch r.Kind {
	case model.RowError, model.RowMalformed:
		return true
	case model.RowRequest, model.RowStreamEnd:
		return r.Status == "failed"
	}
	return r.Status == "failed" && r.Done()
}

// matchInk is the ink of matchStyle. lipgloss draws underlined text word
// by word (the spaces underlined apart), so newInk finds that it does not
// merely wrap text and every match would go through Render, most of what
// highlighting costs a frame; wrapping the whole match in the sequences of
// one underlined letter looks the same on screen.
func matchInk() ink {
	k := newInk(matchStyle)
	out := matchStyle.Render("M")
	if i := strings.IndexByte(out, 'M'); i >= 0 && strings.Count(out, "M") == 1 {
		k.pre, k.post, k.wraps = out[:i], out[i+1:], true
	}
	return k
}

// filterPattern is what the filter's text terms look for, for n / N and
// highlighting in the detail view; nil when the filter has none.
func (m *Model) filterPattern() *regexp.Regexp { return m.filterExpr.Pattern() }

// highlight returns s (plain, cleaned text) with what the filter's text
// terms match drawn in matchStyle; s itself when nothing matches. It runs
// on every visible line of every frame, and a text: pattern costs a
// couple of microseconds a line (Go's folding regular expressions have no
// fast path), a third of a frame: so results are kept per text, and a
// frame redraws from the cache what did not change since the last one (a
// stream changes one line a frame, a scroll one line a step). The cache
// goes with the filter (setFilter) and is emptied when full.
func (m *Model) highlight(k *inks, s string) string {
	if h, ok := m.hlCache[s]; ok {
		return h
	}
	out := s
	if m.spans = m.filterExpr.Spans(s, m.spans[:0]); len(m.spans) > 0 {
		in, ok := k.styles[&matchStyle]
		if !ok {
			in = matchInk()
			k.styles[&matchStyle] = in
		}
		var b strings.Builder
		b.Grow(len(s) + len(m.spans)*16)
		prev := 0
		for _, sp := range m.spans {
			b.WriteString(s[prev:sp[0]])
			b.WriteString(in.render(s[sp[0]:sp[1]]))
			prev = sp[1]
		}
		b.WriteString(s[prev:])
		out = b.String()
	}
	if m.hlCache == nil || len(m.hlCache) >= hlCacheLimit {
		m.hlCache = make(map[string]string, 64)
	}
	m.hlCache[s] = out
	return out
}

// hlCacheLimit bounds the highlight cache: a few screens of lines (each at
// most a few hundred bytes).
const hlCacheLimit = 1024
