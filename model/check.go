package model

import (
	"encoding/json"
	"errors"
	"strings"
)

// Checker checks answers beyond plain JSON syntax: it reads JSONC (the
// comment header of the editor stub, trailing commas) and validates a value
// against the tool's output schema. The tool catalog implements it; a
// session without one accepts any valid JSON.
type Checker interface {
	// Parse turns edited text into standard JSON. Comments are replaced by
	// blanks rather than removed, so byte offsets (and so the line and
	// column of any later error) still match what the user sees in the
	// editor. A syntax error is a *ParseError.
	Parse(text string) ([]byte, error)
	// Check validates std (the output of Parse) as an answer for toolName.
	// It returns nil when the value fits, or when no schema is known for
	// the tool, else a *ParseError whose Line and Column point at the
	// failing value in std and whose Msg names the field.
	Check(toolName string, std []byte) *ParseError
}

// SetChecker makes every draft set from now on go through c.
func (s *Session) SetChecker(c Checker) { s.checker = c }

// draftFor builds the draft of text for a call, through the checker when
// there is one.
func (s *Session) draftFor(c *PendingCall, text string) (Draft, error) {
	if s.checker == nil {
		return draftFrom(text)
	}
	if strings.TrimSpace(text) == "" {
		return Draft{}, nil
	}
	std, err := s.checker.Parse(text)
	if err == nil {
		// Only a test for emptiness: positions must count from the text
		// as the editor shows it, comment header included.
		if strings.TrimSpace(string(std)) == "" {
			return Draft{}, nil
		}
		var v json.RawMessage
		if v, err = parseJSON(std); err == nil {
			pe := s.checker.Check(c.ToolName, std)
			if pe == nil {
				return Draft{State: DraftValid, Text: text, Value: v}, nil
			}
			// Valid JSON that does not fit the schema keeps its value: a
			// partial resume (!) sends it anyway, for the person who means
			// it.
			return Draft{State: DraftInvalid, Text: text, Value: v, Err: pe.Error(), Line: pe.Line, Column: pe.Column}, pe
		}
	}
	d := Draft{State: DraftInvalid, Text: text, Err: err.Error()}
	var pe *ParseError
	if errors.As(err, &pe) {
		d.Line, d.Column = pe.Line, pe.Column
	}
	return d, err
}
