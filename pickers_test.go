package main

import (
	"fmt"
	"os"
	"regexp"
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

// The outline (o) and the executions list (X): Update-level tests, golden
// screens, and a run against the simulated server's nested scenario.

// nestedSession folds testdata/nested.sse: the sim's nested scenario (an
// agent that calls a flow as a tool, the flow's execution_start ..
// execution_complete inside the agent's stream under the same id),
// recorded once with its random ids and times replaced by fixed ones.
func nestedSession(t *testing.T) (*model.Session, *api.Client) {
	t.Helper()
	return foldFixture(t, openFixture(t, "testdata/nested.sse"),
		`{"agent":{"name":"Research Assistant"},"messages":[{"role":"user","content":"Summarise https://example.com/changelog"}]}`, api.RunCompleted)
}

// pausedSessionWith is pausedSession with some strings of the fixture
// replaced (longer ids).
func pausedSessionWith(t *testing.T, repl map[string]string) (*model.Session, *api.Client) {
	t.Helper()
	raw, err := os.ReadFile("testdata/parallel-pause.sse")
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	for from, to := range repl {
		text = strings.ReplaceAll(text, from, to)
	}
	return foldFixture(t, strings.NewReader(text), `{"agent":{}}`, api.RunPaused)
}

func nestedModel(t *testing.T, w, h int) *ui.Model {
	t.Helper()
	s, client := nestedSession(t)
	m := ui.New(ui.Options{Client: client, Session: s, Keys: defaultKeyMap(), Title: "api.runtype.com",
		Now: func() time.Time { return base.Add(time.Hour) }})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// pressKeys sends keys as the terminal would: named keys, else each rune.
func pressKeys(m *ui.Model, keys ...string) {
	for _, k := range keys {
		switch k {
		case "enter", "esc", "tab", "down":
			m.Update(keyPress(k))
		default:
			for _, r := range k {
				m.Update(keyPress(string(r)))
			}
		}
	}
}

// eventsTitle is the events pane's title line as drawn.
func eventsTitle(t *testing.T, m *ui.Model) string {
	t.Helper()
	first, _, _ := strings.Cut(screen(m), "\n")
	return first
}

func TestOutlineOpensAndJumps(t *testing.T) {
	m := nestedModel(t, 80, 24)
	k := defaultKeyMap()
	pressKeys(m, k.Outline.Keys()[0])
	got := screen(m)
	for _, want := range []string{"Outline · 7", "→ POST /v1/dispatch", "agent Research Assistant", "    Summarize", "ended"} {
		if !strings.Contains(got, want) {
			t.Errorf("the outline does not show %q:\n%s", want, got)
		}
	}
	// It opens on the landmark holding the selection: following the
	// tail, that is the stream's end.
	if !regexp.MustCompile(`(?m)^│ +[0-9.]+s +stream +ended +completed`).MatchString(got) {
		t.Errorf("the outline does not list the stream end:\n%s", got)
	}

	// j / k move, enter jumps and closes.
	pressKeys(m, "g", "j", "j", "j", "j", "enter")
	got = screen(m)
	if strings.Contains(got, "Outline") {
		t.Fatalf("enter did not close the outline:\n%s", got)
	}
	if !strings.Contains(got, "at step Summarize") {
		t.Errorf("the status does not say where it jumped:\n%s", got)
	}
	if strings.Contains(eventsTitle(t, m), "following") {
		t.Errorf("after a jump the events pane still follows the tail: %s", eventsTitle(t, m))
	}
	// The selection is the step: enter opens its details.
	pressKeys(m, "enter")
	if got := screen(m); !strings.Contains(got, "Summarize") || !strings.Contains(got, "prompt") {
		t.Errorf("enter after the jump does not show the step:\n%s", got)
	}
	pressKeys(m, "esc")

	// Typing filters the list; enter ends the typing, enter again jumps.
	pressKeys(m, "o", "/", "turn 2")
	got = screen(m)
	if !strings.Contains(got, "/turn 2 · 1 of 7") {
		t.Errorf("the outline's title does not show the query:\n%s", got)
	}
	pressKeys(m, "enter", "enter")
	if got := screen(m); !strings.Contains(got, "at turn 2 assistant") {
		t.Errorf("the filtered outline did not jump to turn 2:\n%s", got)
	}

	// Opened again, it selects the entry holding the selection: the turn.
	pressKeys(m, "o", "enter")
	if got := screen(m); !strings.Contains(got, "at turn 2 assistant") {
		t.Errorf("the outline did not open on the selection's landmark:\n%s", got)
	}
	pressKeys(m, "o", "esc")
	if got := screen(m); strings.Contains(got, "Outline") {
		t.Errorf("esc did not close the outline:\n%s", got)
	}
}

func TestExecutionsListScopesTheFilter(t *testing.T) {
	m := screenModel(t, 80, 24)
	k := defaultKeyMap()
	const exec, virtual = "exec_dfa82c9d", "virtual_1781574599723_gljgv7bqa"
	pressKeys(m, k.Executions.Keys()[0])
	got := screen(m)
	for _, want := range []string{"Executions · 3", "all executions", exec, virtual, "agent", "paused"} {
		if !strings.Contains(got, want) {
			t.Errorf("the executions list does not show %q:\n%s", want, got)
		}
	}

	// Pick the virtual_ id: the filter gets the exec: term.
	pressKeys(m, "j", "j", "enter")
	if title := eventsTitle(t, m); !strings.Contains(title, `exec:`+virtual[:20]) {
		t.Errorf("after picking %s the events title is %q, want the exec: filter", virtual, title)
	}

	// With other terms, the exec: term is replaced and they stay.
	pressKeys(m, "/")
	for range len("exec:" + virtual) {
		m.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	}
	pressKeys(m, "tool exec:old", "enter")
	pressKeys(m, "X", "j", "enter")
	if title := eventsTitle(t, m); !strings.Contains(title, `tool exec:`+exec) {
		t.Errorf("the exec: term was not replaced: %q", title)
	}
	// Opened again, the list marks and selects the execution shown.
	pressKeys(m, "X")
	if got := screen(m); !strings.Contains(got, "• "+exec) {
		t.Errorf("the list does not mark the execution shown:\n%s", got)
	}
	// "all executions" removes the term and keeps the rest.
	pressKeys(m, "g", "enter")
	if title := eventsTitle(t, m); !regexp.MustCompile(`filter "?tool"? `).MatchString(title) || strings.Contains(title, "exec:") {
		t.Errorf(`"all executions" left the title %q, want the filter tool alone`, title)
	}
}

// TestPendingExecutionColumn checks the pending pane names each call's
// execution when the session has two ids, keeps call ids whole, and drops
// the arguments at 80 columns when the ids are long.
func TestPendingExecutionColumn(t *testing.T) {
	// Every pending call of the fixture belongs to one (virtual_)
	// execution: the title names it once, and there is no column of
	// identical cells.
	m := screenModel(t, 80, 24)
	got := screen(m)
	if !strings.Contains(got, "exec …gljgv7bqa") || strings.Contains(got, " exec ") && regexp.MustCompile(`call_Q1 +…gljgv7bqa`).MatchString(got) {
		t.Errorf("the pending title should name the one execution, with no column:\n%s", got)
	}
	// Calls of two executions, with Anthropic-length ids: a column says
	// which is which, and the ids stay whole.
	s, client := pausedSessionWith(t, map[string]string{
		`"virtual_1781574599723_gljgv7bqa","seq":10`: `"virtual_1781574599723_x2nested9","seq":10`,
		"call_Q1": "toolu_01A09q90qw90lq917835lq9z", "call_Q2": "toolu_01B19q90qw90lq917835lq9y"})
	m = ui.New(ui.Options{Client: client, Session: s, Keys: defaultKeyMap(), Now: func() time.Time { return base.Add(time.Hour) }})
	for _, w := range []int{80, 160} {
		m.Update(tea.WindowSizeMsg{Width: w, Height: 24})
		got = screen(m)
		for _, id := range []string{"toolu_01A09q90qw90lq917835lq9z", "toolu_01B19q90qw90lq917835lq9y", "…gljgv7bqa", "…x2nested9"} {
			if !strings.Contains(got, id) {
				t.Errorf("at %d columns the pending pane cuts %s:\n%s", w, id, got)
			}
		}
		if w == 80 && strings.Contains(got, "arguments") {
			t.Errorf("at 80 columns with long ids the arguments should go first:\n%s", got)
		}
	}
}

// TestPickersFillTheTerminal checks the outline and the executions list
// draw exactly the terminal's size, however narrow.
func TestPickersFillTheTerminal(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {160, 48}, {100, 30}, {60, 16}, {40, 10}} {
		w, h := sz[0], sz[1]
		for _, tc := range []struct {
			name string
			m    func(t *testing.T, w, h int) *ui.Model
			key  string
		}{{"outline nested", nestedModel, "o"}, {"executions nested", nestedModel, "X"}, {"outline parallel", screenModel, "o"}, {"executions parallel", screenModel, "X"}} {
			t.Run(fmt.Sprintf("%s %dx%d", tc.name, w, h), func(t *testing.T) {
				m := tc.m(t, w, h)
				pressKeys(m, tc.key)
				lines := strings.Split(screen(m), "\n")
				if len(lines) != h {
					t.Errorf("%d lines, want %d", len(lines), h)
				}
				for i, l := range lines {
					if got := ansi.StringWidth(l); got != w {
						t.Errorf("line %d is %d cells wide, want %d: %q", i, got, w, l)
					}
				}
			})
		}
	}
}

// TestPickerGoldens pins the outline (of the nested fixture: a flow inside
// an agent) and the executions list (of the parallel fixture: the exec_ id
// and the virtual_ id of its awaits, and of the nested one) at the two
// reference sizes. Refresh with `go test -run TestPickerGoldens -update .`
// and review the diff.
func TestPickerGoldens(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {160, 48}} {
		w, h := sz[0], sz[1]
		t.Run(fmt.Sprintf("outline_nested_%dx%d", w, h), func(t *testing.T) {
			m := nestedModel(t, w, h)
			pressKeys(m, "o", "g", "j", "j")
			golden.RequireEqual(t, []byte(screen(m)))
		})
		t.Run(fmt.Sprintf("executions_parallel_%dx%d", w, h), func(t *testing.T) {
			m := screenModel(t, w, h)
			pressKeys(m, "X", "j", "j")
			golden.RequireEqual(t, []byte(screen(m)))
		})
		t.Run(fmt.Sprintf("executions_nested_%dx%d", w, h), func(t *testing.T) {
			m := nestedModel(t, w, h)
			pressKeys(m, "X", "j")
			golden.RequireEqual(t, []byte(screen(m)))
		})
	}
}

// TestPickersAgainstTheSim runs the nested scenario on the simulated
// server, opens the outline and the executions list, and scopes the events
// pane to the nested flow.
func TestPickersAgainstTheSim(t *testing.T) {
	h := newHarness(t, harnessOpts{scenario: "nested", size: [2]int{100, 30}})
	h.waitFor("the run to complete", func(s ui.Snapshot) bool { return s.State == api.RunCompleted })
	h.press(h.keys.Outline)
	sn := h.waitFor("the outline", func(s ui.Snapshot) bool { return s.Overlay == "picker" && strings.Contains(s.Screen, "Outline") })
	for _, want := range []string{"agent Research Assistant", "flow Summarize Page", "Summarize"} {
		if !strings.Contains(sn.Screen, want) {
			t.Errorf("the outline does not show %q:\n%s", want, sn.Screen)
		}
	}
	h.press(h.keys.Executions)
	sn = h.waitFor("the executions list", func(s ui.Snapshot) bool { return strings.Contains(s.Screen, "Executions · 3") })
	if !regexp.MustCompile(`exec_\w+ +flow +1 +completed`).MatchString(sn.Screen) {
		t.Errorf("the executions list does not show the nested flow at depth 1:\n%s", sn.Screen)
	}
	h.press(h.keys.Down)
	h.press(h.keys.Down)
	h.press(h.keys.Open)
	sn = h.waitFor("the events pane scoped", func(s ui.Snapshot) bool { return s.Overlay == "" && strings.Contains(s.Screen, "exec:exec_") })
	if !strings.Contains(sn.Message, "2 executions share this id") {
		t.Errorf("the message %q does not say the agent and its nested flow share the id", sn.Message)
	}
	h.quit()
}
