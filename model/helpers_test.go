package model

import (
	"encoding/json"
	"testing"
	"time"

	"rtinspect/api"
)

// t0 is the fixed clock of every test session.
var t0 = time.Date(2026, 6, 20, 10, 0, 0, 0, time.UTC)

func newTestSession() *Session {
	s := NewSession()
	s.Now = func() time.Time { return t0 }
	return s
}

// e builds a known unified event; opts fill the rest.
func e(typ, exec string, opts ...func(*api.Event)) api.Event {
	ev := api.Event{Type: typ, Source: typ, Vocab: api.VocabUnified, Known: true, ExecutionID: exec, Seq: -1}
	for _, o := range opts {
		o(&ev)
	}
	return ev
}

func id(v string) func(*api.Event)    { return func(e *api.Event) { e.ID = v } }
func delta(v string) func(*api.Event) { return func(e *api.Event) { e.Delta = v } }
func text(v string) func(*api.Event)  { return func(e *api.Event) { e.Text = v } }
func kind(v string) func(*api.Event)  { return func(e *api.Event) { e.Kind = v } }
func call(callID, name string) func(*api.Event) {
	return func(e *api.Event) { e.ToolCallID, e.ToolName = callID, name }
}
func params(js string) func(*api.Event) {
	return func(e *api.Event) { e.Parameters = json.RawMessage(js) }
}
func result(js string) func(*api.Event)   { return func(e *api.Event) { e.Result = json.RawMessage(js) } }
func success(ok bool) func(*api.Event)    { return func(e *api.Event) { e.Success = &ok } }
func errMsg(m string) func(*api.Event)    { return func(e *api.Event) { e.ErrorMessage = m } }
func approval(id string) func(*api.Event) { return func(e *api.Event) { e.ApprovalID = id } }

func textBlock(exec, blockID string, deltas ...string) []api.Event {
	evs := []api.Event{e(api.TypeTextStart, exec, id(blockID))}
	full := ""
	for _, d := range deltas {
		evs = append(evs, e(api.TypeTextDelta, exec, id(blockID), delta(d)))
		full += d
	}
	return append(evs, e(api.TypeTextComplete, exec, id(blockID), text(full)))
}

func await(exec, callID, name, args string) api.Event {
	return e(api.TypeAwait, exec, call(callID, name), params(args), func(ev *api.Event) {
		ev.AwaitReason = api.AwaitLocalTool
		ev.ToolID = "runtime_" + name + "_1"
	})
}

// parallelPause is transcript 9b: two add_to_cart calls, awaits carrying a
// virtual_ execution id that differs from execution_start's.
func parallelPause() []api.Event {
	const ex, vx = "exec_dfa82c9d", "virtual_1781574599723_gljgv7bqa"
	evs := []api.Event{
		e(api.TypeExecutionStart, ex, kind("agent")),
		e(api.TypeTurnStart, ex, id("turn_a1"), func(e *api.Event) { e.Role, e.Iteration = "assistant", 1 }),
	}
	evs = append(evs, textBlock(ex, "text_1", "Adding ", "both now.")...)
	return append(evs,
		e(api.TypeToolStart, ex, call("call_Q1", "add_to_cart"), params(`{"sku":"SHOE-001","qty":1}`)),
		e(api.TypeToolInputComplete, ex, call("call_Q1", "add_to_cart"), params(`{"sku":"SHOE-001","qty":1}`)),
		e(api.TypeToolStart, ex, call("call_Q2", "add_to_cart"), params(`{"sku":"SHOE-007","qty":1}`)),
		e(api.TypeToolInputComplete, ex, call("call_Q2", "add_to_cart"), params(`{"sku":"SHOE-007","qty":1}`)),
		func() api.Event {
			a := await(vx, "call_Q1", "add_to_cart", `{"sku":"SHOE-001","qty":1}`)
			a.Frame.At = t0.Add(time.Second)
			return a
		}(),
		await(vx, "call_Q2", "add_to_cart", `{"sku":"SHOE-007","qty":1}`),
	)
}

const virtualID = "virtual_1781574599723_gljgv7bqa"

// dispatch runs a dispatch request through the session and folds evs as its
// stream, ending it cleanly.
func dispatch(t *testing.T, s *Session, evs []api.Event) api.RunState {
	t.Helper()
	if err := s.Begin(api.Request{Method: "POST", Path: api.PathDispatch, Body: []byte(`{"agent":{"agentId":"a"}}`)}); err != nil {
		t.Fatalf("Begin dispatch: got error %v, want nil", err)
	}
	s.StreamOpened()
	s.ApplyBatch(evs)
	return s.EndStream(nil)
}

// resumeReq turns a resume body into the request the UI would Begin.
func resumeReq(t *testing.T, body api.ResumeRequest) api.Request {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return api.Request{Method: "POST", Path: api.PathResume, Body: b, ExecutionID: body.ExecutionID}
}

func approveReq(t *testing.T, body api.ApproveRequest) api.Request {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return api.Request{Method: "POST", Path: api.PathApprove, Body: b, ExecutionID: body.ExecutionID}
}

// rowsOf returns the rows of one kind.
func rowsOf(s *Session, k RowKind) []*Row {
	var out []*Row
	for i := 0; i < s.RowCount(); i++ {
		if r := s.Row(i); r.Kind == k {
			out = append(out, r)
		}
	}
	return out
}

func pendingIDs(s *Session) []string {
	var ids []string
	for _, c := range s.Pending() {
		ids = append(ids, c.ToolCallID)
	}
	return ids
}
