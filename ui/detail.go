package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"rtinspect/api"
	"rtinspect/model"
)

// The detail view: one event, row, pending call or approval, whole.

// handleDetailKey handles a key while the detail view covers the panes.
func (m *Model) handleDetailKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	switch {
	case key.Matches(msg, k.Cancel), key.Matches(msg, k.Quit) && msg.String() != "ctrl+c":
		m.overlay = overlayNone
		return m, nil
	case key.Matches(msg, k.Quit):
		return m, m.quit()
	case key.Matches(msg, k.Raw):
		m.detailRaw = !m.detailRaw
		m.refreshDetail()
		return m, nil
	case key.Matches(msg, k.Edit) && m.detailCall != "":
		m.overlay = overlayNone
		return m, m.editCall(m.detailCall)
	}
	m.scrollKey(msg)
	return m, nil
}

func (m *Model) openScroll(o overlay, title, content string) {
	m.overlay = o
	m.detailTitle = title
	m.scroll.setHeight(m.mainHeight() - 2)
	m.scroll.set(content, m.scrollWidth())
}

func (m *Model) openRowDetail(i int, raw bool) {
	if i < 0 {
		m.setErr("no event selected")
		return
	}
	m.detailRow, m.detailCall, m.detailRaw = i, "", raw
	m.overlay = overlayDetail
	m.refreshDetail()
	m.scroll.top = 0
}

func (m *Model) openApprovalDetail(a *model.PendingApproval) {
	m.detailRow, m.detailCall, m.detailRaw = -1, "", false
	m.openScroll(overlayDetail, "Approval "+clean(a.ApprovalID), m.approvalDetail(a)+"\n"+m.th.dim.Render("a approve · d deny · esc back"))
}

func (m *Model) approvalDetail(a *model.PendingApproval) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", m.th.bold.Render("approval"), clean(a.ApprovalID))
	fmt.Fprintf(&b, "tool: %s\ncall: %s\nexecution: %s\n", clean(a.ToolName), clean(a.ToolCallID), clean(a.ExecutionID))
	if a.Description != "" {
		fmt.Fprintf(&b, "description: %s\n", clean(a.Description))
	}
	if a.Reason != "" {
		fmt.Fprintf(&b, "reason: %s\n", clean(a.Reason))
	}
	if len(a.Parameters) > 0 {
		b.WriteString("\narguments:\n" + prettyJSON(a.Parameters, m.th) + "\n")
	}
	return b.String()
}

func (m *Model) openCallDetail(id string) {
	c := m.s.Call(id)
	if c == nil {
		return
	}
	m.detailRow, m.detailCall = -1, id
	m.openScroll(overlayDetail, "Call "+clean(id), m.callDetail(c)+"\n"+m.th.dim.Render("e edit · esc back"))
}

// callDetail describes a pending call: what the model asked for and the
// answer drafted so far.
func (m *Model) callDetail(c *model.PendingCall) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", m.th.bold.Render("tool"), clean(c.ToolName))
	fmt.Fprintf(&b, "call: %s\nexecution: %s\n", clean(c.ToolCallID), clean(c.ExecutionID))
	if c.AwaitReason != "" {
		fmt.Fprintf(&b, "reason: %s\n", clean(c.AwaitReason))
	}
	if len(c.Parameters) > 0 {
		b.WriteString("\narguments:\n" + prettyJSON(c.Parameters, m.th) + "\n")
	}
	fmt.Fprintf(&b, "\nanswer: %s\n", c.Draft.State)
	if r := c.AutoRule(); r != "" {
		fmt.Fprintf(&b, "answered by the rule %q\n", clean(r))
	}
	switch c.Draft.State {
	case model.DraftValid, model.DraftError:
		b.WriteString(prettyJSON(c.Draft.Value, m.th) + "\n")
	case model.DraftInvalid:
		b.WriteString(m.th.errText.Render(clean(c.Draft.Err)) + "\n")
		b.WriteString(cleanBlock(strings.Trim(c.Draft.Text, "\n")) + "\n")
	}
	return b.String()
}

// refreshDetail rebuilds the detail of the selected row (it may still be
// growing while the stream runs).
func (m *Model) refreshDetail() {
	if m.detailRow < 0 || m.detailRow >= m.s.RowCount() {
		return
	}
	r := m.s.Row(m.detailRow)
	top := m.scroll.top
	title := clean(r.Title)
	if !strings.HasPrefix(title, r.Kind.String()) {
		title = r.Kind.String() + " " + title
	}
	if m.detailRaw {
		title += " · raw frames"
	}
	m.openScroll(overlayDetail, title, m.rowDetail(r))
	m.scroll.top = top
	m.scroll.clamp()
}

func (m *Model) rowDetail(r *model.Row) string {
	return m.rowDetailLimited(r, maxDetailEvents)
}

// rowDetailLimited describes a row with at most maxEvents of its events.
func (m *Model) rowDetailLimited(r *model.Row, maxEvents int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %s  execution %s  status %s  %d event(s)\n",
		m.th.bold.Render(r.Kind.String()), clean(r.ID), clean(r.ExecutionID), clean(r.Status), len(r.Events))
	b.WriteString(m.th.dim.Render("v raw frames / decoded · esc back") + "\n\n")
	if m.detailRaw {
		for n, idx := range r.Events {
			if n == maxEvents {
				fmt.Fprintf(&b, "… %d more frames\n", len(r.Events)-n)
				break
			}
			f := m.s.Event(idx).Frame
			if f.Event != "" {
				b.WriteString("event: " + clean(f.Event) + "\n")
			}
			if f.ID != "" {
				b.WriteString("id: " + clean(f.ID) + "\n")
			}
			b.WriteString("data: " + clean(f.Data) + "\n\n")
		}
		return b.String()
	}
	switch r.Kind {
	case model.RowText, model.RowReasoning:
		text := r.Text()
		if maxEvents < maxDetailEvents && len(text) > sidePreviewLimit {
			text = text[:sidePreviewLimit]
		}
		b.WriteString(cleanBlock(text) + "\n")
		return b.String()
	}
	if len(r.Events) == 0 {
		b.WriteString(cleanBlock(r.Text()) + "\n")
		return b.String()
	}
	for n, idx := range r.Events {
		if n == maxEvents {
			fmt.Fprintf(&b, "… %d more events\n", len(r.Events)-n)
			break
		}
		ev := m.s.Event(idx)
		label := ev.Type
		if ev.Source != "" && ev.Source != ev.Type {
			label += " (from " + ev.Source + ")"
		}
		if !ev.Known && ev.Type != api.TypeMalformed {
			label += " (unknown event type)"
		}
		b.WriteString(m.th.bold.Render(clean(label)) + "\n")
		if ev.Err != nil {
			b.WriteString(m.th.errText.Render("cannot decode: "+clean(ev.Err.Error())) + "\n")
		}
		if len(ev.Data) > 0 {
			b.WriteString(prettyJSON(ev.Data, m.th) + "\n")
		} else {
			b.WriteString(cleanBlock(ev.Frame.Data) + "\n")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// openEventDetail shows one event of the log (the flat view's selection):
// decoded, or its raw frame.
func (m *Model) openEventDetail(ei int, raw bool) {
	e := m.s.Event(ei)
	m.detailRow, m.detailCall, m.detailRaw = -1, "", raw
	m.openScroll(overlayDetail, "Event "+clean(e.Type), string(e.Data))
}
