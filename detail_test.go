package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"rtinspect/api"
	"rtinspect/ui"
)

// detailScreen opens the detail of row n (-1: the last one), after extra
// frames (data lines) were folded into the paused session.
func detailScreen(t *testing.T, w, h, n int, extra ...string) *ui.Model {
	t.Helper()
	m := screenModel(t, w, h)
	s := m.Session()
	dec := api.NewDecoder()
	for _, data := range extra {
		s.ApplyBatch(dec.Decode(nil, api.Frame{Data: data, At: base}))
	}
	keys := defaultKeyMap()
	m.Update(keyPress(keys.NextPane.Keys()[0])) // the events pane, on the first row
	if n < 0 {
		m.Update(keyPress(keys.Bottom.Keys()[0]))
	}
	for range n {
		m.Update(keyPress(keys.Down.Keys()[0]))
	}
	m.Update(keyPress(keys.Open.Keys()[0]))
	return m
}

// catalogResult is a built-in tool whose result has a multi-line note
// (wrapped under its key, a line per \n) and a 6 KB text (folded).
var catalogResult = []string{
	`{"type":"tool_start","executionId":"exec_dfa82c9d","toolCallId":"call_C1","toolName":"search_catalog","toolType":"builtin","parameters":{"query":"trail shoes","limit":3}}`,
	`{"type":"tool_complete","executionId":"exec_dfa82c9d","toolCallId":"call_C1","toolName":"search_catalog","success":true,"durationMs":41,"result":{` +
		`"hits":[{"sku":"SHOE-001","name":"Ridge Runner","price":129.5,"tags":["trail","waterproof"]},{"sku":"SHOE-007","name":"Canyon Lite","price":99,"tags":[]}],` +
		`"note":"Prices include VAT.\nStock is checked at dispatch; the two shoes ship from Lyon, usually within two working days of the order.",` +
		`"text":"` + strings.Repeat("catalog export line ", 300) + `"}}`,
}

// TestDetailGoldens pins the detail view of a tool row at the two reference
// sizes, with a value folded, and of a result with a long string (wrapped
// under its key) and a big one (folded). Refresh with
// `go test -run TestDetailGoldens -update .` and review the diff.
func TestDetailGoldens(t *testing.T) {
	keys := defaultKeyMap()
	for _, sz := range [][2]int{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("tool_%dx%d", sz[0], sz[1]), func(t *testing.T) {
			// Rows: request, execution, turn, text, tool Q1, …
			m := detailScreen(t, sz[0], sz[1], 4)
			checkDetailScreen(t, screen(m), sz[0], sz[1])
			golden.RequireEqual(t, []byte(screen(m)))
		})
	}
	t.Run("tool_folded_80x24", func(t *testing.T) {
		m := detailScreen(t, 80, 24, 4)
		// Down to "parameters": {, and fold it.
		for range 12 {
			m.Update(keyPress(keys.Down.Keys()[0]))
		}
		m.Update(keyPress(keys.Collapse.Keys()[0]))
		got := screen(m)
		if !strings.Contains(got, `"parameters": {…} 2 keys`) {
			t.Errorf("the parameters are not folded:\n%s", got)
		}
		checkDetailScreen(t, got, 80, 24)
		golden.RequireEqual(t, []byte(got))
	})
	for _, sz := range [][2]int{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("result_%dx%d", sz[0], sz[1]), func(t *testing.T) {
			// The new tool row is last.
			m := detailScreen(t, sz[0], sz[1], -1, catalogResult...)
			// To the end, then up to the folded text.
			m.Update(keyPress(keys.Bottom.Keys()[0]))
			for range 4 {
				m.Update(keyPress(keys.Up.Keys()[0]))
			}
			got := screen(m)
			if !strings.Contains(got, `…" 6 KB`) {
				t.Errorf("the 6 KB text is not folded:\n%s", got)
			}
			checkDetailScreen(t, got, sz[0], sz[1])
			golden.RequireEqual(t, []byte(got))
		})
	}
}

// checkDetailScreen checks a screen fills the terminal exactly.
func checkDetailScreen(t *testing.T, got string, w, h int) {
	t.Helper()
	lines := strings.Split(got, "\n")
	if len(lines) != h {
		t.Errorf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if cw := ansi.StringWidth(l); cw != w {
			t.Errorf("line %d is %d cells wide, want %d: %q", i, cw, w, l)
		}
	}
}
