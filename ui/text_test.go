package ui

import (
	"strings"
	"testing"
)

func TestSplitWords(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []string
		err  bool
	}{
		{"plain", "vim", []string{"vim"}, false},
		{"with arguments", "code --wait -n", []string{"code", "--wait", "-n"}, false},
		{"double quotes", `"/Applications/My Editor/bin/ed" -w`, []string{"/Applications/My Editor/bin/ed", "-w"}, false},
		{"single quotes", `emacsclient -a '' -t`, []string{"emacsclient", "-a", "", "-t"}, false},
		{"backslash", `my\ editor`, []string{"my editor"}, false},
		{"extra blanks", "  nano   -w  ", []string{"nano", "-w"}, false},
		{"unterminated", `"vim`, nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := splitWords(tc.in)
			if (err != nil) != tc.err {
				t.Fatalf("err = %v, want error %v", err, tc.err)
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
				t.Errorf("splitWords(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestEditorCommandPrefersVisual(t *testing.T) {
	env := map[string]string{"VISUAL": "true --flag", "EDITOR": "false"}
	cmd, err := editorCommand(func(k string) string { return env[k] }, "/tmp/x.json", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cmd.Args, " "); !strings.HasSuffix(got, "--flag /tmp/x.json") || !strings.Contains(cmd.Path, "true") {
		t.Errorf("command = %s %q, want $VISUAL with the file last", cmd.Path, cmd.Args)
	}
	env = map[string]string{"EDITOR": "no-such-editor-here"}
	if _, err := editorCommand(func(k string) string { return env[k] }, "/tmp/x.json", 0); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("missing editor: err = %v, want a 'not found' error", err)
	}
}

func TestClean(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"plain ASCII is untouched", "hello", "hello"},
		{"non-ASCII is kept", "ß✓日本語", "ß✓日本語"},
		{"OSC title is shown, not run", "\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},
		{"clipboard write is shown", "\x1b]52;c;Zm9v\x07", `\x1b]52;c;Zm9v\x07`},
		{"clear screen is shown", "a\x1b[2Jb", `a\x1b[2Jb`},
		{"newlines are escaped on one line", "a\nb", `a\nb`},
		{"C1 control", "a\u009bb", `a\x9bb`},
		{"invalid UTF-8", "a\xffb", `a\xffb`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := clean(tc.in); got != tc.want {
				t.Errorf("clean(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestBlankComments(t *testing.T) {
	in := "// tool x\n  // args\n{\n  \"a\": \"// not a comment\"\n}\n"
	want := "\n\n{\n  \"a\": \"// not a comment\"\n}\n"
	if got := blankComments(in); got != want {
		t.Errorf("blankComments = %q, want %q", got, want)
	}
}

func TestSafeFileName(t *testing.T) {
	cases := []struct{ in, want string }{
		{"add_to_cart.call_Q1", "add_to_cart.call_Q1"},
		{"../../etc/passwd", "_.._etc_passwd"},
		{"webmcp:search/x", "webmcp_search_x"},
		{"", "call"},
	}
	for _, tc := range cases {
		if got := safeFileName(tc.in); got != tc.want {
			t.Errorf("safeFileName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFit(t *testing.T) {
	cases := []struct {
		in   string
		w    int
		want string
	}{
		{"abc", 5, "abc  "},
		{"abcdef", 4, "abc…"},
		{"日本語", 4, "日…"},
		{"x", 0, ""},
	}
	for _, tc := range cases {
		if got := fit(tc.in, tc.w); got != tc.want {
			t.Errorf("fit(%q, %d) = %q, want %q", tc.in, tc.w, got, tc.want)
		}
	}
}

func TestEditorOpensAtTheFailingLine(t *testing.T) {
	cases := []struct {
		editor string
		want   string
	}{
		{"vim", "+7 /tmp/x.jsonc"},
		{"nano", "+7 /tmp/x.jsonc"},
		{"hx", "/tmp/x.jsonc:7"},
		{"code --wait", "--wait --goto /tmp/x.jsonc:7"},
		{"ed", "/tmp/x.jsonc"},
	}
	for _, tc := range cases {
		args := atLine(strings.Fields(tc.editor)[0], "/tmp/x.jsonc", 7)
		got := strings.Join(append(strings.Fields(tc.editor)[1:], args...), " ")
		if got != tc.want {
			t.Errorf("%s: args = %q, want %q", tc.editor, got, tc.want)
		}
	}
}
