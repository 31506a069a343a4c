package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	sse "github.com/tmaxmax/go-sse"

	"rtinspect/api"
	"rtinspect/model"
	"rtinspect/ui"
)

// base is the fixed clock of the screen tests, so goldens never change
// with the time of day.
var base = time.Date(2026, 6, 20, 10, 5, 0, 0, time.UTC)

// foldFixture folds an SSE fixture into a session, as if it had just been
// streamed in answer to a dispatch of body: frames 40 ms apart from base,
// the session's clock following them. The stream must end in want.
func foldFixture(t *testing.T, r io.Reader, body string, want api.RunState) (*model.Session, *api.Client) {
	t.Helper()
	client := api.NewClient("https://api.runtype.com", "sk-screen-secret")
	s := model.NewSession()
	clock := base
	s.Now = func() time.Time { return clock }
	s.SetKind(model.KindOfDispatch([]byte(body)))
	req, err := client.DispatchRequest([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Begin(req); err != nil {
		t.Fatal(err)
	}
	s.StreamOpened()
	dec := api.NewDecoder()
	i := 0
	for ev, err := range sse.Read(r, nil) {
		if err != nil {
			t.Fatal(err)
		}
		i++
		at := base.Add(time.Duration(i) * 40 * time.Millisecond)
		s.ApplyBatch(dec.Decode(nil, api.Frame{Event: ev.Type, ID: ev.LastEventID, Data: ev.Data, At: at}))
	}
	clock = base.Add(time.Duration(i+1) * 40 * time.Millisecond)
	if st := s.EndStream(nil); st != want {
		t.Fatalf("fixture ends %s, want %s", st, want)
	}
	return s, client
}

// openFixture opens a fixture file for foldFixture.
func openFixture(t *testing.T, path string) io.Reader {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return bytes.NewReader(raw)
}

// pausedSession folds testdata/parallel-pause.sse (protocol notes §9b: two
// parallel add_to_cart awaits on a virtual execution id) into a session,
// as if it had just been streamed.
func pausedSession(t *testing.T) (*model.Session, *api.Client) {
	t.Helper()
	return foldFixture(t, openFixture(t, "testdata/parallel-pause.sse"),
		`{"agent":{"agentId":"agent_01shop"},"messages":[{"role":"user","content":"Add SHOE-001 and SHOE-007 to my cart"}]}`, api.RunPaused)
}

func screenModel(t *testing.T, w, h int) *ui.Model {
	t.Helper()
	s, client := pausedSession(t)
	m := ui.New(ui.Options{Client: client, Session: s, Keys: defaultKeyMap(), Title: "api.runtype.com",
		Now: func() time.Time { return base.Add(time.Hour) }})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

func screen(m *ui.Model) string { return ansi.Strip(m.View().Content) }

func TestScreenFillsTheTerminalExactly(t *testing.T) {
	sizes := [][2]int{{80, 24}, {160, 48}, {120, 40}, {119, 30}, {100, 30}, {60, 16}, {40, 10}}
	for _, sz := range sizes {
		w, h := sz[0], sz[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			m := screenModel(t, w, h)
			for _, view := range []struct {
				name string
				key  string
			}{{"panes", ""}, {"help", "?"}} {
				if view.key != "" {
					m.Update(keyPress(view.key))
				}
				lines := strings.Split(screen(m), "\n")
				if len(lines) != h {
					t.Errorf("%s: %d lines, want %d", view.name, len(lines), h)
				}
				for i, l := range lines {
					if got := ansi.StringWidth(l); got != w {
						t.Errorf("%s: line %d is %d cells wide, want %d: %q", view.name, i, got, w, l)
					}
				}
			}
		})
	}
}

func TestTinyTerminalSaysSo(t *testing.T) {
	m := screenModel(t, 20, 5)
	got := screen(m)
	if !strings.Contains(got, "PAUSED") {
		t.Errorf("tiny screen %q does not show the run state", got)
	}
	for _, l := range strings.Split(got, "\n") {
		if ansi.StringWidth(l) > 20 {
			t.Errorf("line %q is wider than the terminal", l)
		}
	}
	// Back to a normal size, the panes come back.
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	if !strings.Contains(screen(m), "Pending 2") {
		t.Errorf("after resizing back the pending pane is missing:\n%s", screen(m))
	}
}

// TestGoldenScreens pins the paused screen at the two reference sizes.
// Refresh with `go test -run TestGoldenScreens -update` and review the diff.
func TestGoldenScreens(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("paused_%dx%d", sz[0], sz[1]), func(t *testing.T) {
			m := screenModel(t, sz[0], sz[1])
			golden.RequireEqual(t, []byte(screen(m)))
		})
		t.Run(fmt.Sprintf("help_%dx%d", sz[0], sz[1]), func(t *testing.T) {
			m := screenModel(t, sz[0], sz[1])
			m.Update(keyPress("?"))
			golden.RequireEqual(t, []byte(screen(m)))
		})
		t.Run(fmt.Sprintf("preview_%dx%d", sz[0], sz[1]), func(t *testing.T) {
			m := screenModel(t, sz[0], sz[1])
			s := m.Session()
			for _, c := range s.Pending() {
				if err := s.SetDraft(c.ToolCallID, `{"ok": true}`); err != nil {
					t.Fatal(err)
				}
			}
			m.Update(keyPress("R"))
			got := screen(m)
			if strings.Contains(got, "sk-screen-secret") {
				t.Fatalf("the preview shows the API key")
			}
			golden.RequireEqual(t, []byte(got))
		})
	}
}

// TestStreamTextCannotDriveTheTerminal streams escape sequences in text
// deltas, a tool result, an error and an id, and checks every screen draws
// them escaped, never as sequences the terminal would act on.
func TestStreamTextCannotDriveTheTerminal(t *testing.T) {
	const title, clip, clear = "\x1b]0;pwned\x07", "\x1b]52;c;cHduZWQ=\x07", "\x1b[2J"
	s, client := pausedSession(t)
	evil := title + clip + clear
	dec := api.NewDecoder()
	for _, data := range []string{
		`{"type":"text_delta","executionId":"e","id":"text_9","delta":"` + jsonEsc(evil) + `"}`,
		`{"type":"tool_complete","executionId":"e","toolCallId":"call_Q9` + jsonEsc(clear) + `","toolName":"t` + jsonEsc(title) + `","success":false,"error":"` + jsonEsc(clip) + `"}`,
		`{"type":"error","executionId":"e","error":"` + jsonEsc(evil) + `"}`,
	} {
		s.ApplyBatch(dec.Decode(nil, api.Frame{Data: data, At: base}))
	}
	m := ui.New(ui.Options{Client: client, Session: s, Keys: defaultKeyMap(), Now: func() time.Time { return base.Add(time.Hour) }})
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	screens := []string{m.View().Content}
	m.Update(keyPress("tab")) // events pane: the side preview shows the last rows
	for i := 0; i < 4; i++ {
		m.Update(keyPress("k"))
		screens = append(screens, m.View().Content)
		m.Update(keyPress("enter"))
		screens = append(screens, m.View().Content)
		m.Update(keyPress("v"))
		screens = append(screens, m.View().Content)
		m.Update(keyPress("esc"))
	}
	for i, sc := range screens {
		for _, seq := range []string{title, clip, clear, "\x1b]"} {
			if strings.Contains(sc, seq) {
				t.Fatalf("screen %d draws %q raw", i, seq)
			}
		}
	}
}

func jsonEsc(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}
