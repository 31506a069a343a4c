package model

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"rtinspect/api"
	"rtinspect/api/record"
)

// liveRun drives a Session exactly as the inspector does during a live run
// (Begin, StreamOpened or RequestFailed, one Decoder across streams, Apply,
// EndStream) and writes the recording the client's Recorder would write,
// with one shared fake clock, so a Player's result can be compared with
// what the live run showed.
type liveRun struct {
	t      *testing.T
	s      *Session
	dec    *api.Decoder
	recs   []record.Record
	clock  time.Time
	stream int
	sent   int
}

func newLiveRun(t *testing.T) *liveRun {
	l := &liveRun{t: t, dec: api.NewDecoder(), clock: t0}
	l.s = NewSession()
	l.s.Now = func() time.Time { return l.clock }
	return l
}

func (l *liveRun) tick() { l.clock = l.clock.Add(7 * time.Millisecond) }

func (l *liveRun) write(r record.Record) {
	r.At = l.clock
	r.Line = len(l.recs) + 2 // line 1 is the header
	l.recs = append(l.recs, r)
}

// request begins req live and records it, as ui.send then Client.Send do.
func (l *liveRun) request(path string, body string) {
	l.t.Helper()
	l.tick()
	req := api.Request{Method: "POST", Path: path, Query: "events=unified", Body: []byte(body)}
	if path != api.PathDispatch {
		req.ExecutionID = bodyExecutionID(req.Body)
	}
	if path == api.PathDispatch && l.s.Kind() == "" {
		l.s.SetKind(KindOfDispatch(req.Body)) // as main does
	}
	if err := l.s.Begin(req); err != nil {
		l.t.Fatalf("live Begin(%s): got error %v, want nil", path, err)
	}
	if l.sent > 0 {
		l.dec.NewStream()
	}
	l.sent++
	l.stream++
	l.write(record.Record{Kind: record.KindRequest, Stream: l.stream, Method: req.Method, Path: req.Path,
		Query: req.Query, Body: json.RawMessage(body), ExecutionID: req.ExecutionID})
}

func (l *liveRun) open() {
	l.tick()
	l.write(record.Record{Kind: record.KindResponse, Stream: l.stream, Status: 200, ContentType: "text/event-stream"})
	l.s.StreamOpened()
}

// refuse answers the request with an HTTP error: the real client's error
// goes to the live session, its text to the "error" end.
func (l *liveRun) refuse(status int, body string) {
	l.t.Helper()
	l.tick()
	err := realHTTPError(l.t, status, body)
	l.write(record.Record{Kind: record.KindResponse, Stream: l.stream, Status: status,
		ContentType: "application/json", ErrorBody: body})
	l.write(record.Record{Kind: record.KindEnd, Stream: l.stream, Reason: record.EndError, Error: err.Error()})
	l.s.RequestFailed(err)
}

// sendFails is a request that fails with err before any response line (a
// network error), or after a 2xx response that is not an event stream
// when contentType is set.
func (l *liveRun) sendFails(contentType string, err error) {
	l.tick()
	if contentType != "" {
		l.write(record.Record{Kind: record.KindResponse, Stream: l.stream, Status: 200, ContentType: contentType})
	}
	l.write(record.Record{Kind: record.KindEnd, Stream: l.stream, Reason: record.EndError, Error: err.Error()})
	l.s.RequestFailed(err)
}

// frames records and folds SSE frames: each is "event\ndata" or just data.
func (l *liveRun) frames(frames ...string) {
	for _, f := range frames {
		l.tick()
		event, data, ok := strings.Cut(f, "\n")
		if !ok {
			event, data = "", f
		}
		fr := api.Frame{Event: event, Data: data, At: l.clock}
		d := data
		l.write(record.Record{Kind: record.KindFrame, Stream: l.stream, Event: event, Data: &d})
		for _, ev := range l.dec.Decode(nil, fr) {
			l.s.Apply(ev)
		}
	}
}

// end ends the stream live and records why, as Stream.Finish does.
func (l *liveRun) end(err error) api.RunState {
	l.tick()
	st := l.s.EndStream(err)
	r := record.Record{Kind: record.KindEnd, Stream: l.stream, Reason: st.String()}
	if err != nil {
		r.Error = err.Error()
	}
	l.write(r)
	return st
}

func (l *liveRun) recording() *record.Recording {
	return &record.Recording{
		Path:    "live.jsonl",
		Header:  record.Record{Kind: record.KindHeader, Format: record.Format, Version: record.Version, Line: 1},
		Records: l.recs,
	}
}

// realHTTPError gets the error the real client returns for this status and
// body.
func realHTTPError(t *testing.T, status int, body string) error {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	defer srv.Close()
	c := api.NewClient(srv.URL, "")
	st, err := c.Send(context.Background(), api.Request{Method: "POST", Path: api.PathResume, Body: []byte(`{}`)})
	if err == nil {
		st.Close()
		t.Fatalf("Send to a %d server: got no error, want one", status)
	}
	return err
}

// dump renders everything the inspector shows of a session, so two
// sessions can be compared as text.
func dump(s *Session) string {
	var b strings.Builder
	fmt.Fprintf(&b, "state=%s kind=%q exec=%q lastError=%q failure=%q inFlight=%v\n",
		s.State(), s.Kind(), s.ExecutionID(), s.LastError(), s.Failure(), s.InFlight())
	fmt.Fprintf(&b, "counts=%+v\n", s.Counts())
	for i := 0; i < s.RowCount(); i++ {
		r := s.Row(i)
		fmt.Fprintf(&b, "row %d: %s %s id=%q exec=%q %q status=%q depth=%d at=%s done=%v events=%v text=%q\n",
			i, r.Kind, r.Type, r.ID, r.ExecutionID, r.Title, r.Status, r.Depth,
			r.At.Format(time.RFC3339Nano), r.Done(), r.Events, r.Text())
	}
	for _, c := range s.Pending() {
		fmt.Fprintf(&b, "pending %s %s %s params=%s since=%s draft=%s %q\n",
			c.ExecutionID, c.Key(), c.ToolName, c.Parameters, c.Since.Format(time.RFC3339Nano), c.Draft.State, c.Draft.Text)
	}
	for _, a := range s.Approvals() {
		fmt.Fprintf(&b, "approval %s %s %s since=%s\n", a.ExecutionID, a.ApprovalID, a.ToolName, a.Since.Format(time.RFC3339Nano))
	}
	for i, ev := range s.Events() {
		fmt.Fprintf(&b, "event %d: %s %s id=%q frameAt=%s\n", i, ev.Type, ev.ExecutionID, ev.ID, ev.Frame.At.Format(time.RFC3339Nano))
	}
	fmt.Fprintf(&b, "messages=%s %q\n", s.Messages().State, s.Messages().Text)
	return b.String()
}

// Frames of transcript 9b (two parallel add_to_cart calls, then the resume
// stream), with a ping and the text split in deltas.
const (
	fExecStart = "execution_start\n" + `{"type":"execution_start","executionId":"exec_dfa82c9d","seq":0,"kind":"agent","agentName":"Switchback Assistant"}`
	fTurnStart = "turn_start\n" + `{"type":"turn_start","executionId":"exec_dfa82c9d","seq":1,"id":"turn_a1","iteration":1,"role":"assistant"}`
	fTextStart = "text_start\n" + `{"type":"text_start","executionId":"exec_dfa82c9d","seq":2,"id":"text_1","role":"assistant"}`
	fDelta1    = "text_delta\n" + `{"type":"text_delta","executionId":"exec_dfa82c9d","seq":3,"id":"text_1","delta":"Adding "}`
	fPing      = "ping\n" + `{"type":"ping","timestamp":"2026-06-20T10:05:00.500Z"}`
	fDelta2    = "text_delta\n" + `{"type":"text_delta","executionId":"exec_dfa82c9d","seq":4,"id":"text_1","delta":"both now."}`
	fTextDone  = "text_complete\n" + `{"type":"text_complete","executionId":"exec_dfa82c9d","seq":5,"id":"text_1","text":"Adding both now."}`
	fTool1     = "tool_start\n" + `{"type":"tool_start","executionId":"exec_dfa82c9d","seq":6,"toolCallId":"call_Q1","toolName":"add_to_cart","toolType":"local","parameters":{"sku":"SHOE-001","qty":1}}`
	fTool2     = "tool_start\n" + `{"type":"tool_start","executionId":"exec_dfa82c9d","seq":7,"toolCallId":"call_Q2","toolName":"add_to_cart","toolType":"local","parameters":{"sku":"SHOE-007","qty":1}}`
	fAwait1    = "await\n" + `{"type":"await","executionId":"virtual_1781574599723_gljgv7bqa","seq":9,"awaitReason":"local_tool_required","toolId":"runtime_add_to_cart_1","toolCallId":"call_Q1","toolName":"add_to_cart","parameters":{"sku":"SHOE-001","qty":1}}`
	fAwait2    = "await\n" + `{"type":"await","executionId":"virtual_1781574599723_gljgv7bqa","seq":10,"toolId":"runtime_add_to_cart_1","toolCallId":"call_Q2","toolName":"add_to_cart","parameters":{"sku":"SHOE-007","qty":1}}`

	rTurnStart = "turn_start\n" + `{"type":"turn_start","executionId":"virtual_1781574599723_gljgv7bqa","seq":0,"id":"turn_a2","iteration":1,"role":"assistant"}`
	rTextStart = "text_start\n" + `{"type":"text_start","executionId":"virtual_1781574599723_gljgv7bqa","seq":1,"id":"text_1","role":"assistant"}`
	rDelta     = "text_delta\n" + `{"type":"text_delta","executionId":"virtual_1781574599723_gljgv7bqa","seq":2,"id":"text_1","delta":"Added both shoes. Cart total: $288."}`
	rTextDone  = "text_complete\n" + `{"type":"text_complete","executionId":"virtual_1781574599723_gljgv7bqa","seq":3,"id":"text_1","text":"Added both shoes. Cart total: $288."}`
	rTurnDone  = "turn_complete\n" + `{"type":"turn_complete","executionId":"virtual_1781574599723_gljgv7bqa","seq":4,"id":"turn_a2","role":"assistant","stopReason":"end_turn","tokens":{"input":2100,"output":18}}`
	rExecDone  = "execution_complete\n" + `{"type":"execution_complete","executionId":"virtual_1781574599723_gljgv7bqa","seq":5,"kind":"agent","success":true,"finalOutput":"Added both shoes. Cart total: $288."}`

	dispatchBody = `{"agent":{"agentId":"agent_01shop"},"messages":[{"role":"user","content":"add both"}],"streamResponse":true}`
	resumeBody   = `{"executionId":"virtual_1781574599723_gljgv7bqa","toolOutputs":{"call_Q1":{"ok":true,"cartTotal":149},"call_Q2":{"ok":true,"cartTotal":288}},"streamResponse":true}`
)

// Frames of transcript 9c (an approval).
const (
	aExecStart  = "execution_start\n" + `{"type":"execution_start","executionId":"exec_abc","seq":0,"kind":"agent","agentName":"Mail Assistant"}`
	aStart      = "approval_start\n" + `{"type":"approval_start","executionId":"exec_abc","seq":5,"approvalId":"appr_xyz789","toolCallId":"toolu_01Mx","toolName":"send_email","reason":"The user asked me.","parameters":{"to":"dana@example.com"}}`
	aComplete   = "approval_complete\n" + `{"type":"approval_complete","executionId":"exec_abc","seq":0,"approvalId":"appr_xyz789","decision":"denied","resolvedBy":"user"}`
	aExecDone   = "execution_complete\n" + `{"type":"execution_complete","executionId":"exec_abc","seq":8,"kind":"agent","success":true,"finalOutput":"Not sent."}`
	approveBody = `{"executionId":"exec_abc","approvalId":"appr_xyz789","decision":"denied","reason":"not today","streamResponse":true}`
)

// Legacy frames: deltas without block ids, so the decoder mints text_N ids
// that must stay distinct across streams.
const (
	lStart  = "agent_start\n" + `{"type":"agent_start","executionId":"exec_L","agentName":"Legacy","seq":1}`
	lTurn   = "agent_turn_start\n" + `{"type":"agent_turn_start","executionId":"exec_L","iteration":1,"role":"assistant","turnId":"turn_1","seq":2}`
	lDelta  = "agent_turn_delta\n" + `{"type":"agent_turn_delta","executionId":"exec_L","iteration":1,"turnId":"turn_1","contentType":"text","delta":"Looking it up.","seq":3}`
	lAwait  = "agent_await\n" + `{"type":"agent_await","executionId":"exec_L","toolCallId":"call_L1","toolName":"get_order","parameters":{"id":"A-1"},"seq":4}`
	lDelta2 = "agent_turn_delta\n" + `{"type":"agent_turn_delta","executionId":"exec_L","iteration":2,"turnId":"turn_2","contentType":"text","delta":"It shipped.","seq":1}`
	lDone   = "agent_complete\n" + `{"type":"agent_complete","executionId":"exec_L","success":true,"iterations":2,"finalOutput":"It shipped.","seq":2}`
)

// liveScripts are live runs covering every way a request and a stream end.
var liveScripts = []struct {
	name  string
	run   func(l *liveRun)
	state api.RunState
}{
	{"parallel pause, resume, complete", func(l *liveRun) {
		l.request(api.PathDispatch, dispatchBody)
		l.open()
		l.frames(fExecStart, fTurnStart, fTextStart, fDelta1, fPing, fDelta2, fTextDone, fTool1, fTool2, fAwait1, fAwait2)
		l.end(nil)
		l.request(api.PathResume, resumeBody)
		l.open()
		l.frames(rTurnStart, rTextStart, rDelta, rTextDone, rTurnDone, rExecDone)
		l.end(nil)
	}, api.RunCompleted},
	{"paused, drafts kept", func(l *liveRun) {
		l.request(api.PathDispatch, dispatchBody)
		l.open()
		l.frames(fExecStart, fTool1, fTool2, fAwait1, fAwait2)
		l.end(nil)
	}, api.RunPaused},
	{"resume refused with 404, then sent again", func(l *liveRun) {
		l.request(api.PathDispatch, dispatchBody)
		l.open()
		l.frames(fExecStart, fAwait1, fAwait2)
		l.end(nil)
		l.request(api.PathResume, resumeBody)
		l.refuse(404, `{"error":{"code":"not_found","message":"Execution is not paused"}}`)
		l.request(api.PathResume, resumeBody)
		l.open()
		l.frames(rTurnStart, rExecDone)
		l.end(nil)
	}, api.RunCompleted},
	{"dispatch refused with 401", func(l *liveRun) {
		l.request(api.PathDispatch, dispatchBody)
		l.refuse(401, `{"error":"unauthorized","message":"Missing or invalid API key"}`)
	}, api.RunFailed},
	{"dispatch answered with HTML", func(l *liveRun) {
		l.request(api.PathDispatch, dispatchBody)
		l.refuse(502, `<html><body><h1>Bad gateway</h1></body></html>`)
	}, api.RunFailed},
	{"network error", func(l *liveRun) {
		l.request(api.PathDispatch, dispatchBody)
		l.sendFails("", errors.New("POST /v1/dispatch: dial tcp 127.0.0.1:1: connect: connection refused"))
	}, api.RunFailed},
	{"2xx that is not an event stream", func(l *liveRun) {
		l.request(api.PathDispatch, dispatchBody)
		l.sendFails("application/json", errors.New(`POST /v1/dispatch: 200 OK: expected an event stream (text/event-stream), got content type "application/json"`))
	}, api.RunFailed},
	{"dropped mid-stream", func(l *liveRun) {
		l.request(api.PathDispatch, dispatchBody)
		l.open()
		l.frames(fExecStart, fTurnStart, fTextStart, fDelta1)
		l.end(errors.New("stream dropped: unexpected EOF"))
	}, api.RunDropped},
	{"cancelled by the user", func(l *liveRun) {
		l.request(api.PathDispatch, dispatchBody)
		l.open()
		l.frames(fExecStart, fTurnStart)
		l.end(context.Canceled)
	}, api.RunCancelled},
	{"execution error", func(l *liveRun) {
		l.request(api.PathDispatch, `{"flow":{"flowId":"f"}}`)
		l.open()
		l.frames("execution_start\n"+`{"type":"execution_start","executionId":"exec_F","kind":"flow"}`,
			"execution_error\n"+`{"type":"execution_error","executionId":"exec_F","error":{"code":"boom","message":"the model refused"}}`,
			`not json at all`)
		l.end(nil)
	}, api.RunFailed},
	{"approval denied", func(l *liveRun) {
		l.request(api.PathDispatch, dispatchBody)
		l.open()
		l.frames(aExecStart, aStart)
		l.end(nil)
		l.request(api.PathApprove, approveBody)
		l.open()
		l.frames(aComplete, aExecDone)
		l.end(nil)
	}, api.RunCompleted},
	{"legacy vocabulary across two streams", func(l *liveRun) {
		l.request(api.PathDispatch, dispatchBody)
		l.open()
		l.frames(lStart, lTurn, lDelta, lAwait)
		l.end(nil)
		l.request(api.PathResume, `{"executionId":"exec_L","toolOutputs":{"call_L1":{"status":"shipped"}},"streamResponse":true}`)
		l.open()
		l.frames(lDelta2, lDone)
		l.end(nil)
	}, api.RunCompleted},
}

func TestPlayerReproducesLiveSession(t *testing.T) {
	for _, tc := range liveScripts {
		t.Run(tc.name, func(t *testing.T) {
			l := newLiveRun(t)
			tc.run(l)
			if got := l.s.State(); got != tc.state {
				t.Fatalf("live state = %s, want %s (script is wrong)", got, tc.state)
			}
			p := NewPlayer(l.recording())
			if got, want := p.Len(), len(l.recs); got != want {
				t.Fatalf("Len() = %d, want %d", got, want)
			}
			p.Seek(p.Len())
			if got, want := dump(p.Session()), dump(l.s); got != want {
				t.Errorf("played session differs from the live one\ngot:\n%s\nwant:\n%s", got, want)
			}
			if p.Step() {
				t.Errorf("Step() at the end = true, want false")
			}
		})
	}
}

// A refused request's error reads as it did live, and is still an
// *api.HTTPError for the UI's describeErr.
func TestPlayerHTTPErrorText(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
	}{
		{"error object", 404, `{"error":{"code":"not_found","message":"Execution exec_1 is not paused"}}`},
		{"error code and message", 401, `{"error":"unauthorized","message":"Missing or invalid API key","hint":"set RUNTYPE_API_KEY"}`},
		{"message only", 400, `{"message":"toolOutputs must be an object"}`},
		{"not JSON", 502, `<html><h1>Bad gateway</h1></html>`},
		{"empty", 500, ``},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := realHTTPError(t, tc.status, tc.body).Error()
			err := httpErrorOf(&record.Record{Kind: record.KindResponse, Status: tc.status, ErrorBody: tc.body})
			if got := err.Error(); got != want {
				t.Errorf("httpErrorOf(%d %s) = %q, want %q", tc.status, tc.body, got, want)
			}
			var he *api.HTTPError
			if !errors.As(err, &he) {
				t.Errorf("httpErrorOf(%d): got %T, want *api.HTTPError", tc.status, err)
			}
		})
	}
}

// Seek lands on the same session as stepping there, forwards and
// backwards, and clamps out-of-range positions.
func TestPlayerSeek(t *testing.T) {
	l := newLiveRun(t)
	liveScripts[0].run(l)
	rec := l.recording()

	// Reference dumps at every position, by stepping a fresh player.
	ref := NewPlayer(rec)
	dumps := []string{dump(ref.Session())}
	for ref.Step() {
		dumps = append(dumps, dump(ref.Session()))
	}
	if got, want := dumps[len(dumps)-1], dump(l.s); got != want {
		t.Fatalf("stepped to the end: session differs from the live one\ngot:\n%s\nwant:\n%s", got, want)
	}

	p := NewPlayer(rec)
	for _, n := range []int{len(dumps) - 1, 5, 0, 12, 11, 3, 99, -4, 20} {
		p.Seek(n)
		want := max(0, min(n, len(dumps)-1))
		if got := p.Pos(); got != want {
			t.Errorf("Seek(%d): Pos() = %d, want %d", n, got, want)
			continue
		}
		if got := dump(p.Session()); got != dumps[want] {
			t.Errorf("Seek(%d): session differs from stepping there\ngot:\n%s\nwant:\n%s", n, got, dumps[want])
		}
	}

	// A backwards seek hands out a new session; a forward one keeps it.
	p.Seek(10)
	s := p.Session()
	p.Seek(12)
	if p.Session() != s {
		t.Errorf("Seek forwards: got a new session, want the same one")
	}
	p.Seek(4)
	if p.Session() == s {
		t.Errorf("Seek backwards: got the old session, want a new one")
	}
}

func TestPlayerFrames(t *testing.T) {
	l := newLiveRun(t)
	liveScripts[0].run(l)
	rec := l.recording()
	// Positions just after each frame record.
	var ends []int
	for i, r := range rec.Records {
		if r.Kind == record.KindFrame {
			ends = append(ends, i+1)
		}
	}

	p := NewPlayer(rec)
	if got, want := p.Frames(), len(ends); got != want {
		t.Fatalf("Frames() = %d, want %d", got, want)
	}
	for k, e := range ends {
		if !p.NextFrame() {
			t.Fatalf("NextFrame() #%d = false, want true", k+1)
		}
		if got := p.Pos(); got != e {
			t.Fatalf("after NextFrame() #%d: Pos() = %d, want %d", k+1, got, e)
		}
		if got := p.FramePos(); got != k+1 {
			t.Fatalf("after NextFrame() #%d: FramePos() = %d, want %d", k+1, got, k+1)
		}
		if got := p.Record(p.Pos() - 1).Kind; got != record.KindFrame {
			t.Fatalf("after NextFrame() #%d: last record applied is %q, want a frame", k+1, got)
		}
	}
	// The last frame is followed by the end record: NextFrame goes to the
	// end, then reports there is nothing left.
	if !p.NextFrame() || p.Pos() != p.Len() {
		t.Fatalf("NextFrame() after the last frame: Pos() = %d, want %d", p.Pos(), p.Len())
	}
	if p.NextFrame() {
		t.Errorf("NextFrame() at the end = true, want false")
	}
	if _, ok := p.NextAt(); ok {
		t.Errorf("NextAt() at the end: got ok, want false")
	}

	// PrevFrame from the end goes to just after the last frame, then one
	// frame back at a time, then to 0.
	for k := len(ends) - 1; k >= 0; k-- {
		if !p.PrevFrame() {
			t.Fatalf("PrevFrame() towards frame %d = false, want true", k+1)
		}
		if got := p.Pos(); got != ends[k] {
			t.Fatalf("PrevFrame() towards frame %d: Pos() = %d, want %d", k+1, got, ends[k])
		}
		if got := p.FramePos(); got != k+1 {
			t.Fatalf("PrevFrame() towards frame %d: FramePos() = %d, want %d", k+1, got, k+1)
		}
	}
	if !p.PrevFrame() || p.Pos() != 0 || p.FramePos() != 0 {
		t.Fatalf("PrevFrame() before the first frame: Pos() = %d, FramePos() = %d, want 0, 0", p.Pos(), p.FramePos())
	}
	if p.PrevFrame() {
		t.Errorf("PrevFrame() at 0 = true, want false")
	}
	at, ok := p.NextAt()
	if !ok || !at.Equal(rec.Records[0].At) {
		t.Errorf("NextAt() at 0 = %s, %v; want %s, true", at, ok, rec.Records[0].At)
	}
	if got := p.Record(-1); got.Kind != "" {
		t.Errorf("Record(-1).Kind = %q, want \"\"", got.Kind)
	}
	if got := p.Record(p.Len()); got.Kind != "" {
		t.Errorf("Record(Len()).Kind = %q, want \"\"", got.Kind)
	}
}

// The session clock is the recorded time while records are applied: the
// rows the session stamps itself carry recorded times.
func TestPlayerClock(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	data := `{"type":"await","executionId":"exec_1","toolCallId":"c1","toolName":"lookup"}`
	rec := &record.Recording{Records: []record.Record{
		{Kind: record.KindRequest, Stream: 1, At: at("2026-01-02T03:04:05Z"), Method: "POST", Path: api.PathDispatch, Body: json.RawMessage(`{"flow":{}}`)},
		{Kind: record.KindResponse, Stream: 1, At: at("2026-01-02T03:04:06Z"), Status: 200},
		{Kind: record.KindFrame, Stream: 1, At: at("2026-01-02T03:04:07Z"), Data: &data},
		{Kind: record.KindEnd, Stream: 1, At: at("2026-01-02T03:04:09Z"), Reason: record.EndPaused},
	}}
	p := NewPlayer(rec)
	p.Seek(p.Len())
	s := p.Session()
	cases := []struct {
		what string
		got  time.Time
		want time.Time
	}{
		{"request row", s.Row(0).At, at("2026-01-02T03:04:05Z")},
		{"await row", s.Row(1).At, at("2026-01-02T03:04:07Z")},
		{"stream end row", s.Row(2).At, at("2026-01-02T03:04:09Z")},
		{"pending since", s.Pending()[0].Since, at("2026-01-02T03:04:07Z")},
	}
	for _, tc := range cases {
		if !tc.got.Equal(tc.want) {
			t.Errorf("%s At = %s, want %s", tc.what, tc.got, tc.want)
		}
	}
	if got := s.Kind(); got != "flow" {
		t.Errorf("Kind() = %q, want %q", got, "flow")
	}
	// Outside the player, the clock is the real one (a live resume from
	// the opened recording).
	if got := s.Now(); got.Before(time.Now().Add(-time.Hour)) {
		t.Errorf("Now() after playing = %s, want the real time", got)
	}
}

// Damaged recordings play as far as they can.
func TestPlayerBadRecords(t *testing.T) {
	str := func(s string) *string { return &s }
	req := func(stream int, path, body string) record.Record {
		return record.Record{Kind: record.KindRequest, Stream: stream, Method: "POST", Path: path, Body: json.RawMessage(body)}
	}
	frame := func(stream int, data string) record.Record {
		return record.Record{Kind: record.KindFrame, Stream: stream, Data: str(data)}
	}
	await := `{"type":"await","executionId":"exec_1","toolCallId":"c1","toolName":"lookup"}`
	done := `{"type":"execution_complete","executionId":"exec_1","success":true}`
	cases := []struct {
		name    string
		recs    []record.Record
		state   api.RunState
		rowKind []RowKind
	}{
		{"header and unknown kinds are skipped", []record.Record{
			{Kind: record.KindHeader, Format: record.Format, Version: 1},
			req(1, api.PathDispatch, `{"flow":{}}`),
			{Kind: "telemetry", Stream: 1},
			{Kind: record.KindResponse, Stream: 1, Status: 200},
			frame(1, done),
			{Kind: record.KindEnd, Stream: 1, Reason: record.EndCompleted},
		}, api.RunCompleted, []RowKind{RowRequest, RowExecution, RowStreamEnd}},
		{"frames without a response or a request", []record.Record{
			frame(1, await),
			{Kind: record.KindEnd, Stream: 1, Reason: record.EndPaused},
		}, api.RunPaused, []RowKind{RowAwait, RowStreamEnd}},
		{"frame without data, malformed frame", []record.Record{
			req(1, api.PathDispatch, `{"flow":{}}`),
			{Kind: record.KindResponse, Stream: 1, Status: 200},
			{Kind: record.KindFrame, Stream: 1},
			frame(1, `{"no type":1`),
			frame(1, done),
			{Kind: record.KindEnd, Stream: 1, Reason: record.EndCompleted},
		}, api.RunCompleted, []RowKind{RowRequest, RowMalformed, RowExecution, RowStreamEnd}},
		{"a stream with no end line, then the next request", []record.Record{
			req(1, api.PathDispatch, `{"flow":{}}`),
			{Kind: record.KindResponse, Stream: 1, Status: 200},
			frame(1, await),
			req(2, api.PathResume, `{"executionId":"exec_1","toolOutputs":{"c1":1},"streamResponse":true}`),
			{Kind: record.KindResponse, Stream: 2, Status: 200},
			frame(2, done),
			{Kind: record.KindEnd, Stream: 2, Reason: record.EndCompleted},
		}, api.RunCompleted, []RowKind{RowRequest, RowAwait, RowStreamEnd, RowRequest, RowExecution, RowStreamEnd}},
		{"truncated: the last stream never ends", []record.Record{
			req(1, api.PathDispatch, `{"flow":{}}`),
			{Kind: record.KindResponse, Stream: 1, Status: 200},
			frame(1, await),
		}, api.RunStreaming, []RowKind{RowRequest, RowAwait}},
		{"end and response of unknown streams", []record.Record{
			{Kind: record.KindEnd, Stream: 7, Reason: record.EndError, Error: "x"},
			{Kind: record.KindResponse, Stream: 8, Status: 500, ErrorBody: "x"},
			{Kind: record.KindEnd, Stream: 8, Reason: record.EndError, Error: "x"},
		}, api.RunIdle, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := NewPlayer(&record.Recording{Records: tc.recs})
			p.Seek(p.Len())
			s := p.Session()
			if got := s.State(); got != tc.state {
				t.Errorf("State() = %s, want %s", got, tc.state)
			}
			var kinds []RowKind
			for i := 0; i < s.RowCount(); i++ {
				kinds = append(kinds, s.Row(i).Kind)
			}
			if fmt.Sprint(kinds) != fmt.Sprint(tc.rowKind) {
				t.Errorf("row kinds = %v, want %v", kinds, tc.rowKind)
			}
		})
	}
	if p := NewPlayer(nil); p.Len() != 0 || p.Step() || p.Session() == nil {
		t.Errorf("NewPlayer(nil): Len() = %d, want an empty player with a session", p.Len())
	}
}

// writeRecordingFile writes recs after a header as a recording file, with
// extra raw text appended (damaged lines), and returns its path.
func writeRecordingFile(t *testing.T, recs []record.Record, extra string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("\n" + `{"kind":"header","format":"rtinspect-session","version":1,"at":"2026-06-20T10:00:00Z","command":"test"}` + "\n")
	for _, r := range recs {
		line, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	b.WriteString(extra)
	path := t.TempDir() + "/s.jsonl"
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// loadAndCompare loads path with LoadPlayer and checks that the recording
// read and the session folded are those of record.ReadFile and
// NewPlayer(...).Seek(Len()).
func loadAndCompare(t *testing.T, path string, load func(p *Player)) {
	t.Helper()
	want, err := record.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	wp := NewPlayer(want)
	wp.Seek(wp.Len())
	p, err := LoadPlayer(path)
	if err != nil {
		t.Fatalf("LoadPlayer: %v", err)
	}
	defer p.Close()
	load(p)
	if p.Loading() {
		t.Fatalf("still loading after the load")
	}
	got := p.Recording()
	if !reflect.DeepEqual(got.Header, want.Header) {
		t.Errorf("header = %+v, want %+v", got.Header, want.Header)
	}
	if !reflect.DeepEqual(got.Records, want.Records) {
		t.Errorf("records differ: got %d, want %d", len(got.Records), len(want.Records))
		for i := range min(len(got.Records), len(want.Records)) {
			if !reflect.DeepEqual(got.Records[i], want.Records[i]) {
				t.Errorf("first difference, record %d:\n got %+v\nwant %+v", i, got.Records[i], want.Records[i])
				break
			}
		}
	}
	if fmt.Sprint(got.Problems) != fmt.Sprint(want.Problems) {
		t.Errorf("problems =\n%v\nwant\n%v", got.Problems, want.Problems)
	}
	if p.Pos() != p.Len() || p.Len() != wp.Len() || p.Frames() != wp.Frames() || p.FramePos() != wp.FramePos() {
		t.Errorf("pos %d len %d frames %d/%d, want %d %d %d/%d", p.Pos(), p.Len(), p.FramePos(), p.Frames(),
			wp.Pos(), wp.Len(), wp.FramePos(), wp.Frames())
	}
	if g, w := dump(p.Session()), dump(wp.Session()); g != w {
		t.Errorf("loaded session:\n%s\nwant:\n%s", g, w)
	}
}

func TestLoadPlayerMatchesReadFile(t *testing.T) {
	damaged := "\n  \n" + `{"kind":"frame","stream":1,"data":"x"` + "\n" + // not JSON
		`{"kind":"telemetry"}` + "\n" + `{"stream":1}` + "\n" +
		`{"kind":"header","format":"rtinspect-session","version":1}` + "\n" +
		`{"kind":"frame","stream":1,"at":"2026-06-20T10:00:09Z","data":"` + strings.Repeat("é", 3000) + `"}` + "\n" +
		`{"kind":"end","stream":1,"reas` // cut by a crash
	loads := map[string]func(p *Player){
		"Load":               func(p *Player) { p.Load(-1) },
		"LoadReady in steps": func(p *Player) { loadInSteps(t, p) },
	}
	for _, small := range []bool{false, true} {
		for lname, load := range loads {
			for _, tc := range liveScripts {
				t.Run(fmt.Sprintf("%s/small chunks %v/%s", lname, small, tc.name), func(t *testing.T) {
					if small {
						// Every line spans chunks, or shares one with others.
						defer func(a, b int) { firstChunk, loadChunkN = a, b }(firstChunk, loadChunkN)
						firstChunk, loadChunkN = 5, 97
					}
					l := newLiveRun(t)
					tc.run(l)
					loadAndCompare(t, writeRecordingFile(t, l.recs, ""), load)
					loadAndCompare(t, writeRecordingFile(t, l.recs, damaged), load)
				})
			}
		}
	}
}

// loadInSteps loads as the inspector does: LoadReady slices, waiting on
// Ready in between.
func loadInSteps(t *testing.T, p *Player) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for !p.LoadReady(0) {
		if p.Pos() < p.Len() {
			continue
		}
		select {
		case <-p.Ready():
		case <-deadline:
			t.Fatal("the load never ended")
		}
	}
}

func TestLoadPlayerNotARecording(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"empty":     "",
		"blank":     "\n\n",
		"not json":  "hello\n{}\n",
		"no header": `{"kind":"frame","stream":1}` + "\n",
		"cut":       `{"kind":"header","format":"rtinspect-ses`,
	} {
		path := dir + "/" + strings.ReplaceAll(name, " ", "_")
		os.WriteFile(path, []byte(content), 0o600)
		_, want := record.ReadFile(path)
		_, err := LoadPlayer(path)
		if err == nil || want == nil || err.Error() != want.Error() {
			t.Errorf("%s: LoadPlayer error %v, want ReadFile's %v", name, err, want)
		}
		if !errors.Is(err, record.ErrNotRecording) {
			t.Errorf("%s: error %v does not wrap ErrNotRecording", name, err)
		}
	}
	if _, err := LoadPlayer(dir + "/missing.jsonl"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: error %v, want not-exist", err)
	}
}

// TestLoadPlayerFirstRecordsAtOnce: a budget shorter than the whole load
// folds a beginning, then the rest folds on; Close stops a load early.
func TestLoadPlayerFirstRecordsAtOnce(t *testing.T) {
	defer func(a, b int) { firstChunk, loadChunkN = a, b }(firstChunk, loadChunkN)
	firstChunk, loadChunkN = 300, 300
	l := newLiveRun(t)
	l.request(api.PathDispatch, dispatchBody)
	l.open()
	for range 2000 {
		l.frames(fDelta1)
	}
	l.end(nil)
	path := writeRecordingFile(t, l.recs, "")
	p, err := LoadPlayer(path)
	if err != nil {
		t.Fatal(err)
	}
	done := p.Load(0)
	if body, ok := p.Recording().DispatchBody(); done || !ok || string(body) != dispatchBody {
		t.Errorf("after Load(0): loading %v, dispatch body %q; want still loading, with the dispatch body", p.Loading(), body)
	}
	if read, size := p.LoadProgress(); read <= 0 || read > size {
		t.Errorf("progress %d of %d", read, size)
	}
	if !p.Load(-1) || p.Loading() || p.Session().State() != l.s.State() || p.Ready() != nil {
		t.Errorf("after Load(-1): loading %v, state %s", p.Loading(), p.Session().State())
	}
	q, _ := LoadPlayer(path)
	q.Close()
	q.Close()
	q.Load(-1)
	if q.Loading() || q.Len() > p.Len() {
		t.Errorf("a closed load: loading %v, %d records", q.Loading(), q.Len())
	}
}

// BenchmarkPlayerLoad: a recording of 100,000 text deltas read and folded
// by LoadPlayer (parsing in the background while the session folds), per
// record, against record.ReadFile alone on the same file (x-readfile: the
// parse that the old open did before folding anything).
func BenchmarkPlayerLoad(b *testing.B) {
	const n = 100_000
	path := b.TempDir() + "/long.jsonl"
	var buf bytes.Buffer
	buf.WriteString(`{"kind":"header","format":"rtinspect-session","version":1,"at":"2026-06-20T10:00:00Z"}` + "\n")
	at := t0
	line := func(r record.Record) {
		at = at.Add(20 * time.Microsecond)
		r.At = at
		js, _ := json.Marshal(r)
		buf.Write(js)
		buf.WriteByte('\n')
	}
	line(record.Record{Kind: record.KindRequest, Stream: 1, Method: "POST", Path: api.PathDispatch, Body: json.RawMessage(dispatchBody)})
	line(record.Record{Kind: record.KindResponse, Stream: 1, Status: 200, ContentType: "text/event-stream"})
	words := strings.Fields("The trail left the valley floor in a long switchback, climbing through larch and granite")
	for i := range n {
		d := fmt.Sprintf(`{"type":"text_delta","executionId":"exec_0123456789abcdef","seq":%d,"id":"text_1","delta":%q}`, i, words[i%len(words)]+" ")
		line(record.Record{Kind: record.KindFrame, Stream: 1, Event: "text_delta", Data: &d})
	}
	line(record.Record{Kind: record.KindEnd, Stream: 1, Reason: record.EndCompleted})
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		b.Fatal(err)
	}
	var load, read time.Duration
	b.SetBytes(int64(buf.Len()))
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		start := time.Now()
		if _, err := record.ReadFile(path); err != nil {
			b.Fatal(err)
		}
		read += time.Since(start)
		b.StartTimer()
		start = time.Now()
		p, err := LoadPlayer(path)
		if err != nil {
			b.Fatal(err)
		}
		p.Load(-1)
		load += time.Since(start)
		if p.Len() != n+3 {
			b.Fatalf("loaded %d records, want %d", p.Len(), n+3)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/load.Seconds(), "records/s")
	b.ReportMetric(load.Seconds()/read.Seconds(), "x-readfile")
}
