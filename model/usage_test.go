package model

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"rtinspect/api"
	"rtinspect/api/sim"
)

// usageFixture folds an SSE file through a dispatch, its frames 1 ms apart
// from t0 + 1 ms (decodeSSE), the request row at t0.
func usageFixture(t *testing.T, path, kind string) *Session {
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

// usageSimEvents returns the decoded stream of a sim scenario.
func usageSimEvents(t *testing.T, scenario, events string) []api.Event {
	t.Helper()
	srv := httptest.NewServer(sim.New(sim.Options{Open: true}))
	defer srv.Close()
	body, err := sim.DispatchBody(scenario)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.Post(srv.URL+api.PathDispatch+"?events="+events, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("dispatch %s: status %d, error %v, want 200", scenario, res.StatusCode, err)
	}
	return decodeSSE(t, string(raw))
}

// rowUsage is what a test checks of one row.
type rowUsage struct {
	kind  RowKind
	title string
	usage Usage
}

// TestRowUsageFromFixtures folds the real streams and checks the duration,
// tokens and cost each row shows, and the run's totals.
func TestRowUsageFromFixtures(t *testing.T) {
	ms := time.Millisecond
	cases := []struct {
		name   string
		path   string
		kind   string
		want   []rowUsage // rows with something to say, in order
		totals Totals
	}{
		{
			// A prompt step's usage rides in its result (tokens, cost);
			// its duration is the legacy executionTime, flow_complete's
			// is its duration; the text block, closed only by the end of
			// the run, spans its first to its last delta.
			name: "captured legacy flow (shared fixture)",
			path: filepath.Join("..", "..", "shared", "fixtures", "captured-legacy-flow.sse"),
			kind: "flow",
			want: []rowUsage{
				{RowStep, "step Prompt 1", Usage{Duration: 2222 * ms, TokensIn: 1833, TokensOut: 34, Tokens: 1867, Cost: 0.000700125}},
				{RowText, "text", Usage{Duration: 31 * ms}},
				{RowExecution, "execution complete", Usage{Duration: 2968 * ms}},
			},
			// flow_complete states totalTokensUsed 0 and no cost: the sums
			// stand; its duration is the run's.
			totals: Totals{TokensIn: 1833, TokensOut: 34, Tokens: 1867, Cost: 0.000700125, Elapsed: 2968 * ms, Any: true, HasDuration: true, HasTokens: true, HasCost: true},
		},
		{
			// Paused: only the finished text block has a span (text_start
			// at +3 ms, text_complete at +5 ms); the calls wait.
			name: "parallel pause (testdata)",
			path: filepath.Join("..", "testdata", "parallel-pause.sse"),
			kind: "agent",
			want: []rowUsage{
				{RowText, "text", Usage{Duration: 2 * ms}},
			},
			// From the request row (t0) to the last await (+11 ms).
			totals: Totals{Elapsed: 11 * ms, Any: true, HasDuration: true},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := usageFixture(t, tc.path, tc.kind)
			var got []rowUsage
			for i := range s.RowCount() {
				if r := s.Row(i); !r.Usage.IsZero() {
					got = append(got, rowUsage{r.Kind, r.Title, r.Usage})
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("rows with usage =\n%+v\nwant\n%+v", got, tc.want)
			}
			if got := s.Totals(); got != tc.totals {
				t.Errorf("Totals() = %+v, want %+v", got, tc.totals)
			}
		})
	}
}

// TestTotalsNested folds the sim's nested scenario (an agent calls a flow
// as a tool) in both vocabularies: until the top-level execution_complete
// the totals are the turns' and steps' sums, never with the nested
// execution_complete's own totals added; then they are the top-level
// completion's.
func TestTotalsNested(t *testing.T) {
	for _, vocab := range []string{"unified", "legacy"} {
		t.Run(vocab, func(t *testing.T) {
			evs := usageSimEvents(t, "nested", vocab)
			last := len(evs) - 1
			for last >= 0 && evs[last].Type != api.TypeExecutionComplete {
				last--
			}
			if last < 0 {
				t.Fatal("the nested scenario has no execution_complete")
			}
			s := newTestSession()
			s.SetKind("agent")
			if err := s.Begin(api.Request{Method: "POST", Path: api.PathDispatch, Body: []byte(`{"agent":{}}`)}); err != nil {
				t.Fatal(err)
			}
			s.StreamOpened()
			s.ApplyBatch(evs[:last])

			var sum, nested Usage
			turns, steps := 0, 0
			for i := range s.RowCount() {
				r := s.Row(i)
				switch r.Kind {
				case RowTurn, RowStep:
					if r.Kind == RowTurn {
						turns++
					} else {
						steps++
					}
					sum.TokensIn += r.TokensIn
					sum.TokensOut += r.TokensOut
					sum.Tokens += r.Tokens
					sum.Cost += r.Cost
				case RowExecution:
					if r.Type == api.TypeExecutionComplete {
						nested = r.Usage
					}
				}
			}
			if turns == 0 || steps == 0 || sum.Tokens == 0 {
				t.Fatalf("the nested run has %d turns and %d steps with %d tokens, want some of each", turns, steps, sum.Tokens)
			}
			got := s.Totals()
			if got.Final || got.Tokens != sum.Tokens || got.TokensIn != sum.TokensIn || got.TokensOut != sum.TokensOut || !near(got.Cost, sum.Cost) {
				t.Errorf("Totals() before the end = %+v, want the turns' and steps' sums %+v (nested execution_complete: %+v)", got, sum, nested)
			}

			s.Apply(evs[last])
			root := s.Row(s.RowCount() - 1)
			if root.Kind != RowExecution || root.Depth != 0 {
				t.Fatalf("last row is %s at depth %d, want the top-level execution complete", root.Kind, root.Depth)
			}
			got = s.Totals()
			want := EventUsage(&evs[last])
			if want.Tokens == 0 && want.Cost == 0 {
				t.Fatalf("the top-level execution_complete states no totals: %s", evs[last].Frame.Data)
			}
			if !got.Final || (want.Tokens > 0 && got.Tokens != want.Tokens) || (want.Cost > 0 && !near(got.Cost, want.Cost)) {
				t.Errorf("Totals() after the end = %+v, want the execution_complete's %+v", got, want)
			}
			if want.Duration > 0 && got.Elapsed != want.Duration {
				t.Errorf("Totals().Elapsed = %v, want the stated %v", got.Elapsed, want.Duration)
			}
		})
	}
}

func near(a, b float64) bool { return a-b < 1e-12 && b-a < 1e-12 }

// TestEventUsage reads duration, tokens and cost from each completion the
// protocol notes list, through the decoder.
func TestEventUsage(t *testing.T) {
	ms := time.Millisecond
	cases := []struct {
		name, data string
		want       Usage
	}{
		{"turn_complete", `{"type":"turn_complete","executionId":"e","id":"t1","tokens":{"input":1834,"output":311},"cost":0.0004617}`,
			Usage{TokensIn: 1834, TokensOut: 311, Tokens: 2145, Cost: 0.0004617}},
		{"step_complete tokensUsed", `{"type":"step_complete","executionId":"e","id":"s1","durationMs":1520,"tokensUsed":1900,"cost":0.0012}`,
			Usage{Duration: 1520 * ms, Tokens: 1900, Cost: 0.0012}},
		{"step_complete tokensUsed object", `{"type":"step_complete","executionId":"e","id":"s1","tokensUsed":{"input":10,"output":5}}`,
			Usage{TokensIn: 10, TokensOut: 5, Tokens: 15}},
		{"step_complete result", `{"type":"step_complete","executionId":"e","id":"s1","durationMs":900,"result":{"response":"hi","tokens":{"input":1833,"output":34,"total":1867},"cost":0.000700125}}`,
			Usage{Duration: 900 * ms, TokensIn: 1833, TokensOut: 34, Tokens: 1867, Cost: 0.000700125}},
		{"step_complete top level wins", `{"type":"step_complete","executionId":"e","id":"s1","tokensUsed":50,"cost":0.5,"result":{"tokens":{"input":1,"output":1},"cost":0.1}}`,
			Usage{Tokens: 50, Cost: 0.5}},
		{"step_complete string result", `{"type":"step_complete","executionId":"e","id":"s1","result":"tokens cost"}`, Usage{}},
		{"tool_complete", `{"type":"tool_complete","executionId":"e","toolCallId":"c","success":true,"executionTime":182,"toolCost":0.002}`,
			Usage{Duration: 182 * ms, Cost: 0.002}},
		{"execution_complete", `{"type":"execution_complete","executionId":"e","kind":"agent","success":true,"durationMs":4200,"totalTokens":{"input":3720,"output":40},"totalCost":0.0008}`,
			Usage{Duration: 4200 * ms, TokensIn: 3720, TokensOut: 40, Tokens: 3760, Cost: 0.0008}},
		{"execution_complete totalTokensUsed", `{"type":"execution_complete","executionId":"e","kind":"flow","success":true,"totalTokensUsed":777}`,
			Usage{Tokens: 777}},
		{"legacy flow_complete", `{"type":"flow_complete","flowId":"f","success":true,"duration":2968,"totalTokensUsed":0}`,
			Usage{Duration: 2968 * ms}},
		{"legacy agent_turn_complete", `{"type":"agent_turn_complete","executionId":"e","turnId":"t","tokens":{"input":5,"output":6},"cost":0.01}`,
			Usage{TokensIn: 5, TokensOut: 6, Tokens: 11, Cost: 0.01}},
		{"text_delta", `{"type":"text_delta","executionId":"e","id":"x","delta":"tokensUsed"}`, Usage{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			evs := api.NewDecoder().Decode(nil, api.Frame{Data: tc.data, At: t0})
			if len(evs) != 1 {
				t.Fatalf("decoded %d events, want 1", len(evs))
			}
			if got := EventUsage(&evs[0]); got != tc.want {
				t.Errorf("EventUsage(%s) = %+v, want %+v", tc.data, got, tc.want)
			}
		})
	}
}

// TestRowUsageMeasured checks the measured duration of rows that state
// none, and that a stated one wins over the measured span.
func TestRowUsageMeasured(t *testing.T) {
	at := func(d time.Duration) func(*api.Event) { return func(e *api.Event) { e.Frame.At = t0.Add(d) } }
	s := newTestSession()
	dispatch(t, s, []api.Event{
		e(api.TypeTurnStart, "x", id("turn_1"), at(100*time.Millisecond)),
		e(api.TypeToolStart, "x", call("c1", "lookup"), at(200*time.Millisecond)),
		e(api.TypeToolComplete, "x", call("c1", "lookup"), success(true), at(1500*time.Millisecond)),
		e(api.TypeToolStart, "x", call("c2", "lookup"), at(1600*time.Millisecond)),
		e(api.TypeToolComplete, "x", call("c2", "lookup"), success(true), at(1700*time.Millisecond),
			func(e *api.Event) { e.DurationMs = 42 }),
		e(api.TypeTurnComplete, "x", id("turn_1"), at(2100*time.Millisecond)),
	})
	want := map[string]time.Duration{"c1": 1300 * time.Millisecond, "c2": 42 * time.Millisecond, "turn_1": 2 * time.Second}
	for i := range s.RowCount() {
		r := s.Row(i)
		if w, ok := want[r.ID]; ok && r.Duration != w {
			t.Errorf("row %s %s: Duration = %v, want %v", r.Kind, r.ID, r.Duration, w)
		}
	}
}

// TestEventRow checks every event maps to the row that holds it, and a
// ping to none.
func TestEventRow(t *testing.T) {
	s := usageFixture(t, filepath.Join("..", "testdata", "parallel-pause.sse"), "agent")
	s.Apply(e(api.TypePing, "x"))
	for i := range s.EventCount() {
		ri := s.EventRow(i)
		if s.Event(i).Type == api.TypePing {
			if ri != -1 {
				t.Errorf("EventRow(%d) of a ping = %d, want -1", i, ri)
			}
			continue
		}
		r := s.Row(ri)
		if r == nil {
			t.Fatalf("EventRow(%d) = %d, want a row", i, ri)
		}
		found := false
		for _, x := range r.Events {
			found = found || x == i
		}
		if !found {
			t.Errorf("EventRow(%d) = row %d (%s), whose events %v do not hold it", i, ri, r.Kind, r.Events)
		}
	}
	for _, i := range []int{-1, s.EventCount()} {
		if got := s.EventRow(i); got != -1 {
			t.Errorf("EventRow(%d) = %d, want -1", i, got)
		}
	}
}

// TestReadEventMatchesEvent checks ReadEvent rebuilds what Event hands
// out, without caching it.
func TestReadEventMatchesEvent(t *testing.T) {
	s := usageFixture(t, filepath.Join("..", "..", "shared", "fixtures", "captured-legacy-flow.sse"), "flow")
	read := make([]api.Event, s.EventCount())
	for i := range read {
		if !s.ReadEvent(i, &read[i]) {
			t.Fatalf("ReadEvent(%d) = false, want true", i)
		}
	}
	if n := len(s.events.mat); n != 0 {
		t.Errorf("ReadEvent cached %d events, want none", n)
	}
	for i := range read {
		if want := s.Event(i); !reflect.DeepEqual(read[i], *want) {
			t.Errorf("ReadEvent(%d) = %+v, want %+v", i, read[i], *want)
		}
	}
	var ev api.Event
	if s.ReadEvent(s.EventCount(), &ev) || s.ReadEvent(-1, &ev) {
		t.Error("ReadEvent out of range = true, want false")
	}
}

// TestTotalsCountNestedOnce builds the case the sim leaves out: a nested
// flow whose execution_complete states its own totals, and the tool call
// that ran it a toolCost. Only the turn and the step are summed.
func TestTotalsCountNestedOnce(t *testing.T) {
	frames := []string{
		`{"type":"execution_start","executionId":"e","kind":"agent"}`,
		`{"type":"turn_start","executionId":"e","id":"turn_1","role":"assistant"}`,
		`{"type":"tool_start","executionId":"e","toolCallId":"c1","toolName":"summarize","toolType":"flow"}`,
		`{"type":"execution_start","executionId":"e","kind":"flow"}`,
		`{"type":"step_start","executionId":"e","id":"s1","name":"Prompt"}`,
		`{"type":"step_complete","executionId":"e","id":"s1","success":true,"tokensUsed":{"input":10,"output":5},"cost":0.1}`,
		`{"type":"execution_complete","executionId":"e","kind":"flow","success":true,"totalTokens":{"input":10,"output":5},"totalCost":0.1}`,
		`{"type":"tool_complete","executionId":"e","toolCallId":"c1","success":true,"toolCost":0.1}`,
		`{"type":"turn_complete","executionId":"e","id":"turn_1","tokens":{"input":100,"output":20},"cost":0.2}`,
		`{"type":"execution_complete","executionId":"e","kind":"agent","success":true,"durationMs":1500,"totalTokens":{"input":110,"output":25},"totalCost":0.3}`,
	}
	d := api.NewDecoder()
	var evs []api.Event
	for i, f := range frames {
		evs = d.Decode(evs, api.Frame{Data: f, At: t0.Add(time.Duration(i+1) * time.Millisecond)})
	}
	s := newTestSession()
	if err := s.Begin(api.Request{Method: "POST", Path: api.PathDispatch, Body: []byte(`{"agent":{}}`)}); err != nil {
		t.Fatal(err)
	}
	s.StreamOpened()
	s.ApplyBatch(evs[:len(evs)-1])
	got := s.Totals()
	want := Totals{TokensIn: 110, TokensOut: 25, Tokens: 135, Cost: 0.3, Elapsed: 9 * time.Millisecond, Any: true}
	if got.TokensIn != want.TokensIn || got.TokensOut != want.TokensOut || got.Tokens != want.Tokens ||
		!near(got.Cost, want.Cost) || got.Elapsed != want.Elapsed || got.Final || !got.Any {
		t.Errorf("Totals() before the end = %+v, want %+v", got, want)
	}
	s.Apply(evs[len(evs)-1])
	got = s.Totals()
	want = Totals{TokensIn: 110, TokensOut: 25, Tokens: 135, Cost: 0.3, Elapsed: 1500 * time.Millisecond, Final: true, Any: true, HasDuration: true, HasTokens: true, HasCost: true}
	if got != want {
		t.Errorf("Totals() after the end = %+v, want %+v", got, want)
	}
}
