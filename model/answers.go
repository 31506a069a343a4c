package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"rtinspect/api"
)

// Answers is a parsed answers file (product.md "Answers file"): used by
// --answers in headless mode, by the interactive "answer from file" action
// and by replay.
type Answers struct {
	// ToolOutputs are keyed by toolCallId or by tool name.
	ToolOutputs map[string]json.RawMessage
	// Approvals map an approvalId or a tool name to "approved" or
	// "denied".
	Approvals map[string]string
	// Messages is a JSON array, nil when absent.
	Messages json.RawMessage
}

// ApprovalDecision is a decision taken from an answers file for one pending
// approval; the caller sends it with ApproveBody.
type ApprovalDecision struct {
	ApprovalID, ExecutionID, Decision, Reason string
}

// ParseAnswers reads an answers file: a JSON object with the optional keys
// "toolOutputs" (object), "approvals" (object of "approved" / "denied") and
// "messages" (array). Anything else is an error with its line and column,
// so a typo in a key fails loudly instead of leaving calls unanswered.
func ParseAnswers(data []byte) (Answers, error) {
	var a Answers
	if _, err := parseJSON(data); err != nil {
		return a, fmt.Errorf("answers: %w", err)
	}
	start := skipSpace(data, 0)
	if data[start] != '{' {
		return a, fmt.Errorf("answers: %w", errorAt(data, start, "the answers file must be a JSON object"))
	}
	err := walkObject(data, start, func(key string, keyAt, valAt int, raw json.RawMessage) error {
		if string(raw) == "null" {
			return nil
		}
		switch key {
		case "toolOutputs":
			if raw[0] != '{' {
				return errorAt(data, valAt, `"toolOutputs" must be an object keyed by toolCallId or tool name`)
			}
			a.ToolOutputs = map[string]json.RawMessage{}
			return walkObject(data, valAt, func(k string, kAt, _ int, v json.RawMessage) error {
				if k == "" {
					return errorAt(data, kAt, "a toolOutputs key must not be empty")
				}
				var b bytes.Buffer
				_ = json.Compact(&b, v) // valid: the whole file parsed
				a.ToolOutputs[k] = b.Bytes()
				return nil
			})
		case "approvals":
			if raw[0] != '{' {
				return errorAt(data, valAt, `"approvals" must be an object keyed by approvalId or tool name`)
			}
			a.Approvals = map[string]string{}
			return walkObject(data, valAt, func(k string, kAt, vAt int, v json.RawMessage) error {
				if k == "" {
					return errorAt(data, kAt, "an approvals key must not be empty")
				}
				var d string
				if json.Unmarshal(v, &d) != nil || (d != api.DecisionApproved && d != api.DecisionDenied) {
					return errorAt(data, vAt, fmt.Sprintf("approvals[%q] must be %q or %q, not %s",
						k, api.DecisionApproved, api.DecisionDenied, v))
				}
				a.Approvals[k] = d
				return nil
			})
		case "messages":
			if raw[0] != '[' {
				return errorAt(data, valAt, `"messages" must be a JSON array`)
			}
			var b bytes.Buffer
			_ = json.Compact(&b, raw)
			a.Messages = b.Bytes()
			return nil
		}
		return errorAt(data, keyAt, fmt.Sprintf("unknown key %q (want toolOutputs, approvals or messages)", key))
	})
	if err != nil {
		return Answers{}, fmt.Errorf("answers: %w", err)
	}
	return a, nil
}

// walkObject calls fn for each member of the JSON object starting at
// data[off] (already known to be valid JSON), with the byte offsets of the
// member's key and value, so errors can point at them.
func walkObject(data []byte, off int, fn func(key string, keyAt, valAt int, raw json.RawMessage) error) error {
	dec := json.NewDecoder(bytes.NewReader(data[off:]))
	if _, err := dec.Token(); err != nil { // '{'
		return errorAt(data, off, err.Error())
	}
	for dec.More() {
		keyAt := skipSpaceComma(data, off+int(dec.InputOffset()))
		tok, err := dec.Token()
		if err != nil {
			return errorAt(data, keyAt, err.Error())
		}
		key, _ := tok.(string)
		valAt := skipSpaceColon(data, off+int(dec.InputOffset()))
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return errorAt(data, valAt, err.Error())
		}
		if err := fn(key, keyAt, valAt, raw); err != nil {
			return err
		}
	}
	return nil
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && isSpace(data[i]) {
		i++
	}
	return i
}

func skipSpaceComma(data []byte, i int) int {
	for i < len(data) && (isSpace(data[i]) || data[i] == ',') {
		i++
	}
	return i
}

func skipSpaceColon(data []byte, i int) int {
	for i < len(data) && (isSpace(data[i]) || data[i] == ':') {
		i++
	}
	return i
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// ApplyAnswers fills the pending calls from an answers file: a key equal to
// a call's toolCallId answers that call; otherwise a key equal to its tool
// name (with or without the "webmcp:" prefix) answers every pending call of
// that tool. Only calls with no draft at all are filled: an answer already
// written, even an invalid one being fixed, is never overwritten. The
// messages are copied when the file has them and no messages draft exists.
// It returns how many calls it answered, and a decision for every pending
// approval the file covers (by approvalId, else tool name), which the
// caller sends.
func (s *Session) ApplyAnswers(a Answers) (calls int, approvals []ApprovalDecision) {
	for _, c := range s.pending {
		if c.Draft.State != DraftEmpty {
			continue
		}
		v, ok := lookupAnswer(a.ToolOutputs, c.ToolCallID, c.ToolName)
		if !ok {
			continue
		}
		// Through the checker: an answer that does not fit the tool's
		// schema is kept, visibly invalid, rather than dropped.
		d, _ := s.draftFor(c, indentJSON(v))
		if d.State == DraftEmpty {
			continue
		}
		c.Draft = d
		if d.State == DraftValid {
			calls++
		}
	}
	if len(a.Messages) > 0 && string(a.Messages) != "null" && s.messages.State == DraftEmpty {
		_ = s.SetMessages(indentJSON(a.Messages)) // an invalid one stays visible as a draft
	}
	for _, p := range s.approvals {
		d, ok := a.Approvals[p.ApprovalID]
		if !ok {
			d, ok = lookupName(a.Approvals, p.ToolName)
		}
		if !ok || (d != api.DecisionApproved && d != api.DecisionDenied) {
			continue
		}
		approvals = append(approvals, ApprovalDecision{
			ApprovalID:  p.ApprovalID,
			ExecutionID: p.ExecutionID,
			Decision:    d,
		})
	}
	if calls > 0 || len(a.Messages) > 0 {
		s.changed()
	}
	return calls, approvals
}

func lookupAnswer(m map[string]json.RawMessage, toolCallID, toolName string) (json.RawMessage, bool) {
	if toolCallID != "" {
		if v, ok := m[toolCallID]; ok {
			return v, true
		}
	}
	return lookupName(m, toolName)
}

// lookupName finds a tool by name; page tools are "webmcp:NAME" on the flow
// path and bare on the agent path (§4.1), so either spelling matches.
func lookupName[V any](m map[string]V, toolName string) (V, bool) {
	var zero V
	if toolName == "" {
		return zero, false
	}
	if v, ok := m[toolName]; ok {
		return v, true
	}
	if bare, ok := strings.CutPrefix(toolName, "webmcp:"); ok {
		v, ok := m[bare]
		return v, ok
	}
	v, ok := m["webmcp:"+toolName]
	return v, ok
}

// indentJSON pretty-prints a value for the editor (the raw text when it is
// not valid JSON).
func indentJSON(v json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Indent(&b, v, "", "  "); err != nil {
		return string(v)
	}
	b.WriteByte('\n')
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
