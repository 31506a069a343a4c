package sim

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// step is one request of an end-to-end run: the dispatch (path ""), or a
// continuation built from the previous stream.
type step struct {
	path string
	body func(t *testing.T, prev []frame) any
	want []string
}

func resumeWith(out func(a awaitInfo) any) func(*testing.T, []frame) any {
	return func(t *testing.T, prev []frame) any { return resumeBody(t, prev, out) }
}

func decide(decision string) func(*testing.T, []frame) any {
	return func(t *testing.T, prev []frame) any {
		execID, apprID := approvalOf(t, prev)
		return map[string]any{"executionId": execID, "approvalId": apprID, "decision": decision, "streamResponse": true}
	}
}

// cartOutput answers add_to_cart like a shop would, and anything else with a
// small object.
func cartOutput(a awaitInfo) any {
	switch a.Tool {
	case "add_to_cart":
		total := map[string]int{"SHOE-001": 149, "SHOE-007": 288, "SHOE-042": 120}[a.Params["sku"].(string)]
		return map[string]any{"ok": true, "cartTotal": total}
	case "search_products":
		return map[string]any{"results": []any{map[string]any{"sku": "SHOE-042", "name": "Ridge Runner"}, map[string]any{"sku": "SHOE-043"}}}
	case "get_order_status":
		return map[string]any{"status": "shipped", "eta": "2026-06-22"}
	}
	return map[string]any{"ok": true, "path": "/tmp/catalog-export.txt"}
}

func TestScenariosEndToEnd(t *testing.T) {
	cases := []struct {
		name     string
		scenario string
		legacy   bool
		steps    []step
		final    string // finalOutput expected on the completion frame, "" = not checked
	}{
		{
			name: "flow-tool unified", scenario: "flow-tool",
			steps: []step{
				{want: []string{"execution_start", "step_start", "text_start", "text_delta", "text_complete", "tool_start", "await"}},
				{path: pathResume, body: resumeWith(cartOutput),
					want: []string{"step_start", "tool_complete", "text_start", "text_delta", "text_complete", "step_complete", "execution_complete"}},
			},
			final: "Order A-1001: shipped. Expected delivery: 2026-06-22.",
		},
		{
			name: "flow-tool legacy", scenario: "flow-tool", legacy: true,
			steps: []step{
				{want: []string{"flow_start", "step_start", "step_delta", "tool_start", "step_await"}},
				{path: pathResume, body: resumeWith(cartOutput),
					want: []string{"step_start", "tool_complete", "step_delta", "step_complete", "flow_complete"}},
			},
			final: "Order A-1001: shipped. Expected delivery: 2026-06-22.",
		},
		{
			name: "parallel unified", scenario: "parallel",
			steps: []step{
				{want: []string{"execution_start", "turn_start", "text_start", "text_delta", "text_complete",
					"tool_start", "tool_input_complete", "tool_start", "tool_input_complete", "await", "await"}},
				{path: pathResume, body: resumeWith(cartOutput),
					want: []string{"tool_complete", "tool_complete", "turn_start", "text_start", "text_delta", "text_complete", "turn_complete", "execution_complete"}},
			},
			final: "Added both shoes to your cart. Cart total: $288.",
		},
		{
			name: "parallel legacy", scenario: "parallel", legacy: true,
			steps: []step{
				{want: []string{"agent_start", "agent_iteration_start", "agent_turn_start", "agent_turn_delta",
					"agent_tool_start", "agent_tool_start", "agent_await", "agent_await"}},
				{path: pathResume, body: resumeWith(cartOutput),
					want: []string{"agent_tool_complete", "agent_tool_complete", "agent_iteration_start", "agent_turn_start", "agent_turn_delta",
						"agent_turn_complete", "agent_iteration_complete", "agent_complete"}},
			},
			final: "Added both shoes to your cart. Cart total: $288.",
		},
		{
			name: "two-pauses unified", scenario: "two-pauses",
			steps: []step{
				{want: []string{"execution_start", "turn_start", "text_start", "text_delta", "text_complete", "tool_start", "tool_input_complete", "await"}},
				{path: pathResume, body: resumeWith(cartOutput),
					want: []string{"tool_complete", "turn_start", "text_start", "text_delta", "text_complete", "tool_start", "tool_input_complete", "await"}},
				{path: pathResume, body: resumeWith(cartOutput),
					want: []string{"tool_complete", "turn_start", "text_start", "text_delta", "text_complete", "turn_complete", "execution_complete"}},
			},
			final: "Added SHOE-042 to your cart. Cart total: $120.",
		},
		{
			name: "two-pauses legacy", scenario: "two-pauses", legacy: true,
			steps: []step{
				{want: []string{"agent_start", "agent_iteration_start", "agent_turn_start", "agent_turn_delta", "agent_tool_start", "agent_await"}},
				{path: pathResume, body: resumeWith(cartOutput),
					want: []string{"agent_tool_complete", "agent_iteration_start", "agent_turn_start", "agent_turn_delta", "agent_tool_start", "agent_await"}},
				{path: pathResume, body: resumeWith(cartOutput),
					want: []string{"agent_tool_complete", "agent_iteration_start", "agent_turn_start", "agent_turn_delta",
						"agent_turn_complete", "agent_iteration_complete", "agent_complete"}},
			},
			final: "Added SHOE-042 to your cart. Cart total: $120.",
		},
		{
			name: "approval approved unified", scenario: "approval",
			steps: []step{
				{want: []string{"execution_start", "turn_start", "text_start", "text_delta", "text_complete", "approval_start"}},
				{path: pathApprove, body: decide("approved"),
					want: []string{"approval_complete", "tool_start", "tool_complete", "turn_start", "text_start", "text_delta", "text_complete", "turn_complete", "execution_complete"}},
			},
			final: "Done: the summary is on its way to Dana.",
		},
		{
			name: "approval denied unified", scenario: "approval",
			steps: []step{
				{want: []string{"execution_start", "turn_start", "text_start", "text_delta", "text_complete", "approval_start"}},
				{path: pathApprove, body: decide("denied"),
					want: []string{"approval_complete", "turn_start", "text_start", "text_delta", "text_complete", "turn_complete", "execution_complete"}},
			},
			final: "OK, I did not send the email to Dana.",
		},
		{
			name: "approval approved legacy", scenario: "approval", legacy: true,
			steps: []step{
				{want: []string{"agent_start", "agent_iteration_start", "agent_turn_start", "agent_turn_delta", "agent_approval_start"}},
				{path: pathApprove, body: decide("approved"),
					want: []string{"agent_approval_complete", "agent_tool_start", "agent_tool_complete", "agent_iteration_start", "agent_turn_start",
						"agent_turn_delta", "agent_turn_complete", "agent_iteration_complete", "agent_complete"}},
			},
			final: "Done: the summary is on its way to Dana.",
		},
		{
			name: "approval denied legacy", scenario: "approval", legacy: true,
			steps: []step{
				{want: []string{"agent_start", "agent_iteration_start", "agent_turn_start", "agent_turn_delta", "agent_approval_start"}},
				{path: pathApprove, body: decide("denied"),
					want: []string{"agent_approval_complete", "agent_iteration_start", "agent_turn_start",
						"agent_turn_delta", "agent_turn_complete", "agent_iteration_complete", "agent_complete"}},
			},
			final: "OK, I did not send the email to Dana.",
		},
		{
			name: "fail unified", scenario: "fail",
			steps: []step{{want: []string{"execution_start", "step_start", "text_start", "text_delta", "execution_error"}}},
		},
		{
			name: "fail legacy", scenario: "fail", legacy: true,
			steps: []step{{want: []string{"flow_start", "step_start", "step_delta", "flow_error"}}},
		},
		{
			name: "long unified", scenario: "long",
			steps: []step{{want: []string{"execution_start", "turn_start", "text_start", "text_delta", "text_complete", "turn_complete", "execution_complete"}}},
		},
		{
			name: "long legacy", scenario: "long", legacy: true,
			steps: []step{{want: []string{"agent_start", "agent_iteration_start", "agent_turn_start", "agent_turn_delta",
				"agent_turn_complete", "agent_iteration_complete", "agent_complete"}}},
		},
		{
			name: "big unified", scenario: "big",
			steps: []step{
				{want: []string{"execution_start", "step_start", "text_start", "text_delta", "text_complete", "tool_start", "tool_complete",
					"text_start", "text_delta", "text_complete", "tool_start", "await"}},
				{path: pathResume, body: resumeWith(cartOutput),
					want: []string{"step_start", "tool_complete", "text_start", "text_delta", "text_complete", "step_complete", "execution_complete"}},
			},
			final: `Saved the export: {"ok":true,"path":"/tmp/catalog-export.txt"}`,
		},
		{
			name: "big legacy", scenario: "big", legacy: true,
			steps: []step{
				{want: []string{"flow_start", "step_start", "step_delta", "tool_start", "tool_complete", "step_delta", "tool_start", "step_await"}},
				{path: pathResume, body: resumeWith(cartOutput),
					want: []string{"step_start", "tool_complete", "step_delta", "step_complete", "flow_complete"}},
			},
			final: `Saved the export: {"ok":true,"path":"/tmp/catalog-export.txt"}`,
		},
		{
			name: "nested unified", scenario: "nested",
			steps: []step{{want: []string{"execution_start", "turn_start", "text_start", "text_delta", "text_complete", "tool_start",
				"execution_start", "step_start", "text_start", "text_delta", "text_complete", "step_complete", "execution_complete",
				"tool_complete", "turn_start", "text_start", "text_delta", "text_complete", "turn_complete", "execution_complete"}}},
			final: "Summary: The changelog lists three fixes and one new export format.",
		},
		{
			name: "nested legacy", scenario: "nested", legacy: true,
			steps: []step{{want: []string{"agent_start", "agent_iteration_start", "agent_turn_start", "agent_turn_delta", "agent_tool_start",
				"flow_start", "step_start", "step_delta", "step_complete", "flow_complete",
				"agent_tool_complete", "agent_iteration_start", "agent_turn_start", "agent_turn_delta", "agent_turn_complete",
				"agent_iteration_complete", "agent_complete"}}},
			final: "Summary: The changelog lists three fixes and one new export format.",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Options{Open: true})
			query := "events=unified"
			if tc.legacy {
				query = "events=legacy"
			}
			var prev []frame
			for i, st := range tc.steps {
				var frames []frame
				if st.path == "" {
					frames = h.stream(pathDispatch, query, dispatchBody(t, tc.scenario))
				} else {
					frames = h.stream(st.path, query, st.body(t, prev))
				}
				if got := types(frames); !slices.Equal(got, st.want) {
					t.Fatalf("step %d: frame types =\n  %v\nwant\n  %v", i, got, st.want)
				}
				checkEnvelope(t, frames, tc.legacy)
				prev = frames
			}
			if tc.final != "" {
				last := prev[len(prev)-1]
				if got := last.str(t, "finalOutput"); got != tc.final {
					t.Errorf("finalOutput = %q, want %q", got, tc.final)
				}
			}
		})
	}
}

// checkEnvelope checks the framing rules of each vocabulary on every frame:
// unified frames have an event line equal to data.type, an executionId and a
// seq counting from 0 on each stream; legacy agent frames have an event
// line, legacy flow frames have none (like the captured production flow).
func checkEnvelope(t *testing.T, frames []frame, legacy bool) {
	t.Helper()
	for i, f := range frames {
		m := f.Fields(t)
		typ, _ := m["type"].(string)
		if typ == "" {
			t.Errorf("frame %d: data has no type", i)
		}
		checkTimestamps(t, f)
		if !legacy {
			if f.Event != typ {
				t.Errorf("frame %d: event %q != data.type %q", i, f.Event, typ)
			}
			if id, _ := m["executionId"].(string); id == "" {
				t.Errorf("frame %d (%s): no executionId", i, typ)
			}
			if seq := fmt.Sprint(m["seq"]); seq != strconv.Itoa(i) {
				t.Errorf("frame %d (%s): seq = %s, want %d", i, typ, seq, i)
			}
			continue
		}
		agentFrame := strings.HasPrefix(typ, "agent_")
		switch {
		case agentFrame && f.Event != typ:
			t.Errorf("legacy frame %d: event line %q, want %q", i, f.Event, typ)
		case !agentFrame && f.Event != "":
			t.Errorf("legacy flow frame %d (%s) has an event line; want data-only", i, typ)
		}
	}
}

func TestDropEndsWithUnexpectedEOF(t *testing.T) {
	cases := []struct {
		name  string
		query string
		want  []string
	}{
		{"unified", "events=unified", []string{"execution_start", "turn_start", "text_start", "text_delta"}},
		{"legacy", "events=legacy", []string{"agent_start", "agent_iteration_start", "agent_turn_start", "agent_turn_delta"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Options{Open: true, Scenario: "drop"})
			res := h.do(t.Context(), "POST", pathDispatch, tc.query, `{"agent":{}}`)
			defer res.Body.Close()
			b, err := readAllErr(res)
			if err == nil || !strings.Contains(err.Error(), "unexpected EOF") {
				t.Fatalf("read error = %v, want unexpected EOF", err)
			}
			frames, rest := parseSSE(b)
			if got := types(frames); !slices.Equal(got, tc.want) {
				t.Errorf("frames before the drop = %v, want %v", got, tc.want)
			}
			if rest == "" || !strings.Contains(rest, "data: {") {
				t.Errorf("tail = %q, want half a frame", rest)
			}
			// The dropped execution cannot be continued.
			id := frames[0].str(t, "executionId")
			if e := h.fail("POST", pathResume, "", map[string]any{"executionId": id}, 404); e.Code != "execution_not_paused" {
				t.Errorf("resume after drop: code = %q, want execution_not_paused", e.Code)
			}
		})
	}
}

func TestParallelExecutionIDSwitch(t *testing.T) {
	h := newHarness(t, Options{Open: true})
	runs := make([][]frame, 2)
	for i := range runs {
		runs[i] = h.stream(pathDispatch, "events=unified", dispatchBody(t, "parallel"))
	}
	first := runs[0]
	execID := first[0].str(t, "executionId")
	as := awaits(t, first)
	if !strings.HasPrefix(execID, "exec_") {
		t.Errorf("execution_start id = %q, want exec_…", execID)
	}
	if len(as) != 2 {
		t.Fatalf("awaits = %d, want 2", len(as))
	}
	for _, a := range as {
		if !isVirtualID(a.ExecID) || a.ExecID == execID {
			t.Errorf("await executionId = %q, want a virtual_<ms>_<rand> id different from %q", a.ExecID, execID)
		}
		if a.ExecID != as[0].ExecID {
			t.Errorf("the two awaits carry different ids %q and %q", as[0].ExecID, a.ExecID)
		}
	}
	if as[0].CallID == as[1].CallID || !isCallID(as[0].CallID) || !isCallID(as[1].CallID) {
		t.Errorf("call ids = %q, %q: want two distinct call_<6> ids", as[0].CallID, as[1].CallID)
	}
	second := awaits(t, runs[1])
	if second[0].CallID == as[0].CallID || second[0].ExecID == as[0].ExecID {
		t.Errorf("two runs share ids (%q, %q): want fresh ids per execution", second[0].CallID, second[0].ExecID)
	}
	toolIDs := ofType(first, "await")
	if a, b := toolIDs[0].str(t, "toolId"), toolIDs[1].str(t, "toolId"); a != b || !strings.HasPrefix(a, "runtime_add_to_cart_") {
		t.Errorf("toolIds %q, %q: parallel calls of one tool share one runtime_ id", a, b)
	}

	// The exec_ id is not resumable; the await's id is.
	body := resumeBody(t, first, cartOutput)
	wrong := map[string]any{"executionId": execID, "toolOutputs": body["toolOutputs"]}
	if e := h.fail("POST", pathResume, "", wrong, 404); e.Code != "execution_not_found" {
		t.Errorf("resume with exec_ id: code = %q, want execution_not_found", e.Code)
	}
	frames := h.stream(pathResume, "events=unified", body)
	for _, f := range frames {
		if got := f.str(t, "executionId"); got != as[0].ExecID {
			t.Errorf("%s after resume carries %q, want the virtual id %q", f.Type(), got, as[0].ExecID)
		}
	}
	if got := frames[len(frames)-1].Type(); got != "execution_complete" {
		t.Errorf("resume ends with %s, want execution_complete", got)
	}
}

func isVirtualID(s string) bool {
	rest, ok := strings.CutPrefix(s, "virtual_")
	ms, rnd, ok2 := strings.Cut(rest, "_")
	_, err := strconv.ParseInt(ms, 10, 64)
	return ok && ok2 && err == nil && len(rnd) == 9
}

func isCallID(s string) bool {
	rest, ok := strings.CutPrefix(s, "call_")
	return ok && len(rest) == 6
}

func TestPartialResumeRepauses(t *testing.T) {
	cases := []struct {
		name   string
		legacy bool
		await  string
	}{
		{"unified", false, "await"},
		{"legacy", true, "agent_await"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Options{Open: true, Legacy: tc.legacy})
			as := awaits(t, h.stream(pathDispatch, "", dispatchBody(t, "parallel")))
			id := as[0].ExecID

			// Answer only the first call: the stream re-emits the second
			// await and nothing else.
			frames := h.stream(pathResume, "", map[string]any{"executionId": id,
				"toolOutputs": map[string]any{as[0].CallID: map[string]any{"ok": true, "cartTotal": 149}}})
			if got := types(frames); !slices.Equal(got, []string{tc.await}) {
				t.Fatalf("partial resume frames = %v, want [%s]", got, tc.await)
			}
			again := awaits(t, frames)
			if again[0].CallID != as[1].CallID || again[0].ExecID != id {
				t.Errorf("re-emitted await = %+v, want call %s on %s", again[0], as[1].CallID, id)
			}

			// A resume with nothing re-emits the one still missing.
			if got := types(h.stream(pathResume, "", map[string]any{"executionId": id})); !slices.Equal(got, []string{tc.await}) {
				t.Errorf("empty resume frames = %v, want [%s]", got, tc.await)
			}

			// The first answer was kept: answering the second completes,
			// with both results.
			frames = h.stream(pathResume, "", map[string]any{"executionId": id,
				"toolOutputs": map[string]any{as[1].CallID: map[string]any{"ok": true, "cartTotal": 288}}})
			results := ofType(frames, "tool_complete", "agent_tool_complete")
			if len(results) != 2 || !strings.Contains(results[0].Data, `"cartTotal":149`) || !strings.Contains(results[1].Data, `"cartTotal":288`) {
				t.Errorf("tool results = %v, want both outputs in call order", results)
			}
			if got := frames[len(frames)-1].str(t, "finalOutput"); got != "Added both shoes to your cart. Cart total: $288." {
				t.Errorf("finalOutput = %q", got)
			}
		})
	}
}

func TestToolOutputKeys(t *testing.T) {
	cases := []struct {
		name    string
		outputs func(as []awaitInfo) map[string]any
		want    []string // result of each call, in order ("" = none expected: re-pause)
	}{
		{
			name: "tool name answers every call of that tool",
			outputs: func([]awaitInfo) map[string]any {
				return map[string]any{"add_to_cart": map[string]any{"ok": true, "cartTotal": 99}}
			},
			want: []string{`{"cartTotal":99,"ok":true}`, `{"cartTotal":99,"ok":true}`},
		},
		{
			name: "toolCallId beats tool name",
			outputs: func(as []awaitInfo) map[string]any {
				return map[string]any{as[0].CallID: map[string]any{"ok": true, "cartTotal": 1}, "add_to_cart": map[string]any{"ok": true, "cartTotal": 2}}
			},
			want: []string{`{"cartTotal":1,"ok":true}`, `{"cartTotal":2,"ok":true}`},
		},
		{
			name: "unknown keys are ignored",
			outputs: func(as []awaitInfo) map[string]any {
				return map[string]any{as[0].CallID: 1, "call_nope": 2, "other_tool": 3}
			},
			want: []string{"", ""},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Options{Open: true})
			as := awaits(t, h.stream(pathDispatch, "", dispatchBody(t, "parallel")))
			frames := h.stream(pathResume, "", map[string]any{"executionId": as[0].ExecID, "toolOutputs": tc.outputs(as)})
			if tc.want[0] == "" {
				if got := types(frames); !slices.Equal(got, []string{"await"}) {
					t.Fatalf("frames = %v, want a re-pause on one await", got)
				}
				return
			}
			results := ofType(frames, "tool_complete")
			if len(results) != len(tc.want) {
				t.Fatalf("tool_complete frames = %d, want %d", len(results), len(tc.want))
			}
			for i, f := range results {
				got, _ := json.Marshal(f.Fields(t)["result"]) // re-encoded: keys sorted
				if string(got) != tc.want[i] {
					t.Errorf("call %d result = %s, want %s", i, got, tc.want[i])
				}
			}
		})
	}
}

func TestErrorAnswerChangesTheAnswer(t *testing.T) {
	h := newHarness(t, Options{Open: true})
	frames := h.stream(pathDispatch, "", dispatchBody(t, "flow-tool"))
	body := resumeBody(t, frames, func(awaitInfo) any {
		return map[string]any{"isError": true, "content": []any{map[string]any{"type": "text", "text": "order service down"}}}
	})
	frames = h.stream(pathResume, "", body)
	tc := ofType(frames, "tool_complete")[0].Fields(t)
	if tc["success"] != false || tc["error"] != "order service down" {
		t.Errorf("tool_complete = %v, want success false with the error text", tc)
	}
	if got := frames[len(frames)-1].str(t, "finalOutput"); got != "I could not look up order A-1001: order service down." {
		t.Errorf("finalOutput = %q", got)
	}
}

func TestLongDeltas(t *testing.T) {
	cases := []struct {
		name   string
		deltas any // metadata.deltas; nil = default
		want   int
		legacy bool
	}{
		{"default", nil, defaultDeltas, false},
		{"override", 5, 5, false},
		{"override legacy", 7, 7, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Options{Open: true, Legacy: tc.legacy})
			meta := map[string]any{"scenario": "long"}
			if tc.deltas != nil {
				meta["deltas"] = tc.deltas
			}
			frames := h.stream(pathDispatch, "", map[string]any{"agent": map[string]any{}, "metadata": meta})
			deltas := ofType(frames, "text_delta", "agent_turn_delta")
			if len(deltas) != tc.want {
				t.Fatalf("deltas = %d, want %d", len(deltas), tc.want)
			}
			var want, got strings.Builder
			for i, f := range deltas {
				want.WriteString(longWord(i))
				got.WriteString(f.str(t, "delta"))
			}
			if got.String() != want.String() {
				t.Errorf("assembled text differs from the script")
			}
			if last := frames[len(frames)-1].str(t, "finalOutput"); last != want.String() {
				t.Errorf("finalOutput = %q, want the assembled text", last)
			}
		})
	}
}

func TestBigFrames(t *testing.T) {
	cases := []struct {
		name, query string
		delta       string
	}{
		{"unified", "events=unified", "text_delta"},
		{"legacy", "events=legacy", "step_delta"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Options{Open: true})
			frames := h.stream(pathDispatch, tc.query, dispatchBody(t, "big"))
			var bigTool, bigText bool
			for _, f := range frames {
				if len(f.Data) < 400_000 {
					continue
				}
				if !utf8.ValidString(f.Data) || !strings.Contains(f.Data, "ß✓日本語") {
					t.Errorf("%s: big frame is not the non-ASCII text", f.Type())
				}
				switch f.Type() {
				case "tool_complete":
					bigTool = true
				case tc.delta:
					bigText = true
				}
			}
			if !bigTool || !bigText {
				t.Errorf("big tool result %v, big text frame %v: want both ≥ 400 KB", bigTool, bigText)
			}
		})
	}
}

func TestNestedDepth(t *testing.T) {
	cases := []struct {
		name, query, start, end string
	}{
		{"unified", "events=unified", "execution_start", "execution_complete"},
		{"legacy", "events=legacy", "flow_start|agent_start", "flow_complete|agent_complete"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Options{Open: true})
			frames := h.stream(pathDispatch, tc.query, dispatchBody(t, "nested"))
			depth, maxDepth := 0, 0
			for i, f := range frames {
				switch {
				case slices.Contains(strings.Split(tc.start, "|"), f.Type()):
					depth++
					maxDepth = max(maxDepth, depth)
				case slices.Contains(strings.Split(tc.end, "|"), f.Type()):
					depth--
					if depth == 0 && i != len(frames)-1 {
						t.Errorf("depth back to 0 at frame %d of %d", i, len(frames))
					}
				}
			}
			if maxDepth != 2 || depth != 0 {
				t.Errorf("max depth %d, final depth %d; want 2 and 0", maxDepth, depth)
			}
			inner := ofType(frames, "execution_start", "flow_start")
			if tc.name == "unified" && inner[1].str(t, "kind") != "flow" {
				t.Errorf("inner execution_start kind = %q, want flow", inner[1].str(t, "kind"))
			}
		})
	}
}

func TestScenariosList(t *testing.T) {
	want := []string{"flow-tool", "parallel", "two-pauses", "approval", "fail", "long", "drop", "big", "nested"}
	var got []string
	for _, s := range Scenarios() {
		got = append(got, s.Name)
		if s.Kind != "agent" && s.Kind != "flow" || s.Summary == "" {
			t.Errorf("scenario %+v: want kind agent|flow and a summary", s)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("Scenarios() = %v, want %v", got, want)
	}
}

func TestDispatchBody(t *testing.T) {
	h := newHarness(t, Options{Open: true, Scenario: "fail"})
	for _, sc := range Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			b := dispatchBody(t, sc.Name)
			var body struct {
				Agent, Flow map[string]any
				Messages    []map[string]any
				Options     map[string]any
				ClientTools []map[string]any
				Metadata    map[string]any
			}
			if err := json.Unmarshal(b, &body); err != nil {
				t.Fatalf("not valid JSON: %v", err)
			}
			if (body.Agent != nil) == (body.Flow != nil) || (sc.Kind == "agent") != (body.Agent != nil) {
				t.Errorf("want exactly the %s form", sc.Kind)
			}
			if body.Metadata["scenario"] != sc.Name || len(body.Messages) == 0 || body.Options["streamResponse"] != true {
				t.Errorf("metadata %v, %d messages, options %v", body.Metadata, len(body.Messages), body.Options)
			}
			for _, ct := range body.ClientTools {
				if ct["origin"] != "sdk" || ct["name"] == "" || ct["parametersSchema"] == nil {
					t.Errorf("client tool %v: want name, parametersSchema and origin sdk", ct)
				}
			}
			// The body runs its own scenario, whatever the server default.
			res := h.do(t.Context(), "POST", pathDispatch, "", b)
			first, _ := readAllErr(res)
			res.Body.Close()
			frames, _ := parseSSE(first)
			if len(frames) == 0 || frames[0].str(t, "kind") != sc.Kind {
				t.Errorf("dispatching the body: first frame %v, want execution_start of kind %s", frames, sc.Kind)
			}
		})
	}
	if b, err := DispatchBody(""); err != nil || !strings.Contains(string(b), `"scenario": "parallel"`) {
		t.Errorf(`DispatchBody("") = %s, %v; want the parallel body`, b, err)
	}
	_, err := DispatchBody("nope")
	if err == nil {
		t.Fatal(`DispatchBody("nope") = nil error`)
	}
	for _, sc := range Scenarios() {
		if !strings.Contains(err.Error(), sc.Name) {
			t.Errorf("error %q does not list %s", err, sc.Name)
		}
	}
}

func TestOutputReading(t *testing.T) {
	cases := []struct {
		name, raw      string
		text, errMsg   string
		failed         bool
		cartTotal      string
		wantTotalFound bool
	}{
		{"object", `{"ok":true,"cartTotal":149.50}`, `{"ok":true,"cartTotal":149.50}`, "", false, "149.50", true},
		{"string", `"plain answer"`, "plain answer", "", false, "", false},
		{"mcp text", `{"content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}`, "a b", "", false, "", false},
		{"mcp error", `{"isError":true,"content":[{"type":"text","text":"boom"}]}`, "boom", "boom", true, "", false},
		{"error string", `{"error":"out of stock"}`, `{"error":"out of stock"}`, "out of stock", true, "", false},
		{"error object", `{"error":{"code":"x","message":"nope"}}`, `{"error":{"code":"x","message":"nope"}}`, "nope", true, "", false},
		{"ok false", `{"ok":false,"message":"sold out"}`, `{"ok":false,"message":"sold out"}`, "sold out", true, "", false},
		{"string total", `{"cartTotal":"288.00"}`, `{"cartTotal":"288.00"}`, "", false, "288.00", true},
		{"array", `[1, 2]`, `[1,2]`, "", false, "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := readOutput(json.RawMessage(tc.raw))
			if o.text != tc.text || o.failed != tc.failed || o.errMsg != tc.errMsg {
				t.Errorf("readOutput = {%q %v %q}, want {%q %v %q}", o.text, o.failed, o.errMsg, tc.text, tc.failed, tc.errMsg)
			}
			total, found := o.scalar("cartTotal")
			if total != tc.cartTotal || found != tc.wantTotalFound {
				t.Errorf("cartTotal = %q, %v; want %q, %v", total, found, tc.cartTotal, tc.wantTotalFound)
			}
		})
	}
}

func TestCartSummary(t *testing.T) {
	call := func(sku, out string) answered {
		return answered{call: call{Params: json.RawMessage(`{"sku":"` + sku + `"}`)}, Output: json.RawMessage(out)}
	}
	cases := []struct {
		name  string
		calls []answered
		want  string
	}{
		{"both", []answered{call("A", `{"ok":true}`), call("B", `{"ok":true,"cartTotal":10}`)}, "Added both shoes to your cart. Cart total: $10."},
		{"one", []answered{call("A", `{"ok":true,"cartTotal":5}`)}, "Added A to your cart. Cart total: $5."},
		{"one failed", []answered{call("A", `{"ok":true}`), call("B", `{"error":"sold out"}`)}, "Added A to your cart, but could not add B (sold out)."},
		{"all failed", []answered{call("A", `{"error":"x"}`), call("B", `{"error":"y"}`)}, "I could not add A (x) or B (y)."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := cartSummary(tc.calls); got != tc.want {
				t.Errorf("cartSummary = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestDelayPacing: Delay separates frames, and the long scenario's deltas
// get Delay/10. The bounds are wide on purpose (expected ≈ 0.3 s; undivided
// deltas would take ≥ 1.2 s), so a busy machine does not make it flaky.
func TestDelayPacing(t *testing.T) {
	const delay = 50 * time.Millisecond
	h := newHarness(t, Options{Open: true, Delay: delay})
	start := time.Now()
	frames := h.stream(pathDispatch, "", `{"agent":{},"metadata":{"scenario":"long","deltas":20}}`)
	elapsed := time.Since(start)
	if len(frames) != 26 {
		t.Fatalf("frames = %d, want 26", len(frames))
	}
	// 3 full delays (turn_start, turn_complete, execution_complete) and 22
	// tenths (text_start, 20 deltas, text_complete).
	if low := 3*delay + 22*delay/10; elapsed < low {
		t.Errorf("stream took %v, want at least %v", elapsed, low)
	}
	if elapsed > time.Second {
		t.Errorf("stream took %v: deltas are not paced at Delay/10", elapsed)
	}
}
