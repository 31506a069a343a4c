package rules

import (
	"strings"
	"testing"

	"rtinspect/api"
	"rtinspect/model"
)

// pausedOnApproval is a session that waits for an approval of send_email.
func pausedOnApproval(t *testing.T, to string) *model.Session {
	t.Helper()
	s := model.NewSession()
	s.Apply(api.Event{Type: api.TypeApprovalStart, Source: api.TypeApprovalStart, Known: true, Seq: -1,
		ExecutionID: vx, ApprovalID: "appr_1", ToolCallID: "toolu_1", ToolName: "send_email",
		Parameters: []byte(`{"to":"` + to + `"}`)})
	if st := s.EndStream(nil); st != api.RunPaused {
		t.Fatalf("state = %s, want paused", st)
	}
	return s
}

func TestDecide(t *testing.T) {
	cases := []struct {
		name  string
		rules string
		to    string
		want  string // decision, "" for none
	}{
		{"approve by tool name", `{"tool":"send_email","decision":"approved"}`, "dana@example.com", "approved"},
		{"deny by argument regex", `{"tool":"send_*","args":{"to":"/@competitor\\.com$/"},"decision":"denied","reason":"no"}`, "x@competitor.com", "denied"},
		{"argument does not match", `{"tool":"send_*","args":{"to":"/@competitor\\.com$/"},"decision":"denied"}`, "dana@example.com", ""},
		{"answer rules never decide", `{"tool":"send_email","answer":{"ok":true}}`, "dana@example.com", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			set := mustParse(t, "rules.json", rulesJSON(tc.rules))
			s := pausedOnApproval(t, tc.to)
			got := set.Decide(s)
			if tc.want == "" {
				if len(got) != 0 {
					t.Errorf("decisions = %v, want none", got)
				}
				return
			}
			if len(got) != 1 || got[0].Decision != tc.want || got[0].ApprovalID != "appr_1" {
				t.Fatalf("decisions = %+v, want one %s for appr_1", got, tc.want)
			}
			if again := set.Decide(s); len(again) != 0 {
				t.Errorf("second Decide at the same pause = %v, want none (decided once)", again)
			}
		})
	}
}

func TestDecisionRuleProblems(t *testing.T) {
	cases := []struct{ rule, want string }{
		{`{"tool":"send_email","decision":"maybe"}`, `"decision" must be`},
		{`{"tool":"send_email","answer":{},"reason":"x"}`, `"reason" is only for a "decision" rule`},
		{`{"tool":"send_email","decision":"approved","answer":{}}`, "two responders"},
	}
	for _, tc := range cases {
		_, probs, err := Parse("rules.json", []byte(rulesJSON(tc.rule)))
		if err != nil {
			t.Fatal(err)
		}
		if len(probs) == 0 || !strings.Contains(probs[0].String(), tc.want) {
			t.Errorf("%s: problems = %v, want one saying %q", tc.rule, probs, tc.want)
		}
	}
}
