package rules

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"

	"rtinspect/api"
	"rtinspect/api/record"
	"rtinspect/model"
)

// Result is what one rule did for one call.
type Result struct {
	// ToolCallID is the call's toolOutputs key: its toolCallId, or its
	// tool name for an await that carried none (what Session.Call takes).
	ToolCallID string
	// ToolName is the call's tool, as the await named it.
	ToolName string
	// Rule is the rule's name, or "rule N" for an unnamed rule.
	Rule string
	// Output is the answer, compact JSON (nil when the responder failed).
	Output json.RawMessage
	// Send says the rule allows sending the answer at once; it is false
	// whenever Err is set.
	Send bool
	// Err says why the call was left unanswered (the responder failed), or
	// why the answer could not be drafted (see Fill).
	Err error
}

// Limits on what a command may print: its answer is kept whole up to
// maxStdout; of stderr only the first line is ever shown.
const (
	maxStdout = 16 << 20
	maxStderr = 64 << 10
	// waitDelay bounds the wait for a killed command's pipes: a child that
	// left the process group could otherwise hold them open for ever.
	waitDelay = 2 * time.Second
)

// Snapshot copies the session's pending calls for Respond. Call it on the
// goroutine that owns the session: the copies can then travel to another
// goroutine while the session goes on changing.
func Snapshot(sess *model.Session) []model.PendingCall {
	pending := sess.Pending()
	out := make([]model.PendingCall, len(pending))
	for i, c := range pending {
		out[i] = *c
	}
	return out
}

// Apply answers the session's pending calls that have no draft yet: for
// each, the first matching rule (in file order) that is not used up
// responds. A successful answer becomes the call's draft, marked with the
// rule's name (Session.MarkAuto). Commands run with ctx: cancelling it
// kills them. It returns one Result per call a rule matched, in pending
// order. Apply is Fill(sess, s.Respond(ctx, Snapshot(sess))): it blocks for
// as long as the slowest command, so the UI calls those two apart.
func (s *Set) Apply(ctx context.Context, sess *model.Session) []Result {
	if s == nil {
		return nil
	}
	return Fill(sess, s.Respond(ctx, Snapshot(sess)))
}

// Respond works out the answers for calls, which must be the session's
// whole pending list (see Snapshot): it touches no session, so it can run
// in a command goroutine.
//
// A call that has a draft is left alone, and so is a call a rule has
// already responded to (answered or failed): asking again at the same pause
// neither re-runs a failed command nor overwrites an answer the user
// cleared. Otherwise the first matching rule in file order responds; a
// "once" rule is used up by the first call it matches, even if its
// responder fails. Responders of different calls run concurrently (each
// command has its own timeout); the results come back in calls order.
func (s *Set) Respond(ctx context.Context, calls []model.PendingCall) []Result {
	if s == nil {
		return nil
	}
	type job struct {
		r *rule
		c *model.PendingCall
		// out and err are already known for a recorded answer, which is
		// read under the lock.
		out  json.RawMessage
		err  error
		done bool
	}
	var (
		results []Result
		jobs    []job
	)

	s.mu.Lock()
	open := make(map[callKey]bool, len(calls))
	for i := range calls {
		open[keyOf(&calls[i])] = true
	}
	for k := range s.handled {
		if !open[k] && !strings.HasPrefix(k.key, "approval:") {
			// Resolved: toolCallIds are unique for the run, so the entry
			// is never needed again.
			delete(s.handled, k)
		}
	}
	// Every call counts for the recordings' cursors, matched or not, so the
	// Nth call to a tool gets the Nth recorded answer whatever answered the
	// calls before it.
	for _, r := range s.rules {
		if r.resp.kind == respRecorded {
			r.resp.rec.sync(calls, open)
		}
	}
	for i := range calls {
		c := &calls[i]
		k := keyOf(c)
		if c.Draft.State != model.DraftEmpty || s.handled[k] {
			continue
		}
		args := callArgs(c)
		for _, r := range s.rules {
			if r.resp.kind == respDecision || (r.once && r.used) || !r.matches(c, args) {
				continue
			}
			if r.once {
				r.used = true
			}
			s.handled[k] = true
			j := job{r: r, c: c}
			if r.resp.kind == respRecorded {
				j.out, j.err = r.resp.rec.take(c)
				j.done = true
			}
			results = append(results, Result{ToolCallID: c.Key(), ToolName: c.ToolName, Rule: r.name, Send: r.send})
			jobs = append(jobs, j)
			break
		}
	}
	s.mu.Unlock()

	// Outside the lock: commands can take seconds, and another Respond (or
	// Len) must not wait for them. Each goroutine writes only its own slot.
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Go(func() {
			out, err := j.out, j.err
			if !j.done {
				out, err = j.r.resp.respond(ctx, j.c)
			}
			if err != nil {
				results[i].Err, results[i].Send = err, false
				return
			}
			results[i].Output = out
		})
	}
	wg.Wait()
	return results
}

// Fill stores the answers of results (from Respond) in the session as
// drafts (indented JSON), each marked with its rule (Session.MarkAuto), and
// returns the results updated: a result whose call is no longer pending, or
// was answered by the user meanwhile, is not stored and gets an Err; an
// answer the session's checker refuses (the tool's output schema) is kept
// as an invalid draft, still marked, for the user to fix, and gets an Err
// so it is never sent at once. Call it on the session's goroutine.
func Fill(sess *model.Session, results []Result) []Result {
	out := slices.Clone(results)
	for i := range out {
		r := &out[i]
		if r.Err != nil || r.Output == nil {
			continue
		}
		c := sess.Call(r.ToolCallID)
		switch {
		case c == nil:
			r.Err, r.Send = errors.New("the call is no longer pending"), false
			continue
		case c.Draft.State != model.DraftEmpty:
			r.Err, r.Send = errors.New("the call was answered meanwhile; that answer is kept"), false
			continue
		}
		err := sess.SetDraft(r.ToolCallID, indentJSON(r.Output))
		sess.MarkAuto(r.ToolCallID, r.Rule)
		if err != nil {
			r.Err, r.Send = fmt.Errorf("the answer is drafted but invalid: %w", err), false
		}
	}
	return out
}

// respond produces the answer of a rule's responder for one call. It is
// safe to call concurrently: it only reads the responder.
func (p *responder) respond(ctx context.Context, c *model.PendingCall) (json.RawMessage, error) {
	switch p.kind {
	case respAnswer:
		return slices.Clone(p.answer), nil
	case respFile:
		// Read at every use, so an edit to the file is picked up without
		// restarting.
		data, err := os.ReadFile(p.path)
		if err != nil {
			return nil, fmt.Errorf("answer file: %w", err)
		}
		out, err := compactJSON(data)
		if err != nil {
			return nil, fmt.Errorf("answer file %s is not JSON: %w", p.path, err)
		}
		return out, nil
	case respCommand:
		return p.run(ctx, c)
	}
	return nil, errors.New("no responder") // respRecorded is answered by Respond
}

// commandInput is what a command reads on stdin.
type commandInput struct {
	ToolName    string          `json:"toolName"`
	ToolCallID  string          `json:"toolCallId"`
	ExecutionID string          `json:"executionId"`
	Arguments   json.RawMessage `json:"arguments"`
}

// run runs the command with the call on stdin and reads the answer from
// its stdout. The command gets its own process group, and a timeout or a
// cancelled ctx kills the whole group: a shell's children (sh -c 'sleep
// 10') would otherwise outlive it and keep its pipes open.
func (p *responder) run(ctx context.Context, c *model.PendingCall) (json.RawMessage, error) {
	args := c.Parameters
	if len(bytes.TrimSpace(args)) == 0 {
		args = json.RawMessage("null")
	}
	in, err := json.Marshal(commandInput{
		ToolName: c.ToolName, ToolCallID: c.ToolCallID, ExecutionID: c.ExecutionID, Arguments: args,
	})
	if err != nil {
		// Only arguments that are not JSON can fail; the decoder never
		// lets one through.
		return nil, fmt.Errorf("command input: %w", err)
	}

	tctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	cmd := exec.CommandContext(tctx, p.argv[0], p.argv[1:]...)
	cmd.Dir = p.dir
	cmd.Stdin = bytes.NewReader(in)
	stdout := &capped{max: maxStdout}
	stderr := &capped{max: maxStderr}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = waitDelay
	ownGroup(cmd)

	err = cmd.Run()
	if errors.Is(err, exec.ErrWaitDelay) {
		// It exited 0, but a child it left behind held stdout open: what
		// it printed is complete.
		err = nil
	}
	why := ""
	if l := firstLine(stderr.b.Bytes()); l != "" {
		why = "; stderr: " + l
	}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case ctx.Err() != nil:
		return nil, fmt.Errorf("command cancelled (%v)%s", context.Cause(ctx), why)
	case tctx.Err() != nil:
		return nil, fmt.Errorf("command timed out after %s and was killed%s", p.timeout, why)
	case errors.As(err, &exitErr):
		if code := exitErr.ExitCode(); code >= 0 {
			return nil, fmt.Errorf("command exited with status %d%s", code, why)
		}
		return nil, fmt.Errorf("command ended abnormally (%v)%s", exitErr, why)
	default:
		return nil, fmt.Errorf("command could not run: %v", err)
	}
	switch {
	case stdout.over:
		return nil, fmt.Errorf("command printed more than %d MiB on stdout", maxStdout>>20)
	case len(bytes.TrimSpace(stdout.b.Bytes())) == 0:
		return nil, fmt.Errorf("command printed nothing on stdout (want the output JSON)%s", why)
	}
	out, err := compactJSON(stdout.b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("command printed non-JSON on stdout (%v)%s", err, why)
	}
	return out, nil
}

// capped keeps the first max bytes written to it and swallows the rest, so
// a runaway command cannot fill memory; it never fails a write, so the
// command is not killed by a broken pipe for printing too much.
type capped struct {
	b    bytes.Buffer
	max  int
	over bool
}

func (w *capped) Write(p []byte) (int, error) {
	n := len(p)
	if room := w.max - w.b.Len(); len(p) > room {
		w.over = true
		p = p[:max(room, 0)]
	}
	w.b.Write(p)
	return n, nil
}

// recordedSource is a "recorded" responder's state: the recording's answers
// and, per pending call, the recorded answer that call's occurrence gets.
type recordedSource struct {
	path    string
	loaded  bool
	err     error // reading the recording failed; every use reports it
	answers *model.RecordedAnswers
	outputs map[callKey]json.RawMessage
}

// sync counts the calls not seen before against the recording, in pending
// (await) order, exactly as a replay does (model.RecordedAnswers.Apply):
// the calls are mirrored into a scratch session that Apply fills, and each
// call's answer is kept for take. open is the set of pending call keys.
//
// The recording is read at the first sync, not by Parse (which does no
// I/O), and only once: re-reading it later would restart the count. A
// failure to read it is reported at every use rather than retried for the
// same reason.
func (rs *recordedSource) sync(calls []model.PendingCall, open map[callKey]bool) {
	if !rs.loaded {
		rs.loaded = true
		rec, err := record.ReadFile(rs.path)
		if err != nil {
			rs.err = err
			return
		}
		rs.answers = model.LearnAnswers(rec)
		rs.outputs = map[callKey]json.RawMessage{}
	}
	if rs.err != nil {
		return
	}
	for k := range rs.outputs {
		if !open[k] && !strings.HasPrefix(k.key, "approval:") {
			delete(rs.outputs, k)
		}
	}
	if len(calls) == 0 {
		return
	}
	scratch := model.NewSession()
	for i := range calls {
		c := &calls[i]
		scratch.Apply(api.Event{
			Type: api.TypeAwait, Source: api.TypeAwait, Vocab: api.VocabUnified, Known: true, Seq: -1,
			ExecutionID: c.ExecutionID, ToolCallID: c.ToolCallID, ToolID: c.ToolID, ToolName: c.ToolName,
			AwaitReason: api.AwaitLocalTool, Parameters: c.Parameters,
		})
	}
	rs.answers.Apply(scratch)
	for _, c := range scratch.Pending() {
		if c.Draft.State == model.DraftValid {
			rs.outputs[keyOf(c)] = c.Draft.Value
		}
	}
}

// take returns the recorded answer for c, counted by sync.
func (rs *recordedSource) take(c *model.PendingCall) (json.RawMessage, error) {
	if rs.err != nil {
		return nil, fmt.Errorf("recording: %w", rs.err)
	}
	out, ok := rs.outputs[keyOf(c)]
	if !ok {
		return nil, fmt.Errorf("recording %s has no answer left for this call to %s", rs.path, c.ToolName)
	}
	return slices.Clone(out), nil
}

// compactJSON checks that data is exactly one JSON value and compacts it;
// the error names the line.
func compactJSON(data []byte) (json.RawMessage, error) {
	var raw json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off := min(int(se.Offset), len(data))
			return nil, fmt.Errorf("line %d: %s", 1+bytes.Count(data[:off], []byte{'\n'}), jsonErrText(err))
		}
		return nil, errors.New(jsonErrText(err))
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// indentJSON pretty-prints an answer for the editor, as the session's other
// drafts are.
func indentJSON(v json.RawMessage) string {
	var b bytes.Buffer
	if json.Indent(&b, v, "", "  ") != nil {
		return string(v)
	}
	b.WriteByte('\n')
	return b.String()
}

// Decision is a rule's decision on a pending approval.
type Decision struct {
	model.ApprovalDecision
	ToolName string
	Rule     string
	// Send is true when the rule allows sending the decision at once.
	Send bool
}

// Decide answers the session's pending approvals with the "decision"
// rules: for each, the first matching rule (by tool name and arguments)
// that is not used up. Each approval is decided once.
func (s *Set) Decide(sess *model.Session) []Decision {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Decision
	for _, a := range sess.Approvals() {
		k := callKey{a.ExecutionID, "approval:" + a.ApprovalID}
		if s.handled[k] {
			continue
		}
		call := &model.PendingCall{Await: api.Await{ExecutionID: a.ExecutionID, ToolCallID: a.ToolCallID, ToolName: a.ToolName, Parameters: a.Parameters}}
		args := callArgs(call)
		for _, r := range s.rules {
			if r.resp.kind != respDecision || (r.once && r.used) || !r.matches(call, args) {
				continue
			}
			if r.once {
				r.used = true
			}
			s.handled[k] = true
			out = append(out, Decision{
				ApprovalDecision: model.ApprovalDecision{ApprovalID: a.ApprovalID, ExecutionID: a.ExecutionID, Decision: r.resp.decision, Reason: r.resp.reason},
				ToolName:         a.ToolName, Rule: r.name, Send: r.send,
			})
			break
		}
	}
	return out
}
