package api

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"
)

const testKey = "rt_live_SECRET_key_0123456789"

// sseServer answers every request with body as an event stream.
func sseServer(t *testing.T, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// collect sends r and reads every frame.
func collect(t *testing.T, c *Client, r Request) ([]Frame, error) {
	t.Helper()
	s, err := c.Send(context.Background(), r)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	defer s.Close()
	var frames []Frame
	err = s.Frames(func(f Frame) bool {
		if f.At.IsZero() {
			t.Errorf("frame %q has no At", f.Data)
		}
		f.At = time.Time{}
		frames = append(frames, f)
		return true
	})
	return frames, err
}

func dispatch(t *testing.T, c *Client) Request {
	t.Helper()
	r, err := c.DispatchRequest([]byte(`{"flow":{"id":"flow_1"}}`))
	if err != nil {
		t.Fatalf("DispatchRequest: %v", err)
	}
	return r
}

func TestSendRequest(t *testing.T) {
	type seen struct {
		Method, Path, Query, ContentType, Accept, Auth, Body string
	}
	cases := []struct {
		name    string
		key     string
		unified bool
		req     func(c *Client) Request
		want    seen
	}{
		{
			name: "dispatch", key: testKey, unified: true,
			req: func(c *Client) Request { r, _ := c.DispatchRequest([]byte(`{"flow":{"id":"f"}}`)); return r },
			want: seen{"POST", "/v1/dispatch", "events=unified", "application/json", "text/event-stream",
				"Bearer " + testKey, `{"flow":{"id":"f"},"options":{"streamResponse":true}}`},
		},
		{
			name: "dispatch without unified", key: testKey, unified: false,
			req: func(c *Client) Request { r, _ := c.DispatchRequest([]byte(`{"agent":{}}`)); return r },
			want: seen{"POST", "/v1/dispatch", "", "application/json", "text/event-stream",
				"Bearer " + testKey, `{"agent":{},"options":{"streamResponse":true}}`},
		},
		{
			name: "resume", key: testKey, unified: true,
			req: func(c *Client) Request {
				return c.ResumeRequest(ResumeRequest{ExecutionID: "virtual_1", ToolOutputs: map[string]json.RawMessage{
					"call_Q1": json.RawMessage(`{"ok":true}`), "call_Q2": json.RawMessage(`{"ok":false}`)}})
			},
			want: seen{"POST", "/v1/dispatch/resume", "events=unified", "application/json", "text/event-stream",
				"Bearer " + testKey, `{"executionId":"virtual_1","toolOutputs":{"call_Q1":{"ok":true},"call_Q2":{"ok":false}},"streamResponse":true}`},
		},
		{
			name: "approve has no events query", key: testKey, unified: true,
			req: func(c *Client) Request {
				return c.ApproveRequest(ApproveRequest{ExecutionID: "e", ApprovalID: "appr_1", Decision: DecisionApproved})
			},
			want: seen{"POST", "/v1/dispatch/approve", "", "application/json", "text/event-stream",
				"Bearer " + testKey, `{"executionId":"e","approvalId":"appr_1","decision":"approved","streamResponse":true}`},
		},
		{
			name: "no key no Authorization", key: "", unified: true,
			req: func(c *Client) Request { r, _ := c.DispatchRequest([]byte(`{}`)); return r },
			want: seen{"POST", "/v1/dispatch", "events=unified", "application/json", "text/event-stream",
				"", `{"options":{"streamResponse":true}}`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := make(chan seen, 1)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				got <- seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Content-Type"),
					r.Header.Get("Accept"), r.Header.Get("Authorization"), string(b)}
				w.Header().Set("Content-Type", "text/event-stream")
				io.WriteString(w, "data: {\"type\":\"ping\"}\n\n")
			}))
			defer srv.Close()
			c := NewClient(srv.URL+"/", tc.key)
			c.Unified = tc.unified
			frames, err := collect(t, c, tc.req(c))
			if err != nil {
				t.Fatalf("Frames: %v", err)
			}
			if len(frames) != 1 {
				t.Errorf("frames = %d, want 1", len(frames))
			}
			if g := <-got; g != tc.want {
				t.Errorf("server saw %+v, want %+v", g, tc.want)
			}
		})
	}
}

func TestStreamFraming(t *testing.T) {
	cases := []struct {
		name string
		body string
		want []Frame
	}{
		{"LF", "event: ping\ndata: {\"a\":1}\n\ndata: 2\n\n",
			[]Frame{{Event: "ping", Data: `{"a":1}`}, {Data: "2"}}},
		{"CRLF", "event: ping\r\ndata: {\"a\":1}\r\n\r\ndata: 2\r\n\r\n",
			[]Frame{{Event: "ping", Data: `{"a":1}`}, {Data: "2"}}},
		{"CR", "data: 1\r\rdata: 2\r\r",
			[]Frame{{Data: "1"}, {Data: "2"}}},
		{"comments are ignored", ": hi\n\ndata: 1\n: mid-frame\ndata: 2\n\n",
			[]Frame{{Data: "1\n2"}}},
		{"id-only frame passes with no data; ids are sticky", "id: 5\n\ndata: x\n\n",
			[]Frame{{ID: "5"}, {ID: "5", Data: "x"}}},
		{"retry-only frame yields nothing", "retry: 100\n\ndata: x\n\n",
			[]Frame{{Data: "x"}}},
		{"event-only frame", "event: tick\n\n",
			[]Frame{{Event: "tick"}}},
		{"empty data line", "data:\n\n",
			[]Frame{{}}},
		{"final frame without a blank line is kept", "data: 1\n\ndata: {\"type\":\"execution_complete\"}\n",
			[]Frame{{Data: "1"}, {Data: `{"type":"execution_complete"}`}}},
		{"final frame without any newline is kept", "data: 1\n\ndata: 2",
			[]Frame{{Data: "1"}, {Data: "2"}}},
		{"final CR-terminated line", "data: 1\r",
			[]Frame{{Data: "1"}}},
		{"DONE passes through to the decoder", "data: [DONE]\n\n",
			[]Frame{{Data: "[DONE]"}}},
		{"extra blank lines", "\n\ndata: 1\n\n\n\n",
			[]Frame{{Data: "1"}}},
		{"empty body", "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := sseServer(t, tc.body)
			c := NewClient(srv.URL, testKey)
			frames, err := collect(t, c, dispatch(t, c))
			if err != nil {
				t.Fatalf("Frames: %v", err)
			}
			if !reflect.DeepEqual(frames, tc.want) {
				t.Errorf("frames = %+v, want %+v", frames, tc.want)
			}

			// The same body read one byte at a time gives the same frames.
			s := &Stream{ctx: context.Background(), max: DefaultMaxFrameSize, redactF: func(e error) error { return e },
				res: &http.Response{StatusCode: 200, Body: io.NopCloser(iotest.OneByteReader(strings.NewReader(tc.body)))}}
			var slow []Frame
			if err := s.Frames(func(f Frame) bool { f.At = time.Time{}; slow = append(slow, f); return true }); err != nil {
				t.Fatalf("one-byte Frames: %v", err)
			}
			if !reflect.DeepEqual(slow, tc.want) {
				t.Errorf("one-byte frames = %+v, want %+v", slow, tc.want)
			}
		})
	}
}

func TestStreamFixtureOverTheWire(t *testing.T) {
	fixture := readFixture(t)
	want := decodeAll(NewDecoder(), framesOf(t, string(fixture)))
	cases := []struct {
		name     string
		byteWise bool
	}{
		{"one write", false},
		{"flushed byte by byte", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/event-stream")
				if !tc.byteWise {
					w.Write(fixture)
					return
				}
				fl := w.(http.Flusher)
				for i := range fixture {
					w.Write(fixture[i : i+1])
					fl.Flush()
				}
			}))
			defer srv.Close()
			c := NewClient(srv.URL, testKey)
			frames, err := collect(t, c, dispatch(t, c))
			if err != nil {
				t.Fatalf("Frames: %v", err)
			}
			got := decodeAll(NewDecoder(), frames)
			if len(got) != len(want) {
				t.Fatalf("events = %d, want %d", len(got), len(want))
			}
			for i := range got {
				if g, w := project(got[i]), project(want[i]); g != w {
					t.Errorf("event %d = %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

func TestStreamLargeNonASCIIFrame(t *testing.T) {
	// About 400 KB of multi-byte text in one frame: far over go-sse's
	// 64 KiB default, well under our limit.
	text := strings.Repeat("héllo wörld — 日本語 😀 ", 13000)
	payload, _ := json.Marshal(map[string]string{"type": "text_delta", "id": "text_1", "delta": text})
	if len(payload) < 400_000 {
		t.Fatalf("payload is %d bytes, want >= 400000", len(payload))
	}
	srv := sseServer(t, "event: text_delta\ndata: "+string(payload)+"\n\n")
	c := NewClient(srv.URL, testKey)
	frames, err := collect(t, c, dispatch(t, c))
	if err != nil {
		t.Fatalf("Frames: %v", err)
	}
	if len(frames) != 1 {
		t.Fatalf("frames = %d, want 1", len(frames))
	}
	evs := NewDecoder().Decode(nil, frames[0])
	if len(evs) != 1 || evs[0].Type != TypeTextDelta {
		t.Fatalf("events = %+v, want one text_delta", evs)
	}
	if evs[0].Delta != text {
		t.Errorf("delta has %d bytes, want %d (the text intact)", len(evs[0].Delta), len(text))
	}
}

func TestStreamFrameTooLarge(t *testing.T) {
	cases := []struct {
		name    string
		max     int
		size    int
		wantMiB string
	}{
		{"limit below 4 MiB is raised to 4 MiB", 1024, 4<<20 + 1024, "4 MiB"},
		{"6 MiB limit", 6 << 20, 6<<20 + 1024, "6 MiB"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := "data: {\"type\":\"ping\"}\n\ndata: " + strings.Repeat("x", tc.size) + "\n\ndata: {\"type\":\"ping\"}\n\n"
			srv := sseServer(t, body)
			c := NewClient(srv.URL, testKey)
			c.MaxFrameSize = tc.max
			frames, err := collect(t, c, dispatch(t, c))
			if err == nil {
				t.Fatal("Frames error = nil, want a frame-size error")
			}
			if !strings.Contains(err.Error(), "exceeds the "+tc.wantMiB+" limit") {
				t.Errorf("error = %q, want it to name the %s limit", err, tc.wantMiB)
			}
			if !errors.Is(err, bufio.ErrTooLong) {
				t.Errorf("errors.Is(err, bufio.ErrTooLong) = false for %v", err)
			}
			if len(frames) != 1 {
				t.Errorf("frames before the big one = %d, want 1", len(frames))
			}
		})
	}
}

func TestStreamDropped(t *testing.T) {
	const start = "data: {\"type\":\"execution_start\",\"kind\":\"flow\"}\n\n"
	cases := []struct {
		name  string
		serve func(w http.ResponseWriter)
	}{
		{"hijack and close mid-frame", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(200)
			io.WriteString(w, start+"data: {\"type\":\"text_del")
			w.(http.Flusher).Flush()
			conn, _, _ := http.NewResponseController(w).Hijack()
			conn.Close()
		}},
		{"hijack and close between frames", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(200)
			io.WriteString(w, start)
			w.(http.Flusher).Flush()
			conn, _, _ := http.NewResponseController(w).Hijack()
			conn.Close()
		}},
		{"chunked body without its last chunk", func(w http.ResponseWriter) {
			conn, buf, _ := http.NewResponseController(w).Hijack()
			buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
			buf.WriteString(strconv.FormatInt(int64(len(start)), 16) + "\r\n" + start + "\r\n")
			buf.Flush()
			conn.Close()
		}},
		{"content-length body cut short", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/event-stream")
			w.Header().Set("Content-Length", "1000")
			w.WriteHeader(200)
			io.WriteString(w, start)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { tc.serve(w) }))
			defer srv.Close()
			c := NewClient(srv.URL, testKey)
			frames, err := collect(t, c, dispatch(t, c))
			if err == nil {
				t.Fatal("Frames error = nil, want a dropped stream")
			}
			if !strings.Contains(err.Error(), "stream dropped") {
				t.Errorf("error = %q, want it to say the stream dropped", err)
			}
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("errors.Is(err, io.ErrUnexpectedEOF) = false for %v", err)
			}
			if len(frames) != 1 {
				t.Fatalf("frames = %d, want the 1 complete frame", len(frames))
			}
			tr := NewTracker()
			tr.BeginStream()
			d := NewDecoder()
			for _, ev := range d.Decode(nil, frames[0]) {
				tr.Observe(&ev)
			}
			if got, want := tr.EndStream(err), RunDropped; got != want {
				t.Errorf("EndStream = %v, want %v", got, want)
			}
		})
	}
}

func TestSendHTTPError(t *testing.T) {
	cases := []struct {
		name      string
		status    int
		ctype     string
		body      string
		wantErr   string
		wantField HTTPError // the parsed fields (Status, Body not compared)
	}{
		{
			name: "401 JSON with code-like error", status: 401, ctype: "application/json",
			body:      `{"error":"unauthorized","message":"Missing or invalid API key","hint":"Send Authorization: Bearer <key>"}`,
			wantErr:   "401 Unauthorized: Missing or invalid API key (code unauthorized; hint Send Authorization: Bearer <key>)",
			wantField: HTTPError{ErrorText: "unauthorized", Message: "Missing or invalid API key", Hint: "Send Authorization: Bearer <key>"},
		},
		{
			name: "400 error string only", status: 400, ctype: "application/json",
			body:      `{"error":"Invalid origin: must be webmcp or sdk"}`,
			wantErr:   "400 Bad Request: Invalid origin: must be webmcp or sdk",
			wantField: HTTPError{ErrorText: "Invalid origin: must be webmcp or sdk"},
		},
		{
			name: "404 error object", status: 404, ctype: "application/json",
			body:      `{"error":{"code":"not_found","message":"Execution is not paused","details":{"executionId":"e"}}}`,
			wantErr:   "404 Not Found: Execution is not paused (code not_found)",
			wantField: HTTPError{ErrorText: "Execution is not paused", Code: "not_found", Details: json.RawMessage(`{"executionId":"e"}`)},
		},
		{
			name: "429 with code and details", status: 429, ctype: "application/json",
			body:      `{"error":"Too many requests","code":"rate_limited","details":{"retryAfter":3}}`,
			wantErr:   "429 Too Many Requests: Too many requests (code rate_limited)",
			wantField: HTTPError{ErrorText: "Too many requests", Code: "rate_limited", Details: json.RawMessage(`{"retryAfter":3}`)},
		},
		{
			name: "sentence error and message both kept", status: 403, ctype: "application/json",
			body:      `{"error":"Forbidden resource","message":"Key lacks flow:run"}`,
			wantErr:   "403 Forbidden: Forbidden resource: Key lacks flow:run",
			wantField: HTTPError{ErrorText: "Forbidden resource", Message: "Key lacks flow:run"},
		},
		{
			name: "502 HTML page", status: 502, ctype: "text/html",
			body:    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
			wantErr: "502 Bad Gateway: 502 Bad Gateway 502 Bad Gateway nginx",
		},
		{
			name: "500 empty body", status: 500, ctype: "text/plain",
			wantErr: "500 Internal Server Error",
		},
		{
			name: "500 plain text", status: 500, ctype: "text/plain",
			body:    "upstream\n   exploded\n",
			wantErr: "500 Internal Server Error: upstream exploded",
		},
		{
			name: "JSON without known fields", status: 400, ctype: "application/json",
			body:    `{"issues":[1]}`,
			wantErr: `400 Bad Request: {"issues":[1]}`,
		},
		{
			name: "key echoed by the server is masked", status: 401, ctype: "application/json",
			body:      `{"error":"Invalid key ` + testKey + `"}`,
			wantErr:   "401 Unauthorized: Invalid key ********",
			wantField: HTTPError{ErrorText: "Invalid key ********"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.ctype)
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			c := NewClient(srv.URL, testKey)
			s, err := c.Send(context.Background(), dispatch(t, c))
			if err == nil {
				s.Close()
				t.Fatal("Send error = nil, want an *HTTPError")
			}
			var he *HTTPError
			if !errors.As(err, &he) {
				t.Fatalf("error %T %v, want *HTTPError", err, err)
			}
			if got := err.Error(); got != tc.wantErr {
				t.Errorf("Error() = %q, want %q", got, tc.wantErr)
			}
			if strings.Contains(err.Error(), testKey) || strings.Contains(string(he.Body), testKey) {
				t.Errorf("the API key leaked into the error: %q", err)
			}
			if he.Status != tc.status {
				t.Errorf("Status = %d, want %d", he.Status, tc.status)
			}
			got := HTTPError{ErrorText: he.ErrorText, Message: he.Message, Code: he.Code, Hint: he.Hint, Details: he.Details}
			if !reflect.DeepEqual(got, tc.wantField) {
				t.Errorf("fields = %+v, want %+v", got, tc.wantField)
			}
		})
	}
}

func TestHTTPErrorBodyIsBounded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(500)
		io.WriteString(w, strings.Repeat("z", 200<<10))
	}))
	defer srv.Close()
	c := NewClient(srv.URL, testKey)
	_, err := c.Send(context.Background(), dispatch(t, c))
	var he *HTTPError
	if !errors.As(err, &he) {
		t.Fatalf("error = %v, want *HTTPError", err)
	}
	if got, want := len(he.Body), 64<<10; got != want {
		t.Errorf("len(Body) = %d, want %d", got, want)
	}
	if got := len(err.Error()); got > 300 {
		t.Errorf("len(Error()) = %d, want a short excerpt", got)
	}
}

func TestSendWrongContentType(t *testing.T) {
	cases := []struct {
		name  string
		ctype []string
		body  string
		want  []string
	}{
		{"JSON result", []string{"application/json"}, `{"success":true,"result":{}}`,
			[]string{"POST /v1/dispatch", `content type "application/json"`, `{"success":true,"result":{}}`, "text/event-stream"}},
		{"no content type", nil, "data: x\n\n",
			[]string{"content type none"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header()["Content-Type"] = tc.ctype // nil stops net/http sniffing one
				io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			c := NewClient(srv.URL, testKey)
			_, err := c.Send(context.Background(), dispatch(t, c))
			if err == nil {
				t.Fatal("Send error = nil, want a content type error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error = %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestSendNetworkErrors(t *testing.T) {
	// A port nothing listens on: take one and close it again.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()

	cases := []struct {
		name    string
		base    string
		wantPfx string
	}{
		{"connection refused", dead, "POST /v1/dispatch/resume: dial tcp"},
		{"bad base URL holding the key", "http://exa mple.com/" + testKey, "POST /v1/dispatch/resume: "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := NewClient(tc.base, testKey)
			_, err := c.Send(context.Background(), c.ResumeRequest(ResumeRequest{ExecutionID: "e"}))
			if err == nil {
				t.Fatal("Send error = nil, want a network error")
			}
			if !strings.HasPrefix(err.Error(), tc.wantPfx) {
				t.Errorf("error = %q, want prefix %q", err, tc.wantPfx)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Errorf("the API key leaked into the error: %q", err)
			}
		})
	}
}

func TestCancel(t *testing.T) {
	t.Run("while streaming", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, "data: {\"type\":\"execution_start\",\"kind\":\"agent\"}\n\n")
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}))
		defer srv.Close()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		c := NewClient(srv.URL, testKey)
		s, err := c.Send(ctx, dispatch(t, c))
		if err != nil {
			t.Fatalf("Send: %v", err)
		}
		defer s.Close()
		tr := NewTracker()
		tr.BeginStream()
		d := NewDecoder()
		n := 0
		err = s.Frames(func(f Frame) bool {
			n++
			for _, ev := range d.Decode(nil, f) {
				tr.Observe(&ev)
			}
			cancel() // the user presses stop after the first frame
			return true
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Frames error = %v, want context.Canceled", err)
		}
		if !strings.Contains(err.Error(), "cancelled") {
			t.Errorf("error = %q, want it to say cancelled", err)
		}
		if n != 1 {
			t.Errorf("frames = %d, want 1", n)
		}
		if got, want := tr.EndStream(err), RunCancelled; got != want {
			t.Errorf("EndStream = %v, want %v", got, want)
		}
	})
	t.Run("before the response headers", func(t *testing.T) {
		started := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// net/http notices a client hang-up (and cancels r.Context())
			// only once the request body has been read.
			io.Copy(io.Discard, r.Body)
			close(started)
			<-r.Context().Done()
		}))
		defer srv.Close()
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			<-started
			cancel()
		}()
		c := NewClient(srv.URL, testKey)
		_, err := c.Send(ctx, dispatch(t, c))
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Send error = %v, want context.Canceled", err)
		}
		if !strings.HasPrefix(err.Error(), "POST /v1/dispatch: ") {
			t.Errorf("error = %q, want it to say what was being sent", err)
		}
	})
	t.Run("fn returning false stops cleanly", func(t *testing.T) {
		srv := sseServer(t, "data: 1\n\ndata: 2\n\ndata: 3\n\n")
		c := NewClient(srv.URL, testKey)
		s, err := c.Send(context.Background(), dispatch(t, c))
		if err != nil {
			t.Fatalf("Send: %v", err)
		}
		defer s.Close()
		n := 0
		err = s.Frames(func(Frame) bool { n++; return n < 2 })
		if err != nil || n != 2 {
			t.Errorf("Frames = %v after %d frames, want nil after 2", err, n)
		}
		if got, want := s.Status(), 200; got != want {
			t.Errorf("Status() = %d, want %d", got, want)
		}
	})
}

func TestDispatchRequest(t *testing.T) {
	cases := []struct {
		name    string
		body    string
		want    string
		wantErr string
	}{
		{"adds options", `{"flow":{"id":"f"},"inputs":{"q":"hi"}}`,
			`{"flow":{"id":"f"},"inputs":{"q":"hi"},"options":{"streamResponse":true}}`, ""},
		{"forces streamResponse and keeps options", `{"options":{"streamResponse":false,"flowMode":"virtual","recordMode":"none"},"flow":{"steps":[]}}`,
			`{"options":{"streamResponse":true,"flowMode":"virtual","recordMode":"none"},"flow":{"steps":[]}}`, ""},
		{"adds streamResponse to options", `{"options":{"flowMode":"existing"}}`,
			`{"options":{"flowMode":"existing","streamResponse":true}}`, ""},
		{"null options", `{"options":null}`, `{"options":{"streamResponse":true}}`, ""},
		{"keeps field order and values", "{\n  \"z\": 1,\n  \"a\": [1, 2.50, \"x\"],\n  \"m\": {\"b\": true, \"a\": null}\n}",
			`{"z":1,"a":[1,2.50,"x"],"m":{"b":true,"a":null},"options":{"streamResponse":true}}`, ""},
		{"keeps non-ASCII", `{"messages":[{"role":"user","content":"héllo <b>&"}]}`,
			`{"messages":[{"role":"user","content":"héllo <b>&"}],"options":{"streamResponse":true}}`, ""},
		{"empty object", `{}`, `{"options":{"streamResponse":true}}`, ""},
		{"rejects an array", `[{"flow":{}}]`, "", "must be a JSON object, got an array"},
		{"rejects a string", `"flow"`, "", "must be a JSON object, got a string"},
		{"rejects null", `null`, "", "must be a JSON object, got null"},
		{"rejects empty", "  ", "", "empty"},
		{"reports the syntax error line", "{\n  \"flow\": {\n    \"id\": \"f\",\n  }\n}", "", "line 4, column 3"},
		{"reports truncation", `{"flow":{"id":"f"`, "", "unexpected end"},
		{"rejects trailing data", `{"a":1} {"b":2}`, "", "line 1, column 9"},
		{"rejects non-object options", `{"options":[1]}`, "", "options: must be a JSON object"},
	}
	c := NewClient("https://api.runtype.com", testKey)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := c.DispatchRequest([]byte(tc.body))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tc.wantErr)
				}
				if !strings.HasPrefix(err.Error(), "dispatch body: ") {
					t.Errorf("error = %q, want it to name the dispatch body", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("DispatchRequest: %v", err)
			}
			if got := string(r.Body); got != tc.want {
				t.Errorf("Body = %s, want %s", got, tc.want)
			}
			if r.Method != "POST" || r.Path != PathDispatch || r.Query != "events=unified" || r.ExecutionID != "" {
				t.Errorf("Request = %+v, want POST %s?events=unified with no execution id", r, PathDispatch)
			}
		})
	}
}

func TestContinuationRequests(t *testing.T) {
	c := NewClient("https://api.runtype.com", testKey)
	cases := []struct {
		name string
		req  Request
		want Request
	}{
		{
			name: "resume forces streamResponse",
			req:  c.ResumeRequest(ResumeRequest{ExecutionID: "virtual_1", ToolOutputs: map[string]json.RawMessage{"c": json.RawMessage(`1`)}}),
			want: Request{Method: "POST", Path: PathResume, Query: "events=unified", ExecutionID: "virtual_1",
				Body: []byte(`{"executionId":"virtual_1","toolOutputs":{"c":1},"streamResponse":true}`)},
		},
		{
			name: "resume with messages",
			req:  c.ResumeRequest(ResumeRequest{ExecutionID: "e", Messages: json.RawMessage(`[{"role":"user","content":"more"}]`), StreamResponse: false}),
			want: Request{Method: "POST", Path: PathResume, Query: "events=unified", ExecutionID: "e",
				Body: []byte(`{"executionId":"e","messages":[{"role":"user","content":"more"}],"streamResponse":true}`)},
		},
		{
			name: "resume with an invalid output sends null for it",
			req:  c.ResumeRequest(ResumeRequest{ExecutionID: "e", ToolOutputs: map[string]json.RawMessage{"c": json.RawMessage(`{bad`)}}),
			want: Request{Method: "POST", Path: PathResume, Query: "events=unified", ExecutionID: "e",
				Body: []byte(`{"executionId":"e","toolOutputs":{"c":null},"streamResponse":true}`)},
		},
		{
			name: "approve",
			req:  c.ApproveRequest(ApproveRequest{ExecutionID: "e", ApprovalID: "appr_1", Decision: DecisionDenied, Reason: "no"}),
			want: Request{Method: "POST", Path: PathApprove, ExecutionID: "e",
				Body: []byte(`{"executionId":"e","approvalId":"appr_1","decision":"denied","reason":"no","streamResponse":true}`)},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !reflect.DeepEqual(tc.req, tc.want) {
				t.Errorf("got %+v (body %s), want %+v (body %s)", tc.req, tc.req.Body, tc.want, tc.want.Body)
			}
		})
	}
}

func TestResumeRequestLeavesOutputsAlone(t *testing.T) {
	outs := map[string]json.RawMessage{"c": json.RawMessage(`{bad`)}
	NewClient("https://x", "").ResumeRequest(ResumeRequest{ExecutionID: "e", ToolOutputs: outs})
	if got, want := string(outs["c"]), `{bad`; got != want {
		t.Errorf("caller's output = %s, want %s (unchanged)", got, want)
	}
}

func TestURL(t *testing.T) {
	cases := []struct {
		name, base string
		req        Request
		want       string
	}{
		{"plain", "https://api.runtype.com", Request{Path: PathDispatch, Query: "events=unified"}, "https://api.runtype.com/v1/dispatch?events=unified"},
		{"trailing slash", "https://api.runtype.com/", Request{Path: PathResume}, "https://api.runtype.com/v1/dispatch/resume"},
		{"two trailing slashes", "https://api.runtype.com//", Request{Path: PathApprove}, "https://api.runtype.com/v1/dispatch/approve"},
		{"base with a path prefix", "http://localhost:8080/proxy/", Request{Path: PathDispatch}, "http://localhost:8080/proxy/v1/dispatch"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := NewClient(tc.base, testKey)
			if got := c.URL(tc.req); got != tc.want {
				t.Errorf("URL = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPreview(t *testing.T) {
	cases := []struct {
		name string
		key  string
		req  func(c *Client) Request
		want string
	}{
		{
			name: "resume with key",
			key:  testKey,
			req: func(c *Client) Request {
				return c.ResumeRequest(ResumeRequest{ExecutionID: "virtual_1", ToolOutputs: map[string]json.RawMessage{
					"call_Q1": json.RawMessage(`{"ok":true,"cartTotal":149}`)}})
			},
			want: "POST https://api.runtype.com/v1/dispatch/resume?events=unified\n" +
				"Authorization: Bearer ********\n" +
				"Content-Type: application/json\n" +
				"Accept: text/event-stream\n" +
				"\n" +
				"{\n" +
				"  \"executionId\": \"virtual_1\",\n" +
				"  \"toolOutputs\": {\n" +
				"    \"call_Q1\": {\n" +
				"      \"ok\": true,\n" +
				"      \"cartTotal\": 149\n" +
				"    }\n" +
				"  },\n" +
				"  \"streamResponse\": true\n" +
				"}",
		},
		{
			name: "no key, no Authorization line",
			key:  "",
			req: func(c *Client) Request {
				return c.ApproveRequest(ApproveRequest{ExecutionID: "e", ApprovalID: "a", Decision: DecisionApproved})
			},
			want: "POST https://api.runtype.com/v1/dispatch/approve\n" +
				"Content-Type: application/json\n" +
				"Accept: text/event-stream\n" +
				"\n" +
				"{\n" +
				"  \"executionId\": \"e\",\n" +
				"  \"approvalId\": \"a\",\n" +
				"  \"decision\": \"approved\",\n" +
				"  \"streamResponse\": true\n" +
				"}",
		},
		{
			name: "a key pasted into the body is masked too",
			key:  testKey,
			req: func(c *Client) Request {
				r, _ := c.DispatchRequest([]byte(`{"inputs":{"token":"` + testKey + `"}}`))
				return r
			},
			want: "POST https://api.runtype.com/v1/dispatch?events=unified\n" +
				"Authorization: Bearer ********\n" +
				"Content-Type: application/json\n" +
				"Accept: text/event-stream\n" +
				"\n" +
				"{\n" +
				"  \"inputs\": {\n" +
				"    \"token\": \"********\"\n" +
				"  },\n" +
				"  \"options\": {\n" +
				"    \"streamResponse\": true\n" +
				"  }\n" +
				"}",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := NewClient("https://api.runtype.com/", tc.key)
			got := c.Preview(tc.req(c))
			if got != tc.want {
				t.Errorf("Preview =\n%s\nwant\n%s", got, tc.want)
			}
			if strings.Contains(got, testKey) {
				t.Error("the API key leaked into the preview")
			}
		})
	}
}

func TestClientDefaults(t *testing.T) {
	c := NewClient("https://api.runtype.com", testKey)
	if !c.Unified {
		t.Error("Unified = false, want true")
	}
	if c.HTTP == nil {
		t.Fatal("HTTP = nil, want a default client")
	}
	if c.HTTP.Timeout != 0 {
		t.Errorf("HTTP.Timeout = %v, want 0 (streams are long)", c.HTTP.Timeout)
	}
	tr, ok := c.HTTP.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("Transport = %T, want *http.Transport", c.HTTP.Transport)
	}
	if tr.TLSHandshakeTimeout == 0 || tr.ResponseHeaderTimeout == 0 {
		t.Errorf("TLS %v, header %v timeouts, want both set", tr.TLSHandshakeTimeout, tr.ResponseHeaderTimeout)
	}

	cases := []struct {
		name string
		max  int
		want int
	}{
		{"zero means 8 MiB", 0, 8 << 20},
		{"below 4 MiB is raised", 1 << 20, 4 << 20},
		{"4 MiB", 4 << 20, 4 << 20},
		{"16 MiB", 16 << 20, 16 << 20},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &Client{MaxFrameSize: tc.max}
			if got := c.maxFrame(); got != tc.want {
				t.Errorf("maxFrame() = %d, want %d", got, tc.want)
			}
		})
	}

	// A zero Client works: nil HTTP gets the default client.
	srv := sseServer(t, "data: {\"type\":\"ping\"}\n\n")
	zero := &Client{BaseURL: srv.URL}
	frames, err := collect(t, zero, Request{Method: "POST", Path: PathDispatch, Body: []byte(`{}`)})
	if err != nil || len(frames) != 1 {
		t.Errorf("zero Client: %d frames, err %v; want 1, nil", len(frames), err)
	}
}

// fakeRecorder keeps every call it gets, in order, as a readable line, and
// every value it was given, so a test can look for the key anywhere in them.
type fakeRecorder struct {
	mu     sync.Mutex
	calls  []string
	reqs   []Request
	frames []Frame
	next   int
}

func (f *fakeRecorder) Request(r Request) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	f.reqs = append(f.reqs, r)
	f.calls = append(f.calls, "request "+strconv.Itoa(f.next)+" "+r.Method+" "+r.Path+"?"+r.Query+" "+string(r.Body))
	return f.next
}

func (f *fakeRecorder) Response(stream, status int, contentType string, body []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "response "+strconv.Itoa(stream)+" "+strconv.Itoa(status)+" "+contentType+" body="+strconv.Quote(string(body))+" nil="+strconv.FormatBool(body == nil))
}

func (f *fakeRecorder) Frame(stream int, fr Frame) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.frames = append(f.frames, fr)
	f.calls = append(f.calls, "frame "+strconv.Itoa(stream)+" "+fr.Event+" "+fr.ID+" "+strconv.Quote(fr.Data))
}

func (f *fakeRecorder) End(stream int, reason string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	msg := "<nil>"
	if err != nil {
		msg = err.Error()
	}
	f.calls = append(f.calls, "end "+strconv.Itoa(stream)+" "+reason+" "+msg)
}

func (f *fakeRecorder) snapshot() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func TestRecorderHooks(t *testing.T) {
	const dispatchLine = `request 1 POST /v1/dispatch?events=unified {"flow":{"id":"flow_1"},"options":{"streamResponse":true}}`
	cases := []struct {
		name    string
		handler http.HandlerFunc
		closed  bool   // the server is closed before Send: a network error
		body    []byte // a dispatch body other than the default
		want    []string
		wantErr bool
	}{
		{
			name: "stream",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/event-stream")
				io.WriteString(w, "event: a\nid: 1\ndata: one\n\nid: 2\ndata: two\ndata: lines\n\n")
			},
			want: []string{
				dispatchLine,
				`response 1 200 text/event-stream body="" nil=true`,
				`frame 1 a 1 "one"`,
				`frame 1  2 "two\nlines"`,
				"end 1 completed <nil>",
			},
		},
		{
			name: "HTTP error echoing the key",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(401)
				io.WriteString(w, `{"error":"bad header `+r.Header.Get("Authorization")+`"}`)
			},
			want: []string{
				dispatchLine,
				`response 1 401 application/json body="{\"error\":\"bad header Bearer ********\"}" nil=false`,
				"end 1 error 401 Unauthorized: bad header Bearer ********",
			},
			wantErr: true,
		},
		{
			name: "wrong content type",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				io.WriteString(w, "<p>hi</p>")
			},
			want: []string{
				dispatchLine,
				`response 1 200 text/html body="" nil=true`,
				`end 1 error POST /v1/dispatch: 200 OK: expected an event stream (text/event-stream), got content type "text/html": hi`,
			},
			wantErr: true,
		},
		{
			name:    "network error",
			handler: func(w http.ResponseWriter, r *http.Request) {},
			closed:  true,
			want:    []string{dispatchLine, "end 1 error POST /v1/dispatch: connect: connection refused"},
			wantErr: true,
		},
		{
			name: "key pasted into the body",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/event-stream")
			},
			body: []byte(`{"flow":{"id":"f"},"note":"` + testKey + `"}`),
			want: []string{
				`request 1 POST /v1/dispatch?events=unified {"flow":{"id":"f"},"note":"********","options":{"streamResponse":true}}`,
				`response 1 200 text/event-stream body="" nil=true`,
				"end 1 completed <nil>",
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			if tc.closed {
				srv.Close()
			}
			rec := &fakeRecorder{}
			c := NewClient(srv.URL, testKey)
			c.Recorder = rec
			r := dispatch(t, c)
			if tc.body != nil {
				var err error
				if r, err = c.DispatchRequest(tc.body); err != nil {
					t.Fatal(err)
				}
			}
			sent := string(r.Body)
			s, err := c.Send(context.Background(), r)
			if string(r.Body) != sent {
				t.Errorf("Send changed the caller's body: got %s, want %s", r.Body, sent)
			}
			if tc.wantErr {
				if err == nil {
					s.Close()
					t.Fatal("Send error = nil, want an error")
				}
			} else {
				if err != nil {
					t.Fatalf("Send: %v", err)
				}
				if got, want := s.Number(), 1; got != want {
					t.Errorf("Number() = %d, want %d", got, want)
				}
				var delivered []Frame
				ferr := s.Frames(func(f Frame) bool {
					// The frame must already be recorded when fn sees it.
					rec.mu.Lock()
					last := rec.frames[len(rec.frames)-1]
					rec.mu.Unlock()
					if last != f {
						t.Errorf("frame %q handed to fn before it was recorded (last recorded %q)", f.Data, last.Data)
					}
					delivered = append(delivered, f)
					return true
				})
				s.Close()
				s.Finish("completed", ferr)
				s.Finish("dropped", errors.New("second call"))
				rec.mu.Lock()
				for i := range delivered {
					if !rec.frames[i].At.Equal(delivered[i].At) {
						t.Errorf("frame %d At = %v, want %v", i, rec.frames[i].At, delivered[i].At)
					}
				}
				rec.mu.Unlock()
			}
			got := rec.snapshot()
			if tc.closed && len(got) == 2 {
				// The dial error's wording depends on the platform; keep
				// its tail.
				if i := strings.LastIndex(got[1], "connect: "); i >= 0 {
					got[1] = "end 1 error POST /v1/dispatch: " + got[1][i:]
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("recorded:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
			if all := strings.Join(rec.snapshot(), "\n") + fmt.Sprintf("%#v", rec.reqs); strings.Contains(all, testKey) {
				t.Errorf("the API key reached the recorder: %s", all)
			}
		})
	}
}

func TestRecorderNumbersAndNoRecorder(t *testing.T) {
	srv := sseServer(t, "data: x\n\n")
	rec := &fakeRecorder{}
	c := NewClient(srv.URL, testKey)
	c.Recorder = rec
	for want := 1; want <= 3; want++ {
		s, err := c.Send(context.Background(), dispatch(t, c))
		if err != nil {
			t.Fatalf("Send: %v", err)
		}
		if got := s.Number(); got != want {
			t.Errorf("Number() = %d, want %d", got, want)
		}
		s.Close()
	}

	// Without a recorder nothing is numbered and Finish does nothing.
	c.Recorder = nil
	s, err := c.Send(context.Background(), dispatch(t, c))
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	defer s.Close()
	if got := s.Number(); got != 0 {
		t.Errorf("Number() without a recorder = %d, want 0", got)
	}
	s.Finish("completed", nil)
	if got, want := len(rec.snapshot()), 3*2; got != want {
		t.Errorf("recorder got %d calls, want %d", got, want)
	}
}

func TestFinishRedactsAndIsConcurrencySafe(t *testing.T) {
	srv := sseServer(t, "data: x\n\n")
	rec := &fakeRecorder{}
	c := NewClient(srv.URL, testKey)
	c.Recorder = rec
	s, err := c.Send(context.Background(), dispatch(t, c))
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	defer s.Close()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { s.Finish("cancelled", errors.New("boom "+testKey)) })
	}
	wg.Wait()
	got := rec.snapshot()
	ends := 0
	for _, c := range got {
		if strings.HasPrefix(c, "end ") {
			ends++
			if want := "end 1 cancelled boom ********"; c != want {
				t.Errorf("end = %q, want %q", c, want)
			}
		}
	}
	if ends != 1 {
		t.Errorf("got %d end records, want 1", ends)
	}
}
