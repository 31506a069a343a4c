package ui

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
)

// editorFinishedMsg comes back when the editor process exits. target is the
// toolCallId it edited, or messagesTarget for the resume messages.
type editorFinishedMsg struct {
	target string
	path   string
	err    error
}

// messagesTarget names the resume messages as an editor target; it cannot
// clash with a toolCallId because it has a space in it.
const messagesTarget = "resume messages"

// editorCommand resolves the user's editor the way terminal tools do:
// $VISUAL, then $EDITOR, then vi. The value is split like a shell word list
// (so "code --wait" and quoted paths work) and the file is appended.
func editorCommand(getenv func(string) string, path string, line int) (*exec.Cmd, error) {
	spec := strings.TrimSpace(getenv("VISUAL"))
	if spec == "" {
		spec = strings.TrimSpace(getenv("EDITOR"))
	}
	if spec == "" {
		spec = "vi"
	}
	args, err := splitWords(spec)
	if err != nil {
		return nil, fmt.Errorf("editor %q: %w", spec, err)
	}
	if len(args) == 0 {
		return nil, errors.New("no editor: set $VISUAL or $EDITOR")
	}
	bin, err := exec.LookPath(args[0])
	if err != nil {
		return nil, fmt.Errorf("editor %q not found: set $VISUAL or $EDITOR to an editor on your PATH", args[0])
	}
	return exec.Command(bin, append(args[1:], atLine(filepath.Base(args[0]), path, line)...)...), nil
}

// atLine returns the file arguments that open path at line in the editor
// named name, for the editors that take a line; other editors get the path
// alone.
func atLine(name, path string, line int) []string {
	if line <= 0 {
		return []string{path}
	}
	n := fmt.Sprint(line)
	switch name {
	case "vi", "vim", "nvim", "gvim", "nano", "emacs", "emacsclient", "kak", "micro", "gedit", "joe", "mg":
		return []string{"+" + n, path}
	case "hx", "helix":
		return []string{path + ":" + n}
	case "code", "codium", "code-insiders", "cursor", "subl", "zed":
		return []string{"--goto", path + ":" + n}
	}
	return []string{path}
}

// splitWords splits s into words on blanks, honouring single and double
// quotes and backslash escapes, as a POSIX shell would for a plain word list.
func splitWords(s string) ([]string, error) {
	var (
		words []string
		cur   strings.Builder
		in    bool // inside a word
		quote rune
	)
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else if r == '\\' && quote == '"' && i+1 < len(rs) {
				i++
				cur.WriteRune(rs[i])
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == '\\' && i+1 < len(rs):
			i++
			cur.WriteRune(rs[i])
			in = true
		case r == ' ' || r == '\t' || r == '\n':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if quote != 0 {
		return nil, errors.New("unterminated quote")
	}
	if in {
		words = append(words, cur.String())
	}
	return words, nil
}

// safeFileName turns a toolCallId into something safe to use as a file name.
func safeFileName(id string) string {
	var b strings.Builder
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "call"
	}
	return strings.TrimLeft(b.String(), ".")
}

// openEditorCmd writes content to a private file named after the target and
// runs the editor on it through tea.ExecProcess. Every failure, including
// one before the editor starts, comes back as an editorFinishedMsg so it is
// shown, never lost. debug, when set, is told the command run and how it
// exited (never what was written: that is an answer).
func openEditorCmd(dir, target, name, content string, line int, getenv func(string) string, debug func(kind, msg string, args ...any)) tea.Cmd {
	if debug == nil {
		debug = func(string, string, ...any) {}
	}
	path := filepath.Join(dir, name)
	failed := func(path string, err error) tea.Cmd {
		debug("editor", "not started: "+err.Error(), "target", target)
		return func() tea.Msg { return editorFinishedMsg{target: target, path: path, err: err} }
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return failed("", err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		return failed("", err)
	}
	cmd, err := editorCommand(getenv, path, line)
	if err != nil {
		return failed(path, err)
	}
	start := time.Now()
	return tea.ExecProcess(cmd, func(err error) tea.Msg {
		status := "exit status 0"
		if err != nil {
			status = err.Error()
		}
		debug("editor", status, "target", target, "cmd", cmd.String(), "took", time.Since(start).Round(time.Millisecond))
		return editorFinishedMsg{target: target, path: path, err: err}
	})
}

// blankComments replaces every line whose first non-blank characters are
// "//" with an empty line. The stub's reference header is written as such
// comment lines; blanking (rather than deleting) them keeps the line numbers
// of a JSON syntax error equal to the line numbers the user sees in the
// editor. A JSON string cannot span lines, so a line starting with "//" is
// never part of a value.
func blankComments(s string) string {
	if !strings.Contains(s, "//") {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "//") {
			lines[i] = ""
		}
	}
	return strings.Join(lines, "\n")
}
