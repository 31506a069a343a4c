package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	// Aliased: this package's tests declare a helper named record.
	recfile "rtinspect/api/record"
)

// Continuation kinds, named after the endpoint that carries them.
const (
	kindDispatch = "dispatch"
	kindResume   = "resume"
	kindApprove  = "approve"
	kindContinue = "continue"
)

// exchange is one recorded HTTP exchange: a request, its response, the
// frames of its stream and how the stream ended, all sharing one stream
// number in the recording. It is built once by NewPlayback and never
// changed, so streams read it without holding the server's lock.
type exchange struct {
	stream int
	kind   string // kindDispatch, kindResume, ...; "" for another path
	path   string // the recorded request path, for messages
	execID string // the execution a continuation named ("" on a dispatch)

	// start is when the response arrived (the request was sent, when no
	// response was recorded): the reference for the first frame's gap.
	start       time.Time
	status      int // 0: no response was recorded (a network failure, a kill)
	contentType string
	errorBody   string

	frames []recfile.Record

	endReason string    // "" when the recording has no end for the stream
	endAt     time.Time // zero when no end was recorded
}

// failed reports a recorded non-2xx response, replayed as it was.
func (ex *exchange) failed() bool {
	return ex.status != 0 && (ex.status < 200 || ex.status > 299)
}

// streams reports whether the exchange is replayed as an event stream. An
// exchange that is neither this nor failed had no response at all, and is
// replayed by closing the connection.
func (ex *exchange) streams() bool {
	return !ex.failed() && (ex.status != 0 || len(ex.frames) > 0)
}

// playback is a recording being served. exchanges is immutable; the other
// fields are guarded by Server.mu.
type playback struct {
	path      string     // the recording's file, for messages
	exchanges []exchange // from the first dispatch on, in recorded order

	started   bool      // a dispatch has been served
	gen       int       // dispatches served: a new dispatch restarts the playback
	next      int       // index of the exchange the next continuation must match
	last      *exchange // the exchange served last
	streaming bool      // a stream of generation gen is being written
}

// NewPlayback returns a server that plays rec back instead of running
// scenarios. It returns an error when the recording has no dispatch request.
//
// Every POST /v1/dispatch plays the recording from its first dispatch, so
// one server can be replayed against repeatedly. Each continuation (resume,
// approve, continue) gets the next recorded exchange, but only when it uses
// the recorded endpoint and names the recorded executionId; anything else is
// refused with a 404 like the real API's. Streams carry the recorded frames
// as they were received, paced by Options.Speed and Options.Delay and shaped
// by the wire quirks; a stream that was dropped is cut, and a response that
// was an HTTP error is that error again. Authentication, routing and
// Requests work as on a scenario server; Scenario and Legacy are ignored.
func NewPlayback(rec *recfile.Recording, opts Options) (*Server, error) {
	if rec == nil {
		return nil, errors.New("sim: no recording to play back")
	}
	exs := exchangesOf(rec.Records)
	first := -1
	for i := range exs {
		if exs[i].kind == kindDispatch {
			first = i
			break
		}
	}
	if first < 0 {
		name := rec.Path
		if name == "" {
			name = "the recording"
		}
		return nil, fmt.Errorf("sim: %s has no dispatch request to play back", name)
	}
	s := New(opts)
	s.pb = &playback{path: rec.Path, exchanges: exs[first:]}
	return s, nil
}

// exchangesOf groups records by stream number, in the order streams first
// appear. Lines without a stream (the header) are skipped, and so is a
// stream whose request line is missing: without it, nothing says which
// request the stream answered.
func exchangesOf(records []recfile.Record) []exchange {
	var exs []exchange
	index := make(map[int]int)
	for _, r := range records {
		if r.Stream <= 0 || r.Kind == recfile.KindHeader {
			continue
		}
		i, ok := index[r.Stream]
		if !ok {
			i = len(exs)
			index[r.Stream] = i
			exs = append(exs, exchange{stream: r.Stream})
		}
		ex := &exs[i]
		switch r.Kind {
		case recfile.KindRequest:
			if ex.path != "" {
				continue // a repeated request line: the first one counts
			}
			ex.path = r.Path
			ex.kind = endpointKind(r.Path)
			ex.execID = r.ExecutionID
			if ex.execID == "" && ex.kind != kindDispatch {
				ex.execID = bodyExecutionID(r.Body)
			}
			if ex.start.IsZero() {
				ex.start = r.At
			}
		case recfile.KindResponse:
			if ex.status != 0 {
				continue
			}
			ex.status = r.Status
			ex.contentType = r.ContentType
			ex.errorBody = r.ErrorBody
			if !r.At.IsZero() {
				ex.start = r.At
			}
		case recfile.KindFrame:
			ex.frames = append(ex.frames, r)
		case recfile.KindEnd:
			if ex.endReason == "" {
				ex.endReason, ex.endAt = r.Reason, r.At
			}
		}
	}
	kept := exs[:0]
	for _, ex := range exs {
		if ex.path != "" {
			kept = append(kept, ex)
		}
	}
	return kept
}

// endpointKind names the endpoint of a recorded request path. It matches
// the end of the path, so a recording made against an API mounted under a
// prefix plays back too.
func endpointKind(path string) string {
	path = strings.TrimRight(path, "/")
	switch {
	case strings.HasSuffix(path, pathResume):
		return kindResume
	case strings.HasSuffix(path, pathApprove):
		return kindApprove
	case strings.HasSuffix(path, pathContinue):
		return kindContinue
	case strings.HasSuffix(path, pathDispatch):
		return kindDispatch
	}
	return ""
}

// bodyExecutionID reads executionId from a recorded request body, for a
// recording whose request line does not carry it separately.
func bodyExecutionID(body json.RawMessage) string {
	var b struct {
		ExecutionID string `json:"executionId"`
	}
	json.Unmarshal(body, &b)
	return b.ExecutionID
}

// play serves one routed, authenticated request from the recording.
func (s *Server) play(w http.ResponseWriter, r *http.Request, body []byte) {
	switch r.URL.Path {
	case pathDispatch:
		s.playDispatch(w, r)
	case pathResume:
		s.playContinuation(w, r, kindResume, body)
	case pathApprove:
		s.playContinuation(w, r, kindApprove, body)
	case pathContinue:
		s.playContinuation(w, r, kindContinue, body)
	}
}

// playDispatch restarts the playback and serves its first exchange. The
// request body is not checked: a replay re-sends the recorded one, and
// whatever the client sends, the recording's answer is the answer. A stream
// of an earlier generation still being written carries on, but no longer
// counts: continuations now follow the new one.
func (s *Server) playDispatch(w http.ResponseWriter, r *http.Request) {
	pb := s.pb
	s.mu.Lock()
	pb.gen++
	gen := pb.gen
	ex := &pb.exchanges[0]
	pb.started = true
	pb.next = 1
	pb.last = ex
	pb.streaming = ex.streams()
	s.mu.Unlock()
	s.playExchange(w, r, ex, gen)
}

// playContinuation serves the next recorded exchange if the continuation
// matches it. Every refusal that depends on where the playback stands is a
// 404, as on the real API (runtype-protocol.md §4.1).
func (s *Server) playContinuation(w http.ResponseWriter, r *http.Request, kind string, body []byte) {
	var req struct {
		ExecutionID *string `json:"executionId"`
	}
	if !decodeBody(w, body, &req) {
		return
	}
	if req.ExecutionID == nil || *req.ExecutionID == "" {
		missingField(w, "executionId", "the executionId of the paused execution")
		return
	}
	s.mu.Lock()
	ex, gen, ref := s.acceptPlaybackLocked(kind, *req.ExecutionID)
	s.mu.Unlock()
	if ref != nil {
		writeError(w, http.StatusNotFound, ref.code, ref.msg, ref.hint)
		return
	}
	s.playExchange(w, r, ex, gen)
}

// acceptPlaybackLocked decides whether a continuation of the given kind for
// execution id is the next recorded exchange and, when it is, claims that
// exchange. s.mu must be held.
func (s *Server) acceptPlaybackLocked(kind, id string) (*exchange, int, *refusal) {
	pb := s.pb
	if !pb.started {
		return nil, 0, &refusal{"execution_not_found", fmt.Sprintf("execution %s not found", id),
			"nothing has been dispatched yet: the playback starts with POST /v1/dispatch"}
	}
	if pb.streaming {
		return nil, 0, &refusal{"continuation_in_progress", fmt.Sprintf("execution %s is not paused: a stream for it is still running", id),
			"wait for the current stream to end; never send two continuations for one execution at once"}
	}
	if pb.next >= len(pb.exchanges) {
		how := "ended"
		if pb.last.endReason != "" {
			how = pb.last.endReason
		}
		return nil, 0, &refusal{"recording_ended", fmt.Sprintf("execution %s cannot continue: the recording has nothing after its last stream (%s)", id, how),
			"the recording ends here; dispatch again to play it from the start"}
	}
	ex := &pb.exchanges[pb.next]
	if ex.execID != "" && ex.execID != id {
		return nil, 0, &refusal{"execution_not_found", fmt.Sprintf("execution %s not found", id),
			fmt.Sprintf("the recording continues execution %s: use the executionId carried on its await or approval_start frame", ex.execID)}
	}
	if ex.kind != kind {
		code := "execution_not_paused"
		switch {
		case kind == kindResume && ex.kind == kindApprove:
			code = "not_awaiting_tool_outputs"
		case kind == kindApprove && ex.kind == kindResume:
			code = "not_awaiting_approval"
		}
		next := "a new dispatch"
		if ex.kind != kindDispatch {
			next = "POST " + ex.path
		}
		return nil, 0, &refusal{code, fmt.Sprintf("execution %s is not paused for a %s here", id, kind),
			"the recording continues with " + next}
	}
	pb.next++
	pb.last = ex
	pb.streaming = ex.streams()
	return ex, pb.gen, nil
}

// endPlaybackStream marks the stream of generation gen as over, unless a
// later dispatch has restarted the playback meanwhile.
func (s *Server) endPlaybackStream(gen int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pb.gen == gen {
		s.pb.streaming = false
	}
}

// playExchange answers with the recorded exchange ex, claimed under
// generation gen.
func (s *Server) playExchange(w http.ResponseWriter, r *http.Request, ex *exchange, gen int) {
	switch {
	case ex.failed():
		ct := ex.contentType
		if ct == "" {
			ct = "application/json"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Cache-Control", "no-cache")
		w.WriteHeader(ex.status)
		w.Write([]byte(ex.errorBody))
		return
	case !ex.streams():
		// No response was recorded: the request failed on the network (or
		// the recorder was killed first). Hanging up reproduces that.
		hangUp(http.NewResponseController(w))
		return
	}

	// As in Server.finish: the stream is marked over before the handler
	// returns, and before a drop is cut, so a continuation sent as soon as
	// the client sees the end meets a settled playback.
	end := sync.OnceFunc(func() { s.endPlaybackStream(gen) })
	defer end()

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	status := ex.status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	rc := http.NewResponseController(w)
	rc.Flush()
	sw := &sseWriter{
		w: w, rc: rc, ctx: r.Context(),
		crlf: s.opts.CRLF, comments: s.opts.Comments, split: s.opts.Split,
	}
	waits, endWait := ex.waits(s.opts.Speed, s.opts.Delay)
	for i := range ex.frames {
		sw.sleep(waits[i])
		if !sw.alive() {
			return
		}
		sw.write(sw.encodeRecorded(&ex.frames[i]))
		if s.testHook != nil {
			s.testHook(r.URL.Path, sw.frames)
		}
	}
	sw.sleep(endWait)
	if ex.endReason == recfile.EndDropped && sw.alive() {
		end()
		hangUp(rc)
	}
}

// encodeRecorded renders a recorded frame: its id, event and data lines as
// received (a multi-line data value becomes several data lines again), then
// the blank line. The Comments quirk adds its keep-alive comments, and an id
// line on a frame that was received without one.
func (sw *sseWriter) encodeRecorded(f *recfile.Record) []byte {
	nl := "\n"
	if sw.crlf {
		nl = "\r\n"
	}
	var b bytes.Buffer
	if f.Data != nil {
		b.Grow(len(*f.Data) + len(f.Event) + len(f.ID) + 32)
	}
	if sw.comments && sw.frames%3 == 0 {
		b.WriteString(": keep-alive" + nl + nl)
	}
	id := f.ID
	if id == "" && sw.comments {
		id = strconv.Itoa(sw.frames + 1)
	}
	if id != "" {
		b.WriteString("id: " + id + nl)
	}
	if f.Event != "" {
		b.WriteString("event: " + f.Event + nl)
	}
	if f.Data != nil {
		for line := range strings.SplitSeq(*f.Data, "\n") {
			b.WriteString("data: " + line + nl)
		}
	}
	b.WriteString(nl)
	sw.frames++
	return b.Bytes()
}

// hangUp closes the connection under the response, so the client sees the
// exchange fail mid-way: a stream already begun ends without its terminating
// chunk (Go's client reports io.ErrUnexpectedEOF), a response not yet begun
// never arrives.
func hangUp(rc *http.ResponseController) {
	conn, _, err := rc.Hijack()
	if err != nil {
		// HTTP/2 and some wrappers cannot hijack; aborting the handler
		// resets the stream, which the client sees as a failure too.
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

// waits returns how long to pause before each recorded frame and before
// the stream's recorded end: the recorded gap scaled by speed (see
// scaledGap), plus delay before every frame but the first.
func (ex *exchange) waits(speed float64, delay time.Duration) (frames []time.Duration, end time.Duration) {
	frames = make([]time.Duration, len(ex.frames))
	prev := ex.start
	for i, f := range ex.frames {
		d := scaledGap(prev, f.At, speed)
		if i > 0 && delay > 0 {
			d = addWait(d, delay)
		}
		frames[i] = d
		if !f.At.IsZero() {
			prev = f.At
		}
	}
	return frames, scaledGap(prev, ex.endAt, speed)
}

// maxWait is the longest wait playback computes; longer ones saturate.
const maxWait = time.Duration(math.MaxInt64)

// scaledGap is the recorded time from prev to at divided by speed. It is 0
// when speed is not positive (play as fast as possible), when either time
// is missing, and when the clock went backwards between them.
func scaledGap(prev, at time.Time, speed float64) time.Duration {
	if !(speed > 0) || prev.IsZero() || at.IsZero() {
		return 0
	}
	d := at.Sub(prev)
	if d <= 0 {
		return 0
	}
	f := float64(d) / speed
	if f >= float64(maxWait) {
		return maxWait
	}
	return time.Duration(f)
}

// addWait adds two non-negative waits, saturating instead of overflowing.
func addWait(a, b time.Duration) time.Duration {
	if a > maxWait-b {
		return maxWait
	}
	return a + b
}
