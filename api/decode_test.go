package api

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	sse "github.com/tmaxmax/go-sse"
)

// fixturePath is the captured production stream, shared beside the repo
// (CI checks shared/ out the same way).
var fixturePath = filepath.Join("..", "..", "shared", "fixtures", "captured-legacy-flow.sse")

func readFixture(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(fixturePath)
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	return b
}

// framesOf parses an SSE body with sse.Read alone.
func framesOf(t testing.TB, body string) []Frame {
	t.Helper()
	var out []Frame
	for ev, err := range sse.Read(strings.NewReader(body), nil) {
		if err != nil {
			t.Fatalf("sse.Read: %v", err)
		}
		out = append(out, Frame{Event: ev.Type, ID: ev.LastEventID, Data: ev.Data})
	}
	return out
}

func decodeAll(d *Decoder, frames []Frame) []Event {
	var evs []Event
	for _, f := range frames {
		evs = d.Decode(evs, f)
	}
	return evs
}

// The expected answer of the fixture's 32 step_chunk deltas.
const fixtureAnswer = "{\n  \"action\": \"message\",\n  \"text\": \"Great! If you have any questions or need help finding something, just let me know!\"\n}"

func TestDecodeFixture(t *testing.T) {
	frames := framesOf(t, string(readFixture(t)))
	d := NewDecoder()
	evs := decodeAll(d, frames)

	if got, want := len(frames), 36; got != want {
		t.Fatalf("frames = %d, want %d", got, want)
	}
	if got, want := len(evs), 36; got != want {
		t.Fatalf("events = %d, want %d", got, want)
	}
	for i, f := range frames {
		if f.Event != "" {
			t.Errorf("frame %d event line = %q, want none (data-only frames)", i, f.Event)
		}
	}
	if got, want := d.Vocabulary(), VocabLegacy; got != want {
		t.Errorf("Vocabulary() = %v, want %v", got, want)
	}

	first, last := evs[0], evs[len(evs)-1]
	if first.Type != TypeExecutionStart || first.Kind != "flow" || first.Source != "flow_start" {
		t.Errorf("first = %s kind %q from %s, want execution_start kind flow from flow_start", first.Type, first.Kind, first.Source)
	}
	if got, want := first.Name, "Shopping Assistant"; got != want {
		t.Errorf("first.Name = %q, want %q", got, want)
	}
	if got, want := first.ExecutionID, "exec_standalone_1762991259266_7wz736k7n"; got != want {
		t.Errorf("first.ExecutionID = %q, want %q", got, want)
	}
	if last.Type != TypeExecutionComplete || last.Kind != "flow" || last.Source != "flow_complete" {
		t.Errorf("last = %s kind %q from %s, want execution_complete kind flow from flow_complete", last.Type, last.Kind, last.Source)
	}
	if last.Success == nil || !*last.Success {
		t.Errorf("last.Success = %v, want true", last.Success)
	}
	if got, want := last.DurationMs, 2968.0; got != want {
		t.Errorf("last.DurationMs = %v, want %v", got, want)
	}

	var answer strings.Builder
	deltas := 0
	for _, ev := range evs {
		if ev.Type != TypeTextDelta {
			continue
		}
		deltas++
		if ev.ID != "text_1" {
			t.Errorf("delta %d ID = %q, want text_1 (one block)", deltas, ev.ID)
		}
		if ev.StepID != "step_01k9x5db72fzwvmdenryn0qm48" {
			t.Errorf("delta %d StepID = %q, want the step id", deltas, ev.StepID)
		}
		if ev.Source != "step_chunk" {
			t.Errorf("delta %d Source = %q, want step_chunk", deltas, ev.Source)
		}
		answer.WriteString(ev.Delta)
	}
	if deltas != 32 {
		t.Errorf("text deltas = %d, want 32", deltas)
	}
	if got := answer.String(); got != fixtureAnswer {
		t.Errorf("assembled answer = %q, want %q", got, fixtureAnswer)
	}
	var parsed struct{ Action, Text string }
	if err := json.Unmarshal([]byte(answer.String()), &parsed); err != nil {
		t.Errorf("assembled answer is not JSON: %v", err)
	}
	if parsed.Action != "message" {
		t.Errorf("answer action = %q, want message", parsed.Action)
	}

	step := evs[len(evs)-2]
	if step.Type != TypeStepComplete || step.Success == nil || !*step.Success {
		t.Errorf("step = %s success %v, want step_complete success true", step.Type, step.Success)
	}
	if got, want := step.StepType, "prompt"; got != want {
		t.Errorf("step.StepType = %q, want %q (from executionType)", got, want)
	}
	var res struct{ Response string }
	if err := json.Unmarshal(step.Result, &res); err != nil || !strings.Contains(res.Response, "just let me know!") {
		t.Errorf("step.Result.response = %q (err %v), want the prompt answer", res.Response, err)
	}
	for i, ev := range evs {
		if string(ev.Data) != frames[i].Data {
			t.Errorf("event %d Data differs from its frame's data", i)
		}
		if ev.Frame != frames[i] {
			t.Errorf("event %d Frame = %+v, want %+v", i, ev.Frame, frames[i])
		}
	}

	tr := NewTracker()
	tr.BeginStream()
	for i := range evs {
		tr.Observe(&evs[i])
	}
	if got, want := tr.EndStream(nil), RunCompleted; got != want {
		t.Errorf("tracker end = %v, want %v", got, want)
	}
	if got, want := tr.Kind(), "flow"; got != want {
		t.Errorf("tracker kind = %q, want %q", got, want)
	}
}

// view is the part of an Event the mapping tables compare.
type view struct {
	Type, Source string
	Vocab        Vocabulary
	Known        bool
	Synthetic    bool
	ExecutionID  string
	Seq          int64
	ID, Role     string
	Kind, Name   string
	StepType     string
	StepID       string
	Delta, Text  string
	ToolCallID   string
	ToolID       string
	ToolName     string
	ToolType     string
	Origin       string
	Parameters   string
	Result       string
	Success      string
	AwaitReason  string
	ApprovalID   string
	Decision     string
	Description  string
	Reason       string
	ErrorMessage string
	ErrorCode    string
	Recoverable  string
	StopReason   string
	FinalOutput  string
	Iteration    int
	DurationMs   float64
	Tokens       string
	Cost         float64
	Timestamp    string
}

func triState(b *bool) string {
	if b == nil {
		return ""
	}
	return strconv.FormatBool(*b)
}

func project(ev Event) view {
	tok := ""
	if ev.Tokens != nil {
		tok = strconv.FormatInt(ev.Tokens.Input, 10) + "/" + strconv.FormatInt(ev.Tokens.Output, 10)
	}
	return view{
		Type: ev.Type, Source: ev.Source, Vocab: ev.Vocab, Known: ev.Known, Synthetic: ev.Synthetic,
		ExecutionID: ev.ExecutionID, Seq: ev.Seq, ID: ev.ID, Role: ev.Role, Kind: ev.Kind, Name: ev.Name,
		StepType: ev.StepType, StepID: ev.StepID, Delta: ev.Delta, Text: ev.Text,
		ToolCallID: ev.ToolCallID, ToolID: ev.ToolID, ToolName: ev.ToolName, ToolType: ev.ToolType,
		Origin: ev.Origin, Parameters: string(ev.Parameters), Result: string(ev.Result),
		Success: triState(ev.Success), AwaitReason: ev.AwaitReason, ApprovalID: ev.ApprovalID,
		Decision: ev.Decision, Description: ev.Description, Reason: ev.Reason,
		ErrorMessage: ev.ErrorMessage, ErrorCode: ev.ErrorCode, Recoverable: triState(ev.Recoverable),
		StopReason: ev.StopReason, FinalOutput: ev.FinalOutput, Iteration: ev.Iteration,
		DurationMs: ev.DurationMs, Tokens: tok, Cost: ev.Cost, Timestamp: ev.Timestamp,
	}
}

// mapCase is one row of a mapping table: a frame of type src whose JSON is
// {"type":src,"executionId":"e1","seq":7,<fields>}, and the events it must
// become. Source, Vocab, Known, ExecutionID and Seq of each wanted view are
// filled from the case when left zero.
type mapCase struct {
	name   string
	src    string
	event  bool // also send an "event: src" line
	fields string
	vocab  Vocabulary
	want   []view
}

// frame is the frame of a mapping row.
func (tc mapCase) frame() Frame {
	data := `{"type":"` + tc.src + `","executionId":"e1","seq":7`
	if tc.fields != "" {
		data += "," + tc.fields
	}
	data += "}"
	f := Frame{Data: data}
	if tc.event {
		f.Event = tc.src
	}
	return f
}

func runMapCases(t *testing.T, cases []mapCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.frame()
			data := f.Data
			d := NewDecoder()
			got := d.Decode(nil, f)
			var gotV []view
			for _, ev := range got {
				gotV = append(gotV, project(ev))
				if ev.Frame != f {
					t.Errorf("%s Frame = %+v, want the source frame", ev.Type, ev.Frame)
				}
				if string(ev.Data) != data {
					t.Errorf("%s Data = %s, want %s", ev.Type, ev.Data, data)
				}
			}
			want := make([]view, len(tc.want))
			for i, w := range tc.want {
				if w.Source == "" {
					w.Source = tc.src
				}
				w.Vocab = tc.vocab
				w.Known = true
				w.ExecutionID = firstOf(w.ExecutionID, "e1")
				if w.Seq == 0 {
					w.Seq = 7
				}
				want[i] = w
			}
			if !reflect.DeepEqual(gotV, want) {
				t.Errorf("Decode(%s) =\n%s\nwant\n%s", data, dumpViews(gotV), dumpViews(want))
			}
		})
	}
}

func dumpViews(vs []view) string {
	var b strings.Builder
	for _, v := range vs {
		j, _ := json.Marshal(v)
		b.Write(j)
		b.WriteByte('\n')
	}
	return b.String()
}

func TestDecodeLegacyMapping(t *testing.T) { runMapCases(t, legacyMapCases()) }

// legacyMapCases are the legacy rows of the mapping table (runtype-protocol.md §3.2).
func legacyMapCases() []mapCase {
	L := VocabLegacy
	U := VocabUnknown // names both vocabularies share
	return []mapCase{
		{name: "agent_start", src: "agent_start", event: true, vocab: L,
			fields: `"agentId":"agent_01","agentName":"Shop","maxTurns":8,"startedAt":"T0"`,
			want:   []view{{Type: TypeExecutionStart, Kind: "agent", Name: "Shop", Timestamp: "T0"}}},
		{name: "flow_start", src: "flow_start", vocab: L,
			fields: `"flowId":"flow_1","flowName":"Flow A","totalSteps":1,"startedAt":"T0"`,
			want:   []view{{Type: TypeExecutionStart, Kind: "flow", Name: "Flow A", Timestamp: "T0"}}},
		{name: "agent_complete success", src: "agent_complete", vocab: L,
			fields: `"success":true,"iterations":2,"stopReason":"complete","duration":1500,"finalOutput":"done","totalCost":0.5,"totalTokens":{"input":10,"output":3},"completedAt":"T9"`,
			want: []view{{Type: TypeExecutionComplete, Kind: "agent", Success: "true", Iteration: 2, StopReason: "complete",
				DurationMs: 1500, FinalOutput: "done", Cost: 0.5, Tokens: "10/3", Timestamp: "T9"}}},
		{name: "agent_complete success false", src: "agent_complete", vocab: L,
			fields: `"success":false,"error":"model refused"`,
			want:   []view{{Type: TypeExecutionError, Kind: "agent", Success: "false", ErrorMessage: "model refused"}}},
		{name: "agent_complete stopReason error", src: "agent_complete", vocab: L,
			fields: `"success":true,"stopReason":"error"`,
			want:   []view{{Type: TypeExecutionError, Kind: "agent", Success: "true", StopReason: "error"}}},
		{name: "flow_complete", src: "flow_complete", vocab: L,
			fields: `"success":true,"executionTime":2968,"finalOutput":{"a":[1, 2]}`,
			want:   []view{{Type: TypeExecutionComplete, Kind: "flow", Success: "true", DurationMs: 2968, FinalOutput: `{"a":[1,2]}`}}},
		{name: "flow_error with error object", src: "flow_error", vocab: L,
			fields: `"error":{"code":"quota","message":"Monthly limit reached","details":{"n":1}},"upgradeUrl":"u"`,
			want:   []view{{Type: TypeExecutionError, Kind: "flow", ErrorMessage: "Monthly limit reached", ErrorCode: "quota"}}},
		{name: "dispatch_error with message", src: "dispatch_error", vocab: L,
			fields: `"message":"Flow not found","code":"not_found"`,
			want:   []view{{Type: TypeExecutionError, ErrorMessage: "Flow not found", ErrorCode: "not_found"}}},
		{name: "dispatch_error with error string", src: "dispatch_error", vocab: L,
			fields: `"error":"bad input","message":"ignored when error is set"`,
			want:   []view{{Type: TypeExecutionError, ErrorMessage: "bad input"}}},
		{name: "agent_error recoverable", src: "agent_error", vocab: L,
			fields: `"error":"rate limited, retrying","recoverable":true,"iteration":1`,
			want:   []view{{Type: TypeError, Kind: "agent", ErrorMessage: "rate limited, retrying", Recoverable: "true", Iteration: 1}}},
		{name: "agent_error without recoverable", src: "agent_error", vocab: L,
			fields: `"error":"hiccup"`,
			want:   []view{{Type: TypeError, Kind: "agent", ErrorMessage: "hiccup", Recoverable: "true"}}},
		{name: "agent_error not recoverable", src: "agent_error", vocab: L,
			fields: `"error":"fatal","recoverable":false`,
			want:   []view{{Type: TypeExecutionError, Kind: "agent", ErrorMessage: "fatal", Recoverable: "false"}}},
		{name: "agent_turn_start", src: "agent_turn_start", vocab: L,
			fields: `"iteration":1,"turnIndex":0,"role":"assistant","turnId":"turn_a1"`,
			want:   []view{{Type: TypeTurnStart, ID: "turn_a1", Role: "assistant", Iteration: 1}}},
		{name: "agent_turn_delta text", src: "agent_turn_delta", vocab: L,
			fields: `"turnId":"turn_a1","contentType":"text","delta":"Adding both now."`,
			want:   []view{{Type: TypeTextDelta, ID: "text_1", Delta: "Adding both now."}}},
		{name: "agent_turn_delta thinking", src: "agent_turn_delta", vocab: L,
			fields: `"turnId":"turn_a1","contentType":"thinking","delta":"hmm"`,
			want:   []view{{Type: TypeReasoningDelta, ID: "reason_1", Delta: "hmm"}}},
		{name: "agent_turn_delta tool_input", src: "agent_turn_delta", vocab: L,
			fields: `"turnId":"turn_a1","contentType":"tool_input","toolCallId":"call_1","delta":"{\"sku\""`,
			want:   []view{{Type: TypeToolInputDelta, ToolCallID: "call_1", Delta: `{"sku"`}}},
		{name: "agent_turn_delta unknown content type", src: "agent_turn_delta", vocab: L,
			fields: `"turnId":"turn_a1","contentType":"hologram","delta":"x"`,
			want:   []view{{Type: "agent_turn_delta", Delta: "x"}}},
		{name: "agent_turn_complete", src: "agent_turn_complete", vocab: L,
			fields: `"turnId":"turn_a1","role":"assistant","stopReason":"end_turn","tokens":{"input":5,"output":2},"cost":0.01,"completedAt":"T"`,
			want: []view{{Type: TypeTurnComplete, ID: "turn_a1", Role: "assistant", StopReason: "end_turn",
				Tokens: "5/2", Cost: 0.01, Timestamp: "T"}}},
		{name: "step_chunk", src: "step_chunk", vocab: L,
			fields: `"id":"step_1","name":"Prompt 1","executionType":"prompt","index":2,"text":"{\n"`,
			want:   []view{{Type: TypeTextDelta, ID: "text_1", StepID: "step_1", Name: "Prompt 1", StepType: "prompt", Delta: "{\n"}}},
		{name: "step_delta with delta", src: "step_delta", event: true, vocab: L,
			fields: `"id":"step_1","stepType":"prompt","delta":"Hi","partId":"p1"`,
			want:   []view{{Type: TypeTextDelta, ID: "text_1", StepID: "step_1", StepType: "prompt", Delta: "Hi"}}},
		{name: "chunk", src: "chunk", vocab: L, fields: `"text":"plain"`,
			want: []view{{Type: TypeTextDelta, ID: "text_1", Delta: "plain"}}},
		{name: "step_await local tool", src: "step_await", event: true, vocab: L,
			fields: `"awaitReason":"local_tool_required","id":"step_2","name":"Prompt","toolId":"runtime_x_1","toolCallId":"call_9","toolName":"webmcp:add","parameters":{"a":1},"awaitedAt":"T"`,
			want: []view{{Type: TypeAwait, ID: "step_2", StepID: "step_2", Name: "Prompt", AwaitReason: AwaitLocalTool,
				ToolID: "runtime_x_1", ToolCallID: "call_9", ToolName: "webmcp:add", Parameters: `{"a":1}`, Timestamp: "T"}}},
		{name: "step_await approval", src: "step_await", event: true, vocab: L,
			fields: `"awaitReason":"approval_required","approvalId":"appr_1","toolName":"send_email","description":"Send","reason":"asked","toolType":"builtin","startedAt":"T"`,
			want: []view{{Type: TypeAwait, AwaitReason: AwaitApproval, ApprovalID: "appr_1", ToolName: "send_email",
				Description: "Send", Reason: "asked", ToolType: "builtin", Timestamp: "T"}}},
		{name: "flow_await", src: "flow_await", vocab: L,
			fields: `"toolId":"runtime_t","toolCallId":"call_1","toolName":"t","parameters":{}`,
			want:   []view{{Type: TypeAwait, ToolID: "runtime_t", ToolCallID: "call_1", ToolName: "t", Parameters: `{}`}}},
		{name: "agent_await keeps toolId apart from toolCallId", src: "agent_await", event: true, vocab: L,
			fields: `"executionId":"virtual_1","toolId":"runtime_add_1","toolName":"add_to_cart","origin":"sdk","parameters":{"sku":"S"},"awaitedAt":"T"`,
			want: []view{{Type: TypeAwait, ExecutionID: "virtual_1", ToolID: "runtime_add_1", ToolName: "add_to_cart",
				Origin: "sdk", Parameters: `{"sku":"S"}`, Timestamp: "T"}}},
		{name: "agent_approval_start", src: "agent_approval_start", vocab: L,
			fields: `"approvalId":"appr_x","toolCallId":"toolu_1","toolName":"send_email","toolType":"builtin","description":"Send an email","reason":"user asked","parameters":{"to":"d"},"timeout":300000`,
			want: []view{{Type: TypeApprovalStart, ApprovalID: "appr_x", ToolCallID: "toolu_1", ToolName: "send_email",
				ToolType: "builtin", Description: "Send an email", Reason: "user asked", Parameters: `{"to":"d"}`}}},
		{name: "agent_approval_complete", src: "agent_approval_complete", vocab: L,
			fields: `"approvalId":"appr_x","decision":"denied","resolvedBy":"user"`,
			want:   []view{{Type: TypeApprovalComplete, ApprovalID: "appr_x", Decision: DecisionDenied}}},
		{name: "agent_tool_start defaults toolType", src: "agent_tool_start", vocab: L,
			fields: `"toolCallId":"call_Q1","toolName":"add_to_cart","iteration":1,"parameters":{"qty":1}`,
			want: []view{{Type: TypeToolStart, ToolCallID: "call_Q1", ToolName: "add_to_cart", ToolType: "builtin",
				Iteration: 1, Parameters: `{"qty":1}`}}},
		{name: "agent_tool_start keeps toolType", src: "agent_tool_start", vocab: L,
			fields: `"toolCallId":"call_Q1","toolName":"add_to_cart","toolType":"local"`,
			want:   []view{{Type: TypeToolStart, ToolCallID: "call_Q1", ToolName: "add_to_cart", ToolType: "local"}}},
		{name: "agent_tool_delta", src: "agent_tool_delta", vocab: L,
			fields: `"toolCallId":"call_1","delta":"partial"`,
			want:   []view{{Type: TypeToolOutputDelta, ToolCallID: "call_1", Delta: "partial"}}},
		{name: "tool_delta with toolId and text", src: "tool_delta", vocab: L,
			fields: `"toolId":"tool_7","text":"out"`,
			want:   []view{{Type: TypeToolOutputDelta, ToolCallID: "tool_7", ToolID: "tool_7", Delta: "out"}}},
		{name: "tool_chunk with message", src: "tool_chunk", vocab: L,
			fields: `"toolId":"tool_7","message":"msg"`,
			want:   []view{{Type: TypeToolOutputDelta, ToolCallID: "tool_7", ToolID: "tool_7", Delta: "msg"}}},
		{name: "agent_tool_input_delta", src: "agent_tool_input_delta", vocab: L,
			fields: `"toolCallId":"call_1","delta":"{"`,
			want:   []view{{Type: TypeToolInputDelta, ToolCallID: "call_1", Delta: "{"}}},
		{name: "agent_tool_input_complete", src: "agent_tool_input_complete", vocab: L,
			fields: `"toolCallId":"call_1","toolName":"t","parameters":{"x":true}`,
			want:   []view{{Type: TypeToolInputComplete, ToolCallID: "call_1", ToolName: "t", Parameters: `{"x":true}`}}},
		{name: "agent_tool_complete", src: "agent_tool_complete", vocab: L,
			fields: `"toolCallId":"call_1","toolName":"t","success":true,"result":{"ok":1},"executionTime":640,"completedAt":"T"`,
			want: []view{{Type: TypeToolComplete, ToolCallID: "call_1", ToolName: "t", Success: "true",
				Result: `{"ok":1}`, DurationMs: 640, Timestamp: "T"}}},
		{name: "tool_error", src: "tool_error", vocab: L,
			fields: `"toolId":"tool_3","name":"search","error":"timeout","executionTime":30000`,
			want: []view{{Type: TypeToolComplete, ToolCallID: "tool_3", ToolID: "tool_3", ToolName: "search", Name: "search",
				Success: "false", ErrorMessage: "timeout", DurationMs: 30000}}},
		{name: "step_error", src: "step_error", vocab: L,
			fields: `"id":"step_1","name":"Prompt 1","stepType":"prompt","error":{"message":"bad template"},"executionTime":12`,
			want: []view{{Type: TypeStepComplete, ID: "step_1", StepID: "step_1", Name: "Prompt 1", StepType: "prompt",
				Success: "false", ErrorMessage: "bad template", DurationMs: 12}}},
		{name: "text_end", src: "text_end", vocab: L, fields: `"partId":"p1"`,
			want: []view{{Type: TypeTextComplete, ID: "text_1"}}},
		{name: "text_end with id", src: "text_end", vocab: L, fields: `"id":"blk_1"`,
			want: []view{{Type: TypeTextComplete, ID: "blk_1"}}},
		{name: "reason_start", src: "reason_start", vocab: L, fields: `"sequenceIndex":3`,
			want: []view{{Type: TypeReasoningStart, ID: "reason_1"}}},
		{name: "reason_delta", src: "reason_delta", vocab: L, fields: `"reasoningText":"think"`,
			want: []view{{Type: TypeReasoningDelta, ID: "reason_1", Delta: "think"}}},
		{name: "reason_chunk", src: "reason_chunk", vocab: L, fields: `"delta":"more"`,
			want: []view{{Type: TypeReasoningDelta, ID: "reason_1", Delta: "more"}}},
		{name: "reason_complete", src: "reason_complete", vocab: L, fields: `"text":"all of it","done":true`,
			want: []view{{Type: TypeReasoningComplete, ID: "reason_1", Text: "all of it"}}},
		{name: "agent_ping", src: "agent_ping", vocab: L, fields: `"timestamp":"T"`,
			want: []view{{Type: TypePing, Timestamp: "T"}}},
		{name: "fallback_start", src: "fallback_start", vocab: L, fields: `"from":"m1","to":"m2"`,
			want: []view{{Type: TypeCustom, Name: "runtype.fallback"}}},
		{name: "fallback_complete", src: "fallback_complete", vocab: L,
			want: []view{{Type: TypeCustom, Name: "runtype.fallback"}}},
		{name: "fallback_exhausted", src: "fallback_exhausted", vocab: L,
			want: []view{{Type: TypeCustom, Name: "runtype.fallback"}}},
		{name: "agent_iteration_start kept", src: "agent_iteration_start", vocab: L,
			fields: `"iteration":1,"maxTurns":8,"startedAt":"T"`,
			want:   []view{{Type: "agent_iteration_start", Iteration: 1, Timestamp: "T"}}},
		{name: "agent_iteration_complete kept", src: "agent_iteration_complete", vocab: L,
			fields: `"iteration":1,"toolCallsMade":2,"completedAt":"T"`,
			want:   []view{{Type: "agent_iteration_complete", Iteration: 1, Timestamp: "T"}}},
		{name: "agent_media two items", src: "agent_media", vocab: L,
			fields: `"toolCallId":"call_m","toolName":"draw","media":[{"type":"media","data":"QUJD","mediaType":"image/png"},{"type":"image-url","url":"https://x/y.png"}]`,
			want: []view{
				{Type: TypeMediaStart, ID: "media_1", ToolCallID: "call_m", ToolName: "draw"},
				{Type: TypeMediaDelta, ID: "media_1", ToolCallID: "call_m", ToolName: "draw", Delta: "QUJD", Synthetic: true},
				{Type: TypeMediaComplete, ID: "media_1", ToolCallID: "call_m", ToolName: "draw", Synthetic: true},
				{Type: TypeMediaStart, ID: "media_2", ToolCallID: "call_m", ToolName: "draw", Synthetic: true},
				{Type: TypeMediaDelta, ID: "media_2", ToolCallID: "call_m", ToolName: "draw", Delta: "https://x/y.png", Synthetic: true},
				{Type: TypeMediaComplete, ID: "media_2", ToolCallID: "call_m", ToolName: "draw", Synthetic: true},
			}},
		{name: "agent_media without items", src: "agent_media", vocab: L, fields: `"media":[]`,
			want: []view{{Type: "agent_media"}}},
		{name: "artifact", src: "artifact", vocab: L, fields: `"id":"art_1","artifactType":"markdown","title":"Notes"`,
			want: []view{
				{Type: TypeArtifactStart, ID: "art_1"},
				{Type: TypeArtifactComplete, ID: "art_1", Synthetic: true},
			}},
		{name: "agent_reflection", src: "agent_reflection", vocab: L, fields: `"reflection":"I should check stock.","iteration":2`,
			want: []view{
				{Type: TypeReasoningStart, ID: "reason_1", Iteration: 2},
				{Type: TypeReasoningComplete, ID: "reason_1", Text: "I should check stock.", Iteration: 2, Synthetic: true},
			}},
		{name: "agent_reflect alias", src: "agent_reflect", vocab: L, fields: `"reflection":"r"`,
			want: []view{
				{Type: TypeReasoningStart, ID: "reason_1"},
				{Type: TypeReasoningComplete, ID: "reason_1", Text: "r", Synthetic: true},
			}},
		{name: "agent_skill_loaded", src: "agent_skill_loaded", vocab: L, fields: `"skill":"pdf","activatedCapabilities":["read"]`,
			want: []view{
				{Type: TypeToolStart, ToolCallID: "skill_1", ToolName: "skill:pdf", ToolType: "builtin"},
				{Type: TypeToolComplete, ToolCallID: "skill_1", ToolName: "skill:pdf", ToolType: "builtin", Success: "true",
					Result: `{"kind":"skill_loaded","skill":"pdf","activatedCapabilities":["read"]}`, Synthetic: true},
			}},
		{name: "agent_skill_proposed", src: "agent_skill_proposed", vocab: L, fields: `"toolCallId":"call_s","skill":"csv","outcome":"accepted","proposalId":"prop_1"`,
			want: []view{
				{Type: TypeToolStart, ToolCallID: "call_s", ToolName: "propose_skill", ToolType: "builtin"},
				{Type: TypeToolComplete, ToolCallID: "call_s", ToolName: "propose_skill", ToolType: "builtin", Success: "true",
					Result: `{"kind":"skill_proposed","skill":"csv","outcome":"accepted","proposalId":"prop_1"}`, Synthetic: true},
			}},

		// Names both vocabularies share, in their legacy spellings.
		{name: "legacy step_start spellings", src: "step_start", vocab: U,
			fields: `"stepId":"step_9","stepName":"Fetch","stepType":"api","index":1,"totalSteps":2,"startedAt":"T"`,
			want:   []view{{Type: TypeStepStart, ID: "step_9", StepID: "step_9", Name: "Fetch", StepType: "api", Timestamp: "T"}}},
		{name: "legacy tool_start spellings", src: "tool_start", vocab: U,
			fields: `"toolId":"tool_1","name":"search","args":{"q":"x"},"stepId":"step_1","agentContext":{"executionId":"e1","iteration":1,"seq":40}`,
			want: []view{{Type: TypeToolStart, ToolCallID: "tool_1", ToolID: "tool_1", ToolName: "search", Name: "search",
				ToolType: "builtin", Parameters: `{"q":"x"}`, StepID: "step_1"}}},
		{name: "legacy tool_complete spellings", src: "tool_complete", vocab: U,
			fields: `"toolId":"tool_1","name":"search","success":true,"output":"found","duration":12`,
			want: []view{{Type: TypeToolComplete, ToolCallID: "tool_1", ToolID: "tool_1", ToolName: "search", Name: "search",
				Success: "true", Result: `"found"`, DurationMs: 12}}},
		{name: "legacy text_start with partId", src: "text_start", vocab: U, fields: `"partId":"p1"`,
			want: []view{{Type: TypeTextStart, ID: "text_1"}}},
	}
}

func TestDecodeUnifiedPassthrough(t *testing.T) { runMapCases(t, unifiedMapCases()) }

// unifiedMapCases are the unified rows of the mapping table (runtype-protocol.md §3.1).
func unifiedMapCases() []mapCase {
	U, S := VocabUnified, VocabUnknown
	return []mapCase{
		{name: "execution_start", src: TypeExecutionStart, event: true, vocab: U,
			fields: `"kind":"agent","agentId":"a","agentName":"Mail","maxTurns":4,"startedAt":"T"`,
			want:   []view{{Type: TypeExecutionStart, Kind: "agent", Name: "Mail", Timestamp: "T"}}},
		{name: "execution_complete", src: TypeExecutionComplete, event: true, vocab: U,
			fields: `"kind":"agent","success":true,"iterations":2,"stopReason":"end_turn","finalOutput":"ok","durationMs":5,"totalTokens":{"input":1,"output":2},"totalCost":0.25`,
			want: []view{{Type: TypeExecutionComplete, Kind: "agent", Success: "true", Iteration: 2, StopReason: "end_turn",
				FinalOutput: "ok", DurationMs: 5, Tokens: "1/2", Cost: 0.25}}},
		{name: "execution_error", src: TypeExecutionError, event: true, vocab: U,
			fields: `"kind":"flow","error":{"code":"limit","message":"Plan limit"},"upgradeUrl":"u"`,
			want:   []view{{Type: TypeExecutionError, Kind: "flow", ErrorMessage: "Plan limit", ErrorCode: "limit"}}},
		{name: "turn_start", src: TypeTurnStart, event: true, vocab: U, fields: `"id":"turn_1","role":"assistant","iteration":1`,
			want: []view{{Type: TypeTurnStart, ID: "turn_1", Role: "assistant", Iteration: 1}}},
		{name: "turn_complete", src: TypeTurnComplete, event: true, vocab: U,
			fields: `"id":"turn_1","role":"assistant","stopReason":"end_turn","tokens":{"input":3,"output":4}`,
			want:   []view{{Type: TypeTurnComplete, ID: "turn_1", Role: "assistant", StopReason: "end_turn", Tokens: "3/4"}}},
		{name: "step_start", src: TypeStepStart, event: true, vocab: S, fields: `"id":"s1","name":"P","stepType":"prompt"`,
			want: []view{{Type: TypeStepStart, ID: "s1", StepID: "s1", Name: "P", StepType: "prompt"}}},
		{name: "step_complete", src: TypeStepComplete, event: true, vocab: S,
			fields: `"id":"s1","success":false,"error":"boom","durationMs":3,"result":{"response":"r"}`,
			want: []view{{Type: TypeStepComplete, ID: "s1", StepID: "s1", Success: "false", ErrorMessage: "boom",
				DurationMs: 3, Result: `{"response":"r"}`}}},
		{name: "step_skip", src: TypeStepSkip, event: true, vocab: S, fields: `"id":"s2","name":"Maybe","skippedAt":"T"`,
			want: []view{{Type: TypeStepSkip, ID: "s2", StepID: "s2", Name: "Maybe", Timestamp: "T"}}},
		{name: "text_start", src: TypeTextStart, event: true, vocab: S, fields: `"id":"text_3","role":"assistant"`,
			want: []view{{Type: TypeTextStart, ID: "text_3", Role: "assistant"}}},
		{name: "text_delta", src: TypeTextDelta, event: true, vocab: U, fields: `"id":"text_3","delta":"Hel"`,
			want: []view{{Type: TypeTextDelta, ID: "text_3", Delta: "Hel"}}},
		{name: "text_complete", src: TypeTextComplete, event: true, vocab: U, fields: `"id":"text_3","text":"Hello"`,
			want: []view{{Type: TypeTextComplete, ID: "text_3", Text: "Hello"}}},
		{name: "reasoning_start", src: TypeReasoningStart, event: true, vocab: U, fields: `"id":"r1","scope":"turn"`,
			want: []view{{Type: TypeReasoningStart, ID: "r1"}}},
		{name: "reasoning_delta", src: TypeReasoningDelta, event: true, vocab: U, fields: `"id":"r1","delta":"hm"`,
			want: []view{{Type: TypeReasoningDelta, ID: "r1", Delta: "hm"}}},
		{name: "reasoning_complete", src: TypeReasoningComplete, event: true, vocab: U, fields: `"id":"r1","text":"hmm"`,
			want: []view{{Type: TypeReasoningComplete, ID: "r1", Text: "hmm"}}},
		{name: "media_start", src: TypeMediaStart, event: true, vocab: U, fields: `"id":"m1","mediaType":"image/png","toolCallId":"c"`,
			want: []view{{Type: TypeMediaStart, ID: "m1", ToolCallID: "c"}}},
		{name: "media_delta", src: TypeMediaDelta, event: true, vocab: U, fields: `"id":"m1","delta":"QQ=="`,
			want: []view{{Type: TypeMediaDelta, ID: "m1", Delta: "QQ=="}}},
		{name: "media_complete", src: TypeMediaComplete, event: true, vocab: U, fields: `"id":"m1","url":"https://x"`,
			want: []view{{Type: TypeMediaComplete, ID: "m1"}}},
		{name: "artifact_start", src: TypeArtifactStart, event: true, vocab: S, fields: `"id":"a1","artifactType":"markdown","title":"T"`,
			want: []view{{Type: TypeArtifactStart, ID: "a1"}}},
		{name: "artifact_delta", src: TypeArtifactDelta, event: true, vocab: S, fields: `"id":"a1","delta":"# H"`,
			want: []view{{Type: TypeArtifactDelta, ID: "a1", Delta: "# H"}}},
		{name: "artifact_update", src: TypeArtifactUpdate, event: true, vocab: S, fields: `"id":"a1","component":"C","props":{"a":1}`,
			want: []view{{Type: TypeArtifactUpdate, ID: "a1"}}},
		{name: "artifact_complete", src: TypeArtifactComplete, event: true, vocab: S, fields: `"id":"a1"`,
			want: []view{{Type: TypeArtifactComplete, ID: "a1"}}},
		{name: "source", src: TypeSource, event: true, vocab: S, fields: `"id":"src1","title":"Doc","url":"https://d"`,
			want: []view{{Type: TypeSource, ID: "src1"}}},
		{name: "state_snapshot", src: TypeStateSnapshot, event: true, vocab: U, fields: `"state":{"cart":[]},"iteration":1`,
			want: []view{{Type: TypeStateSnapshot, Iteration: 1}}},
		{name: "state_delta", src: TypeStateDelta, event: true, vocab: U, fields: `"patch":[{"op":"add","path":"/a","value":1}]`,
			want: []view{{Type: TypeStateDelta}}},
		{name: "tool_start", src: TypeToolStart, event: true, vocab: S,
			fields: `"toolCallId":"call_Q1","toolName":"add_to_cart","toolType":"local","iteration":1,"origin":"sdk","parameters":{"sku":"S"}`,
			want: []view{{Type: TypeToolStart, ToolCallID: "call_Q1", ToolName: "add_to_cart", ToolType: "local",
				Iteration: 1, Origin: "sdk", Parameters: `{"sku":"S"}`}}},
		{name: "tool_input_delta", src: TypeToolInputDelta, event: true, vocab: S, fields: `"toolCallId":"c","delta":"{\"a"`,
			want: []view{{Type: TypeToolInputDelta, ToolCallID: "c", Delta: `{"a`}}},
		{name: "tool_input_complete", src: TypeToolInputComplete, event: true, vocab: S, fields: `"toolCallId":"c","toolName":"t","parameters":{"a":1}`,
			want: []view{{Type: TypeToolInputComplete, ToolCallID: "c", ToolName: "t", Parameters: `{"a":1}`}}},
		{name: "tool_output_delta", src: TypeToolOutputDelta, event: true, vocab: U, fields: `"toolCallId":"c","delta":"out"`,
			want: []view{{Type: TypeToolOutputDelta, ToolCallID: "c", Delta: "out"}}},
		{name: "tool_complete", src: TypeToolComplete, event: true, vocab: S,
			fields: `"toolCallId":"toolu_01Mx","toolName":"send_email","success":true,"result":{"messageId":"m_55"},"executionTime":640`,
			want: []view{{Type: TypeToolComplete, ToolCallID: "toolu_01Mx", ToolName: "send_email", Success: "true",
				Result: `{"messageId":"m_55"}`, DurationMs: 640}}},
		{name: "approval_start", src: TypeApprovalStart, event: true, vocab: U,
			fields: `"approvalId":"appr_xyz789","toolCallId":"toolu_01Mx","toolName":"send_email","toolType":"builtin","description":"Send an email","reason":"Dana","parameters":{"to":"d"},"timeout":300000,"startedAt":"T"`,
			want: []view{{Type: TypeApprovalStart, ApprovalID: "appr_xyz789", ToolCallID: "toolu_01Mx", ToolName: "send_email",
				ToolType: "builtin", Description: "Send an email", Reason: "Dana", Parameters: `{"to":"d"}`, Timestamp: "T"}}},
		{name: "approval_complete", src: TypeApprovalComplete, event: true, vocab: U,
			fields: `"approvalId":"appr_xyz789","decision":"approved","resolvedBy":"user","completedAt":"T"`,
			want:   []view{{Type: TypeApprovalComplete, ApprovalID: "appr_xyz789", Decision: DecisionApproved, Timestamp: "T"}}},
		{name: "await", src: TypeAwait, event: true, vocab: U,
			fields: `"executionId":"virtual_1","awaitReason":"local_tool_required","toolId":"runtime_add_1","toolCallId":"call_Q1","toolName":"add_to_cart","origin":"sdk","parameters":{"sku":"S"},"awaitedAt":"T"`,
			want: []view{{Type: TypeAwait, ExecutionID: "virtual_1", AwaitReason: AwaitLocalTool, ToolID: "runtime_add_1",
				ToolCallID: "call_Q1", ToolName: "add_to_cart", Origin: "sdk", Parameters: `{"sku":"S"}`, Timestamp: "T"}}},
		{name: "error", src: TypeError, event: true, vocab: S, fields: `"error":"rate limited","recoverable":true`,
			want: []view{{Type: TypeError, ErrorMessage: "rate limited", Recoverable: "true"}}},
		{name: "ping", src: TypePing, event: true, vocab: U, fields: `"timestamp":"T"`,
			want: []view{{Type: TypePing, Timestamp: "T"}}},
		{name: "custom", src: TypeCustom, event: true, vocab: U, fields: `"name":"runtype.fallback","value":{"phase":"start"}`,
			want: []view{{Type: TypeCustom, Name: "runtype.fallback"}}},
		{name: "transcript_insert", src: TypeTranscriptInsert, event: true, vocab: S,
			fields: `"message":{"id":"m","role":"assistant","content":"hi"}`,
			want:   []view{{Type: TypeTranscriptInsert}}},
	}
}

// unknownTypeCase is a frame of a type neither vocabulary defines.
type unknownTypeCase = struct {
	name  string
	frame Frame
	want  view
}

func unknownTypeCases() []unknownTypeCase {
	return []unknownTypeCase{
		{
			name:  "type from JSON",
			frame: Frame{Data: `{"type":"brand_new","executionId":"e","seq":3,"toolCallId":"c","delta":"d"}`},
			want:  view{Type: "brand_new", Source: "brand_new", ExecutionID: "e", Seq: 3, ToolCallID: "c", Delta: "d"},
		},
		{
			name:  "type from the event line",
			frame: Frame{Event: "agent_future", Data: `{"executionId":"e","error":"x"}`},
			want:  view{Type: "agent_future", Source: "agent_future", ExecutionID: "e", Seq: -1, ErrorMessage: "x"},
		},
		{
			name:  "event line wins over the JSON type",
			frame: Frame{Event: "text_delta", Data: `{"type":"something_else","id":"t","delta":"x"}`},
			want:  view{Type: TypeTextDelta, Source: TypeTextDelta, Vocab: VocabUnified, Known: true, Seq: -1, ID: "t", Delta: "x"},
		},
		{
			name:  "event message means no event line",
			frame: Frame{Event: "message", Data: `{"type":"ping","timestamp":"T"}`},
			want:  view{Type: TypePing, Source: TypePing, Vocab: VocabUnified, Known: true, Seq: -1, Timestamp: "T"},
		},
	}
}

func TestDecodeUnknownType(t *testing.T) {
	cases := unknownTypeCases()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := NewDecoder().Decode(nil, tc.frame)
			if len(got) != 1 {
				t.Fatalf("events = %d, want 1", len(got))
			}
			if g := project(got[0]); g != tc.want {
				t.Errorf("Decode = %+v, want %+v", g, tc.want)
			}
			if got[0].Frame != tc.frame || string(got[0].Data) != tc.frame.Data {
				t.Errorf("Frame/Data not kept: %+v", got[0].Frame)
			}
		})
	}
}

// malformedCase is a frame that decodes to TypeMalformed.
type malformedCase = struct {
	name    string
	frame   Frame
	source  string
	errText string
}

func malformedCases() []malformedCase {
	return []malformedCase{
		{"not JSON", Frame{Data: "hello world"}, "", "not JSON"},
		{"truncated JSON", Frame{Data: `{"type":"text_delta","delta":"x`}, "", "not valid JSON"},
		{"JSON array", Frame{Data: `[1,2]`}, "", "not an object"},
		{"JSON string", Frame{Data: `"text_delta"`}, "", "not an object"},
		{"no type anywhere", Frame{Data: `{"executionId":"e","delta":"x"}`}, "", "no type"},
		{"event line with text data", Frame{Event: "ping", Data: "keepalive"}, "ping", "not JSON"},
		{"event line with broken JSON", Frame{Event: "await", Data: `{"toolCallId":`}, "await", "not valid JSON"},
	}
}

func TestDecodeMalformed(t *testing.T) {
	cases := malformedCases()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := NewDecoder().Decode(nil, tc.frame)
			if len(got) != 1 {
				t.Fatalf("events = %d, want 1", len(got))
			}
			ev := got[0]
			if ev.Type != TypeMalformed {
				t.Errorf("Type = %q, want %q", ev.Type, TypeMalformed)
			}
			if ev.Err == nil || !strings.Contains(ev.Err.Error(), tc.errText) {
				t.Errorf("Err = %v, want it to mention %q", ev.Err, tc.errText)
			}
			if ev.Frame != tc.frame {
				t.Errorf("Frame = %+v, want %+v", ev.Frame, tc.frame)
			}
			if ev.Source != tc.source {
				t.Errorf("Source = %q, want %q", ev.Source, tc.source)
			}
			if ev.Known || ev.Seq != -1 {
				t.Errorf("Known = %v, Seq = %d, want false, -1", ev.Known, ev.Seq)
			}
		})
	}
}

// toleratedCase is a frame that decodes to no event.
type toleratedCase = struct {
	name  string
	frame Frame
}

func toleratedCases() []toleratedCase {
	return []toleratedCase{
		{"DONE", Frame{Data: "[DONE]"}},
		{"DONE with spaces", Frame{Data: " [DONE] "}},
		{"empty data", Frame{}},
		{"whitespace data", Frame{Data: " \n "}},
		{"id only", Frame{ID: "42"}},
		{"event only", Frame{Event: "ping"}},
		{"retry style empty", Frame{Event: "message"}},
	}
}

func TestDecodeTolerated(t *testing.T) {
	cases := toleratedCases()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDecoder()
			if got := d.Decode(nil, tc.frame); len(got) != 0 {
				t.Errorf("Decode = %d events (%+v), want none", len(got), got)
			}
			if got := d.Vocabulary(); got != VocabUnknown {
				t.Errorf("Vocabulary() = %v, want unknown", got)
			}
		})
	}
}

// spellingCase is one spelling of a lifted field.
type spellingCase = struct {
	name  string
	data  string
	check func(Event) (got, want any)
}

func spellingCases() []spellingCase {
	return []spellingCase{
		{"seq", `{"type":"ping","seq":0}`, func(e Event) (any, any) { return e.Seq, int64(0) }},
		{"sequenceIndex", `{"type":"reason_delta","sequenceIndex":4,"delta":"x"}`, func(e Event) (any, any) { return e.Seq, int64(4) }},
		{"agentContext.seq", `{"type":"tool_start","toolCallId":"c","agentContext":{"seq":9,"executionId":"ex"}}`, func(e Event) (any, any) { return e.Seq, int64(9) }},
		{"agentContext executionId", `{"type":"tool_start","toolCallId":"c","agentContext":{"seq":9,"executionId":"ex"}}`, func(e Event) (any, any) { return e.ExecutionID, "ex" }},
		{"no seq", `{"type":"ping"}`, func(e Event) (any, any) { return e.Seq, int64(-1) }},
		{"error string", `{"type":"error","error":"plain"}`, func(e Event) (any, any) { return e.ErrorMessage, "plain" }},
		{"error object code", `{"type":"error","error":{"code":"c1","message":"m"}}`, func(e Event) (any, any) { return e.ErrorCode, "c1" }},
		{"error object numeric code", `{"type":"error","error":{"code":429,"message":"m"}}`, func(e Event) (any, any) { return e.ErrorCode, "429" }},
		{"error other JSON", `{"type":"error","error":["a"]}`, func(e Event) (any, any) { return e.ErrorMessage, `["a"]` }},
		{"top-level code", `{"type":"execution_error","error":"m","code":"quota"}`, func(e Event) (any, any) { return e.ErrorCode, "quota" }},
		{"finalOutput string", `{"type":"execution_complete","finalOutput":"hi"}`, func(e Event) (any, any) { return e.FinalOutput, "hi" }},
		{"finalOutput object", `{"type":"execution_complete","finalOutput":{ "a" : 1 }}`, func(e Event) (any, any) { return e.FinalOutput, `{"a":1}` }},
		{"finalOutput null", `{"type":"execution_complete","finalOutput":null}`, func(e Event) (any, any) { return e.FinalOutput, "" }},
		{"durationMs", `{"type":"step_complete","durationMs":7}`, func(e Event) (any, any) { return e.DurationMs, 7.0 }},
		{"duration", `{"type":"step_complete","duration":8}`, func(e Event) (any, any) { return e.DurationMs, 8.0 }},
		{"executionTime", `{"type":"step_complete","executionTime":9}`, func(e Event) (any, any) { return e.DurationMs, 9.0 }},
		{"completedAt", `{"type":"step_complete","completedAt":"C"}`, func(e Event) (any, any) { return e.Timestamp, "C" }},
		{"timestamp", `{"type":"ping","timestamp":"P"}`, func(e Event) (any, any) { return e.Timestamp, "P" }},
		{"args", `{"type":"tool_start","toolCallId":"c","args":{"q":1}}`, func(e Event) (any, any) { return string(e.Parameters), `{"q":1}` }},
		{"output", `{"type":"tool_complete","toolCallId":"c","output":[1]}`, func(e Event) (any, any) { return string(e.Result), `[1]` }},
		{"result null falls back to output", `{"type":"tool_complete","result":null,"output":2}`, func(e Event) (any, any) { return string(e.Result), `2` }},
		{"stepName", `{"type":"step_start","stepId":"s","stepName":"N"}`, func(e Event) (any, any) { return e.Name, "N" }},
		{"toolContext executionId", `{"type":"step_delta","id":"s","text":"x","toolContext":{"toolId":"t","executionId":"nested"}}`, func(e Event) (any, any) { return e.ExecutionID, "nested" }},
		{"a field of the wrong type only loses that field", `{"type":"text_delta","id":5,"delta":"kept","executionId":"e"}`, func(e Event) (any, any) { return e.Delta + "/" + e.ExecutionID + "/" + e.ID, "kept/e/" }},
		{"non-ASCII delta", `{"type":"text_delta","id":"t","delta":"héllo \u00e9 \ud83d\ude00 日本"}`, func(e Event) (any, any) { return e.Delta, "héllo é 😀 日本" }},
	}
}

func TestDecodeFieldSpellings(t *testing.T) {
	cases := spellingCases()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			evs := NewDecoder().Decode(nil, Frame{Data: tc.data})
			if len(evs) == 0 {
				t.Fatal("no event")
			}
			if evs[0].Type == TypeMalformed {
				t.Fatalf("malformed: %v", evs[0].Err)
			}
			if got, want := tc.check(evs[0]); got != want {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

// vocabularyCase is a sequence of type names and the vocabulary they decide.
type vocabularyCase = struct {
	name  string
	types []string
	want  Vocabulary
}

func vocabularyCases() []vocabularyCase {
	return []vocabularyCase{
		{"nothing yet", nil, VocabUnknown},
		{"shared names do not decide", []string{"step_start", "tool_start", "error", "text_start", "source"}, VocabUnknown},
		{"unified execution_start", []string{"execution_start", "flow_start"}, VocabUnified},
		{"legacy flow_start", []string{"flow_start", "execution_start"}, VocabLegacy},
		{"resume stream decided by first exclusive", []string{"step_start", "step_delta"}, VocabLegacy},
		{"unified resume", []string{"tool_complete", "turn_start"}, VocabUnified},
		{"unknown types do not decide", []string{"mystery", "agent_mystery", "ping"}, VocabUnified},
	}
}

func TestDecodeVocabulary(t *testing.T) {
	cases := vocabularyCases()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDecoder()
			for _, typ := range tc.types {
				d.Decode(nil, Frame{Data: `{"type":"` + typ + `"}`})
			}
			if got := d.Vocabulary(); got != tc.want {
				t.Errorf("Vocabulary() = %v, want %v", got, tc.want)
			}
			d.NewStream()
			if got := d.Vocabulary(); got != tc.want {
				t.Errorf("Vocabulary() after NewStream = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestDecodeLegacyBlocks checks the minted block ids: the model folds
// deltas by id, so splitting or merging blocks wrongly garbles the text.
type blockStep struct {
	data   string
	stream bool // NewStream before this frame
}

// legacyBlockCase is a frame sequence and the block ids it must mint.
type legacyBlockCase = struct {
	name  string
	steps []blockStep
	want  []string // "type id" of each text/reasoning event
}

func legacyBlockCases() []legacyBlockCase {
	return []legacyBlockCase{
		{
			name: "one agent turn is one block",
			steps: []blockStep{
				{data: `{"type":"agent_turn_start","turnId":"t1"}`},
				{data: `{"type":"agent_turn_delta","turnId":"t1","contentType":"text","delta":"a"}`},
				{data: `{"type":"agent_turn_delta","turnId":"t1","contentType":"text","delta":"b"}`},
			},
			want: []string{"turn_start t1", "text_delta text_1", "text_delta text_1"},
		},
		{
			name: "tool boundary opens a new block in the same turn",
			steps: []blockStep{
				{data: `{"type":"agent_turn_delta","turnId":"t1","contentType":"text","delta":"a"}`},
				{data: `{"type":"agent_tool_start","toolCallId":"c1","toolName":"x"}`},
				{data: `{"type":"agent_tool_complete","toolCallId":"c1","success":true}`},
				{data: `{"type":"agent_turn_delta","turnId":"t1","contentType":"text","delta":"b"}`},
			},
			want: []string{"text_delta text_1", "tool_start ", "tool_complete ", "text_delta text_2"},
		},
		{
			name: "await boundary",
			steps: []blockStep{
				{data: `{"type":"step_chunk","id":"s1","text":"a"}`},
				{data: `{"type":"step_await","id":"s1","toolCallId":"c","toolName":"t"}`},
				{data: `{"type":"step_chunk","id":"s1","text":"b"}`},
			},
			want: []string{"text_delta text_1", "await s1", "text_delta text_2"},
		},
		{
			name: "new turn id opens a new block",
			steps: []blockStep{
				{data: `{"type":"agent_turn_delta","turnId":"t1","contentType":"text","delta":"a"}`},
				{data: `{"type":"agent_turn_delta","turnId":"t2","contentType":"text","delta":"b"}`},
			},
			want: []string{"text_delta text_1", "text_delta text_2"},
		},
		{
			name: "new step id opens a new block",
			steps: []blockStep{
				{data: `{"type":"step_delta","id":"s1","text":"a"}`},
				{data: `{"type":"step_delta","id":"s2","text":"b"}`},
				{data: `{"type":"step_delta","id":"s2","text":"c"}`},
			},
			want: []string{"text_delta text_1", "text_delta text_2", "text_delta text_2"},
		},
		{
			name: "new partId opens a new block",
			steps: []blockStep{
				{data: `{"type":"step_delta","id":"s1","partId":"p1","text":"a"}`},
				{data: `{"type":"step_delta","id":"s1","partId":"p1","text":"b"}`},
				{data: `{"type":"step_delta","id":"s1","partId":"p2","text":"c"}`},
			},
			want: []string{"text_delta text_1", "text_delta text_1", "text_delta text_2"},
		},
		{
			name: "legacy text_start and text_end frame a block",
			steps: []blockStep{
				{data: `{"type":"text_start","partId":"p1"}`},
				{data: `{"type":"step_delta","id":"s1","partId":"p1","text":"a"}`},
				{data: `{"type":"text_end","partId":"p1"}`},
				{data: `{"type":"step_delta","id":"s1","partId":"p1","text":"b"}`},
			},
			want: []string{"text_start text_1", "text_delta text_1", "text_complete text_1", "text_delta text_2"},
		},
		{
			name: "thinking and text alternate into separate blocks",
			steps: []blockStep{
				{data: `{"type":"agent_turn_delta","turnId":"t1","contentType":"thinking","delta":"h"}`},
				{data: `{"type":"agent_turn_delta","turnId":"t1","contentType":"thinking","delta":"m"}`},
				{data: `{"type":"agent_turn_delta","turnId":"t1","contentType":"text","delta":"a"}`},
				{data: `{"type":"agent_turn_delta","turnId":"t1","contentType":"thinking","delta":"h"}`},
			},
			want: []string{"reasoning_delta reason_1", "reasoning_delta reason_1", "text_delta text_1", "reasoning_delta reason_2"},
		},
		{
			name: "reason_start, deltas and reason_complete share an id",
			steps: []blockStep{
				{data: `{"type":"reason_start"}`},
				{data: `{"type":"reason_delta","reasoningText":"a"}`},
				{data: `{"type":"reason_chunk","delta":"b"}`},
				{data: `{"type":"reason_complete","text":"ab"}`},
				{data: `{"type":"reason_delta","reasoningText":"c"}`},
			},
			want: []string{"reasoning_start reason_1", "reasoning_delta reason_1", "reasoning_delta reason_1", "reasoning_complete reason_1", "reasoning_delta reason_2"},
		},
		{
			name: "a new stream opens a new block and ids stay unique",
			steps: []blockStep{
				{data: `{"type":"step_delta","id":"s1","text":"a"}`},
				{data: `{"type":"step_delta","id":"s1","text":"b"}`, stream: true},
			},
			want: []string{"text_delta text_1", "text_delta text_2"},
		},
		{
			name: "unified deltas keep their own ids",
			steps: []blockStep{
				{data: `{"type":"text_delta","id":"text_1","delta":"a"}`},
				{data: `{"type":"step_chunk","id":"s1","text":"b"}`},
				{data: `{"type":"text_delta","id":"text_9","delta":"c"}`},
			},
			want: []string{"text_delta text_1", "text_delta text_1", "text_delta text_9"},
		},
		{
			name: "nested flow text under a tool call is its own block",
			steps: []blockStep{
				{data: `{"type":"step_delta","id":"s1","text":"a"}`},
				{data: `{"type":"step_delta","id":"s1","text":"b","toolContext":{"toolId":"call_f"}}`},
			},
			want: []string{"text_delta text_1", "text_delta text_2"},
		},
	}
}

func TestDecodeLegacyBlocks(t *testing.T) {
	cases := legacyBlockCases()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDecoder()
			var got []string
			for _, st := range tc.steps {
				if st.stream {
					d.NewStream()
				}
				for _, ev := range d.Decode(nil, Frame{Data: st.data}) {
					got = append(got, ev.Type+" "+ev.ID)
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("events = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDecodeAppends(t *testing.T) {
	d := NewDecoder()
	dst := []Event{{Type: "earlier"}}
	dst = d.Decode(dst, Frame{Data: `{"type":"artifact","id":"a"}`})
	var got []string
	for _, e := range dst {
		got = append(got, e.Type)
	}
	want := []string{"earlier", TypeArtifactStart, TypeArtifactComplete}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("types = %v, want %v", got, want)
	}
}

// fixtureBody is the fixture repeated, for the benchmarks: one long
// legacy stream.
func fixtureBody(b *testing.B) string {
	return strings.Repeat(string(readFixture(b)), 50)
}

// BenchmarkRead is sse.Read alone over the fixture, the baseline the decode
// benchmark is compared with.
func BenchmarkRead(b *testing.B) {
	body := fixtureBody(b)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		for _, err := range sse.Read(strings.NewReader(body), nil) {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkReadDecode is sse.Read plus Decode of every frame.
func BenchmarkReadDecode(b *testing.B) {
	body := fixtureBody(b)
	b.SetBytes(int64(len(body)))
	var evs []Event
	for b.Loop() {
		d := NewDecoder()
		for ev, err := range sse.Read(strings.NewReader(body), nil) {
			if err != nil {
				b.Fatal(err)
			}
			evs = d.Decode(evs[:0], Frame{Event: ev.Type, Data: ev.Data})
		}
	}
}

// The scanner (scan.go) must decode every frame exactly as encoding/json
// does: the tests below run the same frames through a Decoder and through
// one with the scanner off, and compare the events, the wire struct the
// mapping read, and the vocabulary, frame by frame.

// decoderPair is a Decoder and its encoding/json-only twin, and every
// event each has decoded (strings decoded earlier must stay intact).
type decoderPair struct {
	fast, slow *Decoder
	got, want  []Event
}

func newDecoderPair() *decoderPair {
	return &decoderPair{fast: NewDecoder(), slow: &Decoder{slow: true}}
}

func (p *decoderPair) newStream() {
	p.fast.NewStream()
	p.slow.NewStream()
}

// check decodes f with both and reports any difference.
func (p *decoderPair) check(t *testing.T, f Frame) {
	t.Helper()
	got := p.fast.Decode(nil, f)
	want := p.slow.Decode(nil, f)
	p.got, p.want = append(p.got, got...), append(p.want, want...)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("frame %.300q:\nscanner:\n%s%v\nencoding/json:\n%s%v", f.Data,
			dumpViews(projectAll(got)), errsOf(got), dumpViews(projectAll(want)), errsOf(want))
		return
	}
	// Fields no event shows (turnId, partId, contentType, ...) feed the
	// block state: the wire must match too, and so must what is left of
	// it after this frame for the next one.
	if !reflect.DeepEqual(p.fast.w, p.slow.w) {
		t.Errorf("frame %.300q: wire differs:\nscanner:       %+v\nencoding/json: %+v", f.Data, p.fast.w, p.slow.w)
	}
	if a, b := p.fast.Vocabulary(), p.slow.Vocabulary(); a != b {
		t.Errorf("frame %.300q: vocabulary %v, encoding/json %v", f.Data, a, b)
	}
}

// final compares all the events decoded so far, once more.
func (p *decoderPair) final(t *testing.T) {
	t.Helper()
	if len(p.got) != len(p.want) {
		t.Fatalf("%d events, encoding/json %d", len(p.got), len(p.want))
	}
	for i := range p.got {
		if !reflect.DeepEqual(p.got[i], p.want[i]) {
			t.Errorf("event %d changed after it was decoded:\n%s\nencoding/json:\n%s", i,
				dumpViews(projectAll(p.got[i:i+1])), dumpViews(projectAll(p.want[i:i+1])))
		}
	}
}

func projectAll(evs []Event) []view {
	vs := make([]view, len(evs))
	for i, e := range evs {
		vs[i] = project(e)
	}
	return vs
}

func errsOf(evs []Event) []error {
	var errs []error
	for _, e := range evs {
		if e.Err != nil {
			errs = append(errs, e.Err)
		}
	}
	return errs
}

// checkAlone decodes every frame with a fresh pair, then all of them in
// order with one pair (the scanner remembers keys and values across
// frames and clears only what the last frame set).
func checkFrames(t *testing.T, frames []Frame) {
	t.Helper()
	for _, f := range frames {
		newDecoderPair().check(t, f)
	}
	p := newDecoderPair()
	for _, f := range frames {
		p.check(t, f)
	}
	p.final(t)
}

func TestScannerMatchesEncodingJSONOnTestFrames(t *testing.T) {
	var frames []Frame
	for _, tc := range append(legacyMapCases(), unifiedMapCases()...) {
		frames = append(frames, tc.frame())
	}
	for _, tc := range unknownTypeCases() {
		frames = append(frames, tc.frame)
	}
	for _, tc := range malformedCases() {
		frames = append(frames, tc.frame)
	}
	for _, tc := range toleratedCases() {
		frames = append(frames, tc.frame)
	}
	for _, tc := range spellingCases() {
		frames = append(frames, Frame{Data: tc.data})
	}
	checkFrames(t, frames)

	for _, tc := range vocabularyCases() {
		p := newDecoderPair()
		for _, typ := range tc.types {
			p.check(t, Frame{Data: `{"type":"` + typ + `"}`})
		}
	}
	for _, tc := range legacyBlockCases() {
		p := newDecoderPair()
		for _, st := range tc.steps {
			if st.stream {
				p.newStream()
			}
			p.check(t, Frame{Data: st.data})
		}
	}
}

func TestScannerMatchesEncodingJSONOnStreams(t *testing.T) {
	bodies := map[string]string{"fixture": string(readFixture(t))}
	for _, s := range benchStreams(t) {
		bodies[s.name] = s.body
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			var frames []Frame
			for ev, err := range sse.Read(strings.NewReader(body), benchReadConfig) {
				if err != nil {
					t.Fatal(err)
				}
				frames = append(frames, Frame{Event: ev.Type, ID: ev.LastEventID, Data: ev.Data})
			}
			p := newDecoderPair()
			for _, f := range frames {
				p.check(t, f)
			}
			p.final(t)
		})
	}
}

// trickyFrames are frames meant to catch a hand-written JSON scanner out.
func trickyFrames() []Frame {
	data := []string{
		// Escapes, in every field kind the scanner decodes.
		`{"type":"text_delta","id":"t","delta":"a\"b\\c\/d\b\f\n\r\t"}`,
		`{"type":"text_delta","id":"t\u005f1","delta":"\u00e9\u00E9\u4e2d\ud83d\ude00\u0000\u001f\u2028"}`,
		`{"type":"text\u005fdelta","delta":"escaped type"}`,
		`{"type":"text_delta","delta":"lone high \ud83d end"}`,
		`{"type":"text_delta","delta":"lone low \ude00 end"}`,
		`{"type":"text_delta","delta":"high then letter \ud83d\u0041"}`,
		`{"type":"text_delta","delta":"high high low \ud83d\ud83d\ude00"}`,
		`{"type":"text_delta","delta":"high at end \ud83d"}`,
		`{"type":"text_delta","delta":"high then escape \ud83d\n"}`,
		`{"type":"text_delta","delta":"\\u0041 is not an escape"}`,
		// Raw non-ASCII, valid and not (encoding/json turns each bad
		// byte into U+FFFD).
		`{"type":"text_delta","delta":"héllo 日本 😀 €"}`,
		"{\"type\":\"text_delta\",\"delta\":\"bad \xff\xfe bytes\"}",
		"{\"type\":\"text_delta\",\"delta\":\"cut \xe6\x97\"}",
		"{\"type\":\"text_delta\",\"delta\":\"surrogate \xed\xa0\x80 in UTF-8\"}",
		"{\"type\":\"text_delta\",\"delta\":\"overlong \xc0\xaf\"}",
		"{\"type\":\"text_delta\",\"delta\":\"U+FFFD \xef\xbf\xbd itself\"}",
		"{\"type\":\"text_delta\",\"delta\":\"bad \xff and \\n escape\"}",
		"{\"type\":\"text_delta\",\"delta\":\"\\n\\n\xff\"}",
		"{\"type\":\"text_delta\",\"delta\":\"del \x7f ok\"}",
		// A remembered value is reused only for the same plain bytes: an
		// escaped value as long as its decoded text must not be.
		"{\"type\":\"text_delta\",\"id\":\"\\n\\n\xff\",\"delta\":\"x\"}",
		"{\"type\":\"text_delta\",\"id\":\"\\n\\n\xff\",\"delta\":\"x\"}",
		`{"type":"text_delta","id":"abc","delta":"x"}`,
		`{"type":"text_delta","id":"abc\"d","delta":"x"}`,
		`{"type":"text_delta","id":"abcd","delta":"x"}`,
		`{"type":"text_delta","id":"ab","delta":"x"}`,
		`{"type":"text_delta","id":"abc","delta":"x"}`,
		`{"type":"text_delta","id" :"abc","delta":"x"}`,
		`{"type":"text_delta","idx":"abc","delta":"x"}`,
		`{"type":"text_delta","index":"abc","delta":"x"}`,
		`{"type":"text_delta","id":"abc","Delta":"x"}`,
		"{\"type\":\"tool_complete\",\"toolCallId\":\"c\",\"result\":\"raw \xff kept\"}",
		// Nested quotes and brackets inside raw values.
		`{"type":"tool_start","toolCallId":"c","parameters":{"q":"say \"hi\" }]","n":[1,{"x":"}"},[]],"e":{}}}`,
		`{"type":"tool_complete","toolCallId":"c","result":[ 1 , "two" , { "three" : [ true , false , null ] } ]}`,
		`{"type":"tool_complete","toolCallId":"c","result":"a string result","output":{"o":1}}`,
		`{"type":"tool_complete","toolCallId":"c","result":null,"output":null}`,
		// Numbers.
		`{"type":"ping","seq":0}`,
		`{"type":"ping","seq":-0}`,
		`{"type":"ping","seq":-12}`,
		`{"type":"ping","seq":1e2}`,
		`{"type":"ping","seq":1.0}`,
		`{"type":"ping","seq":123456789012345678}`,
		`{"type":"ping","seq":1234567890123456789}`,
		`{"type":"ping","seq":9223372036854775807}`,
		`{"type":"ping","seq":9223372036854775808}`,
		`{"type":"ping","seq":-9223372036854775808}`,
		`{"type":"ping","seq":12345678901234567890123}`,
		`{"type":"ping","seq":"7"}`,
		`{"type":"ping","seq":true}`,
		`{"type":"ping","seq":null,"sequenceIndex":3}`,
		`{"type":"step_complete","id":"s","durationMs":1.5e3,"cost":1E-2,"totalCost":2e+1}`,
		`{"type":"step_complete","id":"s","durationMs":-0.0,"duration":0.1,"executionTime":3}`,
		`{"type":"step_complete","id":"s","durationMs":1e400}`,
		`{"type":"step_complete","id":"s","durationMs":"5"}`,
		`{"type":"turn_start","id":"t","iteration":3.0}`,
		`{"type":"turn_start","id":"t","iteration":-3}`,
		`{"type":"turn_start","id":"t","iteration":"3"}`,
		`{"type":"turn_complete","id":"t","tokens":{"input":1e1,"output":2}}`,
		`{"type":"turn_complete","id":"t","tokens":{"input":-5,"output":9223372036854775807}}`,
		// Null in every kind of field.
		`{"type":"text_delta","id":null,"delta":null,"seq":null,"iteration":null}`,
		`{"type":"tool_complete","toolCallId":null,"success":null,"recoverable":null,"result":null,"tokens":null,"durationMs":null}`,
		`{"type":"tool_start","toolCallId":"c","agentContext":null,"toolContext":null,"parameters":null,"args":{"a":1}}`,
		`{"type":"agent_media","media":null}`,
		`{"type":"execution_complete","finalOutput":null,"error":null,"totalTokens":null,"tokens":{"input":1}}`,
		// Wrong types: encoding/json keeps the rest of the frame.
		`{"type":"text_delta","id":5,"delta":"kept"}`,
		`{"type":"tool_complete","toolCallId":"c","success":"yes","result":1}`,
		`{"type":"turn_complete","id":"t","tokens":[1,2]}`,
		`{"type":"turn_complete","id":"t","tokens":{"input":"x","output":2}}`,
		`{"type":"tool_start","toolCallId":"c","agentContext":"ctx"}`,
		`{"type":"tool_start","toolCallId":"c","agentContext":{"seq":"1","executionId":"e"}}`,
		`{"type":"agent_media","media":"x"}`,
		`{"type":"agent_media","toolCallId":"m","media":[{"type":"media","data":"QUJD","mediaType":"image/png"},{"type":"image-url","url":"u"}]}`,
		`{"type":"error","error":5}`,
		`{"type":"error","error":{"code":429,"message":"m","details":[1]}}`,
		`{"type":"error","error":{"code":null,"message":null}}`,
		`{"type":"error","error":true}`,
		// Duplicate keys: the last wins, objects merge.
		`{"type":"text_delta","delta":"a","delta":"b"}`,
		`{"type":"text_delta","delta":"a","delta":null}`,
		`{"type":"turn_complete","tokens":{"input":1},"tokens":{"output":2}}`,
		`{"type":"turn_complete","tokens":{"input":1,"input":2}}`,
		`{"type":"ping","seq":1,"seq":2}`,
		`{"type":"tool_start","agentContext":{"seq":1},"agentContext":{"executionId":"e"}}`,
		`{"type":"tool_start","agentContext":{"seq":1,"seq":null}}`,
		`{"type":"ping","type":"text_delta","delta":"x"}`,
		`{"type":"ping","index":1,"index":2}`,
		// Keys encoding/json matches case-insensitively, or after escapes.
		`{"type":"text_delta","Delta":"x"}`,
		`{"TYPE":"ping","Seq":5}`,
		`{"type":"ping","executionid":"e","EXECUTIONID":"f"}`,
		`{"type":"turn_complete","tOkens":{"INPUT":3,"Output":4}}`,
		`{"type":"tool_start","agentContext":{"ExecutionId":"e","SEQ":2}}`,
		"{\"type\":\"execution_start\",\"\xe2\x84\xaaind\":\"agent\"}", // Kelvin sign K
		"{\"type\":\"ping\",\"\xc5\xbfeq\":4}",                         // long s
		`{"ty\u0070e":"ping","\u0073eq":4}`,
		`{"type":"ping","":"empty key","a\"b":1}`,
		`{"type":"ping","averyveryveryveryveryverylongunknownkey":1}`,
		// Whitespace everywhere JSON allows it.
		" \t\r\n{ \"type\" : \"ping\" , \"seq\" :\n1 , \"timestamp\"\t:\"T\" }\r\n ",
		`{"type":"turn_complete","tokens":{ "input" : 1 , "output" : 2 } ,"id":"t"}`,
		`{"type":"tool_start","agentContext":{ "seq" : 3 , "executionId" : "e" }}`,
		`{ }`,
		`{}`,
		`{"type":""}`,
		`{"type":"ping"}` + "\u00a0",
		"\u00a0" + `{"type":"ping"}`,
		// Invalid JSON: Malformed, with encoding/json's error.
		`{"type":"ping",}`,
		`{"type":"ping" "seq":1}`,
		`{"type":"ping","seq":}`,
		`{"type":"ping","seq"`,
		`{"type":"ping","delta":"unterminated}`,
		"{\"type\":\"text_delta\",\"delta\":\"raw\nnewline\"}",
		"{\"type\":\"text_delta\",\"delta\":\"raw\x01control\"}",
		`{"type":"text_delta","delta":"bad \x escape"}`,
		`{"type":"text_delta","delta":"bad \u12G4 escape"}`,
		`{"type":"text_delta","delta":"short \u12"}`,
		`{"type":"text_delta","delta":"ends with backslash \`,
		`{"type":"ping","seq":01}`,
		`{"type":"ping","seq":1.}`,
		`{"type":"ping","seq":-}`,
		`{"type":"ping","seq":.5}`,
		`{"type":"ping","seq":+1}`,
		`{"type":"ping","seq":1e}`,
		`{"type":"ping","seq":1e+}`,
		`{"type":"ping","success":tru}`,
		`{"type":"ping","success":nul}`,
		`{"type":"ping","success":truex}`,
		`{"type":"ping","x":[1,2}`,
		`{"type":"ping","x":{"a":1]}`,
		`{"type":"ping","x":{"a" 1}}`,
		`{"type":"ping","x":{1:2}}`,
		`{"type":"ping","x":[1,]}`,
		`{"type":"ping"} x`,
		`{"type":"ping"}{}`,
		`{"type":"ping"`,
		`{"type":'ping'}`,
		`{type:"ping"}`,
		`{"type":"ping","x":NaN}`,
		`{"type":"ping","x":Infinity}`,
		`{"type":"ping","x":0x10}`,
		`{"type":"ping","tokens":{"input":1,}}`,
		`{"type":"ping","agentContext":{"seq":1 "executionId":"e"}}`,
		// Deep nesting: the scanner hands very deep values to encoding/json.
		`{"type":"tool_complete","result":` + strings.Repeat("[", 300) + strings.Repeat("]", 300) + `}`,
		`{"type":"tool_complete","result":` + strings.Repeat(`{"a":`, 300) + "1" + strings.Repeat("}", 300) + `}`,
		`{"type":"tool_complete","result":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`,
		`{"type":"tool_complete","result":` + strings.Repeat("[", 300) + strings.Repeat("]", 299) + `}`,
		`{"type":"tool_complete","result":` + strings.Repeat(`{"a":`, 10001) + "1" + strings.Repeat("}", 10001) + `}`,
		// Many members, more than the scanner remembers.
		`{"type":"step_start","a1":1,"a2":2,"a3":3,"a4":4,"a5":5,"a6":6,"a7":7,"a8":8,"a9":9,"a10":10,"a11":11,"a12":12,"a13":13,"a14":14,"a15":15,"a16":16,"a17":17,"id":"s","name":"N"}`,
		`{"type":"tool_start","toolContext":{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"toolId":"t"}}`,
	}
	var frames []Frame
	for _, d := range data {
		frames = append(frames, Frame{Data: d})
	}
	// The event line overrides the JSON type, "message" does not.
	frames = append(frames,
		Frame{Event: "text_delta", Data: `{"type":"step_chunk","id":"s","text":"t","delta":"d"}`},
		Frame{Event: "message", Data: `{"type":"step_chunk","id":"s","text":"t"}`},
		Frame{Event: "await", Data: `{"toolCallId":"c","parameters":{"a":1}}`},
	)
	return frames
}

func TestScannerMatchesEncodingJSONOnTrickyFrames(t *testing.T) {
	checkFrames(t, trickyFrames())
}

// TestScannerMatchesEncodingJSONAtEveryOffset puts each character that ends
// or interrupts a string at every offset of strings of up to 24 bytes, in
// keys and values: the scanner reads strings eight bytes at a time.
func TestScannerMatchesEncodingJSONAtEveryOffset(t *testing.T) {
	specials := []string{`\"`, `\\`, `\n`, `\u00e9`, `\ud83d\ude00`, "é", "😀", "\x7f", "\xff", "\x1f", "\n", `"`, `\`}
	var frames []Frame
	for n := 0; n <= 24; n++ {
		for at := 0; at <= n; at++ {
			for _, sp := range specials {
				v := strings.Repeat("a", at) + sp + strings.Repeat("b", n-at)
				frames = append(frames,
					Frame{Data: `{"type":"text_delta","id":"t","delta":"` + v + `"}`},
					Frame{Data: `{"type":"tool_complete","toolCallId":"c","result":{"` + v + `":["` + v + `"]}}`},
					Frame{Data: `{"type":"ping","` + v + `":1}`},
				)
			}
		}
	}
	p := newDecoderPair()
	for _, f := range frames {
		p.check(t, f)
	}
	p.final(t)
}

// wireSamples are values of each Go type of a wire field, valid and not.
var wireSamples = map[reflect.Type][]string{
	reflect.TypeFor[string]():          {`"v"`, `"v\n2"`, `""`, `null`, `5`, `{}`},
	reflect.TypeFor[json.RawMessage](): {`{"a":[1,"x"]}`, `"s"`, `[1]`, `3.5`, `true`, `null`},
	reflect.TypeFor[int]():             {`3`, `-3`, `0`, `3.5`, `null`, `"3"`},
	reflect.TypeFor[*int64]():          {`4`, `-4`, `null`, `1e3`, `"4"`},
	reflect.TypeFor[float64]():         {`1.5`, `-2e3`, `7`, `null`, `"x"`},
	reflect.TypeFor[*bool]():           {`true`, `false`, `null`, `1`},
	reflect.TypeFor[*Tokens]():         {`{"input":1,"output":2}`, `{}`, `{"input":1,"extra":[{}]}`, `null`, `5`},
	reflect.TypeFor[*wireContext]():    {`{"executionId":"e","toolId":"t","stepId":"s","seq":4}`, `{"seq":null}`, `{}`, `null`, `[]`},
	reflect.TypeFor[[]wireMedia]():     {`[{"type":"media","data":"QQ==","mediaType":"image/png"}]`, `[]`, `null`},
}

// TestScannerMatchesEncodingJSONOnEveryField sets each wire field alone, in
// frames of many types, one frame after another: it covers every field the
// scanner decodes, clears and lifts, whatever the mapping makes of it.
func TestScannerMatchesEncodingJSONOnEveryField(t *testing.T) {
	types := []string{TypeTextDelta, TypeToolComplete, TypeExecutionComplete, TypeStepStart, TypeTextStart,
		"step_chunk", "agent_turn_delta", "agent_complete", "agent_media", "agent_skill_loaded",
		"agent_error", "tool_delta", "reason_complete", "flow_error", "brand_new"}
	wt := reflect.TypeFor[wire]()
	var frames []Frame
	for i := range wt.NumField() {
		f := wt.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		samples, ok := wireSamples[f.Type]
		if !ok {
			t.Fatalf("no samples for wire field %s of type %v", f.Name, f.Type)
		}
		for _, typ := range types {
			for _, v := range samples {
				frames = append(frames, Frame{Data: `{"type":"` + typ + `","` + name + `":` + v + `}`})
			}
		}
		// And everything at once, then nothing: what one frame set must
		// not leak into the next.
	}
	var all strings.Builder
	all.WriteString(`{"type":"tool_complete"`)
	for i := range wt.NumField() {
		f := wt.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "type" {
			continue
		}
		all.WriteString(`,"` + name + `":` + wireSamples[f.Type][0])
	}
	all.WriteString("}")
	frames = append(frames, Frame{Data: all.String()}, Frame{Data: `{"type":"ping"}`},
		Frame{Data: strings.Replace(all.String(), `"media":`, `"mediaX":`, 1)}, Frame{Data: `{"type":"text_delta","delta":"d"}`})
	checkFrames(t, frames)
}

// TestScannerKnowsEveryWireField keeps scan.go in step with wire: a field
// the scanner does not know still decodes right (the frame goes to
// encoding/json), but every frame carrying it is slow.
func TestScannerKnowsEveryWireField(t *testing.T) {
	wt := reflect.TypeFor[wire]()
	for i := range wt.NumField() {
		name, _, _ := strings.Cut(wt.Field(i).Tag.Get("json"), ",")
		n := keyN(name)
		switch {
		case name == "media":
			if n >= 0 {
				t.Errorf("media is scanned: it is meant for encoding/json")
			}
		case n < 0:
			t.Errorf("wire field %q is not in scan.go's keyN", name)
		case keyToks[n] != `"`+name+`":`:
			t.Errorf("keyToks[%d] = %s, want %q", n, keyToks[n], `"`+name+`":`)
		}
	}
	if len(keyToks) > 64 {
		t.Errorf("%d scanned fields: the masks hold 64", len(keyToks))
	}
}

// TestDecodeDataSharesFrame checks the decoded events' raw fields are the
// frame's bytes without a copy, and capped so an append cannot write into
// them.
func TestDecodeDataSharesFrame(t *testing.T) {
	f := Frame{Data: `{"type":"tool_complete","toolCallId":"c","parameters":{"a":1},"result":[1,2],"x":0}`}
	ev := NewDecoder().Decode(nil, f)[0]
	if string(ev.Data) != f.Data || unsafe.SliceData(ev.Data) != unsafe.StringData(f.Data) {
		t.Errorf("Data is not the frame's bytes")
	}
	if string(ev.Parameters) != `{"a":1}` || string(ev.Result) != `[1,2]` {
		t.Fatalf("Parameters %s, Result %s", ev.Parameters, ev.Result)
	}
	for _, raw := range []json.RawMessage{ev.Data, ev.Parameters, ev.Result} {
		if cap(raw) != len(raw) {
			t.Errorf("raw field %s has room to append into the frame (cap %d)", raw, cap(raw))
		}
	}
}

// garbageEvent is an Event with every field set, standing for the earlier
// event a caller's reused buffer still holds.
func garbageEvent(t *testing.T) Event {
	var ev Event
	v := reflect.ValueOf(&ev).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString("stale")
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Int, reflect.Int64:
			f.SetInt(42)
		case reflect.Uint8:
			f.SetUint(2)
		case reflect.Float64:
			f.SetFloat(4.2)
		case reflect.Slice:
			f.SetBytes([]byte(`"stale"`))
		case reflect.Pointer:
			f.Set(reflect.New(f.Type().Elem()))
		case reflect.Struct:
			f.Set(reflect.ValueOf(Frame{Event: "stale", ID: "stale", Data: "stale", At: time.Now()}))
		case reflect.Interface:
			f.Set(reflect.ValueOf(errors.New("stale")))
		default:
			t.Fatalf("garbageEvent: field %s of kind %v", v.Type().Field(i).Name, f.Kind())
		}
	}
	if reflect.ValueOf(ev).IsZero() {
		t.Fatal("garbageEvent is zero")
	}
	return ev
}

// TestDecodeIntoReusedBuffer checks Decode overwrites every field of a
// reused slot: it writes only what is not zero already, so a field it
// forgets (an Event field added later) would keep the earlier event's value.
func TestDecodeIntoReusedBuffer(t *testing.T) {
	frames := trickyFrames()
	for _, tc := range append(legacyMapCases(), unifiedMapCases()...) {
		frames = append(frames, tc.frame())
	}
	frames = append(frames, framesOf(t, string(readFixture(t)))...)
	// A slot with every field set, then slots with one field set each.
	garbage := garbageEvent(t)
	slots := []Event{garbage}
	gv := reflect.ValueOf(garbage)
	for i := range gv.NumField() {
		var one Event
		reflect.ValueOf(&one).Elem().Field(i).Set(gv.Field(i))
		slots = append(slots, one)
	}
	fresh, reused := NewDecoder(), NewDecoder()
	buf := make([]Event, 8)
	for _, f := range frames {
		for k, slot := range slots {
			for i := range buf {
				buf[i] = slot
			}
			var got, want []Event
			if k == 0 {
				got, want = reused.Decode(buf[:0], f), fresh.Decode(nil, f)
			} else {
				// From a new decoder each time: the slot is the only
				// difference.
				got, want = NewDecoder().Decode(buf[:0], f), NewDecoder().Decode(nil, f)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("frame %.200q: decoded into a reused slot (%d):\n%s%v\nfresh:\n%s%v", f.Data, k,
					dumpViews(projectAll(got)), errsOf(got), dumpViews(projectAll(want)), errsOf(want))
			}
		}
	}
}

// TestScannerMatchesEncodingJSONOnDeltaRuns: in a run of deltas the decoder
// makes each event from the last one (Decoder.proto); whatever breaks the
// run (another type on the event line, a new stream, a value that changes
// where it repeated, a null, a nested context, a reused buffer) must decode
// as encoding/json does.
func TestScannerMatchesEncodingJSONOnDeltaRuns(t *testing.T) {
	type step struct {
		event, data string
		stream      bool
	}
	u := func(seq int, rest string) step {
		return step{data: `{"type":"text_delta","executionId":"e","seq":` + strconv.Itoa(seq) + `,"id":"text_1"` + rest + `}`}
	}
	turn := func(turnID, ct, delta string) step {
		return step{event: "agent_turn_delta", data: `{"type":"agent_turn_delta","turnId":"` + turnID + `","iteration":1,"contentType":"` + ct + `","delta":"` + delta + `"}`}
	}
	chunk := func(id, text, rest string) step {
		return step{data: `{"type":"step_chunk","id":"` + id + `","name":"P","executionType":"prompt","index":2,"text":"` + text + `"` + rest + `}`}
	}
	runs := map[string][]step{
		"unified": {u(1, `,"delta":"a"`), u(2, `,"delta":"b\n\"c\""`), u(3, `,"delta":"\xff\u00e9"`), u(4, `,"delta":""`),
			{event: "reasoning_delta", data: `{"type":"text_delta","executionId":"e","seq":5,"id":"text_1","delta":"r"}`},
			{event: "message", data: `{"type":"text_delta","executionId":"e","seq":6,"id":"text_1","delta":"m"}`},
			u(7, `,"delta":"x"`), {data: `{"type":"text_delta","executionId":"e","seq":null,"id":"text_1","delta":"n"}`},
			u(9, `,"delta":"y"`), {data: `{"type":"text_delta","executionId":"e","seq":10,"id":"text_2","delta":"z"}`},
			{data: `{"type":"text_delta","executionId":"e","seq":11,"id":"text\u005f2","delta":"z"}`},
			u(12, `,"delta":"t","text":"whole"`), u(13, `,"delta":"t2","text":"whole2"`),
			u(14, `,"delta":"w","iteration":3`), u(15, `,"delta":"w2","iteration":4`),
			{data: `{"type":"text_delta","executionId":"e","seq":16,"id":"text_1","delta":"s","sequenceIndex":4}`},
			{data: `{"type":"text_delta","executionId":"e","seq":17,"id":"text_1","delta":"s","sequenceIndex":5}`},
			{data: "[DONE]"}, u(18, `,"delta":"after done"`), u(19, `,"delta":"again"`),
			{stream: true, data: `{"type":"text_delta","executionId":"e","seq":20,"id":"text_1","delta":"new stream"}`},
			u(21, `,"delta":"on"`)},
		"legacy turn": {turn("t1", "thinking", "a"), turn("t1", "thinking", "b"), turn("t1", "text", "c"), turn("t1", "text", "d"),
			turn("t1", "text", "e"), turn("t2", "text", "f"), turn("t2", "text", "g"),
			{stream: true, event: "agent_turn_delta", data: `{"type":"agent_turn_delta","turnId":"t2","iteration":1,"contentType":"text","delta":"h"}`},
			turn("t2", "text", "i"), turn("t2", "tool_input", "j"), turn("t2", "tool_input", "k"), turn("t2", "odd", "l"), turn("t2", "odd", "m"),
			{event: "agent_turn_delta", data: `{"type":"agent_turn_delta","turnId":"t2","iteration":1,"contentType":"text","text":"n"}`},
			{event: "agent_turn_delta", data: `{"type":"agent_turn_delta","turnId":"t2","iteration":1,"contentType":"text","text":"o"}`},
			{event: "agent_tool_start", data: `{"type":"agent_turn_delta","turnId":"t2","iteration":1,"contentType":"text","text":"p"}`}},
		"legacy step": {chunk("s1", "a", ""), chunk("s1", "b", ""), chunk("s1", "c", `,"partId":"p1"`), chunk("s1", "d", `,"partId":"p1"`),
			chunk("s1", "e", `,"partId":"p2"`), chunk("s1", "f", `,"partId":"p2"`),
			chunk("s1", "g", `,"toolContext":{"toolId":"tc1"}`), chunk("s1", "h", `,"toolContext":{"toolId":"tc1"}`),
			chunk("s1", "i", `,"toolContext":{"toolId":"tc2"}`), chunk("s2", "j", ""), chunk("s2", "k", ""),
			{data: `{"type":"step_chunk","id":"s2","name":"P","executionType":"prompt","index":2,"delta":"l"}`},
			{data: `{"type":"step_chunk","id":"s2","name":"P","executionType":"prompt","index":2,"delta":"m"}`},
			{data: `{"type":"step_start","id":"s3","name":"P","executionType":"prompt","index":2,"text":"n"}`},
			chunk("s3", "o", ""), chunk("s3", "p", ""), {data: `{"type":"chunk","text":"q"}`}, {data: `{"type":"chunk","text":"r"}`}},
	}
	for name, steps := range runs {
		t.Run(name, func(t *testing.T) {
			p := newDecoderPair()
			var buf []Event // a reused buffer, as the stream's consumers keep
			for _, st := range steps {
				if st.stream {
					p.newStream()
				}
				f := Frame{Event: st.event, Data: st.data}
				p.check(t, f)
				// The same frame again is another delta of the run, into
				// a buffer that holds the last events.
				buf = p.fast.Decode(buf[:0], f)
				if want := p.slow.Decode(nil, f); !reflect.DeepEqual(buf, want) && len(buf)+len(want) > 0 {
					t.Errorf("frame %q decoded again into a reused buffer:\n%+v\nencoding/json:\n%+v", st.data, buf, want)
				}
			}
			p.final(t)
		})
	}
}
