package api

import (
	"context"
	"errors"
)

// Tracker is the run state machine of runtype-protocol.md §2.3.
//
// It follows one execution across its HTTP streams (the dispatch stream and
// every resume / approve continuation): it counts execution nesting, notices
// the terminal success or failure, and keeps the awaits and approvals that
// are still open when a stream ends, because a pause is signalled only by the
// server closing the connection right after them.
//
// A Tracker is not safe for concurrent use; one goroutine feeds it.
type Tracker struct {
	kind  string
	state RunState
	depth int

	// terminal is set once the run ended in this stream; failed says how.
	terminal bool
	failed   bool
	failure  string

	awaits    []Await
	approvals []Approval
}

// Change says what one observed event changed, as bit flags, so a caller can
// react (for example raise the pending-calls pane) without diffing state.
type Change uint8

// Change flags returned by Tracker.Observe.
const (
	// ChangeAwait: a new await opened.
	ChangeAwait Change = 1 << iota
	// ChangeApproval: a new approval opened.
	ChangeApproval
	// ChangeTerminal: the run ended (success or failure).
	ChangeTerminal
	// ChangeResolved: an open await or approval was closed by the stream
	// (tool_complete for its toolCallId, approval_complete).
	ChangeResolved
)

// Has reports whether every flag of f is set in c.
func (c Change) Has(f Change) bool { return c&f == f && f != 0 }

// NewTracker returns an idle tracker.
func NewTracker() *Tracker { return &Tracker{state: RunIdle} }

// SetKind remembers whether the execution is an "agent" or a "flow". The
// caller sets it from the dispatch request because resume streams carry no
// execution_start; an execution_start at depth 0 sets it too.
func (t *Tracker) SetKind(kind string) { t.kind = kind }

// Kind returns "agent", "flow" or "" when not known yet.
func (t *Tracker) Kind() string { return t.kind }

// BeginStream starts a new HTTP response stream (dispatch or continuation).
// Depth restarts at 0 because a resume stream has no execution_start, so
// any completion at depth <= 0 is terminal. Open awaits and approvals are
// kept: the caller resolves the ones it answered with Resolve and
// ResolveApproval, and the stream may re-emit the others.
func (t *Tracker) BeginStream() {
	t.depth = 0
	t.terminal = false
	t.failed = false
	t.failure = ""
	t.state = RunStreaming
}

// Observe feeds one decoded event and reports what it changed.
func (t *Tracker) Observe(ev *Event) Change {
	if ev == nil {
		return 0
	}
	var ch Change
	switch ev.Type {
	case TypeExecutionStart:
		if t.depth <= 0 && ev.Kind != "" {
			t.kind = ev.Kind
		}
		t.depth++
	case TypeExecutionComplete:
		t.depth--
		if t.depth <= 0 && !t.terminal {
			// Depth back at 0 (or below, on a resume stream that never
			// saw execution_start): the outermost execution finished.
			// A legacy flow_complete can say success:false; that run
			// did not succeed, whatever the event is called.
			t.depth = 0
			if ev.Success != nil && !*ev.Success {
				t.finish(true, firstOf(ev.ErrorMessage, "execution completed without success"))
			} else {
				t.finish(false, "")
			}
			ch |= ChangeTerminal
		}
	case TypeAwait:
		if isApprovalAwait(ev) {
			ch |= t.openApproval(ev)
		} else {
			ch |= t.openAwait(ev)
		}
	case TypeApprovalStart:
		ch |= t.openApproval(ev)
	case TypeApprovalComplete:
		if t.dropApproval(ev.ApprovalID) {
			ch |= ChangeResolved
		}
	case TypeToolComplete:
		if ev.ToolCallID != "" && t.dropAwaitCall(ev.ToolCallID) {
			ch |= ChangeResolved
		}
	}
	if ev.Type == TypeExecutionError {
		// execution_error also closes one level of nesting; the run is
		// failed whatever the depth.
		t.depth--
		if t.depth < 0 {
			t.depth = 0
		}
	}
	if ev.IsTerminalFailure() && !(t.terminal && t.failed) {
		msg := ev.ErrorMessage
		if msg == "" {
			msg = failureFallback(ev)
		}
		t.finish(true, msg)
		ch |= ChangeTerminal
	}
	return ch
}

// finish marks the run over. Awaits and approvals still open are dropped:
// nothing can answer them once the execution has ended.
func (t *Tracker) finish(failed bool, msg string) {
	clear(t.awaits)
	t.awaits = t.awaits[:0]
	clear(t.approvals)
	t.approvals = t.approvals[:0]
	t.terminal = true
	t.failed = failed
	t.failure = msg
	if failed {
		t.state = RunFailed
	} else {
		t.state = RunCompleted
	}
}

func failureFallback(ev *Event) string {
	switch ev.Type {
	case TypeStepComplete:
		if ev.Name != "" {
			return "step " + ev.Name + " failed"
		}
		return "step failed"
	case TypeError:
		return "unrecoverable error"
	}
	return "execution failed"
}

// isApprovalAwait reports whether an await is really an approval pause: the
// unified encoder maps a legacy step_await{approval_required} onto await
// (runtype-protocol.md §4.3, §11.6), so the reason or an approvalId decides.
func isApprovalAwait(ev *Event) bool {
	return ev.AwaitReason == AwaitApproval || ev.ApprovalID != ""
}

func awaitKey(execID, toolCallID, toolName string) string {
	if toolCallID != "" {
		return execID + "\x00c\x00" + toolCallID
	}
	return execID + "\x00n\x00" + toolName
}

func (t *Tracker) openAwait(ev *Event) Change {
	key := awaitKey(ev.ExecutionID, ev.ToolCallID, ev.ToolName)
	for i := range t.awaits {
		a := &t.awaits[i]
		if awaitKey(a.ExecutionID, a.ToolCallID, a.ToolName) == key {
			// A re-emitted await (the server repeats awaits a resume left
			// unanswered): keep the first position, refresh the details.
			a.Event = *ev
			return 0
		}
	}
	t.awaits = append(t.awaits, Await{
		ExecutionID: ev.ExecutionID,
		ToolCallID:  ev.ToolCallID,
		ToolID:      ev.ToolID,
		ToolName:    ev.ToolName,
		AwaitReason: ev.AwaitReason,
		Parameters:  ev.Parameters,
		Event:       *ev,
	})
	return ChangeAwait
}

func (t *Tracker) openApproval(ev *Event) Change {
	id := ev.ApprovalID
	if id == "" {
		// An approval await without an id cannot be answered by id; key it
		// by its call so repeats still collapse.
		id = ev.ToolCallID
		if id == "" {
			id = ev.ToolName
		}
	}
	for i := range t.approvals {
		if t.approvals[i].ApprovalID == id {
			t.approvals[i].Event = *ev
			return 0
		}
	}
	t.approvals = append(t.approvals, Approval{
		ExecutionID: ev.ExecutionID,
		ApprovalID:  id,
		ToolCallID:  ev.ToolCallID,
		ToolName:    ev.ToolName,
		Description: ev.Description,
		Reason:      ev.Reason,
		Parameters:  ev.Parameters,
		Event:       *ev,
	})
	return ChangeApproval
}

func (t *Tracker) dropApproval(id string) bool {
	if id == "" {
		return false
	}
	for i := range t.approvals {
		if t.approvals[i].ApprovalID == id {
			t.approvals = append(t.approvals[:i], t.approvals[i+1:]...)
			return true
		}
	}
	return false
}

// dropAwaitCall closes the awaits for one toolCallId whatever their
// executionId: tool_complete frames may carry the agent's exec_ id while the
// await carried a virtual_ one (runtype-protocol.md §4.1).
func (t *Tracker) dropAwaitCall(toolCallID string) bool {
	n := 0
	for _, a := range t.awaits {
		if a.ToolCallID != toolCallID {
			t.awaits[n] = a
			n++
		}
	}
	dropped := n != len(t.awaits)
	clear(t.awaits[n:])
	t.awaits = t.awaits[:n]
	return dropped
}

// EndStream ends the current stream and returns the resulting state. err is
// nil for a clean end of body. A terminal failure gives RunFailed, a
// terminal success RunCompleted; otherwise open awaits or approvals mean the
// server closed the connection to wait for us (RunPaused); otherwise a
// cancelled context is RunCancelled and anything else RunDropped.
func (t *Tracker) EndStream(err error) RunState {
	switch {
	case t.terminal && t.failed:
		t.state = RunFailed
	case t.terminal:
		t.state = RunCompleted
	case len(t.awaits) > 0 || len(t.approvals) > 0:
		t.state = RunPaused
	case errors.Is(err, context.Canceled):
		t.state = RunCancelled
	default:
		t.state = RunDropped
	}
	return t.state
}

// State returns the current run state.
func (t *Tracker) State() RunState { return t.state }

// Awaits returns the open awaits in arrival order, de-duplicated by
// executionId + toolCallId (toolName when an await has no toolCallId).
// The slice is a copy.
func (t *Tracker) Awaits() []Await {
	if len(t.awaits) == 0 {
		return nil
	}
	return append([]Await(nil), t.awaits...)
}

// Approvals returns the open approvals in arrival order, keyed by
// approvalId. The slice is a copy.
func (t *Tracker) Approvals() []Approval {
	if len(t.approvals) == 0 {
		return nil
	}
	return append([]Approval(nil), t.approvals...)
}

// Resolve closes the awaits of executionID whose toolCallId (or, for an
// await without one, toolName) is in toolCallIDs: a resume answering them
// was sent.
func (t *Tracker) Resolve(executionID string, toolCallIDs []string) {
	if len(toolCallIDs) == 0 {
		return
	}
	answered := make(map[string]struct{}, len(toolCallIDs))
	for _, id := range toolCallIDs {
		answered[id] = struct{}{}
	}
	n := 0
	for _, a := range t.awaits {
		key := a.ToolCallID
		if key == "" {
			key = a.ToolName
		}
		if _, ok := answered[key]; ok && a.ExecutionID == executionID {
			continue
		}
		t.awaits[n] = a
		n++
	}
	clear(t.awaits[n:])
	t.awaits = t.awaits[:n]
}

// ResolveApproval closes the approval with this id: a decision was sent.
func (t *Tracker) ResolveApproval(approvalID string) { t.dropApproval(approvalID) }

// Failure returns the message of the terminal failure, "" if none.
func (t *Tracker) Failure() string { return t.failure }

// Depth returns the current execution nesting depth of this stream.
func (t *Tracker) Depth() int { return t.depth }
