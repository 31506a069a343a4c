package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"rtinspect/api"
)

// DraftState is how far the answer to a pending call has got.
type DraftState uint8

// Draft states, as the pending pane names them.
const (
	// DraftEmpty: no answer yet.
	DraftEmpty DraftState = iota
	// DraftValid: a valid JSON answer is ready to send.
	DraftValid
	// DraftInvalid: the edited text is not valid JSON; it is kept so the
	// user can fix it, and it is never sent.
	DraftInvalid
	// DraftError: the call is answered with an MCP error result on purpose.
	DraftError
)

// String returns "empty", "drafted", "invalid" or "error answer".
func (d DraftState) String() string {
	switch d {
	case DraftEmpty:
		return "empty"
	case DraftValid:
		return "drafted"
	case DraftInvalid:
		return "invalid"
	case DraftError:
		return "error answer"
	}
	return "unknown"
}

// Draft is the answer being written for a pending call (or the messages of a
// resume).
type Draft struct {
	State DraftState
	// Text is the answer as the user edited it (kept in every state, so the
	// editor reopens on exactly what was written).
	Text string
	// Value is the compacted JSON that will be sent (DraftValid,
	// DraftError).
	Value json.RawMessage
	// Err is the parse error of an invalid draft, with its position:
	// "line 3, column 5: invalid character '}' ...".
	Err string
	// Line and Column are the 1-based position of the parse error, 0 when
	// none.
	Line, Column int
	// Reason is the error text of a DraftError answer.
	Reason string
	auto   string // the rule that wrote this draft (auto.go)
}

// Answered reports whether the draft can be sent: a valid value or an error
// answer.
func (d Draft) Answered() bool { return d.State == DraftValid || d.State == DraftError }

// PendingCall is a tool call the execution waits for, with its answer.
type PendingCall struct {
	// Await is what the execution asked for; its ExecutionID is the id on
	// the await frame, the one its resume targets.
	api.Await
	// Since is when it started waiting: the await frame's arrival, else
	// the session clock when it was seen.
	Since time.Time
	Draft Draft
}

// Key returns the toolOutputs key of the call: its toolCallId, or its tool
// name for an await that carried no toolCallId.
func (c *PendingCall) Key() string { return outputKey(c.ToolCallID, c.ToolName) }

// PendingApproval is a human approval the execution waits for.
type PendingApproval struct {
	// Approval is what the execution asks to approve; its Reason is the
	// agent's stated intent.
	api.Approval
	Since time.Time
}

// ParseError is a JSON error with its 1-based position in the text.
type ParseError struct {
	Line, Column int
	Msg          string
}

// Error returns "line L, column C: message".
func (e *ParseError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// parseJSON checks that text is one JSON value and returns it compacted, or
// a *ParseError pointing at the offending character.
func parseJSON(text []byte) (json.RawMessage, error) {
	var raw json.RawMessage
	if err := json.Unmarshal(text, &raw); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			pos := int(se.Offset) - 1 // Offset counts the offending byte
			if se.Error() == "unexpected end of JSON input" {
				pos = len(text)
			}
			return nil, errorAt(text, pos, se.Error())
		}
		return nil, errorAt(text, 0, err.Error())
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return nil, errorAt(text, 0, err.Error())
	}
	return b.Bytes(), nil
}

// errorAt builds a ParseError for byte offset pos of text.
func errorAt(text []byte, pos int, msg string) *ParseError {
	pos = max(0, min(pos, len(text)))
	before := text[:pos]
	line := 1 + bytes.Count(before, []byte{'\n'})
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	col := 1 + utf8.RuneCount(before[lineStart:])
	return &ParseError{Line: line, Column: col, Msg: msg}
}

// draftFrom turns edited text into a draft: empty (only blanks), valid, or
// invalid with the error and its position.
func draftFrom(text string) (Draft, error) {
	if strings.TrimSpace(text) == "" {
		return Draft{}, nil
	}
	v, err := parseJSON([]byte(text))
	if err != nil {
		d := Draft{State: DraftInvalid, Text: text, Err: err.Error()}
		var pe *ParseError
		if errors.As(err, &pe) {
			d.Line, d.Column = pe.Line, pe.Column
		}
		return d, err
	}
	return Draft{State: DraftValid, Text: text, Value: v}, nil
}

// SetDraft stores text as the answer of a pending call (by toolCallId, or
// tool name for an await without one). Valid JSON makes a DraftValid with
// the value compacted; anything else a DraftInvalid that keeps the text and
// returns the parse error (with line and column). Text of only blanks
// clears the draft. An unknown call is an error wrapping ErrUnknownCall.
func (s *Session) SetDraft(toolCallID, text string) error {
	c := s.Call(toolCallID)
	if c == nil {
		return fmt.Errorf("draft for %q: %w", toolCallID, ErrUnknownCall)
	}
	d, err := s.draftFor(c, text)
	c.Draft = d
	s.changed()
	return err
}

// errorResult is the MCP CallToolResult used to answer a call with an
// error on purpose (runtype-protocol.md §4.2).
type errorResult struct {
	Content []errorContent `json:"content"`
	IsError bool           `json:"isError"`
}

type errorContent struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// SetErrorAnswer answers a pending call with an error:
// {"content":[{"type":"text","text":REASON}],"isError":true}.
func (s *Session) SetErrorAnswer(toolCallID, reason string) error {
	c := s.Call(toolCallID)
	if c == nil {
		return fmt.Errorf("error answer for %q: %w", toolCallID, ErrUnknownCall)
	}
	res := errorResult{Content: []errorContent{{Type: "text", Text: reason}}, IsError: true}
	v, err := json.Marshal(res)
	if err != nil {
		return err
	}
	text, _ := json.MarshalIndent(res, "", "  ")
	c.Draft = Draft{State: DraftError, Text: string(text) + "\n", Value: v, Reason: reason}
	s.changed()
	return nil
}

// ClearDraft forgets the answer of a pending call (no-op for an unknown
// call).
func (s *Session) ClearDraft(toolCallID string) {
	if c := s.Call(toolCallID); c != nil {
		c.Draft = Draft{}
		s.changed()
	}
}

// SetMessages stores the messages to send with the next resume. The text
// must be a JSON array; otherwise the draft is invalid, keeps the text, and
// the error is returned. Text of only blanks clears it (no messages sent).
func (s *Session) SetMessages(text string) error {
	d, err := draftFrom(text)
	if err == nil && d.State == DraftValid && (len(d.Value) == 0 || d.Value[0] != '[') {
		// Point at the first character of the value.
		pos := len(text) - len(strings.TrimLeft(text, " \t\r\n"))
		pe := errorAt([]byte(text), pos, "messages must be a JSON array")
		d = Draft{State: DraftInvalid, Text: text, Err: pe.Error(), Line: pe.Line, Column: pe.Column}
		err = pe
	}
	s.messages = d
	s.changed()
	return err
}

// Messages returns the messages draft (DraftEmpty when none).
func (s *Session) Messages() Draft { return s.messages }
