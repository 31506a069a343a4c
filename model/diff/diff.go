// Package diff compares two session recordings and says whether the runs
// matched and, if not, where they first differed.
//
// Runs are compared on what they did, not on how the bytes arrived: each
// recording is normalized into a sequence of steps (the requests that got a
// stream, and the decoded events), with ids, sequence numbers, timestamps,
// durations, token counts and costs left out, and text deltas folded into
// their block, because chunking differs from one run to the next. The first
// step where the two sequences differ is the divergence.
package diff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"rtinspect/api"
	"rtinspect/api/record"
)

// Step is one comparable item of a run.
type Step struct {
	// Index is the step's position in the normalized sequence, from 0.
	Index int `json:"index"`
	// Kind is the unified event type, or "request".
	Kind string `json:"kind"`
	// Tool is the tool name where it applies (for a resume, the names of
	// the tools it answers, comma-separated).
	Tool string `json:"tool,omitempty"`
	// Detail is the canonical text compared: arguments, result, text, final
	// output, decision, or a request's path and what it sent.
	Detail string `json:"detail,omitempty"`
	// Line is the recording line the step came from (the first line for a
	// folded text block).
	Line int `json:"line"`
	// Stream is the recording's stream number of that line.
	Stream int `json:"stream"`
}

// Normalize turns a recording into its comparable steps.
//
// Frames are decoded with one api.Decoder (NewStream at each new stream,
// as live). Pings, custom and state_* events are skipped. Text and
// reasoning deltas are folded into one text_complete / reasoning_complete
// step per block, holding the assembled text (or text_complete's text when
// there were no deltas), placed where the block completes or where the
// next event that is not a delta arrives; other deltas (tool input and
// output, media, artifact) are not steps. Every other event is a step whose
// Detail is the canonical JSON of its meaningful fields. Unknown events
// compare by type only, malformed frames by their raw data.
//
// Requests are steps too, once they got a stream (a refused request changed
// nothing on the server and is usually sent again): a dispatch by its path,
// a resume by the outputs it sent with each toolCallId replaced by
// "toolName#n" (the tool's nth call in the run, in the order the calls were
// first seen), an approve by its decision.
func Normalize(rec *record.Recording) []Step {
	if rec == nil {
		return nil
	}
	n := newNormalizer()
	for i := range rec.Records {
		n.record(&rec.Records[i])
	}
	n.commitPending()
	n.flush()
	return n.steps
}

// normalizer is the state of one Normalize run.
type normalizer struct {
	steps []Step
	dec   *api.Decoder
	// decStream is the stream the decoder is on; decUsed says it decoded
	// one already.
	decStream int
	decUsed   bool
	buf       []api.Event

	// open text / reasoning blocks, in the order they opened.
	blocks []*block

	// callNames maps a toolCallId to "toolName#n"; nameCount counts each
	// tool's calls; apprTools maps an approvalId to its tool name.
	callNames map[string]string
	nameCount map[string]int
	// toolNames maps a toolCallId to its tool name, for a tool_complete
	// that leaves the name out.
	toolNames map[string]string
	apprTools map[string]string

	// pending requests by stream, waiting to learn whether they got a
	// stream; failed streams are ignored from then on.
	pending map[int]*record.Record
	order   []int
	failed  map[int]bool
}

// block is a text or reasoning block being assembled from its deltas.
type block struct {
	kind   string // text_complete or reasoning_complete
	id     string
	text   strings.Builder
	line   int
	stream int
}

func newNormalizer() *normalizer {
	return &normalizer{
		dec:       api.NewDecoder(),
		callNames: map[string]string{},
		toolNames: map[string]string{},
		nameCount: map[string]int{},
		apprTools: map[string]string{},
		pending:   map[int]*record.Record{},
		failed:    map[int]bool{},
	}
}

func (n *normalizer) add(s Step) {
	s.Index = len(n.steps)
	n.steps = append(n.steps, s)
}

func (n *normalizer) record(r *record.Record) {
	switch r.Kind {
	case record.KindRequest:
		// A request starts a new exchange: what the previous stream left
		// open is done.
		n.flush()
		n.commitPending()
		n.pending[r.Stream] = r
		n.order = append(n.order, r.Stream)
	case record.KindResponse:
		if r.Status < 200 || r.Status > 299 || !isEventStream(r.ContentType) {
			n.failed[r.Stream] = true
			n.drop(r.Stream)
			return
		}
		n.commit(r.Stream)
	case record.KindFrame:
		if n.failed[r.Stream] {
			return
		}
		n.commit(r.Stream)
		n.frame(r)
	case record.KindEnd:
		n.flush()
		if r.Reason == record.EndError {
			n.drop(r.Stream)
			return
		}
		n.commit(r.Stream)
	}
}

// commit makes the request of stream s a step: it got a stream.
func (n *normalizer) commit(s int) {
	r, ok := n.pending[s]
	n.drop(s)
	if ok {
		n.add(n.requestStep(r))
	}
}

// commitPending commits every request still waiting (the recording ended,
// or a new request came, before its outcome was written).
func (n *normalizer) commitPending() {
	for len(n.order) > 0 {
		n.commit(n.order[0])
	}
}

func (n *normalizer) drop(s int) {
	delete(n.pending, s)
	for i, o := range n.order {
		if o == s {
			n.order = append(n.order[:i], n.order[i+1:]...)
			break
		}
	}
}

// requestStep renders a request as a step: its path, then (for a resume or
// approve) the canonical JSON of what it sent.
func (n *normalizer) requestStep(r *record.Record) Step {
	st := Step{Kind: "request", Detail: r.Path, Line: r.Line, Stream: r.Stream}
	switch r.Path {
	case api.PathResume:
		var b api.ResumeRequest
		if json.Unmarshal(r.Body, &b) != nil {
			st.Detail += " " + canonical(r.Body)
			return st
		}
		// Re-key by tool name and occurrence, so different ids compare
		// equal; the outputs' order in the body does not matter.
		outs := map[string]json.RawMessage{}
		tools := map[string]bool{}
		for k, v := range b.ToolOutputs {
			name := k
			if nm, ok := n.callNames[k]; ok {
				name = nm
			}
			outs[name] = v
			tool, _, _ := strings.Cut(name, "#")
			tools[tool] = true
		}
		var names []string
		for t := range tools {
			names = append(names, t)
		}
		sort.Strings(names)
		st.Tool = strings.Join(names, ",")
		body := map[string]any{"toolOutputs": outs}
		if len(b.Messages) > 0 && string(b.Messages) != "null" {
			body["messages"] = b.Messages
		}
		st.Detail += " " + canonicalValue(body)
	case api.PathApprove:
		var b api.ApproveRequest
		if json.Unmarshal(r.Body, &b) != nil {
			st.Detail += " " + canonical(r.Body)
			return st
		}
		st.Tool = n.apprTools[b.ApprovalID]
		st.Detail += " " + canonicalValue(map[string]any{"decision": b.Decision})
	}
	return st
}

func (n *normalizer) frame(r *record.Record) {
	if !n.decUsed || n.decStream != r.Stream {
		if n.decUsed {
			n.dec.NewStream()
		}
		n.decUsed, n.decStream = true, r.Stream
	}
	var data string
	if r.Data != nil {
		data = *r.Data
	}
	n.buf = n.dec.Decode(n.buf[:0], api.Frame{Event: r.Event, ID: r.ID, Data: data, At: r.At})
	for i := range n.buf {
		n.event(&n.buf[i], r)
	}
}

// event folds one decoded event.
func (n *normalizer) event(e *api.Event, r *record.Record) {
	switch e.Type {
	case api.TypePing, api.TypeCustom, api.TypeStateSnapshot, api.TypeStateDelta,
		"agent_iteration_start", "agent_iteration_complete":
		// Noise that neither counts nor ends a text block: a ping between
		// two deltas must not split the block in one run only. The legacy
		// iteration markers have no unified counterpart (the API's own
		// translator drops them), so a legacy run compares equal to the
		// same run in the unified vocabulary.
		return
	case api.TypeTextDelta, api.TypeReasoningDelta:
		kind := api.TypeTextComplete
		if e.Type == api.TypeReasoningDelta {
			kind = api.TypeReasoningComplete
		}
		b := n.block(kind, e.ID)
		if b == nil {
			b = &block{kind: kind, id: e.ID, line: r.Line, stream: r.Stream}
			n.blocks = append(n.blocks, b)
		}
		b.text.WriteString(e.Delta)
		return
	case api.TypeToolInputDelta, api.TypeToolOutputDelta, api.TypeMediaDelta, api.TypeArtifactDelta:
		// Chunked like text, and summed up by their complete events.
		return
	case api.TypeTextStart, api.TypeReasoningStart:
		// A block opens: the ones open before it are finished (unless it
		// re-announces one of them).
		kind := api.TypeTextComplete
		if e.Type == api.TypeReasoningStart {
			kind = api.TypeReasoningComplete
		}
		if n.block(kind, e.ID) == nil {
			n.flush()
		}
		return
	case api.TypeTextComplete, api.TypeReasoningComplete:
		if b := n.block(e.Type, e.ID); b != nil {
			n.emitBlock(b)
			return
		}
		n.flush()
		n.add(Step{Kind: e.Type, Detail: e.Text, Line: r.Line, Stream: r.Stream})
		return
	}
	n.flush()
	st := Step{Kind: e.Type, Line: r.Line, Stream: r.Stream}
	n.describe(e, &st)
	n.add(st)
}

// block returns the open block of this kind and id, nil if none.
func (n *normalizer) block(kind, id string) *block {
	for _, b := range n.blocks {
		if b.kind == kind && b.id == id {
			return b
		}
	}
	return nil
}

// emitBlock makes one open block a step, where it completes.
func (n *normalizer) emitBlock(b *block) {
	for i, o := range n.blocks {
		if o == b {
			n.blocks = append(n.blocks[:i], n.blocks[i+1:]...)
			break
		}
	}
	n.add(Step{Kind: b.kind, Detail: b.text.String(), Line: b.line, Stream: b.stream})
}

// flush emits every open block, in the order they opened.
func (n *normalizer) flush() {
	for _, b := range n.blocks {
		n.add(Step{Kind: b.kind, Detail: b.text.String(), Line: b.line, Stream: b.stream})
	}
	n.blocks = n.blocks[:0]
}

// callName names a call "toolName#n" (its tool's nth call in the run) when
// its id is first seen, so resumes can be re-keyed by it.
func (n *normalizer) callName(callID, tool string) {
	if callID == "" || tool == "" {
		return
	}
	n.toolNames[callID] = tool
	if _, ok := n.callNames[callID]; ok {
		return
	}
	n.nameCount[tool]++
	n.callNames[callID] = tool + "#" + strconv.Itoa(n.nameCount[tool])
}

// volatile are the fields that differ between two runs of the same thing:
// ids, sequence numbers, times, durations, token counts, costs.
var volatile = map[string]bool{
	"type": true, "executionId": true, "seq": true, "sequenceIndex": true,
	"agentContext": true, "toolContext": true,
	"id": true, "stepId": true, "turnId": true, "partId": true, "toolCallId": true,
	"toolId": true, "approvalId": true, "parentToolCallId": true,
	"startedAt": true, "completedAt": true, "awaitedAt": true, "timestamp": true, "skippedAt": true,
	"createdAt": true, "duration": true, "durationMs": true, "executionTime": true,
	"tokens": true, "totalTokens": true, "cost": true, "totalCost": true, "toolCost": true,
}

// describe fills the Tool and Detail of an event step with the meaningful
// fields only.
func (n *normalizer) describe(e *api.Event, st *Step) {
	if e.Type == api.TypeMalformed {
		st.Detail = e.Frame.Data
		return
	}
	if !e.Known {
		// Unknown events compare by type: their fields mean nothing to us.
		return
	}
	f := map[string]any{}
	switch e.Type {
	case api.TypeToolStart, api.TypeToolInputComplete:
		n.callName(e.ToolCallID, e.ToolName)
		st.Tool = e.ToolName
		f["parameters"] = raw(e.Parameters)
	case api.TypeToolComplete:
		n.callName(e.ToolCallID, e.ToolName)
		st.Tool = e.ToolName
		if st.Tool == "" {
			st.Tool = n.toolNames[e.ToolCallID]
		}
		f["success"] = e.Success
		f["result"] = maskIDs(raw(e.Result))
		if e.ErrorMessage != "" {
			f["error"] = e.ErrorMessage
		}
	case api.TypeAwait:
		n.callName(e.ToolCallID, e.ToolName)
		if e.ApprovalID != "" {
			n.apprTools[e.ApprovalID] = e.ToolName
		}
		st.Tool = e.ToolName
		f["parameters"] = raw(e.Parameters)
		f["awaitReason"] = e.AwaitReason
	case api.TypeApprovalStart, api.TypeApprovalComplete:
		if e.ToolName != "" {
			n.apprTools[e.ApprovalID] = e.ToolName
		}
		st.Tool = e.ToolName
		if st.Tool == "" {
			st.Tool = n.apprTools[e.ApprovalID]
		}
		f["decision"] = e.Decision
		f["parameters"] = raw(e.Parameters)
	case api.TypeExecutionStart:
		f["kind"], f["name"] = e.Kind, e.Name
	case api.TypeExecutionComplete:
		f["success"] = e.Success
		f["finalOutput"] = finalOutput(e)
	case api.TypeExecutionError, api.TypeError:
		f["message"] = e.ErrorMessage
		if e.Type == api.TypeError {
			f["recoverable"] = e.Recoverable
		}
	case api.TypeStepStart, api.TypeStepComplete, api.TypeStepSkip,
		api.TypeTurnStart, api.TypeTurnComplete:
		f["name"], f["role"], f["success"], f["stopReason"] = e.Name, e.Role, e.Success, e.StopReason
	default:
		// Media, artifacts, sources, transcript inserts: their payload
		// without the volatile fields.
		var m map[string]json.RawMessage
		if json.Unmarshal(e.Data, &m) != nil {
			st.Detail = canonical(e.Data)
			return
		}
		for k := range m {
			if volatile[k] {
				delete(m, k)
			}
		}
		st.Detail = canonicalValue(m)
		return
	}
	// Empty fields are dropped: a frame that leaves a field out and one
	// that sends it empty say the same thing.
	for k, v := range f {
		switch v := v.(type) {
		case string:
			if v == "" {
				delete(f, k)
			}
		case *bool:
			if v == nil {
				delete(f, k)
			}
		case json.RawMessage:
			if len(v) == 0 {
				delete(f, k)
			}
		}
	}
	if len(f) > 0 {
		st.Detail = canonicalValue(f)
	}
}

// finalOutput is execution_complete's finalOutput as raw JSON: taken from
// the frame when it is there (an object keeps its structure, so key order
// does not count), else the decoded string.
func finalOutput(e *api.Event) json.RawMessage {
	var w struct {
		FinalOutput json.RawMessage `json:"finalOutput"`
	}
	if json.Unmarshal(e.Data, &w) == nil && len(w.FinalOutput) > 0 && string(w.FinalOutput) != "null" {
		return w.FinalOutput
	}
	if e.FinalOutput == "" {
		return nil
	}
	b, _ := json.Marshal(e.FinalOutput)
	return b
}

// raw returns v as a json.RawMessage, nil for absent or null.
func raw(v json.RawMessage) json.RawMessage {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || string(v) == "null" || !json.Valid(v) {
		return nil
	}
	return v
}

// idMask stands in for an id a server made up inside a tool result.
const idMask = "<id>"

// maskIDs replaces the string values of id fields ("id", "messageId",
// "order_id", "requestID") in a tool result with idMask. A server tool
// mints new ids on every run, and ids do not count as differences. Only
// results are masked: an id in the arguments the model chose (which order
// to look up) is a real difference.
func maskIDs(v json.RawMessage) json.RawMessage {
	if len(v) == 0 || !bytes.Contains(v, []byte("d\"")) && !bytes.Contains(v, []byte("D\"")) {
		return v
	}
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	var x any
	if dec.Decode(&x) != nil {
		return v
	}
	var walk func(any) any
	walk = func(x any) any {
		switch t := x.(type) {
		case map[string]any:
			for k, val := range t {
				if _, isStr := val.(string); isStr && isIDKey(k) {
					t[k] = idMask
				} else {
					t[k] = walk(val)
				}
			}
		case []any:
			for i := range t {
				t[i] = walk(t[i])
			}
		}
		return x
	}
	out, err := json.Marshal(walk(x))
	if err != nil {
		return v
	}
	return out
}

func isIDKey(k string) bool {
	return k == "id" || strings.HasSuffix(k, "Id") || strings.HasSuffix(k, "ID") || strings.HasSuffix(k, "_id")
}

// canonical renders JSON with object keys sorted, compact and without HTML
// escaping, so two values that mean the same compare equal as text. Numbers
// keep their text. Invalid JSON is returned as is.
func canonical(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return ""
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return string(b)
	}
	return encode(v, string(b))
}

// canonicalValue renders a Go value as canonical JSON.
func canonicalValue(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return canonical(b)
}

func encode(v any, fallback string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return fallback
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// isEventStream reports whether a recorded content type is an SSE stream;
// an empty one (not recorded) counts as one.
func isEventStream(ct string) bool {
	ct = strings.TrimSpace(ct)
	if ct == "" {
		return true
	}
	mt, _, _ := strings.Cut(ct, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "text/event-stream")
}

// Report is the result of comparing two recordings.
type Report struct {
	// Match is true when the two runs did the same thing.
	Match bool
	// A and B are the recordings' paths.
	A, B string
	// StepsA and StepsB are the number of steps of each run.
	StepsA, StepsB int

	// At is the index of the first differing step (when !Match).
	At int
	// Field says what differs there: "type", "tool", "arguments",
	// "output", "text", "final output", "decision", "error", "detail"
	// (any other field), or "length" (one run ended before the other).
	Field string
	// Want and Got are A's and B's step there (nil for a run that ended).
	Want, Got *Step
	// Context is up to 3 matching steps before it (from A).
	Context []Step
}

// Compare normalizes both recordings and reports where they first differ.
func Compare(a, b *record.Recording) Report {
	sa, sb := Normalize(a), Normalize(b)
	r := Report{StepsA: len(sa), StepsB: len(sb)}
	if a != nil {
		r.A = a.Path
	}
	if b != nil {
		r.B = b.Path
	}
	for i := 0; ; i++ {
		var want, got *Step
		if i < len(sa) {
			want = &sa[i]
		}
		if i < len(sb) {
			got = &sb[i]
		}
		if want == nil && got == nil {
			r.Match = true
			return r
		}
		field := ""
		if want == nil || got == nil {
			field = "length"
		} else {
			field = differ(want, got)
		}
		if field == "" {
			continue
		}
		r.At, r.Field, r.Want, r.Got = i, field, want, got
		r.Context = append([]Step(nil), sa[max(0, i-3):i]...)
		return r
	}
}

// differ names the field in which two steps differ, "" when they match.
func differ(a, b *Step) string {
	switch {
	case a.Kind != b.Kind:
		return "type"
	case a.Kind == "request" && requestPath(a) != requestPath(b):
		return "type"
	case a.Tool != b.Tool:
		return "tool"
	case a.Detail == b.Detail:
		return ""
	}
	switch a.Kind {
	case "request":
		if requestPath(a) == api.PathApprove {
			return "decision"
		}
		return "output"
	case api.TypeToolStart, api.TypeToolInputComplete, api.TypeAwait:
		return "arguments"
	case api.TypeToolComplete:
		return "output"
	case api.TypeTextComplete, api.TypeReasoningComplete:
		return "text"
	case api.TypeExecutionComplete:
		return "final output"
	case api.TypeApprovalStart:
		return "arguments"
	case api.TypeApprovalComplete:
		return "decision"
	case api.TypeExecutionError, api.TypeError:
		return "error"
	}
	return "detail"
}

// requestPath is the path part of a request step's Detail.
func requestPath(s *Step) string {
	p, _, _ := strings.Cut(s.Detail, " ")
	return p
}

// Text renders the report for people: "no divergence: 14 steps match", or
// the first divergence with its step number (counted from 1), the lines
// of both recordings, the matching steps before it, and both sides.
func (r Report) Text() string {
	if r.Match {
		return fmt.Sprintf("no divergence: %d steps match\n", r.StepsA)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "runs diverge at step %d (%s, %s): %s\n", r.At+1, where("A", r.Want), where("B", r.Got), r.headline())
	if len(r.Context) > 0 {
		b.WriteString("  matching before it:\n")
		for i := range r.Context {
			fmt.Fprintf(&b, "    %d. %s\n", r.Context[i].Index+1, stepText(&r.Context[i], 160))
		}
	}
	fmt.Fprintf(&b, "  A: %s\n", sideText(r.Want))
	fmt.Fprintf(&b, "  B: %s\n", sideText(r.Got))
	return b.String()
}

// headline says in words what differs.
func (r Report) headline() string {
	w, g := r.Want, r.Got
	switch r.Field {
	case "length":
		if w == nil {
			return fmt.Sprintf("A ends after %d steps, B goes on", r.StepsA)
		}
		return fmt.Sprintf("B ends after %d steps, A goes on", r.StepsB)
	case "type":
		return fmt.Sprintf("event type differs (A %s, B %s)", stepType(w), stepType(g))
	case "tool":
		return fmt.Sprintf("tool differs (A %s, B %s)", orNone(w.Tool), orNone(g.Tool))
	case "arguments":
		return "arguments of " + w.Tool + " differ"
	case "output":
		if w.Kind == "request" {
			if t := firstDifferentOutput(w, g); t != "" {
				return "tool output sent for " + t + " differs"
			}
			return "resume request differs"
		}
		return "tool output of " + w.Tool + " differs"
	case "text":
		return strings.TrimSuffix(w.Kind, "_complete") + " differs"
	case "final output":
		return "final output differs"
	case "decision":
		if w.Tool != "" {
			return "approval decision for " + w.Tool + " differs"
		}
		return "approval decision differs"
	case "error":
		return "error differs"
	}
	return w.Kind + " differs"
}

// firstDifferentOutput names the first tool call ("add_to_cart#2") whose
// output two resume steps send differently.
func firstDifferentOutput(a, b *Step) string {
	oa, ob := resumeOutputs(a), resumeOutputs(b)
	keys := map[string]bool{}
	for k := range oa {
		keys[k] = true
	}
	for k := range ob {
		keys[k] = true
	}
	var sorted []string
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		va, okA := oa[k]
		vb, okB := ob[k]
		if okA != okB || canonical(va) != canonical(vb) {
			return k
		}
	}
	return ""
}

func resumeOutputs(s *Step) map[string]json.RawMessage {
	_, body, _ := strings.Cut(s.Detail, " ")
	var b struct {
		ToolOutputs map[string]json.RawMessage `json:"toolOutputs"`
	}
	_ = json.Unmarshal([]byte(body), &b)
	return b.ToolOutputs
}

func where(side string, s *Step) string {
	if s == nil {
		return side + " ended"
	}
	return side + " line " + strconv.Itoa(s.Line)
}

func stepType(s *Step) string {
	if s.Kind == "request" {
		return "request " + requestPath(s)
	}
	return s.Kind
}

func sideText(s *Step) string {
	if s == nil {
		return "(no more steps)"
	}
	return stepText(s, 400)
}

// stepText is one step on one line: kind, tool, detail (cut to max bytes).
func stepText(s *Step, max int) string {
	parts := []string{s.Kind}
	if s.Tool != "" {
		parts = append(parts, s.Tool)
	}
	if s.Detail != "" {
		parts = append(parts, cut(s.Detail, max))
	}
	return strings.Join(parts, " ")
}

// cut folds line breaks and shortens s to at most max bytes with "…".
func cut(s string, max int) string {
	s = strings.NewReplacer("\r", " ", "\n", " ", "\t", " ").Replace(s)
	if len(s) <= max {
		return s
	}
	i := max
	for i > 0 && s[i]&0xC0 == 0x80 {
		i--
	}
	return s[:i] + "…"
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// jsonReport is the --json shape: the divergence fields only when the runs
// differ.
type jsonReport struct {
	Match   bool   `json:"match"`
	A       string `json:"a"`
	B       string `json:"b"`
	StepsA  int    `json:"stepsA"`
	StepsB  int    `json:"stepsB"`
	Summary string `json:"summary"`
	At      *int   `json:"at,omitempty"`
	Field   string `json:"field,omitempty"`
	Want    *Step  `json:"want,omitempty"`
	Got     *Step  `json:"got,omitempty"`
	Context []Step `json:"context,omitempty"`
}

// JSON renders the report for machines: match, paths, step counts, a
// one-line summary and, when the runs differ, at (from 0), field, want,
// got and context.
func (r Report) JSON() ([]byte, error) {
	j := jsonReport{Match: r.Match, A: r.A, B: r.B, StepsA: r.StepsA, StepsB: r.StepsB}
	j.Summary, _, _ = strings.Cut(r.Text(), "\n")
	if !r.Match {
		at := r.At
		j.At, j.Field, j.Want, j.Got, j.Context = &at, r.Field, r.Want, r.Got, r.Context
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(j); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
