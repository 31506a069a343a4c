package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// frame is one parsed SSE frame. The parser is the test's own (not the api
// package's decoder, which is written concurrently): it follows the SSE
// rules the client must follow, LF or CRLF, comments skipped.
type frame struct {
	Event, ID, Data string
}

// Type is the event line if present, else data.type (runtype-protocol.md §2.1).
func (f frame) Type() string {
	if f.Event != "" {
		return f.Event
	}
	var d struct {
		Type string `json:"type"`
	}
	json.Unmarshal([]byte(f.Data), &d)
	return d.Type
}

// Fields decodes the data.
func (f frame) Fields(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	d := json.NewDecoder(strings.NewReader(f.Data))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		t.Fatalf("frame %q: data is not a JSON object: %v", f.Type(), err)
	}
	return m
}

// str returns a string field of the frame's data.
func (f frame) str(t *testing.T, key string) string {
	t.Helper()
	s, _ := f.Fields(t)[key].(string)
	return s
}

// parseSSE splits a stream into frames. rest is an unterminated tail (a
// frame cut before its blank line).
func parseSSE(b []byte) (frames []frame, rest string) {
	text := strings.ReplaceAll(string(b), "\r\n", "\n")
	blocks := strings.Split(text, "\n\n")
	rest = blocks[len(blocks)-1]
	for _, block := range blocks[:len(blocks)-1] {
		var f frame
		var data []string
		seen := false
		for line := range strings.SplitSeq(block, "\n") {
			if line == "" || strings.HasPrefix(line, ":") {
				continue
			}
			name, value, _ := strings.Cut(line, ":")
			value = strings.TrimPrefix(value, " ")
			switch name {
			case "event":
				f.Event, seen = value, true
			case "id":
				f.ID, seen = value, true
			case "data":
				data, seen = append(data, value), true
			}
		}
		if seen {
			f.Data = strings.Join(data, "\n")
			frames = append(frames, f)
		}
	}
	return frames, rest
}

// types lists the frames' types with each run of text deltas folded into
// one entry, so expectations do not depend on how a text is chunked.
func types(frames []frame) []string {
	var out []string
	for _, f := range frames {
		t := f.Type()
		if isDelta(t) && len(out) > 0 && out[len(out)-1] == t {
			continue
		}
		out = append(out, t)
	}
	return out
}

func isDelta(t string) bool {
	return t == "text_delta" || t == "step_delta" || t == "agent_turn_delta"
}

func ofType(frames []frame, typ ...string) []frame {
	var out []frame
	for _, f := range frames {
		for _, t := range typ {
			if f.Type() == t {
				out = append(out, f)
			}
		}
	}
	return out
}

// harness is a simulator behind a real loopback HTTP server.
type harness struct {
	t      *testing.T
	s      *Server
	url    string
	client *http.Client
	key    string
}

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	return newHarnessWith(t, New(opts), opts.APIKey)
}

func newHarnessWith(t *testing.T, s *Server, key string) *harness {
	t.Helper()
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	if key == "" {
		key = "test-key"
	}
	return &harness{t: t, s: s, url: ts.URL, client: ts.Client(), key: key}
}

func jsonBody(t *testing.T, body any) []byte {
	t.Helper()
	switch b := body.(type) {
	case []byte:
		return b
	case string:
		return []byte(b)
	}
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// do sends a request with the harness key and returns the response.
func (h *harness) do(ctx context.Context, method, path, query string, body any) *http.Response {
	h.t.Helper()
	u := h.url + path
	if query != "" {
		u += "?" + query
	}
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(jsonBody(h.t, body)))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if h.key != "-" {
		req.Header.Set("Authorization", "Bearer "+h.key)
	}
	res, err := h.client.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	return res
}

// stream POSTs and reads a whole SSE response, failing on anything but a
// clean 200 event stream.
func (h *harness) stream(path, query string, body any) []frame {
	h.t.Helper()
	res := h.do(context.Background(), http.MethodPost, path, query, body)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		h.t.Fatalf("POST %s: status = %d, want 200; body %s", path, res.StatusCode, b)
	}
	if err != nil {
		h.t.Fatalf("POST %s: reading stream: %v", path, err)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		h.t.Fatalf("POST %s: Content-Type = %q, want text/event-stream", path, ct)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
		h.t.Fatalf("POST %s: Cache-Control = %q, want no-cache", path, cc)
	}
	frames, rest := parseSSE(b)
	if strings.TrimSpace(rest) != "" {
		h.t.Fatalf("POST %s: stream ends with an unterminated frame %q", path, rest)
	}
	return frames
}

// apiError is the simulator's JSON error envelope.
type apiError struct {
	Error, Message, Code, Hint string
}

// fail POSTs and expects a JSON error with the given status.
func (h *harness) fail(method, path, query string, body any, status int) apiError {
	h.t.Helper()
	res := h.do(context.Background(), method, path, query, body)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != status {
		h.t.Fatalf("%s %s: status = %d, want %d; body %s", method, path, res.StatusCode, status, b)
	}
	return decodeError(h.t, res, b)
}

func decodeError(t *testing.T, res *http.Response, b []byte) apiError {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("error Content-Type = %q, want application/json", ct)
	}
	var e apiError
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("error body is not JSON: %v: %s", err, b)
	}
	if e.Error == "" || e.Message == "" || e.Code == "" || e.Hint == "" {
		t.Fatalf("error body %s: want error, message, code and hint all set", b)
	}
	return e
}

// awaitInfo is what a client learns from an await frame, in either
// vocabulary.
type awaitInfo struct {
	ExecID, CallID, Tool string
	Params               map[string]any
}

func awaits(t *testing.T, frames []frame) []awaitInfo {
	t.Helper()
	var out []awaitInfo
	for _, f := range ofType(frames, "await", "agent_await", "step_await", "flow_await") {
		m := f.Fields(t)
		p, _ := m["parameters"].(map[string]any)
		out = append(out, awaitInfo{ExecID: f.str(t, "executionId"), CallID: f.str(t, "toolCallId"), Tool: f.str(t, "toolName"), Params: p})
	}
	return out
}

// resumeBody answers every await of a stream with out(await).
func resumeBody(t *testing.T, frames []frame, out func(a awaitInfo) any) map[string]any {
	t.Helper()
	as := awaits(t, frames)
	if len(as) == 0 {
		t.Fatalf("no await in stream %v", types(frames))
	}
	outs := map[string]any{}
	for _, a := range as {
		outs[a.CallID] = out(a)
	}
	return map[string]any{"executionId": as[0].ExecID, "toolOutputs": outs, "streamResponse": true}
}

// approvalOf returns the executionId and approvalId of the stream's approval.
func approvalOf(t *testing.T, frames []frame) (execID, approvalID string) {
	t.Helper()
	fs := ofType(frames, "approval_start", "agent_approval_start")
	if len(fs) != 1 {
		t.Fatalf("want one approval frame, got %d in %v", len(fs), types(frames))
	}
	return fs[0].str(t, "executionId"), fs[0].str(t, "approvalId")
}

func dispatchBody(t *testing.T, scenario string) []byte {
	t.Helper()
	b, err := DispatchBody(scenario)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkTimestamps asserts that every *At field is RFC 3339 UTC with ms.
func checkTimestamps(t *testing.T, f frame) {
	t.Helper()
	for k, v := range f.Fields(t) {
		if !strings.HasSuffix(k, "At") {
			continue
		}
		s, _ := v.(string)
		if _, err := time.Parse("2006-01-02T15:04:05.000Z", s); err != nil {
			t.Errorf("%s.%s = %q: not RFC 3339 UTC with milliseconds", f.Type(), k, s)
		}
	}
}

// readAllErr reads a whole body and returns the read error too (a dropped
// stream's error is the point of some tests).
func readAllErr(res *http.Response) ([]byte, error) { return io.ReadAll(res.Body) }
