package model

// The auto-responder mark lives in the Draft itself (Draft.auto), not beside
// it: SetDraft, ClearDraft and SetErrorAnswer all replace the whole Draft,
// so any answer the user gives after a rule drops the rule's mark without
// those methods having to know about rules.

// MarkAuto records that the current draft of a pending call (by toolCallId,
// or tool name for an await without one) was written by the auto-responder
// rule named rule, so the pane and the recording can say so. An empty rule
// removes the mark; an unknown call is ignored.
func (s *Session) MarkAuto(toolCallID, rule string) {
	if c := s.Call(toolCallID); c != nil {
		c.Draft.auto = rule
		s.changed()
	}
}

// AutoRule returns the name of the rule that drafted the call's answer, or
// "" when no rule did or the user has set, cleared or error-answered the
// draft since.
func (c *PendingCall) AutoRule() string {
	if c.Draft.State == DraftEmpty {
		return "" // nothing to attribute
	}
	return c.Draft.auto
}
