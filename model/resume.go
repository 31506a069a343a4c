package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"rtinspect/api"
)

// ErrUnknownApproval is returned (wrapped) by ApproveBody for an approval
// that is not pending.
var ErrUnknownApproval = errors.New("no such pending approval")

// NotReady is one pending call that cannot be sent yet.
type NotReady struct {
	ExecutionID string
	ToolCallID  string
	ToolName    string
	// State is DraftEmpty (unanswered) or DraftInvalid.
	State DraftState
	// Err is the parse error of an invalid draft.
	Err string
}

// NotReadyError lists what keeps a resume from being sent: every unanswered
// or invalid call, and an invalid messages draft.
type NotReadyError struct {
	Calls []NotReady
	// Messages is the parse error of the messages draft, "" when it is
	// fine.
	Messages string
	// Shared lists the toolOutputs keys two pending calls of one execution
	// share (two awaits with one toolCallId, or with no id and one tool
	// name): one output would silently answer both.
	Shared []string
}

// Error names each call by tool name and id, with why it is not ready.
func (e *NotReadyError) Error() string {
	var parts []string
	for _, c := range e.Calls {
		p := strings.TrimSpace(c.ToolName + " " + c.ToolCallID)
		if c.State == DraftInvalid {
			p += " (invalid: " + c.Err + ")"
		} else {
			p += " (unanswered)"
		}
		parts = append(parts, p)
	}
	for _, k := range e.Shared {
		parts = append(parts, "two calls share the id "+k)
	}
	if e.Messages != "" {
		parts = append(parts, "messages (invalid: "+e.Messages+")")
	}
	return "not ready to resume: " + strings.Join(parts, ", ")
}

// ResumeBodies builds the /v1/dispatch/resume bodies for the pending calls:
// one per executionId (the await's own, §4.1), in arrival order, each with
// every answered output keyed by toolCallId, and streamResponse true. The
// edited messages go with the first body. Unless partial, any unanswered or
// invalid call makes it return a *NotReadyError listing them; with partial
// those calls are left out (the server re-pauses on them). An invalid
// messages draft is always an error, and so is having nothing answered;
// nothing pending at all is ErrNothingPending.
func (s *Session) ResumeBodies(partial bool) ([]api.ResumeRequest, error) {
	if len(s.pending) == 0 {
		return nil, ErrNothingPending
	}
	var nr NotReadyError
	var bodies []api.ResumeRequest
	index := map[string]int{}
	for _, c := range s.pending {
		// A partial resume also sends an answer that is valid JSON but
		// fails the tool's schema: "send anyway" means it.
		sendAnyway := partial && c.Draft.State == DraftInvalid && len(c.Draft.Value) > 0
		if !c.Draft.Answered() {
			nr.Calls = append(nr.Calls, NotReady{
				ExecutionID: c.ExecutionID,
				ToolCallID:  c.ToolCallID,
				ToolName:    c.ToolName,
				State:       c.Draft.State,
				Err:         c.Draft.Err,
			})
			if !sendAnyway {
				continue
			}
		}
		i, ok := index[c.ExecutionID]
		if !ok {
			i = len(bodies)
			index[c.ExecutionID] = i
			bodies = append(bodies, api.ResumeRequest{
				ExecutionID:    c.ExecutionID,
				ToolOutputs:    map[string]json.RawMessage{},
				StreamResponse: true,
			})
		}
		if _, dup := bodies[i].ToolOutputs[c.Key()]; dup {
			nr.Shared = append(nr.Shared, c.Key())
		}
		bodies[i].ToolOutputs[c.Key()] = c.Draft.Value
	}
	if s.messages.State == DraftInvalid {
		nr.Messages = s.messages.Err
	}
	if nr.Messages != "" || len(bodies) == 0 || (!partial && (len(nr.Calls) > 0 || len(nr.Shared) > 0)) {
		return nil, &nr
	}
	if s.messages.State == DraftValid {
		bodies[0].Messages = s.messages.Value
	}
	return bodies, nil
}

// ApproveBody builds the /v1/dispatch/approve body for a pending approval.
// decision must be "approved" or "denied".
func (s *Session) ApproveBody(approvalID, decision, reason string) (api.ApproveRequest, error) {
	a := s.apprByID[approvalID]
	if a == nil {
		return api.ApproveRequest{}, fmt.Errorf("approve %q: %w", approvalID, ErrUnknownApproval)
	}
	if decision != api.DecisionApproved && decision != api.DecisionDenied {
		return api.ApproveRequest{}, fmt.Errorf("approve %q: decision must be %q or %q, not %q",
			approvalID, api.DecisionApproved, api.DecisionDenied, decision)
	}
	return api.ApproveRequest{
		ExecutionID:    a.ExecutionID,
		ApprovalID:     a.ApprovalID,
		Decision:       decision,
		Reason:         reason,
		StreamResponse: true,
	}, nil
}
