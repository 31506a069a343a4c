package model

import (
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"testing"

	"rtinspect/api"
)

func TestParseAnswers(t *testing.T) {
	cases := []struct {
		name    string
		data    string
		want    Answers
		wantErr string
		wantPos [2]int // line, column of a *ParseError
	}{
		{
			name: "all three keys",
			data: `{
  "toolOutputs": {"call_Q1": {"ok": true}, "add_to_cart": [1, 2]},
  "approvals": {"appr_1": "approved", "send_email": "denied"},
  "messages": [{"role": "user", "content": "go"}]
}`,
			want: Answers{
				ToolOutputs: map[string]json.RawMessage{"call_Q1": json.RawMessage(`{"ok":true}`), "add_to_cart": json.RawMessage(`[1,2]`)},
				Approvals:   map[string]string{"appr_1": "approved", "send_email": "denied"},
				Messages:    json.RawMessage(`[{"role":"user","content":"go"}]`),
			},
		},
		{name: "empty object", data: `{}`, want: Answers{}},
		{name: "nulls are absent", data: `{"toolOutputs": null, "messages": null}`, want: Answers{}},
		{
			name: "syntax error", data: "{\n  \"toolOutputs\": {\"a\": 1,}\n}",
			wantErr: "answers: line 2, column 26: invalid character '}' looking for beginning of object key string",
			wantPos: [2]int{2, 26},
		},
		{
			name: "not an object", data: " [1]",
			wantErr: "answers: line 1, column 2: the answers file must be a JSON object", wantPos: [2]int{1, 2},
		},
		{
			name: "unknown key", data: "{\n  \"toolOutput\": {}\n}",
			wantErr: `answers: line 2, column 3: unknown key "toolOutput" (want toolOutputs, approvals or messages)`,
			wantPos: [2]int{2, 3},
		},
		{
			name: "bad decision", data: "{\"approvals\": {\n  \"appr_1\": \"yes\"}}",
			wantErr: `answers: line 2, column 13: approvals["appr_1"] must be "approved" or "denied", not "yes"`,
			wantPos: [2]int{2, 13},
		},
		{
			name: "decision not a string", data: `{"approvals": {"a": true}}`,
			wantErr: `answers: line 1, column 21: approvals["a"] must be "approved" or "denied", not true`,
			wantPos: [2]int{1, 21},
		},
		{
			name: "toolOutputs not an object", data: `{"toolOutputs": [1]}`,
			wantErr: `answers: line 1, column 17: "toolOutputs" must be an object keyed by toolCallId or tool name`,
			wantPos: [2]int{1, 17},
		},
		{
			name: "messages not an array", data: `{"messages": {"role": "user"}}`,
			wantErr: `answers: line 1, column 14: "messages" must be a JSON array`,
			wantPos: [2]int{1, 14},
		},
		{
			name: "empty file", data: ``,
			wantErr: `answers: line 1, column 1: unexpected end of JSON input`, wantPos: [2]int{1, 1},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseAnswers([]byte(tc.data))
			if gotErr := errString(err); gotErr != tc.wantErr {
				t.Fatalf("ParseAnswers error = %q, want %q", gotErr, tc.wantErr)
			}
			if err != nil {
				var pe *ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("error %v is not a *ParseError", err)
				}
				if gotPos := [2]int{pe.Line, pe.Column}; gotPos != tc.wantPos {
					t.Errorf("position = %v, want %v", gotPos, tc.wantPos)
				}
				return
			}
			if !maps.EqualFunc(got.ToolOutputs, tc.want.ToolOutputs, func(a, b json.RawMessage) bool { return string(a) == string(b) }) {
				t.Errorf("ToolOutputs = %s, want %s", got.ToolOutputs, tc.want.ToolOutputs)
			}
			if !maps.Equal(got.Approvals, tc.want.Approvals) {
				t.Errorf("Approvals = %v, want %v", got.Approvals, tc.want.Approvals)
			}
			if string(got.Messages) != string(tc.want.Messages) {
				t.Errorf("Messages = %s, want %s", got.Messages, tc.want.Messages)
			}
		})
	}
}

func TestApplyAnswers(t *testing.T) {
	type want struct {
		calls     int
		values    map[string]string // call id -> draft value ("" for none)
		approvals []string          // "approvalId decision"
		messages  string
	}
	cases := []struct {
		name    string
		answers string
		before  func(s *Session)
		want    want
	}{
		{
			name:    "by toolCallId",
			answers: `{"toolOutputs": {"call_Q1": {"ok": true}}}`,
			want:    want{calls: 1, values: map[string]string{"call_Q1": `{"ok":true}`, "call_Q2": ""}},
		},
		{
			name:    "by tool name answers every call of that tool",
			answers: `{"toolOutputs": {"add_to_cart": {"ok": 1}}}`,
			want:    want{calls: 2, values: map[string]string{"call_Q1": `{"ok":1}`, "call_Q2": `{"ok":1}`}},
		},
		{
			name:    "toolCallId beats tool name",
			answers: `{"toolOutputs": {"add_to_cart": "name", "call_Q2": "id"}}`,
			want:    want{calls: 2, values: map[string]string{"call_Q1": `"name"`, "call_Q2": `"id"`}},
		},
		{
			name:    "existing drafts are not overwritten",
			answers: `{"toolOutputs": {"add_to_cart": "file"}}`,
			before: func(s *Session) {
				_ = s.SetDraft("call_Q1", `"mine"`)
				_ = s.SetDraft("call_Q2", `{"half":`)
			},
			want: want{calls: 0, values: map[string]string{"call_Q1": `"mine"`, "call_Q2": ""}},
		},
		{
			name:    "error answers are not overwritten",
			answers: `{"toolOutputs": {"call_Q1": "file", "call_Q2": "file"}}`,
			before:  func(s *Session) { _ = s.SetErrorAnswer("call_Q1", "no") },
			want: want{calls: 1, values: map[string]string{
				"call_Q1": `{"content":[{"type":"text","text":"no"}],"isError":true}`, "call_Q2": `"file"`,
			}},
		},
		{
			name:    "messages are copied",
			answers: `{"messages": [{"role": "user", "content": "hi"}]}`,
			want:    want{values: map[string]string{"call_Q1": "", "call_Q2": ""}, messages: `[{"role":"user","content":"hi"}]`},
		},
		{
			name:    "unrelated keys answer nothing",
			answers: `{"toolOutputs": {"other_tool": 1}, "approvals": {"appr_x": "approved"}}`,
			want:    want{values: map[string]string{"call_Q1": "", "call_Q2": ""}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestSession()
			dispatch(t, s, parallelPause())
			if tc.before != nil {
				tc.before(s)
			}
			a, err := ParseAnswers([]byte(tc.answers))
			if err != nil {
				t.Fatal(err)
			}
			calls, approvals := s.ApplyAnswers(a)
			if calls != tc.want.calls {
				t.Errorf("calls = %d, want %d", calls, tc.want.calls)
			}
			if len(approvals) != 0 {
				t.Errorf("approvals = %v, want none", approvals)
			}
			for id, wantV := range tc.want.values {
				if got := string(s.Call(id).Draft.Value); got != wantV {
					t.Errorf("%s draft value = %s, want %s", id, got, wantV)
				}
			}
			if got := string(s.Messages().Value); got != tc.want.messages {
				t.Errorf("messages = %s, want %s", got, tc.want.messages)
			}
		})
	}
}

func TestApplyAnswersApprovals(t *testing.T) {
	cases := []struct {
		name    string
		answers string
		want    []ApprovalDecision
	}{
		{
			name:    "by approvalId",
			answers: `{"approvals": {"appr_xyz789": "denied", "send_email": "approved"}}`,
			want:    []ApprovalDecision{{ApprovalID: "appr_xyz789", ExecutionID: "exec_abc123def456", Decision: "denied"}},
		},
		{
			name:    "by tool name",
			answers: `{"approvals": {"send_email": "approved"}}`,
			want:    []ApprovalDecision{{ApprovalID: "appr_xyz789", ExecutionID: "exec_abc123def456", Decision: "approved"}},
		},
		{
			name:    "not covered",
			answers: `{"approvals": {"delete_all": "approved"}}`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestSession()
			dispatch(t, s, approvalPause())
			a, err := ParseAnswers([]byte(tc.answers))
			if err != nil {
				t.Fatal(err)
			}
			calls, got := s.ApplyAnswers(a)
			if calls != 0 {
				t.Errorf("calls = %d, want 0", calls)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("approvals = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestApplyAnswersWebMCPName(t *testing.T) {
	cases := []struct {
		name     string
		toolName string
		key      string
	}{
		{"file uses bare name, flow sends prefixed", "webmcp:get_page", "get_page"},
		{"file uses prefixed name, agent sends bare", "get_page", "webmcp:get_page"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestSession()
			dispatch(t, s, []api.Event{await("x", "c1", tc.toolName, `{}`)})
			calls, _ := s.ApplyAnswers(Answers{ToolOutputs: map[string]json.RawMessage{tc.key: json.RawMessage(`"page"`)}})
			if calls != 1 {
				t.Errorf("calls = %d, want 1", calls)
			}
		})
	}
}
