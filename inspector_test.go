package main

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"rtinspect/api"
	"rtinspect/api/record"
	"rtinspect/api/sim"
	"rtinspect/model"
	"rtinspect/ui"
)

// harness runs the real inspector (teatest v2) against the simulated server
// over loopback, with a script as $EDITOR.
type harness struct {
	t      *testing.T
	srv    *sim.Server
	tm     *teatest.TestModel
	keys   ui.KeyMap
	notify chan struct{}

	mu   sync.Mutex
	snap ui.Snapshot
}

// editorScript writes a fake editor: a shell script that replaces the file
// it is given with body (or exits with status code when code != 0).
func editorScript(t *testing.T, body string, code int) string {
	t.Helper()
	dir := t.TempDir()
	answer := filepath.Join(dir, "answer.json")
	if err := os.WriteFile(answer, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "editor.sh")
	text := "#!/bin/sh\n"
	if code != 0 {
		text += "exit " + string(rune('0'+code)) + "\n"
	} else {
		text += "case \"$1\" in\n  *resume-messages*) printf '%s' '[{\"role\":\"user\",\"content\":\"go on\"}]' > \"$1\" ;;\n  *) cat '" + answer + "' > \"$1\" ;;\nesac\n"
	}
	if err := os.WriteFile(script, []byte(text), 0o700); err != nil {
		t.Fatal(err)
	}
	return script
}

type harnessOpts struct {
	scenario string
	legacy   bool
	editor   string
	size     [2]int
	// clock, when set, is added to the real time as the inspector's clock;
	// otherwise the clock runs an hour ahead so that every pending item
	// counts as seen long ago and the half-second guard never makes a test
	// wait (TestGraceGuard covers the guard).
	clock *atomic.Int64
	// simOpts replaces the simulated server's options (the key is
	// sk-test-secret unless they say otherwise); key is the key the client
	// sends.
	simOpts  *sim.Options
	key      string
	simDelay time.Duration
	// recording, when set, records the session (and keeps its drafts).
	recording *record.Writer
	// server and url, when set, are a simulated server the test started
	// itself (to share it with a headless run).
	server *sim.Server
	url    string
	// tweak, when set, changes the inspector's options last (to open a
	// recording instead of dispatching, say).
	tweak func(o *ui.Options)
}

func newHarness(t *testing.T, o harnessOpts) *harness {
	t.Helper()
	so := sim.Options{APIKey: "sk-test-secret", Legacy: o.legacy, Scenario: o.scenario, Delay: o.simDelay}
	if o.simOpts != nil {
		so = *o.simOpts
	}
	if o.key == "" {
		o.key = "sk-test-secret"
	}
	srv, url := o.server, o.url
	if srv == nil {
		srv = sim.New(so)
		hs := httptest.NewServer(srv)
		t.Cleanup(hs.Close)
		url = hs.URL
	}
	body, err := sim.DispatchBody(o.scenario)
	if err != nil {
		t.Fatal(err)
	}
	client := api.NewClient(url, o.key)
	if o.recording != nil {
		client.Recorder = o.recording
	}
	req, err := client.DispatchRequest(body)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, srv: srv, keys: defaultKeyMap(), notify: make(chan struct{}, 1)}
	editor := o.editor
	if editor == "" {
		editor = editorScript(t, `{"ok":true,"cartTotal":288}`, 0)
	}
	now := func() time.Time { return time.Now().Add(time.Hour) }
	if o.clock != nil {
		now = func() time.Time { return time.Now().Add(time.Duration(o.clock.Load())) }
	}
	s := model.NewSession()
	s.SetKind(model.KindOfDispatch(body))
	uo := ui.Options{
		Client: client, Session: s, Keys: h.keys, Dispatch: &req, Title: "test", Recording: o.recording,
		TempDir: t.TempDir(),
		Getenv: func(k string) string {
			if k == "EDITOR" {
				return editor
			}
			return ""
		},
		Now: now,
		Observe: func(sn ui.Snapshot) {
			h.mu.Lock()
			h.snap = sn
			h.mu.Unlock()
			select {
			case h.notify <- struct{}{}:
			default:
			}
		},
	}
	if o.tweak != nil {
		o.tweak(&uo)
	}
	m := ui.New(uo)
	w, hgt := 80, 24
	if o.size[0] > 0 {
		w, hgt = o.size[0], o.size[1]
	}
	h.tm = teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, hgt))
	return h
}

// waitFor blocks until cond holds for the latest snapshot. It wakes on
// every update rather than sleeping; the deadline only turns a hang into a
// readable failure.
func (h *harness) waitFor(what string, cond func(ui.Snapshot) bool) ui.Snapshot {
	h.t.Helper()
	deadline := time.NewTimer(20 * time.Second)
	defer deadline.Stop()
	for {
		h.mu.Lock()
		sn := h.snap
		h.mu.Unlock()
		if cond(sn) {
			return sn
		}
		select {
		case <-h.notify:
		case <-deadline.C:
			h.t.Fatalf("timed out waiting for %s; last state %s, pending %d, answered %d, overlay %q, message %q\n%s",
				what, sn.State, sn.Pending, sn.Answered, sn.Overlay, sn.Message, sn.Screen)
		}
	}
}

// press sends the first key of a binding, as the terminal would.
func (h *harness) press(b key.Binding) {
	h.tm.Send(keyPress(b.Keys()[0]))
}

func keyPress(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

func (h *harness) typeText(s string) {
	for _, r := range s {
		h.tm.Send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func (h *harness) quit() *ui.Model {
	h.t.Helper()
	h.press(h.keys.Cancel) // close any overlay: q there only closes it
	h.press(h.keys.Quit)
	fm := h.tm.FinalModel(h.t, teatest.WithFinalTimeout(10*time.Second))
	return fm.(*ui.Model)
}

func paused(sn ui.Snapshot) bool { return sn.State == api.RunPaused }

// lastBody returns the body of the last request to path that reached the
// server.
func (h *harness) lastBody(path string) map[string]any {
	h.t.Helper()
	reqs := h.srv.Requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		if reqs[i].Path == path {
			var v map[string]any
			if err := json.Unmarshal(reqs[i].Body, &v); err != nil {
				h.t.Fatalf("body of %s is not JSON: %v", path, err)
			}
			return v
		}
	}
	h.t.Fatalf("no request to %s reached the server", path)
	return nil
}

// answerAllAndResume edits every pending call with the fake editor, opens
// the resume preview, checks it and sends it.
func (h *harness) answerAllAndResume() ui.Snapshot {
	h.t.Helper()
	sn := h.waitFor("a pause with pending calls", func(s ui.Snapshot) bool { return paused(s) && s.Pending > 0 && s.Focus == "pending" })
	for i := 0; i < sn.Pending; i++ {
		want := i + 1
		h.press(h.keys.Edit)
		h.waitFor("an answer drafted", func(s ui.Snapshot) bool { return s.Answered >= want })
	}
	h.press(h.keys.Resume)
	pv := h.waitFor("the resume preview", func(s ui.Snapshot) bool { return s.Overlay == "preview" })
	if !strings.Contains(pv.Screen, api.PathResume) {
		h.t.Errorf("preview does not show %s:\n%s", api.PathResume, pv.Screen)
	}
	if strings.Contains(pv.Screen, "sk-test-secret") {
		h.t.Errorf("preview shows the API key:\n%s", pv.Screen)
	}
	h.press(h.keys.Confirm)
	return pv
}

func TestInspectorParallelCallsAnsweredInEditor(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		name := "unified"
		if legacy {
			name = "legacy"
		}
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, harnessOpts{scenario: "parallel", legacy: legacy})
			sn := h.waitFor("two parallel calls", func(s ui.Snapshot) bool { return paused(s) && s.Pending == 2 })
			if sn.Focus != "pending" {
				t.Errorf("focus after the pause = %q, want pending", sn.Focus)
			}
			h.press(h.keys.Messages)
			h.waitFor("the messages draft", func(s ui.Snapshot) bool { return strings.Contains(s.Message, "messages drafted") })
			h.answerAllAndResume()
			h.waitFor("completion", func(s ui.Snapshot) bool { return s.State == api.RunCompleted })

			body := h.lastBody(api.PathResume)
			outs, _ := body["toolOutputs"].(map[string]any)
			if len(outs) != 2 {
				t.Fatalf("resume toolOutputs = %v, want two outputs keyed by toolCallId", body["toolOutputs"])
			}
			if id, _ := body["executionId"].(string); !strings.HasPrefix(id, "virtual_") {
				t.Errorf("resume executionId = %q, want the await frame's virtual_ id", id)
			}
			if msgs, _ := body["messages"].([]any); len(msgs) != 1 {
				t.Errorf("resume messages = %v, want the one edited message", body["messages"])
			}
			if body["streamResponse"] != true {
				t.Errorf("streamResponse = %v, want true", body["streamResponse"])
			}
			fm := h.quit()
			if got := fm.Session().State(); got != api.RunCompleted {
				t.Errorf("final state = %s, want completed", got)
			}
		})
	}
}

func TestInspectorScenarios(t *testing.T) {
	cases := []struct {
		name     string
		scenario string
		legacy   bool
		pauses   int
		want     api.RunState
	}{
		{"flow pauses on one local tool", "flow-tool", false, 1, api.RunCompleted},
		{"flow pauses on one local tool, legacy", "flow-tool", true, 1, api.RunCompleted},
		{"agent pauses twice", "two-pauses", false, 2, api.RunCompleted},
		{"agent pauses twice, legacy", "two-pauses", true, 2, api.RunCompleted},
		{"failing execution", "fail", false, 0, api.RunFailed},
		{"failing execution, legacy", "fail", true, 0, api.RunFailed},
		{"long streaming answer", "long", false, 0, api.RunCompleted},
		{"nested flow inside an agent", "nested", false, 0, api.RunCompleted},
		{"400 KB frame of non-ASCII text", "big", false, 1, api.RunCompleted},
		{"connection dropped mid-stream", "drop", false, 0, api.RunDropped},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, harnessOpts{scenario: tc.scenario, legacy: tc.legacy})
			for i := 0; i < tc.pauses; i++ {
				h.answerAllAndResume()
				h.waitFor("the continuation to end", func(s ui.Snapshot) bool {
					return s.State != api.RunSending && s.State != api.RunStreaming && s.Overlay == ""
				})
			}
			// The state turns on the terminal event, the message when the
			// stream ends: a failure must end up said as an error.
			sn := h.waitFor("the end of the run, said", func(s ui.Snapshot) bool {
				return s.State == tc.want && (tc.want == api.RunCompleted || s.IsError)
			})
			if strings.Contains(sn.Screen, "sk-test-secret") {
				t.Errorf("the screen shows the API key")
			}
			h.quit()
		})
	}
}

func TestInspectorApproval(t *testing.T) {
	cases := []struct {
		name     string
		legacy   bool
		decision key.Binding
		want     string
	}{
		{"approve", false, defaultKeyMap().Approve, api.DecisionApproved},
		{"deny with a reason", false, defaultKeyMap().Deny, api.DecisionDenied},
		{"approve, legacy", true, defaultKeyMap().Approve, api.DecisionApproved},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, harnessOpts{scenario: "approval", legacy: tc.legacy})
			h.waitFor("the approval", func(s ui.Snapshot) bool { return paused(s) && s.Approvals == 1 && s.Focus == "pending" })
			h.press(tc.decision)
			if tc.want == api.DecisionDenied {
				h.waitFor("the reason prompt", func(s ui.Snapshot) bool { return s.Overlay == "input" })
				h.typeText("not today")
				h.press(h.keys.Open) // enter
			}
			pv := h.waitFor("the confirmation", func(s ui.Snapshot) bool { return s.Overlay == "preview" })
			if !strings.Contains(pv.Screen, api.PathApprove) {
				t.Errorf("confirmation does not show %s:\n%s", api.PathApprove, pv.Screen)
			}
			h.press(h.keys.Confirm)
			h.waitFor("completion", func(s ui.Snapshot) bool { return s.State == api.RunCompleted })
			body := h.lastBody(api.PathApprove)
			if body["decision"] != tc.want {
				t.Errorf("decision sent = %v, want %s", body["decision"], tc.want)
			}
			if tc.want == api.DecisionDenied && body["reason"] != "not today" {
				t.Errorf("reason sent = %v, want %q", body["reason"], "not today")
			}
			h.quit()
		})
	}
}

func TestInspectorInvalidAnswerIsKeptAndBlocksResume(t *testing.T) {
	h := newHarness(t, harnessOpts{scenario: "flow-tool", editor: editorScript(t, "{\n  \"status\": \n}\n", 0)})
	h.waitFor("the pause", func(s ui.Snapshot) bool { return paused(s) && s.Pending == 1 })
	h.press(h.keys.Edit)
	sn := h.waitFor("the invalid draft", func(s ui.Snapshot) bool { return s.IsError && strings.Contains(s.Message, "invalid answer") })
	if sn.Answered != 0 {
		t.Errorf("answered = %d, want 0 for an invalid draft", sn.Answered)
	}
	if !strings.Contains(sn.Screen, "invalid") {
		t.Errorf("the pending pane does not mark the draft invalid:\n%s", sn.Screen)
	}
	h.press(h.keys.Resume)
	sn = h.waitFor("the refusal", func(s ui.Snapshot) bool { return s.IsError && strings.Contains(s.Message, "not ready") })
	if !strings.Contains(sn.Message, "line 3") {
		t.Errorf("refusal %q does not say where the JSON is wrong", sn.Message)
	}
	if sn.State != api.RunPaused {
		t.Errorf("state after a refused resume = %s, want paused", sn.State)
	}
	for _, r := range h.srv.Requests() {
		if r.Path == api.PathResume {
			t.Fatalf("a resume was sent with an invalid answer")
		}
	}
	h.quit()
}

func TestInspectorEditorFailureKeepsDraft(t *testing.T) {
	h := newHarness(t, harnessOpts{scenario: "flow-tool", editor: editorScript(t, "", 3)})
	h.waitFor("the pause", func(s ui.Snapshot) bool { return paused(s) && s.Pending == 1 })
	h.press(h.keys.Edit)
	sn := h.waitFor("the editor failure", func(s ui.Snapshot) bool { return s.IsError && strings.Contains(s.Message, "status 3") })
	if sn.Answered != 0 {
		t.Errorf("answered = %d after a failed edit, want 0", sn.Answered)
	}
	h.quit()
}

func TestGraceGuard(t *testing.T) {
	// The clock stands an hour behind: every pending item looks brand new,
	// so keys that send must refuse. Then it moves on and they act.
	var clock atomic.Int64
	clock.Store(int64(-time.Hour))
	h := newHarness(t, harnessOpts{scenario: "flow-tool", clock: &clock})
	h.waitFor("the pause", func(s ui.Snapshot) bool { return paused(s) && s.Pending == 1 })
	h.press(h.keys.ErrorAnswer)
	h.waitFor("the reason prompt", func(s ui.Snapshot) bool { return s.Overlay == "input" })
	h.typeText("boom")
	h.press(h.keys.Open)
	h.waitFor("the error answer", func(s ui.Snapshot) bool { return s.Answered == 1 })
	h.press(h.keys.Resume)
	sn := h.waitFor("the refusal", func(s ui.Snapshot) bool { return strings.Contains(s.Message, "just arrived") })
	if sn.Overlay != "" {
		t.Errorf("overlay = %q after a refused resume, want none", sn.Overlay)
	}
	clock.Store(int64(time.Hour))
	h.press(h.keys.Resume)
	h.waitFor("the preview", func(s ui.Snapshot) bool { return s.Overlay == "preview" })
	h.press(h.keys.Confirm)
	h.waitFor("completion", func(s ui.Snapshot) bool { return s.State == api.RunCompleted })
	body := h.lastBody(api.PathResume)
	outs, _ := body["toolOutputs"].(map[string]any)
	for _, v := range outs {
		if m, _ := v.(map[string]any); m["isError"] != true {
			t.Errorf("error answer sent as %v, want an isError result", v)
		}
	}
	h.quit()
}

func TestInspectorWireQuirksAndErrors(t *testing.T) {
	cases := []struct {
		name     string
		opts     sim.Options
		scenario string
		key      string
		pauses   int
		want     api.RunState
		msg      string
	}{
		{"CRLF, comments, id lines, split frames", sim.Options{CRLF: true, Comments: true, Split: true}, "parallel", "sk-test-secret", 1, api.RunCompleted, "completed"},
		{"legacy data-only frames with CRLF", sim.Options{Legacy: true, CRLF: true, Split: true}, "flow-tool", "sk-test-secret", 1, api.RunCompleted, "completed"},
		{"401 with a JSON error body", sim.Options{}, "parallel", "wrong-key", 0, api.RunFailed, "401"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.APIKey = "sk-test-secret"
			h := newHarness(t, harnessOpts{scenario: tc.scenario, simOpts: &tc.opts, key: tc.key})
			for i := 0; i < tc.pauses; i++ {
				h.answerAllAndResume()
			}
			// The state turns on the terminal event; the message once the
			// stream has ended: wait for both.
			sn := h.waitFor("the end of the run, said in words", func(s ui.Snapshot) bool {
				return s.State == tc.want && strings.Contains(s.Message, tc.msg)
			})
			if strings.Contains(sn.Screen, tc.key) {
				t.Errorf("the screen shows the API key")
			}
			h.quit()
		})
	}
}

// TestOneContinuationAtATime presses resume and send as fast as keys can
// come: exactly one resume may reach the server.
func TestOneContinuationAtATime(t *testing.T) {
	h := newHarness(t, harnessOpts{scenario: "flow-tool", simDelay: 20 * time.Millisecond})
	h.waitFor("the pause", func(s ui.Snapshot) bool { return paused(s) && s.Pending == 1 })
	h.press(h.keys.Edit)
	h.waitFor("the answer", func(s ui.Snapshot) bool { return s.Answered == 1 })
	for i := 0; i < 5; i++ {
		h.press(h.keys.Resume)
		h.press(h.keys.Confirm)
		h.press(h.keys.Partial)
	}
	h.waitFor("completion", func(s ui.Snapshot) bool { return s.State == api.RunCompleted })
	n := 0
	for _, r := range h.srv.Requests() {
		if r.Path == api.PathResume {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d resume requests reached the server, want exactly 1", n)
	}
	h.quit()
}
