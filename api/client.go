package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	sse "github.com/tmaxmax/go-sse"
)

// Frame size bounds. A legacy step_complete repeats the whole answer in
// result.response and a media frame can carry base64, so the go-sse default
// of 64 KiB is far too small.
const (
	// DefaultMaxFrameSize is the frame bound used when MaxFrameSize is 0.
	DefaultMaxFrameSize = 8 << 20
	// MinMaxFrameSize is the smallest bound a Client uses.
	MinMaxFrameSize = 4 << 20
)

// errorBodyLimit bounds how much of an error response is kept.
const errorBodyLimit = 64 << 10

// maskedKey replaces the API key wherever it could be shown.
const maskedKey = "********"

// Client sends Dispatch API requests and opens their response streams.
//
// It deliberately does not use go-sse's Connection: that client re-sends
// the request after every end of stream, and our streams end by design on
// every pause and completion (runtype-protocol.md §2.3), so it would re-POST
// /v1/dispatch and start a new run each time (style.md §10). Each Send is
// exactly one HTTP request; sse.Read only parses its body.
type Client struct {
	// BaseURL is the API origin, e.g. "https://api.runtype.com"; a
	// trailing slash is tolerated.
	BaseURL string
	// APIKey is sent as "Authorization: Bearer KEY" when non-empty. It
	// never appears in any error text, preview or log.
	APIKey string
	// HTTP is the client used for requests. nil means a default client
	// with no overall timeout (streams are long) but dial, TLS-handshake
	// and response-header timeouts.
	HTTP *http.Client
	// Unified adds "events=unified" to the query of dispatch and resume
	// (runtype-protocol.md §7).
	Unified bool
	// MaxFrameSize bounds one SSE frame in bytes; 0 means 8 MiB, and values
	// under 4 MiB are raised to 4 MiB.
	MaxFrameSize int
	// Recorder, when non-nil, receives every request, response status,
	// frame and stream end (a session recording). It never sees the key:
	// requests carry no headers, and any text that could hold the key
	// (a pasted body, an echoed error, a frame) is redacted first.
	Recorder Recorder
	// Debug, when non-nil, is the debug log (--debug-log): each request
	// with its headers and body, each response's status, headers and time
	// to first byte, how each stream ended, and each error. Send registers
	// APIKey with it as a secret, so the key never reaches it.
	Debug *DebugLog
}

// NewClient returns a client for baseURL with the defaults filled in and
// the unified vocabulary requested.
func NewClient(baseURL, apiKey string) *Client {
	return &Client{
		BaseURL:      baseURL,
		APIKey:       apiKey,
		HTTP:         defaultHTTPClient(),
		Unified:      true,
		MaxFrameSize: DefaultMaxFrameSize,
	}
}

// defaultHTTPClient bounds every phase before the body but not the body
// itself: a paused agent may keep a stream open for minutes.
func defaultHTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	tr.TLSHandshakeTimeout = 15 * time.Second
	tr.ResponseHeaderTimeout = 90 * time.Second
	return &http.Client{Transport: tr}
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return defaultHTTPClient()
}

func (c *Client) maxFrame() int {
	switch {
	case c.MaxFrameSize == 0:
		return DefaultMaxFrameSize
	case c.MaxFrameSize < MinMaxFrameSize:
		return MinMaxFrameSize
	}
	return c.MaxFrameSize
}

func (c *Client) query() string {
	if c.Unified {
		return "events=unified"
	}
	return ""
}

// DispatchRequest prepares POST /v1/dispatch. body must be a JSON object;
// options.streamResponse is forced to true (this client only reads
// streams), and every other field is kept, in order, as written.
func (c *Client) DispatchRequest(body []byte) (Request, error) {
	fields, err := objectFields(body)
	if err != nil {
		return Request{}, fmt.Errorf("dispatch body: %w", err)
	}
	found := false
	for i := range fields {
		if fields[i].key != "options" {
			continue
		}
		found = true
		v := bytes.TrimSpace(fields[i].value)
		if string(v) == "null" {
			v = []byte("{}")
		}
		opts, err := objectFields(v)
		if err != nil {
			return Request{}, fmt.Errorf("dispatch body: options: %w", err)
		}
		fields[i].value = setField(opts, "streamResponse", []byte("true"))
	}
	if !found {
		fields = append(fields, field{key: "options", value: []byte(`{"streamResponse":true}`)})
	}
	return Request{
		Method: http.MethodPost,
		Path:   PathDispatch,
		Query:  c.query(),
		Body:   encodeObject(fields),
	}, nil
}

// ResumeRequest prepares POST /v1/dispatch/resume for r, with
// StreamResponse forced to true.
func (c *Client) ResumeRequest(r ResumeRequest) Request {
	r.StreamResponse = true
	return Request{
		Method:      http.MethodPost,
		Path:        PathResume,
		Query:       c.query(),
		Body:        mustMarshal(r),
		ExecutionID: r.ExecutionID,
	}
}

// ApproveRequest prepares POST /v1/dispatch/approve for r, with
// StreamResponse forced to true. No events=unified: the sources never
// tested the parameter on /approve (runtype-protocol.md §7).
func (c *Client) ApproveRequest(r ApproveRequest) Request {
	r.StreamResponse = true
	return Request{
		Method:      http.MethodPost,
		Path:        PathApprove,
		Body:        mustMarshal(r),
		ExecutionID: r.ExecutionID,
	}
}

// mustMarshal encodes a request body. Marshalling can only fail on invalid
// json.RawMessage content (a tool output or messages typed by hand): such a
// value is sent as null rather than panicking, and the server's 400 or the
// re-emitted await then shows what is missing. The caller's map is not
// modified.
func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err == nil {
		return b
	}
	if r, ok := v.(ResumeRequest); ok {
		outs := make(map[string]json.RawMessage, len(r.ToolOutputs))
		for k, out := range r.ToolOutputs {
			if !json.Valid(out) {
				out = json.RawMessage("null")
			}
			outs[k] = out
		}
		r.ToolOutputs = outs
		if len(r.Messages) > 0 && !json.Valid(r.Messages) {
			r.Messages = nil
		}
		b, _ = json.Marshal(r)
	}
	return b
}

// URL returns the full URL of r.
func (c *Client) URL(r Request) string {
	u := strings.TrimRight(c.BaseURL, "/") + r.Path
	if r.Query != "" {
		u += "?" + r.Query
	}
	return u
}

// Preview renders r as the user confirms it before sending: the request
// line, the headers with the Authorization value masked completely, a blank
// line, and the body indented two spaces per level. It never contains the
// API key.
func (c *Client) Preview(r Request) string {
	var b strings.Builder
	b.WriteString(methodOf(r))
	b.WriteByte(' ')
	b.WriteString(c.URL(r))
	b.WriteByte('\n')
	if c.APIKey != "" {
		b.WriteString("Authorization: Bearer " + maskedKey + "\n")
	}
	b.WriteString("Content-Type: application/json\n")
	b.WriteString("Accept: text/event-stream\n")
	b.WriteByte('\n')
	var body bytes.Buffer
	if len(r.Body) > 0 && json.Indent(&body, r.Body, "", "  ") == nil {
		b.Write(body.Bytes())
	} else {
		b.Write(r.Body)
	}
	return c.redact(b.String())
}

func methodOf(r Request) string {
	if r.Method == "" {
		return http.MethodPost
	}
	return r.Method
}

// redact masks the API key in s: a server may echo the header back in an
// error body, and a user may paste the key into a request body.
func (c *Client) redact(s string) string {
	if !c.maskable() {
		return s
	}
	return strings.ReplaceAll(s, c.APIKey, maskedKey)
}

// minMasked is the shortest key that is masked inside text. Real keys are
// long; masking a key like "x" (a test key for the simulated server) would
// garble every frame that has that letter ("e********ecution_start").
const minMasked = 8

func (c *Client) maskable() bool { return len(c.APIKey) >= minMasked }

// redactedError keeps an error's chain (errors.Is still sees
// context.Canceled) while its text has the key masked.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

func (c *Client) redactErr(err error) error {
	if err == nil || !c.maskable() {
		return err
	}
	if msg := err.Error(); strings.Contains(msg, c.APIKey) {
		return &redactedError{msg: c.redact(msg), err: err}
	}
	return err
}

// Send performs r and returns its open event stream. A non-2xx answer is an
// *HTTPError; a 2xx answer that is not text/event-stream is an error naming
// the content type. Cancelling ctx aborts the request and later the stream.
//
// With a Recorder, the request is recorded before it is sent and the
// response status when it arrives; when Send fails it records the stream's
// end ("error") itself, since the caller gets no Stream to Finish.
func (c *Client) Send(ctx context.Context, r Request) (*Stream, error) {
	rec := c.Recorder
	n := 0
	if rec != nil {
		n = rec.Request(c.redactRequest(r))
	}
	dbg, dn := c.Debug, 0
	fail := func(err error) (*Stream, error) {
		if rec != nil {
			rec.End(n, "error", err)
		}
		dbg.fail(dn, err)
		return nil, err
	}
	what := methodOf(r) + " " + r.Path
	var cn conn
	if dbg != nil {
		dbg.AddSecret(c.APIKey)
		ctx = cn.trace(ctx)
	}
	req, err := http.NewRequestWithContext(ctx, methodOf(r), c.URL(r), bytes.NewReader(r.Body))
	if err != nil {
		return fail(c.redactErr(fmt.Errorf("%s: %w", what, err)))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	if c.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.APIKey)
	}
	if dbg != nil {
		dn = dbg.request(req, r.Body)
	}
	sent := time.Now()
	res, err := c.httpClient().Do(req)
	if err != nil {
		// *url.Error repeats the whole URL with the method; say what was
		// being done in our words and keep the cause for errors.Is.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fail(c.redactErr(fmt.Errorf("%s: %w", what, err)))
	}
	ct := res.Header.Get("Content-Type")
	if res.StatusCode < 200 || res.StatusCode > 299 {
		defer res.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(res.Body, errorBodyLimit))
		body = []byte(c.redact(string(body)))
		if rec != nil {
			rec.Response(n, res.StatusCode, ct, body)
		}
		if dbg != nil {
			dbg.response(dn, res, sent, &cn, body)
		}
		return fail(newHTTPError(res, body))
	}
	if rec != nil {
		rec.Response(n, res.StatusCode, ct, nil)
	}
	if dbg != nil {
		dbg.response(dn, res, sent, &cn, nil)
	}
	if mt, _, _ := mime.ParseMediaType(ct); mt != "text/event-stream" {
		defer res.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(res.Body, errorBodyLimit))
		got := strconv.Quote(ct)
		if ct == "" {
			got = "none"
		}
		msg := fmt.Sprintf("%s: %d %s: expected an event stream (text/event-stream), got content type %s",
			what, res.StatusCode, statusText(res), got)
		if ex := excerpt(body); ex != "" {
			msg += ": " + ex
		}
		return fail(errors.New(c.redact(msg)))
	}
	return &Stream{
		ctx:     ctx,
		res:     res,
		max:     c.maxFrame(),
		what:    what,
		redactF: c.redactErr,
		redact:  c.redact,
		rec:     rec,
		n:       n,
		dbg:     dbg,
		dn:      dn,
		opened:  time.Now(),
	}, nil
}

// redactRequest returns r as the recorder may see it: a key the user pasted
// into the body is masked. The body is copied only when it holds the key,
// so the caller's bytes are never modified.
func (c *Client) redactRequest(r Request) Request {
	if c.maskable() && bytes.Contains(r.Body, []byte(c.APIKey)) {
		r.Body = bytes.ReplaceAll(r.Body, []byte(c.APIKey), []byte(maskedKey))
	}
	return r
}

// Stream is the open SSE body of one response. It is read once, by Frames,
// from one goroutine; Close and Finish may be called from any goroutine.
type Stream struct {
	ctx     context.Context
	res     *http.Response
	max     int
	what    string
	redactF func(error) error
	redact  func(string) string

	// rec and n record the stream: rec is nil when nothing is recorded.
	rec Recorder
	n   int
	// finish makes Finish record the end once: the stream goroutine and
	// the UI (on quit) may both try to end it.
	finish sync.Once

	// dbg and dn log the stream's end: dbg is nil without a debug log, dn
	// is the request's number in it. opened is when the response came.
	dbg    *DebugLog
	dn     int
	opened time.Time
}

// Status returns the HTTP status code of the response.
func (s *Stream) Status() int { return s.res.StatusCode }

// Close closes the response body; a Frames call in progress then returns.
func (s *Stream) Close() error { return s.res.Body.Close() }

// Number returns the stream number the Recorder gave the request, 0 when
// nothing is recorded.
func (s *Stream) Number() int { return s.n }

// Finish records why the stream ended (a run state word such as
// "completed", "paused", "dropped"; see Recorder.End). Only the caller
// knows the reason, from the run state once Frames has returned, so the
// stream does not record its end by itself. Only the first call records
// anything; it does nothing without a Recorder or a debug log (which
// gets the state as a "run" line).
func (s *Stream) Finish(reason string, err error) {
	if s.rec == nil && s.dbg == nil {
		return
	}
	s.finish.Do(func() {
		s.dbg.Log("run", "the run is "+reason, "req", s.dn, "state", reason)
		if s.rec != nil {
			s.rec.End(s.n, reason, s.redactF(err))
		}
	})
}

// Frames reads the body with go-sse's sse.Read and calls fn for every frame,
// with At set to the time it was read; fn returning false stops reading.
//
// It returns nil on a clean end of body; otherwise an error that says the
// stream was dropped (the connection broke or the body ended mid-chunk),
// that a frame exceeded the size limit, or that ctx was cancelled
// (errors.Is(err, context.Canceled) holds then).
//
// A final frame the server did not end with a blank line is still
// delivered on a clean end of body: sse.Read would discard it silently, and
// it may be the terminal frame of the run.
//
// Frame.ID is the last id seen on the stream so far (sse.Read only exposes
// the sticky EventSource "last event id"), which equals the frame's own id
// on durable streams, where every frame carries one.
//
// With a Recorder, every frame is recorded before fn sees it, so a frame
// that makes the caller stop (or crash) is already in the recording.
//
// With a debug log, it logs how the stream ended: the frames and bytes it
// carried, how long it lasted, and the error if any.
func (s *Stream) Frames(fn func(Frame) bool) (err error) {
	var src io.Reader = s.res.Body
	if s.dbg != nil {
		counted := &countingReader{r: src}
		src = counted
		frames, stopped := 0, false
		defer func() { s.dbg.streamEnd(s.dn, frames, counted.n, time.Since(s.opened), stopped, err) }()
		inner := fn
		fn = func(f Frame) bool {
			frames++
			stopped = !inner(f)
			return !stopped
		}
	}
	body := &terminatingReader{r: src}
	for ev, err := range sse.Read(body, &sse.ReadConfig{MaxEventSize: s.max}) {
		if err != nil {
			return s.redactF(s.streamErr(err))
		}
		f := Frame{Event: ev.Type, ID: ev.LastEventID, Data: ev.Data, At: time.Now()}
		if s.rec != nil {
			s.rec.Frame(s.n, s.recordable(f))
		}
		if !fn(f) {
			return nil
		}
	}
	return nil
}

// recordable masks the key in a frame before it is recorded; a server
// echoing the key is unlikely, but the key must never reach a recording.
func (s *Stream) recordable(f Frame) Frame {
	if s.redact != nil {
		f.Event, f.ID, f.Data = s.redact(f.Event), s.redact(f.ID), s.redact(f.Data)
	}
	return f
}

func (s *Stream) streamErr(err error) error {
	if ctxErr := s.ctx.Err(); ctxErr != nil {
		return fmt.Errorf("%s: stream cancelled: %w", s.what, ctxErr)
	}
	if errors.Is(err, bufio.ErrTooLong) {
		return fmt.Errorf("%s: stream stopped: a frame exceeds the %s MiB limit: %w", s.what, mib(s.max), err)
	}
	return fmt.Errorf("%s: stream dropped: %w", s.what, err)
}

func mib(n int) string {
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', -1, 64)
}

// terminatingReader appends a blank line after a clean end of body, so a
// final frame without one is dispatched instead of dropped. Extra blank
// lines are ignored by the SSE parser, so a well-terminated body is
// unaffected. Read errors other than io.EOF pass through untouched.
type terminatingReader struct {
	r    io.Reader
	tail int // bytes of "\n\n" already emitted after EOF
	eof  bool
}

func (t *terminatingReader) Read(p []byte) (int, error) {
	if !t.eof {
		n, err := t.r.Read(p)
		if err != io.EOF { //nolint:errorlint // io.Reader contract: EOF is returned unwrapped
			return n, err
		}
		t.eof = true
		if n > 0 {
			return n, nil
		}
	}
	const nl = "\n\n"
	if t.tail >= len(nl) {
		return 0, io.EOF
	}
	n := copy(p, nl[t.tail:])
	t.tail += n
	return n, nil
}

// HTTPError is a non-2xx answer to a request, with the server's JSON error
// body parsed defensively (runtype-protocol.md §8).
type HTTPError struct {
	// Status is the HTTP status code, StatusText its reason phrase.
	Status     int
	StatusText string
	// Body is the first 64 KiB of the response body.
	Body []byte
	// ErrorText is the body's "error" when it is a string, or the message
	// of an "error" object.
	ErrorText string
	Message   string
	Code      string
	Hint      string
	Details   json.RawMessage
}

func newHTTPError(res *http.Response, body []byte) *HTTPError {
	return NewHTTPError(res.StatusCode, statusText(res), body)
}

// NewHTTPError builds the error of a non-2xx answer from its status and
// body, reading the body's JSON error fields defensively. A session opened
// from a recording rebuilds its errors with it, so they read as they did
// live.
func NewHTTPError(status int, statusText string, body []byte) *HTTPError {
	e := &HTTPError{Status: status, StatusText: statusText, Body: body}
	var w struct {
		Error   json.RawMessage `json:"error"`
		Message json.RawMessage `json:"message"`
		Code    json.RawMessage `json:"code"`
		Hint    json.RawMessage `json:"hint"`
		Details json.RawMessage `json:"details"`
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' || json.Unmarshal(trimmed, &w) != nil {
		return e
	}
	e.Message = scalarText(w.Message)
	e.Code = scalarText(w.Code)
	e.Hint = scalarText(w.Hint)
	if len(w.Details) > 0 && string(w.Details) != "null" {
		e.Details = w.Details
	}
	if len(w.Error) > 0 && w.Error[0] == '{' {
		var obj struct {
			Code    json.RawMessage `json:"code"`
			Message json.RawMessage `json:"message"`
			Details json.RawMessage `json:"details"`
		}
		if json.Unmarshal(w.Error, &obj) == nil {
			e.ErrorText = scalarText(obj.Message)
			if e.Code == "" {
				e.Code = scalarText(obj.Code)
			}
			if e.Details == nil && len(obj.Details) > 0 && string(obj.Details) != "null" {
				e.Details = obj.Details
			}
		}
	} else {
		e.ErrorText = scalarText(w.Error)
	}
	return e
}

// scalarText renders a JSON string as itself and any other non-null JSON
// compactly, so a numeric code or an unexpected shape is still shown.
func scalarText(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	if raw[0] == '"' {
		return rawString(raw)
	}
	return compact(raw)
}

// Error reads like "401 Unauthorized: Missing or invalid API key (code
// unauthorized; hint ...)"; for a body that is not a JSON error it ends
// with a short one-line excerpt of the body.
func (e *HTTPError) Error() string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(e.Status))
	if e.StatusText != "" {
		b.WriteString(" " + e.StatusText)
	}
	msg, code := e.Message, e.Code
	if e.ErrorText != "" && e.ErrorText != msg {
		switch {
		case msg == "":
			msg = e.ErrorText
		case code == "" && isCodeLike(e.ErrorText):
			// {"error":"unauthorized","message":"Missing ..."}: the
			// error string is a machine code.
			code = e.ErrorText
		default:
			msg = e.ErrorText + ": " + msg
		}
	}
	if msg == "" && code == "" && e.Hint == "" {
		if ex := excerpt(e.Body); ex != "" {
			b.WriteString(": " + ex)
		}
		return b.String()
	}
	if msg != "" {
		b.WriteString(": " + oneLine(msg, 300))
	}
	var extra []string
	if code != "" {
		extra = append(extra, "code "+code)
	}
	if e.Hint != "" {
		extra = append(extra, "hint "+oneLine(e.Hint, 200))
	}
	if len(extra) > 0 {
		b.WriteString(" (" + strings.Join(extra, "; ") + ")")
	}
	return b.String()
}

// isCodeLike reports whether s looks like a machine code
// ("unauthorized", "client_tools_resend_required") rather than a sentence.
func isCodeLike(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '-' || r == '.' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func statusText(res *http.Response) string {
	if t := strings.TrimSpace(strings.TrimPrefix(res.Status, strconv.Itoa(res.StatusCode))); t != "" {
		return t
	}
	return http.StatusText(res.StatusCode)
}

// excerpt makes a short one-line excerpt of a body for an error message:
// markup tags are dropped (an HTML error page from a proxy), whitespace is
// collapsed and the result cut at 160 characters.
func excerpt(body []byte) string {
	s := string(bytes.TrimSpace(body))
	if s == "" {
		return ""
	}
	if s[0] == '<' {
		s = stripTags(s)
	}
	return oneLine(s, 160)
}

// stripTags removes <...> tags and the content of <style> and <script>
// elements; good enough for an error excerpt.
func stripTags(s string) string {
	var b strings.Builder
	for {
		lt := strings.IndexByte(s, '<')
		if lt < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:lt])
		b.WriteByte(' ')
		rest := s[lt:]
		for _, skip := range []string{"<style", "<script"} {
			if len(rest) >= len(skip) && strings.EqualFold(rest[:len(skip)], skip) {
				end := strings.Index(strings.ToLower(rest), "</"+skip[1:])
				if end >= 0 {
					rest = rest[end:]
				}
			}
		}
		gt := strings.IndexByte(rest, '>')
		if gt < 0 {
			break
		}
		s = rest[gt+1:]
	}
	return b.String()
}

// oneLine collapses all whitespace runs to one space and cuts s to max
// runes, marking the cut with "…".
func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// field is one member of a JSON object, kept in its original order.
type field struct {
	key   string
	value json.RawMessage
}

// objectFields splits a JSON object into its members in order, each value
// kept as raw JSON. Anything other than exactly one object is an error
// that says where the JSON went wrong.
func objectFields(data []byte) ([]field, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("empty; it must be a JSON object")
	}
	// Validate the whole text first: json.Unmarshal reports offsets from
	// the start of the input (json.Decoder's are relative to the value it
	// was reading), and it rejects trailing data.
	var whole json.RawMessage
	if err := json.Unmarshal(data, &whole); err != nil {
		return nil, jsonErr(data, err)
	}
	dec := json.NewDecoder(bytes.NewReader(whole))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, jsonErr(data, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("must be a JSON object, got %s", jsonKind(tok))
	}
	var fields []field
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, jsonErr(data, err)
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, jsonErr(data, err)
		}
		fields = append(fields, field{key: key, value: v})
	}
	return fields, nil
}

func jsonKind(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '[' {
			return "an array"
		}
		return "a " + string(v)
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", tok)
}

// jsonErr adds the line and column of the offending byte to a JSON error.
func jsonErr(data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// Offset counts the bytes read, the bad one included.
		off := max(se.Offset-1, 0)
		line, col := lineCol(data, off)
		return fmt.Errorf("invalid JSON at line %d, column %d (offset %d): %w", line, col, off, err)
	}
	return fmt.Errorf("invalid JSON: %w", err)
}

// lineCol converts a byte offset into a 1-based line and column.
func lineCol(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// setField sets key to value in an object's members (replacing every
// occurrence, or appending) and returns the object's encoding.
func setField(fields []field, key string, value json.RawMessage) json.RawMessage {
	found := false
	for i := range fields {
		if fields[i].key == key {
			fields[i].value = value
			found = true
		}
	}
	if !found {
		fields = append(fields, field{key: key, value: value})
	}
	return encodeObject(fields)
}

// encodeObject writes members back as one compact JSON object.
func encodeObject(fields []field) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f.key)
		b.Write(k)
		b.WriteByte(':')
		if json.Compact(&b, f.value) != nil {
			b.Write(f.value)
		}
	}
	b.WriteByte('}')
	return b.Bytes()
}
