package ui

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"rtinspect/api"
	"rtinspect/model"
	"rtinspect/model/filter"
)

// The flat view of the events pane: one line per decoded event, as it
// came, for when the grouped rows hide what the stream really said (how
// text was split into deltas, a tool's streamed input, a ping).
//
// It draws only the visible window, each event rebuilt from the session's
// compact log with ReadEvent, which keeps nothing: a frame costs a
// screenful of events whatever the length of the log, and scrolling
// through a million events does not leave a million rebuilt copies
// behind (Session.Event would cache each one).

// itemCount is the number of items the events pane lists: rows in the
// grouped view, events in the flat view.
func (m *Model) itemCount() int {
	if m.flat {
		return m.s.EventCount()
	}
	return m.s.RowCount()
}

// eventItem is event i as the filter sees it. Kind, Title, Status and
// Pending come from the row the event folded into, so "kind:tool" or
// "pending" select the same things in both views; Text is the delta or
// the block's text as streamed, else the line's summary (cut at
// filterTextLimit: a filter reads every event, and a 400 KB tool result
// must not make it slow).
func (m *Model) eventItem(i int) filter.Item {
	var e api.Event
	if !m.s.ReadEvent(i, &e) {
		return filter.Item{}
	}
	it := filter.Item{Type: e.Type, Tool: e.ToolName, ExecutionID: e.ExecutionID}
	ids := make([]string, 0, 4)
	addID := func(id string) {
		if id == "" {
			return
		}
		for _, x := range ids {
			if x == id {
				return
			}
		}
		ids = append(ids, id)
	}
	addID(e.ID)
	addID(e.ToolCallID)
	addID(e.ToolID)
	addID(e.ApprovalID)
	addID(e.StepID)
	addID(e.ExecutionID)
	if r := m.s.Row(m.s.EventRow(i)); r != nil {
		it.Kind = r.Kind.String()
		it.Title = r.Title
		it.Status = r.Status
		it.Pending = r.Status == "waiting"
		addID(r.ID)
		if it.Tool == "" {
			// A streamed delta of a tool call carries only its call id.
			it.Tool = r.ToolName()
		}
	}
	it.IDs = ids
	switch e.Type {
	case api.TypeTextDelta, api.TypeReasoningDelta, api.TypeToolInputDelta,
		api.TypeToolOutputDelta, api.TypeArtifactDelta:
		it.Text = e.Delta // as streamed, not quoted: a pattern matches the text itself
	case api.TypeTextComplete, api.TypeReasoningComplete:
		it.Text = e.Text
	default:
		it.Text = eventSummary(&e, filterTextLimit)
	}
	it.Error = eventFailed(&e)
	return it
}

// filterTextLimit caps the summary an event offers the filter.
const filterTextLimit = 4 << 10

// eventFailed reports whether the event says something failed.
func eventFailed(e *api.Event) bool {
	switch e.Type {
	case api.TypeError, api.TypeExecutionError, api.TypeMalformed:
		return true
	}
	return e.ErrorMessage != "" || (e.Success != nil && !*e.Success)
}

// eventRowOf returns the row of event i for the grouped view: the row it
// folded into, or for an event without one (a ping) the row of the
// nearest event before it that has one (else after it); -1 when none.
func (m *Model) eventRowOf(i int) int {
	n := m.s.EventCount()
	for j := i; j >= 0 && j < n; j-- {
		if r := m.s.EventRow(j); r >= 0 {
			return r
		}
	}
	for j := i + 1; j < n; j++ {
		if r := m.s.EventRow(j); r >= 0 {
			return r
		}
	}
	return -1
}

// rowEventOf returns the event of row i for the flat view: its first
// event, or for a row the session added itself (a request, a stream end)
// the nearest event: the next one after a request, the last one before a
// stream end. -1 when the log is empty.
func (m *Model) rowEventOf(i int) int {
	r := m.s.Row(i)
	if r == nil {
		return -1
	}
	if len(r.Events) > 0 {
		return r.Events[0]
	}
	if r.Kind != model.RowStreamEnd {
		for j := i + 1; j < m.s.RowCount(); j++ {
			if ev := m.s.Row(j).Events; len(ev) > 0 {
				return ev[0]
			}
		}
	}
	for j := i - 1; j >= 0; j-- {
		if ev := m.s.Row(j).Events; len(ev) > 0 {
			return ev[len(ev)-1]
		}
	}
	return m.s.EventCount() - 1
}

// visiblePos is the position in the pane of item i (row or event): i, or
// under a filter the first match at or after it (else the last match).
func (m *Model) visiblePos(i int) int {
	if m.filtered == nil {
		return i
	}
	p := sort.SearchInts(m.filtered, i)
	if p == len(m.filtered) {
		p--
	}
	return p
}

// toggleView switches the events pane between the grouped and the flat
// view. The selection stays on the same thing (a row becomes its first
// event, an event its row) at the same height on screen, a filter is
// applied again to the other view's items, and following the tail goes
// on following it.
func (m *Model) toggleView() {
	target, offset := -1, m.evSel-m.evTop
	if i := m.rowAt(m.evSel); i >= 0 {
		if m.flat {
			target = m.eventRowOf(i)
		} else {
			target = m.rowEventOf(i)
		}
	}
	m.flat = !m.flat
	m.sideKey = ""
	follow := m.follow
	if m.filter != "" {
		m.setFilter(m.filter)
	}
	m.follow = follow
	switch {
	case m.follow || target < 0:
		m.evSel = m.visibleCount() - 1
	default:
		m.evSel = m.visiblePos(target)
		m.evTop = max(0, m.evSel-offset)
	}
	m.clampEvents()
	if m.flat {
		m.setMsg(fmt.Sprintf("flat view: one line per event (%s grouped)", m.keys.ViewMode.Help().Key))
	} else {
		m.setMsg(fmt.Sprintf("grouped view: one row per block, call, turn or step (%s flat)", m.keys.ViewMode.Help().Key))
	}
}

// openSelected opens the selection in the detail view: the row, or in the
// flat view the event (raw: its frame as received).
func (m *Model) openSelected(raw bool) {
	if !m.flat {
		m.openRowDetail(m.selectedRow(), raw)
		return
	}
	ei := m.rowAt(m.evSel)
	if ei < 0 {
		m.setErr("no event selected")
		return
	}
	m.openEventDetail(ei, raw)
}

// eventPreview is the wide layout's preview of event i in the flat view:
// what it is, its ids, its JSON.
func (m *Model) eventPreview(i int) string {
	var e api.Event
	if !m.s.ReadEvent(i, &e) {
		return ""
	}
	var b strings.Builder
	label := e.Type
	if e.Source != "" && e.Source != e.Type {
		label += " (from " + e.Source + ")"
	}
	fmt.Fprintf(&b, "%s  event %d\n", m.th.bold.Render(clean(label)), i+1) // 1-based, as the detail view counts
	if r := m.s.Row(m.s.EventRow(i)); r != nil {
		fmt.Fprintf(&b, "row: %s %s\n", r.Kind, clean(strings.TrimSpace(strings.TrimPrefix(r.Title, r.Kind.String()))))
	}
	for _, id := range [...][2]string{{"execution", e.ExecutionID}, {"id", e.ID}, {"call", e.ToolCallID}, {"approval", e.ApprovalID}} {
		if id[1] != "" {
			fmt.Fprintf(&b, "%s: %s\n", id[0], clean(id[1]))
		}
	}
	if e.Err != nil {
		b.WriteString(m.th.errText.Render("cannot decode: "+clean(e.Err.Error())) + "\n")
	}
	b.WriteString("\n")
	data := e.Data
	if len(data) > sidePreviewLimit {
		// A screenful is shown: indenting 400 KB for it would cost a frame.
		data = data[:sidePreviewLimit]
	}
	if len(data) > 0 {
		b.WriteString(prettyJSON(data, m.th) + "\n")
	} else {
		b.WriteString(cleanBlock(e.Frame.Data) + "\n")
	}
	return b.String()
}

// typeWidth is the flat view's event type column: the longest unified
// type ("tool_input_complete") when the pane has room.
func typeWidth(w int) int {
	if w >= 60 {
		return 19
	}
	return 12
}

// flatLine renders event ei (read into ev) as one line of the flat view:
// relative time, type (in the colour of its row's kind), ids, a one-line
// summary, and the duration, tokens and cost columns of cols. It returns
// the line and the same without colours.
func (m *Model) flatLine(k *inks, ev *api.Event, ei int, start time.Time, w int, cols usageLayout) (line, plain string) {
	if cw := cols.width(); cw > 0 {
		line, plain = m.flatLine(k, ev, ei, start, w-cw, usageLayout{})
		u := model.EventUsage(ev)
		if r := m.s.Row(m.s.EventRow(ei)); r != nil && u.Duration == 0 && r.Events[len(r.Events)-1] == ei {
			// The event that ended its row shows the row's measured
			// duration (a text block's, from text_start to this).
			u.Duration = r.Duration
		}
		c := cols.cols(u)
		return line + k.of(&m.th.dim).render(c), plain + c
	}
	lb := newLineBuf(w)
	add := lb.add
	rel := ""
	if at := ev.Frame.At; !at.IsZero() && !start.IsZero() {
		rel = fmt.Sprintf("%6.2fs", at.Sub(start).Seconds())
	}
	dim := k.of(&m.th.dim)
	add(fit(rel, 7), &dim)
	add(" ", nil)
	typ := fit(clean(ev.Type), typeWidth(w))
	if r := m.s.Row(m.s.EventRow(ei)); r != nil {
		if in, ok := k.kind(r.Kind.String()); ok {
			add(typ, &in)
		} else {
			add(typ, nil)
		}
	} else {
		add(typ, &dim)
	}
	add(" ", nil)
	if ids := eventIDs(ev); ids != "" {
		add(clean(ids), &dim)
		add(" ", nil)
	}
	if lb.used >= w {
		line = fit(lb.b.String(), w)
		return line, fit(lb.p.String(), w)
	}
	// Only the head of the summary can show: cut it before cleaning, so a
	// long delta or result costs what one line costs.
	rest := fit(clean(eventSummary(ev, 4*w+16)), w-lb.used)
	if m.filterExpr.Highlights() {
		// What the filter's text terms match is underlined, as in rows.
		lb.b.WriteString(m.highlight(k, rest))
	} else {
		lb.b.WriteString(rest)
	}
	lb.p.WriteString(rest)
	return lb.b.String(), lb.p.String()
}

// eventIDs are the ids a flat line shows: the tool call or approval id,
// and the block, turn or step id when it is another one.
func eventIDs(e *api.Event) string {
	var parts []string
	for _, id := range [...]string{e.ToolCallID, e.ApprovalID, e.ID} {
		if id == "" {
			continue
		}
		dup := false
		for _, x := range parts {
			dup = dup || x == id
		}
		if !dup {
			parts = append(parts, id)
		}
	}
	return strings.Join(parts, " ")
}

// eventSummary is a one-line summary of an event, at most about n bytes:
// the delta (quoted as Go quotes it, so its spaces and line breaks show),
// the tool and its arguments or
// result, the error, the stop reason; the JSON payload for anything else.
// It never compacts more JSON than it shows.
func eventSummary(e *api.Event, n int) string {
	var b strings.Builder
	word := func(s string) {
		if s == "" {
			return
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s)
	}
	switch e.Type {
	case api.TypeTextDelta, api.TypeReasoningDelta, api.TypeToolInputDelta,
		api.TypeToolOutputDelta, api.TypeArtifactDelta:
		return strconv.Quote(headBytes(e.Delta, n))
	case api.TypeMediaDelta:
		return strconv.Itoa(len(e.Delta)) + " bytes"
	case api.TypeTextStart, api.TypeReasoningStart:
		word(e.Role)
	case api.TypeTextComplete, api.TypeReasoningComplete:
		if e.Text != "" {
			return strconv.Quote(headBytes(e.Text, n))
		}
	case api.TypeToolStart, api.TypeToolInputComplete:
		word(e.ToolName)
		word(jsonHead(e.Parameters, n))
	case api.TypeToolComplete:
		word(e.ToolName)
		switch {
		case e.ErrorMessage != "":
			word("failed: " + headBytes(e.ErrorMessage, n))
		case e.Success != nil && !*e.Success:
			word("failed")
		default:
			word("→ " + jsonHead(e.Result, n))
		}
	case api.TypeAwait:
		word(e.ToolName)
		word(jsonHead(e.Parameters, n))
		if e.ToolName == "" {
			word("paused: " + e.AwaitReason)
		}
	case api.TypeApprovalStart:
		word(e.ToolName)
		word(jsonHead(e.Parameters, n))
		if e.Reason != "" {
			word("— " + headBytes(e.Reason, n))
		}
	case api.TypeApprovalComplete:
		word(e.Decision)
	case api.TypeTurnStart:
		if e.Iteration > 0 {
			word("iteration " + strconv.Itoa(e.Iteration))
		}
		word(e.Role)
	case api.TypeTurnComplete:
		if e.StopReason != "" {
			word("stop " + e.StopReason)
		}
	case api.TypeStepStart, api.TypeStepSkip:
		word(e.Name)
		word(e.StepType)
	case api.TypeStepComplete:
		word(e.Name)
		word(successWord(e.Success))
		if e.ErrorMessage != "" {
			word("error: " + headBytes(e.ErrorMessage, n))
		}
	case api.TypeExecutionStart:
		word(e.Kind)
		word(e.Name)
	case api.TypeExecutionComplete:
		word(successWord(e.Success))
		if e.FinalOutput != "" {
			word(headBytes(e.FinalOutput, n))
		}
	case api.TypeExecutionError, api.TypeError:
		msg := e.ErrorMessage
		if msg == "" {
			msg = "error"
		}
		if e.ErrorCode != "" {
			msg += " (" + e.ErrorCode + ")"
		}
		word(headBytes(msg, n))
	case api.TypePing:
		word(e.Timestamp)
	case api.TypeMalformed:
		if e.Err != nil {
			word(e.Err.Error() + ":")
		}
		word(headBytes(e.Frame.Data, n))
	default:
		if e.Type == api.TypeCustom {
			word(e.Name)
		}
		word(jsonHead(e.Data, n))
	}
	return headBytes(b.String(), n)
}

// successWord is a completion's outcome in a word, "" when it does not say.
func successWord(success *bool) string {
	switch {
	case success == nil:
		return ""
	case *success:
		return "ok"
	}
	return "failed"
}

// headBytes returns at most about n bytes of s, cut on a rune boundary
// (the caller cuts the line to its cells, with an ellipsis).
func headBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// jsonHead is the start of raw JSON on one line: whitespace between
// tokens dropped, at most about n bytes. Unlike json.Compact it reads
// only what it returns, so the head of a 400 KB result costs what the
// line shows.
func jsonHead(raw []byte, n int) string {
	if len(raw) == 0 {
		return ""
	}
	b := make([]byte, 0, min(len(raw), n)+3)
	in, esc := false, false
	for _, c := range raw {
		if len(b) >= n {
			return string(b) + "…"
		}
		switch {
		case in:
			b = append(b, c)
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				in = false
			}
		case c == '"':
			in = true
			b = append(b, c)
		case c == ' ' || c == '\n' || c == '\r' || c == '\t':
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// ---- duration, tokens and cost columns ----

// Widths of the usage columns: "12.3s", "1.9k tok", "$0.0007", each
// right-aligned after two spaces.
const (
	durWidth  = 5
	tokWidth  = 8
	costWidth = 7
	// rowRoom is what a row keeps for itself before it gives any room to
	// the usage columns: with all three, a pane of 90 cells.
	rowRoom = 64
)

// usageLayout says which usage columns the events pane draws.
type usageLayout struct{ dur, tok, cost bool }

// width is the cells the columns take.
func (l usageLayout) width() int {
	w := 0
	if l.dur {
		w += 2 + durWidth
	}
	if l.tok {
		w += 2 + tokWidth
	}
	if l.cost {
		w += 2 + costWidth
	}
	return w
}

// usageLayout picks the columns for a pane w cells wide: those of the
// figures some row of the session has (so a stream that states no cost
// gets no empty cost column, and the layout never changes while
// scrolling), as many as leave the row rowRoom cells, tokens dropped
// first, then the cost.
func (m *Model) usageLayout(w int) usageLayout {
	if w <= rowRoom {
		return usageLayout{}
	}
	t := m.s.Totals()
	all := usageLayout{t.HasDuration, t.HasTokens, t.HasCost}
	for _, l := range [...]usageLayout{all, {all.dur, false, all.cost}, {all.dur, false, false}} {
		if w-l.width() >= rowRoom {
			return l
		}
	}
	return usageLayout{}
}

// cols draws u as the layout's right-aligned columns, l.width() cells,
// blank where u says nothing.
func (l usageLayout) cols(u model.Usage) string {
	var b strings.Builder
	b.Grow(l.width())
	if l.dur {
		fmt.Fprintf(&b, "  %*s", durWidth, fmtDuration(u.Duration))
	}
	if l.tok {
		tok := ""
		if u.Tokens > 0 {
			tok = fmtCount(u.Tokens) + " tok"
		}
		fmt.Fprintf(&b, "  %*s", tokWidth, tok)
	}
	if l.cost {
		fmt.Fprintf(&b, "  %*s", costWidth, fmtCost(u.Cost))
	}
	return b.String()
}

// fmtDuration is d in at most five characters: "<1ms", "182ms", "1.2s",
// "12.3s", "2m05s", "12m", "1h05m", "12h", "3d"; "" for none.
// usageText is u in words for a list: "2.2s · 2.0k in / 13 out tok ·
// $0.0003", the parts the stream gave.
func usageText(u model.Usage) string {
	var parts []string
	if d := fmtDuration(u.Duration); d != "" {
		parts = append(parts, d)
	}
	if u.Tokens > 0 {
		t := fmtCount(u.Tokens) + " tok"
		if u.TokensIn > 0 || u.TokensOut > 0 {
			t = fmtCount(u.TokensIn) + " in / " + fmtCount(u.TokensOut) + " out tok"
		}
		parts = append(parts, t)
	}
	if c := fmtCost(u.Cost); c != "" {
		parts = append(parts, c)
	}
	return strings.Join(parts, " · ")
}

func fmtDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return ""
	case d < time.Millisecond:
		return "<1ms"
	case d < time.Second:
		return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
	case d < 59950*time.Millisecond:
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
	}
	// Round before choosing the form, so 9m59.9s reads "10m", not
	// "10m00s" (six characters).
	if r := d.Round(time.Second); r < 10*time.Minute {
		return fmt.Sprintf("%dm%02ds", int(r.Minutes()), int(r.Seconds())%60)
	}
	r := d.Round(time.Minute)
	switch {
	case r < time.Hour:
		return strconv.Itoa(int(r.Minutes())) + "m"
	case r < 10*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(r.Hours()), int(r.Minutes())%60)
	}
	if r = d.Round(time.Hour); r < 100*time.Hour {
		return strconv.Itoa(int(r.Hours())) + "h"
	}
	return strconv.Itoa(int(d.Hours()/24)) + "d"
}

// fmtCount is n in at most four characters: "311", "1.9k", "12k", "3.4M".
func fmtCount(n int64) string {
	switch {
	case n < 1000:
		return strconv.FormatInt(n, 10)
	case n < 9950:
		return strconv.FormatFloat(float64(n)/1e3, 'f', 1, 64) + "k"
	case n < 999_500:
		return strconv.FormatInt((n+500)/1000, 10) + "k"
	case n < 9_950_000:
		return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + "M"
	case n < 999_500_000:
		return strconv.FormatInt((n+500_000)/1_000_000, 10) + "M"
	}
	return strconv.FormatInt((n+500_000_000)/1_000_000_000, 10) + "G"
}

// fmtCost is a cost in US dollars in at most seven characters: "$0.0007",
// "$0.042", "$1.23", "$1234"; "" for none.
func fmtCost(c float64) string {
	switch {
	case c <= 0 || math.IsNaN(c):
		return ""
	case c < 0.00005:
		return "<$.0001"
	case c < 0.00995:
		return "$" + strconv.FormatFloat(c, 'f', 4, 64)
	case c < 0.9995:
		return "$" + strconv.FormatFloat(c, 'f', 3, 64)
	case c < 99.995:
		return "$" + strconv.FormatFloat(c, 'f', 2, 64)
	case c < 999_999.5:
		return "$" + strconv.FormatFloat(c, 'f', 0, 64)
	}
	return "$" + strconv.FormatFloat(c/1e6, 'f', 0, 64) + "M"
}

// thousands writes n with thousands separators: 1,234,567.
func thousands(n int) string {
	if n < 0 {
		return "-" + thousands(-n)
	}
	s := strconv.Itoa(n)
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	lead := len(s) % 3
	if lead > 0 {
		b.WriteString(s[:lead])
	}
	for i := lead; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}
