package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unsafe"
)

// Decoder turns SSE frames of either vocabulary into unified Events
// (runtype-protocol.md §3). Unified frames pass through with their fields
// lifted; legacy frames are mapped per the API's own translator (§3.2).
//
// A Decoder is stateful: legacy text and reasoning deltas carry no block id,
// so it mints text_N / reason_N ids and must remember which block is open.
// Use one Decoder per execution, call NewStream at the start of every HTTP
// stream, and feed frames in order from one goroutine.
type Decoder struct {
	vocab Vocabulary
	// kind is the execution kind from the last execution start, for legacy
	// frames that imply an execution_error but carry no kind.
	kind string

	text, reason block
	// Counters for minted ids. They are never reset (not even by
	// NewStream) so a minted id is unique within the execution and a
	// consumer folding deltas by id can never merge two streams' blocks.
	textN, reasonN, mediaN, skillN int

	// w is reused for every frame: json.Unmarshal needs a pointer, which
	// would otherwise put a fresh wire struct on the heap per frame.
	w wire
	// scratch holds what the scanner's pointer fields point to: Decode
	// copies these values out and keeps no pointer to them, so they need
	// no allocation per frame.
	scratch struct {
		seq, seqIndex, agentSeq, toolSeq int64
		agent, tool                      wireContext
	}
	// last caches vocabOf for the last type name seen.
	last struct {
		typ   string
		vocab Vocabulary
		known bool
	}
	// The scanner's memory (scan.go): the template (the layout of the
	// last frame read member by member) and the scratch list it is made
	// from, the key of each member of the last frames, and the block
	// decoded strings are cut from.
	tmpl     []tmplPart
	tmplSets []tmplSet
	members  []member
	shape    [16]shapeMemo
	keyToks  map[string]string // see keyTok
	strs     []byte
	// wSeen has the bits of the fields of w the last scanned frame set;
	// wAll says encoding/json filled w last (any field may be set).
	wSeen uint64
	wAll  bool
	// tmplWarm says w holds the template's repeating values (scan.go);
	// tmplChanging has the bits of the fields of its changing values.
	tmplWarm     bool
	tmplChanging uint64
	// proto is the event of the last frame when protoOK: a frame the
	// template reads right after it decodes to the same event but for
	// the fields its changing values make (see again).
	proto     Event
	protoRule protoRule
	protoOK   bool
	// slow disables the scanner (scan.go): every frame goes through
	// encoding/json. The equivalence tests compare the two paths.
	slow bool
}

// NewDecoder returns a Decoder that has not seen any frame.
func NewDecoder() *Decoder { return &Decoder{} }

// Vocabulary returns the vocabulary detected from the first
// vocabulary-exclusive type name seen (§2.4), VocabUnknown until then.
func (d *Decoder) Vocabulary() Vocabulary { return d.vocab }

// NewStream tells the decoder a new HTTP stream starts: per-stream state
// (the open legacy text and reasoning blocks) is reset. The vocabulary is
// kept because a resume stream may open with names both vocabularies share.
func (d *Decoder) NewStream() {
	d.text = block{}
	d.reason = block{}
	d.protoOK = false
}

// wireContext is the nested agentContext / toolContext of legacy frames.
type wireContext struct {
	ExecutionID string `json:"executionId"`
	ToolID      string `json:"toolId"`
	StepID      string `json:"stepId"`
	Seq         *int64 `json:"seq"`
}

// wireMedia is one item of a legacy agent_media frame.
type wireMedia struct {
	Type      string `json:"type"`
	Data      string `json:"data"`
	URL       string `json:"url"`
	MediaType string `json:"mediaType"`
}

// wire is the union of the field names of every event of both vocabularies.
// One json.Unmarshal per frame fills it (no map[string]any): the polymorphic
// fields stay json.RawMessage and are decoded only when present.
type wire struct {
	Type          string       `json:"type"`
	ExecutionID   string       `json:"executionId"`
	Seq           *int64       `json:"seq"`
	SequenceIndex *int64       `json:"sequenceIndex"`
	AgentContext  *wireContext `json:"agentContext"`
	ToolContext   *wireContext `json:"toolContext"`

	ID            string `json:"id"`
	StepID        string `json:"stepId"`
	TurnID        string `json:"turnId"`
	PartID        string `json:"partId"`
	Name          string `json:"name"`
	StepName      string `json:"stepName"`
	FlowName      string `json:"flowName"`
	AgentName     string `json:"agentName"`
	Role          string `json:"role"`
	Kind          string `json:"kind"`
	StepType      string `json:"stepType"`
	ExecutionType string `json:"executionType"`

	Delta         string          `json:"delta"`
	Text          string          `json:"text"`
	ReasoningText string          `json:"reasoningText"`
	Message       json.RawMessage `json:"message"`
	ContentType   string          `json:"contentType"`

	ToolCallID string          `json:"toolCallId"`
	ToolID     string          `json:"toolId"`
	ToolName   string          `json:"toolName"`
	ToolType   string          `json:"toolType"`
	Origin     string          `json:"origin"`
	Parameters json.RawMessage `json:"parameters"`
	Args       json.RawMessage `json:"args"`
	Result     json.RawMessage `json:"result"`
	Output     json.RawMessage `json:"output"`
	Success    *bool           `json:"success"`

	AwaitReason string `json:"awaitReason"`
	ApprovalID  string `json:"approvalId"`
	Decision    string `json:"decision"`
	Description string `json:"description"`
	Reason      string `json:"reason"`

	Error       json.RawMessage `json:"error"`
	Code        string          `json:"code"`
	Recoverable *bool           `json:"recoverable"`

	StopReason    string          `json:"stopReason"`
	FinalOutput   json.RawMessage `json:"finalOutput"`
	Iteration     int             `json:"iteration"`
	Iterations    int             `json:"iterations"`
	Duration      float64         `json:"duration"`
	DurationMs    float64         `json:"durationMs"`
	ExecutionTime float64         `json:"executionTime"`
	Tokens        *Tokens         `json:"tokens"`
	TotalTokens   *Tokens         `json:"totalTokens"`
	Cost          float64         `json:"cost"`
	TotalCost     float64         `json:"totalCost"`
	ToolCost      float64         `json:"toolCost"`

	StartedAt   string `json:"startedAt"`
	CompletedAt string `json:"completedAt"`
	AwaitedAt   string `json:"awaitedAt"`
	Timestamp   string `json:"timestamp"`
	SkippedAt   string `json:"skippedAt"`

	// Legacy expansion inputs.
	Media                 []wireMedia     `json:"media"`
	Reflection            string          `json:"reflection"`
	Skill                 string          `json:"skill"`
	Outcome               json.RawMessage `json:"outcome"`
	ProposalID            string          `json:"proposalId"`
	ActivatedCapabilities json.RawMessage `json:"activatedCapabilities"`
}

// Decode appends the events of one frame to dst and returns it: none for
// [DONE], empty data and id-only / event-only frames; one for most frames;
// several when a legacy frame expands (agent_media, artifact, reflections,
// skills). A frame that cannot be decoded becomes one TypeMalformed event:
// Decode never fails and never drops a frame that carries data.
//
// The events' Data, and their Parameters and Result, are the frame's own
// bytes (f.Data), not a copy: like the string they come from, they must
// not be written to.
func (d *Decoder) Decode(dst []Event, f Frame) []Event {
	data := f.Data
	if n := len(data); n == 0 || data[0] != '{' || data[n-1] != '}' {
		// Only a frame that is not a bare object can need trimming.
		data = strings.TrimSpace(data)
	}
	if data == "" || data == "[DONE]" {
		// Keep-alive rows, id-only durable cursors and the translator's
		// literal [DONE] carry nothing to show (§2.1, §2.2).
		return dst
	}
	typ := f.Event
	if typ == "message" {
		// "message" is the SSE default name, not a Runtype type (§2.1).
		typ = ""
	}
	if data[0] != '{' {
		var err error
		if !json.Valid([]byte(data)) {
			err = fmt.Errorf("data is not JSON: %w", syntaxError(data))
		} else {
			err = errors.New("data is JSON but not an object")
		}
		return append(dst, malformed(f, typ, err))
	}

	raw := frameBytes(f.Data)
	w := &d.w
	seen, again, ok := uint64(0), false, false
	protoOK := d.protoOK
	d.protoOK = false
	if !d.slow {
		if d.wAll {
			*w = wire{}
			d.wAll, d.wSeen = false, 0
		}
		// The scanner sets only the fields the frame has: zero those
		// the last frame set and this one did not (none, in a run of
		// deltas).
		if seen, again, ok = d.scanWire(f.Data, raw, w); ok {
			clearWire(w, d.wSeen&^seen)
			d.wSeen = seen
		}
	}
	if !ok {
		// The scanner declined (invalid JSON, a type mismatch, anything
		// it does not handle exactly like encoding/json): decode the
		// frame the reference way.
		*w = wire{}
		d.wAll, seen = true, ^uint64(0)
		if err := json.Unmarshal(raw, w); err != nil {
			// A field of an unexpected JSON type (a numeric id, a string
			// seq) only loses that field: encoding/json fills everything
			// else and reports the first type mismatch. Anything else is
			// a broken frame.
			var te *json.UnmarshalTypeError
			if !errors.As(err, &te) {
				return append(dst, malformed(f, typ, fmt.Errorf("data is not valid JSON: %w", err)))
			}
		}
	}
	if typ == "" {
		typ = w.Type
	}
	if typ == "" {
		return append(dst, malformed(f, "", errors.New(`no type: no "event:" line and no "type" field in the JSON`)))
	}
	if again && protoOK && typ == d.proto.Source {
		// A delta in a run: the last frame's event, with this frame's
		// changing values.
		start := len(dst)
		dst = slices.Grow(dst, 1)[:start+1]
		ev := &dst[start]
		*ev = d.proto
		d.protoRule.apply(ev, w)
		ev.Data = raw
		ev.Frame = f
		d.protoOK = true
		return dst
	}

	if typ != d.last.typ {
		// Frames come in runs of one type (the deltas): classify a
		// name once per run.
		d.last.typ = typ
		d.last.vocab, d.last.known = vocabOf(typ)
	}
	vocab, known := d.last.vocab, d.last.known
	if d.vocab == VocabUnknown && vocab != VocabUnknown {
		d.vocab = vocab
	}
	// The event is built in place at the end of dst (an Event is large:
	// building it aside and appending would copy it twice). The slot may
	// hold an earlier event (callers reuse their buffer): every field is
	// written here or by lift, which zeroes what the frame does not set,
	// and writes only what is not zero already (while the GC marks, each
	// pointer written costs a barrier: clearing the whole Event did).
	start := len(dst)
	dst = slices.Grow(dst, 1)[:start+1]
	ev := &dst[start]
	ev.Type = typ
	ev.Source = typ
	ev.Vocab = vocab
	ev.Known = known
	ev.Synthetic = false
	ev.Data = raw
	ev.Frame = f
	if ev.Err != nil {
		ev.Err = nil
	}
	lift(ev, w, seen)

	if vocab == VocabLegacy {
		dst = d.legacy(dst, w)
	} else {
		dst = d.shared(dst, w)
	}
	for i := start; i < len(dst); i++ {
		d.after(&dst[i])
	}
	if d.tmplWarm && len(dst) == start+1 && d.tmplChanging&^protoChanging == 0 {
		if r := protoRuleOf(dst[start].Source, vocab); r != protoNone {
			d.proto, d.protoRule, d.protoOK = dst[start], r, true
		}
	}
	return dst
}

// protoRule says how a delta's event is made from the last one (Decoder.
// proto): which types may be, and how their changing values map onto the
// event. A delta of these types changes nothing in the decoder when the
// last frame was one of the same run: the same open block (same turn,
// step and part), so the same id.
type protoRule uint8

const (
	protoNone protoRule = iota
	// protoUnified: text_delta and reasoning_delta, which shared leaves
	// as lift made them.
	protoUnified
	// protoTurnDelta: legacy agent_turn_delta (legacy: delta, else text).
	protoTurnDelta
	// protoStepChunk: legacy step_delta, step_chunk and chunk (text,
	// else delta).
	protoStepChunk
)

// protoChanging has the bits of the changing values a protoRule makes the
// event's fields from: other values must repeat (be in the template).
const protoChanging = 1<<fSeq | 1<<fDelta | 1<<fText | 1<<fIteration

// protoRuleOf returns the rule for an event of the source type, in the
// vocabulary vocab; protoNone for any other type.
func protoRuleOf(source string, vocab Vocabulary) protoRule {
	switch {
	case vocab != VocabLegacy && (source == TypeTextDelta || source == TypeReasoningDelta):
		return protoUnified
	case vocab == VocabLegacy && source == "agent_turn_delta":
		return protoTurnDelta
	case vocab == VocabLegacy && (source == "step_delta" || source == "step_chunk" || source == "chunk"):
		return protoStepChunk
	}
	return protoNone
}

// apply sets the fields of ev that the changing values make, as lift,
// shared and legacy would.
func (r protoRule) apply(ev *Event, w *wire) {
	ev.Seq = seqOf(w)
	ev.Iteration = w.Iteration
	switch r {
	case protoUnified:
		ev.Delta, ev.Text = w.Delta, w.Text
	case protoTurnDelta:
		ev.Delta, ev.Text = firstOf(w.Delta, w.Text), ""
	case protoStepChunk:
		ev.Delta, ev.Text = firstOf(w.Text, w.Delta), ""
	}
}

// frameBytes returns the bytes of a frame's data without copying them:
// Event.Data (and the raw fields that are slices of it) share the frame's
// memory, which Event.Frame keeps anyway, so a decoded stream holds each
// frame's bytes once. Like a string's, these bytes must never be written
// to (appending to a slice is safe: its capacity ends where it does).
func frameBytes(s string) json.RawMessage {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// malformed builds the event kept for an undecodable frame. Data stays nil
// (it is not JSON); the text is in Frame.Data.
func malformed(f Frame, source string, err error) Event {
	return Event{Type: TypeMalformed, Source: source, Seq: -1, Frame: f, Err: err}
}

// syntaxError returns the JSON syntax error for data, with its offset.
func syntaxError(data string) error {
	var v any
	err := json.Unmarshal([]byte(data), &v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%v (offset %d)", se, se.Offset)
	}
	if err == nil {
		return errors.New("invalid")
	}
	return err
}

// lift copies the fields common to both vocabularies, tolerating the
// legacy spellings. Type-specific fix-ups happen in shared and legacy.
// It writes every field of ev but Type, Source, Vocab, Known, Synthetic,
// Data, Frame and Err. seen has the bits of the wire fields that may be
// set (all of them after encoding/json): when none of those the second part
// reads is, that part would only write zeros, and zeroRare does it cheaper.
func lift(ev *Event, w *wire, seen uint64) {
	ev.ExecutionID = w.ExecutionID
	ev.Seq = seqOf(w)
	if ev.ExecutionID == "" {
		if w.AgentContext != nil && w.AgentContext.ExecutionID != "" {
			ev.ExecutionID = w.AgentContext.ExecutionID
		} else if w.ToolContext != nil {
			ev.ExecutionID = w.ToolContext.ExecutionID
		}
	}

	ev.ID = w.ID
	ev.StepID = w.StepID
	ev.Role = w.Role
	ev.Kind = w.Kind
	// firstOf, spelled out: this runs for every frame.
	switch {
	case w.Name != "":
		ev.Name = w.Name
	case w.StepName != "":
		ev.Name = w.StepName
	case w.FlowName != "":
		ev.Name = w.FlowName
	default:
		ev.Name = w.AgentName
	}
	if ev.StepType = w.StepType; ev.StepType == "" {
		ev.StepType = w.ExecutionType
	}
	ev.Delta = w.Delta
	ev.Text = w.Text
	ev.Iteration = w.Iteration
	if seen&liftRare == 0 {
		zeroRare(ev)
		return
	}

	ev.ToolCallID = w.ToolCallID
	ev.ToolID = w.ToolID
	ev.ToolName = w.ToolName
	ev.ToolType = w.ToolType
	ev.Origin = w.Origin
	ev.Parameters = firstRaw(w.Parameters, w.Args)
	ev.Result = firstRaw(w.Result, w.Output)
	ev.Success = w.Success

	ev.AwaitReason = w.AwaitReason
	ev.ApprovalID = w.ApprovalID
	ev.Decision = w.Decision
	ev.Description = w.Description
	ev.Reason = w.Reason

	ev.ErrorMessage, ev.ErrorCode = errorText(w.Error)
	if ev.ErrorCode == "" {
		ev.ErrorCode = w.Code
	}
	ev.Recoverable = w.Recoverable

	ev.StopReason = w.StopReason
	ev.FinalOutput = outputText(w.FinalOutput)
	ev.DurationMs = firstNum(w.DurationMs, w.Duration, w.ExecutionTime)
	ev.Tokens = w.Tokens
	if ev.Tokens == nil {
		ev.Tokens = w.TotalTokens
	}
	ev.Cost = firstNum(w.Cost, w.TotalCost, w.ToolCost)
	ev.Timestamp = firstOf(w.StartedAt, w.CompletedAt, w.AwaitedAt, w.Timestamp, w.SkippedAt)
}

// seqOf is the event's Seq: seq, sequenceIndex or agentContext.seq, -1
// when the frame has none.
func seqOf(w *wire) int64 {
	switch {
	case w.Seq != nil:
		return *w.Seq
	case w.SequenceIndex != nil:
		return *w.SequenceIndex
	case w.AgentContext != nil && w.AgentContext.Seq != nil:
		return *w.AgentContext.Seq
	}
	return -1
}

// zeroRare zeroes the fields the second part of lift writes, writing
// nothing when they are zero already (as in a run of deltas).
func zeroRare(ev *Event) {
	// One test of the or of every length, not a branch per field: this
	// runs for every delta. A nil slice or pointer has a zero length or
	// address; a zero float may be -0, which is cleared needlessly.
	n := len(ev.ToolCallID) | len(ev.ToolID) | len(ev.ToolName) | len(ev.ToolType) | len(ev.Origin) |
		len(ev.AwaitReason) | len(ev.ApprovalID) | len(ev.Decision) | len(ev.Description) | len(ev.Reason) |
		len(ev.ErrorMessage) | len(ev.ErrorCode) | len(ev.StopReason) | len(ev.FinalOutput) | len(ev.Timestamp)
	p := uintptr(unsafe.Pointer(unsafe.SliceData(ev.Parameters))) | uintptr(unsafe.Pointer(unsafe.SliceData(ev.Result))) |
		uintptr(unsafe.Pointer(ev.Success)) | uintptr(unsafe.Pointer(ev.Recoverable)) | uintptr(unsafe.Pointer(ev.Tokens))
	f := math.Float64bits(ev.DurationMs) | math.Float64bits(ev.Cost)
	if n != 0 || p != 0 || f != 0 {
		ev.ToolCallID, ev.ToolID, ev.ToolName, ev.ToolType, ev.Origin = "", "", "", "", ""
		ev.Parameters, ev.Result, ev.Success = nil, nil, nil
		ev.AwaitReason, ev.ApprovalID, ev.Decision, ev.Description, ev.Reason = "", "", "", "", ""
		ev.ErrorMessage, ev.ErrorCode, ev.Recoverable = "", "", nil
		ev.StopReason, ev.FinalOutput, ev.DurationMs, ev.Tokens, ev.Cost, ev.Timestamp = "", "", 0, nil, 0, ""
	}
}

// liftRare has the bits of every wire field the second part of lift reads.
const liftRare = 1<<fToolCallID | 1<<fToolID | 1<<fToolName | 1<<fToolType | 1<<fOrigin |
	1<<fParameters | 1<<fArgs | 1<<fResult | 1<<fOutput | 1<<fSuccess |
	1<<fAwaitReason | 1<<fApprovalID | 1<<fDecision | 1<<fDescription | 1<<fReason |
	1<<fError | 1<<fCode | 1<<fRecoverable |
	1<<fStopReason | 1<<fFinalOutput | 1<<fDurationMs | 1<<fDuration | 1<<fExecutionTime |
	1<<fTokens | 1<<fTotalTokens | 1<<fCost | 1<<fTotalCost | 1<<fToolCost |
	1<<fStartedAt | 1<<fCompletedAt | 1<<fAwaitedAt | 1<<fTimestamp | 1<<fSkippedAt

// shared handles unified frames, names both vocabularies share, and unknown
// types: they pass through with small normalisations so a legacy flow's
// step_* / tool_* frames (which use the same names) read the same way.
func (d *Decoder) shared(dst []Event, w *wire) []Event {
	ev := &dst[len(dst)-1]
	switch ev.Type {
	case TypeExecutionStart:
		if ev.Kind != "" {
			d.kind = ev.Kind
		}
	case TypeExecutionComplete, TypeExecutionError:
		if ev.Kind == "" {
			ev.Kind = d.kind
		}
		if ev.Iteration == 0 {
			ev.Iteration = w.Iterations
		}
	case TypeStepStart, TypeStepComplete, TypeStepSkip:
		stepIDs(ev, w)
	case TypeToolStart, TypeToolInputDelta, TypeToolInputComplete,
		TypeToolOutputDelta, TypeToolComplete:
		toolIDs(ev, w)
		if ev.Type == TypeToolStart && ev.ToolType == "" {
			ev.ToolType = "builtin"
		}
	case TypeTextStart:
		// Legacy text_start may carry only a partId; unified always has
		// an id. Either way the block it opens is the current one.
		if ev.ID == "" {
			ev.ID = d.mintText()
		}
		d.text = block{open: true, id: ev.ID, turn: w.TurnID, step: w.StepID, part: w.PartID, parent: parentOf(w)}
		d.reason = block{}
	case TypeTextComplete:
		if ev.ID == "" {
			ev.ID = d.text.id
		}
		d.text = block{}
	case TypeReasoningComplete:
		d.reason = block{}
	case TypeCustom:
		ev.Name = w.Name
	}
	return dst
}

// stepIDs makes ID and StepID both the step id whichever spelling came.
func stepIDs(ev *Event, w *wire) {
	if ev.ID == "" {
		ev.ID = w.StepID
	}
	if ev.StepID == "" {
		ev.StepID = ev.ID
	}
}

// toolIDs applies the legacy flow spellings of tool frames: toolId stands in
// for toolCallId and name for toolName. Awaits never get this fallback:
// there toolId is the runtime id shared by parallel calls (§4.1), so using
// it as the resume key would collapse them.
func toolIDs(ev *Event, w *wire) {
	if ev.ToolCallID == "" {
		ev.ToolCallID = w.ToolID
	}
	if ev.ToolName == "" {
		ev.ToolName = w.Name
	}
	if (ev.Type == TypeToolOutputDelta || ev.Type == TypeToolInputDelta) && ev.Delta == "" {
		// Legacy tool_delta spells its fragment text or message.
		ev.Delta = firstOf(w.Text, rawString(w.Message))
		ev.Text = ""
	}
}

// after runs once per decoded event: it closes the open legacy blocks at
// the boundaries where the translator starts a new text block (§3.1
// text_start: "a new block at every tool/media/approval/await boundary").
func (d *Decoder) after(ev *Event) {
	switch ev.Type {
	case TypeToolStart, TypeToolComplete, TypeAwait, TypeApprovalStart,
		TypeApprovalComplete, TypeMediaStart, TypeTurnStart, TypeTurnComplete,
		TypeStepStart, TypeStepComplete, TypeStepSkip,
		TypeExecutionStart, TypeExecutionComplete, TypeExecutionError,
		legacyIterationStart, legacyIterationComplete:
		d.text = block{}
		d.reason = block{}
	}
}

// vocabOf classifies a type name (§2.4): the vocabulary it is exclusive
// to, and whether either vocabulary defines it at all.
func vocabOf(name string) (Vocabulary, bool) {
	switch name {
	case TypeExecutionStart, TypeExecutionComplete, TypeExecutionError,
		TypeTurnStart, TypeTurnComplete,
		TypeTextDelta, TypeTextComplete,
		TypeReasoningStart, TypeReasoningDelta, TypeReasoningComplete,
		TypeMediaStart, TypeMediaDelta, TypeMediaComplete,
		TypeToolOutputDelta, TypeApprovalStart, TypeApprovalComplete,
		TypeAwait, TypePing, TypeCustom, TypeStateSnapshot, TypeStateDelta:
		return VocabUnified, true
	case TypeStepStart, TypeStepComplete, TypeStepSkip,
		TypeToolStart, TypeToolInputDelta, TypeToolInputComplete, TypeToolComplete,
		TypeTextStart, TypeSource,
		TypeArtifactStart, TypeArtifactDelta, TypeArtifactUpdate, TypeArtifactComplete,
		TypeError,
		// transcript_insert is outside the OpenAPI union and undated, so
		// it does not decide the vocabulary.
		TypeTranscriptInsert:
		return VocabUnknown, true
	}
	if isLegacyName(name) {
		return VocabLegacy, true
	}
	return VocabUnknown, false
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func firstNum(ns ...float64) float64 {
	for _, n := range ns {
		if n != 0 {
			return n
		}
	}
	return 0
}

func firstRaw(a, b json.RawMessage) json.RawMessage {
	if len(a) > 0 && !isNull(a) {
		return a
	}
	if len(b) > 0 && !isNull(b) {
		return b
	}
	return nil
}

func isNull(raw json.RawMessage) bool { return string(raw) == "null" }

// rawString returns raw as a string if it is a JSON string, else "".
func rawString(raw json.RawMessage) string {
	if len(raw) == 0 || raw[0] != '"' {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// errorText reads an error field that is a string or {code, message,
// details}. Other JSON is rendered compactly so nothing is lost.
func errorText(raw json.RawMessage) (msg, code string) {
	if len(raw) == 0 || isNull(raw) {
		return "", ""
	}
	switch raw[0] {
	case '"':
		return rawString(raw), ""
	case '{':
		var obj struct {
			Code    json.RawMessage `json:"code"`
			Message string          `json:"message"`
			Error   string          `json:"error"`
		}
		if json.Unmarshal(raw, &obj) == nil {
			code = rawString(obj.Code)
			if code == "" && len(obj.Code) > 0 && !isNull(obj.Code) {
				code = string(obj.Code) // a numeric code
			}
			msg = firstOf(obj.Message, obj.Error)
			if msg == "" && code == "" {
				msg = compact(raw)
			}
			return msg, code
		}
	}
	return compact(raw), ""
}

// outputText renders finalOutput: a string as itself, any other JSON
// compactly, null as "".
func outputText(raw json.RawMessage) string {
	if len(raw) == 0 || isNull(raw) {
		return ""
	}
	if raw[0] == '"' {
		return rawString(raw)
	}
	return compact(raw)
}

func compact(raw json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	return b.String()
}

func itoa(n int) string { return strconv.Itoa(n) }
