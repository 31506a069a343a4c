package model

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"rtinspect/api"
)

// RowKind says what a row of the events pane shows.
type RowKind uint8

// Row kinds. RowEvent is any other known event (source, custom, state,
// media, artifact…); RowRequest and RowStreamEnd are rows the session adds
// itself, not events.
const (
	RowText RowKind = iota
	RowReasoning
	RowTool
	RowTurn
	RowStep
	RowExecution
	RowAwait
	RowApproval
	RowError
	RowRequest
	RowStreamEnd
	RowEvent
	RowUnknown
	RowMalformed
)

var rowKindNames = [...]string{
	RowText:      "text",
	RowReasoning: "reasoning",
	RowTool:      "tool",
	RowTurn:      "turn",
	RowStep:      "step",
	RowExecution: "execution",
	RowAwait:     "await",
	RowApproval:  "approval",
	RowError:     "error",
	RowRequest:   "request",
	RowStreamEnd: "stream",
	RowEvent:     "event",
	RowUnknown:   "unknown",
	RowMalformed: "malformed",
}

// String returns the kind's short lowercase name ("text", "tool", "await"…).
func (k RowKind) String() string {
	if int(k) < len(rowKindNames) {
		return rowKindNames[k]
	}
	return "row(" + strconv.Itoa(int(k)) + ")"
}

// maxSummary caps each JSON part of a one-line summary, so a huge tool
// result never makes a row expensive to render; the detail view shows it
// whole.
const maxSummary = 200

// Row is one line of the events pane: one meaningful event, or a group of
// events folded together (a text block and its deltas, a tool call and its
// result, a turn, a step).
type Row struct {
	Kind RowKind
	// Type is the unified type of the row's first event ("request" and
	// "stream_end" for the rows the session adds itself).
	Type        string
	ExecutionID string
	// ID is the block, turn or step id; the toolCallId for tool and await
	// rows; the approvalId for approval rows.
	ID string
	// Title is a short label: "text", "tool add_to_cart", "await
	// add_to_cart", "turn 1 assistant", "step Prompt 1".
	Title string
	// Status is the row's state in a word: "streaming", "done", "running",
	// "ok", "failed", "waiting", "answered", "approved"…
	Status string
	// Depth is the execution nesting depth when the row opened (nested
	// executions indent).
	Depth int
	// At is when the row's first frame arrived.
	At time.Time
	// Events are the indexes into Session.Events of every event folded
	// into this row; the first is the one that opened it.
	Events []int
	// Usage is the row's duration, tokens and cost, where the stream
	// states them (see EventUsage), and for a row that ended without a
	// stated duration the time from its first to its last frame.
	Usage

	// index is the row's position in Session.rows, so an event folded
	// into an existing row can say which row it went to (EventRow).
	index int

	// text is the folded text of text / reasoning rows and the markdown
	// body of artifact rows, appended in place: O(1) amortized per delta.
	text     strings.Builder
	sawDelta bool
	done     bool
	summary  string
	// request is the request a RowRequest row stands for, kept for export.
	request *api.Request

	// Tool rows keep their parts and rebuild the summary lazily (dirty),
	// so streamed input or output never costs O(n) per delta. Parameters
	// and result are kept as their one-line summaries: the whole JSON is
	// in the event log, and a row must not keep a 400 KB result alive a
	// second time.
	dirty     bool
	toolName  string
	params    string // compactJSON of the parameters, "" when none
	input     strings.Builder
	output    strings.Builder
	result    string // compactJSON of the result, "" when none or null
	hasResult bool   // a non-empty result came, null included
	errMsg    string

	// media rows count their fragments' bytes instead of keeping base64.
	mediaBytes int
}

// Text returns the row's text: the folded text so far for text and
// reasoning rows; a one-line `name {args} → result` summary for tool rows;
// a one-line summary of the event for the others (error message, stop
// reason, request path, unknown type…). It is cheap: text rows return
// their builder's string without copying.
func (r *Row) Text() string {
	switch r.Kind {
	case RowText, RowReasoning:
		return r.text.String()
	case RowTool:
		if r.dirty {
			r.summary = r.toolSummary()
			r.dirty = false
		}
	case RowEvent:
		if r.text.Len() > 0 {
			return r.text.String()
		}
	}
	return r.summary
}

// Done reports whether the row's block, call, turn or step is complete.
func (r *Row) Done() bool { return r.done }

// ToolName returns the tool a tool, await or approval row is about, ""
// for other rows.
func (r *Row) ToolName() string { return r.toolName }

func (r *Row) toolSummary() string {
	var b strings.Builder
	b.WriteString(r.toolName)
	switch {
	case r.params != "":
		b.WriteByte(' ')
		b.WriteString(r.params)
	case r.input.Len() > 0:
		b.WriteByte(' ')
		b.WriteString(oneLine(r.input.String(), maxSummary))
	}
	switch {
	case r.errMsg != "":
		b.WriteString(" → error: ")
		b.WriteString(oneLine(r.errMsg, maxSummary))
	case r.result != "":
		b.WriteString(" → ")
		b.WriteString(r.result)
	case r.output.Len() > 0:
		b.WriteString(" → ")
		b.WriteString(oneLine(r.output.String(), maxSummary))
	}
	return b.String()
}

// Namespaces of blockKey: ids of different row families may collide
// (a turn and a step can share an id space).
const (
	nsText uint8 = iota
	nsReasoning
	nsTurn
	nsStep
	nsMedia
	nsArtifact
)

// addRow appends r and returns its index.
func (s *Session) addRow(r *Row) int {
	r.index = len(s.rows)
	s.joined = r.index
	s.rows = append(s.rows, r)
	s.noteLandmark(len(s.rows) - 1)
	return len(s.rows) - 1
}

// join folds event idx into the existing row r. Text and reasoning
// deltas do not come here: their path is the hot one, and fold reports
// their row through Session.folded.
func (s *Session) join(r *Row, idx int) {
	r.Events = append(r.Events, idx)
	s.joined = r.index
}

// openRow adds a row opened by event e (index idx).
func (s *Session) openRow(kind RowKind, e *api.Event, idx, depth int, id, title, status string) *Row {
	at := e.Frame.At
	if at.IsZero() {
		at = s.now()
	}
	r := &Row{
		Kind:        kind,
		Type:        e.Type,
		ExecutionID: e.ExecutionID,
		ID:          id,
		Title:       title,
		Status:      status,
		Depth:       depth,
		At:          at,
		Events:      []int{idx},
	}
	s.addRow(r)
	return r
}

// setBlock records that the block (ns, id) is row i.
func (s *Session) setBlock(ns uint8, id string, i int) {
	s.blocks[blockKey{ns, id}] = i
	s.lastBlock = lastBlock{}
}

// block returns the open row of a per-stream block, nil if none.
func (s *Session) block(ns uint8, id string) (*Row, bool) {
	if i, ok := s.blocks[blockKey{ns, id}]; ok {
		return s.rows[i], true
	}
	return nil, false
}

// fold puts event e (index idx) into the row it belongs to, opening one when
// needed. Text deltas take the first branch: one map lookup, one builder
// append, one index append.
func (s *Session) fold(e *api.Event, idx, depth int) {
	if e.Type == api.TypeTextDelta || e.Type == api.TypeReasoningDelta {
		ns, kind, title := nsText, RowText, "text"
		if e.Type == api.TypeReasoningDelta {
			ns, kind, title = nsReasoning, RowReasoning, "reasoning"
		}
		i, ok := s.lastBlock.row, s.lastBlock.ok && s.lastBlock.key == blockKey{ns, e.ID}
		if !ok {
			i, ok = s.blocks[blockKey{ns, e.ID}]
			s.lastBlock = lastBlock{blockKey{ns, e.ID}, i, ok}
		}
		var r *Row
		if ok {
			r = s.rows[i]
		}
		if !ok || r.done {
			// A delta for an unseen (or closed) block opens it on demand.
			r = s.openRow(kind, e, idx, depth, e.ID, title, "streaming")
			i = len(s.rows) - 1
			s.setBlock(ns, e.ID, i)
		} else {
			r.Events = append(r.Events, idx)
		}
		s.folded = folded{row: r, index: i, off: r.text.Len()}
		r.text.WriteString(e.Delta)
		r.sawDelta = true
		return
	}
	if e.Type == api.TypeMalformed {
		s.counts.Malformed++
		r := s.openRow(RowMalformed, e, idx, depth, "", "malformed frame", "")
		msg := "undecodable frame"
		if e.Err != nil {
			msg = e.Err.Error()
		}
		r.summary = oneLine(msg+": "+e.Frame.Data, maxSummary)
		s.lastError = oneLine("malformed frame: "+msg, maxSummary)
		return
	}
	if !e.Known {
		s.counts.Unknown++
		r := s.openRow(RowUnknown, e, idx, depth, e.ID, "unknown "+e.Type, "")
		r.summary = e.Type
		if len(e.Data) > 0 {
			r.summary += " " + compactJSON(e.Data, maxSummary)
		}
		return
	}
	switch e.Type {
	case api.TypeTextStart, api.TypeTextComplete:
		s.foldBlockEdge(e, idx, depth, nsText, RowText, "text")
	case api.TypeReasoningStart, api.TypeReasoningComplete:
		s.foldBlockEdge(e, idx, depth, nsReasoning, RowReasoning, "reasoning")
	case api.TypeToolStart, api.TypeToolInputDelta, api.TypeToolInputComplete,
		api.TypeToolOutputDelta, api.TypeToolComplete:
		s.foldTool(e, idx, depth)
	case api.TypeTurnStart, api.TypeTurnComplete:
		s.foldTurn(e, idx, depth)
	case api.TypeStepStart, api.TypeStepComplete, api.TypeStepSkip:
		s.foldStep(e, idx, depth)
	case api.TypeExecutionStart, api.TypeExecutionComplete, api.TypeExecutionError:
		s.foldExecution(e, idx, depth)
	case api.TypeAwait:
		if e.AwaitReason == api.AwaitApproval || e.ApprovalID != "" {
			// The tracker treats these as approvals (§4.3); so do rows.
			s.foldApproval(e, idx, depth)
		} else {
			s.foldAwait(e, idx, depth)
		}
	case api.TypeApprovalStart, api.TypeApprovalComplete:
		s.foldApproval(e, idx, depth)
	case api.TypeError:
		status := "recoverable"
		if e.Recoverable != nil && !*e.Recoverable {
			status = "fatal"
		}
		r := s.openRow(RowError, e, idx, depth, "", "error", status)
		r.summary = errorText(e)
		s.lastError = r.summary
	case api.TypePing:
		// Keep-alives are counted (Counts.Pings) but get no row: one every
		// few seconds would bury the rows that matter.
	case api.TypeMediaStart, api.TypeMediaDelta, api.TypeMediaComplete:
		s.foldMedia(e, idx, depth)
	case api.TypeArtifactStart, api.TypeArtifactDelta, api.TypeArtifactUpdate, api.TypeArtifactComplete:
		s.foldArtifact(e, idx, depth)
	default:
		title := e.Type
		if e.Type == api.TypeCustom && e.Name != "" {
			title += " " + e.Name
		}
		r := s.openRow(RowEvent, e, idx, depth, e.ID, title, "")
		if len(e.Data) > 0 {
			r.summary = compactJSON(e.Data, maxSummary)
		}
	}
}

// foldBlockEdge handles text_start / text_complete (and the reasoning
// equivalents). A complete must not double-count: when deltas were seen they
// are the text, else the complete's Text is.
func (s *Session) foldBlockEdge(e *api.Event, idx, depth int, ns uint8, kind RowKind, title string) {
	r, ok := s.block(ns, e.ID)
	start := e.Type == api.TypeTextStart || e.Type == api.TypeReasoningStart
	if start {
		if ok && !r.done && !r.sawDelta {
			s.join(r, idx)
			return
		}
		s.openRow(kind, e, idx, depth, e.ID, title, "streaming")
		s.setBlock(ns, e.ID, len(s.rows)-1)
		return
	}
	if !ok || r.done {
		r = s.openRow(kind, e, idx, depth, e.ID, title, "done")
		s.setBlock(ns, e.ID, len(s.rows)-1)
	} else {
		s.join(r, idx)
	}
	if !r.sawDelta && r.text.Len() == 0 {
		r.text.WriteString(e.Text)
	}
	r.done = true
	s.finish(r, e, depth)
	r.Status = "done"
}

func (s *Session) foldTool(e *api.Event, idx, depth int) {
	var r *Row
	if i, ok := s.tools[e.ToolCallID]; ok && e.ToolCallID != "" {
		r = s.rows[i]
		s.join(r, idx)
	} else {
		r = s.openRow(RowTool, e, idx, depth, e.ToolCallID, "tool", "running")
		if e.ToolCallID != "" {
			s.tools[e.ToolCallID] = len(s.rows) - 1
		}
	}
	if e.ToolName != "" && r.toolName == "" {
		r.toolName = e.ToolName
		r.Title = "tool " + e.ToolName
	}
	switch e.Type {
	case api.TypeToolStart, api.TypeToolInputComplete:
		if len(e.Parameters) > 0 {
			r.params = compactJSON(e.Parameters, maxSummary)
		}
	case api.TypeToolInputDelta:
		r.input.WriteString(e.Delta)
	case api.TypeToolOutputDelta:
		r.output.WriteString(e.Delta)
	case api.TypeToolComplete:
		r.done = true
		s.finish(r, e, depth)
		r.Status = successWord(e.Success)
		if len(e.Result) > 0 {
			r.hasResult = true
			r.result = ""
			if string(e.Result) != "null" {
				r.result = compactJSON(e.Result, maxSummary)
			}
		}
		if e.ErrorMessage != "" {
			r.errMsg = e.ErrorMessage
		} else if r.Status == "failed" && !r.hasResult {
			r.errMsg = "failed"
		}
	}
	r.dirty = true
}

func (s *Session) foldTurn(e *api.Event, idx, depth int) {
	r, ok := s.block(nsTurn, e.ID)
	if !ok || (e.Type == api.TypeTurnStart && r.done) {
		title := "turn"
		if e.Iteration > 0 {
			title += " " + strconv.Itoa(e.Iteration)
		}
		if e.Role != "" {
			title += " " + e.Role
		}
		r = s.openRow(RowTurn, e, idx, depth, e.ID, title, "running")
		s.setBlock(nsTurn, e.ID, len(s.rows)-1)
	} else {
		s.join(r, idx)
	}
	if e.Type != api.TypeTurnComplete {
		return
	}
	r.done = true
	s.finish(r, e, depth)
	r.Status = "done"
	if e.StopReason == "error" {
		r.Status = "failed"
	}
	var parts []string
	if e.StopReason != "" {
		parts = append(parts, "stop "+e.StopReason)
	}
	// Tokens and cost are the row's Usage, drawn as columns: the summary
	// does not say them again.
	r.summary = strings.Join(parts, " · ")
}

func (s *Session) foldStep(e *api.Event, idx, depth int) {
	r, ok := s.block(nsStep, e.ID)
	if !ok || (e.Type != api.TypeStepComplete && r.done) {
		title := "step"
		if e.Name != "" {
			title += " " + e.Name
		} else if e.ID != "" {
			title += " " + e.ID
		}
		r = s.openRow(RowStep, e, idx, depth, e.ID, title, "running")
		s.setBlock(nsStep, e.ID, len(s.rows)-1)
	} else {
		s.join(r, idx)
	}
	var parts []string
	if e.StepType != "" {
		parts = append(parts, e.StepType)
	}
	switch e.Type {
	case api.TypeStepStart:
		r.summary = strings.Join(parts, " · ")
		return
	case api.TypeStepSkip:
		r.done = true
		r.Status = "skipped"
		r.summary = strings.Join(parts, " · ")
		return
	}
	r.done = true
	s.finish(r, e, depth)
	r.Status = successWord(e.Success)
	if e.StopReason != "" {
		parts = append(parts, "stop "+e.StopReason)
	}
	if e.ErrorMessage != "" {
		parts = append(parts, "error: "+e.ErrorMessage)
	}
	r.summary = oneLine(strings.Join(parts, " · "), maxSummary)
}

func (s *Session) foldExecution(e *api.Event, idx, depth int) {
	switch e.Type {
	case api.TypeExecutionStart:
		r := s.openRow(RowExecution, e, idx, depth, "", "execution start", "running")
		parts := []string{}
		if e.Kind != "" {
			parts = append(parts, e.Kind)
		}
		if e.Name != "" {
			parts = append(parts, e.Name)
		}
		r.summary = oneLine(strings.Join(parts, " "), maxSummary)
	case api.TypeExecutionComplete:
		status := "ok"
		if e.Success != nil && !*e.Success {
			status = "failed"
		}
		r := s.openRow(RowExecution, e, idx, depth, "", "execution complete", status)
		r.done = true
		s.finish(r, e, depth)
		var parts []string
		if e.StopReason != "" {
			parts = append(parts, "stop "+e.StopReason)
		}
		if e.FinalOutput != "" {
			parts = append(parts, e.FinalOutput)
		}
		r.summary = oneLine(strings.Join(parts, " · "), maxSummary)
	case api.TypeExecutionError:
		r := s.openRow(RowExecution, e, idx, depth, "", "execution error", "failed")
		r.done = true
		r.summary = errorText(e)
		s.lastError = r.summary
	}
}

func (s *Session) foldAwait(e *api.Event, idx, depth int) {
	k := callKey{e.ExecutionID, outputKey(e.ToolCallID, e.ToolName)}
	if i, ok := s.awaitRows[k]; ok {
		// A re-emitted await (after a partial resume, or a duplicate):
		// same call, same row (§4.1: dedupe on executionId + toolCallId).
		s.join(s.rows[i], idx)
		return
	}
	title := "await"
	if e.ToolName != "" {
		title += " " + e.ToolName
	}
	r := s.openRow(RowAwait, e, idx, depth, e.ToolCallID, title, "waiting")
	r.toolName = e.ToolName
	s.awaitRows[k] = len(s.rows) - 1
	switch {
	case e.ToolName != "":
		r.summary = e.ToolName
		if len(e.Parameters) > 0 {
			r.summary += " " + compactJSON(e.Parameters, maxSummary)
		}
		if e.ToolCallID != "" {
			r.summary += " (" + e.ToolCallID + ")"
		}
	case e.AwaitReason != "":
		// Other pause kinds (elicitation, crawl; §4.5): say so, do not
		// pretend it is a tool call.
		r.summary = "execution paused: " + e.AwaitReason
	default:
		r.summary = "execution paused"
	}
}

// approvalKey mirrors the tracker's id for an approval: the approvalId, or
// for an approval await without one its toolCallId, else its tool name.
func approvalKey(e *api.Event) string {
	switch {
	case e.ApprovalID != "":
		return e.ApprovalID
	case e.ToolCallID != "":
		return e.ToolCallID
	}
	return e.ToolName
}

func (s *Session) foldApproval(e *api.Event, idx, depth int) {
	id := approvalKey(e)
	i, ok := s.apprRows[id]
	if e.Type == api.TypeApprovalComplete {
		var r *Row
		if ok {
			r = s.rows[i]
			s.join(r, idx)
		} else {
			r = s.openRow(RowApproval, e, idx, depth, id, "approval", "")
			s.apprRows[id] = len(s.rows) - 1
			r.summary = id
		}
		r.done = true
		s.finish(r, e, depth)
		if e.Decision != "" {
			r.Status = e.Decision
		} else {
			r.Status = "done"
		}
		return
	}
	if ok && s.rows[i].Status == "waiting" {
		// The same approval re-emitted while still open.
		s.join(s.rows[i], idx)
		return
	}
	title := "approval"
	if e.ToolName != "" {
		title += " " + e.ToolName
	}
	r := s.openRow(RowApproval, e, idx, depth, id, title, "waiting")
	r.toolName = e.ToolName
	s.apprRows[id] = len(s.rows) - 1
	r.summary = e.ToolName
	if len(e.Parameters) > 0 {
		r.summary += " " + compactJSON(e.Parameters, maxSummary)
	}
	if e.Reason != "" {
		r.summary += " — " + oneLine(e.Reason, maxSummary)
	} else if e.Description != "" {
		r.summary += " — " + oneLine(e.Description, maxSummary)
	}
	r.summary = strings.TrimSpace(r.summary)
}

func (s *Session) foldMedia(e *api.Event, idx, depth int) {
	r, ok := s.block(nsMedia, e.ID)
	if !ok || r.done {
		r = s.openRow(RowEvent, e, idx, depth, e.ID, "media", "streaming")
		s.setBlock(nsMedia, e.ID, len(s.rows)-1)
	} else {
		s.join(r, idx)
	}
	mediaType := jsonString(e.Data, "mediaType")
	if mediaType != "" {
		r.Title = "media " + mediaType
	}
	switch e.Type {
	case api.TypeMediaDelta:
		r.mediaBytes += len(e.Delta)
		r.summary = strconv.Itoa(r.mediaBytes) + " bytes so far"
	case api.TypeMediaComplete:
		r.done = true
		s.finish(r, e, depth)
		r.Status = "done"
		switch url, data := jsonString(e.Data, "url"), jsonString(e.Data, "data"); {
		case url != "":
			r.summary = oneLine(url, maxSummary)
		case data != "":
			r.summary = strconv.Itoa(len(data)) + " bytes (base64)"
		case r.mediaBytes > 0:
			r.summary = strconv.Itoa(r.mediaBytes) + " bytes"
		}
	}
}

func (s *Session) foldArtifact(e *api.Event, idx, depth int) {
	r, ok := s.block(nsArtifact, e.ID)
	if !ok || r.done {
		r = s.openRow(RowEvent, e, idx, depth, e.ID, "artifact", "streaming")
		s.setBlock(nsArtifact, e.ID, len(s.rows)-1)
	} else {
		s.join(r, idx)
	}
	switch e.Type {
	case api.TypeArtifactStart:
		if t := jsonString(e.Data, "title"); t != "" {
			r.Title = "artifact " + t
		}
		kind := jsonString(e.Data, "artifactType")
		if c := jsonString(e.Data, "component"); c != "" {
			kind += " " + c
		}
		r.summary = strings.TrimSpace(kind)
	case api.TypeArtifactDelta:
		// The markdown body: Text returns it like a text block.
		r.text.WriteString(e.Delta)
	case api.TypeArtifactUpdate:
		var p struct {
			Props json.RawMessage `json:"props"`
		}
		if json.Unmarshal(e.Data, &p) == nil && len(p.Props) > 0 {
			r.summary = "props " + compactJSON(p.Props, maxSummary)
		}
	case api.TypeArtifactComplete:
		r.done = true
		s.finish(r, e, depth)
		r.Status = "done"
	}
}

// errorText is the one-line message of an error-carrying event.
func errorText(e *api.Event) string {
	msg := e.ErrorMessage
	if msg == "" {
		msg = "error"
	}
	if e.ErrorCode != "" {
		msg += " (" + e.ErrorCode + ")"
	}
	return oneLine(msg, maxSummary)
}

// jsonString returns the string value of a top-level key of a JSON object,
// "" when absent or not a string. Used for the rare fields the decoder does
// not lift out (media and artifact details), never on the delta hot path.
func jsonString(data json.RawMessage, key string) string {
	if len(data) == 0 {
		return ""
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(data, &m) != nil {
		return ""
	}
	var v string
	if json.Unmarshal(m[key], &v) != nil {
		return ""
	}
	return v
}

// compactJSON renders raw JSON on one line, cut to max bytes.
func compactJSON(raw json.RawMessage, max int) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return oneLine(string(raw), max)
	}
	return oneLine(b.String(), max)
}

// oneLine folds line breaks and tabs into spaces and cuts s to at most max
// bytes (on a rune boundary) with a trailing "…".
func oneLine(s string, max int) string {
	if strings.ContainsAny(s, "\r\n\t") {
		s = strings.Map(func(r rune) rune {
			switch r {
			case '\r', '\n', '\t':
				return ' '
			}
			return r
		}, s)
	}
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// successWord is a completion's status: "ok", "failed", or "done" when
// the frame does not say.
func successWord(success *bool) string {
	switch {
	case success == nil:
		return "done"
	case *success:
		return "ok"
	}
	return "failed"
}

// Request returns the request a request row stands for (false for any
// other row), so it can be exported as curl or JSON.
func (r *Row) Request() (api.Request, bool) {
	if r.request == nil {
		return api.Request{}, false
	}
	return *r.request, true
}
