package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"rtinspect/api"
	"rtinspect/model"
	"rtinspect/model/catalog"
)

// ---- editing answers ----

// stubFor is the file the editor opens for a call: a JSONC comment header
// (the tool, its description, the call's arguments and the output schema in
// short), then the value to edit, in this order of preference: the call's
// draft; a value generated from the tool's output schema; the last answer
// given to the same tool; {}.
func (m *Model) stubFor(c *model.PendingCall) string {
	tool, known := m.catalog.Tool(c.ToolName)
	if !known {
		tool.Name = c.ToolName // the header names the tool either way
	}
	header := catalog.Header(tool, known, c.ToolCallID, c.Parameters)
	header += "// Save and quit to keep it as a draft; nothing is sent until you resume (R).\n"
	body := ""
	switch c.Draft.State {
	case model.DraftValid, model.DraftInvalid:
		if strings.HasPrefix(strings.TrimSpace(c.Draft.Text), "//") {
			return c.Draft.Text // edited here before: its header is in it
		}
		body = c.Draft.Text
	case model.DraftError:
		body = c.Draft.Text
	default:
		if v, ok := m.catalog.Stub(c.ToolName); ok {
			body = api.IndentBody(v) + "\n"
		} else if v, ok := m.lastAnswers[strings.TrimPrefix(c.ToolName, "webmcp:")]; ok {
			body = api.IndentBody(v) + "\n"
		} else {
			body = "{\n  \n}\n"
		}
	}
	return header + strings.TrimLeft(body, "\n")
}

func (m *Model) ensureTempDir() (string, error) {
	if m.tempDir != "" {
		return m.tempDir, nil
	}
	d, err := os.MkdirTemp("", "rtinspect-edit-")
	if err != nil {
		return "", fmt.Errorf("cannot create a folder for the editor file: %w", err)
	}
	m.tempDir = d
	return d, nil
}

func (m *Model) editCall(id string) tea.Cmd {
	c := m.s.Call(id)
	if c == nil {
		m.setErr("call " + id + " is no longer pending")
		return nil
	}
	dir, err := m.ensureTempDir()
	if err != nil {
		m.setErr(err.Error())
		return nil
	}
	m.setMsg("editing " + c.ToolName + " " + id + " in your editor …")
	line := 0
	if c.Draft.State == model.DraftInvalid {
		line = c.Draft.Line // straight to the error
	}
	return openEditorCmd(dir, id, safeFileName(c.ToolName+"."+id)+".jsonc", m.stubFor(c), line, m.getenv, m.opts.Debug)
}

func (m *Model) editMessages() tea.Cmd {
	dir, err := m.ensureTempDir()
	if err != nil {
		m.setErr(err.Error())
		return nil
	}
	d := m.s.Messages()
	var b strings.Builder
	b.WriteString("// Messages sent with the next resume, as a JSON array, e.g.\n")
	b.WriteString(`// [{"role": "user", "content": "Please continue."}]` + "\n")
	b.WriteString("// Leave it as [] to send none. Lines starting with // are ignored.\n")
	if d.Text != "" {
		b.WriteString(strings.TrimLeft(d.Text, "\n"))
	} else {
		b.WriteString("[]\n")
	}
	return openEditorCmd(dir, messagesTarget, "resume-messages.jsonc", b.String(), 0, m.getenv, m.opts.Debug)
}

// handleEditor stores what the editor produced. A failed or non-zero exit
// discards the edit (the draft before it stays); otherwise the file becomes
// the draft, valid or not, and the file is removed only once stored.
func (m *Model) handleEditor(msg editorFinishedMsg) {
	what := msg.target
	if c := m.s.Call(msg.target); c != nil {
		what = c.ToolName + " " + msg.target
	}
	if msg.err != nil {
		var ee interface{ ExitCode() int }
		if errors.As(msg.err, &ee) && ee.ExitCode() > 0 {
			m.setErr(fmt.Sprintf("editor exited with status %d: edit of %s discarded, the previous draft is kept", ee.ExitCode(), what))
		} else if errors.As(msg.err, &ee) {
			// A negative exit code: the editor was killed by a signal.
			m.setErr(fmt.Sprintf("editor ended by %v: edit of %s discarded, the previous draft is kept", msg.err, what))
		} else {
			m.setErr(fmt.Sprintf("editor failed: %v: edit of %s discarded, the previous draft is kept", msg.err, what))
		}
		if msg.path != "" {
			os.Remove(msg.path)
		}
		return
	}
	data, err := os.ReadFile(msg.path)
	if err != nil {
		m.setErr("cannot read the edited file: " + err.Error())
		return
	}
	text := string(data)
	if msg.target == messagesTarget {
		text = blankComments(text)
		if strings.TrimSpace(text) == "" || strings.TrimSpace(text) == "[]" {
			m.s.SetMessages("")
			m.setMsg("no messages will be sent with the resume")
		} else if err := m.s.SetMessages(text); err != nil {
			m.setErr("messages are not a valid JSON array: " + err.Error() + " (kept; " + hk(m.keys.Messages) + " edits again)")
		} else {
			m.setMsg("messages drafted: they go with the next resume")
		}
		os.Remove(msg.path)
		return
	}
	if m.s.Call(msg.target) == nil {
		m.setErr("call " + msg.target + " is no longer pending; its edit is kept in " + msg.path)
		return
	}
	if strings.TrimSpace(blankComments(text)) == "" {
		m.s.ClearDraft(msg.target)
		m.setMsg("empty answer: " + what + " is unanswered")
		os.Remove(msg.path)
		return
	}
	if err := m.s.SetDraft(msg.target, text); err != nil {
		m.setErr("invalid answer for " + what + ": " + err.Error() + " (kept; e reopens it at the error)")
	} else {
		m.setMsg("answer drafted for " + what)
		m.selectNextUnanswered()
	}
	os.Remove(msg.path)
}

// ---- resume and approvals ----

// youngest returns how long ago the newest of the pending items appeared.
func (m *Model) tooNew() string {
	now := m.now()
	for _, c := range m.s.Pending() {
		if now.Sub(c.Since) < Grace {
			return "call " + c.ToolCallID + " just arrived: look at it, then press again"
		}
	}
	return ""
}

func (m *Model) openResumePreview() {
	if why := m.readOnly(); why != "" {
		m.setErr(why)
		return
	}
	if len(m.s.Pending()) == 0 {
		if len(m.s.Approvals()) > 0 {
			m.setErr(fmt.Sprintf("nothing to resume: the execution waits for an approval (%s approve, %s deny)", hk(m.keys.Approve), hk(m.keys.Deny)))
		} else {
			m.setErr("nothing to resume: no pending tool calls (the execution is " + m.s.State().String() + ")")
		}
		return
	}
	if m.s.InFlight() {
		m.setErr("a continuation is already in flight: wait for its stream to end")
		return
	}
	if why := m.tooNew(); why != "" {
		m.setErr(why)
		return
	}
	bodies, err := m.s.ResumeBodies(false)
	m.previewBlocked, m.previewPartial = "", false
	var note string
	if err != nil {
		var nr *model.NotReadyError
		if !errors.As(err, &nr) {
			m.setErr(err.Error())
			return
		}
		bodies, err = m.s.ResumeBodies(true)
		if err != nil {
			m.setErr(err.Error())
			return
		}
		m.previewBlocked = "not sent: " + err0(nr) + " (press " + hk(m.keys.Partial) + " to send a partial resume anyway)"
		m.previewPartial = true
		note = m.th.warnText.Render("Not ready: "+err0(nr)) + "\n" +
			m.th.warnText.Render("A partial resume leaves the rest pending; the server pauses again for them.") + "\n" +
			m.th.dim.Render("! send partial resume · esc cancel") + "\n\n"
	} else {
		note = m.th.okText.Render("Every pending call has an answer.") + "\n" +
			m.th.dim.Render("y/enter send · esc cancel") + "\n\n"
	}
	m.previewReqs = m.previewReqs[:0]
	var b strings.Builder
	b.WriteString(note)
	for _, body := range bodies {
		req := m.client.ResumeRequest(body)
		m.previewReqs = append(m.previewReqs, req)
		b.WriteString(m.renderPreview(req))
		b.WriteString("\n")
	}
	m.openScroll(overlayPreview, "Resume: the exact request", b.String())
}

func err0(nr *model.NotReadyError) string { return nr.Error() }

// renderPreview shows a request as the client will send it, with the key
// masked and the body pretty-printed.
func (m *Model) renderPreview(req api.Request) string {
	text := m.client.Preview(req)
	head, body, ok := strings.Cut(text, "\n\n")
	if !ok {
		return cleanBlock(text)
	}
	return m.th.bold.Render(cleanBlock(head)) + "\n\n" + prettyJSON([]byte(strings.TrimSpace(body)), m.th) + "\n"
}

func (m *Model) sendPreview() tea.Cmd {
	m.overlay = overlayNone
	if len(m.previewReqs) == 0 {
		return nil
	}
	m.rememberAnswers()
	reqs := append([]api.Request(nil), m.previewReqs...)
	m.previewReqs = m.previewReqs[:0]
	m.queue = reqs[1:]
	return m.send(reqs[0])
}

func (m *Model) startDecision(decision string) {
	if why := m.readOnly(); why != "" {
		m.setErr(why)
		return
	}
	a := m.selectedApproval()
	if a == nil {
		if len(m.s.Approvals()) == 0 {
			m.setErr("no pending approval: the execution is " + m.s.State().String())
		} else {
			m.setErr("select the approval in the pending pane first (tab)")
		}
		return
	}
	if m.s.InFlight() {
		m.setErr("a continuation is already in flight: wait for its stream to end")
		return
	}
	if m.now().Sub(a.Since) < Grace {
		m.setErr("approval " + a.ApprovalID + " just arrived: look at it, then press again")
		return
	}
	if decision == api.DecisionDenied {
		m.openInput(inputDenyReason, a.ApprovalID, "deny reason (optional): ", "enter to continue, esc to cancel")
		return
	}
	m.openDecisionPreview(a.ApprovalID, decision, "")
}

func (m *Model) openDecisionPreview(approvalID, decision, reason string) {
	body, err := m.s.ApproveBody(approvalID, decision, reason)
	if err != nil {
		m.setErr(err.Error())
		return
	}
	req := m.client.ApproveRequest(body)
	m.previewReqs = append(m.previewReqs[:0], req)
	m.previewBlocked, m.previewPartial = "", false
	verb := "Approve"
	if decision == api.DecisionDenied {
		verb = "Deny"
	}
	head := m.th.warnText.Render(fmt.Sprintf("%s %s?", verb, approvalID)) + "\n" +
		m.th.dim.Render("y/enter send · esc cancel") + "\n\n"
	m.openScroll(overlayPreview, verb+": the exact request", head+m.renderPreview(req))
}

// ---- detail, help ----

// maxDetailEvents bounds how many events of one row the detail lists; a
// text block can fold tens of thousands of deltas.
const maxDetailEvents = 200

// openHelp lists the bindings of the focused pane and the global ones,
// from the key map, in two columns when they fit.
func (m *Model) openHelp() {
	groups := m.keys.HelpGroups(m.focus == panePending)
	render := func(gs []KeyGroup, w int) []string {
		var lines []string
		for _, g := range gs {
			enabled := false
			for _, kb := range g.Bindings {
				enabled = enabled || kb.Enabled()
			}
			if !enabled {
				continue
			}
			lines = append(lines, m.th.bold.Render(fit(g.Title, w)))
			for _, kb := range g.Bindings {
				if !kb.Enabled() {
					continue
				}
				h := kb.Help()
				lines = append(lines, fit(fmt.Sprintf("  %-10s %s", h.Key, h.Desc), w))
			}
			lines = append(lines, "")
		}
		return lines
	}
	var lines []string
	if colW := min(44, (m.scrollWidth()-2)/2); colW >= 34 {
		// Split the groups where the taller column is shortest.
		split, best := 1, 1<<30
		for i := 1; i < len(groups); i++ {
			if h := max(len(render(groups[:i], colW)), len(render(groups[i:], colW))); h < best {
				split, best = i, h
			}
		}
		left, right := render(groups[:split], colW), render(groups[split:], colW)
		for i := 0; i < max(len(left), len(right)); i++ {
			var l, r string
			if i < len(left) {
				l = left[i]
			}
			if i < len(right) {
				r = right[i]
			}
			lines = append(lines, fit(l, colW)+"  "+r)
		}
	} else {
		lines = render(groups, m.scrollWidth())
	}
	lines = append(lines,
		m.th.dim.Render(fit("Keys that send never act on an item younger than half a second.", m.scrollWidth())),
		m.th.dim.Render(fit(hk(m.keys.Down)+" "+hk(m.keys.Up)+" scroll · any other key closes · every key: README, Keys", m.scrollWidth())))
	m.overlay = overlayHelp
	m.detailTitle = "Help · " + [...]string{"events pane", "pending pane"}[m.focus]
	m.scroll.setHeight(m.mainHeight() - 2)
	m.scroll.set(strings.Join(lines, "\n"), m.scrollWidth())
}

// scrollWidth is the text width inside an overlay box (border and a
// space of padding on each side).
func (m *Model) scrollWidth() int { return max(10, m.width-4) }

func (m *Model) scrollKey(msg tea.KeyPressMsg) {
	k := m.keys
	switch {
	case key.Matches(msg, k.Up):
		m.scroll.by(-1)
	case key.Matches(msg, k.Down):
		m.scroll.by(1)
	case key.Matches(msg, k.PageUp):
		m.scroll.by(-m.scroll.height)
	case key.Matches(msg, k.PageDown), msg.String() == "space":
		m.scroll.by(m.scroll.height)
	case key.Matches(msg, k.Top):
		m.scroll.top = 0
	case key.Matches(msg, k.Bottom):
		m.scroll.by(1 << 30)
	}
}

// ---- reuse: revert, from a file, to every call of a tool, copy ----

// revertDraft drops the selected call's draft, so e opens the stub again.
func (m *Model) revertDraft() {
	c := m.selectedCall()
	if c == nil || m.focus != panePending {
		m.setErr(m.noCallReason())
		return
	}
	m.s.ClearDraft(c.ToolCallID)
	m.saveDrafts()
	m.setMsg("reverted " + c.ToolName + " " + c.ToolCallID + ": e opens the stub")
}

// answerFromFile reads an answer for the selected call from a file the
// user names.
func (m *Model) answerFromFile(id, path string) {
	if strings.HasPrefix(path, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			path = filepath.Join(home, path[2:])
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		m.setErr("cannot read the answer: " + err.Error())
		return
	}
	if err := m.s.SetDraft(id, string(data)); err != nil {
		m.setErr("invalid answer in " + path + ": " + err.Error() + " (kept; " + hk(m.keys.Edit) + " edits it)")
	} else {
		m.setMsg("answered " + id + " from " + path)
		m.selectNextUnanswered()
	}
	m.saveDrafts()
}

// applyToAll gives the selected call's answer to every other pending call
// of the same tool that has no valid answer yet.
func (m *Model) applyToAll() {
	c := m.selectedCall()
	if c == nil || m.focus != panePending {
		m.setErr(m.noCallReason())
		return
	}
	if !c.Draft.Answered() {
		m.setErr("answer " + c.ToolCallID + " first; its answer then goes to every " + c.ToolName + " call")
		return
	}
	n := 0
	for _, o := range m.s.Pending() {
		if o == c || o.ToolName != c.ToolName || o.Draft.Answered() {
			continue
		}
		if c.Draft.State == model.DraftError {
			m.s.SetErrorAnswer(o.ToolCallID, c.Draft.Reason)
		} else {
			m.s.SetDraft(o.ToolCallID, c.Draft.Text)
		}
		n++
	}
	m.saveDrafts()
	m.setMsg(fmt.Sprintf("the answer of %s now answers %d more %s call(s)", c.ToolCallID, n, c.ToolName))
}

// copyAnswer copies the selected call's answer to the clipboard (OSC 52).
func (m *Model) copyAnswer() tea.Cmd {
	c := m.selectedCall()
	if c == nil || m.focus != panePending {
		m.setErr(m.noCallReason())
		return nil
	}
	if !c.Draft.Answered() {
		m.setErr(c.ToolCallID + " has no valid answer to copy")
		return nil
	}
	m.setMsg("copied the answer of " + c.ToolCallID + " to the clipboard")
	return tea.SetClipboard(api.IndentBody(c.Draft.Value) + "\n")
}

// rememberAnswers keeps the answers about to be sent, per tool: the stub of
// the tool's next call offers the last one.
func (m *Model) rememberAnswers() {
	for _, c := range m.s.Pending() {
		if c.Draft.Answered() {
			m.lastAnswers[strings.TrimPrefix(c.ToolName, "webmcp:")] = c.Draft.Value
		}
	}
}
