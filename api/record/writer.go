package record

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"rtinspect/api"
)

// Header is what the header line says about a new recording besides its
// format and version.
type Header struct {
	// BaseURL is the API root the session talks to (never the key).
	BaseURL string
	// Continues names the recording this one continues, if any.
	Continues string
	// Command is what produces the recording ("dispatch", "demo", ...).
	Command string
}

// Writer appends a session to a recording file. It implements api.Recorder
// and is safe for concurrent use: the stream goroutine records frames while
// the UI records requests.
//
// Every line goes to the file with a single write(2) on an unbuffered
// O_APPEND file, so a crash, even SIGKILL, loses at most the line being
// written, and lines from several goroutines never interleave.
type Writer struct {
	mu     sync.Mutex
	f      *os.File
	path   string
	stream int   // the last stream number given out
	err    error // the first write error; once set nothing more is written
	closed bool
}

var _ api.Recorder = (*Writer)(nil)

// Create creates a new recording at path, with its parent folders (0700),
// and writes its header line. The file is created 0600 and never replaces
// an existing one: two sessions must not share a file.
func Create(path string, h Header) (*Writer, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("recording: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("recording: %w", err)
	}
	w := &Writer{f: f, path: path}
	w.write(Record{
		Kind:      KindHeader,
		At:        time.Now(),
		Format:    Format,
		Version:   Version,
		BaseURL:   h.BaseURL,
		Continues: h.Continues,
		Command:   h.Command,
	})
	if w.err != nil {
		// A file without its header is not a recording: do not leave it.
		err := w.err
		f.Close()
		os.Remove(path)
		return nil, err
	}
	return w, nil
}

// Path returns where the recording is now (it changes with Rename).
func (w *Writer) Path() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.path
}

// Rename moves the recording to newPath while it is being written (its name
// gains the execution id once that is known); writing goes on through the
// same open file. Drafts already saved beside the recording move with it.
// An existing file at newPath is never replaced. On error the recording
// stays where it was.
func (w *Writer) Rename(newPath string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if newPath == w.path {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(newPath), 0o700); err != nil {
		return fmt.Errorf("recording: %w", err)
	}
	if err := moveNoReplace(w.path, newPath); err != nil {
		return fmt.Errorf("recording: %w", err)
	}
	// The drafts follow on a best-effort basis: losing the move only means
	// they stay under the old name, where LoadDrafts of the old path finds
	// them.
	if _, err := os.Stat(DraftsPath(w.path)); err == nil {
		_ = moveNoReplace(DraftsPath(w.path), DraftsPath(newPath))
	}
	w.path = newPath
	return nil
}

// moveNoReplace renames oldPath to newPath unless newPath exists. A hard
// link fails atomically when the target exists (os.Rename would silently
// replace it); on a file system without hard links it falls back to a
// check-then-rename.
func moveNoReplace(oldPath, newPath string) error {
	err := os.Link(oldPath, newPath)
	if err == nil {
		return os.Remove(oldPath)
	}
	if errors.Is(err, fs.ErrExist) {
		return err
	}
	if _, serr := os.Lstat(newPath); serr == nil {
		return &fs.PathError{Op: "rename", Path: newPath, Err: fs.ErrExist}
	}
	return os.Rename(oldPath, newPath)
}

// Err returns the first write error, if any. After it the writer writes
// nothing more and keeps returning it, so the UI can report it once and
// keep working.
func (w *Writer) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// Close syncs and closes the file. Records given after Close are dropped
// silently: a stream goroutine may still end its stream while the program
// quits. Closing twice is harmless.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	// Sync is best effort: every line already reached the OS, which is all
	// a crash of rtinspect needs; some targets (pipes, /dev/null) refuse it.
	_ = w.f.Sync()
	if err := w.f.Close(); err != nil {
		return fmt.Errorf("recording %s: %w", w.path, err)
	}
	return nil
}

// Request records a request about to be sent and returns its stream number
// (1 for the first request of the session). A body that is valid JSON is
// kept as JSON, anything else as a JSON string.
func (w *Writer) Request(r api.Request) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stream++
	rec := Record{
		Kind:        KindRequest,
		Stream:      w.stream,
		At:          time.Now(),
		Method:      r.Method,
		Path:        r.Path,
		Query:       r.Query,
		ExecutionID: r.ExecutionID,
	}
	if len(r.Body) > 0 {
		if json.Valid(r.Body) {
			rec.Body = json.RawMessage(r.Body)
		} else {
			rec.Body, _ = json.Marshal(string(r.Body))
		}
	}
	w.writeLocked(rec)
	return w.stream
}

// Response records a response's status and content type; body is the error
// body of a non-2xx response.
func (w *Writer) Response(stream, status int, contentType string, body []byte) {
	w.write(Record{
		Kind:        KindResponse,
		Stream:      stream,
		At:          time.Now(),
		Status:      status,
		ContentType: contentType,
		ErrorBody:   string(body),
	})
}

// Frame records one SSE frame exactly as received, at its arrival time.
func (w *Writer) Frame(stream int, f api.Frame) {
	at := f.At
	if at.IsZero() {
		at = time.Now()
	}
	data := f.Data
	w.write(Record{
		Kind:   KindFrame,
		Stream: stream,
		At:     at,
		Event:  f.Event,
		ID:     f.ID,
		Data:   &data,
	})
}

// End records why a stream ended and its error, if any.
func (w *Writer) End(stream int, reason string, err error) {
	rec := Record{Kind: KindEnd, Stream: stream, At: time.Now(), Reason: reason}
	if err != nil {
		rec.Error = err.Error()
	}
	w.write(rec)
}

// Answer notes that a call was answered by source (an auto-responder rule)
// rather than by the person, with the answer it gave.
func (w *Writer) Answer(toolCallID, toolName, source string, output []byte) {
	rec := Record{Kind: KindAnswer, At: time.Now(), ToolCallID: toolCallID, ToolName: toolName, Source: source}
	if json.Valid(output) {
		rec.Body = output
	}
	w.write(rec)
}

func (w *Writer) write(rec Record) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writeLocked(rec)
}

// writeLocked encodes rec as one line and writes it with one Write call on
// the unbuffered file: one write(2), appended atomically at the end of the
// file. HTML escaping is off so frame text stays readable in the file; it
// decodes to the same strings either way.
func (w *Writer) writeLocked(rec Record) {
	if w.err != nil || w.closed {
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil {
		// Only a Body that is not JSON can fail, and Request never lets
		// one through; remember it like a write error all the same.
		w.err = fmt.Errorf("recording %s: %w", w.path, err)
		return
	}
	if _, err := w.f.Write(buf.Bytes()); err != nil {
		w.err = fmt.Errorf("recording %s: %w", w.path, err)
	}
}
