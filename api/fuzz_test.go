package api

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzDecode feeds arbitrary frames to one decoder: it must never panic,
// and every event it makes keeps the frame it came from.
func FuzzDecode(f *testing.F) {
	seeds := []struct{ event, data string }{
		{"text_delta", `{"type":"text_delta","executionId":"e","seq":3,"id":"text_1","delta":"Hel"}`},
		{"", `{"type":"step_chunk","id":"s","text":"{\n"}`},
		{"agent_turn_delta", `{"type":"agent_turn_delta","turnId":"t","contentType":"thinking","delta":"x"}`},
		{"await", `{"type":"await","executionId":"v","toolCallId":"c","toolName":"t","parameters":{"a":[1,2,{"b":null}]}}`},
		{"", `{"type":"agent_media","media":[{"type":"media","data":"AA==","mediaType":"image/png"},{"type":"image-url","url":"u"}]}`},
		{"", `[DONE]`},
		{"", `{"type":`},
		{"execution_error", `{"type":"execution_error","error":{"code":"x","message":"m"}}`},
		{"", "{\"type\":\"text_delta\",\"delta\":\"\\ud83d\\ude00 \\u001b]0;x\\u0007\"}"},
	}
	if raw, err := os.ReadFile(filepath.Join("..", "..", "shared", "fixtures", "captured-legacy-flow.sse")); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if d, ok := strings.CutPrefix(line, "data: "); ok {
				seeds = append(seeds, struct{ event, data string }{"", d})
			}
		}
	}
	for _, s := range seeds {
		f.Add(s.event, s.data)
	}
	dec := NewDecoder()
	f.Fuzz(func(t *testing.T, event, data string) {
		fr := Frame{Event: event, Data: data}
		for _, ev := range dec.Decode(nil, fr) {
			if ev.Frame.Data != data || ev.Frame.Event != event {
				t.Fatalf("event %q lost its frame", ev.Type)
			}
			if ev.Type == "" {
				t.Fatalf("an event with no type from %q %q", event, data)
			}
		}
	})
}

// FuzzScannerMatchesEncodingJSON checks the hand-written scanner against
// encoding/json on arbitrary frames: two frames in a row, so the template
// fast path (which reuses the previous frame's layout) is exercised too.
func FuzzScannerMatchesEncodingJSON(f *testing.F) {
	f.Add("text_delta", `{"type":"text_delta","executionId":"e","seq":3,"id":"text_1","delta":"Hel"}`, `{"type":"text_delta","executionId":"e","seq":4,"id":"text_1","delta":"lo\u00e9\ud83d\ude00"}`)
	f.Add("", `{"type":"step_chunk","id":"s","name":"P","executionType":"prompt","index":2,"text":"{\n"}`, `{"type":"step_chunk","id":"s","name":"P","executionType":"prompt","index":2,"text":" \""}`)
	f.Add("await", `{"type":"await","executionId":"v","toolCallId":"c","toolName":"t","parameters":{"a":[1,2.5e3,{"b":null}]}}`, `{"type":"await","TYPE":"x","type":"await","seq":-1}`)
	f.Add("", `{"type":"agent_turn_delta","turnId":"t","contentType":"text","delta":"a\\u0000b","seq":1}`, `{"type":"agent_turn_delta","turnId":"t","contentType":"text","delta":"\xff","seq":2}`)
	f.Fuzz(func(t *testing.T, event, a, b string) {
		p := newDecoderPair()
		p.check(t, Frame{Event: event, Data: a})
		p.check(t, Frame{Event: event, Data: b})
		p.final(t)
	})
}
