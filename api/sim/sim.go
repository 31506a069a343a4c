// Package sim is a simulated Runtype Dispatch API served over real HTTP.
//
// It speaks the wire protocol of runtype-protocol.md: POST /v1/dispatch,
// /v1/dispatch/resume, /v1/dispatch/approve and /v1/dispatch/continue, with
// SSE responses in the unified vocabulary (the default) or the legacy one
// (?events=legacy, or Options.Legacy for a server that predates unified
// streams). Each dispatch runs one scripted scenario (see Scenarios) that
// pauses on local tools or approvals exactly the way the real server was
// observed to, including its rough edges: the executionId switch to a
// virtual_ id on agent awaits, 404 for a second concurrent continuation,
// re-pausing when a resume leaves a call unanswered.
//
// `rtinspect demo`, `rtinspect sim` and the project's end-to-end tests run
// against it, so it validates requests like the real API (401, 400, 404 with
// JSON error bodies) instead of accepting anything: a client that passes here
// has exercised its error paths too.
//
// The package holds no global mutable state: every Server is independent,
// and one Server serves many executions at once.
package sim

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Endpoint paths. They repeat the constants of package rtinspect/api on
// purpose: the simulator must build and run even while the client package is
// being changed, so it does not import it.
const (
	pathDispatch = "/v1/dispatch"
	pathResume   = "/v1/dispatch/resume"
	pathApprove  = "/v1/dispatch/approve"
	pathContinue = "/v1/dispatch/continue"
)

// maxBody bounds a request body. Tool outputs can be large (the big scenario
// invites a big answer), but an unbounded read would let one request exhaust
// memory.
const maxBody = 64 << 20

// Options configure a Server.
type Options struct {
	// APIKey, when set, must be presented as "Authorization: Bearer APIKey".
	APIKey string
	// Open disables authentication entirely (the demo needs no key). When
	// Open is false and APIKey is "", any non-empty bearer token is accepted.
	Open bool
	// Legacy makes the server speak only the legacy vocabulary, ignoring
	// ?events=unified, like an API from before the unified switch.
	Legacy bool
	// Scenario is the scenario run when a dispatch names none; "" means
	// "parallel".
	Scenario string
	// Delay is the pause between frames, for a demo that streams visibly
	// (about 30ms); 0 in tests. The long scenario uses Delay/10 between its
	// text deltas so it still finishes in seconds.
	Delay time.Duration
	// Speed scales the recorded gaps between frames when a Server plays a
	// recording back (NewPlayback): 1 keeps the recorded pace, 10 is ten
	// times faster, and 0 or less does not wait at all. Delay, if set, is
	// added before every frame but the first. Scenario streams ignore it.
	Speed float64

	// Wire quirks, for client robustness tests. None of them changes the
	// events; they change only the bytes that carry them.

	// CRLF ends every line with "\r\n" instead of "\n".
	CRLF bool
	// Comments interleaves ": keep-alive" comment blocks and puts an
	// "id: N" line on every frame.
	Comments bool
	// Split writes and flushes each frame in several small pieces, cut in
	// the middle of lines, so that frames arrive across reads.
	Split bool
}

// Received is one request as the server saw it, for tests. It records
// whether an Authorization header was present but never its value, so a
// test can assert that the key was sent without the key ever being stored.
type Received struct {
	Method string
	// Path is the URL path, e.g. "/v1/dispatch/resume".
	Path string
	// RawQuery is the query string without "?", e.g. "events=unified".
	RawQuery string
	// Body is the request body as received.
	Body []byte
	// Auth reports whether an Authorization header was present.
	Auth bool
}

// Server is the simulated API. It implements http.Handler and is safe for
// concurrent use by many executions at once.
type Server struct {
	opts Options
	defs map[string]*scenarioDef

	// mu guards everything below. It is never held while writing to a
	// client: a stream runs unlocked, and the execution it belongs to is
	// marked "streaming" so no other request touches it meanwhile.
	mu    sync.Mutex
	execs map[string]*execution
	reqs  []Received

	// pb, when set (NewPlayback), replaces the scenarios: every request
	// that passes routing and authentication is served from the recording.
	// The pointer is fixed at construction; its mutable fields are guarded
	// by mu like everything else here.
	pb *playback

	// testHook, when set (by this package's tests, before serving), is
	// called after every frame a stream flushes, with the request path and
	// the number of frames written so far. A test blocks in it to hold a
	// stream open at a known point instead of sleeping.
	testHook func(path string, frames int)
}

// New returns a Server with the given options.
func New(opts Options) *Server {
	defs := make(map[string]*scenarioDef)
	for _, d := range scenarioDefs() {
		defs[d.Name] = d
	}
	return &Server{opts: opts, defs: defs, execs: make(map[string]*execution)}
}

// Listen opens a TCP listener on addr (for example "127.0.0.1:8787", or
// "127.0.0.1:0" for any free port) and returns a new Server to run on it
// with Serve.
func Listen(addr string, opts Options) (*Server, net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("sim: listen %s: %w", addr, err)
	}
	return New(opts), ln, nil
}

// Serve serves s on ln until ctx is done, then shuts down gracefully and
// returns nil. Request contexts derive from ctx, so streams in progress stop
// writing as soon as ctx is cancelled instead of holding the shutdown open
// for their whole script. A failure of the listener is returned as is.
//
// s is usually a *Server; any handler will do, so one can wrap it (the
// debug log of rtinspect sim does).
func Serve(ctx context.Context, ln net.Listener, s http.Handler) error {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Requests returns a copy of every request received so far, in arrival
// order. The log (like the table of executions) is never trimmed: the
// simulator is for tests and demos, not for serving indefinitely.
func (s *Server) Requests() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Received, len(s.reqs))
	for i, r := range s.reqs {
		r.Body = append([]byte(nil), r.Body...)
		out[i] = r
	}
	return out
}

// ServeHTTP routes a request: 404 for an unknown path, 405 for a method other
// than POST, 401 without a valid key, then the endpoint itself.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, readErr := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	s.record(r, body)

	switch r.URL.Path {
	case pathDispatch, pathResume, pathApprove, pathContinue:
	default:
		writeError(w, http.StatusNotFound, "not_found",
			fmt.Sprintf("no route for %s %s", r.Method, r.URL.Path),
			"the simulator serves POST /v1/dispatch, /v1/dispatch/resume, /v1/dispatch/approve and /v1/dispatch/continue")
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed",
			fmt.Sprintf("%s is not allowed on %s", r.Method, r.URL.Path), "use POST")
		return
	}
	if code, msg := s.authorize(r); code != "" {
		writeError(w, http.StatusUnauthorized, code, msg,
			"send the header \"Authorization: Bearer <API key>\"")
		return
	}
	if readErr != nil {
		var tooBig *http.MaxBytesError
		if errors.As(readErr, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "request_too_large",
				fmt.Sprintf("request body exceeds %d bytes", tooBig.Limit), "send a smaller body")
			return
		}
		writeError(w, http.StatusBadRequest, "invalid_body", "could not read the request body: "+readErr.Error(), "send a complete JSON body")
		return
	}

	if s.pb != nil {
		s.play(w, r, body)
		return
	}
	switch r.URL.Path {
	case pathDispatch:
		s.dispatch(w, r, body)
	case pathResume:
		s.resume(w, r, body)
	case pathApprove:
		s.approve(w, r, body)
	case pathContinue:
		s.continueExecution(w, r, body)
	}
}

func (s *Server) record(r *http.Request, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, Received{
		Method:   r.Method,
		Path:     r.URL.Path,
		RawQuery: r.URL.RawQuery,
		Body:     append([]byte(nil), body...),
		Auth:     r.Header.Get("Authorization") != "",
	})
}

// authorize returns an error code and message, or "" when the request may
// proceed. The key comparison is constant-time: the simulator may listen on
// a shared machine, and a timing oracle on the key would be a poor example.
func (s *Server) authorize(r *http.Request) (code, msg string) {
	if s.opts.Open {
		return "", ""
	}
	h := r.Header.Get("Authorization")
	if h == "" {
		return "missing_api_key", "missing Authorization header"
	}
	scheme, token, ok := strings.Cut(h, " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "invalid_api_key", "the Authorization header is not \"Bearer <API key>\""
	}
	if s.opts.APIKey != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.opts.APIKey)) != 1 {
		return "invalid_api_key", "invalid API key"
	}
	return "", ""
}

// writeError sends the JSON error envelope every client of the simulator can
// rely on. "error" is what the real API is known to send; "message", "code"
// and "hint" are extras a careful client shows when present.
func writeError(w http.ResponseWriter, status int, code, msg, hint string) {
	b, _ := json.Marshal(obj{{"error", msg}, {"message", msg}, {"code", code}, {"hint", hint}})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// execState is where an execution stands.
type execState uint8

const (
	stStreaming execState = iota // a stream for it is being written
	stPaused                     // waiting for tool outputs or a decision
	stCompleted
	stFailed
	stDropped
)

func (st execState) String() string {
	switch st {
	case stStreaming:
		return "streaming"
	case stPaused:
		return "paused"
	case stCompleted:
		return "completed"
	case stFailed:
		return "failed"
	case stDropped:
		return "dropped"
	}
	return "unknown"
}

// execution is one run of a scenario across its streams. Its fields are
// guarded by Server.mu; a stream works on a snapshot and hands its outcome
// back through finish.
type execution struct {
	// id is the id continuations must name. It starts as the exec_ id and
	// may switch to a virtual_ id at a pause (the parallel scenario), after
	// which the old id is no longer resumable.
	id      string
	def     *scenarioDef
	legacy  bool
	started time.Time
	deltas  int // long scenario: number of text deltas

	state    execState
	stage    int                        // number of pauses reached so far
	pending  []call                     // calls awaited at the current pause, in order
	answers  map[string]json.RawMessage // toolCallId -> output, kept across partial resumes
	approval *approval                  // the approval awaited at the current pause

	// Counters continued across streams so that turn, text and iteration
	// ids stay unique within the execution.
	iteration, turns, texts int
}

// finish applies the outcome of a stream to its execution (through
// run.end, once). It runs before the handler returns, and before a dropped
// connection is closed, so the client can never see the end of a stream
// while the execution still looks "streaming": a continuation sent right
// after the end always meets the settled state.
func (s *Server) finish(x *execution, r *run) {
	s.mu.Lock()
	defer s.mu.Unlock()
	x.iteration, x.turns, x.texts = r.iteration, r.turns, r.texts
	if r.newID != "" {
		x.id = r.newID
		s.execs[r.newID] = x
	}
	x.state = r.outcome
	switch {
	case r.outcome == stPaused && r.repause:
		// Same pause: pending calls and the answers already given stay.
	case r.outcome == stPaused:
		x.stage++
		x.pending = r.pending
		x.approval = r.approval
		x.answers = make(map[string]json.RawMessage)
	default:
		x.pending, x.approval, x.answers = nil, nil, nil
	}
}

// dispatch handles POST /v1/dispatch.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request, body []byte) {
	var req map[string]json.RawMessage
	if err := json.Unmarshal(body, &req); err != nil || req == nil {
		badJSON(w, err)
		return
	}
	hasAgent, hasFlow := isObject(req["agent"]), isObject(req["flow"])
	switch {
	case !hasAgent && !hasFlow:
		writeError(w, http.StatusBadRequest, "missing_field", "dispatch needs an \"agent\" or a \"flow\" object",
			"send {\"agent\": {...}} or {\"flow\": {...}} with the messages (runtype-protocol.md §5)")
		return
	case hasAgent && hasFlow:
		writeError(w, http.StatusBadRequest, "invalid_request", "dispatch takes an \"agent\" or a \"flow\", not both",
			"remove one of them")
		return
	}
	if msg := checkClientTools(req["clientTools"]); msg != "" {
		writeError(w, http.StatusBadRequest, "invalid_client_tools", msg,
			"each client tool needs a name, a description and origin \"sdk\" or \"webmcp\"")
		return
	}
	var meta struct {
		Scenario *string  `json:"scenario"`
		Deltas   *float64 `json:"deltas"`
	}
	if raw, ok := req["metadata"]; ok && !isNull(raw) {
		if !isObject(raw) || json.Unmarshal(raw, &meta) != nil {
			writeError(w, http.StatusBadRequest, "invalid_field",
				"metadata must be an object (metadata.scenario a string, metadata.deltas a number)", "fix the metadata field")
			return
		}
	}

	name := s.opts.Scenario
	if q := r.URL.Query().Get("scenario"); q != "" {
		name = q
	}
	if meta.Scenario != nil && *meta.Scenario != "" {
		name = *meta.Scenario
	}
	if name == "" {
		name = defaultScenario
	}
	def, ok := s.defs[name]
	if !ok {
		writeError(w, http.StatusBadRequest, "unknown_scenario", fmt.Sprintf("unknown scenario %q", name),
			"valid scenarios: "+strings.Join(scenarioNames(), ", "))
		return
	}
	deltas := defaultDeltas
	if meta.Deltas != nil {
		d := *meta.Deltas
		if d != float64(int(d)) || d < 1 || d > maxDeltas {
			writeError(w, http.StatusBadRequest, "invalid_field",
				fmt.Sprintf("metadata.deltas must be a whole number from 1 to %d", maxDeltas), "fix metadata.deltas")
			return
		}
		deltas = int(d)
	}

	now := time.Now()
	x := &execution{
		id:      newExecID(),
		def:     def,
		legacy:  s.opts.Legacy || r.URL.Query().Get("events") == "legacy",
		started: now,
		deltas:  deltas,
		state:   stStreaming,
	}
	s.mu.Lock()
	s.execs[x.id] = x
	s.mu.Unlock()

	st := s.newRun(w, r, x, 0, 0, 0)
	defer st.end()
	def.start(st, x.deltas)
}

// resume handles POST /v1/dispatch/resume.
func (s *Server) resume(w http.ResponseWriter, r *http.Request, body []byte) {
	var req struct {
		ExecutionID *string                    `json:"executionId"`
		ToolOutputs map[string]json.RawMessage `json:"toolOutputs"`
	}
	if !decodeBody(w, body, &req) {
		return
	}
	if req.ExecutionID == nil || *req.ExecutionID == "" {
		missingField(w, "executionId", "the executionId from the await frame")
		return
	}
	s.continueWith(w, r, *req.ExecutionID, &contRequest{tools: true, outputs: req.ToolOutputs})
}

// approve handles POST /v1/dispatch/approve.
func (s *Server) approve(w http.ResponseWriter, r *http.Request, body []byte) {
	var req approvalFields
	if !decodeBody(w, body, &req) {
		return
	}
	if req.ExecutionID == nil || *req.ExecutionID == "" {
		missingField(w, "executionId", "the executionId from the approval_start frame")
		return
	}
	c, ok := req.check(w)
	if !ok {
		return
	}
	s.continueWith(w, r, *req.ExecutionID, c)
}

// approvalFields are the approval decision fields shared by /approve and the
// approval form of /continue.
type approvalFields struct {
	ExecutionID *string `json:"executionId"`
	ApprovalID  *string `json:"approvalId"`
	Decision    *string `json:"decision"`
	Reason      string  `json:"reason"`
}

func (a *approvalFields) check(w http.ResponseWriter) (*contRequest, bool) {
	if a.ApprovalID == nil || *a.ApprovalID == "" {
		missingField(w, "approvalId", "the approvalId from the approval_start frame")
		return nil, false
	}
	if a.Decision == nil || (*a.Decision != "approved" && *a.Decision != "denied") {
		writeError(w, http.StatusBadRequest, "invalid_field", "decision must be \"approved\" or \"denied\"",
			"send \"decision\": \"approved\" or \"denied\"")
		return nil, false
	}
	return &contRequest{approvalID: *a.ApprovalID, decision: *a.Decision, reason: a.Reason}, true
}

// continueExecution handles POST /v1/dispatch/continue. Its body shape is
// undocumented (runtype-protocol.md §4.4); the simulator accepts the
// plausible form {executionId, continuation: {type: "tool_outputs",
// toolOutputs} | {type: "approval", approvalId, decision, reason}} and then
// applies exactly the rules of /resume and /approve.
func (s *Server) continueExecution(w http.ResponseWriter, r *http.Request, body []byte) {
	var req struct {
		ExecutionID  *string `json:"executionId"`
		Continuation *struct {
			Type        string                     `json:"type"`
			ToolOutputs map[string]json.RawMessage `json:"toolOutputs"`
			approvalFields
		} `json:"continuation"`
	}
	if !decodeBody(w, body, &req) {
		return
	}
	if req.ExecutionID == nil || *req.ExecutionID == "" {
		missingField(w, "executionId", "the executionId of the paused execution")
		return
	}
	if req.Continuation == nil {
		missingField(w, "continuation", "{\"type\": \"tool_outputs\", \"toolOutputs\": {...}} or {\"type\": \"approval\", ...}")
		return
	}
	switch c := req.Continuation; c.Type {
	case "tool_outputs":
		s.continueWith(w, r, *req.ExecutionID, &contRequest{tools: true, outputs: c.ToolOutputs})
	case "approval":
		cr, ok := c.approvalFields.check(w)
		if !ok {
			return
		}
		s.continueWith(w, r, *req.ExecutionID, cr)
	default:
		writeError(w, http.StatusBadRequest, "invalid_field",
			fmt.Sprintf("continuation.type must be \"tool_outputs\" or \"approval\", not %q", c.Type),
			"set continuation.type")
	}
}

// contRequest is a validated continuation: tool outputs, or a decision.
type contRequest struct {
	tools      bool
	outputs    map[string]json.RawMessage
	approvalID string
	decision   string
	reason     string
}

// continueWith checks the execution against the continuation and, when it
// fits, streams the next part of the scenario. Every refusal that depends on
// the execution's state is a 404, because that is how the real API answers a
// continuation it cannot take (runtype-protocol.md §4.1).
func (s *Server) continueWith(w http.ResponseWriter, r *http.Request, id string, c *contRequest) {
	s.mu.Lock()
	x, refusal := s.acceptLocked(id, c)
	if refusal != nil {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, refusal.code, refusal.msg, refusal.hint)
		return
	}
	cont := &continuation{stage: x.stage, decision: c.decision, reason: c.reason, approval: x.approval}
	var missing []call
	if c.tools {
		for _, pc := range x.pending {
			out, ok := x.answers[pc.ID]
			if !ok {
				missing = append(missing, pc)
				continue
			}
			cont.calls = append(cont.calls, answered{call: pc, Output: out})
		}
	}
	x.state = stStreaming
	st := s.newRun(w, r, x, x.iteration, x.turns, x.texts)
	s.mu.Unlock()

	defer st.end()
	if len(missing) > 0 {
		// A resume that leaves calls unanswered re-pauses: the stream
		// carries only the awaits still open, and the answers given so far
		// are kept for the next resume.
		st.repause = true
		st.awaitTools(missing...)
		return
	}
	x.def.next(st, cont)
}

type refusal struct{ code, msg, hint string }

// acceptLocked decides whether execution id can take continuation c and, for
// tool outputs, records the answers. s.mu must be held.
func (s *Server) acceptLocked(id string, c *contRequest) (*execution, *refusal) {
	x, ok := s.execs[id]
	if !ok {
		return nil, &refusal{"execution_not_found", fmt.Sprintf("execution %s not found", id),
			"use the executionId carried on the await or approval_start frame"}
	}
	if x.id != id {
		return nil, &refusal{"execution_not_found", fmt.Sprintf("execution %s not found", id),
			"this execution paused under another id: resume with the executionId on the await frame itself, not the one from execution_start"}
	}
	switch x.state {
	case stStreaming:
		return nil, &refusal{"continuation_in_progress", fmt.Sprintf("execution %s is not paused: a stream for it is still running", id),
			"wait for the current stream to end; never send two continuations for one execution at once"}
	case stPaused:
	default:
		return nil, &refusal{"execution_not_paused", fmt.Sprintf("execution %s is not paused (it %s)", id, x.state),
			"only a paused execution can be resumed; dispatch again to start a new run"}
	}
	if c.tools {
		if x.approval != nil {
			return nil, &refusal{"not_awaiting_tool_outputs", fmt.Sprintf("execution %s waits for an approval, not tool outputs", id),
				"answer it with POST /v1/dispatch/approve and approvalId " + x.approval.ID}
		}
		s.applyOutputsLocked(x, c.outputs)
		return x, nil
	}
	if x.approval == nil {
		return nil, &refusal{"not_awaiting_approval", fmt.Sprintf("execution %s waits for tool outputs, not an approval", id),
			"send the outputs with POST /v1/dispatch/resume"}
	}
	if x.approval.ID != c.approvalID {
		return nil, &refusal{"approval_not_found", fmt.Sprintf("approval %s not found on execution %s", c.approvalID, id),
			"use the approvalId from the approval_start frame"}
	}
	return x, nil
}

// applyOutputsLocked stores the outputs that answer pending calls. A key
// equal to a call's toolCallId answers that call; otherwise a key equal to a
// tool name answers every still-unanswered call of that tool (the documented
// legacy fallback, which collapses parallel calls onto one output). Other
// keys are ignored, as the real API does.
func (s *Server) applyOutputsLocked(x *execution, outputs map[string]json.RawMessage) {
	byID := make(map[string]bool)
	for _, pc := range x.pending {
		if out, ok := outputs[pc.ID]; ok {
			x.answers[pc.ID] = out
			byID[pc.ID] = true
		}
	}
	for _, pc := range x.pending {
		if byID[pc.ID] {
			continue
		}
		if out, ok := outputs[pc.Name]; ok {
			x.answers[pc.ID] = out
		}
	}
}

// newRun starts the SSE response and returns the stream state for it.
func (s *Server) newRun(w http.ResponseWriter, r *http.Request, x *execution, iteration, turns, texts int) *run {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	rc.Flush()
	var afterFrame func(int)
	if s.testHook != nil {
		path := r.URL.Path
		afterFrame = func(n int) { s.testHook(path, n) }
	}
	st := &run{
		afterFrame: afterFrame,
		sw: &sseWriter{
			w: w, rc: rc, ctx: r.Context(),
			crlf: s.opts.CRLF, comments: s.opts.Comments, split: s.opts.Split,
		},
		legacy:    x.legacy,
		execID:    x.id,
		delay:     s.opts.Delay,
		started:   x.started,
		kinds:     []string{x.def.Kind},
		iteration: iteration,
		turns:     turns,
		texts:     texts,
		outcome:   stCompleted,
	}
	st.end = sync.OnceFunc(func() { s.finish(x, st) })
	return st
}

func decodeBody(w http.ResponseWriter, body []byte, v any) bool {
	if !isObject(body) {
		badJSON(w, nil)
		return false
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			writeError(w, http.StatusBadRequest, "invalid_field",
				fmt.Sprintf("field %s has the wrong type (got JSON %s)", te.Field, te.Value), "fix the field's type")
			return false
		}
		badJSON(w, err)
		return false
	}
	return true
}

func badJSON(w http.ResponseWriter, err error) {
	msg := "request body is not a JSON object"
	if err != nil {
		msg += ": " + err.Error()
	}
	writeError(w, http.StatusBadRequest, "invalid_json", msg, "send a JSON object with Content-Type: application/json")
}

func missingField(w http.ResponseWriter, field, what string) {
	writeError(w, http.StatusBadRequest, "missing_field", fmt.Sprintf("missing required field %q", field),
		fmt.Sprintf("set %q to %s", field, what))
}

// checkClientTools validates clientTools the way the real API does: origin
// must be "sdk" or "webmcp" (anything else, "local" included, is a 400).
func checkClientTools(raw json.RawMessage) string {
	if len(raw) == 0 || isNull(raw) {
		return ""
	}
	var tools []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &tools); err != nil {
		return "clientTools must be an array of objects"
	}
	for i, t := range tools {
		var name, origin string
		if json.Unmarshal(t["name"], &name) != nil || name == "" {
			return fmt.Sprintf("clientTools[%d] has no name", i)
		}
		if json.Unmarshal(t["origin"], &origin) != nil || (origin != "sdk" && origin != "webmcp") {
			return fmt.Sprintf("clientTools[%d] (%s): origin must be \"sdk\" or \"webmcp\"", i, name)
		}
	}
	return ""
}

func isObject(raw []byte) bool {
	for _, c := range raw {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c == '{'
	}
	return false
}

func isNull(raw json.RawMessage) bool { return strings.TrimSpace(string(raw)) == "null" }
