package model

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"rtinspect/api"
)

func TestParallelAwaitsResumeTargetsAwaitExecution(t *testing.T) {
	s := newTestSession()
	if got, want := dispatch(t, s, parallelPause()), api.RunPaused; got != want {
		t.Fatalf("EndStream() = %v, want %v", got, want)
	}
	if got, want := pendingIDs(s), []string{"call_Q1", "call_Q2"}; !slices.Equal(got, want) {
		t.Fatalf("Pending() = %v, want %v", got, want)
	}
	if got, want := s.ExecutionID(), virtualID; got != want {
		t.Errorf("ExecutionID() = %q, want %q", got, want)
	}
	if got, want := s.Kind(), "agent"; got != want {
		t.Errorf("Kind() = %q, want %q", got, want)
	}
	c1 := s.Call("call_Q1")
	if got, want := c1.Since, t0.Add(time.Second); !got.Equal(want) {
		t.Errorf("call_Q1 Since = %v, want %v (the await frame's arrival)", got, want)
	}
	if got, want := s.Call("call_Q2").Since, t0; !got.Equal(want) {
		t.Errorf("call_Q2 Since = %v, want %v (the clock: no frame time)", got, want)
	}
	if got, want := c1.ExecutionID, virtualID; got != want {
		t.Errorf("call_Q1 ExecutionID = %q, want %q", got, want)
	}
	if got, want := len(rowsOf(s, RowAwait)), 2; got != want {
		t.Errorf("await rows = %d, want %d", got, want)
	}
	if err := s.SetDraft("call_Q1", `{"ok": true, "cartTotal": 149}`); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDraft("call_Q2", `{"ok":true,"cartTotal":288}`); err != nil {
		t.Fatal(err)
	}
	bodies, err := s.ResumeBodies(false)
	if err != nil {
		t.Fatalf("ResumeBodies(false): got error %v, want nil", err)
	}
	if got, want := len(bodies), 1; got != want {
		t.Fatalf("len(bodies) = %d, want %d", got, want)
	}
	got, _ := json.Marshal(bodies[0])
	want := `{"executionId":"virtual_1781574599723_gljgv7bqa","toolOutputs":{"call_Q1":{"ok":true,"cartTotal":149},"call_Q2":{"ok":true,"cartTotal":288}},"streamResponse":true}`
	if string(got) != want {
		t.Errorf("body = %s, want %s", got, want)
	}
}

func TestReemittedAwaitIsDeduped(t *testing.T) {
	s := newTestSession()
	evs := append(parallelPause(), await(virtualID, "call_Q1", "add_to_cart", `{"sku":"SHOE-001","qty":1}`))
	dispatch(t, s, evs)
	if got, want := pendingIDs(s), []string{"call_Q1", "call_Q2"}; !slices.Equal(got, want) {
		t.Errorf("Pending() = %v, want %v", got, want)
	}
	awaits := rowsOf(s, RowAwait)
	if got, want := len(awaits), 2; got != want {
		t.Fatalf("await rows = %d, want %d", got, want)
	}
	if got, want := len(awaits[0].Events), 2; got != want {
		t.Errorf("first await row folds %d events, want %d", got, want)
	}
}

func TestPartialResume(t *testing.T) {
	s := newTestSession()
	dispatch(t, s, parallelPause())
	if err := s.SetDraft("call_Q1", `{"ok":true}`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ResumeBodies(false); err == nil {
		t.Fatalf("ResumeBodies(false) with call_Q2 unanswered: got nil error, want *NotReadyError")
	}
	bodies, err := s.ResumeBodies(true)
	if err != nil {
		t.Fatalf("ResumeBodies(true): got error %v, want nil", err)
	}
	if got, want := sortedKeys(bodies[0].ToolOutputs), []string{"call_Q1"}; !slices.Equal(got, want) {
		t.Fatalf("toolOutputs keys = %v, want %v", got, want)
	}
	if err := s.Begin(resumeReq(t, bodies[0])); err != nil {
		t.Fatal(err)
	}
	s.StreamOpened()
	if got, want := pendingIDs(s), []string{"call_Q2"}; !slices.Equal(got, want) {
		t.Errorf("Pending() after the stream opened = %v, want %v", got, want)
	}
	// The server re-pauses and re-emits the unanswered await.
	rowsBefore := s.RowCount()
	s.Apply(await(virtualID, "call_Q2", "add_to_cart", `{"sku":"SHOE-007","qty":1}`))
	if got, want := s.RowCount(), rowsBefore; got != want {
		t.Errorf("RowCount() after the re-emitted await = %d, want %d (no new row)", got, want)
	}
	if got, want := s.EndStream(nil), api.RunPaused; got != want {
		t.Errorf("EndStream() = %v, want %v", got, want)
	}
	if got, want := pendingIDs(s), []string{"call_Q2"}; !slices.Equal(got, want) {
		t.Errorf("Pending() = %v, want %v", got, want)
	}
	awaits := rowsOf(s, RowAwait)
	if got, want := []string{awaits[0].Status, awaits[1].Status}, []string{"answered", "waiting"}; !slices.Equal(got, want) {
		t.Errorf("await row statuses = %v, want %v", got, want)
	}
}

func TestNotReadyError(t *testing.T) {
	cases := []struct {
		name      string
		drafts    map[string]string
		messages  string
		partial   bool
		wantCalls []string // "id state"
		wantMsgs  bool
		wantIn    []string
	}{
		{
			name:      "nothing answered",
			wantCalls: []string{"call_Q1 empty", "call_Q2 empty"},
			wantIn:    []string{"add_to_cart call_Q1 (unanswered)", "add_to_cart call_Q2 (unanswered)"},
		},
		{
			name:      "nothing answered, partial",
			partial:   true,
			wantCalls: []string{"call_Q1 empty", "call_Q2 empty"},
		},
		{
			name:      "one invalid",
			drafts:    map[string]string{"call_Q1": `{"ok":true}`, "call_Q2": `{"ok":`},
			wantCalls: []string{"call_Q2 invalid"},
			wantIn:    []string{"add_to_cart call_Q2 (invalid: line 1, column 7: unexpected end of JSON input)"},
		},
		{
			name:      "invalid messages block even a partial resume",
			drafts:    map[string]string{"call_Q1": `1`},
			messages:  `{"role":"user"}`,
			partial:   true,
			wantCalls: []string{"call_Q2 empty"},
			wantMsgs:  true,
			wantIn:    []string{"messages (invalid: line 1, column 1: messages must be a JSON array)"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestSession()
			dispatch(t, s, parallelPause())
			for id, text := range tc.drafts {
				_ = s.SetDraft(id, text)
			}
			if tc.messages != "" {
				_ = s.SetMessages(tc.messages)
			}
			bodies, err := s.ResumeBodies(tc.partial)
			var nr *NotReadyError
			if !errors.As(err, &nr) {
				t.Fatalf("ResumeBodies(%v) = %v, %v; want a *NotReadyError", tc.partial, bodies, err)
			}
			var got []string
			for _, c := range nr.Calls {
				got = append(got, c.ToolCallID+" "+c.State.String())
			}
			if !slices.Equal(got, tc.wantCalls) {
				t.Errorf("Calls = %v, want %v", got, tc.wantCalls)
			}
			if got := nr.Messages != ""; got != tc.wantMsgs {
				t.Errorf("Messages error present = %v, want %v", got, tc.wantMsgs)
			}
			for _, w := range tc.wantIn {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Error() = %q, want it to contain %q", err.Error(), w)
				}
			}
		})
	}
}

func TestResumeBodiesNothingPending(t *testing.T) {
	s := newTestSession()
	if _, err := s.ResumeBodies(true); !errors.Is(err, ErrNothingPending) {
		t.Errorf("ResumeBodies(true) error = %v, want ErrNothingPending", err)
	}
}

func TestResumeBodiesOnePerExecution(t *testing.T) {
	s := newTestSession()
	dispatch(t, s, []api.Event{
		await("exec_a", "c1", "t", `{}`),
		await("exec_b", "c2", "t", `{}`),
		await("exec_a", "c3", "t", `{}`),
	})
	for _, id := range []string{"c1", "c2", "c3"} {
		if err := s.SetDraft(id, `"`+id+`"`); err != nil {
			t.Fatal(err)
		}
	}
	bodies, err := s.ResumeBodies(false)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range bodies {
		got = append(got, b.ExecutionID+":"+strings.Join(sortedKeys(b.ToolOutputs), ","))
	}
	if want := []string{"exec_a:c1,c3", "exec_b:c2"}; !slices.Equal(got, want) {
		t.Errorf("bodies = %v, want %v", got, want)
	}
}

func TestAwaitWithoutToolCallIDIsKeyedByName(t *testing.T) {
	s := newTestSession()
	dispatch(t, s, []api.Event{await("x", "", "get_user_data", `{}`)})
	if err := s.SetDraft("get_user_data", `{"name":"Dana"}`); err != nil {
		t.Fatalf("SetDraft by tool name: got %v, want nil", err)
	}
	bodies, err := s.ResumeBodies(false)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(bodies[0].ToolOutputs["get_user_data"]), `{"name":"Dana"}`; got != want {
		t.Errorf("toolOutputs[get_user_data] = %s, want %s", got, want)
	}
}

func TestSetDraft(t *testing.T) {
	cases := []struct {
		name      string
		id        string
		text      string
		wantErr   string
		wantState DraftState
		wantValue string
		wantLine  int
		wantCol   int
	}{
		{name: "valid is compacted", id: "call_Q1", text: "{\n  \"ok\": true\n}\n", wantState: DraftValid, wantValue: `{"ok":true}`},
		{name: "scalar", id: "call_Q1", text: `"done"`, wantState: DraftValid, wantValue: `"done"`},
		{
			name: "invalid keeps text, line and column", id: "call_Q1",
			text:      "{\n  \"ok\": true,\n  }\n",
			wantErr:   "line 3, column 3: invalid character '}' looking for beginning of object key string",
			wantState: DraftInvalid, wantLine: 3, wantCol: 3,
		},
		{
			name: "trailing data", id: "call_Q1", text: `{} x`,
			wantErr: "line 1, column 4: invalid character 'x' after top-level value", wantState: DraftInvalid, wantLine: 1, wantCol: 4,
		},
		{
			name: "truncated", id: "call_Q1", text: "[1,\n2",
			wantErr: "line 2, column 2: unexpected end of JSON input", wantState: DraftInvalid, wantLine: 2, wantCol: 2,
		},
		{name: "blank clears", id: "call_Q1", text: " \n ", wantState: DraftEmpty},
		{name: "unknown call", id: "nope", text: `1`, wantErr: `draft for "nope": no such pending call`, wantState: DraftEmpty},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestSession()
			dispatch(t, s, parallelPause())
			v := s.Version()
			err := s.SetDraft(tc.id, tc.text)
			if got := errString(err); got != tc.wantErr {
				t.Fatalf("SetDraft error = %q, want %q", got, tc.wantErr)
			}
			c := s.Call("call_Q1")
			d := c.Draft
			if d.State != tc.wantState {
				t.Errorf("State = %v, want %v", d.State, tc.wantState)
			}
			if got := string(d.Value); got != tc.wantValue {
				t.Errorf("Value = %s, want %s", got, tc.wantValue)
			}
			if tc.id != "call_Q1" {
				return
			}
			if s.Version() == v {
				t.Errorf("Version() unchanged after SetDraft, want it to move")
			}
			if tc.wantState != DraftEmpty && d.Text != tc.text {
				t.Errorf("Text = %q, want %q", d.Text, tc.text)
			}
			if d.Line != tc.wantLine || d.Column != tc.wantCol {
				t.Errorf("position = %d:%d, want %d:%d", d.Line, d.Column, tc.wantLine, tc.wantCol)
			}
			if tc.wantState == DraftInvalid && d.Err != tc.wantErr {
				t.Errorf("Err = %q, want %q", d.Err, tc.wantErr)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestErrorAnswerAndClear(t *testing.T) {
	s := newTestSession()
	dispatch(t, s, parallelPause())
	if err := s.SetErrorAnswer("call_Q1", "out of stock"); err != nil {
		t.Fatal(err)
	}
	d := s.Call("call_Q1").Draft
	if got, want := d.State, DraftError; got != want {
		t.Errorf("State = %v, want %v", got, want)
	}
	if got, want := string(d.Value), `{"content":[{"type":"text","text":"out of stock"}],"isError":true}`; got != want {
		t.Errorf("Value = %s, want %s", got, want)
	}
	if got, want := d.Reason, "out of stock"; got != want {
		t.Errorf("Reason = %q, want %q", got, want)
	}
	if got, want := s.Counts().Answered, 1; got != want {
		t.Errorf("Counts().Answered = %d, want %d", got, want)
	}
	if err := s.SetErrorAnswer("nope", "x"); !errors.Is(err, ErrUnknownCall) {
		t.Errorf("SetErrorAnswer(unknown) = %v, want ErrUnknownCall", err)
	}
	s.ClearDraft("call_Q1")
	if got, want := s.Call("call_Q1").Draft.State, DraftEmpty; got != want {
		t.Errorf("after ClearDraft State = %v, want %v", got, want)
	}
}

func TestMessagesDraft(t *testing.T) {
	cases := []struct {
		name      string
		text      string
		wantState DraftState
		wantErr   string
		wantSent  string
	}{
		{name: "array", text: "[\n {\"role\": \"user\", \"content\": \"hi\"}\n]", wantState: DraftValid, wantSent: `[{"role":"user","content":"hi"}]`},
		{name: "not an array", text: "\n  {\"role\":\"user\"}", wantState: DraftInvalid, wantErr: "line 2, column 3: messages must be a JSON array"},
		{name: "syntax error", text: `[{"role"}]`, wantState: DraftInvalid, wantErr: "line 1, column 9: invalid character '}' after object key"},
		{name: "blank: no messages", text: "  ", wantState: DraftEmpty},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestSession()
			dispatch(t, s, parallelPause())
			err := s.SetMessages(tc.text)
			if got := errString(err); got != tc.wantErr {
				t.Fatalf("SetMessages error = %q, want %q", got, tc.wantErr)
			}
			m := s.Messages()
			if m.State != tc.wantState {
				t.Errorf("State = %v, want %v", m.State, tc.wantState)
			}
			if tc.wantState == DraftInvalid && m.Text != tc.text {
				t.Errorf("Text = %q, want %q (kept)", m.Text, tc.text)
			}
			_ = s.SetDraft("call_Q1", `1`)
			_ = s.SetDraft("call_Q2", `2`)
			bodies, err := s.ResumeBodies(false)
			if tc.wantState == DraftInvalid {
				if err == nil {
					t.Fatalf("ResumeBodies with invalid messages: got nil error, want one")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := string(bodies[0].Messages); got != tc.wantSent {
				t.Errorf("Messages sent = %s, want %s", got, tc.wantSent)
			}
			if err := s.Begin(resumeReq(t, bodies[0])); err != nil {
				t.Fatal(err)
			}
			s.StreamOpened()
			if got, want := s.Messages().State, DraftEmpty; got != want {
				t.Errorf("messages after the resume opened: State = %v, want %v (sent once)", got, want)
			}
		})
	}
}

func TestBeginInFlight(t *testing.T) {
	type step struct {
		op      string // "begin", "end", "fail", "open"
		exec    string
		wantErr error
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{
			name: "second continuation for the same execution is refused",
			steps: []step{
				{op: "begin", exec: "x"},
				{op: "begin", exec: "x", wantErr: ErrInFlight},
				{op: "open"},
				{op: "begin", exec: "x", wantErr: ErrInFlight},
			},
		},
		{
			name: "another execution while one is in flight is refused",
			steps: []step{
				{op: "begin", exec: "x"},
				{op: "begin", exec: "y", wantErr: ErrBusy},
			},
		},
		{
			name: "allowed again after the stream ends",
			steps: []step{
				{op: "begin", exec: "x"},
				{op: "open"},
				{op: "end"},
				{op: "begin", exec: "x"},
			},
		},
		{
			name: "allowed again after the request failed",
			steps: []step{
				{op: "begin", exec: "x"},
				{op: "fail"},
				{op: "begin", exec: "x"},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestSession()
			for i, st := range tc.steps {
				switch st.op {
				case "begin":
					err := s.Begin(api.Request{Method: "POST", Path: api.PathResume, ExecutionID: st.exec,
						Body: []byte(`{"executionId":"` + st.exec + `","toolOutputs":{"c":1},"streamResponse":true}`)})
					if !errors.Is(err, st.wantErr) || (st.wantErr == nil && err != nil) {
						t.Fatalf("step %d Begin(%q) = %v, want %v", i, st.exec, err, st.wantErr)
					}
					if !s.InFlight() {
						t.Fatalf("step %d InFlight() = false, want true", i)
					}
				case "open":
					s.StreamOpened()
				case "end":
					s.EndStream(nil)
					if s.InFlight() {
						t.Fatalf("step %d InFlight() after EndStream = true, want false", i)
					}
				case "fail":
					s.RequestFailed(errors.New("404 not found"))
					if s.InFlight() {
						t.Fatalf("step %d InFlight() after RequestFailed = true, want false", i)
					}
				}
			}
		})
	}
}

func TestRequestFailedKeepsDrafts(t *testing.T) {
	s := newTestSession()
	dispatch(t, s, parallelPause())
	_ = s.SetDraft("call_Q1", `{"ok":true}`)
	_ = s.SetDraft("call_Q2", `{"ok":`) // invalid, being fixed
	_ = s.SetMessages(`[{"role":"user","content":"go"}]`)
	bodies, err := s.ResumeBodies(true)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Begin(resumeReq(t, bodies[0])); err != nil {
		t.Fatal(err)
	}
	if got, want := s.State(), api.RunSending; got != want {
		t.Errorf("State() after Begin = %v, want %v", got, want)
	}
	s.RequestFailed(errors.New("resume: 404 execution not found"))
	if got, want := s.State(), api.RunPaused; got != want {
		t.Errorf("State() = %v, want %v", got, want)
	}
	if got, want := s.LastError(), "resume: 404 execution not found"; got != want {
		t.Errorf("LastError() = %q, want %q", got, want)
	}
	if got, want := pendingIDs(s), []string{"call_Q1", "call_Q2"}; !slices.Equal(got, want) {
		t.Fatalf("Pending() = %v, want %v", got, want)
	}
	if got, want := s.Call("call_Q1").Draft.State, DraftValid; got != want {
		t.Errorf("call_Q1 draft = %v, want %v", got, want)
	}
	if got, want := s.Call("call_Q2").Draft.Text, `{"ok":`; got != want {
		t.Errorf("call_Q2 draft text = %q, want %q", got, want)
	}
	if got, want := s.Messages().State, DraftValid; got != want {
		t.Errorf("messages draft = %v, want %v", got, want)
	}
	req := rowsOf(s, RowRequest)
	if got, want := req[len(req)-1].Status, "failed"; got != want {
		t.Errorf("request row Status = %q, want %q", got, want)
	}
	if got, want := req[len(req)-1].Text(), "→ POST /v1/dispatch/resume (1 output): resume: 404 execution not found"; got != want {
		t.Errorf("request row Text() = %q, want %q", got, want)
	}
}

func TestRequestFailedDispatchFails(t *testing.T) {
	s := newTestSession()
	if err := s.Begin(api.Request{Method: "POST", Path: api.PathDispatch, Body: []byte(`{"flow":{"id":"f"}}`)}); err != nil {
		t.Fatal(err)
	}
	if got, want := s.Kind(), "flow"; got != want {
		t.Errorf("Kind() from the dispatch body = %q, want %q", got, want)
	}
	s.RequestFailed(errors.New("401 unauthorized"))
	if got, want := s.State(), api.RunFailed; got != want {
		t.Errorf("State() = %v, want %v", got, want)
	}
	if got, want := s.EndStream(nil), api.RunFailed; got != want {
		t.Errorf("EndStream() with no stream = %v, want %v", got, want)
	}
}

func TestStreamOpenedResolvesExactlyTheAnsweredCalls(t *testing.T) {
	s := newTestSession()
	dispatch(t, s, []api.Event{
		await("x", "c1", "a", `{}`),
		await("x", "c2", "b", `{}`),
		await("x", "c3", "a", `{}`),
	})
	_ = s.SetDraft("c1", `1`)
	_ = s.SetErrorAnswer("c3", "nope")
	bodies, err := s.ResumeBodies(true)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Begin(resumeReq(t, bodies[0])); err != nil {
		t.Fatal(err)
	}
	if got, want := pendingIDs(s), []string{"c1", "c2", "c3"}; !slices.Equal(got, want) {
		t.Errorf("Pending() before the stream opened = %v, want %v", got, want)
	}
	s.StreamOpened()
	if got, want := pendingIDs(s), []string{"c2"}; !slices.Equal(got, want) {
		t.Errorf("Pending() after the stream opened = %v, want %v", got, want)
	}
	var statuses []string
	for _, r := range rowsOf(s, RowAwait) {
		statuses = append(statuses, r.ID+" "+r.Status)
	}
	if want := []string{"c1 answered", "c2 waiting", "c3 answered"}; !slices.Equal(statuses, want) {
		t.Errorf("await rows = %v, want %v", statuses, want)
	}
	if s.Call("c1") != nil {
		t.Errorf("Call(c1) after resolution = non-nil, want nil")
	}
}

func TestTwoPausesInARow(t *testing.T) {
	s := newTestSession()
	dispatch(t, s, []api.Event{
		e(api.TypeExecutionStart, "x", kind("agent")),
		e(api.TypeToolStart, "x", call("c1", "lookup")),
		await("x", "c1", "lookup", `{"q":1}`),
	})
	resume := func(id, answer string) {
		t.Helper()
		if err := s.SetDraft(id, answer); err != nil {
			t.Fatal(err)
		}
		bodies, err := s.ResumeBodies(false)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Begin(resumeReq(t, bodies[0])); err != nil {
			t.Fatal(err)
		}
		s.StreamOpened()
	}
	resume("c1", `"one"`)
	s.ApplyBatch([]api.Event{
		e(api.TypeToolComplete, "x", call("c1", "lookup"), success(true), result(`"one"`)),
		e(api.TypeToolStart, "x", call("c2", "lookup")),
		await("x", "c2", "lookup", `{"q":2}`),
	})
	if got, want := s.EndStream(nil), api.RunPaused; got != want {
		t.Fatalf("second EndStream() = %v, want %v", got, want)
	}
	if got, want := pendingIDs(s), []string{"c2"}; !slices.Equal(got, want) {
		t.Fatalf("Pending() at the second pause = %v, want %v", got, want)
	}
	resume("c2", `"two"`)
	s.ApplyBatch([]api.Event{
		e(api.TypeToolComplete, "x", call("c2", "lookup"), success(true), result(`"two"`)),
		e(api.TypeExecutionComplete, "x", kind("agent"), success(true)),
	})
	if got, want := s.EndStream(nil), api.RunCompleted; got != want {
		t.Fatalf("last EndStream() = %v, want %v", got, want)
	}
	if got := len(s.Pending()); got != 0 {
		t.Errorf("len(Pending()) = %d, want 0", got)
	}
	var ends []string
	for _, r := range rowsOf(s, RowStreamEnd) {
		ends = append(ends, r.Text())
	}
	if want := []string{"stream ended: paused", "stream ended: paused", "stream ended: completed"}; !slices.Equal(ends, want) {
		t.Errorf("stream end rows = %q, want %q", ends, want)
	}
	c := s.Counts()
	if c.Streams != 3 || c.Requests != 3 {
		t.Errorf("Counts() = %+v, want Streams 3, Requests 3", c)
	}
}

func approvalPause() []api.Event {
	const ex = "exec_abc123def456"
	return []api.Event{
		e(api.TypeExecutionStart, ex, kind("agent")),
		e(api.TypeTurnStart, ex, id("turn_m1"), func(e *api.Event) { e.Role, e.Iteration = "assistant", 1 }),
		e(api.TypeApprovalStart, ex, approval("appr_xyz789"), call("toolu_01Mx", "send_email"),
			params(`{"to":"dana@example.com"}`), func(e *api.Event) {
				e.Reason = "The user asked me to email the summary to Dana."
			}),
	}
}

func TestApprovalFlow(t *testing.T) {
	const ex = "exec_abc123def456"
	s := newTestSession()
	if got, want := dispatch(t, s, approvalPause()), api.RunPaused; got != want {
		t.Fatalf("EndStream() = %v, want %v", got, want)
	}
	if got, want := len(s.Approvals()), 1; got != want {
		t.Fatalf("len(Approvals()) = %d, want %d", got, want)
	}
	if got := len(s.Pending()); got != 0 {
		t.Errorf("len(Pending()) = %d, want 0", got)
	}
	rows := rowsOf(s, RowApproval)
	if got, want := rows[0].Text(), `send_email {"to":"dana@example.com"} — The user asked me to email the summary to Dana.`; got != want {
		t.Errorf("approval row Text() = %q, want %q", got, want)
	}
	if _, err := s.ApproveBody("appr_nope", "approved", ""); !errors.Is(err, ErrUnknownApproval) {
		t.Errorf("ApproveBody(unknown) = %v, want ErrUnknownApproval", err)
	}
	if _, err := s.ApproveBody("appr_xyz789", "yes", ""); err == nil {
		t.Errorf("ApproveBody(decision yes) = nil error, want one")
	}
	body, err := s.ApproveBody("appr_xyz789", api.DecisionApproved, "fine")
	if err != nil {
		t.Fatal(err)
	}
	want := api.ApproveRequest{ExecutionID: ex, ApprovalID: "appr_xyz789", Decision: "approved", Reason: "fine", StreamResponse: true}
	if body != want {
		t.Errorf("ApproveBody = %+v, want %+v", body, want)
	}
	if err := s.Begin(approveReq(t, body)); err != nil {
		t.Fatal(err)
	}
	if got, want := len(s.Approvals()), 1; got != want {
		t.Errorf("len(Approvals()) before the stream opened = %d, want %d", got, want)
	}
	s.StreamOpened()
	if got := len(s.Approvals()); got != 0 {
		t.Errorf("len(Approvals()) after the stream opened = %d, want 0", got)
	}
	s.ApplyBatch([]api.Event{
		e(api.TypeApprovalComplete, ex, approval("appr_xyz789"), func(e *api.Event) { e.Decision = "approved" }),
		e(api.TypeToolStart, ex, call("toolu_01Mx", "send_email"), params(`{"to":"dana@example.com"}`)),
		e(api.TypeToolComplete, ex, call("toolu_01Mx", "send_email"), success(true), result(`{"messageId":"m_55"}`)),
		e(api.TypeExecutionComplete, ex, kind("agent"), success(true)),
	})
	if got, want := s.EndStream(nil), api.RunCompleted; got != want {
		t.Errorf("EndStream() = %v, want %v", got, want)
	}
	rows = rowsOf(s, RowApproval)
	if got, want := len(rows), 1; got != want {
		t.Fatalf("approval rows = %d, want %d", got, want)
	}
	if got, want := rows[0].Status, "approved"; got != want {
		t.Errorf("approval row Status = %q, want %q", got, want)
	}
	if got, want := len(rows[0].Events), 2; got != want {
		t.Errorf("approval row folds %d events, want %d", got, want)
	}
}

func TestApprovalAwaitIsAnApproval(t *testing.T) {
	s := newTestSession()
	dispatch(t, s, []api.Event{
		e(api.TypeAwait, "x", approval("appr_1"), call("", "send_email"), func(e *api.Event) { e.AwaitReason = api.AwaitApproval }),
	})
	if got, want := len(s.Approvals()), 1; got != want {
		t.Errorf("len(Approvals()) = %d, want %d", got, want)
	}
	if got := len(s.Pending()); got != 0 {
		t.Errorf("len(Pending()) = %d, want 0", got)
	}
	if got, want := len(rowsOf(s, RowApproval)), 1; got != want {
		t.Errorf("approval rows = %d, want %d", got, want)
	}
}

func TestEndStreamStates(t *testing.T) {
	cases := []struct {
		name      string
		evs       []api.Event
		err       error
		want      api.RunState
		wantText  string
		wantError string
	}{
		{
			name: "completed",
			evs:  []api.Event{e(api.TypeExecutionStart, "x", kind("flow")), e(api.TypeExecutionComplete, "x", kind("flow"), success(true))},
			want: api.RunCompleted, wantText: "stream ended: completed",
		},
		{
			name: "failed",
			evs:  []api.Event{e(api.TypeExecutionStart, "x"), e(api.TypeExecutionError, "x", errMsg("model refused"))},
			want: api.RunFailed, wantText: "stream ended: failed: model refused", wantError: "model refused",
		},
		{
			name: "paused",
			evs:  []api.Event{await("x", "c", "t", `{}`)},
			want: api.RunPaused, wantText: "stream ended: paused",
		},
		{
			name: "dropped",
			evs:  []api.Event{e(api.TypeExecutionStart, "x")},
			err:  errors.New("unexpected EOF"),
			want: api.RunDropped, wantText: "stream ended: dropped: unexpected EOF", wantError: "stream dropped: unexpected EOF",
		},
		{
			name: "cancelled",
			evs:  []api.Event{e(api.TypeExecutionStart, "x")},
			err:  context.Canceled,
			want: api.RunCancelled, wantText: "stream ended: cancelled",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestSession()
			if err := s.Begin(api.Request{Method: "POST", Path: api.PathDispatch}); err != nil {
				t.Fatal(err)
			}
			s.StreamOpened()
			s.ApplyBatch(tc.evs)
			if got := s.EndStream(tc.err); got != tc.want {
				t.Errorf("EndStream() = %v, want %v", got, tc.want)
			}
			if got := s.State(); got != tc.want {
				t.Errorf("State() = %v, want %v", got, tc.want)
			}
			last := s.Row(s.RowCount() - 1)
			if last.Kind != RowStreamEnd || last.Text() != tc.wantText {
				t.Errorf("last row = %v %q, want %v %q", last.Kind, last.Text(), RowStreamEnd, tc.wantText)
			}
			if got := s.LastError(); got != tc.wantError {
				t.Errorf("LastError() = %q, want %q", got, tc.wantError)
			}
			if s.InFlight() {
				t.Errorf("InFlight() = true, want false")
			}
		})
	}
}

func TestCounts(t *testing.T) {
	s := newTestSession()
	dispatch(t, s, append(parallelPause(), e(api.TypePing, virtualID)))
	_ = s.SetDraft("call_Q1", `1`)
	_ = s.SetDraft("call_Q2", `{`)
	got := s.Counts()
	want := Counts{
		Events:    len(parallelPause()) + 1,
		Rows:      s.RowCount(),
		Pending:   2,
		Answered:  1,
		Approvals: 0,
		Streams:   1,
		Pings:     1,
		Requests:  1,
	}
	if got != want {
		t.Errorf("Counts() = %+v, want %+v", got, want)
	}
	// exec start, turn, text, 2 tools, 2 awaits, request row, stream end row
	if got, want := s.RowCount(), 9; got != want {
		t.Errorf("RowCount() = %d, want %d", got, want)
	}
}

func TestVersionMoves(t *testing.T) {
	s := newTestSession()
	steps := []struct {
		name string
		do   func()
	}{
		{"SetKind", func() { s.SetKind("agent") }},
		{"Begin", func() { _ = s.Begin(api.Request{Path: api.PathDispatch}) }},
		{"StreamOpened", func() { s.StreamOpened() }},
		{"Apply", func() { s.Apply(e(api.TypeTextDelta, "x", id("t"), delta("a"))) }},
		{"EndStream", func() { s.EndStream(nil) }},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			v := s.Version()
			st.do()
			if got := s.Version(); got <= v {
				t.Errorf("Version() = %d after %s, want > %d", got, st.name, v)
			}
		})
	}
}

func TestKindOfDispatch(t *testing.T) {
	cases := []struct {
		name string
		body string
		want string
	}{
		{"agent", `{"agent":{"agentId":"a"},"messages":[]}`, "agent"},
		{"flow", `{"flow":{"id":"f"}}`, "flow"},
		{"neither", `{"record":{}}`, ""},
		{"not json", `nope`, ""},
		{"array", `[]`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := KindOfDispatch([]byte(tc.body)); got != tc.want {
				t.Errorf("KindOfDispatch(%s) = %q, want %q", tc.body, got, tc.want)
			}
		})
	}
}

func TestToolCompleteResolvesAwait(t *testing.T) {
	// A call the server completes itself (or a re-played stream) leaves the
	// pending list without a resume.
	s := newTestSession()
	s.StreamOpened()
	s.ApplyBatch([]api.Event{
		await("virtual_1", "c1", "t", `{}`),
		e(api.TypeToolComplete, "exec_1", call("c1", "t"), success(true)),
	})
	if got := len(s.Pending()); got != 0 {
		t.Errorf("len(Pending()) = %d, want 0", got)
	}
	if got, want := rowsOf(s, RowAwait)[0].Status, "resolved"; got != want {
		t.Errorf("await row Status = %q, want %q", got, want)
	}
}

func TestEventLogAcrossChunks(t *testing.T) {
	cases := []struct {
		name string
		n    int
	}{
		{"empty", 0},
		{"one", 1},
		{"exactly one chunk", logChunk},
		{"spans three chunks", 2*logChunk + 7},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestSession()
			for i := range tc.n {
				ev := e(api.TypeTextDelta, "x", id("t"), delta("d"))
				ev.Seq = int64(i)
				s.Apply(ev)
				if i == tc.n/2 {
					_ = s.Events() // a flat view taken midway is extended later
				}
			}
			if got := s.EventCount(); got != tc.n {
				t.Fatalf("EventCount() = %d, want %d", got, tc.n)
			}
			all := s.Events()
			if got := len(all); got != tc.n {
				t.Fatalf("len(Events()) = %d, want %d", got, tc.n)
			}
			for i := range tc.n {
				if got := s.Event(i).Seq; got != int64(i) {
					t.Fatalf("Event(%d).Seq = %d, want %d", i, got, i)
				}
				if got := all[i].Seq; got != int64(i) {
					t.Fatalf("Events()[%d].Seq = %d, want %d", i, got, i)
				}
			}
			if got := s.Event(tc.n); got != nil {
				t.Errorf("Event(%d) = %v, want nil", tc.n, got)
			}
			if tc.n > 0 && s.Event(0) != s.Event(0) {
				t.Errorf("Event(0) address not stable")
			}
		})
	}
}

func TestApplyWithoutStreamOpenedResolvesTheResume(t *testing.T) {
	s := newTestSession()
	dispatch(t, s, parallelPause())
	_ = s.SetDraft("call_Q1", `1`)
	_ = s.SetDraft("call_Q2", `2`)
	bodies, err := s.ResumeBodies(false)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Begin(resumeReq(t, bodies[0])); err != nil {
		t.Fatal(err)
	}
	s.Apply(e(api.TypeTurnStart, virtualID, id("turn_a2")))
	if got := len(s.Pending()); got != 0 {
		t.Errorf("len(Pending()) = %d, want 0", got)
	}
	if got, want := s.State(), api.RunStreaming; got != want {
		t.Errorf("State() = %v, want %v", got, want)
	}
}

func TestRequestFailedAfterStreamOpenedEndsTheStream(t *testing.T) {
	s := newTestSession()
	if err := s.Begin(api.Request{Method: "POST", Path: api.PathDispatch}); err != nil {
		t.Fatal(err)
	}
	s.StreamOpened()
	s.Apply(e(api.TypeExecutionStart, "x"))
	s.RequestFailed(errors.New("read: connection reset"))
	if got, want := s.State(), api.RunDropped; got != want {
		t.Errorf("State() = %v, want %v", got, want)
	}
	if s.InFlight() {
		t.Errorf("InFlight() = true, want false")
	}
}
