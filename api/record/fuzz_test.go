package record

import (
	"strings"
	"testing"
)

// FuzzParse reads arbitrary bytes as a recording: never a panic, and every
// problem names the file and a line inside it.
func FuzzParse(f *testing.F) {
	header := `{"kind":"header","format":"rtinspect-session","version":1,"at":"2026-01-01T00:00:00Z"}` + "\n"
	f.Add(header)
	f.Add(header + `{"kind":"request","stream":1,"at":"2026-01-01T00:00:00Z","method":"POST","path":"/v1/dispatch","body":{"agent":{}}}` + "\n")
	f.Add(header + `{"kind":"frame","stream":1,"at":"2026-01-01T00:00:00Z","event":"text_delta","data":"{\"delta\":\"x\"}"}` + "\n" + `{"kind":"fra`)
	f.Add(header + `{"kind":"mystery"}` + "\n" + `not json` + "\n")
	f.Add(`{"kind":"header","format":"rtinspect-session","version":99}` + "\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, data string) {
		rec, err := Parse("f.jsonl", strings.NewReader(data))
		if err != nil {
			return
		}
		lines := strings.Count(data, "\n") + 1
		for _, p := range rec.Problems {
			if p.Path != "f.jsonl" || p.Line < 1 || p.Line > lines {
				t.Fatalf("problem %q points outside the file (%d lines)", p, lines)
			}
		}
	})
}
