package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"rtinspect/ui"
)

// themedScreenModel is screenModel in a theme.
func themedScreenModel(t *testing.T, w, h int, theme string) *ui.Model {
	t.Helper()
	s, client := pausedSession(t)
	m := ui.New(ui.Options{Client: client, Session: s, Keys: defaultKeyMap(), Title: "api.runtype.com", Theme: theme,
		Now: func() time.Time { return base.Add(time.Hour) }})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// TestLookFillsTheTerminalExactly checks the zoomed panes, every theme and
// the mouse-off status bar draw exactly the terminal's size, in both
// layouts and at the sizes around the switch between them.
func TestLookFillsTheTerminalExactly(t *testing.T) {
	keys := defaultKeyMap()
	zoom, tab, mouse := keyPress(keys.Zoom.Keys()[0]), keyPress(keys.NextPane.Keys()[0]), keyPress(keys.Mouse.Keys()[0])
	sizes := [][2]int{{80, 24}, {100, 30}, {119, 30}, {120, 40}, {160, 48}, {220, 60}}
	for _, sz := range sizes {
		w, h := sz[0], sz[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			views := map[string]*ui.Model{}
			for _, th := range []string{"dark", "light", "low", "none"} {
				views["theme "+th] = themedScreenModel(t, w, h, th)
			}
			m := screenModel(t, w, h)
			m.Update(zoom)
			views["zoomed pending"] = m
			m = screenModel(t, w, h)
			m.Update(tab)
			m.Update(zoom)
			views["zoomed events"] = m
			m = themedScreenModel(t, w, h, "none")
			m.Update(zoom)
			views["zoomed pending, none"] = m
			m = screenModel(t, w, h)
			m.Update(mouse)
			views["mouse off"] = m
			for name, m := range views {
				checkFills(t, name, screen(m), w, h)
			}
		})
	}
}

func checkFills(t *testing.T, name, sc string, w, h int) {
	t.Helper()
	lines := strings.Split(sc, "\n")
	if len(lines) != h {
		t.Errorf("%s: %d lines, want %d", name, len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Errorf("%s: line %d is %d cells wide, want %d: %q", name, i, got, w, l)
		}
	}
}

// TestZoomGoldens pins the zoomed events and pending panes at the two
// reference sizes. Refresh with `go test -run TestZoomGoldens -update .`
// and review the diff.
func TestZoomGoldens(t *testing.T) {
	keys := defaultKeyMap()
	zoom, tab := keyPress(keys.Zoom.Keys()[0]), keyPress(keys.NextPane.Keys()[0])
	for _, sz := range [][2]int{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("events_%dx%d", sz[0], sz[1]), func(t *testing.T) {
			m := screenModel(t, sz[0], sz[1])
			m.Update(tab)
			m.Update(zoom)
			golden.RequireEqual(t, []byte(screen(m)))
		})
		t.Run(fmt.Sprintf("pending_%dx%d", sz[0], sz[1]), func(t *testing.T) {
			m := screenModel(t, sz[0], sz[1])
			m.Update(zoom)
			golden.RequireEqual(t, []byte(screen(m)))
		})
	}
}
