package record

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

const hdr = `{"kind":"header","format":"rtinspect-session","version":1,"at":"2026-11-27T05:30:00Z","command":"dispatch"}`

func TestParse(t *testing.T) {
	const path = "sess.jsonl"
	req := `{"kind":"request","stream":1,"at":"2026-11-27T05:30:00Z","method":"POST","path":"/v1/dispatch","body":{"a":1}}`
	frame := `{"kind":"frame","stream":1,"at":"2026-11-27T05:30:01Z","event":"e","data":"d"}`
	end := `{"kind":"end","stream":1,"at":"2026-11-27T05:30:02Z","reason":"completed"}`
	cases := []struct {
		name      string
		input     string
		wantErr   string   // a fatal error, exactly
		wantLines []int    // the Line of each record kept
		problems  []string // Problem.String() of each problem, exactly
	}{
		{
			name:      "clean",
			input:     hdr + "\n" + req + "\n" + frame + "\n" + end + "\n",
			wantLines: []int{2, 3, 4},
		},
		{
			name:      "blank lines and CRLF are tolerated",
			input:     hdr + "\r\n\r\n" + req + "\r\n   \n" + frame + "\r\n",
			wantLines: []int{3, 5},
		},
		{
			name:      "complete last line without newline is kept",
			input:     hdr + "\n" + req + "\n" + frame,
			wantLines: []int{2, 3},
		},
		{
			name:      "truncated last line",
			input:     hdr + "\n" + req + "\n" + frame + "\n" + frame[:20],
			wantLines: []int{2, 3},
			problems: []string{"sess.jsonl:4: the file was cut off in the middle of this line (truncated: " +
				"rtinspect was probably killed while writing it); everything before it is kept"},
		},
		{
			name:      "unknown kind",
			input:     hdr + "\n" + req + "\n" + `{"kind":"telemetry","at":"2026-11-27T05:30:00Z"}` + "\n" + frame + "\n",
			wantLines: []int{2, 4},
			problems:  []string{`sess.jsonl:3: unknown record kind "telemetry"; line skipped`},
		},
		{
			name:      "newer version",
			input:     strings.Replace(hdr, `"version":1`, `"version":7`, 1) + "\n" + req + "\n" + `{"kind":"hologram"}` + "\n" + end + "\n",
			wantLines: []int{2, 4},
			problems: []string{
				"sess.jsonl:1: written by a newer rtinspect (format version 7); reading what this version understands",
				`sess.jsonl:3: unknown record kind "hologram"; line skipped`,
			},
		},
		{
			name:      "missing version",
			input:     strings.Replace(hdr, `"version":1,`, ``, 1) + "\n" + end + "\n",
			wantLines: []int{2},
			problems:  []string{"sess.jsonl:1: the header has no valid format version; reading it as version 1"},
		},
		{
			name:      "not JSON mid-file",
			input:     hdr + "\n" + req + "\n" + "garbage here\n" + frame + "\n",
			wantLines: []int{2, 4},
			problems:  []string{"sess.jsonl:3: not JSON (invalid character 'g' looking for beginning of value); line skipped"},
		},
		{
			name:      "JSON that is not a record",
			input:     hdr + "\n" + `{"kind":"frame","stream":"one"}` + "\n" + `[1,2]` + "\n" + frame + "\n",
			wantLines: []int{4},
			problems: []string{
				"sess.jsonl:2: not a valid record (cannot unmarshal string into Go struct field Record.stream of type int); line skipped",
				"sess.jsonl:3: not a valid record (cannot unmarshal array into Go value of type record.Record); line skipped",
			},
		},
		{
			name:      "record without kind and a second header",
			input:     hdr + "\n" + `{"stream":1}` + "\n" + hdr + "\n" + end + "\n",
			wantLines: []int{4},
			problems: []string{
				"sess.jsonl:2: a record without a kind; line skipped",
				"sess.jsonl:3: a second header; line skipped",
			},
		},
		{
			name:    "empty file",
			input:   "",
			wantErr: "sess.jsonl: not an rtinspect session recording (the file is empty)",
		},
		{
			name:    "only blank lines",
			input:   "\n\n  \n",
			wantErr: "sess.jsonl: not an rtinspect session recording (the file is empty)",
		},
		{
			name:    "not a recording at all",
			input:   "# My notes\nhello\n",
			wantErr: "sess.jsonl: not an rtinspect session recording (line 1: not JSON: invalid character '#' looking for beginning of value)",
		},
		{
			name:    "JSON but no header",
			input:   req + "\n" + frame + "\n",
			wantErr: `sess.jsonl: not an rtinspect session recording (line 1: expected a header {"kind":"header","format":"rtinspect-session",...})`,
		},
		{
			name:    "header of another format",
			input:   `{"kind":"header","format":"other-tool","version":1}` + "\n",
			wantErr: `sess.jsonl: not an rtinspect session recording (line 1: expected a header {"kind":"header","format":"rtinspect-session",...})`,
		},
		{
			name:    "header cut off",
			input:   hdr[:30],
			wantErr: "sess.jsonl: not an rtinspect session recording (line 1: the file was cut off in the middle of its first line)",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// One byte at a time, to be sure lines are not assumed to
			// arrive whole.
			rec, err := Parse(path, iotest.OneByteReader(strings.NewReader(tc.input)))
			if tc.wantErr != "" {
				if err == nil {
					t.Fatalf("Parse error = nil, want %q", tc.wantErr)
				}
				if got := err.Error(); got != tc.wantErr {
					t.Errorf("Parse error = %q, want %q", got, tc.wantErr)
				}
				if !errors.Is(err, ErrNotRecording) {
					t.Errorf("errors.Is(err, ErrNotRecording) = false, want true")
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var lines []int
			for _, r := range rec.Records {
				lines = append(lines, r.Line)
			}
			if !reflect.DeepEqual(lines, tc.wantLines) {
				t.Errorf("record lines = %v, want %v", lines, tc.wantLines)
			}
			var problems []string
			for _, p := range rec.Problems {
				problems = append(problems, p.String())
			}
			if !reflect.DeepEqual(problems, tc.problems) {
				t.Errorf("problems:\n  %s\nwant:\n  %s", strings.Join(problems, "\n  "), strings.Join(tc.problems, "\n  "))
			}
			if rec.Header.Kind != KindHeader || rec.Header.Line < 1 {
				t.Errorf("header = %+v, want the header with its line", rec.Header)
			}
			if rec.Path != path {
				t.Errorf("Path = %q, want %q", rec.Path, path)
			}
		})
	}
}

func TestReadFileErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.jsonl")
	os.WriteFile(empty, nil, 0o600)
	cases := []struct {
		name string
		path string
		want string
	}{
		{"missing", filepath.Join(dir, "nope.jsonl"), "open " + filepath.Join(dir, "nope.jsonl") + ": no such file or directory"},
		{"empty", empty, empty + ": not an rtinspect session recording (the file is empty)"},
		{"a folder", dir, "read " + dir + ": is a directory"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadFile(tc.path)
			if err == nil || err.Error() != tc.want {
				t.Errorf("ReadFile error = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestParseReadError(t *testing.T) {
	r := io.MultiReader(strings.NewReader(hdr+"\n"), iotest.ErrReader(errors.New("disk on fire")))
	_, err := Parse("p.jsonl", r)
	if got, want := err, "p.jsonl: line 2: disk on fire"; got == nil || got.Error() != want {
		t.Errorf("Parse error = %v, want %q", got, want)
	}
}

func TestRecordingHelpers(t *testing.T) {
	cases := []struct {
		name      string
		lines     []string
		wantBody  string
		wantFound bool
		streams   []int
		frames    int
	}{
		{
			name: "dispatch then resume",
			lines: []string{
				`{"kind":"request","stream":1,"path":"/v1/dispatch","body":{"flow":{"id":"f"}}}`,
				`{"kind":"frame","stream":1,"data":"a"}`,
				`{"kind":"end","stream":1,"reason":"paused"}`,
				`{"kind":"request","stream":2,"path":"/v1/dispatch/resume","body":{"executionId":"e"}}`,
				`{"kind":"frame","stream":2,"data":"b"}`,
				`{"kind":"frame","stream":2,"data":"c"}`,
				`{"kind":"request","stream":3,"path":"/v1/dispatch","body":{"second":true}}`,
			},
			wantBody: `{"flow":{"id":"f"}}`, wantFound: true, streams: []int{1, 2, 3}, frames: 3,
		},
		{
			name: "interleaved streams keep first appearance order",
			lines: []string{
				`{"kind":"request","stream":2,"path":"/v1/dispatch/resume"}`,
				`{"kind":"frame","stream":1,"data":"a"}`,
				`{"kind":"frame","stream":2,"data":"b"}`,
			},
			streams: []int{2, 1}, frames: 2,
		},
		{name: "header only"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := hdr + "\n" + strings.Join(tc.lines, "\n")
			rec, err := Parse("h.jsonl", strings.NewReader(in))
			if err != nil {
				t.Fatal(err)
			}
			body, ok := rec.DispatchBody()
			if string(body) != tc.wantBody || ok != tc.wantFound {
				t.Errorf("DispatchBody() = %s, %v; want %s, %v", body, ok, tc.wantBody, tc.wantFound)
			}
			if got := rec.Streams(); !reflect.DeepEqual(got, tc.streams) {
				t.Errorf("Streams() = %v, want %v", got, tc.streams)
			}
			if got := rec.Frames(); got != tc.frames {
				t.Errorf("Frames() = %d, want %d", got, tc.frames)
			}
		})
	}
}
