package record

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"rtinspect/api"
)

// sameRecord reports whether the fast path's record is the one
// json.Unmarshal made: every field equal, the time the same instant in a
// zone of the same name and offset (a fixed zone is a new *Location each
// time), Data both nil or both pointing at equal strings.
func sameRecord(got, want Record) bool {
	gz, go_ := got.At.Zone()
	wz, wo := want.At.Zone()
	if !got.At.Equal(want.At) || gz != wz || go_ != wo {
		return false
	}
	if (got.Data == nil) != (want.Data == nil) || got.Data != nil && *got.Data != *want.Data {
		return false
	}
	got.At, want.At = time.Time{}, time.Time{}
	got.Data, want.Data = nil, nil
	return reflect.DeepEqual(got, want)
}

// checkFrameLine fails when the fast path takes line and decodes it other
// than encoding/json does.
func checkFrameLine(t *testing.T, line []byte) bool {
	t.Helper()
	var got Record
	if !parseFrameLine(line, &got) {
		return false
	}
	var want Record
	if err := json.Unmarshal(line, &want); err != nil {
		t.Fatalf("fast path took %q, which encoding/json refuses: %v", line, err)
	}
	if !sameRecord(got, want) {
		t.Fatalf("line %q:\nfast path %+v\nencoding/json %+v", line, got, want)
	}
	return true
}

// frameSamples are frame data with everything a JSON string can hold.
var frameSamples = []string{
	"", "plain", `{"type":"text_delta","executionId":"exec_1","seq":2,"delta":"word "}`,
	"quotes \" and \\ backslash / slash", "tab\t nl\n cr\r bs\b ff\f nul\x00 esc\x1b del\x7f",
	"<html> & </html>", "naïve café 日本語 😀", "line\u2028sep\u2029", "bad utf8 \xff\xfe \xc3( \xed\xa0\x80",
	`{"delta":"\ud83d\ude00 \ud800 \udc00x"}`, strings.Repeat("long é\"", 2000),
}

// TestFrameLinesTakeTheFastPath: every frame line the Writer writes
// decodes on the fast path, to what encoding/json makes of it.
func TestFrameLinesTakeTheFastPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.jsonl")
	w, err := Create(path, Header{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)
	zones := []*time.Location{time.UTC, time.FixedZone("", 2*3600), time.FixedZone("X", -(3*3600 + 1800)), time.Local}
	n := 0
	for i, data := range frameSamples {
		for j, ev := range []string{"", "text_delta", "ev\"ent é"} {
			id := []string{"", "42", "id\n\xff"}[(i+j)%3]
			w.Frame(1+i*j, api.Frame{Event: ev, ID: id, Data: data, At: at.Add(time.Duration(n) * time.Millisecond).In(zones[n%len(zones)])})
			n++
		}
	}
	w.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSuffix(raw, []byte("\n")), []byte("\n"))[1:] // after the header
	if len(lines) != n {
		t.Fatalf("%d lines, want %d", len(lines), n)
	}
	for _, l := range lines {
		if !checkFrameLine(t, l) {
			t.Errorf("the fast path declined a line the Writer wrote: %s", l)
		}
	}
}

// TestFrameLineDeclines: what the Writer does not write goes to
// encoding/json.
func TestFrameLineDeclines(t *testing.T) {
	for _, l := range []string{
		`{"kind":"frame","stream":1,"at":"2026-01-01T00:00:00Z","data":"x"} `,
		`{"kind":"frame", "stream":1}`,
		`{"kind":"frame","at":"2026-01-01T00:00:00Z","stream":1}`,
		`{"kind":"frame","stream":1,"stream":2}`,
		`{"kind":"frame","stream":01}`,
		`{"kind":"frame","stream":-1}`,
		`{"kind":"frame","stream":1.0}`,
		`{"kind":"frame","stream":1e3}`,
		`{"kind":"frame","stream":12345678901234567890}`,
		`{"kind":"frame","data":null}`,
		`{"kind":"frame","Data":"x"}`,
		`{"kind":"frame","data":"a\qb"}`,
		"{\"kind\":\"frame\",\"data\":\"a\tb\"}",
		`{"kind":"frame","data":"\u12"}`,
		`{"kind":"frame","at":"2026-01-01"}`,
		`{"kind":"frame","at":"2026-01-01T00:00:00\u005a"}`,
		`{"kind":"frame","data":"x"`,
		`{"kind":"frame","data":"x"}}`,
		`{"kind":"framed"}`,
		`{"kind":"request","stream":1}`,
		`{"kind":"frame","method":"GET"}`,
	} {
		if parseFrameLine([]byte(l), new(Record)) {
			t.Errorf("the fast path took %s", l)
		}
	}
	for _, l := range []string{`{"kind":"frame"}`, `{"kind":"frame","stream":0}`, `{"kind":"frame","data":""}`,
		`{"kind":"frame","stream":7,"event":"e","id":"i","data":"d"}`} {
		if !checkFrameLine(t, []byte(l)) {
			t.Errorf("the fast path declined %s", l)
		}
	}
}

// FuzzFrameLineMatchesEncodingJSON: whatever the fast path takes,
// encoding/json takes too and decodes to the same record.
func FuzzFrameLineMatchesEncodingJSON(f *testing.F) {
	for _, s := range frameSamples {
		d, _ := json.Marshal(s)
		f.Add(`{"kind":"frame","stream":1,"at":"2026-11-27T08:27:56.9339729Z","event":"text_delta","id":"7","data":` + string(d) + `}`)
	}
	f.Add(`{"kind":"frame","stream":3,"at":"2026-11-27T08:27:56+02:00","data":"\ud83d\ude00"}`)
	f.Add(`{"kind":"frame","at":"2026-11-27T08:27:56.5-07:30","event":"\u00e9"}`)
	f.Add(`{"kind":"frame","stream":0,"data":"\"\\\/\b\f\n\r\t\u0041"}`)
	f.Fuzz(func(t *testing.T, line string) {
		checkFrameLine(t, []byte(line))
	})
}
