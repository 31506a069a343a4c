package model

import (
	"time"

	"rtinspect/api"
)

// The executions index: every execution the session's events belong to,
// kept up to date as events fold (O(1) per event), for the executions list
// and the pending pane's execution column.
//
// An execution is keyed by its id and its nesting depth, not by its id
// alone: a nested flow an agent calls reports with the agent's own
// executionId (runtype-protocol.md §2.3), and is still another execution.
// Ids are taken as they come: the virtual_ id an agent's awaits switch to
// (§4.1) is listed beside the exec_ id of its execution_start, because it
// is the id a resume must name.

// Execution is one execution seen in the session.
type Execution struct {
	// ID is the executionId its events carry.
	ID string
	// Kind is "agent" or "flow": from its execution_start, else the kind
	// of the execution it appeared inside (a virtual_ id is the same agent
	// run), else "" when not known.
	Kind string
	// Name is the agent's or flow's name from execution_start, if any.
	Name string
	// Depth is the nesting depth: 0 for the dispatched execution, 1 for a
	// flow that an agent called as a tool, and so on.
	Depth int
	// Parent is the index (in Executions) of the execution it is nested
	// in, -1 at depth 0.
	Parent int
	// Started is set when an execution_start opened it; an id first seen
	// on other events (a virtual_ id on awaits, a resume stream) is not.
	Started bool
	// State is "running", "paused", "completed" or "failed" (or the run's
	// "dropped" / "cancelled"): its own completion or error when one
	// came, else the state of the run, "paused" when one of its calls or
	// approvals waits.
	State string
	// Events counts the events attributed to it, pings included. An event
	// with no executionId (most legacy frames) counts for the execution
	// last seen at its depth.
	Events int
	// FirstEvent is the index (Session.Event) of its first event.
	FirstEvent int
	// FirstSeen is when its first event arrived.
	FirstSeen time.Time

	// end is its own terminal state ("completed", "failed"), "" while none.
	end string
}

// execKey identifies an execution in the index.
type execKey struct {
	id    string
	depth int
}

// execIndex maps events to executions. current holds, per depth, the
// execution last seen there: events without an id go to it, and a new id
// takes its kind.
type execIndex struct {
	list    []Execution
	byKey   map[execKey]int
	ids     map[string]struct{}
	current []int
	// last caches the previous event's key: runs of deltas all belong to
	// one execution, and the cache spares them the map lookup.
	last    execKey
	lastIdx int
}

func newExecIndex() execIndex {
	return execIndex{byKey: make(map[execKey]int), ids: make(map[string]struct{}), lastIdx: -1}
}

// observe attributes event e (index idx, at depth) of session s to its
// execution, opening one when needed.
func (x *execIndex) observe(s *Session, e *api.Event, idx, depth int) {
	id := e.ExecutionID
	if id == "" {
		// No id (legacy frames): the execution open at this depth, else
		// the nearest one above it.
		for d := min(depth, len(x.current)-1); d >= 0; d-- {
			if i := x.current[d]; i >= 0 {
				x.count(i, e)
				return
			}
		}
		return
	}
	k := execKey{id, depth}
	if e.Type != api.TypeExecutionStart && x.lastIdx >= 0 && x.last == k {
		x.count(x.lastIdx, e)
		return
	}
	i, ok := x.byKey[k]
	if !ok || e.Type == api.TypeExecutionStart {
		// execution_start always opens a new execution, even under a known
		// key: an agent may call the same nested flow twice.
		at := e.Frame.At
		if at.IsZero() {
			at = s.now()
		}
		// The session's kind names a top-level id nothing else names the
		// kind of (a resume stream has no execution_start).
		i = x.open(e, idx, depth, at, s.tracker.Kind())
	}
	for len(x.current) <= depth {
		x.current = append(x.current, -1)
	}
	x.current[depth] = i
	x.last, x.lastIdx = k, i
	x.count(i, e)
}

func (x *execIndex) open(e *api.Event, idx, depth int, at time.Time, fallbackKind string) int {
	ex := Execution{ID: e.ExecutionID, Depth: depth, Parent: -1, FirstEvent: idx, FirstSeen: at}
	if depth > 0 && depth-1 < len(x.current) {
		ex.Parent = x.current[depth-1]
	}
	if e.Type == api.TypeExecutionStart {
		ex.Started, ex.Kind, ex.Name = true, e.Kind, e.Name
	}
	if ex.Kind == "" && depth < len(x.current) && x.current[depth] >= 0 {
		// A new id at a known depth: the same run under another id
		// (exec_ to virtual_, §4.1).
		ex.Kind = x.list[x.current[depth]].Kind
	}
	if ex.Kind == "" && depth == 0 {
		ex.Kind = fallbackKind
	}
	x.list = append(x.list, ex)
	i := len(x.list) - 1
	x.byKey[execKey{ex.ID, depth}] = i
	x.ids[ex.ID] = struct{}{}
	return i
}

// count adds e to execution i and records its end.
func (x *execIndex) count(i int, e *api.Event) {
	ex := &x.list[i]
	ex.Events++
	switch e.Type {
	case api.TypeExecutionComplete:
		ex.end = "completed"
		if e.Success != nil && !*e.Success {
			ex.end = "failed"
		}
	case api.TypeExecutionError:
		ex.end = "failed"
	}
}

// ExecutionCount returns the number of executions the session has seen.
func (s *Session) ExecutionCount() int { return len(s.execs.list) }

// ExecutionIDCount returns the number of distinct execution ids seen: an
// agent and the nested flow it called share one id, an exec_ id and the
// virtual_ id of its awaits are two.
func (s *Session) ExecutionIDCount() int { return len(s.execs.ids) }

// Executions returns every execution seen, in the order they first
// appeared, each with its current State. The slice is a fresh copy; it
// costs one pass over the executions (a handful) and the pending items.
func (s *Session) Executions() []Execution {
	out := make([]Execution, len(s.execs.list))
	copy(out, s.execs.list)
	waiting := make(map[string]bool, len(s.pending)+len(s.approvals))
	for _, c := range s.pending {
		waiting[c.ExecutionID] = true
	}
	for _, a := range s.approvals {
		waiting[a.ExecutionID] = true
	}
	for i := range out {
		out[i].State = s.executionState(&out[i], waiting)
	}
	return out
}

func (s *Session) executionState(ex *Execution, waiting map[string]bool) string {
	switch {
	case ex.end != "":
		return ex.end
	case waiting[ex.ID]:
		return "paused"
	}
	switch st := s.state; st {
	case api.RunStreaming, api.RunSending, api.RunIdle:
		return "running"
	default:
		// An execution with no end of its own ended with the run: the
		// exec_ id of an agent whose completion came under its virtual_
		// id, a nested flow cut short by a failure.
		return st.String()
	}
}
