package sim

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"
)

// kv is one field of an obj.
type kv struct {
	k string
	v any
}

// obj is a JSON object whose fields keep their order. Frames put "type",
// "executionId" and "seq" first, like the transcripts in
// runtype-protocol.md §9, which makes a raw stream easy to read and a
// recorded one easy to diff.
type obj []kv

// MarshalJSON encodes the fields in order, without HTML escaping: the real
// server is JavaScript, whose JSON.stringify leaves <, > and & alone.
func (o obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := marshal(f.k)
		b.Write(k)
		b.WriteByte(':')
		v, err := marshal(f.v)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", f.k, err)
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshal is json.Marshal without HTML escaping.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte{'\n'}), nil
}

// opt appends k only when v is not empty, for optional protocol fields.
func (o obj) opt(k string, v any) obj {
	switch x := v.(type) {
	case string:
		if x == "" {
			return o
		}
	case json.RawMessage:
		if len(x) == 0 {
			return o
		}
	case int:
		if x == 0 {
			return o
		}
	case nil:
		return o
	}
	return append(o, kv{k, v})
}

// errDropped marks a stream the drop scenario cut on purpose.
var errDropped = errors.New("sim: stream dropped on purpose")

// sseWriter writes SSE frames to one response, applying the wire quirks.
// After the first failed write, or once the request context is done, it
// writes nothing more: the script keeps running (so the execution still
// reaches its pause or its end server-side, as a real one would after the
// client went away) but no byte goes out and no delay is slept.
type sseWriter struct {
	w   http.ResponseWriter
	rc  *http.ResponseController
	ctx context.Context

	crlf, comments, split bool

	frames int   // frames written on this stream
	err    error // why writing stopped
}

func (sw *sseWriter) alive() bool {
	if sw.err == nil && sw.ctx.Err() != nil {
		sw.err = sw.ctx.Err()
	}
	return sw.err == nil
}

// sleep waits d, or less if the client goes away.
func (sw *sseWriter) sleep(d time.Duration) {
	if d <= 0 || !sw.alive() {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-sw.ctx.Done():
		sw.err = sw.ctx.Err()
	}
}

// encode renders one frame. An empty event writes a data-only frame (the
// legacy flow form).
func (sw *sseWriter) encode(event string, data []byte) []byte {
	nl := "\n"
	if sw.crlf {
		nl = "\r\n"
	}
	var b bytes.Buffer
	b.Grow(len(data) + len(event) + 32)
	if sw.comments {
		if sw.frames%3 == 0 {
			b.WriteString(": keep-alive" + nl + nl)
		}
		b.WriteString("id: " + strconv.Itoa(sw.frames+1) + nl)
	}
	if event != "" {
		b.WriteString("event: " + event + nl)
	}
	b.WriteString("data: ")
	b.Write(data)
	b.WriteString(nl + nl)
	sw.frames++
	return b.Bytes()
}

// write sends b and flushes, in several pieces when the Split quirk is on.
func (sw *sseWriter) write(b []byte) {
	pieces := [][]byte{b}
	if sw.split {
		pieces = splitPieces(b)
	}
	for _, p := range pieces {
		if _, err := sw.w.Write(p); err != nil {
			sw.err = err
			return
		}
		if err := sw.rc.Flush(); err != nil {
			sw.err = err
			return
		}
	}
}

// splitPieces cuts a frame in the middle of its first line, in the middle of
// the frame (which may fall inside a multi-byte UTF-8 sequence, on purpose)
// and just before its final newline, so a client sees a frame start, a
// half-written data line, and a frame whose terminating blank line arrives
// in a read of its own.
func splitPieces(b []byte) [][]byte {
	cuts := []int{3, len(b) / 2, len(b) - 1}
	var out [][]byte
	prev := 0
	for _, c := range cuts {
		if c <= prev || c >= len(b) {
			continue
		}
		out = append(out, b[prev:c])
		prev = c
	}
	return append(out, b[prev:])
}

// cut writes the first half of a frame and then closes the connection under
// it, so the client sees a dropped stream: the chunked body ends without its
// terminating chunk, which Go's client reports as io.ErrUnexpectedEOF.
func (sw *sseWriter) cut(b []byte) {
	sw.write(b[:len(b)/2])
	if sw.err != nil {
		return
	}
	sw.err = errDropped
	conn, _, err := sw.rc.Hijack()
	if err != nil {
		// HTTP/2 and some wrappers cannot hijack; aborting the handler
		// resets the stream, which the client sees as a dropped stream too.
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

// stepCtx is the flow step the run is inside.
type stepCtx struct {
	id, name string
	index    int
	started  time.Time
}

// run is one stream of one execution: it turns scenario actions into frames
// of the execution's vocabulary, and collects the outcome (pause, end) that
// Server.finish applies once the stream is over.
type run struct {
	sw      *sseWriter
	legacy  bool
	execID  string // executionId on the frames
	seq     int
	delay   time.Duration // before every frame but the first
	started time.Time     // execution start, for durations

	kinds      []string // "agent"/"flow" per nesting level, outermost first
	step       stepCtx
	turnID     string
	parentCall string // toolCallId whose nested flow is running
	toolCalls  int    // tool calls in the current iteration (legacy agent_iteration_complete)

	iteration, turns, texts int

	// afterFrame, when set, is called after each frame is flushed (tests).
	afterFrame func(frames int)
	// end hands the outcome to the execution; it runs once, whichever of
	// the handler's return or a deliberate drop comes first.
	end func()

	outcome  execState
	repause  bool
	pending  []call
	approval *approval
	newID    string
}

func (r *run) kind() string { return r.kinds[len(r.kinds)-1] }

// send writes one frame. Unified frames always carry the event line; legacy
// frames carry it on agent events and omit it on flow events, like the
// captured production flow stream.
func (r *run) send(event string, payload obj) {
	if !r.sw.alive() {
		return // no need to build frames nobody will read (long: 10^6 of them)
	}
	if r.sw.frames > 0 {
		r.sw.sleep(r.delay)
	}
	data, err := json.Marshal(payload)
	if err != nil {
		panic(fmt.Sprintf("sim: encoding %s: %v", event, err)) // a bug in a scenario
	}
	r.sw.write(r.sw.encode(event, data))
	if r.afterFrame != nil {
		r.afterFrame(r.sw.frames)
	}
}

// unified sends a unified frame: event line, then type, executionId and a
// per-stream seq from 0, then the fields.
func (r *run) unified(typ string, fields obj) {
	r.send(typ, r.envelope(typ, fields))
}

func (r *run) envelope(typ string, fields obj) obj {
	o := append(obj{{"type", typ}, {"executionId", r.execID}, {"seq", r.seq}}, fields...)
	r.seq++
	return o
}

// legacyAgent sends a legacy agent frame: both lines, executionId first and
// the engine's seq (from 1) last, as in the captured agent trace.
func (r *run) legacyAgent(typ string, fields obj) {
	r.seq++
	o := append(obj{{"type", typ}, {"executionId", r.execID}}, fields...)
	r.send(typ, append(o, kv{"seq", r.seq}))
}

// legacyFlow sends a legacy flow frame: data only, no seq, and no
// executionId unless the caller puts one in (the real flow stream carries
// it only on flow_start, step_await and errors).
func (r *run) legacyFlow(typ string, fields obj) {
	r.send("", append(obj{{"type", typ}}, fields...))
}

func now() string { return stamp(time.Now()) }

// round6 rounds a cost to micro-dollars, so frames carry 0.0012 rather than
// 0.0012000000000000001.
func round6(f float64) float64 { return math.Round(f*1e6) / 1e6 }

// stamp formats t as RFC 3339 in UTC with milliseconds, the format of every
// timestamp in the captured streams.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func (r *run) elapsedMs() int64 { return time.Since(r.started).Milliseconds() }

// executionStart opens an execution level (the top one, or a nested flow).
// info holds agentId/agentName/maxTurns or flowId/flowName/totalSteps.
func (r *run) executionStart(kind string, info obj) {
	r.kinds = append(r.kinds, kind)
	at := now()
	switch {
	case !r.legacy:
		r.unified("execution_start", append(append(obj{{"kind", kind}}, info...), kv{"startedAt", at}))
	case kind == "agent":
		r.legacyAgent("agent_start", append(info, kv{"startedAt", at}))
	default:
		r.legacyFlow("flow_start", append(append(info, kv{"startedAt", at}), kv{"executionId", r.execID}))
	}
}

// executionComplete closes the innermost execution level; closing the top
// level completes the execution.
func (r *run) executionComplete(info obj) {
	kind := r.kind()
	at := now()
	ms := r.elapsedMs()
	switch {
	case !r.legacy:
		r.unified("execution_complete", append(append(obj{{"kind", kind}, {"success", true}, {"durationMs", ms}}, info...), kv{"completedAt", at}))
	case kind == "agent":
		r.legacyAgent("agent_complete", append(append(obj{{"success", true}}, info...), kv{"duration", ms}, kv{"completedAt", at}))
	default:
		r.legacyFlow("flow_complete", append(append(obj{{"success", true}, {"duration", ms}}, info...), kv{"completedAt", at}))
	}
	r.kinds = r.kinds[:len(r.kinds)-1]
	if len(r.kinds) == 0 {
		r.outcome = stCompleted
	}
}

// executionError fails the execution: execution_error with an {code,
// message} object in unified; flow_error / agent_error with a string error
// and a separate code in legacy (so a client meets both error shapes).
func (r *run) executionError(code, msg string) {
	kind := r.kind()
	switch {
	case !r.legacy:
		r.unified("execution_error", obj{{"kind", kind}, {"error", obj{{"code", code}, {"message", msg}}}, {"code", code}, {"completedAt", now()}})
	case kind == "agent":
		r.legacyAgent("agent_error", obj{{"error", msg}, {"code", code}, {"recoverable", false}, {"iteration", r.iteration}})
	default:
		r.legacyFlow("flow_error", obj{{"executionId", r.execID}, {"error", msg}, {"code", code}})
	}
	r.kinds = r.kinds[:1]
	r.outcome = stFailed
}

// turnStart opens a new assistant turn (one per iteration here).
func (r *run) turnStart() {
	r.iteration++
	r.turns++
	r.toolCalls = 0
	r.turnID = fmt.Sprintf("turn_%d", r.turns)
	if !r.legacy {
		r.unified("turn_start", obj{{"id", r.turnID}, {"iteration", r.iteration}, {"turnIndex", 0}, {"role", "assistant"}})
		return
	}
	r.legacyAgent("agent_iteration_start", obj{{"iteration", r.iteration}, {"startedAt", now()}})
	r.legacyAgent("agent_turn_start", obj{{"iteration", r.iteration}, {"turnIndex", 0}, {"role", "assistant"}, {"turnId", r.turnID}})
}

// turnComplete ends the current turn with token usage derived from the text.
func (r *run) turnComplete(content string, outTokens int) {
	tokens := obj{{"input", 1800 + 120*r.iteration}, {"output", outTokens}}
	cost := float64(1800+120*r.iteration)*0.15e-6 + float64(outTokens)*0.6e-6
	cost = round6(cost)
	at := now()
	if !r.legacy {
		r.unified("turn_complete", obj{}.
			opt("id", r.turnID).
			opt("iteration", r.iteration).
			opt("role", "assistant").
			opt("content", capText(content)).
			opt("tokens", tokens).
			opt("cost", cost).
			opt("stopReason", "end_turn").
			opt("completedAt", at))
		return
	}
	r.legacyAgent("agent_turn_complete", obj{{"iteration", r.iteration}, {"turnId", r.turnID}, {"role", "assistant"}}.
		opt("content", capText(content)).
		opt("tokens", tokens).opt("cost", cost).opt("stopReason", "end_turn").opt("completedAt", at))
	r.legacyAgent("agent_iteration_complete", obj{{"iteration", r.iteration}, {"toolCallsMade", r.toolCalls}, {"stopConditionMet", true}, {"completedAt", at}})
}

// stepStart opens a prompt step of a flow.
func (r *run) stepStart(id, name string, index, total int) {
	r.step = stepCtx{id: id, name: name, index: index, started: time.Now()}
	f := obj{{"id", id}, {"name", name}, {"stepType", "prompt"}, {"index", index}, {"totalSteps", total}, {"startedAt", now()}}
	if !r.legacy {
		r.unified("step_start", f)
		return
	}
	r.legacyFlow("step_start", f)
}

// stepComplete ends the current prompt step with its authoritative response.
func (r *run) stepComplete(response string, outTokens int) {
	ms := time.Since(r.step.started).Milliseconds()
	result := obj{
		{"promptId", r.step.id}, {"promptName", r.step.name}, {"response", capText(response)},
		{"tokens", obj{{"input", 1833}, {"output", outTokens}, {"total", 1833 + outTokens}}},
		{"cost", 0.000700125}, {"executionTime", ms}, {"order", r.step.index},
	}
	if !r.legacy {
		r.unified("step_complete", obj{{"id", r.step.id}, {"name", r.step.name}, {"stepType", "prompt"}, {"success", true},
			{"durationMs", ms}, {"stopReason", "end_turn"}, {"result", result}, {"completedAt", now()}})
		return
	}
	r.legacyFlow("step_complete", obj{{"id", r.step.id}, {"name", r.step.name}, {"executionType", "prompt"}, {"index", r.step.index},
		{"success", true}, {"result", result}, {"executionTime", ms}})
}

// text streams one text block made of the given chunks and returns the
// whole text.
func (r *run) text(chunks ...string) string {
	return r.textN(len(chunks), func(i int) string { return chunks[i] })
}

// textN streams a text block of n deltas produced by gen. It takes a
// generator rather than a slice so the long scenario can stream a million
// deltas without holding them.
func (r *run) textN(n int, gen func(int) string) string {
	id := r.textStart()
	var all bytes.Buffer
	for i := range n {
		d := gen(i)
		if all.Len() <= textCap {
			all.WriteString(d)
		}
		r.textDelta(id, d)
	}
	text := all.String()
	if all.Len() > textCap {
		text = ""
	}
	r.textComplete(id, text)
	return text
}

// textCap bounds the assembled text repeated in text_complete, turn content,
// step results and finalOutput. Beyond it those optional fields are left out
// rather than doubling a huge stream (the deltas carry the text anyway).
const textCap = 256 << 10

func capText(s string) string {
	if len(s) > textCap {
		return ""
	}
	return s
}

func (r *run) textStart() string {
	r.texts++
	id := fmt.Sprintf("text_%d", r.texts)
	if !r.legacy {
		f := obj{{"id", id}}
		if r.kind() == "agent" {
			f = append(f, kv{"role", "assistant"})
		} else {
			f = f.opt("stepId", r.step.id).opt("parentToolCallId", r.parentCall)
		}
		r.unified("text_start", f)
	}
	// Legacy has no block start for agent text, and flow text_start was
	// optional; the decoder opens blocks on the first delta.
	return id
}

func (r *run) textDelta(id, delta string) {
	switch {
	case !r.legacy:
		r.unified("text_delta", obj{{"id", id}, {"delta", delta}})
	case r.kind() == "agent":
		r.legacyAgent("agent_turn_delta", obj{{"iteration", r.iteration}, {"turnId", r.turnID}, {"contentType", "text"}, {"delta", delta}})
	default:
		f := obj{{"id", r.step.id}, {"name", r.step.name}, {"executionType", "prompt"}, {"index", r.step.index}, {"text", delta}, {"partId", id}}
		if r.parentCall != "" {
			f = append(f, kv{"toolContext", obj{{"toolId", r.parentCall}, {"stepId", r.step.id}, {"executionId", r.execID}}})
		}
		r.legacyFlow("step_delta", f)
	}
}

func (r *run) textComplete(id, text string) {
	if !r.legacy {
		r.unified("text_complete", obj{{"id", id}}.opt("text", text))
	}
}

// call is one tool call the model made.
type call struct {
	ID     string // toolCallId: the resume key
	ToolID string // runtime_<name>_<ms>: shared by parallel calls of one tool
	Name   string
	Type   string // local, builtin, flow
	Origin string // "sdk" for local tools
	Params json.RawMessage
	// Flow calls remember their step, so a re-emitted step_await still
	// names it.
	Step stepCtx
}

// answered is a pending call with the output the client gave it.
type answered struct {
	call
	Output json.RawMessage
}

// approval is a pending approval.
type approval struct {
	ID          string
	Description string
	Reason      string
	Timeout     int
	Call        call
}

func (r *run) newCall(name, typ string, params any, id string) call {
	b, err := marshal(params)
	if err != nil {
		panic(err)
	}
	c := call{ID: id, ToolID: fmt.Sprintf("runtime_%s_%d", name, time.Now().UnixMilli()), Name: name, Type: typ, Params: b}
	if typ == "local" {
		c.Origin = "sdk"
	}
	if r.kind() == "flow" {
		c.Step = r.step
	}
	return c
}

// toolStart announces a tool call; for an agent's local calls the unified
// stream also sends tool_input_complete, the authoritative arguments (as in
// §9b; the approved builtin call of §9c has none).
func (r *run) toolStart(c call) {
	r.toolCalls++
	at := now()
	switch {
	case !r.legacy:
		f := obj{{"toolCallId", c.ID}, {"toolName", c.Name}, {"toolType", c.Type}}
		if r.kind() == "agent" {
			f = append(f, kv{"iteration", r.iteration})
		} else {
			f = append(f, kv{"stepId", r.step.id})
		}
		r.unified("tool_start", append(f.opt("origin", c.Origin), kv{"parameters", c.Params}, kv{"startedAt", at}))
		if r.kind() == "agent" && c.Type == "local" {
			r.unified("tool_input_complete", obj{{"toolCallId", c.ID}, {"toolName", c.Name}, {"parameters", c.Params}})
		}
	case r.kind() == "agent":
		r.legacyAgent("agent_tool_start", obj{{"iteration", r.iteration}, {"toolCallId", c.ID}, {"toolName", c.Name}, {"toolType", c.Type}}.
			opt("origin", c.Origin).opt("parameters", c.Params).opt("startedAt", at))
	default:
		r.legacyFlow("tool_start", obj{{"toolCallId", c.ID}, {"toolName", c.Name}, {"toolType", c.Type}, {"stepId", r.step.id}, {"parameters", c.Params}, {"startedAt", at}})
	}
}

// toolComplete reports a call's result. errMsg, when set, makes it a failed
// call. ms is the server-side run time, 0 (left out) for a local tool the
// server did not run.
func (r *run) toolComplete(c call, result json.RawMessage, errMsg string, ms int) {
	success := errMsg == ""
	switch {
	case !r.legacy:
		f := obj{{"toolCallId", c.ID}, {"toolName", c.Name}, {"success", success}}.
			opt("result", result).opt("error", errMsg).opt("executionTime", ms)
		if r.kind() == "agent" {
			f = append(f, kv{"iteration", r.iteration})
		} else {
			f = append(f, kv{"stepId", r.step.id})
		}
		r.unified("tool_complete", f)
	case r.kind() == "agent":
		r.legacyAgent("agent_tool_complete", obj{{"iteration", r.iteration}, {"toolCallId", c.ID}, {"toolName", c.Name}, {"success", success}}.
			opt("result", result).opt("error", errMsg).opt("executionTime", ms).opt("completedAt", now()))
	default:
		r.legacyFlow("tool_complete", obj{{"toolCallId", c.ID}, {"toolName", c.Name}, {"success", success}}.
			opt("result", result).opt("error", errMsg).opt("executionTime", ms).opt("stepId", r.step.id))
	}
}

// awaitTools pauses the execution on local tool calls: one await per call,
// then the stream ends. The calls become the execution's pending set (unless
// this is a re-pause, which keeps the set it has).
func (r *run) awaitTools(calls ...call) {
	for _, c := range calls {
		at := now()
		switch {
		case !r.legacy:
			f := obj{{"awaitReason", "local_tool_required"}, {"toolId", c.ToolID}, {"toolCallId", c.ID}, {"toolName", c.Name}}.
				opt("origin", c.Origin)
			f = append(f, kv{"parameters", c.Params})
			r.unified("await", append(f.opt("stepId", c.Step.id), kv{"awaitedAt", at}))
		case c.Step.id == "":
			r.legacyAgent("agent_await", obj{{"toolId", c.ToolID}, {"toolCallId", c.ID}, {"toolName", c.Name}}.
				opt("origin", c.Origin).opt("parameters", c.Params).opt("awaitedAt", at))
		default:
			r.legacyFlow("step_await", obj{{"awaitReason", "local_tool_required"}, {"id", c.Step.id}, {"name", c.Step.name},
				{"stepType", "prompt"}, {"index", c.Step.index}, {"toolId", c.ToolID}, {"toolCallId", c.ID}, {"toolName", c.Name},
				{"executionId", r.execID}, {"parameters", c.Params}, {"awaitedAt", at}})
		}
	}
	r.pending = calls
	r.outcome = stPaused
}

// switchID moves the execution to a fresh virtual_<ms>_<rand> id from the
// next frame on, reproducing the observed server bug (runtype-protocol.md
// §4.1): agent awaits and everything after them carry the new id, and only
// the new id can be resumed.
func (r *run) switchID() {
	r.newID = fmt.Sprintf("virtual_%d_%s", time.Now().UnixMilli(), randString(9, lowerAlnum))
	r.execID = r.newID
}

// approvalStart pauses the execution on an approval.
func (r *run) approvalStart(a *approval) {
	f := obj{{"approvalId", a.ID}, {"toolCallId", a.Call.ID}, {"toolName", a.Call.Name}, {"toolType", a.Call.Type},
		{"description", a.Description}, {"reason", a.Reason}, {"parameters", a.Call.Params}, {"timeout", a.Timeout},
		{"iteration", r.iteration}, {"startedAt", now()}}
	if !r.legacy {
		r.unified("approval_start", f)
	} else {
		r.legacyAgent("agent_approval_start", f)
	}
	r.approval = a
	r.outcome = stPaused
}

// approvalComplete is the first frame of the stream after a decision.
func (r *run) approvalComplete(a *approval, decision string) {
	f := obj{{"approvalId", a.ID}, {"decision", decision}, {"resolvedBy", "user"}, {"completedAt", now()}}
	if !r.legacy {
		r.unified("approval_complete", f)
	} else {
		r.legacyAgent("agent_approval_complete", f)
	}
}

// drop streams half of one more text delta and cuts the connection.
func (r *run) drop(id, delta string) {
	r.sw.sleep(r.delay)
	var typ string
	var payload obj
	switch {
	case !r.legacy:
		typ, payload = "text_delta", r.envelope("text_delta", obj{{"id", id}, {"delta", delta}})
	default:
		r.seq++
		typ, payload = "agent_turn_delta", obj{{"type", "agent_turn_delta"}, {"executionId", r.execID}, {"iteration", r.iteration},
			{"turnId", r.turnID}, {"contentType", "text"}, {"delta", delta}, {"seq", r.seq}}
	}
	r.outcome = stDropped
	r.end() // settle the execution before the client can see the cut
	if !r.sw.alive() {
		return
	}
	data, _ := json.Marshal(payload)
	r.sw.cut(r.sw.encode(typ, data))
}

const (
	lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
	mixedAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

// randString returns n characters drawn from alphabet with crypto/rand,
// which is safe for concurrent use and needs no seeding.
func randString(n int, alphabet string) string {
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func newExecID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return "exec_" + hex.EncodeToString(b)
}

func newToolUseID() string    { return "toolu_01" + randString(22, mixedAlnum) }
func newOpenAICallID() string { return "call_" + randString(6, mixedAlnum) }
func newApprovalID() string   { return "appr_" + randString(12, lowerAlnum) }
func newStepID() string       { return "step_01" + randString(24, lowerAlnum) }
