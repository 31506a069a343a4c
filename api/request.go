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
