package diff

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"rtinspect/api"
	"rtinspect/api/record"
)

// run describes one run of the shopping agent of transcript 9b: it pauses
// on two parallel add_to_cart calls and completes after the resume. The
// zero value is the reference run; each field varies one thing.
type run struct {
	// Things that must not count.
	suffix  string        // appended to every id
	seq     int           // added to every seq
	start   time.Duration // shifts every time
	chunks  []string      // the first text's deltas
	pings   bool          // pings between the deltas
	swapKey bool          // the resume lists its outputs in the other order

	// Things that must count.
	args2       string // the second call's arguments
	out2        string // the output sent for the second call
	final       string // the final output
	noTurnStart bool   // the first turn_start is missing
	extra       bool   // an extra event at the end
	short       bool   // the run stops after the pause
	toolResult  string // a server tool in the second turn, with this result
}

// recording writes the run as a recording; lines maps labels to the line of
// the record written with that label.
func (r run) recording(path string) (*record.Recording, map[string]int) {
	at := time.Date(2026, 6, 20, 10, 0, 0, 0, time.UTC).Add(r.start)
	rec := &record.Recording{Path: path, Header: record.Record{Kind: record.KindHeader, Format: record.Format, Version: 1, Line: 1}}
	lines := map[string]int{}
	stream := 0
	seq := r.seq
	add := func(label string, x record.Record) {
		at = at.Add(5 * time.Millisecond)
		x.At, x.Stream, x.Line = at, stream, len(rec.Records)+2
		rec.Records = append(rec.Records, x)
		if label != "" {
			lines[label] = x.Line
		}
	}
	exec := "exec_" + r.suffix
	frame := func(label, typ, fields string) {
		seq++
		data := fmt.Sprintf(`{"type":%q,"executionId":%q,"seq":%d,"timestamp":%q%s}`, typ, exec, seq, at.Format(time.RFC3339Nano), fields)
		add(label, record.Record{Kind: record.KindFrame, Event: typ, ID: fmt.Sprint(seq), Data: &data})
	}
	id := func(s string) string { return s + r.suffix }
	or := func(v, def string) string {
		if v == "" {
			return def
		}
		return v
	}

	stream++
	add("dispatch", record.Record{Kind: record.KindRequest, Method: "POST", Path: api.PathDispatch, Body: json.RawMessage(`{"agent":{"agentId":"a"}}`)})
	add("", record.Record{Kind: record.KindResponse, Status: 200, ContentType: "text/event-stream"})
	frame("exec_start", "execution_start", `,"kind":"agent","agentName":"Shop"`)
	if !r.noTurnStart {
		frame("turn_start", "turn_start", fmt.Sprintf(`,"id":%q,"role":"assistant","iteration":1`, id("turn_a")))
	}
	frame("text_start", "text_start", fmt.Sprintf(`,"id":%q`, id("text_")))
	chunks := r.chunks
	if chunks == nil {
		chunks = []string{"Adding both ", "now."}
	}
	for i, c := range chunks {
		if r.pings && i > 0 {
			frame("", "ping", "")
		}
		frame(fmt.Sprintf("delta%d", i), "text_delta", fmt.Sprintf(`,"id":%q,"delta":%q`, id("text_"), c))
	}
	frame("text_complete", "text_complete", fmt.Sprintf(`,"id":%q,"text":"Adding both now."`, id("text_")))
	args1, args2 := `{"sku":"SHOE-001","qty":1}`, or(r.args2, `{"sku":"SHOE-007","qty":1}`)
	frame("tool1", "tool_start", fmt.Sprintf(`,"toolCallId":%q,"toolName":"add_to_cart","toolType":"local","parameters":%s`, id("call_1"), args1))
	frame("tool2", "tool_start", fmt.Sprintf(`,"toolCallId":%q,"toolName":"add_to_cart","toolType":"local","parameters":%s`, id("call_2"), args2))
	frame("await1", "await", fmt.Sprintf(`,"toolCallId":%q,"toolId":%q,"toolName":"add_to_cart","awaitReason":"local_tool_required","parameters":%s`, id("call_1"), id("rt"), args1))
	frame("await2", "await", fmt.Sprintf(`,"toolCallId":%q,"toolId":%q,"toolName":"add_to_cart","awaitReason":"local_tool_required","parameters":%s`, id("call_2"), id("rt"), args2))
	add("end1", record.Record{Kind: record.KindEnd, Reason: record.EndPaused})
	if r.short {
		return rec, lines
	}

	stream++
	out1, out2 := `{"ok":true,"total":149}`, or(r.out2, `{"ok":true,"total":288}`)
	outs := fmt.Sprintf(`{%q:%s,%q:%s}`, id("call_1"), out1, id("call_2"), out2)
	if r.swapKey {
		outs = fmt.Sprintf(`{%q:%s,%q:%s}`, id("call_2"), out2, id("call_1"), out1)
	}
	body := fmt.Sprintf(`{"executionId":%q,"toolOutputs":%s,"streamResponse":true}`, exec, outs)
	add("resume", record.Record{Kind: record.KindRequest, Method: "POST", Path: api.PathResume, Body: json.RawMessage(body), ExecutionID: exec})
	add("", record.Record{Kind: record.KindResponse, Status: 200, ContentType: "text/event-stream; charset=utf-8"})
	frame("turn2", "turn_start", fmt.Sprintf(`,"id":%q,"role":"assistant"`, id("turn_b")))
	if r.toolResult != "" {
		frame("server_tool", "tool_start", fmt.Sprintf(`,"toolCallId":%q,"toolName":"lookup","toolType":"builtin","parameters":{}`, id("call_3")))
		frame("server_done", "tool_complete", fmt.Sprintf(`,"toolCallId":%q,"success":true,"executionTime":%d,"result":%s`, id("call_3"), 10+r.seq, r.toolResult))
	}
	frame("text2", "text_delta", fmt.Sprintf(`,"id":%q,"delta":"Done."`, id("text_")))
	frame("turn2_done", "turn_complete", fmt.Sprintf(`,"id":%q,"role":"assistant","stopReason":"end_turn","tokens":{"input":%d,"output":3}`, id("turn_b"), 100+r.seq))
	frame("exec_done", "execution_complete", fmt.Sprintf(`,"kind":"agent","success":true,"durationMs":%d,"finalOutput":%q`, 1200+r.seq, or(r.final, "Done.")))
	if r.extra {
		frame("extra", "source", `,"sourceType":"url","url":"https://example.com"`)
	}
	add("end2", record.Record{Kind: record.KindEnd, Reason: record.EndCompleted})
	return rec, lines
}

// kinds lists the steps as "kind tool".
func kinds(steps []Step) []string {
	var out []string
	for _, s := range steps {
		out = append(out, strings.TrimSpace(s.Kind+" "+s.Tool))
	}
	return out
}

func TestNormalize(t *testing.T) {
	rec, lines := run{pings: true, chunks: []string{"Add", "ing both ", "now."}}.recording("a.jsonl")
	steps := Normalize(rec)
	want := []struct {
		kind, tool, detail string
		line               string
	}{
		{"request", "", "/v1/dispatch", "dispatch"},
		{"execution_start", "", `{"kind":"agent","name":"Shop"}`, "exec_start"},
		{"turn_start", "", `{"role":"assistant"}`, "turn_start"},
		{"text_complete", "", "Adding both now.", "delta0"},
		{"tool_start", "add_to_cart", `{"parameters":{"qty":1,"sku":"SHOE-001"}}`, "tool1"},
		{"tool_start", "add_to_cart", `{"parameters":{"qty":1,"sku":"SHOE-007"}}`, "tool2"},
		{"await", "add_to_cart", `{"awaitReason":"local_tool_required","parameters":{"qty":1,"sku":"SHOE-001"}}`, "await1"},
		{"await", "add_to_cart", `{"awaitReason":"local_tool_required","parameters":{"qty":1,"sku":"SHOE-007"}}`, "await2"},
		{"request", "add_to_cart", `/v1/dispatch/resume {"toolOutputs":{"add_to_cart#1":{"ok":true,"total":149},"add_to_cart#2":{"ok":true,"total":288}}}`, "resume"},
		{"turn_start", "", `{"role":"assistant"}`, "turn2"},
		// A block that never completes is emitted at the next event.
		{"text_complete", "", "Done.", "text2"},
		{"turn_complete", "", `{"role":"assistant","stopReason":"end_turn"}`, "turn2_done"},
		{"execution_complete", "", `{"finalOutput":"Done.","success":true}`, "exec_done"},
	}
	if len(steps) != len(want) {
		t.Fatalf("Normalize: got %d steps %v, want %d", len(steps), kinds(steps), len(want))
	}
	for i, w := range want {
		s := steps[i]
		if s.Index != i || s.Kind != w.kind || s.Tool != w.tool || s.Detail != w.detail || s.Line != lines[w.line] {
			t.Errorf("step %d = %+v, want {Index:%d Kind:%s Tool:%s Detail:%s Line:%d}", i, s, i, w.kind, w.tool, w.detail, lines[w.line])
		}
	}
	if got := steps[9].Stream; got != 2 {
		t.Errorf("step 9 Stream = %d, want 2", got)
	}
}

// How text blocks fold: one step per block whatever the chunking, pings
// and other deltas in between; complete's text when there are no deltas.
func TestNormalizeBlocks(t *testing.T) {
	cases := []struct {
		name   string
		frames []string
		want   []string // "kind detail"
	}{
		{"complete without deltas", []string{
			`{"type":"text_start","id":"t1"}`,
			`{"type":"text_complete","id":"t1","text":"whole"}`,
		}, []string{"text_complete whole"}},
		{"deltas win over complete's text", []string{
			`{"type":"text_delta","id":"t1","delta":"a"}`,
			`{"type":"text_delta","id":"t1","delta":"b"}`,
			`{"type":"text_complete","id":"t1","text":"different"}`,
		}, []string{"text_complete ab"}},
		{"pings, custom, state and tool deltas do not split a block", []string{
			`{"type":"text_delta","id":"t1","delta":"a"}`,
			`{"type":"ping"}`,
			`{"type":"custom","name":"x","value":1}`,
			`{"type":"state_delta","patch":[]}`,
			`{"type":"tool_input_delta","toolCallId":"c","delta":"{"}`,
			`{"type":"text_delta","id":"t1","delta":"b"}`,
		}, []string{"text_complete ab"}},
		{"interleaved reasoning and text", []string{
			`{"type":"reasoning_delta","id":"r1","delta":"think "}`,
			`{"type":"text_delta","id":"t1","delta":"say "}`,
			`{"type":"reasoning_delta","id":"r1","delta":"more"}`,
			`{"type":"text_delta","id":"t1","delta":"it"}`,
			`{"type":"turn_complete","id":"turn","stopReason":"end_turn"}`,
		}, []string{"reasoning_complete think more", "text_complete say it", `turn_complete {"stopReason":"end_turn"}`}},
		{"a new block closes the open one", []string{
			`{"type":"text_delta","id":"t1","delta":"one"}`,
			`{"type":"text_start","id":"t2"}`,
			`{"type":"text_delta","id":"t2","delta":"two"}`,
		}, []string{"text_complete one", "text_complete two"}},
		{"unknown by type, malformed by data", []string{
			`{"type":"brand_new","whatever":1}`,
			`{"type":"brand_new","whatever":2}`,
			`{not json`,
		}, []string{"brand_new", "brand_new", "malformed {not json"}},
		{"volatile fields of other events do not count", []string{
			`{"type":"source","id":"s1","seq":4,"executionId":"e","url":"https://x","timestamp":"now"}`,
		}, []string{`source {"url":"https://x"}`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &record.Recording{}
			for i, f := range tc.frames {
				f := f
				rec.Records = append(rec.Records, record.Record{Kind: record.KindFrame, Stream: 1, Data: &f, Line: i + 2})
			}
			var got []string
			for _, s := range Normalize(rec) {
				got = append(got, strings.TrimSpace(s.Kind+" "+s.Detail))
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("Normalize:\ngot  %q\nwant %q", got, tc.want)
			}
		})
	}
}

// Requests count once they got a stream; a refused one is left out.
func TestNormalizeRequests(t *testing.T) {
	str := func(s string) *string { return &s }
	rec := &record.Recording{Records: []record.Record{
		{Kind: record.KindRequest, Stream: 1, Path: api.PathDispatch, Line: 2},
		{Kind: record.KindResponse, Stream: 1, Status: 200, Line: 3},
		{Kind: record.KindFrame, Stream: 1, Line: 4, Data: str(`{"type":"approval_start","approvalId":"ap1","toolName":"send_email"}`)},
		{Kind: record.KindEnd, Stream: 1, Reason: record.EndPaused, Line: 5},
		{Kind: record.KindRequest, Stream: 2, Path: api.PathApprove, Line: 6, Body: json.RawMessage(`{"executionId":"e","approvalId":"ap1","decision":"approved"}`)},
		{Kind: record.KindResponse, Stream: 2, Status: 404, ErrorBody: `{"error":"busy"}`, Line: 7},
		{Kind: record.KindEnd, Stream: 2, Reason: record.EndError, Error: "404", Line: 8},
		{Kind: record.KindRequest, Stream: 3, Path: api.PathApprove, Line: 9, Body: json.RawMessage(`{"executionId":"e","approvalId":"ap1","decision":"approved"}`)},
		{Kind: record.KindEnd, Stream: 3, Reason: record.EndError, Error: "connection refused", Line: 10},
		{Kind: record.KindRequest, Stream: 4, Path: api.PathApprove, Line: 11, Body: json.RawMessage(`{"executionId":"e","approvalId":"ap1","decision":"denied"}`)},
		{Kind: record.KindResponse, Stream: 4, Status: 200, Line: 12},
		{Kind: record.KindFrame, Stream: 4, Line: 13, Data: str(`{"type":"approval_complete","approvalId":"ap1","decision":"denied"}`)},
		{Kind: record.KindEnd, Stream: 4, Reason: record.EndCompleted, Line: 14},
		// Cut off before its response: it was sent, so it counts.
		{Kind: record.KindRequest, Stream: 5, Path: api.PathDispatch, Line: 15},
	}}
	want := []string{
		"request  /v1/dispatch 2",
		"approval_start send_email  4",
		`request send_email /v1/dispatch/approve {"decision":"denied"} 11`,
		`approval_complete send_email {"decision":"denied"} 13`,
		"request  /v1/dispatch 15",
	}
	var got []string
	for _, s := range Normalize(rec) {
		got = append(got, fmt.Sprintf("%s %s %s %d", s.Kind, s.Tool, s.Detail, s.Line))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Normalize:\ngot  %q\nwant %q", got, want)
	}
}

func TestCompare(t *testing.T) {
	cases := []struct {
		name  string
		a, b  run
		match bool
		at    int
		field string
		// labels of the lines of A's and B's differing step ("" = ended)
		lineA, lineB string
		text         string // a line the text report must contain
	}{
		{name: "identical", match: true, text: "no divergence: 13 steps match"},
		{
			name:  "ids, seq, timestamps, chunking, pings and key order do not count",
			b:     run{suffix: "zz9", seq: 40, start: time.Hour, chunks: []string{"A", "dding", " both now."}, pings: true, swapKey: true},
			match: true, text: "no divergence: 13 steps match",
		},
		{
			name: "a different tool output sent", b: run{out2: `{"ok":false}`},
			at: 8, field: "output", lineA: "resume", lineB: "resume",
			text: "tool output sent for add_to_cart#2 differs",
		},
		{
			name: "a different argument", b: run{args2: `{"sku":"SHOE-009","qty":1}`},
			at: 5, field: "arguments", lineA: "tool2", lineB: "tool2",
			text: "arguments of add_to_cart differ",
		},
		{
			name: "a missing step", b: run{noTurnStart: true},
			at: 2, field: "type", lineA: "turn_start", lineB: "delta0",
			text: "event type differs (A turn_start, B text_complete)",
		},
		{
			name: "an extra step at the end", b: run{extra: true},
			at: 13, field: "length", lineA: "", lineB: "extra",
			text: "A ends after 13 steps, B goes on",
		},
		{
			name: "B stops early", b: run{short: true},
			at: 8, field: "length", lineA: "resume", lineB: "",
			text: "B ends after 8 steps, A goes on",
		},
		{
			name: "a different final output", b: run{final: "Failed."},
			at: 12, field: "final output", lineA: "exec_done", lineB: "exec_done",
			text: "final output differs",
		},
		{
			name: "a different server tool result",
			a:    run{toolResult: `{"found":true,"n":1}`}, b: run{toolResult: `{"n":2,"found":true}`},
			at: 11, field: "output", lineA: "server_done", lineB: "server_done",
			text: "tool output of lookup differs",
		},
		{
			name: "same server tool result in another key order",
			a:    run{toolResult: `{"found":true,"n":1}`}, b: run{toolResult: `{"n":1,"found":true}`, suffix: "q"},
			match: true,
		},
		{
			name: "a different text", b: run{chunks: []string{"Adding ", "one."}},
			at: 3, field: "text", lineA: "delta0", lineB: "delta0",
			text: "text differs",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, la := tc.a.recording("A.jsonl")
			b, lb := tc.b.recording("B.jsonl")
			r := Compare(a, b)
			text := r.Text()
			if r.Match != tc.match {
				t.Fatalf("Compare: Match = %v, want %v\n%s", r.Match, tc.match, text)
			}
			if r.A != "A.jsonl" || r.B != "B.jsonl" {
				t.Errorf("Compare: paths = %q, %q; want A.jsonl, B.jsonl", r.A, r.B)
			}
			if tc.text != "" && !strings.Contains(text, tc.text) {
				t.Errorf("Text() = %q, want it to contain %q", text, tc.text)
			}
			if tc.match {
				return
			}
			if r.At != tc.at || r.Field != tc.field {
				t.Errorf("Compare: diverge at %d on %q, want %d on %q\n%s", r.At, r.Field, tc.at, tc.field, text)
			}
			checkLine := func(side string, s *Step, label string, lines map[string]int) {
				switch {
				case label == "" && s != nil:
					t.Errorf("%s step = %+v, want none (the run ended)", side, *s)
				case label != "" && s == nil:
					t.Errorf("%s step = nil, want the one at line %d", side, lines[label])
				case label != "" && s.Line != lines[label]:
					t.Errorf("%s step line = %d, want %d (%s)", side, s.Line, lines[label], label)
				}
			}
			checkLine("A", r.Want, tc.lineA, la)
			checkLine("B", r.Got, tc.lineB, lb)
			wantCtx := min(3, tc.at)
			if len(r.Context) != wantCtx {
				t.Errorf("Context: got %d steps, want %d", len(r.Context), wantCtx)
			} else if wantCtx > 0 && r.Context[wantCtx-1].Index != tc.at-1 {
				t.Errorf("Context ends at step %d, want %d", r.Context[wantCtx-1].Index, tc.at-1)
			}
			head := fmt.Sprintf("runs diverge at step %d (", tc.at+1)
			if !strings.HasPrefix(text, head) {
				t.Errorf("Text() = %q, want it to start with %q", text, head)
			}
		})
	}
}

func TestReportText(t *testing.T) {
	a, _ := run{}.recording("A.jsonl")
	b, _ := run{out2: `{"ok":false}`}.recording("B.jsonl")
	got := Compare(a, b).Text()
	want := `runs diverge at step 9 (A line 15, B line 15): tool output sent for add_to_cart#2 differs
  matching before it:
    6. tool_start add_to_cart {"parameters":{"qty":1,"sku":"SHOE-007"}}
    7. await add_to_cart {"awaitReason":"local_tool_required","parameters":{"qty":1,"sku":"SHOE-001"}}
    8. await add_to_cart {"awaitReason":"local_tool_required","parameters":{"qty":1,"sku":"SHOE-007"}}
  A: request add_to_cart /v1/dispatch/resume {"toolOutputs":{"add_to_cart#1":{"ok":true,"total":149},"add_to_cart#2":{"ok":true,"total":288}}}
  B: request add_to_cart /v1/dispatch/resume {"toolOutputs":{"add_to_cart#1":{"ok":true,"total":149},"add_to_cart#2":{"ok":false}}}
`
	if got != want {
		t.Errorf("Text():\ngot:\n%s\nwant:\n%s", got, want)
	}
}

func TestReportJSON(t *testing.T) {
	a, _ := run{}.recording("A.jsonl")
	b, lb := run{final: "Nope."}.recording("B.jsonl")
	cases := []struct {
		name  string
		b     *record.Recording
		check func(t *testing.T, m map[string]any)
	}{
		{"match", a, func(t *testing.T, m map[string]any) {
			if m["match"] != true || m["stepsA"] != float64(13) || m["summary"] != "no divergence: 13 steps match" {
				t.Errorf("JSON = %v, want a match of 13 steps", m)
			}
			if _, ok := m["at"]; ok {
				t.Errorf("JSON has \"at\" = %v, want none for a match", m["at"])
			}
		}},
		{"divergence", b, func(t *testing.T, m map[string]any) {
			got, _ := m["got"].(map[string]any)
			if m["match"] != false || m["at"] != float64(12) || m["field"] != "final output" ||
				got["line"] != float64(lb["exec_done"]) || got["kind"] != "execution_complete" {
				t.Errorf("JSON = %v, want a divergence at 12 on the final output, B line %d", m, lb["exec_done"])
			}
			if ctx, _ := m["context"].([]any); len(ctx) != 3 {
				t.Errorf("JSON context = %v, want 3 steps", m["context"])
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data, err := Compare(a, tc.b).JSON()
			if err != nil {
				t.Fatalf("JSON(): got error %v, want nil", err)
			}
			var m map[string]any
			if err := json.Unmarshal(data, &m); err != nil {
				t.Fatalf("JSON() is not JSON: %v\n%s", err, data)
			}
			tc.check(t, m)
		})
	}
}

func TestCompareNil(t *testing.T) {
	a, _ := run{}.recording("A.jsonl")
	cases := []struct {
		name  string
		a, b  *record.Recording
		match bool
	}{
		{"both nil", nil, nil, true},
		{"one empty", a, &record.Recording{Path: "B.jsonl"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := Compare(tc.a, tc.b)
			if r.Match != tc.match {
				t.Errorf("Compare: Match = %v, want %v", r.Match, tc.match)
			}
			if !tc.match && (r.Field != "length" || r.At != 0 || r.Got != nil) {
				t.Errorf("Compare: diverge at %d on %q (B step %v), want 0 on length with B ended", r.At, r.Field, r.Got)
			}
		})
	}
}
