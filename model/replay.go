package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"rtinspect/api"
	"rtinspect/api/record"
)

// RecordedAnswers are the answers a recording sent (tool outputs, approval
// decisions, resume messages), learned so a replay can answer the new run's
// pauses with them.
//
// Tool call ids change between runs, so recorded answers are matched to new
// pending calls by tool name and occurrence order: the second call to
// add_to_cart in the new run gets the second recorded answer to add_to_cart.
// Arguments that differ from the recorded call's are reported as warnings,
// not refused: the user decides whether the difference matters. Tool names
// are compared without the "webmcp:" prefix, which only the flow path puts
// on page tools (§4.1).
type RecordedAnswers struct {
	outputs   map[string][]recordedOutput
	approvals map[string][]recordedDecision
	// messages holds each resume's messages (nil when it sent none), in
	// the order the resumes were sent.
	messages []json.RawMessage

	// Cursors per tool name persist across pauses: the Nth call to a tool
	// anywhere in the new run gets the Nth recorded answer.
	outNext  map[string]int
	apprNext map[string]int
	msgNext  int
	// counted remembers the calls already numbered, so calling Apply
	// again at the same pause (or after the user cleared a draft) does
	// not give a call the answer that belongs to a later one; decided
	// does the same for approvals and returns their decision again.
	counted map[callKey]bool
	decided map[string]ApprovalDecision
}

// recordedOutput is one tool output the recording sent, with the call it
// answered.
type recordedOutput struct {
	ToolName   string
	ToolCallID string // the recorded call's id, for messages only
	Parameters json.RawMessage
	Output     json.RawMessage
	// Resolved says the output was matched to a recorded pending call,
	// so Parameters are that call's arguments.
	Resolved bool
}

// recordedDecision is one approval decision the recording sent.
type recordedDecision struct {
	ToolName, Decision, Reason string
}

// ReplayWarning says a new pending call was answered from the recording
// although its arguments differ from the recorded call's.
type ReplayWarning struct {
	// ToolName and ToolCallID name the new call.
	ToolName, ToolCallID string
	// Recorded and Got are the recorded and the new arguments, as
	// canonical JSON (keys sorted, compact).
	Recorded, Got string
	// Msg says it in one line.
	Msg string
}

// learning is a resume or approval waiting for its response: what it
// answered counts only once its stream opened, since a refused request
// (a 404, a 400) answered nothing and is usually sent again.
type learning struct {
	outputs  map[string][]recordedOutput
	order    []string // tool names in the order their first output came
	decision *recordedDecision
	messages json.RawMessage
	isResume bool
}

// LearnAnswers folds the recording with a Player and, at every resume or
// approve request, works out which pending call each answer went to: a
// toolOutputs key is resolved to the pending call with that toolCallId,
// else to the pending calls of that tool name; an approval's decision to
// its approval's tool name. Outputs are queued per tool name in the order
// the calls were awaited. A key that matches no pending call is kept under
// the key itself, read as a tool name.
func LearnAnswers(rec *record.Recording) *RecordedAnswers {
	r := &RecordedAnswers{
		outputs:   map[string][]recordedOutput{},
		approvals: map[string][]recordedDecision{},
		outNext:   map[string]int{},
		apprNext:  map[string]int{},
		counted:   map[callKey]bool{},
		decided:   map[string]ApprovalDecision{},
	}
	p := NewPlayer(rec)
	waiting := map[int]*learning{}
	for p.Pos() < p.Len() {
		rc := p.Record(p.Pos())
		switch rc.Kind {
		case record.KindRequest:
			// Resolve against the calls pending just before the request.
			if l := learnRequest(p.Session(), &rc); l != nil {
				waiting[rc.Stream] = l
			}
		case record.KindResponse:
			if l := waiting[rc.Stream]; l != nil {
				delete(waiting, rc.Stream)
				if rc.Status >= 200 && rc.Status <= 299 && isEventStream(rc.ContentType) {
					r.commit(l)
				}
			}
		case record.KindFrame:
			// Frames without a response line (a damaged file) still show
			// the request was accepted.
			if l := waiting[rc.Stream]; l != nil {
				delete(waiting, rc.Stream)
				r.commit(l)
			}
		case record.KindEnd:
			if l := waiting[rc.Stream]; l != nil {
				delete(waiting, rc.Stream)
				if rc.Reason != record.EndError {
					r.commit(l)
				}
			}
		}
		p.Step()
	}
	return r
}

// commit adds what an accepted request answered.
func (r *RecordedAnswers) commit(l *learning) {
	for _, name := range l.order {
		r.outputs[name] = append(r.outputs[name], l.outputs[name]...)
	}
	if l.decision != nil {
		name := toolKey(l.decision.ToolName)
		r.approvals[name] = append(r.approvals[name], *l.decision)
	}
	if l.isResume {
		r.messages = append(r.messages, l.messages)
	}
}

// learnRequest reads what a resume or approve request answers, resolved
// against the session's pending calls and approvals; nil for any other
// request.
func learnRequest(s *Session, rc *record.Record) *learning {
	switch rc.Path {
	case api.PathResume:
		var b api.ResumeRequest
		if json.Unmarshal(rc.Body, &b) != nil {
			return nil
		}
		l := &learning{outputs: map[string][]recordedOutput{}, isResume: true}
		if len(b.Messages) > 0 && string(b.Messages) != "null" {
			l.messages = b.Messages
		}
		used := map[string]bool{}
		add := func(name, callID string, params, out json.RawMessage, resolved bool) {
			k := toolKey(name)
			if _, ok := l.outputs[k]; !ok {
				l.order = append(l.order, k)
			}
			l.outputs[k] = append(l.outputs[k], recordedOutput{
				ToolName: name, ToolCallID: callID, Parameters: params, Output: out, Resolved: resolved,
			})
		}
		// Pending order is await order, the order the next run's
		// occurrence counting follows.
		for _, c := range s.Pending() {
			key := ""
			if _, ok := b.ToolOutputs[c.Key()]; ok {
				// toolCallIds are unique for the run: no need to check
				// the execution.
				key = c.Key()
			} else if k, ok := nameKey(b.ToolOutputs, c.ToolName); ok &&
				(b.ExecutionID == "" || b.ExecutionID == c.ExecutionID) {
				// A tool-name key answers every pending call of that
				// tool in the execution resumed (the answers-file rule).
				key = k
			}
			if key == "" {
				continue
			}
			used[key] = true
			add(c.ToolName, c.ToolCallID, c.Parameters, b.ToolOutputs[key], true)
		}
		for _, key := range sortedKeys(b.ToolOutputs) {
			if !used[key] {
				add(key, "", nil, b.ToolOutputs[key], false)
			}
		}
		return l
	case api.PathApprove:
		var b api.ApproveRequest
		if json.Unmarshal(rc.Body, &b) != nil || b.Decision == "" {
			return nil
		}
		d := recordedDecision{Decision: b.Decision, Reason: b.Reason}
		if a := s.Approval(b.ApprovalID); a != nil {
			d.ToolName = a.ToolName
		}
		return &learning{decision: &d}
	}
	return nil
}

// nameKey finds the toolOutputs key that names a tool, with or without
// the "webmcp:" prefix.
func nameKey(m map[string]json.RawMessage, toolName string) (string, bool) {
	if toolName == "" {
		return "", false
	}
	bare := toolKey(toolName)
	for _, k := range []string{toolName, bare, "webmcp:" + bare} {
		if _, ok := m[k]; ok {
			return k, true
		}
	}
	return "", false
}

// toolKey is the name recorded answers are queued by: the tool name
// without the "webmcp:" prefix, which the flow path adds and the agent
// path does not.
func toolKey(name string) string {
	bare, _ := strings.CutPrefix(name, "webmcp:")
	return bare
}

// Apply fills the session's pending calls from the recording. Each new
// pending call, in order, takes the next recorded output for its tool name
// (a cursor per tool that persists across pauses, so the Nth call to a tool
// in the new run gets the Nth recorded answer); it becomes the call's draft
// when the draft is empty, and a call whose arguments differ from the
// recorded call's gets a warning. Calls with no recorded answer left stay
// empty. At a pause with new calls, the messages of the matching recorded
// resume (the Nth resume for the Nth such pause) become the messages
// draft, unless one exists. Each pending approval gets the next recorded
// decision for its tool name, returned for the caller to send. Calling
// Apply again on the same pause changes nothing and returns the same
// decisions.
func (r *RecordedAnswers) Apply(s *Session) (filled int, warnings []ReplayWarning, approvals []ApprovalDecision) {
	newCalls := 0
	for _, c := range s.Pending() {
		k := callKey{c.ExecutionID, c.Key()}
		if r.counted[k] {
			continue
		}
		newCalls++
		// Every new call is an occurrence of its tool, answered here or
		// not: a call the user already answered still uses up its
		// recorded answer, so the next call gets the next one.
		r.counted[k] = true
		name := toolKey(c.ToolName)
		q := r.outputs[name]
		i := r.outNext[name]
		if i >= len(q) {
			continue
		}
		r.outNext[name] = i + 1
		if c.Draft.State != DraftEmpty {
			continue
		}
		rec := q[i]
		if err := s.SetDraft(c.Key(), indentJSON(rec.Output)); err != nil {
			// Recorded outputs were sent as JSON, so this is a damaged
			// body; leave the call for the user.
			s.ClearDraft(c.Key())
			continue
		}
		filled++
		if !rec.Resolved {
			// The recorded key matched no pending call: its arguments
			// are unknown, so there is nothing to compare.
			continue
		}
		if want, got := canonicalJSON(rec.Parameters), canonicalJSON(c.Parameters); want != got {
			warnings = append(warnings, ReplayWarning{
				ToolName:   c.ToolName,
				ToolCallID: c.ToolCallID,
				Recorded:   want,
				Got:        got,
				Msg: fmt.Sprintf("%s %s: arguments differ from the recorded call: recorded %s, got %s",
					c.ToolName, c.ToolCallID, orNone(oneLine(want, maxSummary)), orNone(oneLine(got, maxSummary))),
			})
		}
	}
	if newCalls > 0 && r.msgNext < len(r.messages) {
		m := r.messages[r.msgNext]
		r.msgNext++
		if len(m) > 0 && s.Messages().State == DraftEmpty {
			_ = s.SetMessages(indentJSON(m)) // an invalid one stays visible as a draft
		}
	}
	for _, a := range s.Approvals() {
		if d, ok := r.decided[a.ApprovalID]; ok {
			approvals = append(approvals, d)
			continue
		}
		name := toolKey(a.ToolName)
		q := r.approvals[name]
		i := r.apprNext[name]
		if i >= len(q) {
			continue
		}
		r.apprNext[name] = i + 1
		d := ApprovalDecision{
			ApprovalID:  a.ApprovalID,
			ExecutionID: a.ExecutionID,
			Decision:    q[i].Decision,
			Reason:      q[i].Reason,
		}
		r.decided[a.ApprovalID] = d
		approvals = append(approvals, d)
	}
	return filled, warnings, approvals
}

// Remaining returns, per tool name (without "webmcp:"), how many recorded
// tool outputs have not been used; tools with none left are absent.
func (r *RecordedAnswers) Remaining() map[string]int {
	out := map[string]int{}
	for name, q := range r.outputs {
		if n := len(q) - r.outNext[name]; n > 0 {
			out[name] = n
		}
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// canonicalJSON renders a JSON value with object keys sorted, compact and
// without HTML escaping, so two values that mean the same compare equal as
// text. Absent and null are both "". Invalid JSON is returned as is.
func canonicalJSON(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	// Numbers keep their text: 1.0 and 1 are different answers to a tool.
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return string(raw)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return string(raw)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// Last returns the last answer the recording sent to each tool (keyed by
// the bare tool name): the inspector offers it as the stub of the tool's
// next call when no schema says better.
func (r *RecordedAnswers) Last() map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	if r == nil {
		return out
	}
	for name, q := range r.outputs {
		if len(q) > 0 {
			out[name] = q[len(q)-1].Output
		}
	}
	return out
}
