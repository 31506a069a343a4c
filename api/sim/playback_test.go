package sim

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	recfile "rtinspect/api/record"
)

// The recordings below are built in memory, line by line, as the recorder
// writes them: a parallel-await agent session whose dispatch stream pauses
// on two add_to_cart calls (under the virtual_ id the real server switches
// to) and whose resume stream completes.

const (
	pbExecID    = "exec_0f1e2d3c4b5a6978"
	pbVirtualID = "virtual_1777629600123_k3v9q2m7x"
)

var pbT0 = time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)

func pbAt(ms int) time.Time { return pbT0.Add(time.Duration(ms) * time.Millisecond) }

func pbRequest(stream, ms int, path, execID, body string) recfile.Record {
	return recfile.Record{Kind: recfile.KindRequest, Stream: stream, At: pbAt(ms), Method: "POST", Path: path,
		Query: "events=unified", Body: []byte(body), ExecutionID: execID}
}

func pbResponse(stream, ms, status int, contentType, errorBody string) recfile.Record {
	return recfile.Record{Kind: recfile.KindResponse, Stream: stream, At: pbAt(ms), Status: status,
		ContentType: contentType, ErrorBody: errorBody}
}

func pbFrame(stream, ms int, event, data string) recfile.Record {
	return recfile.Record{Kind: recfile.KindFrame, Stream: stream, At: pbAt(ms), Event: event, Data: &data}
}

func pbEnd(stream, ms int, reason string) recfile.Record {
	return recfile.Record{Kind: recfile.KindEnd, Stream: stream, At: pbAt(ms), Reason: reason}
}

func pbHeader() recfile.Record {
	return recfile.Record{Kind: recfile.KindHeader, At: pbT0, Format: recfile.Format, Version: recfile.Version,
		BaseURL: "https://api.runtype.com", Command: "demo"}
}

const pbDispatchBody = `{"agent":{"name":"Shop assistant"},"messages":[{"role":"user","content":"add a mug and a lamp"}],"clientTools":[{"name":"add_to_cart","description":"Add an item","origin":"sdk"}]}`

var pbResumeBody = `{"executionId":"` + pbVirtualID + `","toolOutputs":{"toolu_01A":{"ok":true},"toolu_01B":{"ok":true}},"streamResponse":true}`

// pbDispatchStream is stream 1: it pauses on two awaits.
func pbDispatchStream() []recfile.Record {
	return []recfile.Record{
		pbRequest(1, 0, pathDispatch, "", pbDispatchBody),
		pbResponse(1, 180, 200, "text/event-stream", ""),
		pbFrame(1, 200, "execution_start", `{"type":"execution_start","executionId":"`+pbExecID+`","seq":0,"kind":"agent","agentId":"agent_1","agentName":"Shop assistant","maxTurns":5,"startedAt":"2026-05-01T10:00:00.200Z"}`),
		pbFrame(1, 250, "turn_start", `{"type":"turn_start","executionId":"`+pbExecID+`","seq":1,"id":"turn_1","iteration":1,"turnIndex":0,"role":"assistant"}`),
		pbFrame(1, 900, "text_delta", `{"type":"text_delta","executionId":"`+pbExecID+`","seq":2,"id":"text_1","delta":"Adding <both> items & checking…"}`),
		pbFrame(1, 1400, "tool_start", `{"type":"tool_start","executionId":"`+pbExecID+`","seq":3,"toolCallId":"toolu_01A","toolName":"add_to_cart","toolType":"local","iteration":1,"origin":"sdk","parameters":{"item":"mug"},"startedAt":"2026-05-01T10:00:01.400Z"}`),
		pbFrame(1, 1410, "tool_start", `{"type":"tool_start","executionId":"`+pbExecID+`","seq":4,"toolCallId":"toolu_01B","toolName":"add_to_cart","toolType":"local","iteration":1,"origin":"sdk","parameters":{"item":"lamp"},"startedAt":"2026-05-01T10:00:01.410Z"}`),
		pbFrame(1, 1500, "await", `{"type":"await","executionId":"`+pbVirtualID+`","seq":5,"awaitReason":"local_tool_required","toolId":"runtime_add_to_cart_1","toolCallId":"toolu_01A","toolName":"add_to_cart","origin":"sdk","parameters":{"item":"mug"},"awaitedAt":"2026-05-01T10:00:01.500Z"}`),
		pbFrame(1, 1500, "await", `{"type":"await","executionId":"`+pbVirtualID+`","seq":6,"awaitReason":"local_tool_required","toolId":"runtime_add_to_cart_2","toolCallId":"toolu_01B","toolName":"add_to_cart","origin":"sdk","parameters":{"item":"lamp"},"awaitedAt":"2026-05-01T10:00:01.500Z"}`),
		pbEnd(1, 1510, recfile.EndPaused),
	}
}

// pbResumeStream is stream n: the resume that completes the execution.
func pbResumeStream(n, at int) []recfile.Record {
	return []recfile.Record{
		pbRequest(n, at, pathResume, pbVirtualID, pbResumeBody),
		pbResponse(n, at+90, 200, "text/event-stream", ""),
		pbFrame(n, at+100, "tool_complete", `{"type":"tool_complete","executionId":"`+pbVirtualID+`","seq":0,"toolCallId":"toolu_01A","toolName":"add_to_cart","success":true,"result":{"ok":true},"iteration":1}`),
		pbFrame(n, at+100, "tool_complete", `{"type":"tool_complete","executionId":"`+pbVirtualID+`","seq":1,"toolCallId":"toolu_01B","toolName":"add_to_cart","success":true,"result":{"ok":true},"iteration":1}`),
		pbFrame(n, at+800, "text_delta", `{"type":"text_delta","executionId":"`+pbVirtualID+`","seq":2,"id":"text_2","delta":"Both are in your cart."}`),
		pbFrame(n, at+900, "execution_complete", `{"type":"execution_complete","executionId":"`+pbVirtualID+`","seq":3,"kind":"agent","success":true,"durationMs":62900,"finalOutput":"Both are in your cart.","completedAt":"2026-05-01T10:01:03.100Z"}`),
		pbEnd(n, at+910, recfile.EndCompleted),
	}
}

// pbParallel is the whole session: the user answered a minute after the
// pause.
func pbParallel() *recfile.Recording {
	recs := append([]recfile.Record{pbHeader()}, pbDispatchStream()...)
	recs = append(recs, pbResumeStream(2, 62000)...)
	return &recfile.Recording{Path: "parallel.jsonl", Header: recs[0], Records: recs}
}

// pbFramesOf returns the frames the recording holds for a stream, as the
// test parser sees them.
func pbFramesOf(rec *recfile.Recording, stream int) []frame {
	var out []frame
	for _, r := range rec.Records {
		if r.Kind == recfile.KindFrame && r.Stream == stream {
			out = append(out, frame{Event: r.Event, ID: r.ID, Data: *r.Data})
		}
	}
	return out
}

// pbWire is the plain wire form of a stream's recorded frames.
func pbWire(rec *recfile.Recording, stream int) string {
	var b strings.Builder
	for _, f := range pbFramesOf(rec, stream) {
		b.WriteString("event: " + f.Event + "\ndata: " + f.Data + "\n\n")
	}
	return b.String()
}

func newPlaybackHarness(t *testing.T, rec *recfile.Recording, opts Options) *harness {
	t.Helper()
	s, err := NewPlayback(rec, opts)
	if err != nil {
		t.Fatalf("NewPlayback: %v", err)
	}
	return newHarnessWith(t, s, opts.APIKey)
}

// raw POSTs and returns the status, the Content-Type and the whole body.
func (h *harness) raw(path string, body any) (int, string, string) {
	h.t.Helper()
	res := h.do(context.Background(), http.MethodPost, path, "", body)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		h.t.Fatalf("POST %s: reading: %v", path, err)
	}
	return res.StatusCode, res.Header.Get("Content-Type"), string(b)
}

func TestNewPlayback(t *testing.T) {
	resumeOnly := append([]recfile.Record{pbHeader()}, pbResumeStream(1, 0)...)
	framesOnly := []recfile.Record{pbHeader(), pbResponse(1, 0, 200, "text/event-stream", ""), pbFrame(1, 5, "turn_start", `{}`)}
	// A live resume from an opened recording starts with a resume; with a
	// dispatch later on, the playback starts there.
	resumeThenDispatch := append([]recfile.Record{pbHeader()}, pbResumeStream(1, 0)...)
	resumeThenDispatch = append(resumeThenDispatch, pbRenumber(pbDispatchStream(), 2)...)
	resumeThenDispatch = append(resumeThenDispatch, pbResumeStream(3, 62000)...)
	cases := []struct {
		name    string
		rec     *recfile.Recording
		wantErr string
		kinds   []string
	}{
		{name: "nil", rec: nil, wantErr: "no recording"},
		{name: "header only", rec: &recfile.Recording{Path: "empty.jsonl", Records: []recfile.Record{pbHeader()}}, wantErr: "empty.jsonl has no dispatch request"},
		{name: "resume only", rec: &recfile.Recording{Records: resumeOnly}, wantErr: "has no dispatch request"},
		{name: "frames without a request", rec: &recfile.Recording{Records: framesOnly}, wantErr: "has no dispatch request"},
		{name: "parallel session", rec: pbParallel(), kinds: []string{kindDispatch, kindResume}},
		{name: "resume before the dispatch", rec: &recfile.Recording{Records: resumeThenDispatch}, kinds: []string{kindDispatch, kindResume}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewPlayback(tc.rec, Options{Open: true})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("NewPlayback = %v, want an error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewPlayback: %v", err)
			}
			var kinds []string
			for _, ex := range s.pb.exchanges {
				kinds = append(kinds, ex.kind)
			}
			if !slices.Equal(kinds, tc.kinds) {
				t.Errorf("exchanges = %v, want %v", kinds, tc.kinds)
			}
		})
	}
}

// pbRenumber moves records to stream n.
func pbRenumber(recs []recfile.Record, n int) []recfile.Record {
	for i := range recs {
		recs[i].Stream = n
	}
	return recs
}

// TestPlaybackSession plays the parallel session back: the dispatch stream
// pauses with the recorded frames, the resume with the recorded
// executionId continues with the recorded frames, and a resume past the end
// is refused. With no quirk the bytes are exactly the recorded frames.
func TestPlaybackSession(t *testing.T) {
	rec := pbParallel()
	cases := []struct {
		name  string
		opts  Options
		exact bool // the body must equal the plain wire form
	}{
		{"plain", Options{Open: true}, true},
		{"CRLF", Options{Open: true, CRLF: true}, false},
		{"Comments", Options{Open: true, Comments: true}, false},
		{"Split", Options{Open: true, Split: true}, true},
		{"all quirks", Options{Open: true, CRLF: true, Comments: true, Split: true}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newPlaybackHarness(t, rec, tc.opts)
			for _, st := range []struct {
				path   string
				body   string
				stream int
			}{{pathDispatch, pbDispatchBody, 1}, {pathResume, pbResumeBody, 2}} {
				status, ct, body := h.raw(st.path, st.body)
				if status != 200 || ct != "text/event-stream" {
					t.Fatalf("POST %s = %d %s, want 200 text/event-stream; body %s", st.path, status, ct, body)
				}
				if tc.exact && body != pbWire(rec, st.stream) {
					t.Errorf("POST %s body =\n%s\nwant\n%s", st.path, body, pbWire(rec, st.stream))
				}
				got := mustParse(t, body)
				want := pbFramesOf(rec, st.stream)
				if tc.opts.Comments {
					for i := range want {
						want[i].ID = strconv.Itoa(i + 1)
					}
				}
				if !slices.Equal(got, want) {
					t.Errorf("POST %s frames =\n%v\nwant\n%v", st.path, got, want)
				}
			}
			e := h.fail("POST", pathResume, "", pbResumeBody, 404)
			if e.Code != "recording_ended" || !strings.Contains(e.Hint, "recording ends here") {
				t.Errorf("resume past the end = %q (hint %q), want recording_ended saying the recording ends here", e.Code, e.Hint)
			}
		})
	}
}

// TestPlaybackRefusals: a continuation the recording does not hold next is
// a 404 like the real API's, a malformed one a 400, and neither uses up the
// recorded continuation: the right resume still plays afterwards.
func TestPlaybackRefusals(t *testing.T) {
	cases := []struct {
		name       string
		dispatched bool
		path, body string
		status     int
		code       string
	}{
		{"resume before any dispatch", false, pathResume, pbResumeBody, 404, "execution_not_found"},
		{"wrong executionId", true, pathResume, `{"executionId":"virtual_1_nope","toolOutputs":{}}`, 404, "execution_not_found"},
		{"the exec_ id instead of the virtual_ one", true, pathResume, `{"executionId":"` + pbExecID + `"}`, 404, "execution_not_found"},
		{"approve where the recording resumed", true, pathApprove, `{"executionId":"` + pbVirtualID + `","approvalId":"appr_1","decision":"approved"}`, 404, "not_awaiting_approval"},
		{"continue where the recording resumed", true, pathContinue, `{"executionId":"` + pbVirtualID + `","continuation":{"type":"tool_outputs"}}`, 404, "execution_not_paused"},
		{"body not JSON", true, pathResume, `resume please`, 400, "invalid_json"},
		{"no executionId", true, pathResume, `{"toolOutputs":{}}`, 400, "missing_field"},
		{"unknown path", true, "/v1/replay", `{}`, 404, "not_found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newPlaybackHarness(t, pbParallel(), Options{Open: true})
			if tc.dispatched {
				h.stream(pathDispatch, "", pbDispatchBody)
			}
			e := h.fail("POST", tc.path, "", tc.body, tc.status)
			if e.Code != tc.code {
				t.Errorf("code = %q, want %q (error %q)", e.Code, tc.code, e.Error)
			}
			if !tc.dispatched {
				h.stream(pathDispatch, "", pbDispatchBody)
			}
			frames := h.stream(pathResume, "", pbResumeBody)
			if got := frames[len(frames)-1].Type(); got != "execution_complete" {
				t.Errorf("resume after the refusal ends with %s, want execution_complete", got)
			}
		})
	}
}

// pbStep is one request of a playback test and the answer it must get.
type pbStep struct {
	path, body   string
	status       int
	ct, wantBody string // wantBody "" checks only the status and type
}

// TestPlaybackHTTPErrors: a recorded non-2xx response is answered with its
// status and body, and the playback moves on past it.
func TestPlaybackHTTPErrors(t *testing.T) {
	const notFound = `{"error":"Execution not found or not paused"}`
	refusedResume := []recfile.Record{
		pbRequest(2, 30000, pathResume, pbVirtualID, pbResumeBody),
		pbResponse(2, 30100, 404, "application/json; charset=utf-8", notFound),
		{Kind: recfile.KindEnd, Stream: 2, At: pbAt(30100), Reason: recfile.EndError, Error: "404 Not Found"},
	}
	withRefusal := append(append(append([]recfile.Record{pbHeader()}, pbDispatchStream()...), refusedResume...), pbResumeStream(3, 62000)...)

	cases := []struct {
		name  string
		recs  []recfile.Record
		steps []pbStep
	}{
		{
			name: "dispatch refused",
			recs: []recfile.Record{pbHeader(), pbRequest(1, 0, pathDispatch, "", pbDispatchBody),
				pbResponse(1, 50, 401, "application/json", `{"error":"Invalid API key"}`), pbEnd(1, 50, recfile.EndError)},
			steps: []pbStep{
				{pathDispatch, pbDispatchBody, 401, "application/json", `{"error":"Invalid API key"}`},
				{pathDispatch, `{"agent":{}}`, 401, "application/json", `{"error":"Invalid API key"}`},
			},
		},
		{
			name: "resume refused, then accepted",
			recs: withRefusal,
			steps: []pbStep{
				{pathDispatch, pbDispatchBody, 200, "text/event-stream", ""},
				{pathResume, pbResumeBody, 404, "application/json; charset=utf-8", notFound},
				{pathResume, pbResumeBody, 200, "text/event-stream", ""},
			},
		},
		{
			name: "no content type recorded",
			recs: []recfile.Record{pbHeader(), pbRequest(1, 0, pathDispatch, "", pbDispatchBody),
				pbResponse(1, 50, 502, "", "bad gateway"), pbEnd(1, 50, recfile.EndError)},
			steps: []pbStep{
				{pathDispatch, pbDispatchBody, 502, "application/json", "bad gateway"},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newPlaybackHarness(t, &recfile.Recording{Records: tc.recs}, Options{Open: true})
			for i, st := range tc.steps {
				status, ct, body := h.raw(st.path, st.body)
				if status != st.status || ct != st.ct {
					t.Fatalf("step %d: POST %s = %d %q, want %d %q", i, st.path, status, ct, st.status, st.ct)
				}
				if st.wantBody != "" && body != st.wantBody {
					t.Errorf("step %d: body = %q, want %q", i, body, st.wantBody)
				}
			}
		})
	}
}

// TestPlaybackBrokenEnds: a stream recorded as dropped is cut after its
// recorded frames, and an exchange that got no response at all is a
// connection closed without one.
func TestPlaybackBrokenEnds(t *testing.T) {
	dropped := pbDispatchStream()[:5] // request, response, three frames
	dropped = append(dropped, recfile.Record{Kind: recfile.KindEnd, Stream: 1, At: pbAt(1000), Reason: recfile.EndDropped, Error: "unexpected EOF"})
	cases := []struct {
		name       string
		recs       []recfile.Record
		wantFrames int
		doErr      bool // the request itself fails (no response)
	}{
		{"dropped", append([]recfile.Record{pbHeader()}, dropped...), 3, false},
		{"no response", []recfile.Record{pbHeader(), pbRequest(1, 0, pathDispatch, "", pbDispatchBody),
			{Kind: recfile.KindEnd, Stream: 1, At: pbAt(10), Reason: recfile.EndError, Error: "connection refused"}}, 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recfile.Recording{Records: tc.recs}
			h := newPlaybackHarness(t, rec, Options{Open: true})
			req, _ := http.NewRequestWithContext(t.Context(), "POST", h.url+pathDispatch, strings.NewReader(pbDispatchBody))
			res, err := h.client.Do(req)
			if tc.doErr {
				if err == nil {
					res.Body.Close()
					t.Fatalf("POST = %d, want the connection closed without a response", res.StatusCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, err := readAllErr(res)
			if err == nil || !strings.Contains(err.Error(), "unexpected EOF") {
				t.Fatalf("read error = %v, want unexpected EOF", err)
			}
			frames, rest := parseSSE(b)
			if want := pbFramesOf(rec, 1); len(frames) != tc.wantFrames || !slices.Equal(frames, want) || rest != "" {
				t.Errorf("frames before the cut = %v (rest %q), want the %d recorded ones", frames, rest, tc.wantFrames)
			}
			if e := h.fail("POST", pathResume, "", pbResumeBody, 404); e.Code != "recording_ended" {
				t.Errorf("resume after the cut: code = %q, want recording_ended", e.Code)
			}
		})
	}
}

func TestScaledGap(t *testing.T) {
	cases := []struct {
		name      string
		prev, at  time.Time
		speed     float64
		want      time.Duration
		wantSatur bool
	}{
		{name: "recorded speed", prev: pbAt(0), at: pbAt(1500), speed: 1, want: 1500 * time.Millisecond},
		{name: "ten times faster", prev: pbAt(0), at: pbAt(1500), speed: 10, want: 150 * time.Millisecond},
		{name: "half speed", prev: pbAt(0), at: pbAt(1500), speed: 0.5, want: 3 * time.Second},
		{name: "zero speed: no waiting", prev: pbAt(0), at: pbAt(1500), speed: 0, want: 0},
		{name: "negative speed: no waiting", prev: pbAt(0), at: pbAt(1500), speed: -1, want: 0},
		{name: "NaN speed: no waiting", prev: pbAt(0), at: pbAt(1500), speed: math.NaN(), want: 0},
		{name: "infinite speed", prev: pbAt(0), at: pbAt(1500), speed: math.Inf(1), want: 0},
		{name: "clock went backwards", prev: pbAt(1500), at: pbAt(0), speed: 1, want: 0},
		{name: "same instant", prev: pbAt(7), at: pbAt(7), speed: 1, want: 0},
		{name: "no previous time", at: pbAt(1500), speed: 1, want: 0},
		{name: "no time", prev: pbAt(0), speed: 1, want: 0},
		{name: "saturates", prev: pbAt(0), at: pbT0.Add(200 * 365 * 24 * time.Hour), speed: 1e-9, want: maxWait},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := scaledGap(tc.prev, tc.at, tc.speed); got != tc.want {
				t.Errorf("scaledGap = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestPlaybackWaits checks the pauses computed for a recorded stream: the
// first frame waits from the response, each later one from the frame
// before, plus Delay; the end waits from the last frame.
func TestPlaybackWaits(t *testing.T) {
	ex := &exchangesOf(pbParallel().Records)[0] // response at 180ms, frames at 200..1500, end at 1510
	ms := time.Millisecond
	cases := []struct {
		name    string
		speed   float64
		delay   time.Duration
		want    []time.Duration
		wantEnd time.Duration
	}{
		{"as fast as possible", 0, 0, []time.Duration{0, 0, 0, 0, 0, 0, 0}, 0},
		{"recorded speed", 1, 0, []time.Duration{20 * ms, 50 * ms, 650 * ms, 500 * ms, 10 * ms, 90 * ms, 0}, 10 * ms},
		{"ten times faster", 10, 0, []time.Duration{2 * ms, 5 * ms, 65 * ms, 50 * ms, 1 * ms, 9 * ms, 0}, 1 * ms},
		{"negative speed", -10, 0, []time.Duration{0, 0, 0, 0, 0, 0, 0}, 0},
		{"delay only", 0, 30 * ms, []time.Duration{0, 30 * ms, 30 * ms, 30 * ms, 30 * ms, 30 * ms, 30 * ms}, 0},
		{"delay and speed", 10, 30 * ms, []time.Duration{2 * ms, 35 * ms, 95 * ms, 80 * ms, 31 * ms, 39 * ms, 30 * ms}, 1 * ms},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, end := ex.waits(tc.speed, tc.delay)
			if !slices.Equal(got, tc.want) || end != tc.wantEnd {
				t.Errorf("waits = %v, end %v; want %v, end %v", got, end, tc.want, tc.wantEnd)
			}
		})
	}
}

func TestEncodeRecorded(t *testing.T) {
	str := func(s string) *string { return &s }
	cases := []struct {
		name     string
		crlf     bool
		comments bool
		frames   []recfile.Record
		want     string
	}{
		{"event and data", false, false, []recfile.Record{{Event: "await", Data: str(`{"a":1}`)}},
			"event: await\ndata: {\"a\":1}\n\n"},
		{"recorded id", false, false, []recfile.Record{{Event: "x", ID: "42", Data: str(`{}`)}},
			"id: 42\nevent: x\ndata: {}\n\n"},
		{"data only (legacy flow)", false, false, []recfile.Record{{Data: str(`{"type":"flow_start"}`)}},
			"data: {\"type\":\"flow_start\"}\n\n"},
		{"multi-line data", false, false, []recfile.Record{{Event: "m", Data: str("one\ntwo")}},
			"event: m\ndata: one\ndata: two\n\n"},
		{"empty data line", false, false, []recfile.Record{{Event: "e", Data: str("")}},
			"event: e\ndata: \n\n"},
		{"no data line", false, false, []recfile.Record{{Event: "ping"}},
			"event: ping\n\n"},
		{"leading space kept", false, false, []recfile.Record{{Event: "s", Data: str(" x")}},
			"event: s\ndata:  x\n\n"},
		{"CRLF", true, false, []recfile.Record{{Event: "e", Data: str("a\nb")}},
			"event: e\r\ndata: a\r\ndata: b\r\n\r\n"},
		{"comments number frames without an id", false, true,
			[]recfile.Record{{Event: "a", Data: str("1")}, {Event: "b", ID: "x7", Data: str("2")}, {Event: "c", Data: str("3")}, {Event: "d", Data: str("4")}},
			": keep-alive\n\nid: 1\nevent: a\ndata: 1\n\nid: x7\nevent: b\ndata: 2\n\nid: 3\nevent: c\ndata: 3\n\n: keep-alive\n\nid: 4\nevent: d\ndata: 4\n\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sw := &sseWriter{crlf: tc.crlf, comments: tc.comments}
			var b strings.Builder
			for i := range tc.frames {
				b.Write(sw.encodeRecorded(&tc.frames[i]))
			}
			if got := b.String(); got != tc.want {
				t.Errorf("encoded = %q, want %q", got, tc.want)
			}
			if sw.frames != len(tc.frames) {
				t.Errorf("frames = %d, want %d", sw.frames, len(tc.frames))
			}
		})
	}
}

// TestPlaybackRestart: every dispatch plays the recording from the start,
// so one server can be replayed against again and again.
func TestPlaybackRestart(t *testing.T) {
	rec := pbParallel()
	h := newPlaybackHarness(t, rec, Options{Open: true})
	cases := []struct {
		name string
		path string
		body string
		want int // stream whose frames come back; 0: a 404 recording_ended
	}{
		{"first dispatch", pathDispatch, pbDispatchBody, 1},
		{"resume", pathResume, pbResumeBody, 2},
		{"past the end", pathResume, pbResumeBody, 0},
		{"second dispatch restarts", pathDispatch, `{"agent":{"name":"other"}}`, 1},
		{"resume again", pathResume, pbResumeBody, 2},
		{"dispatch mid-session", pathDispatch, pbDispatchBody, 1},
		{"dispatch twice in a row", pathDispatch, pbDispatchBody, 1},
		{"resume once more", pathResume, pbResumeBody, 2},
	}
	for _, tc := range cases { // in order: each step builds on the last
		t.Run(tc.name, func(t *testing.T) {
			if tc.want == 0 {
				if e := h.fail("POST", tc.path, "", tc.body, 404); e.Code != "recording_ended" {
					t.Errorf("code = %q, want recording_ended", e.Code)
				}
				return
			}
			if got, want := h.stream(tc.path, "", tc.body), pbFramesOf(rec, tc.want); !slices.Equal(got, want) {
				t.Errorf("frames = %v, want stream %d's %v", types(got), tc.want, types(want))
			}
		})
	}
	var paths []string
	for _, r := range h.s.Requests() {
		paths = append(paths, r.Path)
	}
	want := []string{pathDispatch, pathResume, pathResume, pathDispatch, pathResume, pathDispatch, pathDispatch, pathResume}
	if !slices.Equal(paths, want) {
		t.Errorf("Requests() = %v, want %v", paths, want)
	}
}

func TestPlaybackAuth(t *testing.T) {
	cases := []struct {
		name   string
		opts   Options
		key    string // "-" = no header
		status int
		code   string
	}{
		{"no key", Options{APIKey: "sk-1"}, "-", 401, "missing_api_key"},
		{"wrong key", Options{APIKey: "sk-1"}, "sk-2", 401, "invalid_api_key"},
		{"right key", Options{APIKey: "sk-1"}, "sk-1", 200, ""},
		{"any bearer without APIKey", Options{}, "whatever", 200, ""},
		{"open needs no key", Options{Open: true}, "-", 200, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newPlaybackHarness(t, pbParallel(), tc.opts)
			h.key = tc.key
			if tc.status != 200 {
				if e := h.fail("POST", pathDispatch, "", pbDispatchBody, tc.status); e.Code != tc.code {
					t.Errorf("code = %q, want %q", e.Code, tc.code)
				}
				// Refused before the playback: a resume still has nothing to continue.
				if e := h.fail("POST", pathResume, "", pbResumeBody, tc.status); e.Code != tc.code {
					t.Errorf("resume code = %q, want %q", e.Code, tc.code)
				}
			} else {
				h.stream(pathDispatch, "", pbDispatchBody)
			}
			reqs := h.s.Requests()
			if len(reqs) == 0 || reqs[0].Path != pathDispatch || string(reqs[0].Body) != pbDispatchBody || reqs[0].Auth != (tc.key != "-") {
				t.Errorf("Requests()[0] = %+v, want the dispatch with Auth %v", reqs, tc.key != "-")
			}
		})
	}
}

// pbHold holds the first stream of one path after its first frame, until
// released: a test sees the stream at a known point without sleeping.
type pbHold struct {
	path          string
	held, release chan struct{}
	taken         atomic.Bool // only the first stream is held; later ones pass
	freed         sync.Once
}

func newPBHold(t *testing.T, path string) *pbHold {
	p := &pbHold{path: path, held: make(chan struct{}), release: make(chan struct{})}
	t.Cleanup(p.free) // runs before the server's Close, even when the test fails early
	return p
}

func (p *pbHold) hook(path string, frames int) {
	if path == p.path && frames == 1 && p.taken.CompareAndSwap(false, true) {
		close(p.held)
		<-p.release
	}
}

func (p *pbHold) free() { p.freed.Do(func() { close(p.release) }) }

// TestPlaybackOneContinuationAtATime holds a stream open after its first
// frame (through testHook, no sleeping) and sends a resume meanwhile: it is
// refused as on the scenario server, and the held stream still completes.
// A dispatch during a held stream restarts the playback, and the old
// stream's end does not disturb the new one.
func TestPlaybackOneContinuationAtATime(t *testing.T) {
	rec := pbParallel()
	cases := []struct {
		name       string
		holdPath   string
		redispatch bool // dispatch again while the stream is held
	}{
		{"resume during dispatch", pathDispatch, false},
		{"resume during resume", pathResume, false},
		{"dispatch during resume", pathResume, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewPlayback(rec, Options{Open: true})
			if err != nil {
				t.Fatal(err)
			}
			hold := newPBHold(t, tc.holdPath)
			s.testHook = hold.hook
			h := newHarnessWith(t, s, "")

			if tc.holdPath != pathDispatch {
				h.stream(pathDispatch, "", pbDispatchBody)
			}
			body := pbDispatchBody
			if tc.holdPath == pathResume {
				body = pbResumeBody
			}
			res := h.do(t.Context(), "POST", tc.holdPath, "", body)
			defer res.Body.Close()
			if res.StatusCode != http.StatusOK {
				b, _ := io.ReadAll(res.Body)
				t.Fatalf("POST %s = %d, want 200; body %s", tc.holdPath, res.StatusCode, b)
			}
			<-hold.held
			r := bufio.NewReader(res.Body)
			readFrame(t, r)

			if tc.redispatch {
				h.stream(pathDispatch, "", pbDispatchBody) // generation 2, not held
			} else if e := h.fail("POST", pathResume, "", pbResumeBody, 404); e.Code != "continuation_in_progress" {
				t.Errorf("concurrent resume: code = %q, want continuation_in_progress", e.Code)
			}

			hold.free()
			rest, err := io.ReadAll(r)
			if err != nil {
				t.Fatalf("held stream: %v", err)
			}
			frames, _ := parseSSE(rest)
			wantEnd := "await"
			if tc.holdPath == pathResume {
				wantEnd = "execution_complete"
			}
			if got := frames[len(frames)-1].Type(); got != wantEnd {
				t.Errorf("held stream ends with %s, want %s", got, wantEnd)
			}

			// Whatever was held, the playback now stands at the pause of
			// the latest dispatch or past the end of the recording.
			if tc.holdPath == pathDispatch || tc.redispatch {
				h.stream(pathResume, "", pbResumeBody)
			}
			if e := h.fail("POST", pathResume, "", pbResumeBody, 404); e.Code != "recording_ended" {
				t.Errorf("final resume: code = %q, want recording_ended", e.Code)
			}
		})
	}
}

// TestPlaybackClientCancel: with Speed 1 and an hour recorded between two
// frames, the stream waits after the first; a client that goes away ends
// the handler at once, and the playback is left ready for a continuation.
func TestPlaybackClientCancel(t *testing.T) {
	recs := []recfile.Record{pbHeader(),
		pbRequest(1, 0, pathDispatch, "", pbDispatchBody),
		pbResponse(1, 0, 200, "text/event-stream", ""),
		pbFrame(1, 0, "execution_start", `{"type":"execution_start"}`),
		pbFrame(1, 3600000, "await", `{"type":"await"}`),
		pbEnd(1, 3600000, recfile.EndPaused),
	}
	s, err := NewPlayback(&recfile.Recording{Records: recs}, Options{Open: true, Speed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	written := 0
	s.testHook = func(_ string, frames int) {
		mu.Lock()
		written = frames
		mu.Unlock()
	}
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx, cancel := context.WithCancel(t.Context())
	req, _ := http.NewRequestWithContext(ctx, "POST", ts.URL+pathDispatch, strings.NewReader(pbDispatchBody))
	res, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	readFrame(t, bufio.NewReader(res.Body))
	cancel()
	res.Body.Close()
	ts.Close() // returns only once the handler has

	mu.Lock()
	defer mu.Unlock()
	if written != 1 {
		t.Errorf("frames written = %d, want 1 (the second is an hour away)", written)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pb.streaming || !s.pb.started || s.pb.next != 1 {
		t.Errorf("playback after cancel = streaming %v, started %v, next %d; want not streaming, started, next 1",
			s.pb.streaming, s.pb.started, s.pb.next)
	}
}

// TestPlaybackRedispatchWhileStreaming: a dispatch restarts the playback
// while an older stream is still being written; when that old stream ends
// it must not mark the new generation's stream as over, so a second
// concurrent resume is still refused.
func TestPlaybackRedispatchWhileStreaming(t *testing.T) {
	s, err := NewPlayback(pbParallel(), Options{Open: true})
	if err != nil {
		t.Fatal(err)
	}
	first, resume := newPBHold(t, pathDispatch), newPBHold(t, pathResume)
	s.testHook = func(path string, frames int) {
		first.hook(path, frames)
		resume.hook(path, frames)
	}
	h := newHarnessWith(t, s, "")

	old := h.do(t.Context(), "POST", pathDispatch, "", pbDispatchBody) // generation 1, held
	defer old.Body.Close()
	<-first.held
	h.stream(pathDispatch, "", pbDispatchBody) // generation 2, not held
	res := h.do(t.Context(), "POST", pathResume, "", pbResumeBody)
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("resume = %d, want 200; body %s", res.StatusCode, b)
	}
	<-resume.held

	first.free()
	if _, err := io.ReadAll(old.Body); err != nil { // the old handler has ended
		t.Fatalf("old stream: %v", err)
	}
	if e := h.fail("POST", pathResume, "", pbResumeBody, 404); e.Code != "continuation_in_progress" {
		t.Errorf("resume while generation 2 streams: code = %q, want continuation_in_progress", e.Code)
	}
	resume.free()
	if _, err := io.ReadAll(res.Body); err != nil {
		t.Fatalf("resume stream: %v", err)
	}
	if e := h.fail("POST", pathResume, "", pbResumeBody, 404); e.Code != "recording_ended" {
		t.Errorf("final resume: code = %q, want recording_ended", e.Code)
	}
}

// TestPlaybackFromFile: a recording written as JSONL and read back with
// record.Parse plays the same session.
func TestPlaybackFromFile(t *testing.T) {
	var jsonl bytes.Buffer
	enc := json.NewEncoder(&jsonl)
	for _, r := range pbParallel().Records {
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
	}
	rec, err := recfile.Parse("parallel.jsonl", &jsonl)
	if err != nil || len(rec.Problems) > 0 {
		t.Fatalf("Parse = %v, problems %v", err, rec.Problems)
	}
	h := newPlaybackHarness(t, rec, Options{Open: true})
	want := pbParallel()
	for _, st := range []struct {
		path, body string
		stream     int
	}{{pathDispatch, pbDispatchBody, 1}, {pathResume, pbResumeBody, 2}} {
		if got := h.stream(st.path, "", st.body); !slices.Equal(got, pbFramesOf(want, st.stream)) {
			t.Errorf("POST %s frames = %v, want the recorded %v", st.path, types(got), types(pbFramesOf(want, st.stream)))
		}
	}
}
