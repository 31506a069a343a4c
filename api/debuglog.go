package api

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// DebugLog is the file --debug-log names, kept for someone reporting a
// problem with a real server (in the spirit of curl -v or GH_DEBUG=api):
// every request with its headers and body, every response with its status,
// headers and time to first byte, how each stream ended (frames, bytes,
// duration), every error, the editor runs and the configuration problems.
// Frames themselves are not logged: the session recording has them.
//
// It never holds the API key. Every line goes through one redacting
// slog.Handler, which masks the registered secrets (AddSecret: the Client
// registers its key), bearer tokens, secret-looking query parameters and
// JSON fields, before anything is formatted; headers are masked again where
// they are formatted. The file is one line per entry in slog's text format:
//
//	time=2026-03-01T10:04:05.123Z kind=request msg="POST https://…/v1/dispatch?events=unified" req=1 …
//
// A nil *DebugLog logs nothing, so callers need no checks. It is safe for
// concurrent use.
type DebugLog struct {
	logger *slog.Logger
	red    *redactor
	closer io.Closer
	path   string
	// reqs numbers requests, so a response, a stream end or an error can
	// be matched with its request by req=N.
	reqs atomic.Int64
}

// debugBodyLimit is how much of a request or error body a line shows:
// enough for a dispatch or a resume with a few answers, short enough that
// a 400 KB body does not drown the log.
const debugBodyLimit = 4 << 10

// debugTimeFormat is RFC 3339 with milliseconds, in UTC: lines compare
// directly with a server's logs.
const debugTimeFormat = "2006-01-02T15:04:05.000Z07:00"

// OpenDebugLog opens path for appending, creating it readable by the user
// only (0600), and its folder (0700) when missing. An existing regular file
// is made private too: the log holds request bodies.
func OpenDebugLog(path string) (*DebugLog, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o077 != 0 {
		f.Chmod(0o600)
	}
	d := NewDebugLog(f)
	d.closer, d.path = f, path
	return d, nil
}

// NewDebugLog returns a debug log that writes its lines to w (one Write per
// line).
func NewDebugLog(w io.Writer) *DebugLog {
	red := &redactor{}
	text := slog.NewTextHandler(w, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) > 0 {
				return a
			}
			switch {
			case a.Key == slog.TimeKey && a.Value.Kind() == slog.KindTime:
				return slog.String(slog.TimeKey, a.Value.Time().UTC().Format(debugTimeFormat))
			case a.Key == slog.LevelKey:
				// Every line is a debug line; its kind says what it is.
				return slog.Attr{}
			case a.Key == slog.MessageKey:
				// Log puts the kind in the message slot so it comes
				// right after the time, and the message in an
				// attribute of its own.
				a.Key = "kind"
			case a.Key == textKey:
				a.Key = "msg"
			}
			return a
		},
	})
	return &DebugLog{logger: slog.New(&redactingHandler{next: text, red: red}), red: red}
}

// Path is the file the log is written to ("" for NewDebugLog).
func (d *DebugLog) Path() string {
	if d == nil {
		return ""
	}
	return d.path
}

// Close closes the file; later lines are dropped.
func (d *DebugLog) Close() error {
	if d == nil || d.closer == nil {
		return nil
	}
	return d.closer.Close()
}

// AddSecret registers a value that must never appear in the log: it is
// masked (as ********) wherever it appears, in any line, also URL- or
// JSON-escaped. Values shorter than 8 characters are not masked inside
// text, as the Client does not mask them (a test key "x" would garble every
// line); headers that carry them are masked whole all the same.
func (d *DebugLog) AddSecret(s string) {
	if d == nil {
		return
	}
	d.red.add(s)
}

// Log writes one line: the kind (a short word such as "request",
// "editor", "config"), the message, and slog-style key/value pairs. Like
// every line, it is redacted first.
func (d *DebugLog) Log(kind, msg string, args ...any) {
	if d == nil {
		return
	}
	d.logger.Log(context.Background(), slog.LevelDebug, kind, append([]any{textKey, msg}, args...)...)
}

// textKey is the key Log gives the message until ReplaceAttr names it
// "msg": written "msg" from the start, ReplaceAttr could not tell it from
// the record's own message (the kind).
const textKey = "\x00msg"

// ---- redaction: the one place every line passes through ----

// redactingHandler masks secrets in the message and every attribute of a
// record before the text handler formats it, so the masking sees values
// as written (not quoted and escaped for the line).
type redactingHandler struct {
	next slog.Handler
	red  *redactor
}

func (h *redactingHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *redactingHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, h.red.String(r.Message), 0)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.red.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *redactingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(as))
	for i, a := range as {
		red[i] = h.red.attr(a)
	}
	return &redactingHandler{next: h.next.WithAttrs(red), red: h.red}
}

func (h *redactingHandler) WithGroup(name string) slog.Handler {
	return &redactingHandler{next: h.next.WithGroup(h.red.String(name)), red: h.red}
}

// redactor masks secrets in text: the registered values, and what looks
// like a credential whoever's it is (a token a dispatch body carries for a
// tool's own API is no business of a bug report either).
type redactor struct {
	mu sync.RWMutex
	// secrets are the registered values and their escaped forms, longest
	// first, so a secret that contains another is masked whole.
	secrets []string
}

var (
	// credentialRE is an Authorization value written anywhere: a header
	// echoed in an error body, a "headers" object in a dispatch body.
	// looksLikeToken tells a credential from a word ("Bearer token").
	credentialRE = regexp.MustCompile(`\b([Bb]earer|BEARER|Basic)(\s+)([A-Za-z0-9\-._~+/]{8,}=*)`)
	// secretQueryRE is a query parameter named like a credential
	// (?key=, &access_token=): a key passed in a URL is a bug elsewhere,
	// but must not reach the log through it.
	secretQueryRE = regexp.MustCompile(`(?i)([?&](?:key|api[_-]?key|apikey|token|[a-z]+[_-]?token|auth|secret|client[_-]?secret|password|passwd|sig|signature)=)[^&#\s"'\\]+`)
	// secretFieldRE is a JSON string member named like a credential
	// ("authorization": "…", "x-api-key": "…").
	secretFieldRE = regexp.MustCompile(`(?i)("(?:authorization|proxy-authorization|x-api-key|api[_-]?key|apikey|token|access[_-]?token|refresh[_-]?token|id[_-]?token|auth[_-]?token|secret|client[_-]?secret|password|passwd|cookie|set-cookie)"\s*:\s*")(?:[^"\\]|\\.)*"`)
)

func (r *redactor) add(s string) {
	if len(s) < minMasked {
		return
	}
	js, _ := json.Marshal(s)
	forms := []string{s, url.QueryEscape(s), url.PathEscape(s), string(js[1 : len(js)-1]), strings.Trim(strconv.Quote(s), `"`)}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, f := range forms {
		if len(f) >= minMasked && !slices.Contains(r.secrets, f) {
			r.secrets = append(r.secrets, f)
		}
	}
	sort.SliceStable(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
}

// String returns s with every secret masked.
func (r *redactor) String(s string) string {
	r.mu.RLock()
	for _, sec := range r.secrets {
		s = strings.ReplaceAll(s, sec, maskedKey)
	}
	r.mu.RUnlock()
	s = credentialRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := credentialRE.FindStringSubmatch(m)
		if !looksLikeToken(sub[3]) {
			return m
		}
		return sub[1] + sub[2] + maskedKey
	})
	s = secretQueryRE.ReplaceAllString(s, "${1}"+maskedKey)
	return secretFieldRE.ReplaceAllString(s, `${1}`+maskedKey+`"`)
}

// looksLikeToken tells a credential from a word: it has a digit or
// punctuation, or capitals after its first letter among small letters, as
// random tokens and base64 do and words do not.
func looksLikeToken(s string) bool {
	upper, lower := false, false
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9', strings.ContainsRune("-._~+/=", r):
			return true
		case r >= 'A' && r <= 'Z':
			upper = upper || i > 0
		case r >= 'a' && r <= 'z':
			lower = true
		}
	}
	return upper && lower
}

// attr masks an attribute's value as it will be written. Strings, errors
// and other values are turned into their text first; a number or a time
// is kept as it is unless its text holds a secret.
func (r *redactor) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindGroup:
		g := v.Group()
		out := make([]slog.Attr, len(g))
		for i, x := range g {
			out[i] = r.attr(x)
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(out...)}
	case slog.KindString, slog.KindAny:
		return slog.String(a.Key, r.String(v.String()))
	}
	if s := v.String(); r.String(s) != s {
		return slog.String(a.Key, r.String(s))
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// ---- what the Client logs ----

// secretHeaders are shown masked, whatever their value: a scheme word is
// kept ("Bearer ********") so a wrong scheme can still be seen.
var secretHeaders = map[string]bool{
	"Authorization": true, "Proxy-Authorization": true, "Cookie": true, "Set-Cookie": true,
	"X-Api-Key": true, "Api-Key": true,
}

// headerAttrs renders headers as a group (header.Content-Type=…), sorted,
// with the secret ones masked.
func headerAttrs(h http.Header) slog.Attr {
	names := make([]string, 0, len(h))
	for n := range h {
		names = append(names, n)
	}
	sort.Strings(names)
	attrs := make([]any, 0, len(names))
	for _, n := range names {
		v := strings.Join(h[n], ", ")
		if secretHeaders[http.CanonicalHeaderKey(n)] {
			v = maskHeader(v)
		}
		attrs = append(attrs, slog.String(n, v))
	}
	return slog.Group("header", attrs...)
}

// maskHeader masks a credential header's value, keeping a scheme word.
func maskHeader(v string) string {
	if scheme, rest, ok := strings.Cut(v, " "); ok && rest != "" && !strings.ContainsAny(scheme, "=;,") {
		return scheme + " " + maskedKey
	}
	return maskedKey
}

// bodyAttrs shows a body's size and its first debugBodyLimit bytes.
func bodyAttrs(body []byte) []any {
	if len(body) == 0 {
		return []any{"body_bytes", 0}
	}
	if len(body) <= debugBodyLimit {
		return []any{"body_bytes", len(body), "body", string(body)}
	}
	// Cut before the rune the limit falls in, not through it.
	cut := debugBodyLimit
	for cut > 0 && !utf8.RuneStart(body[cut]) {
		cut--
	}
	return []any{"body_bytes", len(body), "body", fmt.Sprintf("%s…(%d more bytes)", body[:cut], len(body)-cut)}
}

// request logs a request about to be sent and returns its number.
func (d *DebugLog) request(req *http.Request, body []byte) int {
	n := int(d.reqs.Add(1))
	args := []any{"req", n, headerAttrs(req.Header)}
	// Redacted: a password in the URL's user info (https://u:p@host) is
	// masked as well.
	d.Log("request", req.Method+" "+req.URL.Redacted(), append(args, bodyAttrs(body)...)...)
	return n
}

// conn is what httptrace saw of a request's connection.
type conn struct {
	mu        sync.Mutex
	remote    string
	reused    bool
	firstByte time.Time
}

// trace returns ctx with a ClientTrace that fills c.
func (c *conn) trace(ctx context.Context) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(i httptrace.GotConnInfo) {
			c.mu.Lock()
			defer c.mu.Unlock()
			if i.Conn != nil {
				c.remote = i.Conn.RemoteAddr().String()
			}
			c.reused = i.Reused
		},
		GotFirstResponseByte: func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.firstByte = time.Now()
		},
	})
}

// response logs the status and headers of request n's response; body is
// the error body of a non-2xx answer.
func (d *DebugLog) response(n int, res *http.Response, sent time.Time, c *conn, body []byte) {
	c.mu.Lock()
	first, remote, reused := c.firstByte, c.remote, c.reused
	c.mu.Unlock()
	if first.IsZero() {
		first = time.Now()
	}
	args := []any{"req", n, "ttfb", first.Sub(sent).Round(100 * time.Microsecond), "proto", res.Proto}
	if remote != "" {
		args = append(args, "remote", remote, "reused", reused)
	}
	if res.TLS != nil {
		args = append(args, "tls", tls.VersionName(res.TLS.Version))
	}
	args = append(args, headerAttrs(res.Header))
	if body != nil {
		args = append(args, bodyAttrs(body)...)
	}
	d.Log("response", strconv.Itoa(res.StatusCode)+" "+statusText(res), args...)
}

// fail logs an error: msg in the words the user is shown (Explain, which
// ends with the Go error's text), and the chain of the Go error's types,
// which says what failed underneath.
func (d *DebugLog) fail(n int, err error) {
	if d == nil {
		return
	}
	d.Log("error", Explain(err), "req", n, "chain", errChain(err))
}

// errChain lists the types of an error and of what it wraps:
// "*fmt.wrapError > *net.OpError > *os.SyscallError > syscall.Errno".
func errChain(err error) string {
	var types []string
	for err != nil && len(types) < 12 {
		types = append(types, fmt.Sprintf("%T", err))
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			var parts []string
			for _, e := range u.Unwrap() {
				parts = append(parts, errChain(e))
			}
			return strings.Join(types, " > ") + " > [" + strings.Join(parts, "; ") + "]"
		default:
			err = nil
		}
	}
	return strings.Join(types, " > ")
}

// streamEnd logs how a stream ended, with what it carried.
func (d *DebugLog) streamEnd(n, frames int, bytes int64, took time.Duration, stopped bool, err error) {
	how, msg := "eof", "the server ended the body"
	switch {
	case err == nil && stopped:
		how, msg = "stopped", "the reader stopped before the end"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		how, msg = "cancelled", "the stream was cancelled (by the user, or on quit)"
	case errors.Is(err, bufio.ErrTooLong):
		how, msg = "too_large", "a frame was over the size limit"
	case err != nil:
		how, msg = "dropped", "the connection broke or the body ended mid-frame"
	}
	d.Log("stream_end", msg, "req", n, "end", how, "frames", frames, "bytes", bytes, "duration", took.Round(100*time.Microsecond))
	if err != nil && how != "cancelled" {
		// A cancel was asked for: no error to report.
		d.fail(n, err)
	}
}

// countingReader counts the bytes a stream's body delivered.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// ---- a server's side (rtinspect sim --debug-log) ----

// Handler wraps a server's handler so each request it receives (method,
// URL, headers with credentials masked, body) and each response (status,
// bytes, duration) is logged.
func (d *DebugLog) Handler(h http.Handler) http.Handler {
	if d == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 32<<20))
		if err != nil {
			d.Log("error", "reading a request body: "+err.Error(), "chain", errChain(err))
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		n := int(d.reqs.Add(1))
		args := []any{"req", n, "remote", r.RemoteAddr, headerAttrs(r.Header)}
		d.Log("received", r.Method+" "+r.URL.RequestURI(), append(args, bodyAttrs(body)...)...)
		lw := &loggingWriter{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		h.ServeHTTP(lw, r)
		d.Log("answered", strconv.Itoa(lw.status)+" "+http.StatusText(lw.status), "req", n,
			"bytes", lw.bytes, "duration", time.Since(start).Round(100*time.Microsecond), headerAttrs(w.Header()))
	})
}

// loggingWriter notes the status and size of a response. It unwraps for
// http.ResponseController, so flushing an event stream still works.
type loggingWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (w *loggingWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *loggingWriter) Write(p []byte) (int, error) {
	w.wrote = true
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

func (w *loggingWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *loggingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
