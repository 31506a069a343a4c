package main

import (
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"rtinspect/api"
	"rtinspect/api/sim"
	"rtinspect/ui"
)

// requestFile writes a scenario's dispatch body for a test.
func requestFile(t *testing.T, scenario string) string {
	t.Helper()
	body, err := sim.DispatchBody(scenario)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "req.json")
	os.WriteFile(p, body, 0o600)
	return p
}

// TestNetworkFaultsAreSaidInWords runs the headless client against servers
// that fail in every way the network can, and checks the words it prints.
func TestNetworkFaultsAreSaidInWords(t *testing.T) {
	// A port with nothing listening.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	refused := "http://" + ln.Addr().String()
	ln.Close()
	tlsSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is the point
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)
	hang := make(chan struct{})
	silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-hang }))
	t.Cleanup(func() { close(hang); silent.Close() })
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		w.Write([]byte("<html><body><h1>502 Bad Gateway</h1></body></html>"))
	}))
	t.Cleanup(html.Close)
	garbage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Write([]byte("lorem ipsum dolor\nsit amet\n\n\x00\x01\x02 not sse at all\n\n"))
	}))
	t.Cleanup(garbage.Close)
	jsonBody := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"success":true}`))
	}))
	t.Cleanup(jsonBody.Close)
	badUTF8 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Write([]byte("event: text_delta\ndata: {\"type\":\"text_delta\",\"id\":\"t\",\"delta\":\"\xff\xfe bad \xc3\"}\n\n"))
		w.Write([]byte("event: execution_complete\ndata: {\"type\":\"execution_complete\",\"kind\":\"agent\",\"success\":true}\n\n"))
	}))
	t.Cleanup(badUTF8.Close)

	cases := []struct {
		name  string
		url   string
		extra []string
		code  int
		want  string
	}{
		{"connection refused", refused, nil, 1, "nothing is listening"},
		{"DNS failure", "https://no-such-host.invalid", nil, 1, "cannot find the host"},
		{"TLS failure", tlsSrv.URL, nil, 1, "certificate is not trusted"},
		{"accepted, never answered", silent.URL, []string{"--header-timeout", "200ms"}, 1, "did not answer in time"},
		{"5xx with an HTML body", html.URL, nil, 1, "502"},
		{"garbage instead of SSE", garbage.URL, nil, 1, "dropped"},
		{"JSON instead of SSE", jsonBody.URL, nil, 1, "application/json"},
		{"invalid UTF-8 in a frame", badUTF8.URL, nil, 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"dispatch", "--headless", "--no-record", "--base-url", tc.url, "--api-key", testKey}, tc.extra...)
			code, _, stderr := runCLI(t, append(args, requestFile(t, "flow-tool"))...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %s", code, tc.code, stderr)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr = %q, want it to say %q", stderr, tc.want)
			}
			if strings.Contains(stderr, testKey) {
				t.Errorf("stderr holds the key")
			}
		})
	}
}

// TestResumeRefusedKeepsTheAnswers answers in the inspector, then the
// server refuses the resume (404: the execution is no longer paused): the
// user is told, the run stays paused, every answer is kept.
func TestResumeRefusedKeepsTheAnswers(t *testing.T) {
	srv := sim.New(sim.Options{APIKey: "sk-test-secret"})
	refuse := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == api.PathResume {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error":"Execution not found or not paused","code":"not_found"}`))
			return
		}
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(refuse.Close)
	h := newHarness(t, harnessOpts{scenario: "parallel", server: srv, url: refuse.URL})
	h.answerAllAndResume()
	sn := h.waitFor("the refusal", func(s ui.Snapshot) bool { return s.IsError && strings.Contains(s.Message, "404") })
	if sn.State != api.RunPaused || sn.Answered != 2 {
		t.Errorf("after a refused resume: state %s, answered %d; want paused with both answers kept", sn.State, sn.Answered)
	}
	if !strings.Contains(sn.Message, "not paused") {
		t.Errorf("message %q does not carry the server's words", sn.Message)
	}
	h.quit()
}

// TestSilentStreamIsPointedOutAndCanBeCancelled streams one frame, then
// nothing: the inspector says the stream may be stalled, and C cancels it.
func TestSilentStreamIsPointedOutAndCanBeCancelled(t *testing.T) {
	hang := make(chan struct{})
	srv := sim.New(sim.Options{APIKey: "sk-test-secret"})
	quiet := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Write([]byte("event: execution_start\ndata: {\"type\":\"execution_start\",\"executionId\":\"exec_q\",\"kind\":\"agent\"}\n\n"))
		w.(http.Flusher).Flush()
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(hang); quiet.Close() })
	h := newHarness(t, harnessOpts{scenario: "parallel", server: srv, url: quiet.URL, tweak: func(o *ui.Options) { o.IdleWarn = time.Millisecond }})
	h.waitFor("the stall warning", func(s ui.Snapshot) bool { return strings.Contains(s.Message, "may be stalled") })
	h.press(h.keys.CancelStream)
	h.waitFor("the cancelled stream", func(s ui.Snapshot) bool { return s.State == api.RunCancelled })
	h.quit()
}

// TestCtrlCInterruptsTheRequestFirst presses ctrl+c while a stream hangs:
// the first one cancels the request (the server sees its connection go)
// and keeps the program open; the second one quits.
func TestCtrlCInterruptsTheRequestFirst(t *testing.T) {
	gone := make(chan struct{})
	srv := sim.New(sim.Options{APIKey: "sk-test-secret"})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Write([]byte("event: execution_start\ndata: {\"type\":\"execution_start\",\"executionId\":\"exec_c\",\"kind\":\"agent\"}\n\n"))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
		close(gone)
	}))
	t.Cleanup(hang.Close)
	h := newHarness(t, harnessOpts{scenario: "parallel", server: srv, url: hang.URL})
	h.waitFor("the stream", func(s ui.Snapshot) bool { return s.State == api.RunStreaming && s.Rows > 1 })
	h.tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	sn := h.waitFor("the cancelled stream", func(s ui.Snapshot) bool { return s.State == api.RunCancelled })
	if !strings.Contains(sn.Screen, "CANCELLED") {
		t.Errorf("the screen does not say the stream was cancelled:\n%s", sn.Screen)
	}
	<-gone // the server saw the connection close: the request was really cancelled
	h.tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	fm := h.tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*ui.Model)
	if fm.Session().InFlight() {
		t.Errorf("a request is still in flight after the cancel")
	}
}

// TestKilledEditorKeepsTheDraft answers a call, then opens the editor
// again and has it write half a file and die by SIGKILL: the half-written
// edit is discarded, the first answer stays, and the user is told so.
func TestKilledEditorKeepsTheDraft(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "editor.sh")
	text := "#!/bin/sh\nif [ -e '" + dir + "/once' ]; then printf '{\"half' > \"$1\"; kill -9 $$; fi\n" +
		"touch '" + dir + "/once'\nprintf '%s' '{\"status\":\"shipped\"}' > \"$1\"\n"
	if err := os.WriteFile(script, []byte(text), 0o700); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, harnessOpts{scenario: "flow-tool", editor: script})
	h.waitFor("the pause", func(s ui.Snapshot) bool { return paused(s) && s.Pending == 1 && s.Focus == "pending" })
	h.press(h.keys.Edit)
	h.waitFor("the first answer", func(s ui.Snapshot) bool { return s.Answered == 1 })
	h.press(h.keys.Edit)
	sn := h.waitFor("the killed editor", func(s ui.Snapshot) bool { return s.IsError && strings.Contains(s.Message, "killed") })
	if !strings.Contains(sn.Message, "previous draft is kept") || sn.Answered != 1 {
		t.Errorf("message %q, answered %d: want the previous draft kept", sn.Message, sn.Answered)
	}
	fm := h.quit()
	c := fm.Session().Pending()[0]
	if c.Draft.Text != `{"status":"shipped"}` {
		t.Errorf("draft = %q, want the first answer", c.Draft.Text)
	}
}
