package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"rtinspect/api"
	"rtinspect/model"
	"rtinspect/model/rules"
)

// rulesDoneMsg carries what the auto-responder rules answered for one pause.
type rulesDoneMsg struct {
	gen     int
	results []rules.Result
}

// decideByRules applies the rules' approval decisions: one a rule allows
// to send goes out at once, the others are named for the user to confirm.
func (m *Model) decideByRules() tea.Cmd {
	for _, d := range m.opts.Rules.Decide(m.s) {
		if !d.Send || m.readOnly() != "" {
			m.setMsg(fmt.Sprintf("the rule %s would %s %s: %s to confirm", d.Rule, strings.TrimSuffix(d.Decision, "d"), d.ApprovalID, map[string]string{api.DecisionApproved: m.keys.Approve.Help().Key, api.DecisionDenied: m.keys.Deny.Help().Key}[d.Decision]))
			continue
		}
		body, err := m.s.ApproveBody(d.ApprovalID, d.Decision, d.Reason)
		if err != nil {
			continue
		}
		m.setMsg(fmt.Sprintf("the rule %s %s %s", d.Rule, d.Decision, d.ApprovalID))
		return m.send(m.client.ApproveRequest(body))
	}
	return nil
}

// askRules runs the rules for the pending calls. Matching and the
// responders (a command may take seconds) run in a command, on copies of
// the calls; the answers are filled into the session back in Update.
func (m *Model) askRules() tea.Cmd {
	set := m.opts.Rules
	if set.Len() == 0 || len(m.s.Pending()) == 0 {
		return nil
	}
	calls := rules.Snapshot(m.s)
	gen := m.gen
	ctx := m.rulesCtx
	m.setMsg("asking the auto-responder rules …")
	return func() tea.Msg {
		return rulesDoneMsg{gen: gen, results: set.Respond(ctx, calls)}
	}
}

// handleRules fills the rules' answers in, marks them in the recording,
// and sends the resume at once when every call is answered and every
// answering rule allows it.
func (m *Model) handleRules(msg rulesDoneMsg) tea.Cmd {
	if msg.gen != m.gen || m.s.State() != api.RunPaused {
		return nil // the run moved on while the rules worked
	}
	results := rules.Fill(m.s, msg.results)
	answered, sendable := 0, true
	var failed []string
	for _, r := range results {
		if r.Err != nil {
			failed = append(failed, fmt.Sprintf("%s (%s): %v", r.ToolName, r.Rule, r.Err))
			continue
		}
		answered++
		sendable = sendable && r.Send
		if m.rec != nil {
			m.rec.Answer(r.ToolCallID, r.ToolName, "rule "+r.Rule, r.Output)
		}
	}
	m.saveDrafts()
	if len(failed) > 0 {
		m.setErr(fmt.Sprintf("%d call(s) answered by rules; not answered: %s", answered, strings.Join(failed, "; ")))
		return nil
	}
	if answered == 0 {
		return nil
	}
	m.focusFirstUnanswered()
	if !sendable || m.readOnly() != "" {
		m.setMsg(fmt.Sprintf("%d call(s) answered by rules: review them, then R", answered))
		return nil
	}
	bodies, err := m.s.ResumeBodies(false)
	if err != nil {
		m.setMsg(fmt.Sprintf("%d call(s) answered by rules; the rest wait for you", answered))
		return nil
	}
	m.setMsg(fmt.Sprintf("%d call(s) answered by rules: resuming", answered))
	m.rememberAnswers()
	reqs := make([]api.Request, len(bodies))
	for i, b := range bodies {
		reqs[i] = m.client.ResumeRequest(b)
	}
	m.queue = reqs[1:]
	return m.send(reqs[0])
}

// autoMark is how the pending pane marks a call a rule answered.
func autoMark(c *model.PendingCall) string {
	if r := c.AutoRule(); r != "" {
		return "auto"
	}
	return ""
}
