package ui

import (
	"os"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"rtinspect/api"
	"rtinspect/model"
)

func TestWithExecTerm(t *testing.T) {
	cases := []struct {
		filter, id, want, term string
	}{
		{"", "exec_1", "exec:exec_1", "exec_1"},
		{"tool", "exec_1", "tool exec:exec_1", "exec_1"},
		{"exec:old tool", "virtual_2", "tool exec:virtual_2", "virtual_2"},
		{"EXEC:old  type:tool", "", "type:tool", ""},
		{`text:"a exec:b" exec:x`, "y", `text:"a exec:b" exec:y`, "y"},
		{`text:"say \"hi\"" !exec:x`, "y", `text:"say \"hi\"" !exec:x exec:y`, "y"},
		{"exec:only", "", "", ""},
		{"a", "odd id", `a exec:"odd id"`, "odd id"},
	}
	for _, tc := range cases {
		got := withExecTerm(tc.filter, tc.id)
		if got != tc.want {
			t.Errorf("withExecTerm(%q, %q) = %q, want %q", tc.filter, tc.id, got, tc.want)
		}
		if term := execTerm(got); term != tc.term {
			t.Errorf("execTerm(%q) = %q, want %q", got, term, tc.term)
		}
	}
}

func TestLayoutColumns(t *testing.T) {
	cols := []pickCol{{}, {}, {}}
	rows := [][]string{{"aaaa", "bbbbbbbbbb", "note that is long"}}
	cases := []struct {
		w    int
		want []int
	}{
		{60, []int{4, 10, 17}}, // all fits
		{30, []int{4, 10, 12}}, // the note takes the rest
		{22, []int{4, 10, 0}},  // under 8 left: the note goes first
		{14, []int{4, 8, 0}},   // then the flex column shrinks to its minimum
		{10, []int{4, 8, 0}},   // never below it: the caller cuts the line
	}
	for _, tc := range cases {
		got := layoutColumns(cols, rows, tc.w, 1, 8)
		if len(got) != 3 || got[0] != tc.want[0] || got[1] != tc.want[1] || got[2] != tc.want[2] {
			t.Errorf("layoutColumns(w=%d) = %v, want %v", tc.w, got, tc.want)
		}
	}
	if got := fitCell("virtual_1781574599723_gljgv7bqa", 10, pickCol{tail: true}); got != "…gljgv7bqa" {
		t.Errorf("an id cut to 10 cells = %q, want …gljgv7bqa", got)
	}
	if got := fitCell("42", 6, pickCol{right: true}); got != "    42" {
		t.Errorf("a number in 6 cells = %q, want right-aligned", got)
	}
}

// pickerTestModel folds testdata/parallel-pause.sse into a paused session
// and opens the inspector on it at 100x30.
func pickerTestModel(t *testing.T) *Model {
	t.Helper()
	raw, err := os.ReadFile("../testdata/parallel-pause.sse")
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 6, 20, 10, 5, 0, 0, time.UTC)
	s := model.NewSession()
	s.Now = func() time.Time { return base }
	s.SetKind("agent")
	if err := s.Begin(api.Request{Method: "POST", Path: api.PathDispatch, Body: []byte(`{"agent":{}}`)}); err != nil {
		t.Fatal(err)
	}
	s.StreamOpened()
	dec := api.NewDecoder()
	for i, block := range strings.Split(strings.TrimSpace(string(raw)), "\n\n") {
		var f api.Frame
		for _, line := range strings.Split(block, "\n") {
			if v, ok := strings.CutPrefix(line, "event: "); ok {
				f.Event = v
			} else if v, ok := strings.CutPrefix(line, "data: "); ok {
				f.Data = v
			}
		}
		f.At = base.Add(time.Duration(i) * 40 * time.Millisecond)
		s.ApplyBatch(dec.Decode(nil, f))
	}
	s.EndStream(nil)
	keys := KeyMap{
		Up: key.NewBinding(key.WithKeys("k", "up")), Down: key.NewBinding(key.WithKeys("j", "down")),
		Top: key.NewBinding(key.WithKeys("g")), Bottom: key.NewBinding(key.WithKeys("G")),
		Open: key.NewBinding(key.WithKeys("enter")), Cancel: key.NewBinding(key.WithKeys("esc")),
		Filter: key.NewBinding(key.WithKeys("/")), Quit: key.NewBinding(key.WithKeys("q", "ctrl+c")),
		Outline: key.NewBinding(key.WithKeys("o")), Executions: key.NewBinding(key.WithKeys("X")),
	}
	m := New(Options{Session: s, Keys: keys, Now: func() time.Time { return base.Add(time.Hour) }})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	return m
}

func press(m *Model, keys ...string) {
	for _, k := range keys {
		switch k {
		case "enter":
			m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
		case "esc":
			m.Update(tea.KeyPressMsg{Code: tea.KeyEscape})
		case "backspace":
			m.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
		default:
			for _, r := range k {
				m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
			}
		}
	}
}

// TestOutlineJumpFlat checks that in the flat view the outline jumps to
// the first event of the landmark's row, and that a row the filter hides
// gives way to the nearest one shown.
func TestOutlineJumpFlat(t *testing.T) {
	m := pickerTestModel(t)
	turn := -1
	for _, i := range m.s.Landmarks() {
		if m.s.Row(i).Kind == model.RowTurn {
			turn = i
		}
	}
	if turn < 0 {
		t.Fatal("the fixture has no turn")
	}

	m.flat = true
	m.clampEvents()
	press(m, "o")
	if m.overlay != overlayPicker {
		t.Fatalf("o: overlay %d, want the picker", m.overlay)
	}
	press(m, "/", "turn", "enter", "enter")
	if want := m.s.Row(turn).Events[0]; m.evSel != want || m.follow {
		t.Errorf("flat view: selection %d (follow %v), want event %d, follow off", m.evSel, m.follow, want)
	}

	m.flat = false
	m.filtered = []int{0, turn + 2, turn + 3}
	press(m, "o", "/", "turn", "enter", "enter")
	if m.evSel != 1 {
		t.Errorf("filtered: selection at position %d, want 1 (the first row shown after the turn)", m.evSel)
	}
	if !strings.Contains(m.msg, "the filter hides") {
		t.Errorf("message %q does not say the filter hides the turn", m.msg)
	}
}

// TestPickerTyping filters the outline by substring and checks the keys
// of the typing mode.
func TestPickerTyping(t *testing.T) {
	m := pickerTestModel(t)
	press(m, "o", "/", "strxx")
	if len(m.pick.shown) != 0 || !strings.Contains(ansi.Strip(m.render()), `nothing matches "strxx"`) {
		t.Errorf("a query matching nothing shows %d entries", len(m.pick.shown))
	}
	press(m, "backspace", "backspace", "backspace", "backspace")
	if m.pick.query != "s" {
		t.Errorf("after 4 backspaces the query is %q, want s", m.pick.query)
	}
	press(m, "esc")
	if m.pick.typing || m.pick.query != "" || len(m.pick.shown) != len(m.pick.items) {
		t.Errorf("esc while typing: typing %v, query %q, %d of %d shown; want the whole list", m.pick.typing, m.pick.query, len(m.pick.shown), len(m.pick.items))
	}
	press(m, "esc")
	if m.overlay != overlayNone {
		t.Errorf("esc closes the picker: overlay %d", m.overlay)
	}
	press(m, "X", "o")
	if m.overlay != overlayPicker || m.pick.kind != pickOutline {
		t.Errorf("o in the executions list switches to the outline")
	}
	press(m, "o")
	if m.overlay != overlayNone {
		t.Errorf("o in the outline closes it")
	}
}
