package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"rtinspect/api"
	"rtinspect/api/sim"
	"rtinspect/ui"
)

// lockedBuffer is a debug log the test reads while the inspector's
// goroutines may still write to it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestMain keeps a developer's own RTINSPECT_DEBUG_LOG out of the tests:
// every command run here would append to it.
func TestMain(m *testing.M) {
	os.Unsetenv("RTINSPECT_DEBUG_LOG")
	os.Exit(m.Run())
}

// TestDebugLogNeverHoldsTheKey runs the real `rtinspect dispatch
// --headless --debug-log FILE` through a pause and a resume answered from a
// file, then a request refused by a server that echoes the key back (in
// its error body and a header), logging through RTINSPECT_DEBUG_LOG to the
// same file, and reads the file as someone debugging would.
func TestDebugLogNeverHoldsTheKey(t *testing.T) {
	isolateConfig(t)
	dir := t.TempDir()
	logPath := filepath.Join(dir, "logs", "rtinspect-debug.log") // its folder is rtinspect's to make
	_, url := simServer(t, sim.Options{APIKey: testKey})
	body, err := sim.DispatchBody("parallel")
	if err != nil {
		t.Fatal(err)
	}
	// A key pasted into the body, where no header or field name says it
	// is one: only masking the key itself keeps it out.
	pasted := strings.Replace(string(body), `"scenario": "parallel"`, `"scenario": "parallel", "note": "`+testKey+`"`, 1)
	if pasted == string(body) {
		t.Fatalf("the scenario body changed shape: %s", body)
	}
	reqFile := filepath.Join(dir, "request.json")
	os.WriteFile(reqFile, []byte(pasted), 0o600)
	answers := filepath.Join(dir, "answers.json")
	os.WriteFile(answers, []byte(cartAnswers), 0o600)

	code, _, stderr := runCLI(t, "dispatch", "--headless", "--base-url", url, "--api-key", testKey,
		"--answers", answers, "--debug-log", logPath, reqFile)
	if code != 0 {
		t.Fatalf("dispatch: exit %d: %s", code, stderr)
	}

	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Echo-Authorization", auth)
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error":"unauthorized","message":"the key %s is not valid"}`, strings.TrimPrefix(auth, "Bearer "))
	}))
	defer echo.Close()
	t.Setenv("RTINSPECT_DEBUG_LOG", logPath)
	code, _, stderr = runCLI(t, "dispatch", "--headless", "--no-record", "--base-url", echo.URL, "--api-key", testKey, reqFile)
	if code != 1 {
		t.Fatalf("refused dispatch: exit %d, want 1: %s", code, stderr)
	}

	for p, want := range map[string]os.FileMode{logPath: 0o600, filepath.Dir(logPath): 0o700} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != want {
			t.Errorf("%s mode = %o, want %o", p, got, want)
		}
	}
	data, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	log := string(data)
	if strings.Contains(log, testKey) {
		t.Fatalf("the debug log holds the key:\n%s", log)
	}
	for _, want := range []string{
		`kind=start msg="rtinspect dispatch" `,
		`debug_log_from="flag --debug-log"`,
		`debug_log_from="env RTINSPECT_DEBUG_LOG"`,
		`key="set, from flag --api-key"`,
		`kind=request msg="POST ` + url + `/v1/dispatch?events=unified" req=1 header.Accept=text/event-stream header.Authorization="Bearer ********"`,
		`kind=request msg="POST ` + url + `/v1/dispatch/resume?events=unified" req=2 `,
		`kind=response msg="200 OK" req=1 ttfb=`,
		`kind=response msg="200 OK" req=2 ttfb=`,
		`kind=run msg="the run is paused" req=1 state=paused`,
		`kind=run msg="the run is completed" req=2 state=completed`,
		`kind=response msg="401 Unauthorized" req=1 `,
		`header.X-Echo-Authorization="Bearer ********"`,
		`kind=exit msg="exit status 0" code=0`,
		`kind=exit msg="exit status 1" code=1`,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("the debug log lacks %s:\n%s", want, log)
		}
	}
	for _, re := range []string{
		`kind=stream_end msg="the server ended the body" req=1 end=eof frames=\d+ bytes=\d+ duration=`,
		`kind=stream_end msg="the server ended the body" req=2 end=eof frames=\d+ bytes=\d+ duration=`,
		`kind=response msg="401 Unauthorized" .* body=".*the key \*{8} is not valid`,
		`kind=request .* body=".*\\"note\\":\\"\*{8}\\"`,
	} {
		if !regexp.MustCompile(re).MatchString(log) {
			t.Errorf("the debug log has no line matching %s:\n%s", re, log)
		}
	}
	// The error is logged in the words the user was shown.
	said := strings.TrimSpace(strings.TrimPrefix(stderr, "rtinspect: POST /v1/dispatch failed: "))
	if !strings.Contains(log, "kind=error msg="+strconv.Quote(said)+" req=1 chain=") {
		t.Errorf("the debug log does not have the error as shown (%q):\n%s", said, log)
	}
	// One line a request, response, stream end: no frame.
	if strings.Contains(log, "execution_start") || strings.Count(log, "\n") > 20 {
		t.Errorf("the debug log has frames or noise (%d lines):\n%s", strings.Count(log, "\n"), log)
	}
}

// TestDebugLogSetting: flag > RTINSPECT_DEBUG_LOG > the config file's
// debug_log (relative to the file's folder) > off, as `rtinspect config`
// prints it; a config problem that stops a command is logged.
func TestDebugLogSetting(t *testing.T) {
	home := isolateConfig(t)
	p := writeConfig(t, home, "theme = \"dark\"\ndebug_log = \"logs/debug.log\"\n")
	fromFile := filepath.Join(filepath.Dir(p), "logs", "debug.log")
	cases := []struct {
		name       string
		args       []string
		env        string
		value, src string
	}{
		{"the file", nil, "", fromFile, p + ":2"},
		{"env beats the file", nil, "/tmp/env.log", "/tmp/env.log", "env RTINSPECT_DEBUG_LOG"},
		{"flag beats env", []string{"--debug-log", "/tmp/flag.log"}, "/tmp/env.log", "/tmp/flag.log", "flag --debug-log"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("RTINSPECT_DEBUG_LOG", tc.env)
			code, out, errOut := runCLI(t, append([]string{"config"}, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if want := fmt.Sprintf("%-15s %s  (%s)\n", "debug_log:", tc.value, tc.src); !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		})
	}
	t.Run("off by default", func(t *testing.T) {
		os.WriteFile(p, []byte("theme = \"dark\"\n"), 0o600)
		_, out, _ := runCLI(t, "config")
		if want := "debug_log:      off  (default)\n"; !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	})
	t.Run("a config problem that stops the command is logged", func(t *testing.T) {
		logPath := filepath.Join(t.TempDir(), "debug.log")
		code, _, _ := runCLI(t, "dispatch", "--headless", "--debug-log", logPath, "--profile", "nope", "-")
		if code != 2 {
			t.Fatalf("exit %d, want 2", code)
		}
		data, _ := os.ReadFile(logPath)
		for _, want := range []string{`kind=config msg="--profile nope: there is no [profiles.nope]`, `kind=exit msg="exit status 2" code=2`} {
			if !strings.Contains(string(data), want) {
				t.Errorf("the log lacks %s:\n%s", want, data)
			}
		}
	})
}

// TestDebugLogHasTheEditorRunsNotTheAnswers edits a call twice in the
// inspector, once with an editor that fails and once with one that writes
// an answer: the log has each command and its exit status, and the run's
// state, but never the answer outside the resume request's body.
func TestDebugLogHasTheEditorRunsNotTheAnswers(t *testing.T) {
	var buf lockedBuffer
	dbg := api.NewDebugLog(&buf)
	editor := editorScript(t, "", 3)
	h := newHarness(t, harnessOpts{scenario: "flow-tool", editor: editor, tweak: func(o *ui.Options) {
		o.Client.Debug, o.Debug = dbg, dbg.Log
		o.Getenv = func(k string) string {
			if k == "EDITOR" {
				return editor
			}
			return ""
		}
	}})
	h.waitFor("the pause", func(s ui.Snapshot) bool { return paused(s) && s.Pending == 1 })
	h.press(h.keys.Edit)
	h.waitFor("the editor failure", func(s ui.Snapshot) bool { return s.IsError && strings.Contains(s.Message, "status 3") })
	editor = editorScript(t, `{"status":"shipped-ANSWER"}`, 0)
	h.press(h.keys.Edit)
	h.waitFor("the answer", func(s ui.Snapshot) bool { return s.Answered == 1 })
	h.quit()

	log := buf.String()
	for _, re := range []string{
		`kind=run msg="the run is paused" state=paused`,
		`kind=editor msg="exit status 3" target=\S+ cmd="\S+/editor.sh \S+\.jsonc" took=`,
		`kind=editor msg="exit status 0" target=\S+ cmd="\S+/editor.sh \S+\.jsonc" took=`,
	} {
		if !regexp.MustCompile(re).MatchString(log) {
			t.Errorf("the debug log has no line matching %s:\n%s", re, log)
		}
	}
	if strings.Contains(log, "shipped-ANSWER") {
		t.Errorf("the answer is in the debug log:\n%s", log)
	}
}
