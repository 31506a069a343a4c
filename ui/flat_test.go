package ui

import (
	"os"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	sse "github.com/tmaxmax/go-sse"

	"rtinspect/api"
	"rtinspect/model"
)

// flatKeys is the benchmarks' key map with the view switch bound.
func flatKeys() KeyMap {
	k := benchKeys()
	k.ViewMode = key.NewBinding(key.WithKeys("V"), key.WithHelp("V", "grouped / flat view"))
	return k
}

// flatPress is a key press of binding b's first key.
func flatPress(b key.Binding) tea.KeyPressMsg {
	k := b.Keys()[0]
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// flatSession folds an SSE file through a dispatch, frames 40 ms apart.
func flatSession(t *testing.T, path string) *model.Session {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	base := time.Date(2026, 6, 20, 10, 5, 0, 0, time.UTC)
	clock := base
	s := model.NewSession()
	s.Now = func() time.Time { return clock }
	if err := s.Begin(api.Request{Method: "POST", Path: api.PathDispatch, Body: []byte(`{"agent":{}}`)}); err != nil {
		t.Fatal(err)
	}
	s.StreamOpened()
	dec := api.NewDecoder()
	i := 0
	for ev, err := range sse.Read(f, nil) {
		if err != nil {
			t.Fatal(err)
		}
		i++
		clock = base.Add(time.Duration(i) * 40 * time.Millisecond)
		s.ApplyBatch(dec.Decode(nil, api.Frame{Event: ev.Type, Data: ev.Data, At: clock}))
	}
	clock = clock.Add(40 * time.Millisecond)
	s.EndStream(nil)
	return s
}

func flatModel(t *testing.T, path string, w, h int) *Model {
	t.Helper()
	m := New(Options{Session: flatSession(t, path), Keys: flatKeys(), TempDir: t.TempDir(),
		Now: func() time.Time { return time.Date(2026, 6, 20, 11, 0, 0, 0, time.UTC) }})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	m.focus = paneEvents
	return m
}

// selectRow puts the grouped view's selection on row i.
func selectRow(m *Model, i int) {
	m.follow = false
	m.evSel = i
	m.clampEvents()
}

// TestViewModeKeepsSelection switches views with the ViewMode key and
// checks the selection stays on the same thing: a row becomes its first
// event, an event its row, and back.
func TestViewModeKeepsSelection(t *testing.T) {
	m := flatModel(t, "../testdata/parallel-pause.sse", 100, 30)
	s := m.s
	last := s.RowCount() - 1
	for ri := 0; ri <= last; ri++ {
		r := s.Row(ri)
		selectRow(m, ri)
		m.Update(flatPress(m.keys.ViewMode))
		if !m.flat {
			t.Fatalf("after %s the view is grouped, want flat", m.keys.ViewMode.Help().Key)
		}
		ei := m.rowAt(m.evSel)
		var want int
		switch {
		case len(r.Events) > 0:
			want = r.Events[0]
		case r.Kind == model.RowRequest:
			want = 0
		default: // the stream end: the last event
			want = s.EventCount() - 1
		}
		if ei != want {
			t.Errorf("row %d (%s): flat selection is event %d, want %d", ri, r.Kind, ei, want)
		}
		m.Update(flatPress(m.keys.ViewMode))
		if m.flat {
			t.Fatal("after a second switch the view is flat, want grouped")
		}
		wantRow := ri
		if len(r.Events) == 0 {
			wantRow = s.EventRow(want)
		}
		if got := m.selectedRow(); got != wantRow {
			t.Errorf("row %d (%s): back in the grouped view the selection is row %d, want %d", ri, r.Kind, got, wantRow)
		}
	}

	// An event inside a row (the text block's delta) selects its row.
	text := -1
	for ri := range s.RowCount() {
		if s.Row(ri).Kind == model.RowText {
			text = ri
		}
	}
	selectRow(m, text)
	m.Update(flatPress(m.keys.ViewMode))
	m.Update(flatPress(m.keys.Down))
	if e := s.Event(m.rowAt(m.evSel)); e.Type != api.TypeTextDelta {
		t.Fatalf("one line down from text_start is %s, want text_delta", e.Type)
	}
	m.Update(flatPress(m.keys.ViewMode))
	if got := m.selectedRow(); got != text {
		t.Errorf("a text_delta's row is %d, want the text row %d", got, text)
	}
}

// TestViewModeFollowsTail checks a pane following the tail goes on
// following it in the other view, and the title says which view is shown.
func TestViewModeFollowsTail(t *testing.T) {
	m := flatModel(t, "../testdata/parallel-pause.sse", 100, 30)
	if !m.follow {
		t.Fatal("a fresh inspector does not follow the tail")
	}
	m.Update(flatPress(m.keys.ViewMode))
	if !m.follow || m.evSel != m.s.EventCount()-1 {
		t.Errorf("flat: follow %v, selection %d, want following at event %d", m.follow, m.evSel, m.s.EventCount()-1)
	}
	if got, want := m.eventsTitle(), "Events 11 · flat · following"; got != want {
		t.Errorf("eventsTitle() = %q, want %q", got, want)
	}
	m.Update(flatPress(m.keys.ViewMode))
	if !m.follow || m.evSel != m.s.RowCount()-1 {
		t.Errorf("grouped: follow %v, selection %d, want following at row %d", m.follow, m.evSel, m.s.RowCount()-1)
	}
	if got, want := m.eventsTitle(), "Events 9 · following"; got != want {
		t.Errorf("eventsTitle() = %q, want %q", got, want)
	}
}

// TestFlatOpenEvent presses enter and v on a flat line: each opens that
// event (decoded, then its raw frame), not the row it folded into.
func TestFlatOpenEvent(t *testing.T) {
	for _, b := range []string{"open", "raw"} {
		t.Run(b, func(t *testing.T) {
			m := flatModel(t, "../testdata/parallel-pause.sse", 100, 30)
			m.Update(flatPress(m.keys.ViewMode))
			// The second tool_start: call_Q2's.
			target := -1
			for i := range m.s.EventCount() {
				if e := m.s.Event(i); e.Type == api.TypeToolStart && e.ToolCallID == "call_Q2" {
					target = i
				}
			}
			m.follow = false
			m.evSel = target
			m.clampEvents()
			press := m.keys.Open
			if b == "raw" {
				press = m.keys.Raw
			}
			m.Update(flatPress(press))
			if m.overlay != overlayDetail {
				t.Fatalf("after %s the overlay is %d, want the detail view", press.Help().Key, m.overlay)
			}
			got := ansi.Strip(m.render())
			if !strings.Contains(got, "SHOE-007") || strings.Contains(got, "SHOE-001") || strings.Contains(got, "tool_input_complete") {
				t.Errorf("the detail view does not show the one event (tool_start of call_Q2):\n%s", got)
			}
		})
	}
}

// TestFlatLinesFit draws the flat and grouped views at several sizes:
// every line exactly as wide as the screen, one line per event.
func TestFlatLinesFit(t *testing.T) {
	for _, path := range []string{"../testdata/parallel-pause.sse", "../../shared/fixtures/captured-legacy-flow.sse"} {
		for _, sz := range [][2]int{{80, 24}, {100, 30}, {120, 40}, {160, 48}, {60, 16}, {40, 10}} {
			m := flatModel(t, path, sz[0], sz[1])
			for _, view := range []string{"grouped", "flat"} {
				if view == "flat" {
					m.Update(flatPress(m.keys.ViewMode))
				}
				lines := strings.Split(ansi.Strip(m.render()), "\n")
				if len(lines) != sz[1] {
					t.Errorf("%s %s %dx%d: %d lines, want %d", path, view, sz[0], sz[1], len(lines), sz[1])
				}
				for i, l := range lines {
					if got := ansi.StringWidth(l); got != sz[0] {
						t.Errorf("%s %s %dx%d: line %d is %d cells, want %d: %q", path, view, sz[0], sz[1], i, got, sz[0], l)
					}
				}
			}
		}
	}
}

// TestEventItem checks what the filter sees of flat events.
func TestEventItem(t *testing.T) {
	m := flatModel(t, "../testdata/parallel-pause.sse", 100, 30)
	find := func(typ, callID string) int {
		for i := range m.s.EventCount() {
			if e := m.s.Event(i); e.Type == typ && e.ToolCallID == callID {
				return i
			}
		}
		t.Fatalf("no %s %s in the fixture", typ, callID)
		return -1
	}
	cases := []struct {
		name                     string
		i                        int
		kind, typ, tool, text    string
		status                   string
		id                       string
		pending, failed, hasExec bool
	}{
		{"delta", find(api.TypeTextDelta, ""), "text", api.TypeTextDelta, "", "Adding both now.", "done", "text_1", false, false, true},
		{"tool input", find(api.TypeToolInputComplete, "call_Q1"), "tool", api.TypeToolInputComplete, "add_to_cart", `add_to_cart {"sku":"SHOE-001","qty":1}`, "waiting", "call_Q1", true, false, true},
		{"await", find(api.TypeAwait, "call_Q2"), "await", api.TypeAwait, "add_to_cart", `add_to_cart {"sku":"SHOE-007","qty":1}`, "waiting", "runtime_add_to_cart_1781574600391", true, false, true},
		{"execution start", find(api.TypeExecutionStart, ""), "execution", api.TypeExecutionStart, "", "agent Switchback Assistant", "paused", "exec_dfa82c9d", false, false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			it := m.eventItem(tc.i)
			if it.Kind != tc.kind || it.Type != tc.typ || it.Tool != tc.tool || it.Text != tc.text || it.Status != tc.status ||
				it.Pending != tc.pending || it.Error != tc.failed || (it.ExecutionID != "") != tc.hasExec {
				t.Errorf("eventItem(%d) = %+v, want kind %q type %q tool %q text %q status %q pending %v error %v",
					tc.i, it, tc.kind, tc.typ, tc.tool, tc.text, tc.status, tc.pending, tc.failed)
			}
			found := false
			for _, id := range it.IDs {
				found = found || id == tc.id
			}
			if !found {
				t.Errorf("eventItem(%d).IDs = %q, want %q among them", tc.i, it.IDs, tc.id)
			}
		})
	}
}

// TestUsageColumns checks the timing columns on wide panes, their absence
// on narrow ones, and the status bar's totals at 80 columns.
func TestUsageColumns(t *testing.T) {
	m := flatModel(t, "../../shared/fixtures/captured-legacy-flow.sse", 160, 30)
	step := -1
	for i := range m.s.RowCount() {
		if m.s.Row(i).Kind == model.RowStep {
			step = i
		}
	}
	k := newInks(&m.th)
	start := m.s.Row(0).At
	for _, tc := range []struct {
		w    int
		want string // the end of the step row
	}{
		{120, "  2.2s  1.9k tok  $0.0007"},
		{85, "  2.2s  $0.0007"},
		{75, "  2.2s"},
		{70, ""}, // no columns: the row keeps its room
	} {
		_, plain := m.rowLineCols(k, m.s.Row(step), start, tc.w, m.usageLayout(tc.w))
		if tc.want == "" {
			if _, want := m.rowLine(k, m.s.Row(step), start, tc.w); plain != want {
				t.Errorf("step row at %d cells = %q, want no columns: %q", tc.w, plain, want)
			}
			continue
		}
		if !strings.HasSuffix(plain, tc.want) || ansi.StringWidth(plain) != tc.w {
			t.Errorf("step row at %d cells = %q, want %d cells ending %q", tc.w, plain, tc.w, tc.want)
		}
	}
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.setMsg("execution completed")
	status := strings.Split(ansi.Strip(m.renderStatus()), "\n")[0]
	for _, want := range []string{"1.8k in/34 out tok", "$0.0007", "3.0s elapsed"} {
		if !strings.Contains(status, want) {
			t.Errorf("status at 80 columns %q lacks %q", status, want)
		}
	}
	if ansi.StringWidth(status) != 80 || strings.Contains(status, "…") {
		t.Errorf("status at 80 columns %q: want 80 cells, parts dropped whole rather than cut", status)
	}
}

func TestUsageFormats(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{fmtDuration(0), ""},
		{fmtDuration(400 * time.Microsecond), "<1ms"},
		{fmtDuration(182 * time.Millisecond), "182ms"},
		{fmtDuration(1234 * time.Millisecond), "1.2s"},
		{fmtDuration(59960 * time.Millisecond), "1m00s"},
		{fmtDuration(125 * time.Second), "2m05s"},
		{fmtDuration(42 * time.Minute), "42m"},
		{fmtDuration(65 * time.Minute), "1h05m"},
		{fmtDuration(30 * time.Hour), "30h"},
		{fmtDuration(300 * time.Hour), "12d"},
		{fmtCount(311), "311"},
		{fmtCount(1867), "1.9k"},
		{fmtCount(9960), "10k"},
		{fmtCount(999_600), "1.0M"},
		{fmtCount(12_345_678), "12M"},
		{fmtCost(0), ""},
		{fmtCost(0.00001), "<$.0001"},
		{fmtCost(0.000700125), "$0.0007"},
		{fmtCost(0.0421), "$0.042"},
		{fmtCost(1.234), "$1.23"},
		{fmtCost(1234.4), "$1234"},
		{thousands(0), "0"},
		{thousands(999), "999"},
		{thousands(1234), "1,234"},
		{thousands(1234567), "1,234,567"},
		{jsonHead([]byte("{\n  \"a\": \"x y\",\n  \"b\": [1, 2]\n}"), 100), `{"a":"x y","b":[1,2]}`},
		{jsonHead([]byte(`{"a": "q\" ", "b": 1}`), 100), `{"a":"q\" ","b":1}`},
		{jsonHead([]byte(`{"a": 1, "b": 2}`), 6), `{"a":1…`},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	for _, d := range []time.Duration{1, time.Millisecond, 999 * time.Millisecond, 9950 * time.Millisecond, 59949 * time.Millisecond, 10*time.Minute - 1, time.Hour - 1, 10*time.Hour - 1, 100*time.Hour - 1} {
		if s := fmtDuration(d); len(s) > durWidth {
			t.Errorf("fmtDuration(%v) = %q, wider than %d", d, s, durWidth)
		}
	}
	for _, n := range []int64{999, 9949, 9950, 999_499, 999_500, 9_949_999, 9_950_000, 999_499_999} {
		if s := fmtCount(n) + " tok"; len(s) > tokWidth {
			t.Errorf("fmtCount(%d) = %q, wider than %d", n, s, tokWidth)
		}
	}
	for _, c := range []float64{0.00004, 0.00994, 0.00996, 0.9994, 0.9996, 99.994, 99.996, 999_999} {
		if s := fmtCost(c); len(s) > costWidth {
			t.Errorf("fmtCost(%v) = %q, wider than %d", c, s, costWidth)
		}
	}
}
