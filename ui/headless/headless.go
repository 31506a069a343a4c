// Package headless is rtinspect without a screen: it sends the dispatch,
// prints every event, request and pause as one JSON object per line, answers
// pauses from an answers file, and reports the outcome as an exit status.
// It is the front end for scripts and CI; it shares the api and model layers
// with the terminal UI, so both behave the same on the wire.
package headless

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"rtinspect/api"
	"rtinspect/model"
	"rtinspect/model/rules"
)

// Exit statuses, as product.md defines them.
const (
	ExitCompleted = 0 // the execution completed successfully
	ExitFailed    = 1 // execution_error, HTTP error, dropped stream
	ExitUsage     = 2 // bad usage or bad input file
	ExitWaiting   = 3 // paused, waiting for answers that were not given
)

// maxContinuations bounds how many resumes and approvals one run may send
// from an answers file, so an agent that keeps asking the same tool cannot
// loop forever on a name-keyed answer.
const maxContinuations = 100

// Options configures a headless run.
type Options struct {
	Client  *api.Client
	Session *model.Session
	// Answers, when set, answers pauses (by toolCallId, else by tool name).
	Answers *model.Answers
	// Recorded, when set, answers pauses first from a recording (replay:
	// by tool name and occurrence order).
	Recorded *model.RecordedAnswers
	// Rules, when set, answer what the answers file left (auto-responders).
	Rules *rules.Set
	// Out receives the JSON lines; Err receives messages in words.
	Out io.Writer
	Err io.Writer
}

// Run sends req (a dispatch) and follows the execution through every pause
// the answers file can answer. It returns the exit status.
func Run(ctx context.Context, o Options, req api.Request) int {
	s := o.Session
	if s == nil {
		s = model.NewSession()
	}
	enc := json.NewEncoder(o.Out)
	enc.SetEscapeHTML(false)
	dec := api.NewDecoder()
	for n := 0; ; n++ {
		if n > 0 {
			dec.NewStream()
		}
		state, err := stream(ctx, o.Client, s, dec, enc, req)
		if err != nil {
			fmt.Fprintf(o.Err, "rtinspect: %s %s failed: %s\n", req.Method, req.Path, api.Explain(err))
			return ExitFailed
		}
		switch state {
		case api.RunCompleted:
			return ExitCompleted
		case api.RunFailed:
			fmt.Fprintf(o.Err, "rtinspect: execution failed: %s\n", s.LastError())
			return ExitFailed
		case api.RunCancelled:
			fmt.Fprintln(o.Err, "rtinspect: cancelled")
			return ExitFailed
		case api.RunDropped:
			msg := s.LastError()
			if msg == "" {
				msg = "the server closed the connection before the run paused or finished"
			}
			fmt.Fprintf(o.Err, "rtinspect: stream dropped: %s\n", msg)
			return ExitFailed
		}
		// Paused.
		enc.Encode(pausedLine(s))
		if n >= maxContinuations {
			fmt.Fprintf(o.Err, "rtinspect: still paused after %d continuations; stopping\n", n)
			return ExitWaiting
		}
		var decisions []model.ApprovalDecision
		if o.Recorded != nil {
			var warnings []model.ReplayWarning
			_, warnings, decisions = o.Recorded.Apply(s)
			for _, w := range warnings {
				enc.Encode(warningLine(w))
				fmt.Fprintf(o.Err, "rtinspect: replay: %s\n", w.Msg)
			}
		}
		if o.Answers != nil {
			_, more := s.ApplyAnswers(*o.Answers)
			decisions = append(decisions, more...)
		}
		if o.Rules != nil {
			for _, d := range o.Rules.Decide(s) {
				enc.Encode(decisionOut{Type: "auto_decision", Rule: d.Rule, ToolName: d.ToolName, ApprovalID: d.ApprovalID, Decision: d.Decision})
				decisions = append(decisions, d.ApprovalDecision)
			}
			for _, r := range o.Rules.Apply(ctx, s) {
				enc.Encode(autoLine(r))
				if n, ok := o.Client.Recorder.(answerNoter); ok && r.Err == nil {
					n.Answer(r.ToolCallID, r.ToolName, "rule "+r.Rule, r.Output)
				}
				if r.Err != nil {
					fmt.Fprintf(o.Err, "rtinspect: rule %s could not answer %s (%s): %v\n", r.Rule, r.ToolName, r.ToolCallID, r.Err)
				}
			}
		}
		next, ok := answer(s, decisions, o.Client)
		if !ok {
			fmt.Fprintf(o.Err, "rtinspect: paused, waiting for answers: %s\n", waitingFor(s))
			return ExitWaiting
		}
		req = next
	}
}

// stream sends one request and folds its stream into the session, printing
// every event. A non-nil error means the request failed before any stream.
func stream(ctx context.Context, c *api.Client, s *model.Session, dec *api.Decoder, enc *json.Encoder, req api.Request) (api.RunState, error) {
	enc.Encode(requestLine(req))
	if err := s.Begin(req); err != nil {
		return 0, err
	}
	st, err := c.Send(ctx, req)
	if err != nil {
		s.RequestFailed(err)
		return 0, err
	}
	defer st.Close()
	s.StreamOpened()
	var evs []api.Event
	err = st.Frames(func(f api.Frame) bool {
		evs = dec.Decode(evs[:0], f)
		for i := range evs {
			enc.Encode(eventLine(&evs[i]))
			s.Apply(evs[i])
		}
		return true
	})
	state := s.EndStream(err)
	st.Finish(state.String(), err)
	return state, nil
}

// answer builds the next request once the pause has been answered (from a
// replay's recording, the answers file, the rules, in that order): an
// approval decision first, else one resume when every pending call has an
// answer. It never sends a partial resume: what nothing covers stays
// unanswered and the run stops with ExitWaiting.
func answer(s *model.Session, decisions []model.ApprovalDecision, c *api.Client) (api.Request, bool) {
	for _, d := range decisions {
		body, err := s.ApproveBody(d.ApprovalID, d.Decision, d.Reason)
		if err == nil {
			return c.ApproveRequest(body), true
		}
	}
	if len(s.Pending()) == 0 {
		return api.Request{}, false
	}
	bodies, err := s.ResumeBodies(false)
	if err != nil || len(bodies) == 0 {
		return api.Request{}, false
	}
	return c.ResumeRequest(bodies[0]), true
}

func waitingFor(s *model.Session) string {
	var parts []string
	for _, p := range s.Pending() {
		if p.Draft.State == model.DraftValid || p.Draft.State == model.DraftError {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s (toolCallId %s)", p.ToolName, p.ToolCallID))
	}
	for _, a := range s.Approvals() {
		parts = append(parts, fmt.Sprintf("approval %s for %s", a.ApprovalID, a.ToolName))
	}
	if len(parts) == 0 {
		return "nothing left unanswered"
	}
	return strings.Join(parts, ", ")
}

// ---- JSON lines ----

type rawFrame struct {
	Event string `json:"event,omitempty"`
	ID    string `json:"id,omitempty"`
	Data  string `json:"data"`
}

type eventOut struct {
	Type         string          `json:"type"`
	Source       string          `json:"source,omitempty"`
	Known        *bool           `json:"known,omitempty"`
	ExecutionID  string          `json:"executionId,omitempty"`
	Seq          *int64          `json:"seq,omitempty"`
	ID           string          `json:"id,omitempty"`
	Kind         string          `json:"kind,omitempty"`
	Role         string          `json:"role,omitempty"`
	Name         string          `json:"name,omitempty"`
	Delta        string          `json:"delta,omitempty"`
	Text         string          `json:"text,omitempty"`
	ToolCallID   string          `json:"toolCallId,omitempty"`
	ToolName     string          `json:"toolName,omitempty"`
	Parameters   json.RawMessage `json:"parameters,omitempty"`
	Result       json.RawMessage `json:"result,omitempty"`
	Success      *bool           `json:"success,omitempty"`
	AwaitReason  string          `json:"awaitReason,omitempty"`
	ApprovalID   string          `json:"approvalId,omitempty"`
	Decision     string          `json:"decision,omitempty"`
	Error        string          `json:"error,omitempty"`
	ErrorCode    string          `json:"errorCode,omitempty"`
	StopReason   string          `json:"stopReason,omitempty"`
	FinalOutput  string          `json:"finalOutput,omitempty"`
	Data         json.RawMessage `json:"data,omitempty"`
	Raw          rawFrame        `json:"raw"`
	DecodeFailed string          `json:"decodeError,omitempty"`
}

func eventLine(ev *api.Event) eventOut {
	o := eventOut{
		Type: ev.Type, ExecutionID: ev.ExecutionID, ID: ev.ID, Kind: ev.Kind, Role: ev.Role, Name: ev.Name,
		Delta: ev.Delta, Text: ev.Text, ToolCallID: ev.ToolCallID, ToolName: ev.ToolName,
		Parameters: validJSON(ev.Parameters), Result: validJSON(ev.Result), Success: ev.Success,
		AwaitReason: ev.AwaitReason, ApprovalID: ev.ApprovalID, Decision: ev.Decision,
		Error: ev.ErrorMessage, ErrorCode: ev.ErrorCode, StopReason: ev.StopReason, FinalOutput: ev.FinalOutput,
		Data: validJSON(ev.Data),
		Raw:  rawFrame{Event: ev.Frame.Event, ID: ev.Frame.ID, Data: ev.Frame.Data},
	}
	if ev.Source != ev.Type {
		o.Source = ev.Source
	}
	if !ev.Known && ev.Type != api.TypeMalformed {
		f := false
		o.Known = &f
	}
	if ev.Seq >= 0 {
		seq := ev.Seq
		o.Seq = &seq
	}
	if ev.Err != nil {
		o.DecodeFailed = ev.Err.Error()
	}
	return o
}

// validJSON drops a value that is not valid JSON, so one bad field cannot
// make the encoder fail the whole line (the raw frame still carries it).
func validJSON(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || !json.Valid(raw) {
		return nil
	}
	return raw
}

type requestOut struct {
	Type   string          `json:"type"`
	Method string          `json:"method"`
	Path   string          `json:"path"`
	Query  string          `json:"query,omitempty"`
	Body   json.RawMessage `json:"body"`
}

// requestLine is a request as sent, without any header: the key is never
// printed.
func requestLine(req api.Request) requestOut {
	return requestOut{Type: "request", Method: req.Method, Path: req.Path, Query: req.Query, Body: validJSON(req.Body)}
}

// answerNoter is a recorder that can also note who answered a call (the
// session recording can).
type answerNoter interface {
	Answer(toolCallID, toolName, source string, output []byte)
}

// decisionOut is a rule's decision on an approval.
type decisionOut struct {
	Type       string `json:"type"`
	Rule       string `json:"rule"`
	ToolName   string `json:"toolName"`
	ApprovalID string `json:"approvalId"`
	Decision   string `json:"decision"`
}

type autoOut struct {
	Type       string          `json:"type"`
	Rule       string          `json:"rule"`
	ToolName   string          `json:"toolName"`
	ToolCallID string          `json:"toolCallId"`
	Output     json.RawMessage `json:"output,omitempty"`
	Error      string          `json:"error,omitempty"`
}

// autoLine says what a rule did for a call: its answer, or why it could
// not answer.
func autoLine(r rules.Result) autoOut {
	o := autoOut{Type: "auto_answer", Rule: r.Rule, ToolName: r.ToolName, ToolCallID: r.ToolCallID, Output: validJSON(r.Output)}
	if r.Err != nil {
		o.Error = r.Err.Error()
	}
	return o
}

type warningOut struct {
	Type       string `json:"type"`
	ToolName   string `json:"toolName"`
	ToolCallID string `json:"toolCallId"`
	Recorded   string `json:"recorded,omitempty"`
	Got        string `json:"got,omitempty"`
	Message    string `json:"message"`
}

// warningLine is a replay warning: a call whose arguments differ from the
// recorded call whose answer it was given.
func warningLine(w model.ReplayWarning) warningOut {
	return warningOut{Type: "replay_warning", ToolName: w.ToolName, ToolCallID: w.ToolCallID, Recorded: w.Recorded, Got: w.Got, Message: w.Msg}
}

type pendingOut struct {
	ExecutionID string          `json:"executionId"`
	ToolCallID  string          `json:"toolCallId"`
	ToolName    string          `json:"toolName"`
	AwaitReason string          `json:"awaitReason,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
}

type approvalOut struct {
	ExecutionID string          `json:"executionId"`
	ApprovalID  string          `json:"approvalId"`
	ToolCallID  string          `json:"toolCallId,omitempty"`
	ToolName    string          `json:"toolName"`
	Description string          `json:"description,omitempty"`
	Reason      string          `json:"reason,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
}

type pausedOut struct {
	Type      string        `json:"type"`
	Pending   []pendingOut  `json:"pending"`
	Approvals []approvalOut `json:"approvals,omitempty"`
}

func pausedLine(s *model.Session) pausedOut {
	o := pausedOut{Type: "paused", Pending: []pendingOut{}}
	for _, p := range s.Pending() {
		o.Pending = append(o.Pending, pendingOut{p.ExecutionID, p.ToolCallID, p.ToolName, p.AwaitReason, validJSON(p.Parameters)})
	}
	for _, a := range s.Approvals() {
		o.Approvals = append(o.Approvals, approvalOut{a.ExecutionID, a.ApprovalID, a.ToolCallID, a.ToolName, a.Description, a.Reason, validJSON(a.Parameters)})
	}
	return o
}
