// Package model is the inspector's domain state: one Session holds every
// decoded event of an execution, the grouped rows the events pane shows, the
// run state (through api.Tracker), the tool calls and approvals the execution
// waits for, the answers drafted for them, and the requests in flight.
//
// Everything here is pure and deterministic: no Bubble Tea, no I/O beyond
// parsing bytes handed in, no goroutines, and the clock is the Session.Now
// field. A Session is not safe for concurrent use: the UI (or the headless
// loop) owns it and feeds it from one goroutine, which is also why the read
// side hands out its internal slices instead of copying them every frame.
package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"rtinspect/api"
)

// ErrInFlight is returned by Begin when a continuation for the same
// execution is already in flight: the server answers a second concurrent
// resume with 404 and the run hangs (runtype-protocol.md §4.1).
var ErrInFlight = errors.New("a continuation for this execution is already in flight")

// ErrBusy is returned by Begin when another request is in flight. A session
// follows one HTTP stream at a time: the tracker counts depth and terminal
// events per stream, and the executionId may switch mid-run (exec_ to
// virtual_), so "another execution" may well be the same run.
var ErrBusy = errors.New("another request is already in flight")

// ErrUnknownCall is returned (wrapped) when a draft names a tool call that is
// not pending.
var ErrUnknownCall = errors.New("no such pending call")

// ErrNothingPending is returned by ResumeBodies when no tool call waits for
// an answer.
var ErrNothingPending = errors.New("nothing to resume: no pending tool call")

// Counts are the numbers the status bar shows.
type Counts struct {
	// Events is every event folded, pings included.
	Events int
	// Rows is the number of rows of the events pane.
	Rows int
	// Pending is the number of unresolved tool calls.
	Pending int
	// Answered is how many pending calls have a valid or error answer.
	Answered int
	// Approvals is the number of unresolved approvals.
	Approvals int
	// Unknown is the number of events of a type neither vocabulary defines.
	Unknown int
	// Malformed is the number of frames that could not be decoded.
	Malformed int
	// Streams is the number of HTTP streams opened.
	Streams int
	// Pings is the number of keep-alive pings (they get no row).
	Pings int
	// Requests is the number of requests begun.
	Requests int
}

// flight is the request between Begin and EndStream / RequestFailed.
type flight struct {
	req       api.Request
	row       int    // index of its request row
	execID    string // execution it continues, "" for a dispatch
	prevState api.RunState
	opened    bool // StreamOpened was called

	// What a continuation answered, taken from its body: resolved only once
	// the stream opens, so a refused request keeps every draft.
	outputs      []string // toolOutputs keys
	approvalID   string
	decision     string
	sentMessages bool
}

// Session is the state of one inspected execution across all its streams.
// Create it with NewSession.
type Session struct {
	// Now is the clock used for anything time-based (row times of frames
	// that carry none, the Since of a pending call). Tests set it.
	Now func() time.Time

	tracker *api.Tracker
	state   api.RunState
	version uint64

	events eventLog
	rows   []*Row

	// Row indexes by key, so folding never rescans the log. Text,
	// reasoning, turn, step, media and artifact ids are per stream (a resume
	// stream reuses text_1), so those maps are reset when a stream opens;
	// toolCallIds and approvalIds are unique for the run, so those persist.
	blocks map[blockKey]int
	// lastBlock caches the last lookup of blocks by a delta: a long
	// answer's deltas all go to one block.
	lastBlock lastBlock
	tools     map[string]int
	awaitRows map[callKey]int
	apprRows  map[string]int

	calls     map[callKey]*PendingCall
	pending   []*PendingCall
	approvals []*PendingApproval
	apprByID  map[string]*PendingApproval

	messages Draft

	flight     *flight
	streamOpen bool
	// base is 1 when the current stream opened with the root
	// execution_start (a dispatch stream), so the root's content shows at
	// depth 0 like a resume stream's, which has no execution_start.
	base       int
	streamSeen bool // a non-ping event arrived in the current stream
	// checker, when set, reads JSONC answers and checks them against the
	// tool's output schema.
	checker Checker
	// streamRow is the first row of the current stream; when the stream
	// ends, its rows that were still open are settled.
	streamRow int

	execID    string
	lastError string
	counts    Counts

	// folded is where fold put the text of the event being applied, so
	// the log can keep a delta as a span of its row's text.
	folded folded

	// joined is the row the event being applied opened or joined (-1:
	// none), and evRows keeps it for every event (EventRow).
	joined int
	evRows rowIndex
	// usage is the run's tokens, cost and times (Totals).
	usage runUsage

	// execs indexes the executions the events belong to; landmarks are the
	// outline's rows (executions.go, outline.go).
	execs     execIndex
	landmarks []int
}

// folded is the row a text or reasoning delta was appended to, and where.
type folded struct {
	row   *Row
	index int
	off   int
}

// blockKey identifies a text / reasoning / turn / step / media / artifact
// row within one stream. A struct key (not a concatenated string) keeps the
// per-delta map lookup allocation-free. The executionId is deliberately not
// part of it: it can switch mid-run (exec_ to virtual_, §4.1) while the block
// ids stay unique within the stream.
type blockKey struct {
	ns uint8
	id string
}

// lastBlock is a cached lookup of Session.blocks; setBlock and
// beginStream drop it.
type lastBlock struct {
	key blockKey
	row int
	ok  bool
}

// callKey identifies a pending call: its execution and its toolOutputs key
// (toolCallId, or toolName for an await that has none), the same key the
// tracker dedupes awaits by.
type callKey struct {
	exec string
	key  string
}

// NewSession returns an idle session with the real clock.
func NewSession() *Session {
	return &Session{
		Now:       time.Now,
		tracker:   api.NewTracker(),
		state:     api.RunIdle,
		blocks:    make(map[blockKey]int),
		tools:     make(map[string]int),
		awaitRows: make(map[callKey]int),
		apprRows:  make(map[string]int),
		calls:     make(map[callKey]*PendingCall),
		apprByID:  make(map[string]*PendingApproval),
		execs:     newExecIndex(),
	}
}

func (s *Session) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *Session) changed() { s.version++ }

// SetKind records whether the execution is an "agent" or a "flow", from the
// dispatch body: resume streams carry no execution_start to say so.
func (s *Session) SetKind(kind string) {
	s.tracker.SetKind(kind)
	s.changed()
}

// KindOfDispatch returns "agent" when the dispatch body has an "agent" key,
// "flow" when it has a "flow" key, and "" otherwise (or when it is not a
// JSON object).
func KindOfDispatch(body []byte) string {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return ""
	}
	if _, ok := top["agent"]; ok {
		return "agent"
	}
	if _, ok := top["flow"]; ok {
		return "flow"
	}
	return ""
}

// Begin records that req is about to be sent. A continuation (one with an
// ExecutionID) is refused with ErrInFlight when a request for the same
// execution is in flight, and any request is refused with ErrBusy while
// another one is. It adds a request row and moves the state to sending.
// What a continuation answers is resolved only by StreamOpened.
func (s *Session) Begin(req api.Request) error {
	if f := s.flight; f != nil {
		if req.ExecutionID != "" && f.execID == req.ExecutionID {
			return ErrInFlight
		}
		return ErrBusy
	}
	f := &flight{req: req, execID: req.ExecutionID, prevState: s.state}
	f.parseBody()
	if f.execID == "" && req.Path != api.PathDispatch {
		// A continuation that did not fill Request.ExecutionID: its body
		// still names the execution.
		f.execID = bodyExecutionID(req.Body)
	}
	if req.Path == api.PathDispatch && s.tracker.Kind() == "" {
		s.tracker.SetKind(KindOfDispatch(req.Body))
	}
	r := &Row{
		Kind:        RowRequest,
		Type:        "request",
		ExecutionID: f.execID,
		Title:       "request",
		Status:      "sending",
		At:          s.now(),
	}
	r.summary = requestSummary(f)
	r.request = &f.req
	f.row = s.addRow(r)
	s.flight = f
	s.state = api.RunSending
	s.lastError = ""
	s.counts.Requests++
	s.changed()
	return nil
}

// parseBody picks out what a continuation answers. Errors are ignored: the
// body was built by this program (ResumeBodies, ApproveBody) or by the
// user, and the server is the judge of its validity.
func (f *flight) parseBody() {
	switch f.req.Path {
	case api.PathResume:
		var b api.ResumeRequest
		if json.Unmarshal(f.req.Body, &b) == nil {
			f.outputs = sortedKeys(b.ToolOutputs)
			f.sentMessages = len(b.Messages) > 0 && string(b.Messages) != "null"
			if f.execID == "" {
				f.execID = b.ExecutionID
			}
		}
	case api.PathApprove:
		var b api.ApproveRequest
		if json.Unmarshal(f.req.Body, &b) == nil {
			f.approvalID, f.decision = b.ApprovalID, b.Decision
		}
	case api.PathContinue:
		// The /continue shape is a guess (runtype-protocol.md §4.4); read
		// both plausible continuations.
		var b struct {
			Continuation struct {
				ToolOutputs map[string]json.RawMessage `json:"toolOutputs"`
				ApprovalID  string                     `json:"approvalId"`
				Decision    string                     `json:"decision"`
			} `json:"continuation"`
			Messages json.RawMessage `json:"messages"`
		}
		if json.Unmarshal(f.req.Body, &b) == nil {
			f.outputs = sortedKeys(b.Continuation.ToolOutputs)
			f.approvalID, f.decision = b.Continuation.ApprovalID, b.Continuation.Decision
			f.sentMessages = len(b.Messages) > 0 && string(b.Messages) != "null"
		}
	}
}

func bodyExecutionID(body []byte) string {
	var b struct {
		ExecutionID string `json:"executionId"`
	}
	_ = json.Unmarshal(body, &b)
	return b.ExecutionID
}

// StreamOpened records that the response to the request in flight is a 2xx
// SSE stream. Only now are the calls (or the approval) that a continuation
// answered resolved and their drafts dropped: a resume refused before any
// stream (RequestFailed) must keep every draft.
func (s *Session) StreamOpened() {
	s.beginStream()
	f := s.flight
	if f == nil || f.opened {
		s.changed()
		return
	}
	f.opened = true
	if r := s.rows[f.row]; r.Status == "sending" {
		r.Status = "sent"
	}
	if len(f.outputs) > 0 {
		s.tracker.Resolve(f.execID, f.outputs)
		for _, key := range f.outputs {
			if i, ok := s.awaitRows[callKey{f.execID, key}]; ok {
				s.rows[i].Status = "answered"
			}
		}
	}
	if f.approvalID != "" {
		s.tracker.ResolveApproval(f.approvalID)
		if i, ok := s.apprRows[f.approvalID]; ok && f.decision != "" {
			s.rows[i].Status = f.decision
		}
	}
	if f.sentMessages {
		// The messages went with this resume; sending them again with the
		// next one would repeat them in the conversation.
		s.messages = Draft{}
	}
	s.syncPending()
	s.changed()
}

// beginStream starts a stream in the tracker and resets the per-stream
// row keys.
func (s *Session) beginStream() {
	s.tracker.BeginStream()
	s.state = api.RunStreaming
	s.streamOpen = true
	s.base = 0
	s.streamSeen = false
	s.streamRow = len(s.rows)
	clear(s.blocks)
	s.lastBlock = lastBlock{}
	s.counts.Streams++
}

// settleOpenRows gives the rows of the ended stream that were still
// "running" or "streaming" the state the run ended in: a turn cut by a
// pause reads "paused", not "running" forever. It touches only the rows
// of this stream.
func (s *Session) settleOpenRows(st api.RunState) {
	word := st.String()
	if st == api.RunCompleted {
		word = "done"
	}
	for i := s.streamRow; i < len(s.rows); i++ {
		r := s.rows[i]
		if r.Status != "running" && r.Status != "streaming" {
			continue
		}
		if r.Kind == RowTool && st == api.RunPaused {
			// A tool call the run paused on waits for its answer.
			r.Status = "waiting"
			continue
		}
		r.Status = word
		if st.Done() {
			// The run is over, so the row has ended too: it gets the
			// time from its first to its last frame.
			s.measure(r)
		}
	}
}

// RequestFailed records that the request in flight failed before any stream
// (an HTTP error status, a network error). Drafts are untouched; a failed
// continuation leaves the state as it was (paused stays paused), a failed
// dispatch makes the run failed.
func (s *Session) RequestFailed(err error) {
	if s.flight != nil && s.flight.opened && s.streamOpen {
		// Too late for a request failure: the stream is open, so this is
		// the stream ending badly.
		s.EndStream(err)
		return
	}
	msg := "request failed"
	if err != nil {
		msg = err.Error()
	}
	s.lastError = msg
	if f := s.flight; f != nil {
		r := s.rows[f.row]
		r.Status = "failed"
		r.summary += ": " + oneLine(msg, maxSummary)
		if f.req.Path == api.PathDispatch || f.prevState == api.RunIdle {
			s.state = api.RunFailed
		} else {
			s.state = f.prevState
		}
		s.flight = nil
	} else if s.state == api.RunSending {
		s.state = api.RunFailed
	}
	s.changed()
}

// Apply folds one decoded event into the session. An event that arrives
// when no stream is open opens one implicitly, as StreamOpened would (a
// recording replayed without StreamOpened calls still folds correctly).
func (s *Session) Apply(ev api.Event) { s.apply(&ev) }

// ApplyBatch folds several events in order. It reads the events in place:
// the session keeps what it needs, never a pointer into evs.
func (s *Session) ApplyBatch(evs []api.Event) {
	for i := range evs {
		s.apply(&evs[i])
	}
}

func (s *Session) apply(e *api.Event) {
	if !s.streamOpen {
		if s.flight != nil && !s.flight.opened {
			s.StreamOpened()
		} else {
			s.beginStream()
		}
	}
	idx := s.events.n

	pre := s.tracker.Depth()
	ch := s.tracker.Observe(e)
	post := s.tracker.Depth()
	if e.Type == api.TypePing {
		s.counts.Pings++
	} else {
		if !s.streamSeen && e.Type == api.TypeExecutionStart && pre == 0 {
			s.base = 1
		}
		s.streamSeen = true
	}
	depth := post
	switch e.Type {
	case api.TypeExecutionComplete, api.TypeExecutionError:
		depth = pre
	}
	depth -= s.base
	if depth < 0 {
		depth = 0
	}

	s.folded = folded{}
	s.joined = -1
	s.fold(e, idx, depth)
	if s.folded.row != nil {
		s.joined = s.folded.index
	}
	s.evRows.add(s.joined)
	if at := e.Frame.At; !at.IsZero() {
		if s.usage.first.IsZero() {
			s.usage.first = at
		}
		s.usage.last = at
	}
	s.events.add(e, s.folded.row, s.folded.index, s.folded.off)
	s.execs.observe(s, e, idx, depth)

	if e.ExecutionID != "" && (depth == 0 || e.Type == api.TypeAwait || e.Type == api.TypeApprovalStart) {
		// Awaits and approvals carry the id continuations must target
		// (it can switch from exec_ to virtual_ mid-run, §4.1).
		s.execID = e.ExecutionID
	}
	if ch&(api.ChangeAwait|api.ChangeApproval|api.ChangeResolved) != 0 {
		s.syncPending()
	}
	if ts := s.tracker.State(); ts != api.RunStreaming {
		s.state = ts
	}
	s.changed()
}

// EndStream records the end of the current stream (err nil for a clean end
// of body, context.Canceled when the user stopped it), clears the request
// in flight, adds a "stream ended" row and returns the new state.
func (s *Session) EndStream(err error) api.RunState {
	if !s.streamOpen {
		// No stream was opened: for a request in flight this is a request
		// failure; otherwise there is nothing to end.
		if s.flight != nil {
			if err == nil {
				err = errors.New("request ended without a response stream")
			}
			s.RequestFailed(err)
		}
		return s.state
	}
	st := s.tracker.EndStream(err)
	s.streamOpen = false
	s.state = st
	s.settleOpenRows(st)
	var text string
	switch st {
	case api.RunFailed:
		msg := s.tracker.Failure()
		if msg == "" {
			msg = "execution failed"
		}
		text = "failed: " + msg
		s.lastError = msg
	case api.RunDropped:
		msg := "connection closed before the run ended"
		if err != nil {
			msg = err.Error()
		}
		text = "dropped: " + msg
		s.lastError = msg
		if !strings.Contains(msg, "dropped") {
			s.lastError = "stream dropped: " + msg
		}
	default:
		text = st.String()
	}
	r := &Row{
		Kind:   RowStreamEnd,
		Type:   "stream_end",
		Title:  "stream end",
		Status: st.String(),
		At:     s.now(),
	}
	r.summary = "stream ended: " + oneLine(text, maxSummary)
	if f := s.flight; f != nil {
		r.ExecutionID = f.execID
		if rr := s.rows[f.row]; rr.Status == "sending" || rr.Status == "sent" {
			rr.Status = "done"
		}
	}
	s.addRow(r)
	s.flight = nil
	s.syncPending()
	s.changed()
	return st
}

// State returns the run state.
func (s *Session) State() api.RunState { return s.state }

// Kind returns "agent", "flow" or "" when not known yet.
func (s *Session) Kind() string { return s.tracker.Kind() }

// ExecutionID returns the latest execution id seen: the one on the last
// await or approval, else on the last top-level event.
func (s *Session) ExecutionID() string { return s.execID }

// InFlight reports whether a request is in flight (between Begin and
// EndStream or RequestFailed).
func (s *Session) InFlight() bool { return s.flight != nil }

// LastError returns the last error in words, "" if none since the last
// request began: stream errors, terminal failures, dropped streams, request
// failures, malformed frames.
func (s *Session) LastError() string { return s.lastError }

// Failure returns the message of the terminal failure of the current or last
// stream, "" if none.
func (s *Session) Failure() string { return s.tracker.Failure() }

// Depth returns the execution nesting depth in the current stream.
func (s *Session) Depth() int { return s.tracker.Depth() }

// EventCount returns the number of events folded so far.
func (s *Session) EventCount() int { return s.events.n }

// Event returns event i (0 <= i < EventCount()), nil when out of range. The
// pointer stays valid for the life of the session, every call for the same
// i returns the same pointer, and it points at the session's own copy: do
// not modify it. Events are stored compactly (see eventLog) and rebuilt
// the first time they are asked for, equal field for field to the event
// folded except that Frame.At has no monotonic clock reading; the rebuilt
// copy is then kept, so ask for the events on screen, not for all of them.
// Row.Events holds indexes for it.
func (s *Session) Event(i int) *api.Event { return s.events.at(i, s.rows) }

// Events returns every decoded event in arrival order, as one flat slice.
// The log stores events compactly (see eventLog), so the flat view is built
// on demand: each call builds only the events added since the previous
// call, but it holds a full copy of every event, several times the memory
// of the log. Prefer EventCount and Event in code that runs per frame. The
// slice is the session's own: do not modify it.
func (s *Session) Events() []api.Event { return s.events.flatten(s.rows) }

// RowCount returns the number of rows of the events pane.
func (s *Session) RowCount() int { return len(s.rows) }

// Row returns row i (0 <= i < RowCount()), or nil when out of range. The row
// is the session's own and changes as events fold into it.
func (s *Session) Row(i int) *Row {
	if i < 0 || i >= len(s.rows) {
		return nil
	}
	return s.rows[i]
}

// Pending returns the unresolved tool calls in arrival order. The slice is
// the session's own: do not modify it.
func (s *Session) Pending() []*PendingCall { return s.pending }

// Approvals returns the unresolved approvals in arrival order. The slice is
// the session's own: do not modify it.
func (s *Session) Approvals() []*PendingApproval { return s.approvals }

// Approval returns the pending approval with this id, nil if none.
func (s *Session) Approval(approvalID string) *PendingApproval { return s.apprByID[approvalID] }

// Call returns the pending call with this toolCallId (or, for an await that
// has none, this tool name), nil if none.
func (s *Session) Call(toolCallID string) *PendingCall {
	for _, c := range s.pending {
		if c.ToolCallID == toolCallID {
			return c
		}
	}
	for _, c := range s.pending {
		if c.ToolCallID == "" && c.ToolName == toolCallID {
			return c
		}
	}
	return nil
}

// Counts returns the status-bar numbers.
func (s *Session) Counts() Counts {
	c := s.counts
	c.Events = s.events.n
	c.Rows = len(s.rows)
	c.Pending = len(s.pending)
	c.Approvals = len(s.approvals)
	for _, p := range s.pending {
		if p.Draft.Answered() {
			c.Answered++
		}
	}
	return c
}

// Version increments on every change, so the UI can skip re-rendering when
// it has not moved.
func (s *Session) Version() uint64 { return s.version }

// syncPending rebuilds the pending lists from the tracker's open awaits and
// approvals, keeping the PendingCall (and its draft) of every call still
// open. A call the tracker closed (answered by a resume that opened, or
// completed by a tool_complete) leaves the list with its draft.
func (s *Session) syncPending() {
	// Fresh slices (syncs are rare: awaits, resolutions), so a slice the
	// UI got from Pending earlier is never rewritten under it.
	awaits := s.tracker.Awaits()
	pending := make([]*PendingCall, 0, len(awaits))
	open := make(map[callKey]struct{}, len(awaits))
	for i := range awaits {
		a := &awaits[i]
		k := callKey{a.ExecutionID, outputKey(a.ToolCallID, a.ToolName)}
		open[k] = struct{}{}
		c, ok := s.calls[k]
		if !ok {
			c = &PendingCall{Await: *a, Since: a.Event.Frame.At}
			if c.Since.IsZero() {
				c.Since = s.now()
			}
			s.calls[k] = c
		}
		pending = append(pending, c)
	}
	s.pending = pending
	for k := range s.calls {
		if _, ok := open[k]; !ok {
			delete(s.calls, k)
			if i, ok := s.awaitRows[k]; ok {
				if s.rows[i].Status == "waiting" {
					s.rows[i].Status = "resolved"
				}
				// A later await for the same call is a new question:
				// it gets a new row.
				delete(s.awaitRows, k)
			}
		}
	}

	apprs := s.tracker.Approvals()
	list := make([]*PendingApproval, 0, len(apprs))
	seen := make(map[string]struct{}, len(apprs))
	for i := range apprs {
		a := &apprs[i]
		seen[a.ApprovalID] = struct{}{}
		p, ok := s.apprByID[a.ApprovalID]
		if !ok {
			p = &PendingApproval{Approval: *a, Since: a.Event.Frame.At}
			if p.Since.IsZero() {
				p.Since = s.now()
			}
			s.apprByID[a.ApprovalID] = p
		}
		list = append(list, p)
	}
	s.approvals = list
	for id := range s.apprByID {
		if _, ok := seen[id]; !ok {
			delete(s.apprByID, id)
		}
	}
}

// outputKey is the toolOutputs key of a call: its toolCallId, or its tool
// name for an await without one (the documented legacy fallback, §4.2).
func outputKey(toolCallID, toolName string) string {
	if toolCallID != "" {
		return toolCallID
	}
	return toolName
}

func requestSummary(f *flight) string {
	s := "→ " + f.req.Method + " " + f.req.Path
	if f.req.Method == "" {
		s = "→ POST " + f.req.Path
	}
	switch {
	case len(f.outputs) == 1:
		s += " (1 output)"
	case len(f.outputs) > 1:
		s += fmt.Sprintf(" (%d outputs)", len(f.outputs))
	case f.approvalID != "":
		s += " (" + f.decision + " " + f.approvalID + ")"
	}
	return s
}
