package api

import "encoding/json"

// Endpoint paths of the Dispatch API.
const (
	PathDispatch = "/v1/dispatch"
	PathResume   = "/v1/dispatch/resume"
	PathApprove  = "/v1/dispatch/approve"
	PathContinue = "/v1/dispatch/continue"
)

// ResumeRequest is the body of POST /v1/dispatch/resume.
type ResumeRequest struct {
	// ExecutionID is the id from the await frame.
	ExecutionID string `json:"executionId"`
	// ToolOutputs are keyed by each call's toolCallId.
	ToolOutputs map[string]json.RawMessage `json:"toolOutputs,omitempty"`
	// Messages is a JSON array of messages, sent only when the user edited it.
	Messages       json.RawMessage `json:"messages,omitempty"`
	StreamResponse bool            `json:"streamResponse"`
}

// ApproveRequest is the body of POST /v1/dispatch/approve.
type ApproveRequest struct {
	ExecutionID    string `json:"executionId"`
	ApprovalID     string `json:"approvalId"`
	Decision       string `json:"decision"`
	Reason         string `json:"reason,omitempty"`
	StreamResponse bool   `json:"streamResponse"`
}

// Request is one prepared call to the API: exactly what is shown in the
// resume preview, recorded, and sent. It never holds the API key.
type Request struct {
	Method string
	// Path is the endpoint path, e.g. PathResume.
	Path string
	// Query is the raw query string without "?", e.g. "events=unified".
	Query string
	// Body is the JSON body as it will be sent.
	Body []byte
	// ExecutionID is the execution a resume or approval continues ("" for a
	// dispatch); the model uses it to keep one continuation per execution.
	ExecutionID string
}

// Recorder receives everything that crosses the wire, so a session can be
// recorded. Client.Send and Stream.Frames call it; a nil Recorder records
// nothing. Implementations must be safe for use from the stream goroutine.
type Recorder interface {
	// Request records a request about to be sent and returns its stream
	// number.
	Request(r Request) int
	// Response records the response status; body is the error body of a
	// non-2xx response (nil otherwise).
	Response(stream, status int, contentType string, body []byte)
	// Frame records one SSE frame exactly as received.
	Frame(stream int, f Frame)
	// End records why a stream ended: a run state word ("completed",
	// "paused", "failed", "dropped", "cancelled") or "error" for a request
	// that failed before any stream; err is the error, if any.
	End(stream int, reason string, err error)
}
