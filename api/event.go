// Package api is the Runtype Dispatch client: it sends dispatch, resume and
// approve requests, reads the SSE response, decodes both event vocabularies
// (unified and legacy) into one unified Event type, and tracks the run state
// of an execution across its streams.
//
// Nothing here imports Bubble Tea: the UI and the headless mode both consume
// these plain types.
package api

import (
	"encoding/json"
	"time"
)

// Frame is one SSE frame exactly as it arrived. Frames are kept verbatim on
// every event so that the raw view, the recording and a newer decoder can
// always see what the server really sent.
type Frame struct {
	// Event is the value of the frame's "event:" line, "" when absent.
	Event string
	// ID is the value of the frame's "id:" line, "" when absent.
	ID string
	// Data is the frame's data (its "data:" lines joined).
	Data string
	// At is when the frame was read from the connection.
	At time.Time
}

// Vocabulary names which event vocabulary a stream or frame uses.
type Vocabulary uint8

// The vocabularies of runtype-protocol.md §0.
const (
	VocabUnknown Vocabulary = iota
	VocabUnified
	VocabLegacy
)

// String returns "unified", "legacy" or "unknown".
func (v Vocabulary) String() string {
	switch v {
	case VocabUnified:
		return "unified"
	case VocabLegacy:
		return "legacy"
	}
	return "unknown"
}

// Unified event types (runtype-protocol.md §3.1). Legacy events are mapped
// onto these by the Decoder.
const (
	TypeExecutionStart    = "execution_start"
	TypeExecutionComplete = "execution_complete"
	TypeExecutionError    = "execution_error"
	TypeTurnStart         = "turn_start"
	TypeTurnComplete      = "turn_complete"
	TypeStepStart         = "step_start"
	TypeStepComplete      = "step_complete"
	TypeStepSkip          = "step_skip"
	TypeTextStart         = "text_start"
	TypeTextDelta         = "text_delta"
	TypeTextComplete      = "text_complete"
	TypeReasoningStart    = "reasoning_start"
	TypeReasoningDelta    = "reasoning_delta"
	TypeReasoningComplete = "reasoning_complete"
	TypeMediaStart        = "media_start"
	TypeMediaDelta        = "media_delta"
	TypeMediaComplete     = "media_complete"
	TypeArtifactStart     = "artifact_start"
	TypeArtifactDelta     = "artifact_delta"
	TypeArtifactUpdate    = "artifact_update"
	TypeArtifactComplete  = "artifact_complete"
	TypeSource            = "source"
	TypeStateSnapshot     = "state_snapshot"
	TypeStateDelta        = "state_delta"
	TypeToolStart         = "tool_start"
	TypeToolInputDelta    = "tool_input_delta"
	TypeToolInputComplete = "tool_input_complete"
	TypeToolOutputDelta   = "tool_output_delta"
	TypeToolComplete      = "tool_complete"
	TypeApprovalStart     = "approval_start"
	TypeApprovalComplete  = "approval_complete"
	TypeAwait             = "await"
	TypeError             = "error"
	TypePing              = "ping"
	TypeCustom            = "custom"
	TypeTranscriptInsert  = "transcript_insert"

	// TypeMalformed is not a wire type: the decoder gives it to a frame
	// whose data could not be decoded (not JSON, no type). The frame is kept
	// and shown; Event.Err says what was wrong.
	TypeMalformed = "malformed"
)

// Await reasons seen on await / step_await frames.
const (
	AwaitLocalTool = "local_tool_required"
	AwaitApproval  = "approval_required"
)

// Approval decisions accepted by POST /v1/dispatch/approve.
const (
	DecisionApproved = "approved"
	DecisionDenied   = "denied"
)

// Tokens is a token count pair as carried by turn and step completions.
type Tokens struct {
	Input  int64 `json:"input"`
	Output int64 `json:"output"`
}

// Event is one decoded event in the unified vocabulary. The commonly used
// fields are lifted out of the JSON; everything else stays in Data, and the
// frame it came from stays in Frame.
type Event struct {
	// Type is the unified type. For an unknown event it is the type as
	// received (Known is false); for an undecodable frame it is TypeMalformed.
	Type string
	// Source is the type as received on the wire (a legacy name such as
	// "agent_await", or the same as Type for unified frames).
	Source string
	// Vocab is the vocabulary the frame's type belongs to (VocabUnknown for
	// names both vocabularies share, and for unknown types).
	Vocab Vocabulary
	// Known is false for a type neither vocabulary defines. Unknown events
	// are kept and shown, never dropped.
	Known bool
	// Synthetic is true for an event the decoder made while expanding one
	// legacy frame into several unified events (for example agent_media into
	// media_start / media_delta / media_complete). Its Frame is the source
	// frame's.
	Synthetic bool

	ExecutionID string
	// Seq is the frame's sequence number (seq, sequenceIndex or
	// agentContext.seq), or -1 when it has none.
	Seq int64

	// ID is the block, turn or step id the event belongs to (text_N,
	// turn id, step id). The decoder mints text_N / reason_N ids for legacy
	// deltas that carry none.
	ID string
	// Role is the turn or text block role (assistant, user, system).
	Role string
	// Kind is "agent" or "flow" on execution_* events.
	Kind string
	// Name is the step, flow or agent name where the event has one.
	Name     string
	StepType string
	StepID   string
	// Delta is the streamed fragment of text_delta, reasoning_delta,
	// tool_input_delta, tool_output_delta, media_delta and artifact_delta.
	Delta string
	// Text is the assembled text of text_complete / reasoning_complete.
	Text string

	ToolCallID string
	ToolID     string
	ToolName   string
	ToolType   string
	Origin     string
	// Parameters are the tool call's arguments (raw JSON), when present.
	Parameters json.RawMessage
	// Result is tool_complete's or step_complete's result (raw JSON).
	Result json.RawMessage
	// Success is nil when the frame does not say.
	Success *bool

	AwaitReason string
	ApprovalID  string
	Decision    string
	Description string
	Reason      string

	// ErrorMessage is the error text of execution_error, error,
	// tool_complete / step_complete failures (a string error, or the
	// message of an {code, message} object).
	ErrorMessage string
	ErrorCode    string
	// Recoverable is nil when the frame does not say.
	Recoverable *bool

	StopReason  string
	FinalOutput string
	Iteration   int
	DurationMs  float64
	Tokens      *Tokens
	Cost        float64
	// Timestamp is the event's own time (startedAt, completedAt, awaitedAt,
	// timestamp), as sent.
	Timestamp string

	// Data is the frame's JSON payload as received (for a legacy frame, the
	// legacy payload). It shares the bytes of Frame.Data (a string) rather
	// than copying them, as do Parameters and Result: read them, append to
	// them (their capacity is capped), but never write into them.
	Data json.RawMessage
	// Frame is the raw SSE frame the event came from.
	Frame Frame
	// Err says why a TypeMalformed frame could not be decoded.
	Err error
}

// IsTerminalFailure reports whether the event ends the run as failed at the
// top level: execution_error, a non-recoverable error, or a failed step
// (which the Runtype widget also treats as terminal).
func (e *Event) IsTerminalFailure() bool {
	switch e.Type {
	case TypeExecutionError:
		return true
	case TypeError:
		return e.Recoverable != nil && !*e.Recoverable
	case TypeStepComplete:
		return e.Success != nil && !*e.Success
	}
	return false
}

// RunState is where an execution stands, as the status bar names it.
type RunState uint8

// Run states of runtype-protocol.md §2.3, plus idle (nothing sent yet),
// sending (a request is in flight, no response yet) and cancelled (the user
// stopped the stream).
const (
	RunIdle RunState = iota
	RunSending
	RunStreaming
	RunPaused
	RunCompleted
	RunFailed
	RunDropped
	RunCancelled
)

// String returns the state in words.
func (s RunState) String() string {
	switch s {
	case RunIdle:
		return "idle"
	case RunSending:
		return "sending"
	case RunStreaming:
		return "streaming"
	case RunPaused:
		return "paused"
	case RunCompleted:
		return "completed"
	case RunFailed:
		return "failed"
	case RunDropped:
		return "dropped"
	case RunCancelled:
		return "cancelled"
	}
	return "unknown"
}

// Done reports whether the run is over for good (completed or failed).
func (s RunState) Done() bool { return s == RunCompleted || s == RunFailed }

// Await is a pending local tool call the execution waits for.
type Await struct {
	// ExecutionID is the id on the await frame itself: the one the resume
	// must be sent to (it can differ from execution_start's).
	ExecutionID string
	ToolCallID  string
	ToolID      string
	ToolName    string
	AwaitReason string
	Parameters  json.RawMessage
	// Event is the await event itself.
	Event Event
}

// Approval is a pending human approval the execution waits for.
type Approval struct {
	ExecutionID string
	ApprovalID  string
	ToolCallID  string
	ToolName    string
	Description string
	Reason      string
	Parameters  json.RawMessage
	Event       Event
}
