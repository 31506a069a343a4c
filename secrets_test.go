package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rtinspect/api"
	"rtinspect/api/record"
	"rtinspect/api/sim"
	"rtinspect/ui"
)

// TestNoWrittenFileHoldsTheKey points every place rtinspect writes to
// (the state folder, the config folder, the temp folder, the working
// folder, the editor's folder, the debug logs) into one tree, runs the
// interactive inspector through editing, exporting and resuming, then a
// headless dispatch, a replay and a diff, and greps every file left behind,
// and every file the editor was given, for the key.
func TestNoWrittenFileHoldsTheKey(t *testing.T) {
	root := t.TempDir()
	sub := func(name string) string {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(p, 0o700); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Setenv("XDG_STATE_HOME", sub("state"))
	t.Setenv("XDG_CONFIG_HOME", sub("config"))
	t.Setenv("TMPDIR", sub("tmp"))
	// The headless commands log through the environment, into a folder
	// rtinspect makes; the inspector's log is opened below.
	t.Setenv("RTINSPECT_DEBUG_LOG", filepath.Join(root, "state", "debug", "headless.log"))
	t.Chdir(sub("cwd"))
	seen, edit := sub("seen"), sub("edit")

	// The editor keeps a copy of every file it is given: they are removed
	// once stored, so this is the only way to check what they held.
	script := filepath.Join(root, "editor.sh")
	text := "#!/bin/sh\ncp \"$1\" '" + seen + "'/\ncase \"$1\" in\n  *resume-messages*) printf '%s' '[]' > \"$1\" ;;\n" +
		"  *) printf '%s' '{\"ok\":true,\"cartTotal\":288}' > \"$1\" ;;\nesac\n"
	if err := os.WriteFile(script, []byte(text), 0o700); err != nil {
		t.Fatal(err)
	}
	const key = "sk-test-secret"
	srv, tuiURL := simServer(t, sim.Options{APIKey: key, Scenario: "parallel"})
	_, url := simServer(t, sim.Options{APIKey: testKey})
	recPath := filepath.Join(root, "state", "rtinspect", "sessions", "tui.jsonl")
	w, err := record.Create(recPath, record.Header{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	tuiLog, err := api.OpenDebugLog(filepath.Join(root, "state", "debug", "tui.log"))
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, harnessOpts{scenario: "parallel", server: srv, url: tuiURL, editor: script, recording: w,
		tweak: func(o *ui.Options) {
			o.TempDir = edit
			o.Client.Debug, o.Debug = tuiLog, tuiLog.Log
		}})
	h.waitFor("the pause", func(s ui.Snapshot) bool { return paused(s) && s.Pending == 2 && s.Focus == "pending" })
	h.press(h.keys.Messages)
	h.waitFor("the messages edited", func(s ui.Snapshot) bool { return strings.Contains(s.Message, "messages") })
	for want := 1; want <= 2; want++ {
		h.press(h.keys.Edit)
		h.waitFor("an answer", func(s ui.Snapshot) bool { return s.Answered >= want })
	}
	h.press(h.keys.Resume)
	h.waitFor("the preview", func(s ui.Snapshot) bool { return s.Overlay == "preview" })
	h.press(h.keys.CopyCurl)
	h.waitFor("the curl export", func(s ui.Snapshot) bool { return strings.Contains(s.Message, "curl") })
	h.press(h.keys.CopyBody)
	h.waitFor("the body export", func(s ui.Snapshot) bool {
		return strings.Contains(s.Message, "JSON") || strings.Contains(s.Message, "body")
	})
	h.press(h.keys.Confirm)
	h.waitFor("the end", func(s ui.Snapshot) bool { return s.State == api.RunCompleted })
	h.quit()
	w.Close()
	tuiLog.Close()

	// Headless: dispatch with the answers, replay it, diff the two.
	orig := filepath.Join(root, "state", "orig.jsonl")
	recordScenario(t, url, "parallel", cartAnswers, orig)
	again := filepath.Join(root, "state", "again.jsonl")
	if code, _, stderr := runCLI(t, "replay", "--headless", "--base-url", url, "--api-key", testKey, "--record", again, orig); code != 0 {
		t.Fatalf("replay: exit %d: %s", code, stderr)
	}
	runCLI(t, "diff", orig, again)

	files := 0
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == script {
			return err
		}
		files++
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			return nil
		}
		for _, k := range []string{key, testKey} {
			if bytes.Contains(raw, []byte(k)) {
				t.Errorf("%s holds the API key", p)
			}
		}
		return nil
	})
	// The debug logs were written: the editor runs (never their answers)
	// and the requests of both the inspector and the headless commands.
	for name, want := range map[string][]string{
		"tui.log":      {"kind=editor msg=\"exit status 0\"", "kind=request", "kind=run msg=\"the run is completed\""},
		"headless.log": {"kind=start msg=\"rtinspect dispatch\"", "kind=start msg=\"rtinspect replay\"", "kind=stream_end"},
	} {
		data, err := os.ReadFile(filepath.Join(root, "state", "debug", name))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if !strings.Contains(string(data), w) {
				t.Errorf("%s lacks %s:\n%s", name, w, data)
			}
		}
		for _, line := range strings.Split(string(data), "\n") {
			if strings.Contains(line, "kind=editor") && strings.Contains(line, "cartTotal") {
				t.Errorf("%s has an answer in an editor line: %s", name, line)
			}
		}
	}
	if files < 6 {
		t.Errorf("only %d files were written: the test no longer exercises the writers", files)
	}
	t.Logf("%d files checked", files)
	for _, d := range []string{"tmp", "edit"} {
		if left, _ := os.ReadDir(filepath.Join(root, d)); len(left) > 0 {
			t.Errorf("%s still holds %d file(s): editor files are removed once stored", d, len(left))
		}
	}
}
