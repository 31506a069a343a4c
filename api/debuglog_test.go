package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// lockedBuffer is a log destination the test reads while the client may
// still write (the stream goroutine).
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestDebugLogRedaction(t *testing.T) {
	const key = "rt_live_SECRET/key+0123456789"
	cases := []struct {
		name, in, want string
	}{
		{"the key as is", "echo: Bearer x " + key + " end", "echo: Bearer x ******** end"},
		{"the key URL-escaped", "GET /x?q=rt_live_SECRET%2Fkey%2B0123456789", "GET /x?q=********"},
		{"the key path-escaped", "/v1/rt_live_SECRET%2Fkey+0123456789/", "/v1/********/"},
		{"twice in one line", key + "," + key, "********,********"},
		{"a bearer token of someone else", `{"Authorization":"Bearer abcDEF.123-xyz"}`, `{"Authorization":"********"}`},
		{"a bearer token in prose", "sent Bearer sk-other-0001 to the tool", "sent Bearer ******** to the tool"},
		{"basic credentials", "Basic dXNlcjpwYXNzd29yZA==", "Basic ********"},
		{"words after bearer are words", "Missing bearer authorization header", "Missing bearer authorization header"},
		{"basic words stay", "Basic authentication failed", "Basic authentication failed"},
		{"key= in a query", "POST https://h/v1/dispatch?events=unified&key=abc123", "POST https://h/v1/dispatch?events=unified&key=********"},
		{"token= first in a query", "https://h/x?token=t0k3n&a=1", "https://h/x?token=********&a=1"},
		{"access_token= in a query", "https://h/x?a=1&access_token=zz.yy#frag", "https://h/x?a=1&access_token=********#frag"},
		{"a word ending in key is no query", "monkey=banana", "monkey=banana"},
		{"a secret JSON field", `{"headers":{"x-api-key":"abc","password":"p\"w"},"n":1}`, `{"headers":{"x-api-key":"********","password":"********"},"n":1}`},
		{"a JSON field that only ends like one", `{"inputTokens":"12","sortKey":"a"}`, `{"inputTokens":"12","sortKey":"a"}`},
		{"nothing secret", `{"sku":"SHOE-001","qty":2}`, `{"sku":"SHOE-001","qty":2}`},
	}
	r := &redactor{}
	r.add(key)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := r.String(tc.in); got != tc.want {
				t.Errorf("redact(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}

	t.Run("a short key is not masked inside text", func(t *testing.T) {
		r := &redactor{}
		r.add("x")
		if got, want := r.String("execution_start"), "execution_start"; got != want {
			t.Errorf("redact = %q, want %q", got, want)
		}
	})
	t.Run("a key containing another is masked whole", func(t *testing.T) {
		r := &redactor{}
		r.add("sk-test-secret")
		r.add("sk-test-secret-value")
		if got, want := r.String("a sk-test-secret-value b"), "a ******** b"; got != want {
			t.Errorf("redact = %q, want %q", got, want)
		}
	})
}

// TestDebugLogLinesPassThroughTheRedaction logs the key in every kind of
// value (message, string, error, group, number) and checks none of it
// reaches the file, and that each line has its time and kind first.
func TestDebugLogLinesPassThroughTheRedaction(t *testing.T) {
	var buf bytes.Buffer
	d := NewDebugLog(&buf)
	d.AddSecret("123456789012")
	d.AddSecret(testKey)
	h := http.Header{"Authorization": {"Bearer " + testKey}, "Cookie": {"s=1"}, "X-Echo": {testKey}}
	d.Log("test", "msg "+testKey, "s", "v="+testKey, "err", fmt.Errorf("wrapped: %w", errors.New(testKey)),
		headerAttrs(h), "n", int64(123456789012), "list", []string{testKey})
	out := buf.String()
	if strings.Contains(out, testKey) || strings.Contains(out, "123456789012") {
		t.Fatalf("the secret is in the log:\n%s", out)
	}
	lineRE := regexp.MustCompile(`^time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z kind=test msg="msg \*{8}" `)
	if !lineRE.MatchString(out) {
		t.Errorf("line does not start with the time (RFC 3339, ms) and the kind:\n%s", out)
	}
	for _, want := range []string{`header.Authorization="Bearer ********"`, `header.Cookie=********`, `header.X-Echo=********`, `n=********`, `err="wrapped: ********"`} {
		if !strings.Contains(out, want) {
			t.Errorf("line lacks %s:\n%s", want, out)
		}
	}
	if strings.Count(out, "\n") != 1 {
		t.Errorf("want one line, got:\n%s", out)
	}

	t.Run("a nil log logs nothing", func(t *testing.T) {
		var d *DebugLog
		d.Log("x", "y")
		d.AddSecret(testKey)
		if err := d.Close(); err != nil {
			t.Error(err)
		}
	})
}

func TestDebugLogBodyIsCut(t *testing.T) {
	body := []byte(strings.Repeat("é", debugBodyLimit)) // 2 bytes a rune: the limit falls inside one
	args := bodyAttrs(body)
	shown := args[3].(string)
	if !strings.HasSuffix(shown, fmt.Sprintf("…(%d more bytes)", len(body)-debugBodyLimit)) {
		t.Errorf("cut body ends %q", shown[len(shown)-30:])
	}
	if n := len(strings.TrimSuffix(shown, fmt.Sprintf("…(%d more bytes)", len(body)-debugBodyLimit))); n != debugBodyLimit {
		t.Errorf("kept %d bytes, want %d", n, debugBodyLimit)
	}
	if got := bodyAttrs(nil); len(got) != 2 {
		t.Errorf("empty body: %v, want only its size", got)
	}
}

func TestOpenDebugLogIsPrivateAndAppends(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "logs")
	path := filepath.Join(dir, "debug.log")
	for i := range 2 {
		d, err := OpenDebugLog(path)
		if err != nil {
			t.Fatal(err)
		}
		d.Log("test", fmt.Sprint("run ", i))
		d.Close()
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), `msg="run 0"`) || !strings.Contains(string(data), `msg="run 1"`) {
		t.Errorf("the second open did not append:\n%s", data)
	}
	for p, want := range map[string]os.FileMode{path: 0o600, dir: 0o700, filepath.Dir(dir): 0o700} {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: mode %v (%v), want %o", p, st.Mode().Perm(), err, want)
		}
	}

	t.Run("an existing file is made private", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "open.log")
		os.WriteFile(p, []byte("before\n"), 0o644)
		os.Chmod(p, 0o644)
		d, err := OpenDebugLog(p)
		if err != nil {
			t.Fatal(err)
		}
		d.Close()
		if st, _ := os.Stat(p); st.Mode().Perm() != 0o600 {
			t.Errorf("mode %o, want 600", st.Mode().Perm())
		}
	})
}

// TestClientDebugLog runs a stream, a refused request whose server echoes
// the key in its body and a header, and a dropped stream through a Client
// with a debug log, then reads the log as someone debugging would.
func TestClientDebugLog(t *testing.T) {
	const frames = "data: {\"type\":\"execution_start\"}\n\ndata: {\"type\":\"execution_complete\"}\n\n"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("case") {
		case "refused":
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Seen-Authorization", r.Header.Get("Authorization"))
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"error":"unauthorized","message":"invalid key %s"}`, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		case "drop":
			w.Header().Set("Content-Type", "text/event-stream")
			w.Header().Set("Content-Length", "1000")
			io.WriteString(w, frames)
		default:
			w.Header().Set("Content-Type", "text/event-stream")
			w.Header().Set("X-Request-Id", "req_42")
			io.WriteString(w, frames)
		}
	}))
	defer srv.Close()
	var buf lockedBuffer
	c := NewClient(srv.URL, testKey)
	c.Debug = NewDebugLog(&buf)
	send := func(query string, body string) error {
		r, err := c.DispatchRequest([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		r.Query = query
		s, err := c.Send(context.Background(), r)
		if err != nil {
			return err
		}
		defer s.Close()
		err = s.Frames(func(Frame) bool { return true })
		s.Finish("completed", err)
		return err
	}
	// A body that carries the key, as a pasted header would.
	if err := send("case=ok", `{"flow":{"id":"f"},"headers":{"X-Key":"`+testKey+`"}}`); err != nil {
		t.Fatal(err)
	}
	if err := send("case=refused", `{"flow":{"id":"f"}}`); err == nil {
		t.Fatal("the refused request did not fail")
	}
	if err := send("case=drop", `{"flow":{"id":"f"}}`); err == nil {
		t.Fatal("the cut stream did not fail")
	}
	out := buf.String()
	if strings.Contains(out, testKey) {
		t.Fatalf("the key is in the debug log:\n%s", out)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`kind=request msg="POST http://[^ ]+/v1/dispatch\?case=ok" req=1 header.Accept=text/event-stream header.Authorization="Bearer \*{8}" header.Content-Type=application/json body_bytes=\d+ body=".*X-Key.*\*{8}`),
		regexp.MustCompile(`kind=response msg="200 OK" req=1 ttfb=\S+ proto=HTTP/1.1 remote=127.0.0.1:\d+ reused=false .*header.X-Request-Id=req_42`),
		regexp.MustCompile(`kind=stream_end msg="the server ended the body" req=1 end=eof frames=2 bytes=\d+ duration=`),
		regexp.MustCompile(`kind=run msg="the run is completed" req=1 state=completed`),
		regexp.MustCompile(`kind=response msg="401 Unauthorized" req=2 .*header.X-Seen-Authorization="Bearer \*{8}" body_bytes=\d+ body=.*invalid key \*{8}`),
		regexp.MustCompile(`kind=error msg="401 Unauthorized: invalid key \*{8} \(code unauthorized\)" req=2 chain=\*api.HTTPError`),
		regexp.MustCompile(`kind=stream_end msg="the connection broke or the body ended mid-frame" req=3 end=dropped frames=2 `),
		regexp.MustCompile(`kind=error msg="POST /v1/dispatch: stream dropped: unexpected EOF" req=3 chain="\*fmt.wrapError > \*errors.errorString"`),
	} {
		if !want.MatchString(out) {
			t.Errorf("the log has no line matching %s:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "kind=request"); n != 3 {
		t.Errorf("%d request lines, want 3", n)
	}
	if strings.Contains(out, "execution_start") {
		t.Errorf("frames are in the debug log; only their count belongs there:\n%s", out)
	}
}

// TestSimHandlerLogsItsSide checks the server-side wrapper: what arrived
// (credentials masked) and what was answered, with flushing intact.
func TestSimHandlerLogsItsSide(t *testing.T) {
	var buf lockedBuffer
	d := NewDebugLog(&buf)
	srv := httptest.NewServer(d.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprintf(w, "data: %d\n\n", len(body))
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("flush through the wrapper: %v", err)
		}
	})))
	defer srv.Close()
	c := NewClient(srv.URL, testKey)
	frames, err := collect(t, c, dispatch(t, c))
	if err != nil || len(frames) != 1 || frames[0].Data == "0" {
		t.Fatalf("frames %v, err %v: the handler did not get the body", frames, err)
	}
	out := buf.String()
	if strings.Contains(out, testKey) {
		t.Fatalf("the key is in the server's log:\n%s", out)
	}
	for _, want := range []string{`kind=received msg="POST /v1/dispatch?events=unified" req=1`, `header.Authorization="Bearer ********"`, `kind=answered msg="200 OK" req=1 bytes=`} {
		if !strings.Contains(out, want) {
			t.Errorf("the log lacks %s:\n%s", want, out)
		}
	}
}
