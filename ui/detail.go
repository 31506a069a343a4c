package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"rtinspect/api"
	"rtinspect/model"
)

// The detail view: one row, event, pending call or approval, whole. Its
// JSON folds and unfolds at a cursor line, the value at the cursor or the
// whole view goes to the clipboard or a file, and n / N walk the filter's
// matches. The content is a doc (jsonview.go), laid out and drawn lazily.

// detailSavedMsg says where SaveFile wrote the detail view, or why not.
type detailSavedMsg struct {
	path string
	size int
	err  error
}

// detailSource is what the detail view shows.
type detailSource uint8

const (
	detailText     detailSource = iota // fixed text (the replay report)
	detailRow                          // m.detailRow, decoded or raw (m.detailRaw)
	detailEvent                        // det.event, decoded or raw
	detailCall                         // the pending call m.detailCall
	detailApproval                     // a pending approval
)

// detailView is the detail view's own state.
type detailView struct {
	src   detailSource
	event int
	// built is what a row's doc was built from: the row is rebuilt when
	// it has changed (it grows while the stream runs), not on every batch.
	built rowBuilt
	// match is the match n / N last put the cursor on (-1: none).
	match int
	// name goes into the name of the file SaveFile writes.
	name string
}

type rowBuilt struct {
	ok           bool
	events, text int
	status       string
	raw          bool
}

// handleDetailKey handles a key while the detail view covers the panes.
func (m *Model) handleDetailKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	switch {
	case key.Matches(msg, k.Cancel), key.Matches(msg, k.Quit) && msg.String() != "ctrl+c":
		m.overlay = overlayNone
	case key.Matches(msg, k.Quit):
		return m, m.quit()
	case key.Matches(msg, k.Raw):
		m.toggleRaw()
	case key.Matches(msg, k.Edit) && m.det.src == detailCall:
		m.overlay = overlayNone
		return m, m.editCall(m.detailCall)
	case m.det.src == detailApproval && key.Matches(msg, k.Approve, k.Deny):
		m.overlay = overlayNone
		decision := api.DecisionApproved
		if key.Matches(msg, k.Deny) {
			decision = api.DecisionDenied
		}
		m.startDecision(decision)
		if m.overlay == overlayInput {
			return m, m.input.Focus()
		}
	case key.Matches(msg, k.Collapse):
		m.foldAtCursor()
	case key.Matches(msg, k.Expand):
		m.unfoldAtCursor()
	case key.Matches(msg, k.CopyValue):
		return m, m.copyValue()
	case key.Matches(msg, k.CopyAll):
		return m, m.copyAll()
	case key.Matches(msg, k.SaveFile):
		return m, m.saveDetail()
	case key.Matches(msg, k.NextMatch):
		m.jumpMatch(1)
	case key.Matches(msg, k.PrevMatch):
		m.jumpMatch(-1)
	case key.Matches(msg, k.Up):
		m.scroll.move(-1)
	case key.Matches(msg, k.Down):
		m.scroll.move(1)
	case key.Matches(msg, k.PageUp):
		m.scroll.page(-m.scroll.height)
	case key.Matches(msg, k.PageDown), msg.String() == "space":
		m.scroll.page(m.scroll.height)
	case key.Matches(msg, k.Top):
		m.scroll.moveTo(0)
	case key.Matches(msg, k.Bottom):
		m.scroll.moveTo(m.scroll.count() - 1)
	}
	return m, nil
}

// openScroll shows text in an overlay: the help and the preview as drawn
// text, the detail view (the replay report) as a document of plain lines.
func (m *Model) openScroll(o overlay, title, content string) {
	if o == overlayDetail {
		m.det = detailView{src: detailText, match: -1, name: "report"}
		b := newDocBuilder()
		b.text(strings.TrimRight(content, "\n"), stylePlain)
		m.showDoc(title, b.doc(), false)
		return
	}
	m.overlay = o
	m.detailTitle = title
	m.scroll.setHeight(m.mainHeight() - 2)
	m.scroll.set(content, m.scrollWidth())
}

// showDoc shows d in the detail view. keep rebuilds the view in place (a
// row that grew): the folds and the cursor stay where they were.
func (m *Model) showDoc(title string, d *doc, keep bool) {
	m.overlay = overlayDetail
	m.detailTitle = title
	d.setPattern(m.filterPattern())
	old, cursor, top := m.scroll.doc, m.scroll.cursor, m.scroll.top
	if keep && old != nil {
		d.keepFolds(old)
	}
	m.scroll.setDoc(d, m.scrollWidth(), &m.th)
	m.scroll.setHeight(m.mainHeight() - 2)
	if keep {
		m.scroll.top, m.scroll.cursor = top, cursor
		m.scroll.clamp()
		m.scroll.moveTo(cursor)
	}
}

// keepFolds folds and unfolds the values of d as they were in old, the same
// document before it grew: a value is the same when it is at the same place
// in the list of nodes, of the same kind, depth and key.
func (d *doc) keepFolds(old *doc) {
	for i := range min(len(d.nodes), len(old.nodes)) {
		n, o := &d.nodes[i], &old.nodes[i]
		if n.kind == nodeText || n.kind != o.kind || n.depth != o.depth ||
			d.src[n.key:n.keyEnd] != old.src[o.key:o.keyEnd] {
			continue
		}
		n.folded = o.folded
	}
}

func (m *Model) openRowDetail(i int, raw bool) {
	if i < 0 || i >= m.s.RowCount() {
		m.setErr("no event selected")
		return
	}
	m.detailRow, m.detailCall, m.detailRaw = i, "", raw
	r := m.s.Row(i)
	m.det = detailView{src: detailRow, match: -1, name: rowFileName(r)}
	m.refreshDetail()
}

// rowFileName names the file SaveFile writes for a row after its title
// ("tool-export_catalog", "turn-1-assistant"), short enough that the
// status bar can say the whole name beside a recording's.
func rowFileName(r *model.Row) string {
	name := r.Title
	if !strings.HasPrefix(name, r.Kind.String()) {
		name = r.Kind.String() + " " + name
	}
	name = strings.ReplaceAll(strings.TrimSpace(name), " ", "-")
	if len(name) > 32 {
		name = name[:32]
	}
	return name
}

// openEventDetail shows one event of the log (the flat view's selection):
// decoded, or its raw frame.
func (m *Model) openEventDetail(ei int, raw bool) {
	if ei < 0 || ei >= m.s.EventCount() {
		m.setErr("no event selected")
		return
	}
	m.detailRow, m.detailCall, m.detailRaw = -1, "", raw
	m.det = detailView{src: detailEvent, event: ei, match: -1, name: fmt.Sprintf("event-%d-%s", ei+1, m.s.Event(ei).Type)}
	m.refreshDetail()
}

func (m *Model) openApprovalDetail(a *model.PendingApproval) {
	m.detailRow, m.detailCall, m.detailRaw = -1, "", false
	m.det = detailView{src: detailApproval, match: -1, name: "approval-" + a.ApprovalID}
	m.showDoc("Approval "+clean(a.ApprovalID), m.approvalDoc(a), false)
}

func (m *Model) openCallDetail(id string) {
	c := m.s.Call(id)
	if c == nil {
		return
	}
	m.detailRow, m.detailCall, m.detailRaw = -1, id, false
	m.det = detailView{src: detailCall, match: -1, name: "call-" + id}
	m.showDoc("Call "+clean(id), m.callDoc(c), false)
}

// toggleRaw switches a row or an event between decoded and raw frames.
func (m *Model) toggleRaw() {
	switch m.det.src {
	case detailRow, detailEvent:
		m.detailRaw = !m.detailRaw
		m.det.match = -1
		m.refreshDetail()
	default:
		m.setErr("only events have raw frames: " + m.keys.Raw.Help().Key + " works on the events pane")
	}
}

// refreshDetail builds the detail of the row or event shown, and rebuilds a
// row that changed since (it may still be growing while the stream runs).
func (m *Model) refreshDetail() {
	switch m.det.src {
	case detailEvent:
		if m.det.built.ok && m.det.built.raw == m.detailRaw {
			return // an event never changes
		}
		e := m.s.Event(m.det.event)
		title := "Event " + clean(e.Type)
		if m.detailRaw {
			title += " · raw frame"
		}
		m.det.built = rowBuilt{ok: true, raw: m.detailRaw}
		m.showDoc(title, m.eventDoc(m.det.event, m.detailRaw), false)
	case detailRow:
		if m.detailRow < 0 || m.detailRow >= m.s.RowCount() {
			return
		}
		r := m.s.Row(m.detailRow)
		built := rowBuilt{ok: true, events: len(r.Events), text: len(r.Text()), status: r.Status, raw: m.detailRaw}
		if built == m.det.built {
			return
		}
		keep := m.det.built.ok && m.det.built.raw == built.raw
		m.det.built = built
		title := clean(r.Title)
		if !strings.HasPrefix(title, r.Kind.String()) {
			title = r.Kind.String() + " " + title
		}
		if m.detailRaw {
			title += " · raw frames"
		}
		m.showDoc(title, m.rowDoc(r, maxDetailEvents, m.detailRaw), keep)
	}
}

// ---- what the detail shows ----

// rowDetailLimited describes a row with at most maxEvents of its events, as
// text for the side preview.
func (m *Model) rowDetailLimited(r *model.Row, maxEvents int) string {
	return m.rowDoc(r, maxEvents, m.detailRaw).styled(&m.th, 1<<30) + "\n"
}

// rowDoc is the detail of a row: its events decoded (a text block's text),
// or their raw frames, at most maxEvents of them.
func (m *Model) rowDoc(r *model.Row, maxEvents int, raw bool) *doc {
	b := newDocBuilder()
	head := ""
	for _, f := range [][2]string{{"", r.ID}, {"execution ", r.ExecutionID}, {"status ", r.Status}} {
		if f[1] != "" {
			head += "  " + f[0] + f[1]
		}
	}
	if len(r.Events) > 0 {
		head += fmt.Sprintf("  %d event(s)", len(r.Events))
	}
	b.line(r.Kind.String(), styleBold, head)
	b.blank()
	if req, ok := r.Request(); ok {
		return m.requestDoc(b, req)
	}
	if raw {
		var frames []api.Frame
		var prev *api.Event
		for n, idx := range r.Events {
			if n == maxEvents {
				b.line(fmt.Sprintf("… %d more frames", len(r.Events)-n), styleDim, "")
				break
			}
			ev := m.s.Event(idx)
			// The events a legacy frame expands into share it: show it
			// once.
			if ev.Synthetic && prev != nil && prev.Frame == ev.Frame {
				continue
			}
			prev = ev
			frames = append(frames, ev.Frame)
		}
		return framesDoc(b, frames)
	}
	switch r.Kind {
	case model.RowText, model.RowReasoning:
		text := r.Text()
		if maxEvents < maxDetailEvents && len(text) > sidePreviewLimit {
			text = text[:sidePreviewLimit]
		}
		b.text(text, stylePlain)
		d := b.doc()
		d.allFn, d.what = func() string { return text }, "the "+r.Kind.String()
		return d
	}
	if len(r.Events) == 0 {
		b.text(r.Text(), stylePlain)
		return b.doc()
	}
	var evs []*api.Event
	for n, idx := range r.Events {
		if n == maxEvents {
			b.line(fmt.Sprintf("… %d more events", len(r.Events)-n), styleDim, "")
			break
		}
		ev := m.s.Event(idx)
		evs = append(evs, ev)
		eventBody(b, ev)
		b.blank()
	}
	d := b.doc()
	d.allFn, d.ext = func() string { return eventsJSON(evs) }, ".json"
	d.what = "the event's JSON"
	if len(evs) > 1 {
		d.what = fmt.Sprintf("the JSON of %d events", len(evs))
	}
	return d
}

// eventLabel is an event's heading: its type, the type it was received as,
// whether it is known.
func eventLabel(ev *api.Event) string {
	label := ev.Type
	if ev.Source != "" && ev.Source != ev.Type {
		label += " (from " + ev.Source + ")"
	}
	if !ev.Known && ev.Type != api.TypeMalformed {
		label += " (unknown event type)"
	}
	return label
}

// eventBody adds an event decoded: its heading, why it could not be
// decoded, its payload.
func eventBody(b *docBuilder, ev *api.Event) {
	b.line(eventLabel(ev), styleBold, "")
	if ev.Err != nil {
		b.line("cannot decode: "+ev.Err.Error(), styleErr, "")
	}
	if len(ev.Data) > 0 {
		b.jsonOrText(ev.Data)
	} else {
		b.text(ev.Frame.Data, stylePlain)
	}
}

// eventsJSON is the payload of one event, indented; of several, an array of
// them. A payload that is not JSON goes in as a string.
func eventsJSON(evs []*api.Event) string {
	var raw bytes.Buffer
	if len(evs) != 1 {
		raw.WriteByte('[')
	}
	for i, ev := range evs {
		if i > 0 {
			raw.WriteByte(',')
		}
		if len(ev.Data) > 0 && json.Valid(ev.Data) {
			raw.Write(ev.Data)
		} else {
			s, _ := json.Marshal(ev.Frame.Data)
			raw.Write(s)
		}
	}
	if len(evs) != 1 {
		raw.WriteByte(']')
	}
	return api.IndentBody(raw.Bytes()) + "\n"
}

// framesDoc adds SSE frames as they came over the wire (a field a line, a
// blank line after each frame); CopyAll copies them in the same form.
func framesDoc(b *docBuilder, frames []api.Frame) *doc {
	var all strings.Builder
	put := func(field, value string) {
		b.line(field+": ", styleDim, value)
		b.nodes[len(b.nodes)-1].hang = uint8(len(field) + 2) // under the value
		all.WriteString(field + ": " + value + "\n")
	}
	for _, f := range frames {
		if f.Event != "" {
			put("event", f.Event)
		}
		if f.ID != "" {
			put("id", f.ID)
		}
		for _, l := range strings.Split(f.Data, "\n") {
			put("data", l)
		}
		b.blank()
		all.WriteString("\n")
	}
	d := b.doc()
	text := all.String()
	d.allFn, d.ext = func() string { return text }, ".sse"
	d.what = "the raw frame"
	if len(frames) != 1 {
		d.what = fmt.Sprintf("%d raw frames", len(frames))
	}
	return d
}

// requestDoc shows a request as the client sends it, the key masked (the
// preview never holds it), the body as JSON.
func (m *Model) requestDoc(b *docBuilder, req api.Request) *doc {
	var text string
	if m.client != nil {
		text = m.client.Preview(req)
	} else {
		text = req.Method + " " + req.Path + "\n\n" + api.IndentBody(req.Body)
	}
	head, body, _ := strings.Cut(text, "\n\n")
	for i, l := range strings.Split(head, "\n") {
		if i == 0 {
			b.line(l, styleBold, "")
		} else {
			b.text(l, stylePlain)
		}
	}
	if body = strings.TrimSpace(body); body != "" {
		b.blank()
		b.jsonOrText([]byte(body))
	}
	d := b.doc()
	d.allFn, d.what = func() string { return text + "\n" }, "the request (key masked)"
	return d
}

// eventDoc is the detail of event ei: decoded, or its raw frame.
func (m *Model) eventDoc(ei int, raw bool) *doc {
	ev := m.s.Event(ei)
	b := newDocBuilder()
	head := fmt.Sprintf("  event %d", ei+1)
	if ev.Seq >= 0 {
		head += fmt.Sprintf("  seq %d", ev.Seq)
	}
	if ev.ExecutionID != "" {
		head += "  execution " + ev.ExecutionID
	}
	b.line(ev.Type, styleBold, head)
	b.blank()
	if raw {
		return framesDoc(b, []api.Frame{ev.Frame})
	}
	eventBody(b, ev)
	d := b.doc()
	evs := []*api.Event{ev}
	d.allFn, d.ext, d.what = func() string { return eventsJSON(evs) }, ".json", "the event's JSON"
	return d
}

func (m *Model) approvalDetail(a *model.PendingApproval) string {
	return m.approvalDoc(a).styled(&m.th, 1<<30) + "\n"
}

func (m *Model) approvalDoc(a *model.PendingApproval) *doc {
	b := newDocBuilder()
	b.line("approval", styleBold, " "+a.ApprovalID)
	b.field("tool", a.ToolName)
	b.field("call", a.ToolCallID)
	b.field("execution", a.ExecutionID)
	if a.Description != "" {
		b.field("description", a.Description)
	}
	if a.Reason != "" {
		b.field("reason", a.Reason)
	}
	if len(a.Parameters) > 0 {
		b.blank()
		b.line("arguments:", stylePlain, "")
		b.jsonOrText(a.Parameters)
	}
	d := b.doc()
	d.what = "the approval"
	return d
}

// callDetail describes a pending call: what the model asked for and the
// answer drafted so far.
func (m *Model) callDetail(c *model.PendingCall) string {
	return m.callDoc(c).styled(&m.th, 1<<30) + "\n"
}

func (m *Model) callDoc(c *model.PendingCall) *doc {
	b := newDocBuilder()
	b.line("tool", styleBold, " "+c.ToolName)
	b.field("call", c.ToolCallID)
	b.field("execution", c.ExecutionID)
	if c.AwaitReason != "" {
		b.field("reason", c.AwaitReason)
	}
	if len(c.Parameters) > 0 {
		b.blank()
		b.line("arguments:", stylePlain, "")
		b.jsonOrText(c.Parameters)
	}
	b.blank()
	b.field("answer", c.Draft.State.String())
	if r := c.AutoRule(); r != "" {
		b.line(fmt.Sprintf("answered by the rule %q", r), stylePlain, "")
	}
	switch c.Draft.State {
	case model.DraftValid, model.DraftError:
		b.jsonOrText(c.Draft.Value)
	case model.DraftInvalid:
		b.line(c.Draft.Err, styleErr, "")
		b.text(strings.Trim(c.Draft.Text, "\n"), stylePlain)
	}
	d := b.doc()
	d.what = "the call"
	return d
}

// ---- folding ----

// cursorNode is the node of the cursor's line and which line of it that is.
func (m *Model) cursorNode() (*doc, entry, bool) {
	d := m.scroll.doc
	if d == nil || d.total() == 0 {
		return nil, entry{}, false
	}
	i, _ := d.at(m.scroll.cursor)
	return d, d.entries[i], true
}

// foldAtCursor folds the object, array or long string at the cursor; on
// anything else (a number, a short string, a folded value) it folds the
// value that holds it, as a tree view does.
func (m *Model) foldAtCursor() {
	d, e, ok := m.cursorNode()
	if !ok {
		return
	}
	t := e.node
	if e.part == partLine && (d.nodes[t].folded || !d.foldable(t)) {
		t = d.nodes[t].parent
	}
	if t < 0 {
		m.setMsg("nothing to fold here: the cursor is on a line of text, not on a JSON value")
		return
	}
	d.nodes[t].folded = true
	m.scroll.relayout(m.scrollWidth(), d.nodes[t].line)
	m.setMsg(fmt.Sprintf("folded %s: %s unfolds it", d.describe(t), m.keys.Expand.Help().Key))
}

// unfoldAtCursor unfolds the folded value at the cursor; on an open object
// or array, every value folded inside it.
func (m *Model) unfoldAtCursor() {
	d, e, ok := m.cursorNode()
	if !ok {
		return
	}
	t := e.node
	n := &d.nodes[t]
	if n.folded {
		n.folded = false
		m.scroll.relayout(m.scrollWidth(), n.line)
		m.setMsg("unfolded " + d.describe(t))
		return
	}
	count := 0
	if n.container() {
		// Descendants follow their ancestor in the list of nodes.
		for j := int(t) + 1; j < len(d.nodes) && d.nodes[j].line < n.end; j++ {
			if d.nodes[j].folded {
				d.nodes[j].folded = false
				count++
			}
		}
	}
	if count == 0 {
		m.setMsg("nothing folded here")
		return
	}
	m.scroll.relayout(m.scrollWidth(), -1)
	m.setMsg(fmt.Sprintf("unfolded %s inside %s", plural(count, "value"), d.describe(t)))
}

// ---- copy and save ----

// redact masks the API key in text that leaves the inspector (the
// clipboard, a file): a server may echo it back in a frame. As api.Client
// does, a key shorter than 8 characters is a test key and is left alone
// (masking "x" would garble every frame).
func (m *Model) redact(s string) string {
	if m.client == nil || len(m.client.APIKey) < 8 {
		return s
	}
	return strings.ReplaceAll(s, m.client.APIKey, "********")
}

// copyValue copies the value at the cursor to the clipboard (OSC 52): a
// string's text unquoted, the JSON of anything else.
func (m *Model) copyValue() tea.Cmd {
	d, e, ok := m.cursorNode()
	if !ok {
		m.setErr("nothing to copy")
		return nil
	}
	m.setMsg("copied " + d.describe(e.node) + " to the clipboard")
	return tea.SetClipboard(m.redact(d.valueText(e.node)))
}

// copyAll copies everything the view shows: the decoded events' JSON, the
// raw frames, the text.
func (m *Model) copyAll() tea.Cmd {
	d := m.scroll.doc
	if d == nil {
		m.setErr("nothing to copy")
		return nil
	}
	text := m.redact(d.all())
	m.setMsg(fmt.Sprintf("copied %s (%s) to the clipboard", d.what, humanBytes(len(text))))
	return tea.SetClipboard(text)
}

// saveDetail writes what CopyAll copies to a file beside the recording (in
// the current folder without one), readable by the user only. The write
// runs as a command; detailSavedMsg says where it went.
func (m *Model) saveDetail() tea.Cmd {
	d := m.scroll.doc
	if d == nil {
		m.setErr("nothing to write")
		return nil
	}
	text := m.redact(d.all())
	path := m.exportPath(safeFileName(m.det.name), d.ext, "")
	m.setMsg("writing " + d.what + " …")
	return func() tea.Msg {
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		return detailSavedMsg{path: path, size: len(text), err: writePrivate(path, text)}
	}
}

func (m *Model) handleDetailSaved(msg detailSavedMsg) {
	if msg.err != nil {
		m.setErr("cannot write the detail: " + msg.err.Error())
		return
	}
	// The name first: a path beside the recording is long, and the
	// status bar cuts what does not fit.
	m.setMsg(fmt.Sprintf("wrote %s (%s) in %s", filepath.Base(msg.path), humanBytes(msg.size), filepath.Dir(msg.path)))
}

// ---- matches ----

// jumpMatch puts the cursor on the next (dir 1) or previous (-1) match of
// the filter's pattern, unfolding what hides it.
func (m *Model) jumpMatch(dir int) {
	k := m.keys
	re := m.filterPattern()
	if re == nil {
		m.setMsg(fmt.Sprintf("no filter: %s sets one, then %s / %s jump between its matches",
			k.Filter.Help().Key, k.NextMatch.Help().Key, k.PrevMatch.Help().Key))
		return
	}
	d := m.scroll.doc
	if d == nil {
		return
	}
	d.setPattern(re)
	ms := d.allMatches()
	if len(ms) == 0 {
		m.setMsg(fmt.Sprintf("no match of the filter in this view (%s)", re))
		return
	}
	next, wrapped := nextMatch(ms, m.det.match, d.offsetOf(m.scroll.cursor), m.onMatch(d, ms), dir)
	p := ms[next][0]
	if d.reveal(p) {
		m.scroll.relayout(m.scrollWidth(), p)
	}
	m.scroll.moveTo(d.lineOf(p))
	m.det.match = next
	total := fmt.Sprint(len(ms))
	if d.capped {
		total += "+"
	}
	msg := fmt.Sprintf("match %d of %s", next+1, total)
	if wrapped {
		msg += " (wrapped)"
	}
	m.setMsg(msg)
}

// onMatch reports whether the cursor is still on the line of the match it
// was last put on.
func (m *Model) onMatch(d *doc, ms [][2]int) bool {
	i := m.det.match
	return i >= 0 && i < len(ms) && d.lineOf(ms[i][0]) == m.scroll.cursor
}

// nextMatch picks the match to go to: after (dir 1) or before (-1) the
// current one when the cursor is still on it, else the first match on or
// after the cursor's line (at src offset at), or the last before it;
// round the end (wrapped).
func nextMatch(ms [][2]int, cur, at int, onCur bool, dir int) (int, bool) {
	var i int
	if onCur {
		i = cur + dir
	} else {
		i, _ = slices.BinarySearchFunc(ms, at, func(m [2]int, p int) int { return m[0] - p })
		if dir < 0 {
			i--
		}
	}
	switch {
	case i >= len(ms):
		return 0, true
	case i < 0:
		return len(ms) - 1, true
	}
	return i, false
}

// firstKey is a binding's first key, for hints that pair two bindings
// ("" when it has none).
func firstKey(b key.Binding) string {
	if ks := b.Keys(); len(ks) > 0 && b.Enabled() {
		return ks[0]
	}
	return ""
}

// detailHints is the detail view's line of key hints. Pairs of keys share
// a hint, to fit 80 columns; a key the key map leaves unbound is left out.
func (m *Model) detailHints() []struct{ k, d string } {
	k := m.keys
	var out []struct{ k, d string }
	add := func(d string, bs ...key.Binding) {
		var keys []string
		for _, b := range bs {
			if f := firstKey(b); f != "" {
				keys = append(keys, f)
			}
		}
		if len(keys) > 0 {
			out = append(out, struct{ k, d string }{strings.Join(keys, "/"), d})
		}
	}
	if m.det.src != detailApproval {
		add("move", k.Down, k.Up)
	}
	add("fold", k.Collapse, k.Expand)
	add("copy", k.CopyValue, k.CopyAll)
	add("save", k.SaveFile)
	add("match", k.NextMatch, k.PrevMatch)
	switch m.det.src {
	case detailRow, detailEvent:
		if m.detailRaw {
			add("decoded", k.Raw)
		} else {
			add("raw", k.Raw)
		}
	case detailCall:
		add("edit", k.Edit)
	case detailApproval:
		add("approve/deny", k.Approve, k.Deny)
	}
	add("back", k.Cancel)
	return out
}
