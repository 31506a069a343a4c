package model

import (
	"testing"

	"rtinspect/api"
)

// A rule's mark holds while the draft is the rule's text; any answer the
// user gives instead drops it.
func TestAutoRuleClearedByUser(t *testing.T) {
	const auto = "{\n  \"ok\": true\n}\n"
	cases := []struct {
		name string
		user func(s *Session) // what the user does after the rule answered
		want string
	}{
		{"no user action", func(*Session) {}, "cart"},
		// Even the same text: SetDraft is the user's answer now.
		{"set again unchanged", func(s *Session) { _ = s.SetDraft("call_Q1", auto) }, ""},
		{"edited", func(s *Session) { _ = s.SetDraft("call_Q1", `{"ok":false}`) }, ""},
		{"edited to invalid", func(s *Session) { _ = s.SetDraft("call_Q1", `{"ok":`) }, ""},
		{"cleared", func(s *Session) { s.ClearDraft("call_Q1") }, ""},
		{"error answer", func(s *Session) { _ = s.SetErrorAnswer("call_Q1", "out of stock") }, ""},
		{"cleared then the same text by hand", func(s *Session) {
			s.ClearDraft("call_Q1")
			_ = s.SetDraft("call_Q1", auto)
		}, ""},
		{"mark removed", func(s *Session) { s.MarkAuto("call_Q1", "") }, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestSession()
			if st := dispatch(t, s, parallelPause()); st != api.RunPaused {
				t.Fatalf("state = %s, want paused", st)
			}
			if err := s.SetDraft("call_Q1", auto); err != nil {
				t.Fatal(err)
			}
			s.MarkAuto("call_Q1", "cart")
			s.MarkAuto("call_nope", "cart") // unknown: ignored
			tc.user(s)
			if got := s.Call("call_Q1").AutoRule(); got != tc.want {
				t.Errorf("AutoRule() = %q, want %q", got, tc.want)
			}
			if got := s.Call("call_Q2").AutoRule(); got != "" {
				t.Errorf("other call AutoRule() = %q, want none", got)
			}
		})
	}
}

// A mark on an empty draft means nothing: there is no answer to attribute.
func TestAutoRuleNeedsADraft(t *testing.T) {
	s := newTestSession()
	dispatch(t, s, parallelPause())
	v := s.Version()
	s.MarkAuto("call_Q1", "cart")
	if got := s.Call("call_Q1").AutoRule(); got != "" {
		t.Errorf("AutoRule() of an empty draft = %q, want none", got)
	}
	if s.Version() == v {
		t.Errorf("Version() unchanged after MarkAuto, want a change")
	}
}
