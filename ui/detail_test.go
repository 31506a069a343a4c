package ui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"rtinspect/api"
	"rtinspect/api/record"
	"rtinspect/model"
)

var detailBase = time.Date(2026, 6, 20, 10, 0, 0, 0, time.UTC)

// detailSession folds SSE frames (their data; the event name is the type)
// into a session, as if streamed after a dispatch.
func detailSession(t testing.TB, frames ...string) *model.Session {
	t.Helper()
	s := model.NewSession()
	at := detailBase
	s.Now = func() time.Time { return at }
	if err := s.Begin(api.Request{Method: "POST", Path: api.PathDispatch, Body: []byte(`{"flow":{"name":"f"}}`)}); err != nil {
		t.Fatal(err)
	}
	s.StreamOpened()
	d := api.NewDecoder()
	for i, data := range frames {
		var head struct{ Type string }
		if err := json.Unmarshal([]byte(data), &head); err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		at = at.Add(10 * time.Millisecond)
		s.ApplyBatch(d.Decode(nil, api.Frame{Event: head.Type, ID: "", Data: data, At: at}))
	}
	return s
}

// detailKeys is benchKeys with the detail view's bindings, as keymap.go
// sets them.
func detailKeys() KeyMap {
	k := benchKeys()
	kb := func(help string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(keys[0], help))
	}
	k.Cancel = kb("back", "esc")
	k.Open = kb("details", "enter")
	k.NextMatch, k.PrevMatch = kb("next match", "n"), kb("previous match", "N")
	k.Collapse, k.Expand = kb("fold", "h", "left"), kb("unfold", "l", "right")
	k.CopyValue, k.CopyAll, k.SaveFile = kb("copy value", "y"), kb("copy all", "Y"), kb("write", "w")
	return k
}

func detailModel(t testing.TB, s *model.Session, w, h int) *Model {
	t.Helper()
	m := New(Options{Session: s, Keys: detailKeys(), TempDir: t.TempDir(),
		Client: api.NewClient("https://api.runtype.com", "sk-detail-secret-key"),
		Now:    func() time.Time { return detailBase.Add(time.Hour) }})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// detPress sends the first key of a binding, as the terminal would.
func detPress(m *Model, b key.Binding) tea.Cmd {
	k := b.Keys()[0]
	msg := tea.KeyPressMsg{Code: []rune(k)[0], Text: k}
	switch k {
	case "esc":
		msg = tea.KeyPressMsg{Code: tea.KeyEscape}
	case "enter":
		msg = tea.KeyPressMsg{Code: tea.KeyEnter}
	case "pgdown":
		msg = tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "pgup":
		msg = tea.KeyPressMsg{Code: tea.KeyPgUp}
	}
	_, cmd := m.Update(msg)
	return cmd
}

// toolRow is the index of the tool row of the named tool.
func toolRow(t testing.TB, m *Model, name string) int {
	t.Helper()
	for i := 0; i < m.s.RowCount(); i++ {
		if r := m.s.Row(i); r.Kind == model.RowTool && strings.Contains(r.Title, name) {
			return i
		}
	}
	t.Fatalf("no tool row for %s", name)
	return -1
}

// lineWith is the first display line of the detail view holding text.
func lineWith(t testing.TB, m *Model, text string) int {
	t.Helper()
	lines := allDetailLines(m)
	for i, l := range lines {
		if strings.Contains(l, text) {
			return i
		}
	}
	t.Fatalf("no line holds %q:\n%s", text, strings.Join(lines, "\n"))
	return -1
}

// allDetailLines draws every line of the detail view, without colour.
func allDetailLines(m *Model) []string {
	return docLines(m.scroll.doc, m.scroll.width)
}

// cursorLine is the detail view's cursor line, drawn without colour.
func cursorLine(m *Model) string {
	return strings.TrimRight(allDetailLines(m)[m.scroll.cursor], " ")
}

// clipboardOf runs a command and returns what it puts on the clipboard.
func clipboardOf(t *testing.T, cmd tea.Cmd) string {
	t.Helper()
	if cmd == nil {
		t.Fatalf("no command")
	}
	msg := cmd()
	v := reflect.ValueOf(msg)
	if v.Kind() != reflect.String || v.Type().Name() != "setClipboardMsg" {
		t.Fatalf("the command sends %T, not tea.SetClipboard", msg)
	}
	return v.String()
}

// toolFrames are a tool call with a nested result.
func toolFrames() []string {
	return []string{
		`{"type":"execution_start","executionId":"exec_1","kind":"flow","flowName":"F"}`,
		`{"type":"tool_start","executionId":"exec_1","toolCallId":"call_A","toolName":"search_orders","toolType":"builtin","parameters":{"customer":"C-1042","limit":20}}`,
		`{"type":"tool_complete","executionId":"exec_1","toolCallId":"call_A","toolName":"search_orders","success":true,"durationMs":182,` +
			`"result":{"orders":[{"id":"O-1","total":42.5,"items":["shoe","sock"]},{"id":"O-2","total":9,"items":[]}],"note":"two open orders\nfor C-1042","more":false}}`,
	}
}

// bigFrames are the sim's big scenario: a 400 KB tool result.
func bigFrames() []string {
	big := strings.Repeat("ß✓日本語 ", 400_000/15+1)
	return []string{
		`{"type":"execution_start","executionId":"exec_big","kind":"flow","flowName":"Catalog Export Flow"}`,
		`{"type":"tool_start","executionId":"exec_big","toolCallId":"call_X","toolName":"export_catalog","toolType":"builtin","parameters":{"format":"text"}}`,
		`{"type":"tool_complete","executionId":"exec_big","toolCallId":"call_X","toolName":"export_catalog","success":true,"durationMs":1200,"result":{"rows":26667,"text":"` + big + `"}}`,
	}
}

func openTool(t *testing.T, frames []string, name string, w, h int) *Model {
	t.Helper()
	m := detailModel(t, detailSession(t, frames...), w, h)
	m.openRowDetail(toolRow(t, m, name), false)
	if m.overlay != overlayDetail || m.scroll.doc == nil {
		t.Fatalf("the detail view did not open")
	}
	return m
}

func TestDetailCursorMovesAndTheWindowFollows(t *testing.T) {
	m := openTool(t, bigFrames(), "export_catalog", 80, 16)
	k := m.keys
	if m.scroll.cursor != 0 || m.scroll.top != 0 {
		t.Fatalf("opens at cursor %d top %d", m.scroll.cursor, m.scroll.top)
	}
	m.scroll.moveTo(lineWith(t, m, `"text": "`))
	detPress(m, k.Expand)
	h := m.scroll.height
	for range h + 3 {
		detPress(m, k.Down)
	}
	if m.scroll.cursor < m.scroll.top || m.scroll.cursor >= m.scroll.top+h {
		t.Errorf("cursor %d outside the window %d+%d", m.scroll.cursor, m.scroll.top, h)
	}
	c := m.scroll.cursor
	detPress(m, k.PageDown)
	if m.scroll.cursor != c+h {
		t.Errorf("pgdown: cursor %d, want %d", m.scroll.cursor, c+h)
	}
	detPress(m, k.Bottom)
	if m.scroll.cursor != m.scroll.count()-1 || m.scroll.top != m.scroll.count()-h {
		t.Errorf("G: cursor %d top %d of %d", m.scroll.cursor, m.scroll.top, m.scroll.count())
	}
	detPress(m, k.Top)
	detPress(m, k.Up)
	if m.scroll.cursor != 0 || m.scroll.top != 0 {
		t.Errorf("g k: cursor %d top %d", m.scroll.cursor, m.scroll.top)
	}
	// The cursor line is drawn reversed, the width of the box.
	screen := m.View().Content
	if !strings.Contains(screen, "\x1b[7m") {
		t.Errorf("no reversed cursor line")
	}
	// The wheel scrolls the window; the cursor stays inside it.
	m.scroll.by(5)
	if m.scroll.top != 5 || m.scroll.cursor != 5 {
		t.Errorf("by(5): top %d cursor %d", m.scroll.top, m.scroll.cursor)
	}
}

func TestDetailFoldAndUnfold(t *testing.T) {
	m := openTool(t, toolFrames(), "search_orders", 80, 30)
	k := m.keys
	all := len(allDetailLines(m))
	m.scroll.moveTo(lineWith(t, m, `"orders": [`))
	detPress(m, k.Collapse)
	if got, want := cursorLine(m), `    "orders": […] 2 items,`; got != want {
		t.Errorf("h on an array: %q, want %q", got, want)
	}
	if n := len(allDetailLines(m)); n != all-14 {
		t.Errorf("folded: %d lines, want %d", n, all-14)
	}
	detPress(m, k.Expand)
	if got := cursorLine(m); got != `    "orders": [` || len(allDetailLines(m)) != all {
		t.Errorf("l: cursor on %q, %d lines", got, len(allDetailLines(m)))
	}
	// On a scalar, h folds the value that holds it, and the cursor goes
	// to it.
	m.scroll.moveTo(lineWith(t, m, `"total": 42.5`))
	detPress(m, k.Collapse)
	if got, want := cursorLine(m), `      {…} 3 keys,`; got != want {
		t.Errorf("h on a number: %q, want %q", got, want)
	}
	if !strings.Contains(m.msg, "folded the object (3 keys)") {
		t.Errorf("message %q", m.msg)
	}
	// On a closing bracket, h folds its value.
	m.scroll.moveTo(lineWith(t, m, `"result": {`))
	detPress(m, k.Collapse)
	if got := cursorLine(m); got != `  "result": {…} 3 keys` {
		t.Errorf("h on result: %q", got)
	}
	// l on an open value unfolds everything inside it.
	detPress(m, k.Expand)
	detPress(m, k.Expand)
	if !strings.Contains(m.msg, "unfolded 1 value inside") || len(allDetailLines(m)) != all {
		t.Errorf("l twice: %q, %d lines of %d", m.msg, len(allDetailLines(m)), all)
	}
	// On a line of text there is nothing to fold.
	detPress(m, k.Top)
	detPress(m, k.Collapse)
	if !strings.Contains(m.msg, "nothing to fold") {
		t.Errorf("h on the heading: %q", m.msg)
	}
}

func TestDetailBigResultOpensFolded(t *testing.T) {
	m := openTool(t, bigFrames(), "export_catalog", 80, 24)
	l := lineWith(t, m, `"text": "ß✓日本語`)
	if got := allDetailLines(m)[l]; !strings.HasSuffix(strings.TrimRight(got, " "), `…" 400 KB`) {
		t.Errorf("the big string is not folded: %q", got)
	}
	n := m.scroll.count()
	m.scroll.moveTo(l)
	detPress(m, m.keys.Expand)
	if m.scroll.count() < n+3000 {
		t.Errorf("unfolded: %d lines", m.scroll.count())
	}
	// The continuation lines stay under the value ("text" is two levels
	// deep: six spaces).
	for _, got := range allDetailLines(m)[l+1 : l+40] {
		if !strings.HasPrefix(got, "      ") || got[6] == ' ' && got[7] == ' ' {
			t.Fatalf("continuation %q", got)
		}
	}
	// The screen is exactly the terminal's size.
	for _, sc := range []string{screenOf(m)} {
		lines := strings.Split(sc, "\n")
		if len(lines) != 24 {
			t.Errorf("%d lines", len(lines))
		}
		for i, line := range lines {
			if w := ansi.StringWidth(line); w != 80 {
				t.Errorf("line %d is %d cells: %q", i, w, line)
			}
		}
	}
}

func screenOf(m *Model) string { return ansi.Strip(m.View().Content) }

func TestDetailCopyValue(t *testing.T) {
	m := openTool(t, toolFrames(), "search_orders", 80, 30)
	k := m.keys
	cases := []struct{ line, want, msg string }{
		{`"note": "two open orders\n`, "two open orders\nfor C-1042", "copied the string (27 B)"},
		{`"total": 42.5`, "42.5", "copied the number"},
		{`"items": [`, "[\n  \"shoe\",\n  \"sock\"\n]", "copied the array (2 items)"},
		{`"customer": "C-1042"`, "C-1042", "copied the string"},
	}
	for _, c := range cases {
		m.scroll.moveTo(lineWith(t, m, c.line))
		if got := clipboardOf(t, detPress(m, k.CopyValue)); got != c.want {
			t.Errorf("y on %s: %q, want %q", c.line, got, c.want)
		}
		if !strings.HasPrefix(m.msg, c.msg) {
			t.Errorf("y on %s: message %q", c.line, m.msg)
		}
	}
	// A folded string copies whole.
	m2 := openTool(t, bigFrames(), "export_catalog", 80, 24)
	m2.scroll.moveTo(lineWith(t, m2, `"text": "`))
	got := clipboardOf(t, detPress(m2, k.CopyValue))
	if !strings.HasPrefix(got, "ß✓日本語 ") || len(got) < 400_000 || strings.Contains(got, `"`) {
		t.Errorf("y on the folded string: %d bytes, %q…", len(got), got[:min(len(got), 40)])
	}
}

func TestDetailCopyAll(t *testing.T) {
	m := openTool(t, toolFrames(), "search_orders", 80, 30)
	k := m.keys
	got := clipboardOf(t, detPress(m, k.CopyAll))
	var evs []map[string]any
	if err := json.Unmarshal([]byte(got), &evs); err != nil || len(evs) != 2 {
		t.Fatalf("Y decoded: not a JSON array of the 2 events (%v):\n%s", err, got)
	}
	if evs[0]["type"] != "tool_start" || evs[1]["type"] != "tool_complete" {
		t.Errorf("Y decoded: %v", evs)
	}
	if !strings.HasPrefix(m.msg, "copied the JSON of 2 events") {
		t.Errorf("message %q", m.msg)
	}
	// Raw: the frames as they came.
	detPress(m, k.Raw)
	got = clipboardOf(t, detPress(m, k.CopyAll))
	want := "event: tool_start\ndata: " + toolFrames()[1] + "\n\nevent: tool_complete\ndata: " + toolFrames()[2] + "\n\n"
	if got != want {
		t.Errorf("Y raw:\n%q\nwant\n%q", got, want)
	}
}

// TestDetailOfARequestNeverHoldsTheKey: the request row shows the request
// as sent, the key masked, and neither the screen, the clipboard nor the
// file holds the key.
func TestDetailOfARequestNeverHoldsTheKey(t *testing.T) {
	dir := t.TempDir()
	s := detailSession(t, toolFrames()...)
	w, err := record.Create(filepath.Join(dir, "session.jsonl"), record.Header{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	m := New(Options{Session: s, Keys: detailKeys(), TempDir: t.TempDir(), Recording: w,
		Client: api.NewClient("https://api.runtype.com", "sk-detail-secret-key")})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.openRowDetail(0, false)
	const key = "sk-detail-secret-key"
	screen := screenOf(m)
	if !strings.Contains(screen, "Authorization: Bearer ********") || !strings.Contains(screen, `"flow": {`) {
		t.Errorf("the request detail does not show the masked request:\n%s", screen)
	}
	all := clipboardOf(t, detPress(m, m.keys.CopyAll))
	msg := detPress(m, m.keys.SaveFile)()
	saved := msg.(detailSavedMsg)
	data, err := os.ReadFile(saved.path)
	if err != nil {
		t.Fatal(err)
	}
	for what, s := range map[string]string{"screen": screen, "clipboard": all, "file": string(data)} {
		if strings.Contains(s, key) {
			t.Errorf("the %s holds the API key", what)
		}
	}
}

// TestDetailSaveWritesAPrivateFile: w writes what Y copies beside the
// recording, 0600, and says where.
func TestDetailSaveWritesAPrivateFile(t *testing.T) {
	dir := t.TempDir()
	w, err := record.Create(filepath.Join(dir, "run.jsonl"), record.Header{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	s := detailSession(t, toolFrames()...)
	m := New(Options{Session: s, Keys: detailKeys(), TempDir: t.TempDir(), Recording: w})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.openRowDetail(toolRow(t, m, "search_orders"), true)
	want := clipboardOf(t, detPress(m, m.keys.CopyAll))
	cmd := detPress(m, m.keys.SaveFile)
	if cmd == nil {
		t.Fatal("w returned no command")
	}
	msg := cmd()
	m.Update(msg)
	saved := msg.(detailSavedMsg)
	if saved.err != nil {
		t.Fatal(saved.err)
	}
	if filepath.Dir(saved.path) != dir || !strings.HasPrefix(filepath.Base(saved.path), "run.tool-search_orders.") || filepath.Ext(saved.path) != ".sse" {
		t.Errorf("written to %s", saved.path)
	}
	fi, err := os.Stat(saved.path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	if data, _ := os.ReadFile(saved.path); string(data) != want {
		t.Errorf("the file holds\n%q\nwant\n%q", data, want)
	}
	if !strings.Contains(m.msg, filepath.Base(saved.path)) || !strings.Contains(m.msg, dir) {
		t.Errorf("the message does not say the path: %q", m.msg)
	}
	// A file that is there already is made private.
	if err := os.Chmod(saved.path, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writePrivate(saved.path, "x"); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(saved.path); fi.Mode().Perm() != 0o600 {
		t.Errorf("rewritten: mode %v", fi.Mode().Perm())
	}
}

// TestDetailSaveWithoutRecording writes to the current folder.
func TestDetailSaveWithoutRecording(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	m := openTool(t, toolFrames(), "search_orders", 80, 24)
	saved := detPress(m, m.keys.SaveFile)().(detailSavedMsg)
	if saved.err != nil || filepath.Dir(saved.path) != dir || filepath.Ext(saved.path) != ".json" {
		t.Errorf("written to %s (%v), want a .json file in %s", saved.path, saved.err, dir)
	}
}

func TestDetailMatches(t *testing.T) {
	m := openTool(t, toolFrames(), "search_orders", 80, 48)
	k := m.keys
	detPress(m, k.NextMatch)
	if !strings.Contains(m.msg, "no filter: / sets one, then n / N jump between its matches") {
		t.Errorf("n without a filter: %q", m.msg)
	}
	m.overlay = overlayNone
	m.setFilter("C-1042")
	m.openRowDetail(toolRow(t, m, "search_orders"), false)
	// Fold the result: its match is found anyway.
	m.scroll.moveTo(lineWith(t, m, `"result": {`))
	detPress(m, k.Collapse)
	detPress(m, k.Top)
	var lines []string
	for range 4 {
		detPress(m, k.NextMatch)
		lines = append(lines, cursorLine(m)+" | "+m.msg)
	}
	// The note's match is on its second line: a \n escape ends a line.
	want := []string{
		`    "customer": "C-1042", | match 1 of 2`,
		`      for C-1042", | match 2 of 2`,
		`    "customer": "C-1042", | match 1 of 2 (wrapped)`,
		`      for C-1042", | match 2 of 2`,
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("n n n n:\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	detPress(m, k.PrevMatch)
	detPress(m, k.PrevMatch)
	if m.msg != "match 2 of 2 (wrapped)" {
		t.Errorf("N from the first: %q", m.msg)
	}
	// Matches are highlighted in the visible lines (lipgloss underlines
	// character by character): back on the first, the second shows below.
	detPress(m, k.NextMatch)
	hl := 0
	for _, l := range strings.Split(m.View().Content, "\n") {
		if strings.Contains(l, matchStyle.Render("C")+matchStyle.Render("-")) {
			hl++
		}
	}
	if hl != 1 {
		t.Errorf("%d lines with a highlighted match on screen, want 1 (the other is the cursor's):\n%s", hl, ansi.Strip(m.View().Content))
	}
}

// TestDetailMatchInBigValue: n finds a match deep in the folded 400 KB
// string, unfolds it and puts the cursor on the line.
func TestDetailMatchInBigValue(t *testing.T) {
	frames := bigFrames()
	frames[2] = strings.Replace(frames[2], "ß✓日本語 ", "ß✓日本語 NEEDLE ", 1)
	frames[2] = strings.Replace(frames[2], `"}}`, ` needle"}}`, 1)
	m := detailModel(t, detailSession(t, frames...), 80, 24)
	m.setFilter("needle")
	m.openRowDetail(toolRow(t, m, "export_catalog"), false)
	detPress(m, m.keys.PrevMatch) // from the top, back to the last one
	if !strings.Contains(cursorLine(m), "needle") || m.msg != "match 2 of 2 (wrapped)" {
		t.Errorf("N: %q %q", cursorLine(m), m.msg)
	}
	if m.scroll.count() < 3000 {
		t.Errorf("the string was not unfolded")
	}
}

func TestDetailEventAndRawToggle(t *testing.T) {
	m := detailModel(t, detailSession(t, toolFrames()...), 80, 24)
	m.openEventDetail(2, false)
	if !strings.Contains(m.detailTitle, "Event tool_complete") || !strings.Contains(screenOf(m), `"durationMs": 182`) {
		t.Errorf("event detail:\n%s", screenOf(m))
	}
	got := clipboardOf(t, detPress(m, m.keys.CopyAll))
	if !json.Valid([]byte(got)) || !strings.Contains(got, `"type": "tool_complete"`) {
		t.Errorf("Y on an event: %s", got)
	}
	detPress(m, m.keys.Raw)
	if !strings.Contains(m.detailTitle, "raw frame") || !strings.Contains(screenOf(m), `data: {"type":"tool_complete"`) {
		t.Errorf("raw event detail:\n%s", screenOf(m))
	}
	m.openEventDetail(99, false)
	if m.msg != "no event selected" {
		t.Errorf("out of range: %q", m.msg)
	}
}

// TestDetailRowGrowsInPlace: a row that grows while its detail is open is
// rebuilt with the folds and the cursor kept.
func TestDetailRowGrowsInPlace(t *testing.T) {
	frames := toolFrames()
	s := detailSession(t, frames[:2]...)
	m := detailModel(t, s, 80, 30)
	row := toolRow(t, m, "search_orders")
	m.openRowDetail(row, false)
	m.scroll.moveTo(lineWith(t, m, `"parameters": {`))
	detPress(m, m.keys.Collapse)
	cur := m.scroll.cursor
	s.ApplyBatch(api.NewDecoder().Decode(nil, api.Frame{Event: "tool_complete", Data: frames[2]}))
	m.afterRowsChanged()
	if !strings.Contains(strings.Join(allDetailLines(m), "\n"), `"durationMs": 182`) {
		t.Errorf("the detail did not grow")
	}
	if m.scroll.cursor != cur || cursorLine(m) != `  "parameters": {…} 2 keys` {
		t.Errorf("after growing: cursor %d on %q", m.scroll.cursor, cursorLine(m))
	}
}

func TestDetailHintsFit80Columns(t *testing.T) {
	m := detailModel(t, pausedDetailSession(t), 80, 24)
	m.openRowDetail(toolRow(t, m, "add_to_cart"), false)
	want := "j/k move · h/l fold · y/Y copy · w save · n/N match · v raw · esc back"
	if got := ansi.Strip(m.hints()); got != want {
		t.Errorf("hints\n %q\nwant\n %q", got, want)
	}
	m.focus = panePending
	m.openCallDetail(m.s.Pending()[0].ToolCallID)
	if got := ansi.Strip(m.hints()); ansi.StringWidth(got) > 80 || !strings.Contains(got, "e edit") {
		t.Errorf("call hints %q", got)
	}
}

// pausedDetailSession is a tool call waiting for its answer.
func pausedDetailSession(t *testing.T) *model.Session {
	s := detailSession(t,
		`{"type":"execution_start","executionId":"exec_1","kind":"agent"}`,
		`{"type":"tool_start","executionId":"exec_1","toolCallId":"call_Q1","toolName":"add_to_cart","toolType":"local","parameters":{"sku":"SHOE-001","qty":1}}`,
		`{"type":"await","executionId":"exec_1","toolCallId":"call_Q1","toolName":"add_to_cart","parameters":{"sku":"SHOE-001","qty":1}}`,
	)
	s.EndStream(nil)
	return s
}
