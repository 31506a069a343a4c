package sim

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRequestErrors(t *testing.T) {
	const key = "sk-test-123"
	cases := []struct {
		name         string
		key          string // "-" sends no Authorization header
		method, path string
		query        string
		body         string
		status       int
		code         string
	}{
		{"no key", "-", "POST", pathDispatch, "", `{"agent":{}}`, 401, "missing_api_key"},
		{"wrong key", "sk-wrong", "POST", pathDispatch, "", `{"agent":{}}`, 401, "invalid_api_key"},
		{"no key on resume", "-", "POST", pathResume, "", `{"executionId":"exec_1"}`, 401, "missing_api_key"},
		{"unknown path", key, "POST", "/v1/nope", "", `{}`, 404, "not_found"},
		{"GET dispatch", key, "GET", pathDispatch, "", ``, 405, "method_not_allowed"},
		{"body not JSON", key, "POST", pathDispatch, "", `agent please`, 400, "invalid_json"},
		{"body an array", key, "POST", pathDispatch, "", `[{"agent":{}}]`, 400, "invalid_json"},
		{"no agent or flow", key, "POST", pathDispatch, "", `{"messages":[]}`, 400, "missing_field"},
		{"agent null", key, "POST", pathDispatch, "", `{"agent":null}`, 400, "missing_field"},
		{"agent and flow", key, "POST", pathDispatch, "", `{"agent":{},"flow":{}}`, 400, "invalid_request"},
		{"client tool origin local", key, "POST", pathDispatch, "", `{"agent":{},"clientTools":[{"name":"x","origin":"local"}]}`, 400, "invalid_client_tools"},
		{"unknown scenario", key, "POST", pathDispatch, "", `{"agent":{},"metadata":{"scenario":"nope"}}`, 400, "unknown_scenario"},
		{"unknown scenario in query", key, "POST", pathDispatch, "scenario=nope", `{"agent":{}}`, 400, "unknown_scenario"},
		{"deltas zero", key, "POST", pathDispatch, "", `{"agent":{},"metadata":{"scenario":"long","deltas":0}}`, 400, "invalid_field"},
		{"deltas too many", key, "POST", pathDispatch, "", `{"agent":{},"metadata":{"scenario":"long","deltas":1000001}}`, 400, "invalid_field"},
		{"deltas fractional", key, "POST", pathDispatch, "", `{"agent":{},"metadata":{"scenario":"long","deltas":1.5}}`, 400, "invalid_field"},
		{"metadata not object", key, "POST", pathDispatch, "", `{"agent":{},"metadata":"long"}`, 400, "invalid_field"},
		{"resume without executionId", key, "POST", pathResume, "", `{"toolOutputs":{}}`, 400, "missing_field"},
		{"resume not JSON", key, "POST", pathResume, "", `{"executionId":`, 400, "invalid_json"},
		{"resume toolOutputs not object", key, "POST", pathResume, "", `{"executionId":"exec_1","toolOutputs":[1]}`, 400, "invalid_field"},
		{"approve without approvalId", key, "POST", pathApprove, "", `{"executionId":"exec_1","decision":"approved"}`, 400, "missing_field"},
		{"approve bad decision", key, "POST", pathApprove, "", `{"executionId":"exec_1","approvalId":"appr_1","decision":"maybe"}`, 400, "invalid_field"},
		{"approve without executionId", key, "POST", pathApprove, "", `{"approvalId":"appr_1","decision":"approved"}`, 400, "missing_field"},
		{"continue without continuation", key, "POST", pathContinue, "", `{"executionId":"exec_1"}`, 400, "missing_field"},
		{"continue bad type", key, "POST", pathContinue, "", `{"executionId":"exec_1","continuation":{"type":"poke"}}`, 400, "invalid_field"},
		{"continue bad decision", key, "POST", pathContinue, "", `{"executionId":"exec_1","continuation":{"type":"approval","approvalId":"a","decision":"yes"}}`, 400, "invalid_field"},
		{"resume unknown execution", key, "POST", pathResume, "", `{"executionId":"exec_nope"}`, 404, "execution_not_found"},
		{"approve unknown execution", key, "POST", pathApprove, "", `{"executionId":"exec_nope","approvalId":"a","decision":"denied"}`, 404, "execution_not_found"},
		{"continue unknown execution", key, "POST", pathContinue, "", `{"executionId":"exec_nope","continuation":{"type":"tool_outputs"}}`, 404, "execution_not_found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Options{APIKey: key})
			h.key = tc.key
			e := h.fail(tc.method, tc.path, tc.query, tc.body, tc.status)
			if e.Code != tc.code {
				t.Errorf("code = %q, want %q (error %q)", e.Code, tc.code, e.Error)
			}
		})
	}
}

func TestAuthModes(t *testing.T) {
	cases := []struct {
		name   string
		opts   Options
		key    string // "-" = no header
		status int
	}{
		{"open needs no key", Options{Open: true}, "-", 200},
		{"open ignores a wrong key", Options{Open: true, APIKey: "k"}, "other", 200},
		{"any bearer without APIKey", Options{}, "anything", 200},
		{"no bearer without APIKey", Options{}, "-", 401},
		{"right key", Options{APIKey: "k"}, "k", 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.opts)
			h.key = tc.key
			res := h.do(t.Context(), "POST", pathDispatch, "", dispatchBody(t, "fail"))
			res.Body.Close()
			if res.StatusCode != tc.status {
				t.Errorf("status = %d, want %d", res.StatusCode, tc.status)
			}
		})
	}
	t.Run("wrong scheme", func(t *testing.T) {
		h := newHarness(t, Options{})
		req, _ := http.NewRequest("POST", h.url+pathDispatch, strings.NewReader(`{"agent":{}}`))
		req.Header.Set("Authorization", "Token abc")
		res, err := h.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if res.StatusCode != 401 {
			t.Errorf("status = %d, want 401", res.StatusCode)
		}
	})
}

// TestContinuationRefusals covers the 404s that depend on an execution's
// state.
func TestContinuationRefusals(t *testing.T) {
	cases := []struct {
		name     string
		scenario string
		path     string
		body     func(t *testing.T, frames []frame) any
		code     string
	}{
		{"resume a completed execution", "nested", pathResume, func(t *testing.T, fs []frame) any {
			return map[string]any{"executionId": fs[0].str(t, "executionId")}
		}, "execution_not_paused"},
		{"resume a failed execution", "fail", pathResume, func(t *testing.T, fs []frame) any {
			return map[string]any{"executionId": fs[0].str(t, "executionId")}
		}, "execution_not_paused"},
		{"approve with a wrong approvalId", "approval", pathApprove, func(t *testing.T, fs []frame) any {
			id, _ := approvalOf(t, fs)
			return map[string]any{"executionId": id, "approvalId": "appr_wrong", "decision": "approved"}
		}, "approval_not_found"},
		{"resume an approval pause", "approval", pathResume, func(t *testing.T, fs []frame) any {
			id, _ := approvalOf(t, fs)
			return map[string]any{"executionId": id, "toolOutputs": map[string]any{"send_email": true}}
		}, "not_awaiting_tool_outputs"},
		{"approve a tool pause", "flow-tool", pathApprove, func(t *testing.T, fs []frame) any {
			return map[string]any{"executionId": awaits(t, fs)[0].ExecID, "approvalId": "appr_x", "decision": "approved"}
		}, "not_awaiting_approval"},
		{"resume parallel with the exec_ id", "parallel", pathResume, func(t *testing.T, fs []frame) any {
			return map[string]any{"executionId": fs[0].str(t, "executionId")}
		}, "execution_not_found"},
		{"resume twice after completion", "flow-tool", pathResume, func(t *testing.T, fs []frame) any {
			return resumeBody(t, fs, cartOutput) // used below after a first, successful resume
		}, "execution_not_paused"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Options{Open: true})
			frames := h.stream(pathDispatch, "", dispatchBody(t, tc.scenario))
			body := tc.body(t, frames)
			if tc.name == "resume twice after completion" {
				h.stream(pathResume, "", body)
			}
			if e := h.fail("POST", tc.path, "", body, 404); e.Code != tc.code {
				t.Errorf("code = %q, want %q (%s)", e.Code, tc.code, e.Error)
			}
		})
	}
}

// readFrame reads one frame from a live stream.
func readFrame(t *testing.T, r *bufio.Reader) frame {
	t.Helper()
	var b bytes.Buffer
	for {
		line, err := r.ReadString('\n')
		b.WriteString(line)
		if err != nil {
			t.Fatalf("reading a frame: %v (so far %q)", err, b.String())
		}
		if line == "\n" || line == "\r\n" {
			break
		}
	}
	fs, _ := parseSSE(b.Bytes())
	if len(fs) != 1 {
		t.Fatalf("want one frame, got %q", b.String())
	}
	return fs[0]
}

// TestSecondContinuationWhileStreaming holds a stream open after its first
// frame (through the test hook, not a sleep) and sends a second
// continuation for the same execution meanwhile: the real API answers 404.
func TestSecondContinuationWhileStreaming(t *testing.T) {
	cases := []struct {
		name     string
		scenario string
		holdPath string                                              // stream to hold open
		first    func(t *testing.T, dispatched []frame) any          // body of the held continuation
		second   func(t *testing.T, dispatched []frame, f frame) any // the concurrent one
		wantEnd  string
	}{
		{
			name: "resume during resume", scenario: "parallel", holdPath: pathResume,
			first: func(t *testing.T, d []frame) any { return resumeBody(t, d, cartOutput) },
			second: func(t *testing.T, d []frame, _ frame) any {
				return resumeBody(t, d, cartOutput)
			},
			wantEnd: "execution_complete",
		},
		{
			name: "approve during approve", scenario: "approval", holdPath: pathApprove,
			first: func(t *testing.T, d []frame) any {
				id, appr := approvalOf(t, d)
				return map[string]any{"executionId": id, "approvalId": appr, "decision": "approved"}
			},
			second: func(t *testing.T, d []frame, _ frame) any {
				id, appr := approvalOf(t, d)
				return map[string]any{"executionId": id, "approvalId": appr, "decision": "denied"}
			},
			wantEnd: "execution_complete",
		},
		{
			name: "resume during dispatch", scenario: "flow-tool", holdPath: pathDispatch,
			second: func(t *testing.T, _ []frame, f frame) any {
				return map[string]any{"executionId": f.str(t, "executionId")}
			},
			wantEnd: "await",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := New(Options{Open: true})
			held, release := make(chan struct{}), make(chan struct{})
			var once sync.Once
			s.testHook = func(path string, frames int) {
				if path == tc.holdPath && frames == 1 {
					once.Do(func() {
						close(held)
						<-release
					})
				}
			}
			h := newHarnessWith(t, s, "")
			var released sync.Once
			unblock := func() { released.Do(func() { close(release) }) }
			t.Cleanup(unblock) // runs before the server's Close, even when the test fails early
			var dispatched []frame
			path, body := pathDispatch, any(dispatchBody(t, tc.scenario))
			if tc.holdPath != pathDispatch {
				dispatched = h.stream(pathDispatch, "", body)
				path, body = tc.holdPath, tc.first(t, dispatched)
			}
			res := h.do(t.Context(), "POST", path, "", body)
			defer res.Body.Close()
			<-held
			r := bufio.NewReader(res.Body)
			f := readFrame(t, r)

			secondPath := tc.holdPath
			if secondPath == pathDispatch {
				secondPath = pathResume // a dispatch has no second; resume its execution early
			}
			e := h.fail("POST", secondPath, "", tc.second(t, dispatched, f), 404)
			if e.Code != "continuation_in_progress" {
				t.Errorf("code = %q, want continuation_in_progress", e.Code)
			}

			unblock()
			rest, err := readAllErr(&http.Response{Body: readCloser{r, res.Body}})
			if err != nil {
				t.Fatalf("first stream: %v", err)
			}
			frames, _ := parseSSE(rest)
			if got := frames[len(frames)-1].Type(); got != tc.wantEnd {
				t.Errorf("first stream ends with %s, want %s", got, tc.wantEnd)
			}
		})
	}
}

type readCloser struct {
	*bufio.Reader
	c interface{ Close() error }
}

func (r readCloser) Close() error { return r.c.Close() }

// TestClientCancelStopsTheStream: with an hour between frames, a client
// that goes away must not keep the handler (or ts.Close) waiting, and the
// execution still reaches its pause server-side.
func TestClientCancelStopsTheStream(t *testing.T) {
	s := New(Options{Open: true, Delay: time.Hour})
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx, cancel := context.WithCancel(t.Context())
	req, _ := http.NewRequestWithContext(ctx, "POST", ts.URL+pathDispatch, bytes.NewReader(dispatchBody(t, "flow-tool")))
	res, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	f := readFrame(t, bufio.NewReader(res.Body))
	cancel()
	res.Body.Close()
	ts.Close() // returns only once the handler has

	s.mu.Lock()
	defer s.mu.Unlock()
	x := s.execs[f.str(t, "executionId")]
	if x == nil || x.state != stPaused || len(x.pending) != 1 {
		t.Fatalf("execution after cancel = %+v, want paused on one call", x)
	}
}

func TestRequestsNeverHoldTheKey(t *testing.T) {
	const key = "sk-live-SECRET-9f8e7d"
	h := newHarness(t, Options{APIKey: key})
	frames := h.stream(pathDispatch, "events=unified&scenario=flow-tool", `{"flow":{"id":"f"}}`)
	h.stream(pathResume, "events=unified", resumeBody(t, frames, cartOutput))
	h.key = "-"
	h.fail("POST", pathResume, "", `{}`, 401)

	reqs := h.s.Requests()
	if len(reqs) != 3 {
		t.Fatalf("Requests() = %d, want 3", len(reqs))
	}
	want := []Received{
		{Method: "POST", Path: pathDispatch, RawQuery: "events=unified&scenario=flow-tool", Body: []byte(`{"flow":{"id":"f"}}`), Auth: true},
		{Method: "POST", Path: pathResume, RawQuery: "events=unified", Auth: true},
		{Method: "POST", Path: pathResume, Body: []byte(`{}`), Auth: false},
	}
	for i, r := range reqs {
		w := want[i]
		if r.Method != w.Method || r.Path != w.Path || r.RawQuery != w.RawQuery || r.Auth != w.Auth || (w.Body != nil && !bytes.Equal(r.Body, w.Body)) {
			t.Errorf("request %d = %+v, want %+v", i, r, w)
		}
		if strings.Contains(fmt.Sprintf("%+v %s", r, r.Body), key) {
			t.Errorf("request %d holds the API key", i)
		}
	}
	reqs[0].Body[0] = 'X'
	if h.s.Requests()[0].Body[0] != '{' {
		t.Error("Requests() shares its bodies with the caller")
	}
}

func TestScenarioSelection(t *testing.T) {
	cases := []struct {
		name     string
		opts     Options
		query    string
		body     string
		wantName string // agentName or flowName of execution_start / agent_start / flow_start
		legacy   bool
	}{
		{"default is parallel", Options{Open: true}, "", `{"agent":{}}`, "Switchback Assistant", false},
		{"options default", Options{Open: true, Scenario: "approval"}, "", `{"agent":{}}`, "Mail Assistant", false},
		{"query beats options", Options{Open: true, Scenario: "approval"}, "scenario=flow-tool", `{"agent":{}}`, "Support Flow", false},
		{"metadata beats query", Options{Open: true}, "scenario=flow-tool", `{"agent":{},"metadata":{"scenario":"nested"}}`, "Research Assistant", false},
		{"events=legacy", Options{Open: true}, "events=legacy", `{"agent":{}}`, "Switchback Assistant", true},
		{"Legacy option ignores events=unified", Options{Open: true, Legacy: true}, "events=unified", `{"agent":{}}`, "Switchback Assistant", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.opts)
			frames := h.stream(pathDispatch, tc.query, tc.body)
			first := frames[0]
			name := first.str(t, "agentName") + first.str(t, "flowName")
			if name != tc.wantName {
				t.Errorf("ran %q, want %q", name, tc.wantName)
			}
			if legacy := first.Type() != "execution_start"; legacy != tc.legacy {
				t.Errorf("first frame %s: legacy = %v, want %v", first.Type(), legacy, tc.legacy)
			}
		})
	}
}

// TestVocabularyFixedAtDispatch: the continuation speaks the dispatch's
// vocabulary whatever its own query says.
func TestVocabularyFixedAtDispatch(t *testing.T) {
	h := newHarness(t, Options{Open: true})
	frames := h.stream(pathDispatch, "events=legacy", dispatchBody(t, "flow-tool"))
	frames = h.stream(pathResume, "events=unified", resumeBody(t, frames, cartOutput))
	if got := frames[len(frames)-1].Type(); got != "flow_complete" {
		t.Errorf("continuation ends with %s, want flow_complete (legacy)", got)
	}
}

func TestContinueEndpoint(t *testing.T) {
	h := newHarness(t, Options{Open: true})

	frames := h.stream(pathDispatch, "", dispatchBody(t, "parallel"))
	rb := resumeBody(t, frames, cartOutput)
	frames = h.stream(pathContinue, "", map[string]any{"executionId": rb["executionId"], "streamResponse": true,
		"continuation": map[string]any{"type": "tool_outputs", "toolOutputs": rb["toolOutputs"]}})
	if got := frames[len(frames)-1].Type(); got != "execution_complete" {
		t.Errorf("tool_outputs continuation ends with %s", got)
	}

	frames = h.stream(pathDispatch, "", dispatchBody(t, "approval"))
	id, appr := approvalOf(t, frames)
	frames = h.stream(pathContinue, "", map[string]any{"executionId": id, "streamResponse": true,
		"continuation": map[string]any{"type": "approval", "approvalId": appr, "decision": "denied", "reason": "not today"}})
	if got := frames[0].str(t, "decision"); got != "denied" {
		t.Errorf("approval_complete decision = %q, want denied", got)
	}
	if got := frames[len(frames)-1].str(t, "finalOutput"); !strings.Contains(got, "not today") {
		t.Errorf("finalOutput %q does not mention the reason", got)
	}
}

// pieceRecorder records what a handler writes between flushes.
type pieceRecorder struct {
	h      http.Header
	cur    bytes.Buffer
	pieces []string
}

func (p *pieceRecorder) Header() http.Header         { return p.h }
func (p *pieceRecorder) WriteHeader(int)             {}
func (p *pieceRecorder) Write(b []byte) (int, error) { return p.cur.Write(b) }
func (p *pieceRecorder) Flush() {
	if p.cur.Len() > 0 {
		p.pieces = append(p.pieces, p.cur.String())
		p.cur.Reset()
	}
}

func record(t *testing.T, opts Options, scenario string) *pieceRecorder {
	t.Helper()
	opts.Open = true
	rec := &pieceRecorder{h: http.Header{}}
	req := httptest.NewRequest("POST", pathDispatch, bytes.NewReader(dispatchBody(t, scenario)))
	New(opts).ServeHTTP(rec, req)
	rec.Flush()
	return rec
}

func TestWireQuirks(t *testing.T) {
	plain := record(t, Options{}, "flow-tool")
	wantTypes := types(mustParse(t, strings.Join(plain.pieces, "")))

	cases := []struct {
		name  string
		opts  Options
		check func(t *testing.T, raw string, rec *pieceRecorder, frames []frame)
	}{
		{"CRLF", Options{CRLF: true}, func(t *testing.T, raw string, _ *pieceRecorder, _ []frame) {
			if strings.Count(raw, "\n") != strings.Count(raw, "\r\n") || !strings.Contains(raw, "\r\n\r\n") {
				t.Error("a line ends without \\r\\n")
			}
		}},
		{"Comments", Options{Comments: true}, func(t *testing.T, raw string, _ *pieceRecorder, frames []frame) {
			if !strings.HasPrefix(raw, ": keep-alive\n\nid: 1\nevent: execution_start\n") {
				t.Errorf("stream starts %q", raw[:60])
			}
			if strings.Count(raw, ": keep-alive\n") < 2 {
				t.Error("want keep-alive comments interleaved through the stream")
			}
			for i, f := range frames {
				if f.ID != fmt.Sprint(i+1) {
					t.Errorf("frame %d id = %q, want %d", i, f.ID, i+1)
				}
			}
		}},
		{"Split", Options{Split: true}, func(t *testing.T, _ string, rec *pieceRecorder, frames []frame) {
			// Headers flush alone (no piece); then every frame in 4 pieces.
			if len(rec.pieces) != 4*len(frames) {
				t.Errorf("%d pieces for %d frames, want 4 per frame", len(rec.pieces), len(frames))
			}
			midLine := 0
			for _, p := range rec.pieces {
				if !strings.HasSuffix(p, "\n") {
					midLine++
				}
			}
			if midLine < 2*len(frames) {
				t.Errorf("only %d pieces end mid-line", midLine)
			}
		}},
		{"all at once", Options{CRLF: true, Comments: true, Split: true}, func(t *testing.T, raw string, rec *pieceRecorder, frames []frame) {
			if !strings.Contains(raw, ": keep-alive\r\n\r\nid: 1\r\n") || len(rec.pieces) < 4*len(frames) {
				t.Errorf("quirks did not combine: %q…", raw[:40])
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := record(t, tc.opts, "flow-tool")
			raw := strings.Join(rec.pieces, "")
			frames := mustParse(t, raw)
			if got := types(frames); !slices.Equal(got, wantTypes) {
				t.Errorf("frame types = %v, want %v (the quirks change bytes, not events)", got, wantTypes)
			}
			tc.check(t, raw, rec, frames)
		})
	}

	// Over a real connection too, for the big frames.
	h := newHarness(t, Options{Open: true, CRLF: true, Comments: true, Split: true})
	frames := h.stream(pathDispatch, "", dispatchBody(t, "big"))
	if got := frames[len(frames)-1].Type(); got != "await" {
		t.Errorf("quirky big stream ends with %s, want await", got)
	}
}

func mustParse(t *testing.T, raw string) []frame {
	t.Helper()
	frames, rest := parseSSE([]byte(raw))
	if strings.TrimSpace(rest) != "" || len(frames) == 0 {
		t.Fatalf("stream does not parse cleanly: %d frames, rest %q", len(frames), rest)
	}
	return frames
}

func TestSplitPieces(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"event: x\ndata: {\"a\":1}\n\n", []string{"eve", "nt: x\ndat", "a: {\"a\":1}\n", "\n"}},
		{"ab", []string{"a", "b"}},
		{"a", []string{"a"}},
	}
	for _, tc := range cases {
		var got []string
		for _, p := range splitPieces([]byte(tc.in)) {
			got = append(got, string(p))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("splitPieces(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestManyExecutionsAtOnce(t *testing.T) {
	h := newHarness(t, Options{Open: true})
	scenarios := []string{"parallel", "flow-tool", "two-pauses", "approval", "nested", "fail"}
	ids := make(chan string, 4*len(scenarios))
	t.Run("group", func(t *testing.T) {
		for i := range 4 * len(scenarios) {
			sc := scenarios[i%len(scenarios)]
			t.Run(fmt.Sprintf("%d-%s", i, sc), func(t *testing.T) {
				t.Parallel()
				hh := *h
				hh.t = t
				frames := hh.stream(pathDispatch, "", dispatchBody(t, sc))
				ids <- frames[0].str(t, "executionId")
				for range 3 {
					switch last := frames[len(frames)-1]; last.Type() {
					case "await":
						frames = hh.stream(pathResume, "", resumeBody(t, frames, cartOutput))
					case "approval_start":
						id, appr := approvalOf(t, frames)
						frames = hh.stream(pathApprove, "", map[string]any{"executionId": id, "approvalId": appr, "decision": "approved"})
					}
				}
				if got := frames[len(frames)-1].Type(); got != "execution_complete" && got != "execution_error" {
					t.Errorf("run ends with %s", got)
				}
			})
		}
	})
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		if seen[id] {
			t.Errorf("execution id %s used twice", id)
		}
		seen[id] = true
	}
}

func TestListenAndServe(t *testing.T) {
	s, ln, err := Listen("127.0.0.1:0", Options{Open: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, s) }()

	h := &harness{t: t, s: s, url: "http://" + ln.Addr().String(), client: &http.Client{}, key: "-"}
	frames := h.stream(pathDispatch, "", dispatchBody(t, "nested"))
	if got := frames[len(frames)-1].Type(); got != "execution_complete" {
		t.Errorf("stream ends with %s", got)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve after cancel = %v, want nil", err)
	}
	if _, _, err := Listen("256.0.0.1:0", Options{}); err == nil {
		t.Error("Listen on a bad address: want an error")
	}
}
