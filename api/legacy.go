package api

import "encoding/json"

// Legacy types the decoder keeps under their own name: the API's translator
// drops them (the iteration rides on turn events), but this inspector shows
// every frame, so they stay visible as known events.
const (
	legacyIterationStart    = "agent_iteration_start"
	legacyIterationComplete = "agent_iteration_complete"
)

// isLegacyName reports whether name belongs only to the legacy vocabulary
// (runtype-protocol.md §2.4, §3.2).
func isLegacyName(name string) bool {
	switch name {
	case "agent_start", "agent_iteration_start", "agent_iteration_complete",
		"agent_turn_start", "agent_turn_delta", "agent_turn_complete",
		"agent_tool_start", "agent_tool_delta", "agent_tool_input_delta",
		"agent_tool_input_complete", "agent_tool_complete", "agent_media",
		"agent_approval_start", "agent_approval_complete", "agent_await",
		"agent_reflection", "agent_reflect", "agent_skill_loaded",
		"agent_skill_proposed", "agent_complete", "agent_error", "agent_ping",
		"flow_start", "flow_complete", "flow_error", "flow_await",
		"step_delta", "step_chunk", "step_error", "step_await",
		"tool_delta", "tool_chunk", "tool_error", "chunk", "text_end",
		"reason_start", "reason_delta", "reason_chunk", "reason_complete",
		"fallback_start", "fallback_complete", "fallback_exhausted",
		"artifact", "dispatch_error":
		return true
	}
	return false
}

// block is an open legacy text or reasoning block. Legacy deltas carry no
// block id, so the decoder keeps the context the block was opened in and
// mints a new id when that context changes: the model folds deltas by id,
// so two answers must never share one and one answer must not be split.
type block struct {
	open bool
	id   string
	// The context that identifies the block: an agent turn, a flow step,
	// a legacy partId (a new partId is a new bubble), and the parent tool
	// call of a nested flow.
	turn, step, part, parent string
}

// blockKey is the context a legacy delta arrived in.
type blockKey struct{ turn, step, part, parent string }

// continues reports whether a delta in context k belongs to the block. A
// turn, step or part value that one side lacks is not a change (a bare
// legacy "chunk" continues the step's text), but the parent tool call must
// match exactly: a nested flow's text is never the outer answer's.
func (b *block) continues(k blockKey) bool {
	return b.open && same(b.turn, k.turn) && same(b.step, k.step) &&
		same(b.part, k.part) && b.parent == k.parent
}

func same(a, b string) bool { return a == "" || b == "" || a == b }

// fill records the context values the block did not know yet.
func (b *block) fill(k blockKey) {
	b.turn = firstOf(b.turn, k.turn)
	b.step = firstOf(b.step, k.step)
	b.part = firstOf(b.part, k.part)
	b.parent = k.parent
}

func (d *Decoder) mintText() string {
	d.textN++
	return "text_" + itoa(d.textN)
}

func (d *Decoder) mintReason() string {
	d.reasonN++
	return "reason_" + itoa(d.reasonN)
}

// textBlock returns the id of the text block a legacy delta in context k
// belongs to, opening a new one when needed. Text closes reasoning, as a
// new reasoning run after some text is a new thought.
func (d *Decoder) textBlock(k blockKey) string {
	d.reason = block{}
	return d.text.enter(k, d.mintText)
}

// reasonBlock is textBlock for reasoning deltas.
func (d *Decoder) reasonBlock(k blockKey) string {
	d.text = block{}
	return d.reason.enter(k, d.mintReason)
}

// enter continues the block for a delta in context k, or opens a new one
// with an id from mint, and returns the block's id.
func (b *block) enter(k blockKey, mint func() string) string {
	if !b.continues(k) {
		*b = block{open: true, id: mint()}
	}
	b.fill(k)
	return b.id
}

// parentOf is the parent tool call of a nested flow's text (the legacy
// toolContext.toolId, unified parentToolCallId).
func parentOf(w *wire) string {
	if w.ToolContext != nil {
		return w.ToolContext.ToolID
	}
	return ""
}

func falsep() *bool { f := false; return &f }
func truep() *bool  { t := true; return &t }

// legacy maps one legacy frame onto unified events (runtype-protocol.md
// §3.2, the API's own translator): the frame's event is the last of dst,
// mapped in place; expansions append to dst. Source keeps the legacy name.
// Frames the translator drops are kept under their own name.
func (d *Decoder) legacy(dst []Event, w *wire) []Event {
	ev := &dst[len(dst)-1]
	switch ev.Source {
	case "agent_start", "flow_start":
		ev.Type = TypeExecutionStart
		ev.Kind = "agent"
		if ev.Source == "flow_start" {
			ev.Kind = "flow"
		}
		d.kind = ev.Kind

	case "agent_complete":
		ev.Kind = "agent"
		ev.Type = TypeExecutionComplete
		if (w.Success != nil && !*w.Success) || w.StopReason == "error" {
			ev.Type = TypeExecutionError
		}
		if ev.Iteration == 0 {
			ev.Iteration = w.Iterations
		}
	case "flow_complete":
		ev.Kind = "flow"
		ev.Type = TypeExecutionComplete

	case "flow_error", "dispatch_error":
		ev.Type = TypeExecutionError
		ev.Kind = d.kind
		if ev.Source == "flow_error" {
			ev.Kind = "flow"
		}
		if ev.ErrorMessage == "" {
			ev.ErrorMessage = rawString(w.Message)
		}
	case "agent_error":
		ev.Kind = "agent"
		if w.Recoverable != nil && !*w.Recoverable {
			ev.Type = TypeExecutionError
		} else {
			ev.Type = TypeError
			ev.Recoverable = truep()
		}

	case "agent_turn_start":
		ev.Type = TypeTurnStart
		ev.ID = firstOf(w.TurnID, w.ID)
	case "agent_turn_complete":
		ev.Type = TypeTurnComplete
		ev.ID = firstOf(w.TurnID, w.ID)
	case "agent_turn_delta":
		ev.Delta = firstOf(w.Delta, w.Text)
		ev.Text = ""
		k := blockKey{turn: w.TurnID}
		switch w.ContentType {
		case "", "text":
			ev.Type = TypeTextDelta
			ev.ID = d.textBlock(k)
		case "thinking", "reasoning":
			ev.Type = TypeReasoningDelta
			ev.ID = d.reasonBlock(k)
		case "tool_input":
			ev.Type = TypeToolInputDelta
			ev.ID = ""
		default:
			// A content type the translator does not know: keep the
			// frame visible under its legacy name rather than guess.
		}

	case "step_delta", "step_chunk", "chunk":
		// The legacy "id" here is the step's, not a block's.
		ev.Type = TypeTextDelta
		ev.Delta = firstOf(w.Text, w.Delta)
		ev.Text = ""
		ev.StepID = firstOf(w.StepID, w.ID)
		ev.ID = d.textBlock(blockKey{step: ev.StepID, part: w.PartID, parent: parentOf(w)})

	case "step_await", "flow_await", "agent_await":
		ev.Type = TypeAwait
		if ev.Source == "step_await" {
			ev.StepID = firstOf(w.StepID, w.ID)
		}
		ev.Timestamp = firstOf(w.AwaitedAt, w.StartedAt, w.Timestamp)

	case "agent_approval_start":
		ev.Type = TypeApprovalStart
	case "agent_approval_complete":
		ev.Type = TypeApprovalComplete

	case "agent_tool_start":
		ev.Type = TypeToolStart
		toolIDs(ev, w)
		if ev.ToolType == "" {
			ev.ToolType = "builtin"
		}
	case "agent_tool_delta", "tool_delta", "tool_chunk":
		ev.Type = TypeToolOutputDelta
		toolIDs(ev, w)
	case "agent_tool_input_delta":
		ev.Type = TypeToolInputDelta
		toolIDs(ev, w)
	case "agent_tool_input_complete":
		ev.Type = TypeToolInputComplete
		toolIDs(ev, w)
	case "agent_tool_complete":
		ev.Type = TypeToolComplete
		toolIDs(ev, w)
	case "tool_error":
		ev.Type = TypeToolComplete
		ev.Success = falsep()
		toolIDs(ev, w)
	case "step_error":
		ev.Type = TypeStepComplete
		ev.Success = falsep()
		stepIDs(ev, w)

	case "text_end":
		ev.Type = TypeTextComplete
		ev.ID = firstOf(w.ID, d.text.id)
		if ev.ID == "" {
			ev.ID = d.mintText()
		}
		d.text = block{}

	case "reason_start":
		ev.Type = TypeReasoningStart
		if ev.ID == "" {
			ev.ID = d.mintReason()
		}
		d.reason = block{open: true, id: ev.ID, part: w.PartID, parent: parentOf(w)}
		d.text = block{}
	case "reason_delta", "reason_chunk":
		ev.Type = TypeReasoningDelta
		ev.Delta = firstOf(w.Delta, w.ReasoningText, w.Text)
		ev.Text = ""
		if ev.ID == "" {
			ev.ID = d.reasonBlock(blockKey{part: w.PartID, parent: parentOf(w)})
		}
	case "reason_complete":
		ev.Type = TypeReasoningComplete
		ev.Text = firstOf(w.Text, w.ReasoningText)
		if ev.ID == "" {
			ev.ID = d.reason.id
		}
		if ev.ID == "" {
			ev.ID = d.mintReason()
		}
		d.reason = block{}

	case "agent_ping":
		ev.Type = TypePing
	case "fallback_start", "fallback_complete", "fallback_exhausted":
		ev.Type = TypeCustom
		ev.Name = "runtype.fallback"

	case "agent_media":
		return d.media(dst, w)
	case "artifact":
		ev.Type = TypeArtifactStart
		end := *ev
		end.Type = TypeArtifactComplete
		end.Synthetic = true
		return append(dst, end)
	case "agent_reflection", "agent_reflect":
		ev.Type = TypeReasoningStart
		ev.ID = d.mintReason()
		ev.Text = ""
		end := *ev
		end.Type = TypeReasoningComplete
		end.Text = w.Reflection
		end.Synthetic = true
		return append(dst, end)
	case "agent_skill_loaded", "agent_skill_proposed":
		return d.skill(dst, w)

	default:
		// agent_iteration_start / agent_iteration_complete: known, kept
		// under the legacy name.
	}
	return dst
}

// media expands agent_media into one media_start / media_delta /
// media_complete triad per item, as the translator does. Only the first
// event is not Synthetic, so every frame has exactly one primary event.
func (d *Decoder) media(dst []Event, w *wire) []Event {
	if len(w.Media) == 0 {
		return dst // nothing to expand; keep the frame visible
	}
	// The frame's event becomes the first triad's media_start.
	ev := dst[len(dst)-1]
	dst = dst[:len(dst)-1]
	for i, it := range w.Media {
		d.mediaN++
		id := "media_" + itoa(d.mediaN)
		start := ev
		start.Type = TypeMediaStart
		start.ID = id
		start.Synthetic = i > 0
		delta := start
		delta.Type = TypeMediaDelta
		delta.Delta = firstOf(it.URL, it.Data)
		delta.Synthetic = true
		end := start
		end.Type = TypeMediaComplete
		end.Synthetic = true
		dst = append(dst, start, delta, end)
	}
	return dst
}

// skill turns agent_skill_loaded / agent_skill_proposed into the synthetic
// tool call the translator makes of them.
func (d *Decoder) skill(dst []Event, w *wire) []Event {
	ev := &dst[len(dst)-1]
	var result any
	if ev.Source == "agent_skill_loaded" {
		ev.ToolName = "skill:" + w.Skill
		result = struct {
			Kind                  string          `json:"kind"`
			Skill                 string          `json:"skill"`
			ActivatedCapabilities json.RawMessage `json:"activatedCapabilities,omitempty"`
		}{"skill_loaded", w.Skill, w.ActivatedCapabilities}
	} else {
		ev.ToolName = "propose_skill"
		result = struct {
			Kind       string          `json:"kind"`
			Skill      string          `json:"skill"`
			Outcome    json.RawMessage `json:"outcome,omitempty"`
			ProposalID string          `json:"proposalId,omitempty"`
		}{"skill_proposed", w.Skill, w.Outcome, w.ProposalID}
	}
	if ev.ToolCallID == "" {
		d.skillN++
		ev.ToolCallID = "skill_" + itoa(d.skillN)
	}
	ev.ToolType = "builtin"
	ev.Type = TypeToolStart
	end := *ev
	end.Type = TypeToolComplete
	end.Success = truep()
	end.Result, _ = json.Marshal(result)
	end.Synthetic = true
	return append(dst, end)
}
