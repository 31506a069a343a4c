package model

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"rtinspect/api"
)

// awaitFrame is an await frame for a new run.
func awaitFrame(exec, callID, tool, args string) string {
	return "await\n" + fmt.Sprintf(`{"type":"await","executionId":%q,"awaitReason":"local_tool_required","toolCallId":%q,"toolName":%q,"parameters":%s}`,
		exec, callID, tool, args)
}

// pausedRun is a new run paused on the given await frames.
func pausedRun(t *testing.T, awaits ...string) *liveRun {
	t.Helper()
	l := newLiveRun(t)
	l.request(api.PathDispatch, dispatchBody)
	l.open()
	l.frames(awaits...)
	if st := l.end(nil); st != api.RunPaused {
		t.Fatalf("new run state = %s, want paused (script is wrong)", st)
	}
	return l
}

// recorded records the liveScripts entry with this name.
func recorded(t *testing.T, name string) *RecordedAnswers {
	t.Helper()
	for _, tc := range liveScripts {
		if tc.name == name {
			l := newLiveRun(t)
			tc.run(l)
			return LearnAnswers(l.recording())
		}
	}
	t.Fatalf("no live script %q", name)
	return nil
}

// drafts returns each pending call's draft value as canonical JSON ("" for
// an empty draft), keyed by call id.
func drafts(s *Session) map[string]string {
	out := map[string]string{}
	for _, c := range s.Pending() {
		out[c.Key()] = canonicalJSON(c.Draft.Value)
	}
	return out
}

const (
	vx    = "virtual_new"
	shoe1 = `{"sku":"SHOE-001","qty":1}`
	shoe7 = `{"sku":"SHOE-007","qty":1}`
	ans1  = `{"cartTotal":149,"ok":true}`
	ans2  = `{"cartTotal":288,"ok":true}`
)

// The recording of liveScripts[0] answered call_Q1 (SHOE-001) with 149 and
// call_Q2 (SHOE-007) with 288; a new run has new call ids.
func TestRecordedAnswersByNameAndOrder(t *testing.T) {
	cases := []struct {
		name      string
		awaits    []string
		filled    int
		want      map[string]string
		warnings  []ReplayWarning
		remaining map[string]int
	}{
		{
			name:      "parallel calls with new ids get the outputs in order",
			awaits:    []string{awaitFrame(vx, "call_X1", "add_to_cart", shoe1), awaitFrame(vx, "call_X2", "add_to_cart", shoe7)},
			filled:    2,
			want:      map[string]string{"call_X1": ans1, "call_X2": ans2},
			remaining: map[string]int{},
		},
		{
			name: "a third call gets nothing",
			awaits: []string{awaitFrame(vx, "call_X1", "add_to_cart", shoe1), awaitFrame(vx, "call_X2", "add_to_cart", shoe7),
				awaitFrame(vx, "call_X3", "add_to_cart", `{"sku":"SHOE-009","qty":1}`)},
			filled:    2,
			want:      map[string]string{"call_X1": ans1, "call_X2": ans2, "call_X3": ""},
			remaining: map[string]int{},
		},
		{
			name:   "changed arguments are answered with a warning",
			awaits: []string{awaitFrame(vx, "call_X1", "add_to_cart", shoe1), awaitFrame(vx, "call_X2", "add_to_cart", `{"qty":2,"sku":"SHOE-007"}`)},
			filled: 2,
			want:   map[string]string{"call_X1": ans1, "call_X2": ans2},
			warnings: []ReplayWarning{{
				ToolName: "add_to_cart", ToolCallID: "call_X2",
				Recorded: `{"qty":1,"sku":"SHOE-007"}`, Got: `{"qty":2,"sku":"SHOE-007"}`,
				Msg: `add_to_cart call_X2: arguments differ from the recorded call: recorded {"qty":1,"sku":"SHOE-007"}, got {"qty":2,"sku":"SHOE-007"}`,
			}},
			remaining: map[string]int{},
		},
		{
			name:      "key order of the arguments does not count",
			awaits:    []string{awaitFrame(vx, "call_X1", "add_to_cart", `{"qty":1,"sku":"SHOE-001"}`)},
			filled:    1,
			want:      map[string]string{"call_X1": ans1},
			remaining: map[string]int{"add_to_cart": 1},
		},
		{
			name:      "another tool is not answered; webmcp: prefix is the same tool",
			awaits:    []string{awaitFrame(vx, "call_X1", "get_order", `{}`), awaitFrame(vx, "call_X2", "webmcp:add_to_cart", shoe1)},
			filled:    1,
			want:      map[string]string{"call_X1": "", "call_X2": ans1},
			remaining: map[string]int{"add_to_cart": 1},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := recorded(t, "parallel pause, resume, complete")
			l := pausedRun(t, tc.awaits...)
			filled, warnings, approvals := r.Apply(l.s)
			if filled != tc.filled {
				t.Errorf("Apply: filled = %d, want %d", filled, tc.filled)
			}
			if got := drafts(l.s); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("drafts = %v, want %v", got, tc.want)
			}
			if !reflect.DeepEqual(warnings, tc.warnings) {
				t.Errorf("warnings = %+v, want %+v", warnings, tc.warnings)
			}
			if len(approvals) != 0 {
				t.Errorf("approvals = %+v, want none", approvals)
			}
			if got := r.Remaining(); !reflect.DeepEqual(got, tc.remaining) {
				t.Errorf("Remaining() = %v, want %v", got, tc.remaining)
			}
			// A second Apply at the same pause changes nothing.
			if n, w, _ := r.Apply(l.s); n != 0 || len(w) != 0 {
				t.Errorf("second Apply: filled %d, %d warnings; want 0, 0", n, len(w))
			}
			if got := drafts(l.s); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("drafts after a second Apply = %v, want %v", got, tc.want)
			}
		})
	}
}

// An answer the user already wrote is kept, and still counts as that
// call's occurrence: the next call gets the next recorded answer.
func TestRecordedAnswersKeepUserDrafts(t *testing.T) {
	r := recorded(t, "parallel pause, resume, complete")
	l := pausedRun(t, awaitFrame(vx, "call_X1", "add_to_cart", shoe1), awaitFrame(vx, "call_X2", "add_to_cart", shoe7))
	if err := l.s.SetDraft("call_X1", `{"mine":true}`); err != nil {
		t.Fatal(err)
	}
	filled, _, _ := r.Apply(l.s)
	if filled != 1 {
		t.Errorf("Apply: filled = %d, want 1", filled)
	}
	want := map[string]string{"call_X1": `{"mine":true}`, "call_X2": ans2}
	if got := drafts(l.s); !reflect.DeepEqual(got, want) {
		t.Errorf("drafts = %v, want %v", got, want)
	}
}

// The cursor per tool persists across pauses, and a refused resume (sent
// again afterwards) is learned once.
func TestRecordedAnswersAcrossPauses(t *testing.T) {
	// The recording: one add_to_cart call per pause, two pauses.
	rec := newLiveRun(t)
	rec.request(api.PathDispatch, dispatchBody)
	rec.open()
	rec.frames(awaitFrame("exec_1", "c1", "add_to_cart", shoe1))
	rec.end(nil)
	rec.request(api.PathResume, `{"executionId":"exec_1","toolOutputs":{"c1":{"n":1}},"messages":[{"role":"user","content":"first"}],"streamResponse":true}`)
	rec.refuse(404, `{"error":"execution busy"}`)
	rec.request(api.PathResume, `{"executionId":"exec_1","toolOutputs":{"c1":{"n":1}},"messages":[{"role":"user","content":"first"}],"streamResponse":true}`)
	rec.open()
	rec.frames(awaitFrame("exec_1", "c2", "add_to_cart", shoe7))
	rec.end(nil)
	rec.request(api.PathResume, `{"executionId":"exec_1","toolOutputs":{"c2":{"n":2}},"streamResponse":true}`)
	rec.open()
	rec.frames(rExecDone)
	rec.end(nil)
	r := LearnAnswers(rec.recording())
	if got, want := r.Remaining(), map[string]int{"add_to_cart": 2}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Remaining() after learning = %v, want %v", got, want)
	}
	if got := string(r.Last()["add_to_cart"]); got != `{"n":2}` {
		t.Errorf("Last()[add_to_cart] = %s, want the last recorded answer {\"n\":2}", got)
	}

	l := pausedRun(t, awaitFrame("exec_2", "d1", "add_to_cart", shoe1))
	if n, w, _ := r.Apply(l.s); n != 1 || len(w) != 0 {
		t.Fatalf("Apply at pause 1: filled %d, %d warnings; want 1, 0", n, len(w))
	}
	if got := drafts(l.s)["d1"]; got != `{"n":1}` {
		t.Errorf("pause 1 draft = %s, want {\"n\":1}", got)
	}
	if got := canonicalJSON(l.s.Messages().Value); got != `[{"content":"first","role":"user"}]` {
		t.Errorf("pause 1 messages = %s, want the recorded ones", got)
	}
	bodies, err := l.s.ResumeBodies(false)
	if err != nil {
		t.Fatalf("ResumeBodies: got error %v, want nil", err)
	}
	l.request(api.PathResume, string(mustJSON(t, bodies[0])))
	l.open()
	l.frames(awaitFrame("exec_2", "d2", "add_to_cart", shoe7))
	l.end(nil)

	if n, w, _ := r.Apply(l.s); n != 1 || len(w) != 0 {
		t.Fatalf("Apply at pause 2: filled %d, %d warnings; want 1, 0", n, len(w))
	}
	if got := drafts(l.s)["d2"]; got != `{"n":2}` {
		t.Errorf("pause 2 draft = %s, want {\"n\":2}", got)
	}
	if got := l.s.Messages().State; got != DraftEmpty {
		t.Errorf("pause 2 messages = %s, want empty (the second resume sent none)", got)
	}
	if got := r.Remaining(); len(got) != 0 {
		t.Errorf("Remaining() at the end = %v, want none", got)
	}
}

// A resume keyed by tool name answered every pending call of that tool.
func TestRecordedAnswersToolNameKey(t *testing.T) {
	rec := newLiveRun(t)
	rec.request(api.PathDispatch, dispatchBody)
	rec.open()
	rec.frames(awaitFrame("exec_1", "c1", "add_to_cart", shoe1), awaitFrame("exec_1", "c2", "add_to_cart", shoe7),
		awaitFrame("exec_1", "c3", "get_order", `{}`))
	rec.end(nil)
	rec.request(api.PathResume, `{"executionId":"exec_1","toolOutputs":{"add_to_cart":{"ok":1},"c3":{"order":"A"},"lost_key":{"x":1}},"streamResponse":true}`)
	rec.open()
	rec.frames(rExecDone)
	rec.end(nil)
	r := LearnAnswers(rec.recording())
	want := map[string]int{"add_to_cart": 2, "get_order": 1, "lost_key": 1}
	if got := r.Remaining(); !reflect.DeepEqual(got, want) {
		t.Errorf("Remaining() = %v, want %v", got, want)
	}
	l := pausedRun(t, awaitFrame(vx, "n1", "get_order", `{"other":true}`), awaitFrame(vx, "n2", "lost_key", `{}`))
	filled, warnings, _ := r.Apply(l.s)
	if filled != 2 {
		t.Errorf("Apply: filled = %d, want 2", filled)
	}
	// get_order's arguments changed: warned. lost_key's recorded
	// arguments are unknown: not warned.
	if len(warnings) != 1 || warnings[0].ToolCallID != "n1" {
		t.Errorf("warnings = %+v, want one for n1", warnings)
	}
}

func TestRecordedAnswersApprovals(t *testing.T) {
	r := recorded(t, "approval denied")
	start := func(id string) string {
		return "approval_start\n" + fmt.Sprintf(`{"type":"approval_start","executionId":"exec_new","approvalId":%q,"toolName":"send_email","parameters":{"to":"dana@example.com"}}`, id)
	}
	l := newLiveRun(t)
	l.request(api.PathDispatch, dispatchBody)
	l.open()
	l.frames(start("appr_new1"), start("appr_new2"))
	l.end(nil)

	want := []ApprovalDecision{{ApprovalID: "appr_new1", ExecutionID: "exec_new", Decision: "denied", Reason: "not today"}}
	for i := 1; i <= 2; i++ {
		filled, warnings, got := r.Apply(l.s)
		if filled != 0 || len(warnings) != 0 {
			t.Errorf("Apply #%d: filled %d, %d warnings; want 0, 0", i, filled, len(warnings))
		}
		// One decision was recorded: the second approval gets none, and
		// a second Apply returns the same decision again.
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Apply #%d approvals = %+v, want %+v", i, got, want)
		}
	}
}

func TestLearnAnswersEmpty(t *testing.T) {
	cases := []struct {
		name string
		r    *RecordedAnswers
	}{
		{"nil recording", LearnAnswers(nil)},
		{"refused dispatch", recorded(t, "dispatch refused with 401")},
		{"paused, never resumed", recorded(t, "paused, drafts kept")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.r.Remaining(); len(got) != 0 {
				t.Errorf("Remaining() = %v, want none", got)
			}
			l := pausedRun(t, awaitFrame(vx, "n1", "add_to_cart", shoe1))
			if n, w, a := tc.r.Apply(l.s); n != 0 || len(w) != 0 || len(a) != 0 {
				t.Errorf("Apply = %d, %v, %v; want nothing", n, w, a)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCanonicalJSON(t *testing.T) {
	cases := []struct{ in, want string }{
		{``, ``},
		{`null`, ``},
		{` {"b":1, "a":{"d":[1,2],"c":"<x>"}} `, `{"a":{"c":"<x>","d":[1,2]},"b":1}`},
		{`1.0`, `1.0`},
		{`{broken`, `{broken`},
	}
	for _, tc := range cases {
		if got := canonicalJSON([]byte(tc.in)); got != tc.want {
			t.Errorf("canonicalJSON(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
	if !strings.Contains(orNone(""), "none") {
		t.Errorf(`orNone("") = %q, want "none"`, orNone(""))
	}
}
