package rules

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"rtinspect/api"
	"rtinspect/api/record"
	"rtinspect/model"
)

var (
	shoe1 = callSpec{"call_Q1", "add_to_cart", `{"sku":"SHOE-001","qty":1}`}
	shoe7 = callSpec{"call_Q2", "add_to_cart", `{"sku":"SHOE-007","qty":1}`}
)

func TestInlineAnswer(t *testing.T) {
	set := mustParse(t, "rules.json", rulesJSON(
		`{"name": "cart", "tool": "add_to_cart", "args": {"sku": "SHOE-001"}, "answer": {"ok": true, "cartTotal": 149}}`))
	s := paused(t, shoe1, shoe7)
	sameOutcomes(t, apply(set, s), []outcome{{Call: "call_Q1", Rule: "cart", Output: `{"ok":true,"cartTotal":149}`}})
	c := s.Call("call_Q1")
	if want := "{\n  \"ok\": true,\n  \"cartTotal\": 149\n}\n"; c.Draft.Text != want {
		t.Errorf("draft text = %q, want %q (indented, as the editor shows it)", c.Draft.Text, want)
	}
	if got, want := draftsOf(s), map[string]string{"call_Q1": `{"ok":true,"cartTotal":149} by cart`, "call_Q2": ""}; !reflect.DeepEqual(got, want) {
		t.Errorf("drafts = %v, want %v", got, want)
	}
}

// "file" is relative to the rules file's folder and read at each use.
func TestFileAnswer(t *testing.T) {
	dir := t.TempDir()
	rulesPath := writeFile(t, dir, "conf/rules.json", "")
	answer := writeFile(t, dir, "conf/answers/status.json", `{"status": "shipped"}`)
	set := mustParse(t, rulesPath, rulesJSON(
		`{"name": "status", "tool": "get_order_status", "file": "answers/status.json"}`,
		`{"name": "missing", "tool": "get_missing", "file": "answers/none.json"}`,
		`{"name": "broken", "tool": "get_broken", "file": "answers/broken.json"}`))
	writeFile(t, dir, "conf/answers/broken.json", "{\n  \"status\": shipped\n}")

	s := paused(t, callSpec{"call_1", "get_order_status", `{"id":1}`},
		callSpec{"call_2", "get_missing", `{}`}, callSpec{"call_3", "get_broken", `{}`})
	sameOutcomes(t, apply(set, s), []outcome{
		{Call: "call_1", Rule: "status", Output: `{"status":"shipped"}`},
		{Call: "call_2", Rule: "missing", Err: filepath.Join(dir, "conf/answers/none.json") + ": no such file"},
		{Call: "call_3", Rule: "broken", Err: "broken.json is not JSON: line 2: invalid character 's'"},
	})

	// An edit between two pauses is picked up.
	if err := os.WriteFile(answer, []byte(`{"status": "delivered"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	pauseAgain(t, s, callSpec{"call_4", "get_order_status", `{"id":2}`})
	sameOutcomes(t, apply(set, s), []outcome{{Call: "call_4", Rule: "status", Output: `{"status":"delivered"}`}})
}

// writeRecording records a run that paused twice: first on two add_to_cart
// calls (answered 149 then 288) and a search (answered with one hit), then
// on a third add_to_cart (answered 400).
func writeRecording(t *testing.T, path string) {
	t.Helper()
	w, err := record.Create(path, record.Header{Command: "dispatch"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	const ex = "virtual_old"
	frame := func(stream int, callID, tool, args string) {
		w.Frame(stream, api.Frame{Event: "await", Data: `{"type":"await","executionId":"` + ex +
			`","awaitReason":"local_tool_required","toolCallId":"` + callID + `","toolName":"` + tool + `","parameters":` + args + `}`})
	}
	resume := func(outputs string) int {
		n := w.Request(api.Request{Method: "POST", Path: api.PathResume, ExecutionID: ex,
			Body: []byte(`{"executionId":"` + ex + `","toolOutputs":` + outputs + `}`)})
		w.Response(n, 200, "text/event-stream", nil)
		return n
	}
	n := w.Request(api.Request{Method: "POST", Path: api.PathDispatch, Body: []byte(`{"agent":{"agentId":"a"}}`)})
	w.Response(n, 200, "text/event-stream", nil)
	frame(n, "call_A", "add_to_cart", `{"sku":"SHOE-001"}`)
	frame(n, "call_B", "webmcp:search_products", `{"q":"shoe"}`)
	frame(n, "call_C", "add_to_cart", `{"sku":"SHOE-007"}`)
	w.End(n, record.EndPaused, nil)
	n = resume(`{"call_A":{"cartTotal":149},"call_B":{"hits":1},"call_C":{"cartTotal":288}}`)
	frame(n, "call_D", "add_to_cart", `{"sku":"SHOE-009"}`)
	w.End(n, record.EndPaused, nil)
	n = resume(`{"call_D":{"cartTotal":400}}`)
	w.End(n, record.EndCompleted, nil)
	if err := w.Err(); err != nil {
		t.Fatal(err)
	}
}

// The Nth call to a tool gets the Nth recorded answer to it, counting every
// call to the tool, whichever rule (or nobody) answered it.
func TestRecordedAnswer(t *testing.T) {
	dir := t.TempDir()
	writeRecording(t, filepath.Join(dir, "sessions/golden.jsonl"))
	rulesPath := filepath.Join(dir, "rules.json")
	set := mustParse(t, rulesPath, rulesJSON(
		`{"name": "first", "tool": "add_to_cart", "args": {"sku": "SHOE-001"}, "answer": {"cartTotal": 1}}`,
		`{"name": "search", "tool": "search_*", "recorded": "sessions/golden.jsonl", "send": true}`,
		`{"name": "cart", "tool": "add_*", "recorded": "sessions/golden.jsonl"}`,
		`{"name": "lost", "tool": "lost_*", "recorded": "sessions/none.jsonl"}`))

	s := paused(t, shoe1, callSpec{"call_S", "search_products", `{"q":"shoe"}`}, shoe7,
		callSpec{"call_L", "lost_tool", `{}`})
	sameOutcomes(t, apply(set, s), []outcome{
		{Call: "call_Q1", Rule: "first", Output: `{"cartTotal":1}`},
		{Call: "call_S", Rule: "search", Output: `{"hits":1}`, Send: true},
		// The second call to add_to_cart: the second recorded answer, 288.
		{Call: "call_Q2", Rule: "cart", Output: `{"cartTotal":288}`},
		{Call: "call_L", Rule: "lost", Err: "none.jsonl: no such file"},
	})

	// The cursor goes on across pauses; then the recording runs out.
	pauseAgain(t, s, callSpec{"call_Q3", "add_to_cart", `{"sku":"SHOE-009"}`})
	sameOutcomes(t, apply(set, s), []outcome{{Call: "call_Q3", Rule: "cart", Output: `{"cartTotal":400}`}})
	pauseAgain(t, s, callSpec{"call_Q4", "add_to_cart", `{"sku":"SHOE-010"}`})
	sameOutcomes(t, apply(set, s), []outcome{{Call: "call_Q4", Rule: "cart", Err: "has no answer left for this call to add_to_cart"}})
}

// The command reads the call on stdin and runs in the rules file's folder.
func TestCommandAnswer(t *testing.T) {
	dir := t.TempDir()
	rulesPath := writeFile(t, dir, "conf/rules.json", "")
	writeFile(t, dir, "conf/fixed.json", `{"from": "file"}`)
	set := mustParse(t, rulesPath, rulesJSON(
		`{"name": "echo", "tool": "add_to_cart", "command": ["sh", "-c", "cat"], "send": true}`,
		`{"name": "string", "tool": "search", "command": "read -r line || true; printf '{\"got\":%s}' \"$line\""}`,
		`{"name": "dir", "tool": "fixed", "command": ["cat", "fixed.json"]}`))
	s := model.NewSession()
	s.Apply(awaitEv(vx, shoe1))
	s.Apply(awaitEv(vx, callSpec{"call_S", "webmcp:search", `{"q": "red shoes"}`}))
	s.Apply(awaitEv(vx, callSpec{"", "fixed", ""})) // no toolCallId, no arguments
	s.EndStream(nil)

	sameOutcomes(t, apply(set, s), []outcome{
		{Call: "call_Q1", Rule: "echo", Send: true,
			Output: `{"toolName":"add_to_cart","toolCallId":"call_Q1","executionId":"virtual_1","arguments":{"sku":"SHOE-001","qty":1}}`},
		{Call: "call_S", Rule: "string",
			Output: `{"got":{"toolName":"webmcp:search","toolCallId":"call_S","executionId":"virtual_1","arguments":{"q":"red shoes"}}}`},
		{Call: "fixed", Rule: "dir", Output: `{"from":"file"}`},
	})
	if got := s.Call("fixed").AutoRule(); got != "dir" {
		t.Errorf("AutoRule() of the call keyed by tool name = %q, want %q", got, "dir")
	}
}

func TestCommandFailures(t *testing.T) {
	cases := []struct {
		name    string
		command string // the rule's "command" and options
		cancel  bool   // cancel the context before Apply
		want    string // what the reason must contain
	}{
		{"non-zero exit with stderr", `"echo 'no such sku' >&2; echo '{}'; exit 3"`, false,
			"command exited with status 3; stderr: no such sku"},
		{"non-zero exit, silent", `"exit 1"`, false, "command exited with status 1"},
		{"non-JSON output", `"echo 'ok then'; echo 'warning: guessed' >&2"`, false,
			"command printed non-JSON on stdout (line 1: invalid character 'o' looking for beginning of value); stderr: warning: guessed"},
		{"two values", `"echo '{} {}'"`, false, "command printed non-JSON on stdout"},
		{"no output", `"true"`, false, "command printed nothing on stdout (want the output JSON)"},
		{"missing binary", `["rtinspect-no-such-binary", "x"]`, false,
			`command could not run: exec: "rtinspect-no-such-binary": executable file not found in $PATH`},
		// sleep is a child of sh: if only sh were killed, sleep would hold
		// stdout open until WaitDelay (2s) — the elapsed-time check below
		// catches that.
		{"timeout kills the process group", `"echo started >&2; sleep 10; echo '{}'", "timeout": "100ms"`, false,
			"command timed out after 100ms and was killed; stderr: started"},
		{"cancelled", `"sleep 10"`, true, "command cancelled (context canceled)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			set := mustParse(t, "rules.json", rulesJSON(`{"name": "cmd", "tool": "*", "send": true, "command": `+tc.command+`}`))
			s := paused(t, shoe1)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancel {
				cancel()
			}
			start := time.Now()
			res := set.Apply(ctx, s)
			if el := time.Since(start); el > 1500*time.Millisecond {
				t.Errorf("Apply took %v, want well under the WaitDelay of %v", el, waitDelay)
			}
			sameOutcomes(t, res, []outcome{{Call: "call_Q1", Rule: "cmd", Err: tc.want}})
			if c := s.Call("call_Q1"); c.Draft.State != model.DraftEmpty || c.AutoRule() != "" {
				t.Errorf("draft = %v %q marked %q, want the call left unanswered", c.Draft.State, c.Draft.Text, c.AutoRule())
			}
		})
	}
}

// A failed command is not run again at the same pause, and an answer the
// user cleared is not put back.
func TestRespondedCallsNotRedone(t *testing.T) {
	dir := t.TempDir()
	count := filepath.Join(dir, "runs")
	set := mustParse(t, filepath.Join(dir, "rules.json"), rulesJSON(
		`{"name": "fail", "tool": "fail", "command": "echo run >> runs; exit 1"}`,
		`{"name": "ok", "tool": "ok", "answer": {"ok": true}}`))
	s := paused(t, callSpec{"call_F", "fail", `{}`}, callSpec{"call_O", "ok", `{}`})
	if got := len(apply(set, s)); got != 2 {
		t.Fatalf("first Apply: got %d results, want 2", got)
	}
	s.ClearDraft("call_O")
	if res := apply(set, s); len(res) != 0 {
		t.Errorf("second Apply = %+v, want no result", outcomes(res))
	}
	if got := draftsOf(s)["call_O"]; got != "" {
		t.Errorf("cleared draft = %q, want it left empty", got)
	}
	runs, _ := os.ReadFile(count)
	if got := strings.Count(string(runs), "run"); got != 1 {
		t.Errorf("command ran %d times, want 1", got)
	}
}

func TestFireOnceAndSession(t *testing.T) {
	cases := []struct {
		name   string
		rules  []string
		first  []outcome // at the first pause (Q1, Q2)
		second []outcome // at the second pause (Q3)
	}{
		{
			name:  "session answers every call",
			rules: []string{`{"name": "s", "tool": "add_to_cart", "answer": 1}`},
			first: []outcome{{Call: "call_Q1", Rule: "s", Output: "1"}, {Call: "call_Q2", Rule: "s", Output: "1"}},
			second: []outcome{
				{Call: "call_Q3", Rule: "s", Output: "1"},
			},
		},
		{
			name:  "once answers the first call only",
			rules: []string{`{"name": "o", "tool": "add_to_cart", "answer": 1, "fire": "once"}`},
			first: []outcome{{Call: "call_Q1", Rule: "o", Output: "1"}},
		},
		{
			name: "once, then the next rule",
			rules: []string{
				`{"name": "o", "tool": "add_to_cart", "answer": 1, "fire": "once"}`,
				`{"name": "s", "tool": "add_*", "answer": 2}`,
			},
			first:  []outcome{{Call: "call_Q1", Rule: "o", Output: "1"}, {Call: "call_Q2", Rule: "s", Output: "2"}},
			second: []outcome{{Call: "call_Q3", Rule: "s", Output: "2"}},
		},
		{
			name:  "once is used up by the first call it matches",
			rules: []string{`{"name": "o", "tool": "add_to_cart", "args": {"sku": "SHOE-007"}, "answer": 7, "fire": "once"}`},
			first: []outcome{{Call: "call_Q2", Rule: "o", Output: "7"}},
		},
		{
			name:  "a failed once rule is used up too",
			rules: []string{`{"name": "o", "tool": "add_to_cart", "command": "exit 2", "fire": "once"}`},
			first: []outcome{{Call: "call_Q1", Rule: "o", Err: "status 2"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			set := mustParse(t, "rules.json", rulesJSON(tc.rules...))
			s := paused(t, shoe1, shoe7)
			sameOutcomes(t, apply(set, s), tc.first)
			pauseAgain(t, s, callSpec{"call_Q3", "add_to_cart", `{"sku":"SHOE-007"}`})
			sameOutcomes(t, apply(set, s), tc.second)
		})
	}
}

func TestFirstMatchingRuleWins(t *testing.T) {
	set := mustParse(t, "rules.json", rulesJSON(
		`{"name": "specific", "tool": "add_to_cart", "args": {"sku": "/-007$/"}, "answer": "specific", "send": true}`,
		`{"name": "glob", "tool": "add_*", "answer": "glob"}`,
		`{"name": "shadowed", "tool": "add_to_cart", "answer": "never"}`))
	s := paused(t, shoe1, shoe7)
	sameOutcomes(t, apply(set, s), []outcome{
		{Call: "call_Q1", Rule: "glob", Output: `"glob"`},
		{Call: "call_Q2", Rule: "specific", Output: `"specific"`, Send: true},
	})
}

// A call that has a draft (valid, invalid or an error answer) is the
// user's: no rule touches it, no "once" rule is spent on it.
func TestDraftedCallsLeftAlone(t *testing.T) {
	cases := []struct {
		name  string
		draft func(s *model.Session)
	}{
		{"valid draft", func(s *model.Session) { _ = s.SetDraft("call_Q1", `{"mine":1}`) }},
		{"invalid draft", func(s *model.Session) { _ = s.SetDraft("call_Q1", `{"mine":`) }},
		{"error answer", func(s *model.Session) { _ = s.SetErrorAnswer("call_Q1", "no") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			set := mustParse(t, "rules.json", rulesJSON(`{"name": "o", "tool": "add_to_cart", "answer": 1, "fire": "once"}`))
			s := paused(t, shoe1, shoe7)
			tc.draft(s)
			before := s.Call("call_Q1").Draft
			sameOutcomes(t, apply(set, s), []outcome{{Call: "call_Q2", Rule: "o", Output: "1"}})
			if got := s.Call("call_Q1").Draft; !reflect.DeepEqual(got, before) {
				t.Errorf("user's draft = %+v, want %+v", got, before)
			}
		})
	}
}

// The mark goes with the rule's answer: a user edit drops it.
func TestMarkClearedByUserEdit(t *testing.T) {
	set := mustParse(t, "rules.json", rulesJSON(`{"name": "cart", "tool": "add_to_cart", "answer": {"ok": true}}`))
	s := paused(t, shoe1, shoe7)
	apply(set, s)
	if got, want := draftsOf(s), map[string]string{"call_Q1": `{"ok":true} by cart`, "call_Q2": `{"ok":true} by cart`}; !reflect.DeepEqual(got, want) {
		t.Fatalf("drafts = %v, want %v", got, want)
	}
	_ = s.SetDraft("call_Q1", `{"ok": false}`)
	s.ClearDraft("call_Q2")
	if got, want := draftsOf(s), map[string]string{"call_Q1": `{"ok":false}`, "call_Q2": ""}; !reflect.DeepEqual(got, want) {
		t.Errorf("drafts after the user's edits = %v, want %v", got, want)
	}
}

// refuseChecker is a session checker whose schema refuses {"ok":false}.
type refuseChecker struct{}

func (refuseChecker) Parse(text string) ([]byte, error) { return []byte(text), nil }

func (refuseChecker) Check(_ string, std []byte) *model.ParseError {
	if strings.Contains(string(std), "false") {
		return &model.ParseError{Line: 2, Column: 9, Msg: "ok: must be true"}
	}
	return nil
}

// Fill when the session moved on between Respond and Fill, and when the
// session's checker refuses the answer.
func TestFill(t *testing.T) {
	set := mustParse(t, "rules.json", rulesJSON(
		`{"name": "good", "tool": "add_to_cart", "args": {"sku": "SHOE-001"}, "answer": {"ok": true}, "send": true}`,
		`{"name": "bad", "tool": "add_to_cart", "answer": {"ok": false}, "send": true}`,
		`{"name": "gone", "tool": "search", "answer": [], "send": true}`))
	s := paused(t, shoe1, shoe7, callSpec{"call_S", "search", `{}`})
	s.SetChecker(refuseChecker{})

	// Respond works on copies, as a command goroutine would.
	res := set.Respond(context.Background(), Snapshot(s))
	// Meanwhile a resume resolved every call, Q1 and Q2 await again, and
	// the user answered Q1.
	pauseAgain(t, s, shoe1, shoe7)
	_ = s.SetDraft("call_Q1", `{"mine": 2}`)
	got := Fill(s, res)
	sameOutcomes(t, got, []outcome{
		{Call: "call_Q1", Rule: "good", Output: `{"ok":true}`, Err: "answered meanwhile"},
		{Call: "call_Q2", Rule: "bad", Output: `{"ok":false}`, Err: "the answer is drafted but invalid: line 2, column 9: ok: must be true"},
		{Call: "call_S", Rule: "gone", Output: `[]`, Err: "no longer pending"},
	})
	if res[0].Err != nil || !res[0].Send {
		t.Errorf("Fill changed its input: %+v", res[0])
	}
	c := s.Call("call_Q2")
	if c.Draft.State != model.DraftInvalid || c.AutoRule() != "bad" {
		t.Errorf("refused answer: draft %v marked %q, want invalid marked %q", c.Draft.State, c.AutoRule(), "bad")
	}
	if got := string(s.Call("call_Q1").Draft.Value); got != `{"mine":2}` {
		t.Errorf("user's draft = %s, want it kept", got)
	}
}

// Respond can run in another goroutine while the session's owner goes on:
// it touches only the copies (run with -race).
func TestRespondOffGoroutine(t *testing.T) {
	set := mustParse(t, "rules.json", rulesJSON(`{"name": "c", "tool": "*", "command": "cat >/dev/null; echo 1"}`))
	s := paused(t, shoe1, shoe7)
	calls := Snapshot(s)
	done := make(chan []Result)
	go func() { done <- set.Respond(context.Background(), calls) }()
	_ = s.SetDraft("call_Q2", `2`) // the owner edits meanwhile
	res := Fill(s, <-done)
	if got, want := draftsOf(s), map[string]string{"call_Q1": "1 by c", "call_Q2": "2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("drafts = %v, want %v (results %+v)", got, want, outcomes(res))
	}
}

// Problem.String reads like a compiler position.
func TestProblemString(t *testing.T) {
	cases := []struct {
		p    Problem
		want string
	}{
		{Problem{File: "rules.json", Line: 7, Rule: "rule 2 (cart)", Msg: "bad"}, "rules.json:7: rule 2 (cart): bad"},
		{Problem{File: "conf/rules.json", Line: 1, Msg: "no rules"}, "conf/rules.json:1: no rules"},
	}
	for _, tc := range cases {
		if got := tc.p.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}

// The command's stdin is the documented object, and its stdout must be
// exactly one JSON value.
func TestCommandIO(t *testing.T) {
	in, err := json.Marshal(commandInput{ToolName: "t", Arguments: json.RawMessage("null")})
	if want := `{"toolName":"t","toolCallId":"","executionId":"","arguments":null}`; err != nil || string(in) != want {
		t.Errorf("input = %s, %v; want %s, nil", in, err, want)
	}
	cases := []struct {
		out, want, err string
	}{
		{" {\n \"a\": [1, 2]\n}\n", `{"a":[1,2]}`, ""},
		{"{}\n{}", "", "line 2: invalid character '{' after top-level value"},
		{"", "", "line 1: unexpected end of JSON input"},
	}
	for _, tc := range cases {
		got, err := compactJSON([]byte(tc.out))
		if string(got) != tc.want || (err == nil) != (tc.err == "") || (err != nil && err.Error() != tc.err) {
			t.Errorf("compactJSON(%q) = %s, %v; want %s, %q", tc.out, got, err, tc.want, tc.err)
		}
	}
}
