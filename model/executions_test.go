package model

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rtinspect/api"
	"rtinspect/api/sim"
)

// execLine is what a test checks of one Execution: everything but the
// times and the random parts of ids.
type execLine struct {
	ID      string // exact id, or a prefix ending in "…"
	Kind    string
	Name    string
	Depth   int
	Parent  int
	Started bool
	State   string
}

func sameID(got, want string) bool {
	if p, ok := strings.CutSuffix(want, "…"); ok {
		return strings.HasPrefix(got, p)
	}
	return got == want
}

// simStream folds the sim's scenario (unified or legacy vocabulary) through
// a dispatch, as the inspector would.
func simStream(t *testing.T, scenario, events string) *Session {
	t.Helper()
	body, err := sim.DispatchBody(scenario)
	if err != nil {
		t.Fatal(err)
	}
	s := newTestSession()
	s.SetKind(KindOfDispatch(body))
	dispatch(t, s, usageSimEvents(t, scenario, events))
	return s
}

func fixtureSession(t *testing.T, path string, kind string) *Session {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the fixture is expected beside the repository: %v", err)
	}
	s := newTestSession()
	s.SetKind(kind)
	dispatch(t, s, decodeSSE(t, string(raw)))
	return s
}

// TestExecutionsIndex folds real streams and checks the executions the
// index lists: the virtual_ id of §4.1 beside the exec_ id, the nested flow
// of an agent under the same id, a legacy flow whose frames carry no id.
func TestExecutionsIndex(t *testing.T) {
	cases := []struct {
		name    string
		session func(t *testing.T) *Session
		want    []execLine
		ids     int
	}{
		{
			name:    "parallel pause (testdata)",
			session: func(t *testing.T) *Session { return fixtureSession(t, "../testdata/parallel-pause.sse", "agent") },
			want: []execLine{
				{"exec_dfa82c9d", "agent", "Switchback Assistant", 0, -1, true, "paused"},
				{"virtual_1781574599723_gljgv7bqa", "agent", "", 0, -1, false, "paused"},
			},
			ids: 2,
		},
		{
			name: "captured legacy flow (shared fixture)",
			session: func(t *testing.T) *Session {
				return fixtureSession(t, filepath.Join("..", "..", "shared", "fixtures", "captured-legacy-flow.sse"), "flow")
			},
			want: []execLine{{"exec_standalone_1762991259266_7wz736k7n", "flow", "Shopping Assistant", 0, -1, true, "completed"}},
			ids:  1,
		},
		{
			name:    "sim nested, unified",
			session: func(t *testing.T) *Session { return simStream(t, "nested", "unified") },
			want: []execLine{
				{"exec_…", "agent", "Research Assistant", 0, -1, true, "completed"},
				{"exec_…", "flow", "Summarize Page", 1, 0, true, "completed"},
			},
			ids: 1,
		},
		{
			name:    "sim nested, legacy",
			session: func(t *testing.T) *Session { return simStream(t, "nested", "legacy") },
			want: []execLine{
				{"exec_…", "agent", "Research Assistant", 0, -1, true, "completed"},
				{"exec_…", "flow", "Summarize Page", 1, 0, true, "completed"},
			},
			ids: 1,
		},
		{
			name:    "sim parallel",
			session: func(t *testing.T) *Session { return simStream(t, "parallel", "unified") },
			want: []execLine{
				{"exec_…", "agent", "Switchback Assistant", 0, -1, true, "paused"},
				{"virtual_…", "agent", "", 0, -1, false, "paused"},
			},
			ids: 2,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.session(t)
			got := s.Executions()
			if len(got) != len(tc.want) {
				for _, ex := range got {
					t.Logf("%+v", ex)
				}
				t.Fatalf("Executions() has %d executions, want %d", len(got), len(tc.want))
			}
			total := 0
			for i, w := range tc.want {
				g := got[i]
				if !sameID(g.ID, w.ID) || g.Kind != w.Kind || g.Name != w.Name || g.Depth != w.Depth ||
					g.Parent != w.Parent || g.Started != w.Started || g.State != w.State {
					t.Errorf("execution %d = {%s %s %q depth %d parent %d started %v %s}, want {%s %s %q depth %d parent %d started %v %s}",
						i, g.ID, g.Kind, g.Name, g.Depth, g.Parent, g.Started, g.State,
						w.ID, w.Kind, w.Name, w.Depth, w.Parent, w.Started, w.State)
				}
				if g.Events == 0 || g.FirstSeen.IsZero() {
					t.Errorf("execution %d: %d events, first seen %v; want some events and a time", i, g.Events, g.FirstSeen)
				}
				if ev := s.Event(g.FirstEvent); ev == nil || (ev.ExecutionID != "" && ev.ExecutionID != g.ID) {
					t.Errorf("execution %d: first event %d is not one of its own", i, g.FirstEvent)
				}
				total += g.Events
			}
			if total != s.EventCount() {
				t.Errorf("the executions count %d events, the session has %d: every event belongs to one", total, s.EventCount())
			}
			if got := s.ExecutionIDCount(); got != tc.ids {
				t.Errorf("ExecutionIDCount() = %d, want %d", got, tc.ids)
			}
			if got := s.ExecutionCount(); got != len(tc.want) {
				t.Errorf("ExecutionCount() = %d, want %d", got, len(tc.want))
			}
		})
	}
}

// TestExecutionStates walks executions through their states: an agent
// paused under its virtual_ id, resumed and completed there (its exec_ id
// ends with the run); a nested flow that fails while the agent goes on; an
// agent called twice into the same nested flow gets two entries.
func TestExecutionStates(t *testing.T) {
	const ex = "exec_dfa82c9d"
	states := func(s *Session) []string {
		var out []string
		for _, e := range s.Executions() {
			out = append(out, e.ID+"@"+string(rune('0'+e.Depth))+" "+e.State)
		}
		return out
	}
	check := func(t *testing.T, what string, got []string, want ...string) {
		t.Helper()
		if strings.Join(got, ", ") != strings.Join(want, ", ") {
			t.Errorf("%s: states = %v, want %v", what, got, want)
		}
	}

	t.Run("paused, resumed, completed", func(t *testing.T) {
		s := newTestSession()
		dispatch(t, s, parallelPause())
		check(t, "paused", states(s), ex+"@0 paused", virtualID+"@0 paused")
		if err := s.Begin(resumeReq(t, api.ResumeRequest{ExecutionID: virtualID, ToolOutputs: map[string]json.RawMessage{"call_Q1": json.RawMessage(`1`), "call_Q2": json.RawMessage(`2`)}})); err != nil {
			t.Fatal(err)
		}
		s.StreamOpened()
		check(t, "resumed", states(s), ex+"@0 running", virtualID+"@0 running")
		s.ApplyBatch([]api.Event{
			e(api.TypeTurnStart, virtualID, id("turn_a2")),
			e(api.TypeTextDelta, virtualID, id("text_1"), delta("Done.")),
			e(api.TypeExecutionComplete, virtualID, kind("agent"), success(true)),
		})
		if st := s.EndStream(nil); st != api.RunCompleted {
			t.Fatalf("EndStream = %s, want completed", st)
		}
		check(t, "completed", states(s), ex+"@0 completed", virtualID+"@0 completed")
		if got := s.Executions()[1].Events; got != 5 {
			t.Errorf("the virtual_ execution has %d events, want 5 (2 awaits, 3 on resume)", got)
		}
	})

	t.Run("nested flow fails, twice", func(t *testing.T) {
		s := newTestSession()
		dispatch(t, s, []api.Event{
			e(api.TypeExecutionStart, ex, kind("agent")),
			e(api.TypeToolStart, ex, call("call_F1", "summarize")),
			e(api.TypeExecutionStart, ex, kind("flow")),
			e(api.TypeStepStart, ex, id("step_1")),
			e(api.TypeExecutionError, ex, kind("flow"), errMsg("no page")),
			e(api.TypeToolComplete, ex, call("call_F1", "summarize"), success(false)),
			e(api.TypeToolStart, ex, call("call_F2", "summarize")),
			e(api.TypeExecutionStart, ex, kind("flow")),
			// A legacy-style frame with no id belongs to the flow open at
			// its depth.
			e(api.TypeStepStart, "", id("step_1")),
			e(api.TypeExecutionComplete, ex, kind("flow"), success(true)),
			e(api.TypeToolComplete, ex, call("call_F2", "summarize"), success(true)),
			e(api.TypeExecutionComplete, ex, kind("agent"), success(true)),
		})
		check(t, "done", states(s), ex+"@0 completed", ex+"@1 failed", ex+"@1 completed")
		got := s.Executions()
		if got[1].Events != 3 || got[2].Events != 3 || got[0].Events != 6 {
			t.Errorf("events per execution = %d, %d, %d; want 6, 3, 3", got[0].Events, got[1].Events, got[2].Events)
		}
		if got[1].Parent != 0 || got[2].Parent != 0 || got[1].Kind != "flow" {
			t.Errorf("nested executions: parents %d, %d, kind %q; want 0, 0, flow", got[1].Parent, got[2].Parent, got[1].Kind)
		}
	})

	t.Run("resume stream without execution_start takes the session's kind", func(t *testing.T) {
		s := newTestSession()
		s.SetKind("flow")
		dispatch(t, s, []api.Event{await(ex, "call_1", "lookup", `{}`)})
		got := s.Executions()
		if len(got) != 1 || got[0].Kind != "flow" || got[0].Started || got[0].State != "paused" {
			t.Errorf("Executions() = %+v, want one flow execution, not started, paused", got)
		}
	})
}

// TestLandmarks checks the outline's rows: requests, execution starts,
// turns, steps and stream ends, in order.
func TestLandmarks(t *testing.T) {
	s := fixtureSession(t, "../testdata/parallel-pause.sse", "agent")
	var got []string
	for _, i := range s.Landmarks() {
		got = append(got, s.Row(i).Kind.String())
	}
	if want := "request execution turn stream"; strings.Join(got, " ") != want {
		t.Errorf("landmarks = %v, want %s", got, want)
	}
	n := simStream(t, "nested", "unified")
	got = got[:0]
	for _, i := range n.Landmarks() {
		r := n.Row(i)
		got = append(got, r.Kind.String()+string(rune('0'+r.Depth)))
	}
	if want := "request0 execution0 turn0 execution1 step1 turn0 stream0"; strings.Join(got, " ") != want {
		t.Errorf("nested landmarks = %v, want %s", got, want)
	}
}
