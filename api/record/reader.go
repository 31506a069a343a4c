package record

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
)

// ErrNotRecording is wrapped by the error Parse returns for an empty file
// or one whose first line is not a recording header.
var ErrNotRecording = errors.New("not an rtinspect session recording")

// ReadFile reads the recording at path; see Parse.
func ReadFile(path string) (*Recording, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err // *fs.PathError already names the file
	}
	defer f.Close()
	return Parse(path, f)
}

// Parse reads a recording from r; path names it in every message.
//
// It is tolerant: only an unreadable or empty input, or a first line that is
// not a recording header, is an error. Anything else wrong with a line (not
// JSON, an unknown kind, a line cut off by a crash) becomes a Problem naming
// the line, the line is skipped and the rest is read. A header from a newer
// format version is a Problem too: the records this version knows are read.
//
// The header goes to Recording.Header; Records holds every other record, in
// file order, each with its Line. Blank lines are ignored. Lines may be of
// any length (a frame can be several MiB).
func Parse(path string, r io.Reader) (*Recording, error) {
	rec := &Recording{Path: path}
	br := bufio.NewReaderSize(r, 64<<10)
	line := 0
	seenHeader := false
	var long []byte
	for {
		b, rerr := readLine(br, &long)
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			var pe *fs.PathError
			if errors.As(rerr, &pe) {
				return nil, rerr // it names the file already
			}
			return nil, fmt.Errorf("%s: line %d: %w", path, line+1, rerr)
		}
		if len(b) == 0 && rerr != nil {
			break
		}
		line++
		// The writer writes each line with its newline in one write(2); a
		// last line without one is what a crash mid-write leaves.
		cut := rerr != nil
		b = bytes.TrimRight(b, "\r\n")
		if len(bytes.TrimSpace(b)) == 0 {
			if rerr != nil {
				break
			}
			continue
		}
		if !seenHeader {
			h, err := parseHeader(b, cut)
			if err != nil {
				return nil, fmt.Errorf("%s: %w (line %d: %s)", path, ErrNotRecording, line, err)
			}
			h.Line = line
			rec.Header = h
			seenHeader = true
			switch {
			case h.Version > Version:
				rec.problem(line, "written by a newer rtinspect (format version "+strconv.Itoa(h.Version)+
					"); reading what this version understands")
			case h.Version < 1:
				rec.problem(line, "the header has no valid format version; reading it as version "+strconv.Itoa(Version))
			}
		} else {
			rec.parseLine(b, line, cut)
		}
		if rerr != nil {
			break
		}
	}
	if !seenHeader {
		return nil, fmt.Errorf("%s: %w (the file is empty)", path, ErrNotRecording)
	}
	return rec, nil
}

// parseHeader checks that b is a recording's header line.
func parseHeader(b []byte, cut bool) (Record, error) {
	var h Record
	if err := json.Unmarshal(b, &h); err != nil {
		if cut {
			return h, errors.New("the file was cut off in the middle of its first line")
		}
		return h, fmt.Errorf("not JSON: %s", jsonErrText(err))
	}
	if h.Kind != KindHeader || h.Format != Format {
		return h, fmt.Errorf(`expected a header {"kind":"header","format":%q,...}`, Format)
	}
	return h, nil
}

// parseLine reads one record line after the header into r.
func (r *Recording) parseLine(b []byte, line int, cut bool) {
	// The fast path decodes in place, into the record appended (Record is
	// large: building it aside and appending it would copy it twice).
	r.Records = append(r.Records, Record{})
	if last := &r.Records[len(r.Records)-1]; parseFrameLine(b, last) {
		last.Line = line
		return
	}
	r.Records[len(r.Records)-1] = Record{}
	r.Records = r.Records[:len(r.Records)-1]
	var rec Record
	if err := json.Unmarshal(b, &rec); err != nil {
		if cut {
			r.problem(line, "the file was cut off in the middle of this line (truncated: rtinspect was "+
				"probably killed while writing it); everything before it is kept")
			return
		}
		var se *json.SyntaxError
		if errors.As(err, &se) {
			r.problem(line, "not JSON ("+jsonErrText(err)+"); line skipped")
		} else {
			r.problem(line, "not a valid record ("+jsonErrText(err)+"); line skipped")
		}
		return
	}
	switch rec.Kind {
	case KindRequest, KindResponse, KindFrame, KindEnd, KindAnswer:
	case KindHeader:
		r.problem(line, "a second header; line skipped")
		return
	case "":
		r.problem(line, "a record without a kind; line skipped")
		return
	default:
		r.problem(line, "unknown record kind "+strconv.Quote(rec.Kind)+"; line skipped")
		return
	}
	rec.Line = line
	r.Records = append(r.Records, rec)
}

// jsonErrText strips encoding/json's "json: " prefix, which reads oddly
// after a file and line.
func jsonErrText(err error) string {
	s := err.Error()
	const p = "json: "
	if len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}

func (r *Recording) problem(line int, msg string) {
	r.Problems = append(r.Problems, Problem{Path: r.Path, Line: line, Msg: msg})
}

// dispatchPath is api.PathDispatch, repeated so reading a recording does
// not depend on the client.
const dispatchPath = "/v1/dispatch"

// DispatchBody returns the body of the first request to /v1/dispatch, as
// stored (JSON), and whether there was one: what a replay re-sends.
func (r *Recording) DispatchBody() ([]byte, bool) {
	for _, rec := range r.Records {
		if rec.Kind == KindRequest && rec.Path == dispatchPath {
			return []byte(rec.Body), true
		}
	}
	return nil, false
}

// Streams returns the stream numbers met in the records, in order of first
// appearance.
func (r *Recording) Streams() []int {
	var out []int
	seen := map[int]bool{}
	for _, rec := range r.Records {
		if rec.Stream == 0 || seen[rec.Stream] {
			continue
		}
		seen[rec.Stream] = true
		out = append(out, rec.Stream)
	}
	return out
}

// Frames returns the number of frame records.
func (r *Recording) Frames() int {
	n := 0
	for _, rec := range r.Records {
		if rec.Kind == KindFrame {
			n++
		}
	}
	return n
}
