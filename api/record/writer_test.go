package record

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"rtinspect/api"
)

func ptr(s string) *string { return &s }

// create makes a writer in a fresh folder and closes it at the end.
func create(t *testing.T, h Header) *Writer {
	t.Helper()
	w, err := Create(filepath.Join(t.TempDir(), "sessions", "s.jsonl"), h)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// read reads a recording back and fails on any problem.
func read(t *testing.T, path string) *Recording {
	t.Helper()
	rec, err := ReadFile(path)
	if err != nil {
		t.Fatalf("ReadFile: %v", err)
	}
	for _, p := range rec.Problems {
		t.Errorf("problem: %s", p)
	}
	return rec
}

func TestRoundTrip(t *testing.T) {
	big := strings.Repeat("0123456789abcdef<>&\"\\ é", 5<<20/24+1) // over 5 MiB
	at := time.Date(2026, 11, 27, 5, 30, 0, 123456789, time.UTC)
	errTimeout := errors.New("stream dropped: unexpected EOF")

	// Each case is one call on the writer and the record it must read
	// back as (At is checked separately).
	cases := []struct {
		name string
		call func(w *Writer)
		want Record
	}{
		{"dispatch request", func(w *Writer) {
			w.Request(api.Request{Method: "POST", Path: "/v1/dispatch", Query: "events=unified",
				Body: []byte("{\n  \"flow\": {\"id\": \"f\"},\n  \"msg\": \"<b>ü</b>\"\n}")})
		}, Record{Kind: KindRequest, Stream: 1, Method: "POST", Path: "/v1/dispatch", Query: "events=unified",
			Body: json.RawMessage(`{"flow":{"id":"f"},"msg":"<b>ü</b>"}`)}},
		{"resume request", func(w *Writer) {
			w.Request(api.Request{Method: "POST", Path: "/v1/dispatch/resume", Body: []byte(`{"executionId":"exec_1"}`), ExecutionID: "exec_1"})
		}, Record{Kind: KindRequest, Stream: 2, Method: "POST", Path: "/v1/dispatch/resume",
			Body: json.RawMessage(`{"executionId":"exec_1"}`), ExecutionID: "exec_1"}},
		{"body that is not JSON", func(w *Writer) {
			w.Request(api.Request{Method: "POST", Path: "/x", Body: []byte("not {json\n")})
		}, Record{Kind: KindRequest, Stream: 3, Method: "POST", Path: "/x", Body: json.RawMessage(`"not {json\n"`)}},
		{"request without body", func(w *Writer) {
			w.Request(api.Request{Method: "GET", Path: "/y"})
		}, Record{Kind: KindRequest, Stream: 4, Method: "GET", Path: "/y"}},
		{"response ok", func(w *Writer) {
			w.Response(1, 200, "text/event-stream", nil)
		}, Record{Kind: KindResponse, Stream: 1, Status: 200, ContentType: "text/event-stream"}},
		{"response error", func(w *Writer) {
			w.Response(3, 404, "application/json", []byte(`{"error":"nope"}`))
		}, Record{Kind: KindResponse, Stream: 3, Status: 404, ContentType: "application/json", ErrorBody: `{"error":"nope"}`}},
		{"frame", func(w *Writer) {
			w.Frame(1, api.Frame{Event: "step_start", ID: "7", Data: `{"type":"step_start"}`, At: at})
		}, Record{Kind: KindFrame, Stream: 1, Event: "step_start", ID: "7", Data: ptr(`{"type":"step_start"}`)}},
		{"multi-line frame", func(w *Writer) {
			w.Frame(1, api.Frame{Data: "line one\nline two\n\nline four", At: at})
		}, Record{Kind: KindFrame, Stream: 1, Data: ptr("line one\nline two\n\nline four")}},
		{"non-ASCII frame", func(w *Writer) {
			w.Frame(1, api.Frame{Event: "ünïcode", Data: "日本語 — emoji 🎉 \u2028 tab\t nul\x00", At: at})
		}, Record{Kind: KindFrame, Stream: 1, Event: "ünïcode", Data: ptr("日本語 — emoji 🎉 \u2028 tab\t nul\x00")}},
		{"empty data", func(w *Writer) {
			w.Frame(2, api.Frame{Event: "ping", At: at})
		}, Record{Kind: KindFrame, Stream: 2, Event: "ping", Data: ptr("")}},
		{"5 MiB frame", func(w *Writer) {
			w.Frame(2, api.Frame{Event: "media", Data: big, At: at})
		}, Record{Kind: KindFrame, Stream: 2, Event: "media", Data: &big}},
		{"end paused", func(w *Writer) {
			w.End(1, EndPaused, nil)
		}, Record{Kind: KindEnd, Stream: 1, Reason: EndPaused}},
		{"end with error", func(w *Writer) {
			w.End(2, EndDropped, errTimeout)
		}, Record{Kind: KindEnd, Stream: 2, Reason: EndDropped, Error: errTimeout.Error()}},
	}

	w := create(t, Header{BaseURL: "https://api.example", Continues: "old.jsonl", Command: "replay"})
	start := time.Now()
	for _, tc := range cases {
		tc.call(w)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	end := time.Now()
	rec := read(t, w.Path())

	h := rec.Header
	wantH := Record{Kind: KindHeader, Format: Format, Version: Version, BaseURL: "https://api.example",
		Continues: "old.jsonl", Command: "replay", Line: 1}
	gotH := h
	gotH.At = time.Time{}
	if fmt.Sprintf("%+v", gotH) != fmt.Sprintf("%+v", wantH) {
		t.Errorf("header = %+v, want %+v", gotH, wantH)
	}
	if h.At.Before(start.Add(-time.Second)) || h.At.After(end) {
		t.Errorf("header At = %v, want about %v", h.At, start)
	}
	if got, want := len(rec.Records), len(cases); got != want {
		t.Fatalf("got %d records, want %d", got, want)
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := rec.Records[i]
			if got.Kind == KindFrame {
				if !got.At.Equal(at) {
					t.Errorf("At = %v, want the frame's own %v", got.At, at)
				}
			} else if got.At.Before(start.Add(-time.Second)) || got.At.After(end) {
				t.Errorf("At = %v, want between %v and %v", got.At, start, end)
			}
			if got.Line != i+2 {
				t.Errorf("Line = %d, want %d", got.Line, i+2)
			}
			got.At, got.Line = time.Time{}, 0
			if !recordsEqual(got, tc.want) {
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(tc.want)
				t.Errorf("got %.300s, want %.300s", g, w)
			}
		})
	}
}

// recordsEqual compares records field by field, Data by value.
func recordsEqual(a, b Record) bool {
	if (a.Data == nil) != (b.Data == nil) || a.Data != nil && *a.Data != *b.Data {
		return false
	}
	if !bytes.Equal(a.Body, b.Body) {
		return false
	}
	a.Data, b.Data, a.Body, b.Body = nil, nil, nil, nil
	return reflect.DeepEqual(a, b)
}

func TestFileModes(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, "state", "rtinspect", "sessions", "a.jsonl")
	w, err := Create(path, Header{})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	defer w.Close()
	cases := []struct {
		name string
		path string
		want fs.FileMode
	}{
		{"file", path, 0o600},
		{"sessions folder", filepath.Dir(path), fs.ModeDir | 0o700},
		{"rtinspect folder", filepath.Dir(filepath.Dir(path)), fs.ModeDir | 0o700},
		{"state folder", filepath.Join(root, "state"), fs.ModeDir | 0o700},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fi, err := os.Stat(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode(); got != tc.want {
				t.Errorf("mode = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCreateNeverOverwrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.jsonl")
	if err := os.WriteFile(path, []byte("precious\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	w, err := Create(path, Header{})
	if err == nil {
		w.Close()
		t.Fatal("Create over an existing file: error = nil, want one")
	}
	if !errors.Is(err, fs.ErrExist) {
		t.Errorf("error = %v, want fs.ErrExist", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "precious\n" {
		t.Errorf("existing file = %q, want it untouched", got)
	}
}

func TestRename(t *testing.T) {
	cases := []struct {
		name     string
		existing bool // a file is already at the new path
		drafts   bool // drafts were saved beside the old path
	}{
		{name: "plain"},
		{name: "with drafts", drafts: true},
		{name: "target exists", existing: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := create(t, Header{Command: "dispatch"})
			old := w.Path()
			newPath := filepath.Join(filepath.Dir(old), "s-exec_1.jsonl")
			if tc.existing {
				if err := os.WriteFile(newPath, []byte("other\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if tc.drafts {
				if err := SaveDrafts(DraftsPath(old), Drafts{Messages: "[]"}); err != nil {
					t.Fatal(err)
				}
			}
			n := w.Request(api.Request{Method: "POST", Path: "/v1/dispatch", Body: []byte(`{}`)})
			err := w.Rename(newPath)
			w.Frame(n, api.Frame{Data: "after rename", At: time.Now()})
			w.End(n, EndCompleted, nil)
			if cerr := w.Close(); cerr != nil {
				t.Fatal(cerr)
			}
			if tc.existing {
				if err == nil {
					t.Fatal("Rename onto an existing file: error = nil, want one")
				}
				if got, _ := os.ReadFile(newPath); string(got) != "other\n" {
					t.Errorf("existing file = %q, want it untouched", got)
				}
				if got := w.Path(); got != old {
					t.Errorf("Path() = %s, want %s (unchanged)", got, old)
				}
			} else {
				if err != nil {
					t.Fatalf("Rename: %v", err)
				}
				if got := w.Path(); got != newPath {
					t.Errorf("Path() = %s, want %s", got, newPath)
				}
				if _, err := os.Stat(old); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("old file still there (stat err %v)", err)
				}
			}
			rec := read(t, w.Path())
			var kinds []string
			for _, r := range rec.Records {
				kinds = append(kinds, r.Kind)
			}
			if got, want := strings.Join(kinds, ","), "request,frame,end"; got != want {
				t.Errorf("records = %s, want %s", got, want)
			}
			if tc.drafts {
				d, err := LoadDrafts(DraftsPath(newPath))
				if err != nil || d.Messages != "[]" {
					t.Errorf("drafts at the new path = %+v, %v; want the saved ones", d, err)
				}
				if _, err := os.Stat(DraftsPath(old)); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("drafts still at the old path (stat err %v)", err)
				}
			}
		})
	}
}

func TestWriteErrorIsRemembered(t *testing.T) {
	cases := []struct {
		name string
		// broken returns a file whose writes fail.
		broken func(t *testing.T) *os.File
		want   string
	}{
		{"closed fd", func(t *testing.T) *os.File {
			f, err := os.CreateTemp(t.TempDir(), "c")
			if err != nil {
				t.Fatal(err)
			}
			f.Close()
			return f
		}, "file already closed"},
		{"read-only fd", func(t *testing.T) *os.File {
			p := filepath.Join(t.TempDir(), "ro")
			os.WriteFile(p, nil, 0o600)
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { f.Close() })
			return f
		}, "bad file descriptor"},
		{"disk full", func(t *testing.T) *os.File {
			f, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
			if err != nil {
				t.Skipf("no /dev/full: %v", err)
			}
			t.Cleanup(func() { f.Close() })
			return f
		}, "no space left on device"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := create(t, Header{})
			good := w.f
			w.f = tc.broken(t)
			if err := w.Err(); err != nil {
				t.Fatalf("Err() before any failure = %v, want nil", err)
			}
			n := w.Request(api.Request{Method: "POST", Path: "/v1/dispatch"})
			first := w.Err()
			if first == nil || !strings.Contains(first.Error(), tc.want) || !strings.Contains(first.Error(), w.Path()) {
				t.Fatalf("Err() = %v, want an error naming the file and %q", first, tc.want)
			}
			// Writing stops: even a working file gets nothing more, and
			// numbering goes on.
			w.f = good
			w.Frame(n, api.Frame{Data: "x"})
			w.End(n, EndCompleted, nil)
			if got := w.Request(api.Request{}); got != n+1 {
				t.Errorf("next stream number = %d, want %d", got, n+1)
			}
			if got := w.Err(); got != first {
				t.Errorf("Err() later = %v, want the first error %v", got, first)
			}
			w.Close()
			rec := read(t, w.Path())
			if got := len(rec.Records); got != 0 {
				t.Errorf("got %d records after the write error, want 0", got)
			}
		})
	}
}

func TestCreateUnwritableFolder(t *testing.T) {
	// A file where the folder should be: Create fails, naming the path.
	root := t.TempDir()
	blocker := filepath.Join(root, "sessions")
	os.WriteFile(blocker, nil, 0o600)
	_, err := Create(filepath.Join(blocker, "x.jsonl"), Header{})
	if err == nil || !strings.Contains(err.Error(), blocker) {
		t.Errorf("Create under a file: error = %v, want one naming %s", err, blocker)
	}
}

func TestWriteAfterClose(t *testing.T) {
	w := create(t, Header{})
	w.Request(api.Request{Method: "POST", Path: "/a"})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w.End(1, EndCancelled, nil) // a stream goroutine ending late
	if err := w.Err(); err != nil {
		t.Errorf("Err() after a write past Close = %v, want nil", err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
	if got := len(read(t, w.Path()).Records); got != 1 {
		t.Errorf("got %d records, want 1", got)
	}
}

func TestConcurrentWritersWriteWholeLines(t *testing.T) {
	const goroutines, each = 8, 50
	w := create(t, Header{})
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				// Sizes vary up to past the pipe/page sizes so a split
				// write would show.
				data := fmt.Sprintf("g%d-i%d:", g, i) + strings.Repeat(string(rune('a'+g)), (i*4099)%70000)
				w.Frame(g+1, api.Frame{Event: "e", Data: data, At: time.Now()})
			}
		})
	}
	wg.Wait()
	w.Close()
	rec := read(t, w.Path())
	if got, want := rec.Frames(), goroutines*each; got != want {
		t.Fatalf("Frames() = %d, want %d", got, want)
	}
	next := make([]int, goroutines)
	for _, r := range rec.Records {
		g := r.Stream - 1
		want := fmt.Sprintf("g%d-i%d:", g, next[g]) + strings.Repeat(string(rune('a'+g)), (next[g]*4099)%70000)
		if *r.Data != want {
			t.Fatalf("line %d: data %.40q, want %.40q", r.Line, *r.Data, want)
		}
		next[g]++
	}
}

func TestConcurrentRequestNumbers(t *testing.T) {
	w := create(t, Header{})
	const n = 50
	seen := make(chan int, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { seen <- w.Request(api.Request{Method: "POST", Path: "/p"}) })
	}
	wg.Wait()
	close(seen)
	got := map[int]bool{}
	for s := range seen {
		got[s] = true
	}
	for i := 1; i <= n; i++ {
		if !got[i] {
			t.Errorf("stream number %d never given out", i)
		}
	}
}

// TestKilledMidLine simulates a SIGKILL during a write: complete lines, then
// half of the next one without its newline.
func TestKilledMidLine(t *testing.T) {
	w := create(t, Header{Command: "dispatch"})
	n := w.Request(api.Request{Method: "POST", Path: "/v1/dispatch", Body: []byte(`{"a":1}`)})
	w.Response(n, 200, "text/event-stream", nil)
	for i := range 5 {
		w.Frame(n, api.Frame{Data: fmt.Sprintf(`{"i":%d}`, i), At: time.Now()})
	}
	w.Close()

	line, _ := json.Marshal(Record{Kind: KindFrame, Stream: n, Data: ptr(strings.Repeat("x", 1000))})
	f, err := os.OpenFile(w.Path(), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(line[:len(line)/2])
	f.Close()

	rec, err := ReadFile(w.Path())
	if err != nil {
		t.Fatalf("ReadFile: %v", err)
	}
	if got, want := len(rec.Records), 7; got != want {
		t.Errorf("got %d records, want %d (every complete line)", got, want)
	}
	if got, want := rec.Frames(), 5; got != want {
		t.Errorf("Frames() = %d, want %d", got, want)
	}
	if len(rec.Problems) != 1 {
		t.Fatalf("problems = %v, want one", rec.Problems)
	}
	want := w.Path() + ":9: the file was cut off in the middle of this line"
	if got := rec.Problems[0].String(); !strings.HasPrefix(got, want) {
		t.Errorf("problem = %q, want it to start %q", got, want)
	}
}
