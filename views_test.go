package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"rtinspect/api"
	"rtinspect/model"
	"rtinspect/ui"
)

// capturedFlow is the shared fixture of a real production stream: a
// one-step legacy flow whose step states its duration, tokens and cost in
// its result, and whose flow_complete states the run's duration.
var capturedFlow = filepath.Join("..", "shared", "fixtures", "captured-legacy-flow.sse")

// flowSession folds the captured flow into a session as if it had just
// been streamed, its frames 40 ms apart.
func flowSession(t *testing.T) (*model.Session, *api.Client) {
	t.Helper()
	if _, err := os.Stat(capturedFlow); err != nil {
		t.Fatalf("the shared fixture is expected beside the repository: %v", err)
	}
	return foldFixture(t, openFixture(t, capturedFlow),
		`{"flow":{"flowId":"flow_01k9pfnztzfag9tfz4t65c9c5q"},"messages":[{"role":"user","content":"hi"}]}`, api.RunCompleted)
}

func flowModel(t *testing.T, w, h int) *ui.Model {
	t.Helper()
	s, client := flowSession(t)
	m := ui.New(ui.Options{Client: client, Session: s, Keys: defaultKeyMap(), Title: "api.runtype.com",
		Now: func() time.Time { return base.Add(time.Hour) }})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// TestViewGoldens pins the flat view (the paused parallel run, and the
// captured flow with its duration, tokens and cost columns) and the
// grouped view with timing columns, at the two reference sizes. At 80x24
// the events pane keeps only the duration column; at 160x48 it has all
// three. Refresh with `go test -run TestViewGoldens -update .` and review
// the diff.
func TestViewGoldens(t *testing.T) {
	viewMode := keyPress(defaultKeyMap().ViewMode.Keys()[0])
	for _, sz := range [][2]int{{80, 24}, {160, 48}} {
		w, h := sz[0], sz[1]
		for _, tc := range []struct {
			name  string
			model func(t *testing.T, w, h int) *ui.Model
			flat  bool
		}{
			{"flat_paused", screenModel, true},
			{"grouped_flow", flowModel, false},
			{"flat_flow", flowModel, true},
		} {
			t.Run(fmt.Sprintf("%s_%dx%d", tc.name, w, h), func(t *testing.T) {
				m := tc.model(t, w, h)
				if tc.flat {
					m.Update(viewMode)
				}
				got := screen(m)
				lines := strings.Split(got, "\n")
				if len(lines) != h {
					t.Errorf("%d lines, want %d", len(lines), h)
				}
				for i, l := range lines {
					if cw := ansi.StringWidth(l); cw != w {
						t.Errorf("line %d is %d cells wide, want %d: %q", i, cw, w, l)
					}
				}
				golden.RequireEqual(t, []byte(got))
			})
		}
	}
}
