// Package record reads and writes session recordings: the JSONL files in
// which rtinspect keeps every request it sent, every response status and
// every SSE frame it received, exactly as received, so a session can be
// opened offline, replayed against a server, and compared with another.
//
// The format is a contract (product.md, "Session recording"): the first line
// is a header, then one JSON object per line. Raw frames are kept verbatim
// so that a newer rtinspect can re-read an old file.
package record

import (
	"encoding/json"
	"time"
)

// Format and Version identify a recording in its header line.
const (
	Format  = "rtinspect-session"
	Version = 1
)

// Record kinds.
const (
	KindHeader   = "header"
	KindRequest  = "request"
	KindResponse = "response"
	KindFrame    = "frame"
	KindEnd      = "end"
	// KindAnswer marks a call answered by an automation (a rule), not by
	// the person; Body holds the answer. It is a note for readers: what is
	// sent is still the resume request.
	KindAnswer = "answer"
)

// Stream end reasons, as the run state names them.
const (
	EndCompleted = "completed"
	EndPaused    = "paused"
	EndFailed    = "failed"
	EndError     = "error" // the request failed before any stream (HTTP error, network)
	EndDropped   = "dropped"
	EndCancelled = "cancelled"
)

// Record is one line of a recording. Which fields are set depends on Kind.
type Record struct {
	Kind string `json:"kind"`
	// Stream numbers the HTTP exchanges of a session from 1: a request, its
	// response, its frames and its end share one stream number.
	Stream int `json:"stream,omitempty"`
	// At is when the line's event happened (a frame's arrival time).
	At time.Time `json:"at"`

	// Header fields.
	Format  string `json:"format,omitempty"`
	Version int    `json:"version,omitempty"`
	// BaseURL is the API root the session talked to (never the key).
	BaseURL string `json:"baseUrl,omitempty"`
	// Continues names the recording this one continues (a live resume from
	// an opened recording, or a replay's original).
	Continues string `json:"continues,omitempty"`
	// Command is what produced the recording: "dispatch", "demo", "replay",
	// "open".
	Command string `json:"command,omitempty"`

	// Request fields: never any header, so never the key.
	Method string          `json:"method,omitempty"`
	Path   string          `json:"path,omitempty"`
	Query  string          `json:"query,omitempty"`
	Body   json.RawMessage `json:"body,omitempty"`
	// ExecutionID is the execution a resume or approval continues.
	ExecutionID string `json:"executionId,omitempty"`

	// Response fields.
	Status      int    `json:"status,omitempty"`
	ContentType string `json:"contentType,omitempty"`
	// ErrorBody is a non-2xx response's body, as text.
	ErrorBody string `json:"errorBody,omitempty"`

	// Frame fields: exactly as received. Data is a pointer so an empty
	// data line is told apart from none.
	Event string  `json:"event,omitempty"`
	ID    string  `json:"id,omitempty"`
	Data  *string `json:"data,omitempty"`

	// End fields.
	Reason string `json:"reason,omitempty"`
	Error  string `json:"error,omitempty"`

	// Answer fields: which call, and who answered it ("rule NAME").
	ToolCallID string `json:"toolCallId,omitempty"`
	ToolName   string `json:"toolName,omitempty"`
	Source     string `json:"source,omitempty"`

	// Line is the record's line number in the file it was read from (1 for
	// the header); it is not written.
	Line int `json:"-"`
}

// Problem is something wrong with one line of a recording that was read
// anyway: the rest of the file is still used.
type Problem struct {
	Path string
	Line int
	Msg  string
}

// String names the file and line, as compilers do: "path:line: message".
func (p Problem) String() string {
	return p.Path + ":" + itoa(p.Line) + ": " + p.Msg
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// Recording is a recording read back: its header, every record that could
// be read, in order, and the problems met on the way.
type Recording struct {
	Path     string
	Header   Record
	Records  []Record
	Problems []Problem
}
