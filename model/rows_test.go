package model

import (
	"errors"
	"slices"
	"testing"

	"rtinspect/api"
)

func TestFoldText(t *testing.T) {
	cases := []struct {
		name      string
		evs       []api.Event
		wantRows  int
		wantTexts []string
		wantDone  []bool
	}{
		{
			name:      "deltas and complete are not double counted",
			evs:       textBlock("x", "text_1", "Hel", "lo ", "world"),
			wantRows:  1,
			wantTexts: []string{"Hello world"},
			wantDone:  []bool{true},
		},
		{
			name: "complete without deltas uses its text",
			evs: []api.Event{
				e(api.TypeTextStart, "x", id("text_1")),
				e(api.TypeTextComplete, "x", id("text_1"), text("whole")),
			},
			wantRows:  1,
			wantTexts: []string{"whole"},
			wantDone:  []bool{true},
		},
		{
			name: "complete text differing from deltas keeps the deltas",
			evs: []api.Event{
				e(api.TypeTextDelta, "x", id("text_1"), delta("streamed")),
				e(api.TypeTextComplete, "x", id("text_1"), text("assembled")),
			},
			wantRows:  1,
			wantTexts: []string{"streamed"},
			wantDone:  []bool{true},
		},
		{
			name: "delta for an unseen block opens it",
			evs: []api.Event{
				e(api.TypeTextDelta, "x", id("text_9"), delta("a")),
				e(api.TypeTextDelta, "x", id("text_9"), delta("b")),
			},
			wantRows:  1,
			wantTexts: []string{"ab"},
			wantDone:  []bool{false},
		},
		{
			name: "interleaved blocks fold separately",
			evs: []api.Event{
				e(api.TypeTextStart, "x", id("t1")),
				e(api.TypeTextStart, "x", id("t2")),
				e(api.TypeTextDelta, "x", id("t1"), delta("one")),
				e(api.TypeTextDelta, "x", id("t2"), delta("two")),
				e(api.TypeTextDelta, "x", id("t1"), delta("!")),
			},
			wantRows:  2,
			wantTexts: []string{"one!", "two"},
			wantDone:  []bool{false, false},
		},
		{
			name: "delta after complete opens a new block",
			evs: append(textBlock("x", "text_1", "first"),
				e(api.TypeTextDelta, "x", id("text_1"), delta("second"))),
			wantRows:  2,
			wantTexts: []string{"first", "second"},
			wantDone:  []bool{true, false},
		},
		{
			name: "reasoning folds like text in its own rows",
			evs: []api.Event{
				e(api.TypeReasoningStart, "x", id("reason_1")),
				e(api.TypeReasoningDelta, "x", id("reason_1"), delta("think")),
				e(api.TypeReasoningDelta, "x", id("reason_1"), delta("ing")),
				e(api.TypeReasoningComplete, "x", id("reason_1"), text("thinking")),
			},
			wantRows:  1,
			wantTexts: []string{"thinking"},
			wantDone:  []bool{true},
		},
		{
			name: "reflection: reasoning complete with text and no deltas",
			evs: []api.Event{
				e(api.TypeReasoningStart, "x", id("reason_1")),
				e(api.TypeReasoningComplete, "x", id("reason_1"), text("reflect")),
			},
			wantRows:  1,
			wantTexts: []string{"reflect"},
			wantDone:  []bool{true},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestSession()
			s.ApplyBatch(tc.evs)
			if got := s.RowCount(); got != tc.wantRows {
				t.Fatalf("RowCount() = %d, want %d", got, tc.wantRows)
			}
			for i := range tc.wantRows {
				r := s.Row(i)
				if got := r.Text(); got != tc.wantTexts[i] {
					t.Errorf("row %d Text() = %q, want %q", i, got, tc.wantTexts[i])
				}
				if got := r.Done(); got != tc.wantDone[i] {
					t.Errorf("row %d Done() = %v, want %v", i, got, tc.wantDone[i])
				}
			}
			if got, want := len(s.Events()), len(tc.evs); got != want {
				t.Errorf("len(Events()) = %d, want %d", got, want)
			}
		})
	}
}

func TestFoldTextRowEventsIndexes(t *testing.T) {
	s := newTestSession()
	s.ApplyBatch(textBlock("x", "text_1", "a", "b"))
	r := s.Row(0)
	if got, want := r.Events, []int{0, 1, 2, 3}; !slices.Equal(got, want) {
		t.Errorf("Events = %v, want %v", got, want)
	}
	if got, want := r.Status, "done"; got != want {
		t.Errorf("Status = %q, want %q", got, want)
	}
	if got, want := r.Kind, RowText; got != want {
		t.Errorf("Kind = %v, want %v", got, want)
	}
	if got, want := r.Type, api.TypeTextStart; got != want {
		t.Errorf("Type = %q, want %q", got, want)
	}
}

func TestTextBlockIDReusedInNextStream(t *testing.T) {
	// Transcript 9b: the resume stream starts its text at text_1 again.
	s := newTestSession()
	s.StreamOpened()
	s.ApplyBatch(textBlock("x", "text_1", "first stream"))
	s.EndStream(nil)
	s.StreamOpened()
	s.Apply(e(api.TypeTextDelta, "x", id("text_1"), delta("second stream")))
	texts := []string{}
	for _, r := range rowsOf(s, RowText) {
		texts = append(texts, r.Text())
	}
	if want := []string{"first stream", "second stream"}; !slices.Equal(texts, want) {
		t.Errorf("text rows = %q, want %q", texts, want)
	}
}

func TestToolRows(t *testing.T) {
	cases := []struct {
		name       string
		evs        []api.Event
		wantRows   int
		wantStatus string
		wantText   string
		wantTitle  string
	}{
		{
			name: "start, input, complete fold into one ok row",
			evs: []api.Event{
				e(api.TypeToolStart, "x", call("c1", "add_to_cart"), params(`{"sku": "SHOE-001"}`)),
				e(api.TypeToolInputDelta, "x", call("c1", ""), delta(`{"sku"`)),
				e(api.TypeToolInputComplete, "x", call("c1", "add_to_cart"), params(`{"sku":"SHOE-001"}`)),
				e(api.TypeToolComplete, "x", call("c1", "add_to_cart"), success(true), result(`{"ok": true}`)),
			},
			wantRows:   1,
			wantStatus: "ok",
			wantText:   `add_to_cart {"sku":"SHOE-001"} → {"ok":true}`,
			wantTitle:  "tool add_to_cart",
		},
		{
			name: "running shows streamed input until the arguments are complete",
			evs: []api.Event{
				e(api.TypeToolStart, "x", call("c1", "search")),
				e(api.TypeToolInputDelta, "x", call("c1", ""), delta(`{"q":`)),
				e(api.TypeToolInputDelta, "x", call("c1", ""), delta(`"shoes"`)),
			},
			wantRows:   1,
			wantStatus: "running",
			wantText:   `search {"q":"shoes"`,
			wantTitle:  "tool search",
		},
		{
			name: "failed with an error message",
			evs: []api.Event{
				e(api.TypeToolStart, "x", call("c1", "fetch"), params(`{}`)),
				e(api.TypeToolComplete, "x", call("c1", "fetch"), success(false), errMsg("timeout\nafter 30s")),
			},
			wantRows:   1,
			wantStatus: "failed",
			wantText:   `fetch {} → error: timeout after 30s`,
			wantTitle:  "tool fetch",
		},
		{
			name: "output deltas show until the result",
			evs: []api.Event{
				e(api.TypeToolStart, "x", call("c1", "run"), params(`{"n":1}`)),
				e(api.TypeToolOutputDelta, "x", call("c1", ""), delta("part 1, ")),
				e(api.TypeToolOutputDelta, "x", call("c1", ""), delta("part 2")),
			},
			wantRows:   1,
			wantStatus: "running",
			wantText:   `run {"n":1} → part 1, part 2`,
			wantTitle:  "tool run",
		},
		{
			name: "complete without start opens the row",
			evs: []api.Event{
				e(api.TypeToolComplete, "x", call("c9", "lookup"), result(`"found"`)),
			},
			wantRows:   1,
			wantStatus: "done",
			wantText:   `lookup → "found"`,
			wantTitle:  "tool lookup",
		},
		{
			name: "two calls, two rows",
			evs: []api.Event{
				e(api.TypeToolStart, "x", call("c1", "a"), params(`1`)),
				e(api.TypeToolStart, "x", call("c2", "b"), params(`2`)),
				e(api.TypeToolComplete, "x", call("c2", "b"), success(true), result(`"two"`)),
			},
			wantRows:   2,
			wantStatus: "ok",
			wantText:   `b 2 → "two"`,
			wantTitle:  "tool b",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestSession()
			s.ApplyBatch(tc.evs)
			if got := s.RowCount(); got != tc.wantRows {
				t.Fatalf("RowCount() = %d, want %d", got, tc.wantRows)
			}
			r := s.Row(tc.wantRows - 1)
			if got := r.Kind; got != RowTool {
				t.Errorf("Kind = %v, want %v", got, RowTool)
			}
			if got := r.Status; got != tc.wantStatus {
				t.Errorf("Status = %q, want %q", got, tc.wantStatus)
			}
			if got := r.Text(); got != tc.wantText {
				t.Errorf("Text() = %q, want %q", got, tc.wantText)
			}
			if got := r.Title; got != tc.wantTitle {
				t.Errorf("Title = %q, want %q", got, tc.wantTitle)
			}
		})
	}
}

func TestToolCompleteInContinuationFoldsIntoFirstRow(t *testing.T) {
	// Transcript 9a: tool_start before the pause, tool_complete on the
	// resume stream.
	s := newTestSession()
	dispatch(t, s, []api.Event{
		e(api.TypeExecutionStart, "exec_7f3c", kind("flow")),
		e(api.TypeToolStart, "exec_7f3c", call("toolu_01AbC", "get_order_status"), params(`{"orderId":"A-1001"}`)),
		await("exec_7f3c", "toolu_01AbC", "get_order_status", `{"orderId":"A-1001"}`),
	})
	if err := s.SetDraft("toolu_01AbC", `{"status":"shipped"}`); err != nil {
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
	s.Apply(e(api.TypeToolComplete, "exec_7f3c", call("toolu_01AbC", "get_order_status"), success(true), result(`{"status":"shipped"}`)))
	tools := rowsOf(s, RowTool)
	if got, want := len(tools), 1; got != want {
		t.Fatalf("tool rows = %d, want %d", got, want)
	}
	if got, want := tools[0].Text(), `get_order_status {"orderId":"A-1001"} → {"status":"shipped"}`; got != want {
		t.Errorf("Text() = %q, want %q", got, want)
	}
	if got, want := tools[0].Status, "ok"; got != want {
		t.Errorf("Status = %q, want %q", got, want)
	}
}

func TestTurnStepExecutionRows(t *testing.T) {
	iter := func(n int, role string) func(*api.Event) {
		return func(e *api.Event) { e.Iteration, e.Role = n, role }
	}
	step := func(name, typ string) func(*api.Event) {
		return func(e *api.Event) { e.Name, e.StepType = name, typ }
	}
	cases := []struct {
		name       string
		evs        []api.Event
		wantKind   RowKind
		wantTitle  string
		wantStatus string
		wantText   string
	}{
		{
			name: "turn start and complete",
			evs: []api.Event{
				e(api.TypeTurnStart, "x", id("turn_1"), iter(1, "assistant")),
				e(api.TypeTurnComplete, "x", id("turn_1"), iter(1, "assistant"), func(e *api.Event) {
					e.StopReason = "end_turn"
					e.Tokens = &api.Tokens{Input: 2100, Output: 18}
				}),
			},
			wantKind: RowTurn, wantTitle: "turn 1 assistant", wantStatus: "done",
			wantText: "stop end_turn", // tokens and cost are the row's Usage
		},
		{
			name: "step start and complete",
			evs: []api.Event{
				e(api.TypeStepStart, "x", id("step_1"), step("Prompt 1", "prompt")),
				e(api.TypeStepComplete, "x", id("step_1"), step("Prompt 1", "prompt"), success(true), func(e *api.Event) {
					e.DurationMs = 2222
					e.StopReason = "end_turn"
				}),
			},
			wantKind: RowStep, wantTitle: "step Prompt 1", wantStatus: "ok",
			wantText: "prompt · stop end_turn", // the duration is the row's Usage
		},
		{
			name: "failed step",
			evs: []api.Event{
				e(api.TypeStepStart, "x", id("step_1"), step("Fetch", "api")),
				e(api.TypeStepComplete, "x", id("step_1"), step("Fetch", "api"), success(false), errMsg("502")),
			},
			wantKind: RowStep, wantTitle: "step Fetch", wantStatus: "failed",
			wantText: "api · error: 502",
		},
		{
			name: "skipped step",
			evs: []api.Event{
				e(api.TypeStepSkip, "x", id("step_2"), step("Maybe", "prompt")),
			},
			wantKind: RowStep, wantTitle: "step Maybe", wantStatus: "skipped", wantText: "prompt",
		},
		{
			name: "execution error",
			evs: []api.Event{
				e(api.TypeExecutionError, "x", kind("agent"), errMsg("plan limit reached"), func(e *api.Event) { e.ErrorCode = "LIMIT" }),
			},
			wantKind: RowExecution, wantTitle: "execution error", wantStatus: "failed",
			wantText: "plan limit reached (LIMIT)",
		},
		{
			name: "recoverable error",
			evs: []api.Event{
				e(api.TypeError, "x", errMsg("rate limited, retrying")),
			},
			wantKind: RowError, wantTitle: "error", wantStatus: "recoverable",
			wantText: "rate limited, retrying",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestSession()
			s.ApplyBatch(tc.evs)
			if got, want := s.RowCount(), 1; got != want {
				t.Fatalf("RowCount() = %d, want %d", got, want)
			}
			r := s.Row(0)
			if r.Kind != tc.wantKind || r.Title != tc.wantTitle || r.Status != tc.wantStatus {
				t.Errorf("row = %v %q %q, want %v %q %q", r.Kind, r.Title, r.Status, tc.wantKind, tc.wantTitle, tc.wantStatus)
			}
			if got := r.Text(); got != tc.wantText {
				t.Errorf("Text() = %q, want %q", got, tc.wantText)
			}
			if got, want := len(r.Events), len(tc.evs); got != want {
				t.Errorf("len(Events) = %d, want %d", got, want)
			}
		})
	}
}

func TestUnknownAndMalformedRows(t *testing.T) {
	s := newTestSession()
	unknown := api.Event{Type: "brand_new_event", Source: "brand_new_event", Data: []byte(`{"type":"brand_new_event","x":1}`)}
	malformed := api.Event{Type: api.TypeMalformed, Known: false, Err: errors.New("invalid character 'o'"), Frame: api.Frame{Data: "not json"}}
	s.ApplyBatch([]api.Event{unknown, unknown, malformed})

	cases := []struct {
		name      string
		row       int
		wantKind  RowKind
		wantTitle string
		wantText  string
	}{
		{"first unknown", 0, RowUnknown, "unknown brand_new_event", `brand_new_event {"type":"brand_new_event","x":1}`},
		{"second unknown gets its own row", 1, RowUnknown, "unknown brand_new_event", `brand_new_event {"type":"brand_new_event","x":1}`},
		{"malformed", 2, RowMalformed, "malformed frame", "invalid character 'o': not json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := s.Row(tc.row)
			if r == nil {
				t.Fatalf("Row(%d) = nil, want a row", tc.row)
			}
			if r.Kind != tc.wantKind || r.Title != tc.wantTitle {
				t.Errorf("row = %v %q, want %v %q", r.Kind, r.Title, tc.wantKind, tc.wantTitle)
			}
			if got := r.Text(); got != tc.wantText {
				t.Errorf("Text() = %q, want %q", got, tc.wantText)
			}
		})
	}
	c := s.Counts()
	if c.Unknown != 2 || c.Malformed != 1 || c.Events != 3 || c.Rows != 3 {
		t.Errorf("Counts() = %+v, want Unknown 2, Malformed 1, Events 3, Rows 3", c)
	}
	if got, want := s.LastError(), "malformed frame: invalid character 'o'"; got != want {
		t.Errorf("LastError() = %q, want %q", got, want)
	}
}

func TestPingsCountedWithoutRows(t *testing.T) {
	s := newTestSession()
	s.ApplyBatch([]api.Event{
		e(api.TypePing, "x"),
		e(api.TypeTextDelta, "x", id("t"), delta("hi")),
		e(api.TypePing, "x"),
		e(api.TypePing, "x"),
	})
	c := s.Counts()
	if c.Pings != 3 || c.Events != 4 || c.Rows != 1 {
		t.Errorf("Counts() = %+v, want Pings 3, Events 4, Rows 1", c)
	}
}

func TestOtherKnownEventsGetRows(t *testing.T) {
	s := newTestSession()
	s.ApplyBatch([]api.Event{
		e(api.TypeSource, "x", func(e *api.Event) { e.Data = []byte(`{"type":"source","url":"https://a.example"}`) }),
		e(api.TypeCustom, "x", func(e *api.Event) { e.Name = "runtype.fallback" }),
		e(api.TypeArtifactStart, "x", id("art_1"), func(e *api.Event) {
			e.Data = []byte(`{"type":"artifact_start","id":"art_1","artifactType":"markdown","title":"Notes"}`)
		}),
		e(api.TypeArtifactDelta, "x", id("art_1"), delta("# Notes\n")),
		e(api.TypeArtifactDelta, "x", id("art_1"), delta("body")),
		e(api.TypeArtifactComplete, "x", id("art_1")),
		e(api.TypeMediaStart, "x", id("m1"), func(e *api.Event) { e.Data = []byte(`{"mediaType":"image/png"}`) }),
		e(api.TypeMediaDelta, "x", id("m1"), delta("AAAA")),
		e(api.TypeMediaComplete, "x", id("m1"), func(e *api.Event) { e.Data = []byte(`{"url":"https://img.example/1.png"}`) }),
	})
	cases := []struct {
		name      string
		row       int
		wantTitle string
		wantText  string
		wantN     int
	}{
		{"source", 0, "source", `{"type":"source","url":"https://a.example"}`, 1},
		{"custom", 1, "custom runtype.fallback", "", 1},
		{"artifact folds its deltas", 2, "artifact Notes", "# Notes\nbody", 4},
		{"media folds into one row", 3, "media image/png", "https://img.example/1.png", 3},
	}
	if got, want := s.RowCount(), len(cases); got != want {
		t.Fatalf("RowCount() = %d, want %d", got, want)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := s.Row(tc.row)
			if r.Kind != RowEvent || r.Title != tc.wantTitle {
				t.Errorf("row = %v %q, want %v %q", r.Kind, r.Title, RowEvent, tc.wantTitle)
			}
			if got := r.Text(); got != tc.wantText {
				t.Errorf("Text() = %q, want %q", got, tc.wantText)
			}
			if got := len(r.Events); got != tc.wantN {
				t.Errorf("len(Events) = %d, want %d", got, tc.wantN)
			}
		})
	}
}

func TestRowDepthForNestedExecutions(t *testing.T) {
	s := newTestSession()
	s.StreamOpened()
	s.ApplyBatch([]api.Event{
		e(api.TypeExecutionStart, "x", kind("agent")), // 0
		e(api.TypeToolStart, "x", call("c1", "sub_flow")),
		e(api.TypeExecutionStart, "x", kind("flow")), // nested
		e(api.TypeTextDelta, "x", id("t_nested"), delta("inner")),
		e(api.TypeExecutionComplete, "x", kind("flow"), success(true)),
		e(api.TypeToolComplete, "x", call("c1", "sub_flow"), success(true)),
		e(api.TypeTextDelta, "x", id("t_outer"), delta("outer")),
		e(api.TypeExecutionComplete, "x", kind("agent"), success(true)),
	})
	want := []int{0, 0, 1, 1, 1, 0, 0}
	var got []int
	for i := 0; i < s.RowCount(); i++ {
		got = append(got, s.Row(i).Depth)
	}
	if !slices.Equal(got, want) {
		t.Errorf("depths = %v, want %v", got, want)
	}
	if got, want := s.State(), api.RunCompleted; got != want {
		t.Errorf("State() = %v, want %v", got, want)
	}
	if got, want := s.Kind(), "agent"; got != want {
		t.Errorf("Kind() = %q, want %q", got, want)
	}
}

func TestRowOutOfRange(t *testing.T) {
	s := newTestSession()
	for _, i := range []int{-1, 0, 1} {
		if got := s.Row(i); got != nil {
			t.Errorf("Row(%d) = %v, want nil", i, got)
		}
	}
}

func TestStrings(t *testing.T) {
	cases := []struct {
		name string
		got  string
		want string
	}{
		{"row text", RowText.String(), "text"},
		{"row stream end", RowStreamEnd.String(), "stream"},
		{"row malformed", RowMalformed.String(), "malformed"},
		{"row out of range", RowKind(99).String(), "row(99)"},
		{"draft empty", DraftEmpty.String(), "empty"},
		{"draft valid", DraftValid.String(), "drafted"},
		{"draft invalid", DraftInvalid.String(), "invalid"},
		{"draft error", DraftError.String(), "error answer"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
}

func TestOneLine(t *testing.T) {
	cases := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"short", "abc", 10, "abc"},
		{"newlines", "a\nb\tc", 10, "a b c"},
		{"cut", "abcdef", 3, "abc…"},
		{"cut on a rune boundary", "héllo", 2, "h…"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := oneLine(tc.in, tc.max); got != tc.want {
				t.Errorf("oneLine(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
			}
		})
	}
}

func BenchmarkFoldTextDeltas(b *testing.B) {
	s := NewSession()
	s.StreamOpened()
	s.Apply(e(api.TypeTextStart, "exec_1", id("text_1")))
	d := e(api.TypeTextDelta, "exec_1", id("text_1"), delta("token "))
	// As the decoder makes it: Data is a copy of the frame's data.
	d.Frame = api.Frame{Event: api.TypeTextDelta, Data: `{"type":"text_delta","executionId":"exec_1","seq":3,"id":"text_1","delta":"token "}`, At: t0}
	d.Data = []byte(d.Frame.Data)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		s.Apply(d)
		n++
	}
	if b.Elapsed() > 0 {
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "deltas/s")
	}
	if got, want := len(s.Row(0).Text()), len("token ")*n; got != want {
		b.Fatalf("len(Text()) = %d, want %d", got, want)
	}
}
