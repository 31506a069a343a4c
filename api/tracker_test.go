package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"testing"
)

func boolp(b bool) *bool { return &b }

// ev builders keep the tracker tables readable.
func evStart(kind string) Event {
	return Event{Type: TypeExecutionStart, Kind: kind, ExecutionID: "exec_1", Known: true}
}

func evComplete(kind string) Event {
	return Event{Type: TypeExecutionComplete, Kind: kind, ExecutionID: "exec_1", Success: boolp(true), Known: true}
}

func evAwait(exec, call, name string) Event {
	return Event{Type: TypeAwait, ExecutionID: exec, ToolCallID: call, ToolName: name, AwaitReason: AwaitLocalTool, Known: true}
}

func evToolComplete(call string) Event {
	return Event{Type: TypeToolComplete, ToolCallID: call, Success: boolp(true), Known: true}
}

type awaitKeyT struct{ Exec, Call, Name string }

func awaitKeys(as []Await) []awaitKeyT {
	var out []awaitKeyT
	for _, a := range as {
		out = append(out, awaitKeyT{a.ExecutionID, a.ToolCallID, a.ToolName})
	}
	return out
}

func approvalIDs(as []Approval) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.ApprovalID)
	}
	return out
}

// streamStep is one stream of a run: the events it carries, how it ends,
// and what the caller answers before the next one.
type streamStep struct {
	kind     string // SetKind before the stream, when non-empty
	events   []Event
	end      error
	resolve  []string // toolCallIds resolved on resolveExec after the stream
	resExec  string
	approved string // approvalId resolved after the stream
}

func TestTrackerStateMachine(t *testing.T) {
	cases := []struct {
		name      string
		streams   []streamStep
		want      RunState
		wantKind  string
		wantFail  string
		awaits    []awaitKeyT
		approvals []string
		depth     int
	}{
		{
			name: "completed",
			streams: []streamStep{{events: []Event{
				evStart("flow"), {Type: TypeStepStart, ID: "s1"}, {Type: TypeTextDelta, ID: "text_1", Delta: "hi"},
				{Type: TypeStepComplete, ID: "s1", Success: boolp(true)}, evComplete("flow"),
			}}},
			want: RunCompleted, wantKind: "flow",
		},
		{
			name: "failed by execution_error",
			streams: []streamStep{{events: []Event{
				evStart("agent"), {Type: TypeExecutionError, ErrorMessage: "quota exceeded"},
			}}},
			want: RunFailed, wantKind: "agent", wantFail: "quota exceeded",
		},
		{
			name: "failed by execution_error without a message",
			streams: []streamStep{{events: []Event{
				evStart("agent"), {Type: TypeExecutionError},
			}}},
			want: RunFailed, wantKind: "agent", wantFail: "execution failed",
		},
		{
			name: "failed by unrecoverable error",
			streams: []streamStep{{events: []Event{
				evStart("agent"), {Type: TypeError, ErrorMessage: "boom", Recoverable: boolp(false)},
			}}},
			want: RunFailed, wantKind: "agent", wantFail: "boom", depth: 1,
		},
		{
			name: "completion with success false is a failure",
			streams: []streamStep{{events: []Event{
				evStart("flow"), {Type: TypeExecutionComplete, Kind: "flow", Success: boolp(false)},
			}}},
			want: RunFailed, wantKind: "flow", wantFail: "execution completed without success",
		},
		{
			name: "recoverable error is not terminal",
			streams: []streamStep{{events: []Event{
				evStart("agent"), {Type: TypeError, ErrorMessage: "rate limited", Recoverable: boolp(true)}, evComplete("agent"),
			}}},
			want: RunCompleted, wantKind: "agent",
		},
		{
			name: "failed step is terminal",
			streams: []streamStep{{events: []Event{
				evStart("flow"), {Type: TypeStepComplete, Name: "Prompt 1", Success: boolp(false)},
			}}},
			want: RunFailed, wantKind: "flow", wantFail: "step Prompt 1 failed", depth: 1,
		},
		{
			name: "failure is not overwritten by a later completion",
			streams: []streamStep{{events: []Event{
				evStart("flow"), {Type: TypeStepComplete, ErrorMessage: "bad prompt", Success: boolp(false)}, evComplete("flow"),
			}}},
			want: RunFailed, wantKind: "flow", wantFail: "bad prompt",
		},
		{
			name: "paused with two parallel awaits on another execution id",
			streams: []streamStep{{events: []Event{
				evStart("agent"),
				{Type: TypeToolStart, ToolCallID: "call_Q1", ToolName: "add_to_cart"},
				{Type: TypeToolStart, ToolCallID: "call_Q2", ToolName: "add_to_cart"},
				evAwait("virtual_1", "call_Q1", "add_to_cart"),
				evAwait("virtual_1", "call_Q2", "add_to_cart"),
			}}},
			want: RunPaused, wantKind: "agent", depth: 1,
			awaits: []awaitKeyT{{"virtual_1", "call_Q1", "add_to_cart"}, {"virtual_1", "call_Q2", "add_to_cart"}},
		},
		{
			name: "re-emitted awaits are de-duplicated",
			streams: []streamStep{{events: []Event{
				evAwait("virtual_1", "call_Q1", "add_to_cart"),
				evAwait("virtual_1", "call_Q2", "add_to_cart"),
				evAwait("virtual_1", "call_Q1", "add_to_cart"),
				evAwait("virtual_2", "call_Q1", "add_to_cart"),
				evAwait("virtual_1", "", "lookup"),
				evAwait("virtual_1", "", "lookup"),
			}}},
			want: RunPaused,
			awaits: []awaitKeyT{
				{"virtual_1", "call_Q1", "add_to_cart"}, {"virtual_1", "call_Q2", "add_to_cart"},
				{"virtual_2", "call_Q1", "add_to_cart"}, {"virtual_1", "", "lookup"},
			},
		},
		{
			name: "partial resume re-pauses on the missing call",
			streams: []streamStep{
				{kind: "agent", events: []Event{
					evStart("agent"),
					evAwait("virtual_1", "call_Q1", "add_to_cart"),
					evAwait("virtual_1", "call_Q2", "add_to_cart"),
				}, resolve: []string{"call_Q1"}, resExec: "virtual_1"},
				{events: []Event{
					{Type: TypeTurnStart, ID: "turn_2"},
					evAwait("virtual_1", "call_Q2", "add_to_cart"),
				}},
			},
			want: RunPaused, wantKind: "agent",
			awaits: []awaitKeyT{{"virtual_1", "call_Q2", "add_to_cart"}},
		},
		{
			name: "resolve needs the await's execution id",
			streams: []streamStep{{events: []Event{
				evAwait("virtual_1", "call_Q1", "add_to_cart"),
			}, resolve: []string{"call_Q1"}, resExec: "exec_1"}},
			want:   RunPaused,
			awaits: []awaitKeyT{{"virtual_1", "call_Q1", "add_to_cart"}},
		},
		{
			name: "tool_complete for the call closes the await",
			streams: []streamStep{{events: []Event{
				evStart("flow"), evAwait("exec_1", "call_1", "lookup"), evToolComplete("call_1"),
			}}},
			want: RunDropped, wantKind: "flow", depth: 1,
		},
		{
			name: "elicitation await still pauses",
			streams: []streamStep{{events: []Event{
				evStart("agent"), {Type: TypeAwait, ExecutionID: "exec_1", AwaitReason: "elicitation"},
			}}},
			want: RunPaused, wantKind: "agent", depth: 1,
			awaits: []awaitKeyT{{"exec_1", "", ""}},
		},
		{
			name: "nested flow inside an agent does not end the run",
			streams: []streamStep{{events: []Event{
				evStart("agent"),
				{Type: TypeToolStart, ToolCallID: "call_f", ToolName: "run_flow", ToolType: "flow"},
				evStart("flow"), {Type: TypeStepStart, ID: "s1"}, evComplete("flow"),
				evToolComplete("call_f"),
			}}},
			want: RunDropped, wantKind: "agent", depth: 1,
		},
		{
			name: "nested flow then the agent completes",
			streams: []streamStep{{events: []Event{
				evStart("agent"), evStart("flow"), evComplete("flow"), evComplete("agent"),
			}}},
			want: RunCompleted, wantKind: "agent",
		},
		{
			name: "resume stream completes at depth 0",
			streams: []streamStep{
				{kind: "agent", events: []Event{
					evStart("agent"), evAwait("virtual_1", "call_Q1", "add_to_cart"),
				}, resolve: []string{"call_Q1"}, resExec: "virtual_1"},
				{events: []Event{
					{Type: TypeTurnStart, ID: "turn_2"}, {Type: TypeTextDelta, ID: "text_1", Delta: "done"},
					{Type: TypeExecutionComplete, Kind: "agent", Success: boolp(true)},
				}},
			},
			want: RunCompleted, wantKind: "agent",
		},
		{
			name: "kind remembered from the dispatch survives a resume stream",
			streams: []streamStep{
				{kind: "flow", events: []Event{evAwait("exec_1", "c1", "t")}, resolve: []string{"c1"}, resExec: "exec_1"},
				{events: []Event{{Type: TypeExecutionComplete, Success: boolp(true)}}},
			},
			want: RunCompleted, wantKind: "flow",
		},
		{
			name: "approval via approval_start",
			streams: []streamStep{{events: []Event{
				evStart("agent"),
				{Type: TypeApprovalStart, ExecutionID: "exec_1", ApprovalID: "appr_1", ToolCallID: "toolu_1", ToolName: "send_email"},
			}}},
			want: RunPaused, wantKind: "agent", depth: 1, approvals: []string{"appr_1"},
		},
		{
			name: "approval via await approval_required",
			streams: []streamStep{{events: []Event{
				evStart("flow"),
				{Type: TypeAwait, ExecutionID: "exec_1", AwaitReason: AwaitApproval, ApprovalID: "appr_2", ToolName: "send_email"},
			}}},
			want: RunPaused, wantKind: "flow", depth: 1, approvals: []string{"appr_2"},
		},
		{
			name: "await carrying an approvalId is an approval",
			streams: []streamStep{{events: []Event{
				{Type: TypeAwait, ExecutionID: "exec_1", ApprovalID: "appr_3", ToolName: "send_email"},
			}}},
			want: RunPaused, approvals: []string{"appr_3"},
		},
		{
			name: "approval answered and then completed",
			streams: []streamStep{
				{events: []Event{
					evStart("agent"),
					{Type: TypeApprovalStart, ApprovalID: "appr_1", ToolName: "send_email"},
				}, approved: "appr_1"},
				{events: []Event{
					{Type: TypeApprovalComplete, ApprovalID: "appr_1", Decision: DecisionApproved},
					evToolComplete("toolu_1"), {Type: TypeExecutionComplete, Success: boolp(true)},
				}},
			},
			want: RunCompleted, wantKind: "agent",
		},
		{
			name: "dropped",
			streams: []streamStep{{events: []Event{
				evStart("flow"), {Type: TypeTextDelta, Delta: "half"},
			}, end: io.ErrUnexpectedEOF}},
			want: RunDropped, wantKind: "flow", depth: 1,
		},
		{
			name:    "clean end with nothing open is dropped",
			streams: []streamStep{{events: []Event{evStart("flow")}}},
			want:    RunDropped, wantKind: "flow", depth: 1,
		},
		{
			name: "cancelled",
			streams: []streamStep{{events: []Event{
				evStart("agent"),
			}, end: fmt.Errorf("stream: %w", context.Canceled)}},
			want: RunCancelled, wantKind: "agent", depth: 1,
		},
		{
			name: "terminal wins over cancellation",
			streams: []streamStep{{events: []Event{
				evStart("agent"), evComplete("agent"),
			}, end: context.Canceled}},
			want: RunCompleted, wantKind: "agent",
		},
		{
			name: "paused wins over a dropped connection",
			streams: []streamStep{{events: []Event{
				evAwait("exec_1", "c1", "t"),
			}, end: errors.New("stream dropped: unexpected EOF")}},
			want: RunPaused, awaits: []awaitKeyT{{"exec_1", "c1", "t"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr := NewTracker()
			if got := tr.State(); got != RunIdle {
				t.Fatalf("initial State() = %v, want idle", got)
			}
			var end RunState
			for _, st := range tc.streams {
				if st.kind != "" {
					tr.SetKind(st.kind)
				}
				tr.BeginStream()
				if got := tr.State(); got != RunStreaming {
					t.Fatalf("State() after BeginStream = %v, want streaming", got)
				}
				for i := range st.events {
					tr.Observe(&st.events[i])
				}
				end = tr.EndStream(st.end)
				if len(st.resolve) > 0 {
					tr.Resolve(st.resExec, st.resolve)
				}
				if st.approved != "" {
					tr.ResolveApproval(st.approved)
				}
			}
			if end != tc.want {
				t.Errorf("EndStream = %v, want %v", end, tc.want)
			}
			if got := tr.State(); got != tc.want {
				t.Errorf("State() = %v, want %v", got, tc.want)
			}
			if got := tr.Kind(); got != tc.wantKind {
				t.Errorf("Kind() = %q, want %q", got, tc.wantKind)
			}
			if got := tr.Failure(); got != tc.wantFail {
				t.Errorf("Failure() = %q, want %q", got, tc.wantFail)
			}
			if got := awaitKeys(tr.Awaits()); !reflect.DeepEqual(got, tc.awaits) {
				t.Errorf("Awaits() = %v, want %v", got, tc.awaits)
			}
			if got := approvalIDs(tr.Approvals()); !reflect.DeepEqual(got, tc.approvals) {
				t.Errorf("Approvals() = %v, want %v", got, tc.approvals)
			}
			if got := tr.Depth(); got != tc.depth {
				t.Errorf("Depth() = %d, want %d", got, tc.depth)
			}
		})
	}
}

func TestTrackerObserveChanges(t *testing.T) {
	cases := []struct {
		name   string
		events []Event
		want   []Change
	}{
		{
			name:   "await opens once",
			events: []Event{evAwait("x", "c1", "t"), evAwait("x", "c1", "t"), evAwait("x", "c2", "t")},
			want:   []Change{ChangeAwait, 0, ChangeAwait},
		},
		{
			name: "approval opens and resolves",
			events: []Event{
				{Type: TypeApprovalStart, ApprovalID: "a1"},
				{Type: TypeApprovalStart, ApprovalID: "a1"},
				{Type: TypeApprovalComplete, ApprovalID: "a1", Decision: DecisionDenied},
				{Type: TypeApprovalComplete, ApprovalID: "a1", Decision: DecisionDenied},
			},
			want: []Change{ChangeApproval, 0, ChangeResolved, 0},
		},
		{
			name:   "tool_complete resolves only a matching await",
			events: []Event{evAwait("x", "c1", "t"), evToolComplete("c9"), evToolComplete("c1")},
			want:   []Change{ChangeAwait, 0, ChangeResolved},
		},
		{
			name:   "nested completion is not terminal",
			events: []Event{evStart("agent"), evStart("flow"), evComplete("flow"), evComplete("agent"), evComplete("agent")},
			want:   []Change{0, 0, 0, ChangeTerminal, 0},
		},
		{
			name:   "execution_error at depth 2 is terminal",
			events: []Event{evStart("agent"), evStart("flow"), {Type: TypeExecutionError, ErrorMessage: "x"}},
			want:   []Change{0, 0, ChangeTerminal},
		},
		{
			name:   "completion on a resume stream is terminal",
			events: []Event{{Type: TypeExecutionComplete}},
			want:   []Change{ChangeTerminal},
		},
		{
			name:   "nil event",
			events: nil,
			want:   nil,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr := NewTracker()
			tr.BeginStream()
			if tc.events == nil {
				if got := tr.Observe(nil); got != 0 {
					t.Errorf("Observe(nil) = %b, want 0", got)
				}
				return
			}
			var got []Change
			for i := range tc.events {
				got = append(got, tr.Observe(&tc.events[i]))
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("changes = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestTrackerKindFromNestedStart(t *testing.T) {
	tr := NewTracker()
	tr.BeginStream()
	for _, e := range []Event{evStart("agent"), evStart("flow")} {
		tr.Observe(&e)
	}
	if got, want := tr.Kind(), "agent"; got != want {
		t.Errorf("Kind() = %q, want %q (a nested flow must not change it)", got, want)
	}
	if got, want := tr.Depth(), 2; got != want {
		t.Errorf("Depth() = %d, want %d", got, want)
	}
}

func TestTrackerAwaitsAreCopies(t *testing.T) {
	tr := NewTracker()
	tr.BeginStream()
	a := evAwait("x", "c1", "t")
	tr.Observe(&a)
	got := tr.Awaits()
	got[0].ToolCallID = "mutated"
	if again := tr.Awaits(); again[0].ToolCallID != "c1" {
		t.Errorf("Awaits()[0].ToolCallID = %q after mutating a copy, want c1", again[0].ToolCallID)
	}
}

func TestChangeHas(t *testing.T) {
	c := ChangeAwait | ChangeTerminal
	cases := []struct {
		name string
		f    Change
		want bool
	}{
		{"await", ChangeAwait, true},
		{"terminal", ChangeTerminal, true},
		{"approval", ChangeApproval, false},
		{"both", ChangeAwait | ChangeTerminal, true},
		{"zero", 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.Has(tc.f); got != tc.want {
				t.Errorf("Has(%b) = %v, want %v", tc.f, got, tc.want)
			}
		})
	}
}
