package catalog

import (
	"errors"
	"strings"
	"testing"

	"rtinspect/model"
)

func TestParseJSONC(t *testing.T) {
	cases := []struct {
		name string
		text string
		want string // compacted standard JSON; "" for a blank result
	}{
		{"plain JSON", `{"a": 1}`, `{"a":1}`},
		{"line comments", "// Tool: t\n// Call: c1\n{\n  \"a\": 1 // one\n}\n", `{"a":1}`},
		{"block comments", "/* head */ {\"a\": /* in */ [1, 2]}", `{"a":[1,2]}`},
		{"trailing commas", "{\"a\": [1, 2,], \"b\": {\"c\": true,},}", `{"a":[1,2],"b":{"c":true}}`},
		{"comment markers inside strings stay", `{"u": "https://x//y", "c": "/* no */"}`, `{"u":"https://x//y","c":"/* no */"}`},
		{"only a comment header: no value yet", "// Tool: t\n// Arguments: {}\n", ""},
		{"header without final newline", "// Tool: t", ""},
		{"empty", "", ""},
		{"byte order mark", "\xef\xbb\xbf// h\n{\"a\": 1}", `{"a":1}`},
	}
	ck := New().Checker()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			std, err := ck.Parse(tc.text)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			// Offsets kept: same length, newlines where they were.
			if len(std) != len(tc.text) {
				t.Errorf("len(Parse) = %d, want %d", len(std), len(tc.text))
			}
			for i := range min(len(std), len(tc.text)) {
				if (tc.text[i] == '\n') != (std[i] == '\n') {
					t.Errorf("newline moved at byte %d", i)
					break
				}
			}
			got := ""
			if strings.TrimSpace(string(std)) != "" {
				got = compactJSON(t, std)
			}
			if got != tc.want {
				t.Errorf("Parse = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestParseJSONCErrors(t *testing.T) {
	header := "// Tool: add_to_cart\n// Call: call_Q1\n// Arguments: {\"sku\":\"SHOE-001\"}\n"
	cases := []struct {
		name      string
		text      string
		line, col int
		msg       string
	}{
		{"error after the comment header has the editor's line", header + "{\n  \"a\": 1,,\n}", 5, 10, "invalid character ',' at start of value"},
		{"missing value at the end", header + "{\"a\": ", 4, 7, "parsing value: unexpected EOF"},
		{"column counts characters, not bytes", "{\"é\": x}", 1, 7, `invalid literal: x`},
		{"unclosed block comment", "{}\n/* open", 2, 1, "parsing comment: unexpected EOF"},
		{"two values", "{} {}", 1, 4, "invalid character '{' after top-level value"},
	}
	ck := New().Checker()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ck.Parse(tc.text)
			var pe *model.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse error = %v, want a *model.ParseError", err)
			}
			if pe.Line != tc.line || pe.Column != tc.col || pe.Msg != tc.msg {
				t.Errorf("Parse error = %d:%d %q, want %d:%d %q", pe.Line, pe.Column, pe.Msg, tc.line, tc.col, tc.msg)
			}
		})
	}
}
