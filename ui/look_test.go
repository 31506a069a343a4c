package ui

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	sse "github.com/tmaxmax/go-sse"

	"rtinspect/api"
	"rtinspect/model"
)

// Tests of how the screen is looked at: themes, zoom, the mouse.

var lookBase = time.Date(2026, 6, 20, 10, 5, 0, 0, time.UTC)

// lookSession folds ../testdata/parallel-pause.sse (two parallel
// add_to_cart awaits) into a paused session, as the root screen tests do;
// extra frames' data is folded after the fixture's.
func lookSession(t *testing.T, extra ...string) *model.Session {
	t.Helper()
	f, err := os.Open("../testdata/parallel-pause.sse")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := model.NewSession()
	clock := lookBase
	s.Now = func() time.Time { return clock }
	if err := s.Begin(api.Request{Method: "POST", Path: api.PathDispatch, Body: []byte(`{"agent":{"agentId":"agent_01shop"}}`)}); err != nil {
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
		s.ApplyBatch(dec.Decode(nil, api.Frame{Event: ev.Type, ID: ev.LastEventID, Data: ev.Data, At: lookBase.Add(time.Duration(i) * 40 * time.Millisecond)}))
	}
	for _, data := range extra {
		s.ApplyBatch(dec.Decode(nil, api.Frame{Data: data, At: lookBase.Add(time.Duration(i) * 40 * time.Millisecond)}))
	}
	clock = lookBase.Add(time.Duration(i+1) * 40 * time.Millisecond)
	if st := s.EndStream(nil); st != api.RunPaused {
		t.Fatalf("fixture ends %s, want paused", st)
	}
	return s
}

// lookKeys is benchKeys with the bindings these tests press.
func lookKeys() KeyMap {
	k := benchKeys()
	k.Zoom = key.NewBinding(key.WithKeys("z"), key.WithHelp("z", "zoom"))
	k.Mouse = key.NewBinding(key.WithKeys("M"), key.WithHelp("M", "mouse"))
	k.Cancel = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
	k.Open = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "details"))
	k.CancelStream = key.NewBinding(key.WithKeys("C"), key.WithHelp("C", "cancel the stream"))
	return k
}

func lookModel(t *testing.T, s *model.Session, w, h int, opts Options) *Model {
	t.Helper()
	opts.Session, opts.Keys, opts.TempDir = s, lookKeys(), t.TempDir()
	opts.Client = api.NewClient("https://api.runtype.com", "sk-look-secret")
	opts.Now = func() time.Time { return lookBase.Add(time.Hour) }
	m := New(opts)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	m.afterRowsChanged() // as after the stream's last batch: the tail selected
	return m
}

// lookPress sends the first key of a binding, as the terminal would.
func lookPress(m *Model, b key.Binding) {
	k := b.Keys()[0]
	msg := tea.KeyPressMsg{Code: []rune(k)[0], Text: k}
	switch k {
	case "esc":
		msg = tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		msg = tea.KeyPressMsg{Code: tea.KeyTab}
	case "enter":
		msg = tea.KeyPressMsg{Code: tea.KeyEnter}
	case "pgdown":
		msg = tea.KeyPressMsg{Code: tea.KeyPgDown}
	}
	m.Update(msg)
}

func lookThemes() map[string]theme {
	return map[string]theme{"dark": darkTheme(), "light": lightTheme(), "low": lowTheme(), "none": noneTheme()}
}

// TestEveryThemeSetsEveryStyle walks the theme struct, so a style added
// later must be set in every theme: a zero style would draw plain in one
// theme only because someone forgot it.
func TestEveryThemeSetsEveryStyle(t *testing.T) {
	dark := darkTheme()
	for name, th := range lookThemes() {
		if th.name != name {
			t.Errorf("theme %s calls itself %q", name, th.name)
		}
		checkThemeSet(t, name, reflect.ValueOf(th), reflect.ValueOf(dark))
	}
}

var (
	styleType = reflect.TypeOf(lipgloss.Style{})
	colorType = reflect.TypeOf((*color.Color)(nil)).Elem()
)

func checkThemeSet(t *testing.T, path string, v, ref reflect.Value) {
	t.Helper()
	switch {
	case v.Type() == styleType:
		if v.IsZero() {
			t.Errorf("%s is not set", path)
		}
	case v.Type() == colorType:
		if v.IsNil() {
			t.Errorf("%s is not set", path)
		}
	case v.Kind() == reflect.Map:
		for _, k := range ref.MapKeys() {
			e := v.MapIndex(k)
			if !e.IsValid() {
				t.Errorf("%s[%v] is missing (dark has it)", path, k)
				continue
			}
			checkThemeSet(t, fmt.Sprintf("%s[%v]", path, k), e, ref.MapIndex(k))
		}
		if v.Len() != ref.Len() {
			t.Errorf("%s has %d entries, dark %d", path, v.Len(), ref.Len())
		}
	case v.Kind() == reflect.Struct:
		for i := range v.NumField() {
			checkThemeSet(t, path+"."+v.Type().Field(i).Name, v.Field(i), ref.Field(i))
		}
	case v.Kind() == reflect.String:
		if v.String() == "" {
			t.Errorf("%s is empty", path)
		}
	}
}

// TestThemeInks checks every text style of every theme draws through an
// ink exactly as lipgloss draws it (the frame is drawn with inks).
func TestThemeInks(t *testing.T) {
	for name, th := range lookThemes() {
		styles := map[string]lipgloss.Style{
			"title": th.title, "titleFocus": th.titleFocus, "selected": th.selected,
			"dim": th.dim, "bold": th.bold, "statusBar": th.statusBar, "keyHint": th.keyHint,
			"errText": th.errText, "okText": th.okText, "warnText": th.warnText, "jsonKey": th.jsonKey,
			"jsonString": th.jsonString, "jsonNumber": th.jsonNumber, "jsonLiteral": th.jsonLiteral,
		}
		for k, st := range th.kind {
			styles["kind "+k] = st
		}
		for k, st := range th.stateStyle {
			styles["state "+k] = st
		}
		for sname, st := range styles {
			in := newInk(st)
			if !in.wraps {
				t.Errorf("%s %s: no ink", name, sname)
			}
			for _, s := range []string{"", "ok", "  lead and trail  ", "é … · → 日本"} {
				if got, want := in.render(s), st.Render(s); got != want {
					t.Errorf("%s %s: render(%q) = %q, want %q", name, sname, s, got, want)
				}
			}
		}
	}
}

// sgrParams returns the parameters of every SGR sequence in s.
func sgrParams(s string) [][]int {
	var out [][]int
	for _, m := range regexp.MustCompile(`\x1b\[([0-9;:]*)m`).FindAllStringSubmatch(s, -1) {
		var ps []int
		for _, p := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ';' || r == ':' }) {
			n, _ := strconv.Atoi(p)
			ps = append(ps, n)
		}
		out = append(out, ps)
	}
	return out
}

// isColour reports whether an SGR parameter sets a colour (foreground,
// background or underline; basic, bright, 256 or true colour).
func isColour(p int) bool {
	return (p >= 30 && p <= 38) || (p >= 40 && p <= 48) || (p >= 90 && p <= 97) || (p >= 100 && p <= 107) || p == 58
}

// themedScreens draws the screens a session goes through in theme name:
// both layouts, both panes focused and zoomed, an invalid answer, the
// help, the details of every row, the resume preview, the input line and
// an error in the status bar.
func themedScreens(t *testing.T, name string) []string {
	t.Helper()
	var out []string
	for _, sz := range [][2]int{{80, 24}, {160, 48}} {
		s := lookSession(t)
		m := lookModel(t, s, sz[0], sz[1], Options{Theme: name})
		k := m.keys
		shot := func() { out = append(out, m.View().Content) }
		shot()
		lookPress(m, k.Zoom)
		shot()
		lookPress(m, k.Zoom)
		calls := s.Pending()
		if err := s.SetDraft(calls[0].ToolCallID, `{"ok": true}`); err != nil {
			t.Fatal(err)
		}
		if err := s.SetDraft(calls[1].ToolCallID, `{"ok": `); err == nil {
			t.Fatal("an invalid draft was taken as valid")
		}
		lookPress(m, k.Down)
		shot()
		lookPress(m, k.Help)
		shot()
		lookPress(m, k.Cancel)
		lookPress(m, k.NextPane)
		shot()
		lookPress(m, k.Zoom)
		shot()
		lookPress(m, k.Zoom)
		for i := 0; i < s.RowCount(); i++ {
			m.evSel = i
			lookPress(m, k.Open)
			shot()
			lookPress(m, k.Cancel)
		}
		lookPress(m, k.Filter)
		shot()
		lookPress(m, k.Cancel)
		lookPress(m, k.CancelStream) // no stream: an error in the status bar
		shot()
		s.SetDraft(calls[1].ToolCallID, `{"ok": true}`)
		lookPress(m, k.Resume)
		shot()
	}
	return out
}

func TestNoneThemeDrawsNoColour(t *testing.T) {
	attrs := map[int]bool{}
	for i, sc := range themedScreens(t, "none") {
		for _, ps := range sgrParams(sc) {
			for _, p := range ps {
				if isColour(p) {
					t.Fatalf("screen %d sets a colour (SGR %v):\n%s", i, ps, sc)
				}
				attrs[p] = true
			}
		}
	}
	// What colour shows in other themes is shown with attributes.
	for _, p := range []int{1, 7} {
		if !attrs[p] {
			t.Errorf("the none theme never uses SGR %d; it shows the selection and the focus with reverse and bold", p)
		}
	}
}

func TestLowThemeUsesOnlyTheSixteenColours(t *testing.T) {
	seen := false
	for i, sc := range themedScreens(t, "low") {
		for _, ps := range sgrParams(sc) {
			for _, p := range ps {
				if p == 38 || p == 48 || p == 58 {
					t.Fatalf("screen %d uses a 256 or true colour (SGR %v)", i, ps)
				}
				seen = seen || isColour(p)
			}
		}
	}
	if !seen {
		t.Errorf("the low theme draws no colour at all")
	}
}

func TestLightThemeDiffersFromDarkAndReadsOnWhite(t *testing.T) {
	dark, light := themedScreens(t, "dark"), themedScreens(t, "light")
	for i := range dark {
		if ansi.Strip(dark[i]) != ansi.Strip(light[i]) {
			t.Fatalf("screen %d: the themes draw different text", i)
		}
	}
	if strings.Join(dark, "") == strings.Join(light, "") {
		t.Fatalf("the light theme draws exactly what the dark one draws")
	}
	// Every text colour on the terminal's background (a style with no
	// background of its own) reads on white: WCAG AA, contrast 4.5.
	th := lightTheme()
	fg := map[string]lipgloss.Style{
		"title": th.title, "dim": th.dim, "statusBar": th.statusBar, "keyHint": th.keyHint,
		"errText": th.errText, "okText": th.okText, "warnText": th.warnText, "jsonKey": th.jsonKey,
		"jsonString": th.jsonString, "jsonNumber": th.jsonNumber, "jsonLiteral": th.jsonLiteral,
		"input prompt": th.input.Focused.Prompt, "input placeholder": th.input.Focused.Placeholder,
		"input blurred text": th.input.Blurred.Text,
	}
	for k, st := range th.kind {
		fg["kind "+k] = st
	}
	for name, st := range fg {
		if _, none := st.GetBackground().(lipgloss.NoColor); !none {
			continue
		}
		c := st.GetForeground()
		if _, none := c.(lipgloss.NoColor); none {
			continue
		}
		if r := contrast(c, color.White); r < 4.5 {
			t.Errorf("light %s: contrast %.2f with white, want at least 4.5", name, r)
		}
	}
	for name, st := range th.stateStyle {
		if r := contrast(st.GetForeground(), st.GetBackground()); r < 4.5 {
			t.Errorf("light state %s: contrast %.2f, want at least 4.5", name, r)
		}
	}
}

// contrast is the WCAG contrast ratio of two colours.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		x := float64(v) / 0xffff
		if x <= 0.03928 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// TestAutoThemeFollowsTheBackground: "auto" asks the terminal for its
// background at start, is dark until the answer, and then light or dark
// as the answer says; a named theme neither asks nor changes.
func TestAutoThemeFollowsTheBackground(t *testing.T) {
	for _, name := range []string{"", "auto"} {
		m := lookModel(t, lookSession(t), 80, 24, Options{Theme: name})
		if !asksBackground(m.Init()) {
			t.Errorf("theme %q: Init does not ask for the background colour", name)
		}
		if m.th.name != "dark" {
			t.Errorf("theme %q before the answer: %s, want dark", name, m.th.name)
		}
		darkView := m.View().Content
		m.Update(tea.BackgroundColorMsg{Color: color.White})
		if m.th.name != "light" {
			t.Errorf("theme %q on white: %s, want light", name, m.th.name)
		}
		if m.View().Content == darkView {
			t.Errorf("theme %q on white: the screen did not change", name)
		}
		m.Update(tea.BackgroundColorMsg{Color: color.Black})
		if m.th.name != "dark" || m.View().Content != darkView {
			t.Errorf("theme %q on black: %s, want the dark screen back", name, m.th.name)
		}
	}
	for _, name := range []string{"dark", "light", "low", "none"} {
		m := lookModel(t, lookSession(t), 80, 24, Options{Theme: name})
		if asksBackground(m.Init()) {
			t.Errorf("theme %q asks for the background colour", name)
		}
		for _, bg := range []color.Color{color.White, color.Black} {
			m.Update(tea.BackgroundColorMsg{Color: bg})
			if m.th.name != name {
				t.Errorf("theme %q became %s on a background message", name, m.th.name)
			}
		}
	}
}

// asksBackground runs cmd (and the commands of a batch) and reports
// whether one of them is tea.RequestBackgroundColor.
func asksBackground(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	want := tea.RequestBackgroundColor()
	switch msg := cmd().(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			if asksBackground(c) {
				return true
			}
		}
		return false
	default:
		return reflect.TypeOf(msg) == reflect.TypeOf(want)
	}
}

// lookLineOf returns the screen line and column where text is drawn, after
// skipping the first skip occurrences.
func lookLineOf(t *testing.T, m *Model, text string) (x, y int) {
	t.Helper()
	for i, l := range strings.Split(ansi.Strip(m.render()), "\n") {
		if j := strings.Index(l, text); j >= 0 {
			return ansi.StringWidth(l[:j]), i
		}
	}
	t.Fatalf("%q is not on the screen:\n%s", text, ansi.Strip(m.render()))
	return 0, 0
}

func lookClick(m *Model, x, y int) { m.Update(tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft}) }

func lookWheel(m *Model, x, y int, b tea.MouseButton) {
	m.Update(tea.MouseWheelMsg{X: x, Y: y, Button: b})
}

// TestZoom: z gives the focused pane everything above the status bar and
// says so in its title; the events pane pages by its zoomed height; z or
// esc go back; tab while zoomed shows the other pane.
func TestZoom(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			w, h := sz[0], sz[1]
			m := lookModel(t, lookSession(t), w, h, Options{})
			k := m.keys
			before := m.render()
			if m.focus != panePending {
				t.Fatalf("a paused session starts on the pending pane")
			}
			lookPress(m, k.Zoom)
			ev, pend, side := m.paneRects()
			if pend != (rect{0, 0, w, h - statusHeight}) || ev.w*ev.h != 0 || side.w*side.h != 0 {
				t.Errorf("zoomed pending: rects %v %v %v", ev, pend, side)
			}
			if _, y := lookLineOf(t, m, "Pending 2"); y != 0 || !strings.Contains(ansi.Strip(m.render()), "zoomed (z back)") {
				t.Errorf("zoomed pending title:\n%s", ansi.Strip(m.render()))
			}
			lookPress(m, k.NextPane)
			if m.focus != paneEvents || !strings.Contains(ansi.Strip(m.render()), "Events 9 · following · zoomed") {
				t.Errorf("tab while zoomed does not show the events pane:\n%s", ansi.Strip(m.render()))
			}
			if got, want := m.eventsInnerHeight(), h-statusHeight-2; got != want {
				t.Errorf("zoomed events inner height %d, want %d", got, want)
			}
			lookPress(m, k.Zoom)
			lookPress(m, k.NextPane)
			if m.render() != before {
				t.Errorf("after zooming back the screen is not what it was")
			}
			lookPress(m, k.Zoom)
			lookPress(m, k.Cancel)
			if m.zoomed || m.render() != before {
				t.Errorf("esc does not leave the zoom")
			}
		})
	}
	// Paging uses the zoomed height: a long log, zoomed, pages by the
	// zoomed pane's rows.
	m := lookModel(t, benchSession(2000), 80, 24, Options{})
	m.focus = paneEvents
	lookPress(m, m.keys.Zoom)
	lookPress(m, m.keys.Top)
	lookPress(m, m.keys.PageDown)
	if got, want := m.evSel, 24-statusHeight-2; got != want {
		t.Errorf("page down zoomed: selection %d, want %d", got, want)
	}
	if m.evTop != 1 {
		t.Errorf("page down zoomed: window top %d, want 1 (the selection on the last line)", m.evTop)
	}
}

// TestMouseClickSelects clicks on rows found on the drawn screen, in the
// stacked and the wide layout and zoomed.
func TestMouseClickSelects(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			m := lookModel(t, lookSession(t), sz[0], sz[1], Options{})
			if m.View().MouseMode != tea.MouseModeCellMotion {
				t.Fatalf("mouse mode %v, want cell motion", m.View().MouseMode)
			}
			// The second pending call.
			x, y := lookLineOf(t, m, "call_Q2 ")
			m.focus = paneEvents
			lookClick(m, x, y)
			if m.focus != panePending || m.pSel != 1 {
				t.Errorf("click on call_Q2 at %d,%d: focus %v, selection %d", x, y, m.focus, m.pSel)
			}
			// The pending pane's column header selects nothing.
			hx, hy := lookLineOf(t, m, "call id")
			lookClick(m, hx, hy)
			if m.pSel != 1 {
				t.Errorf("click on the header selected item %d", m.pSel)
			}
			// The turn row of the events pane.
			x, y = lookLineOf(t, m, "turn      1 assistant")
			lookClick(m, x, y)
			turn := -1
			for i := 0; i < m.s.RowCount(); i++ {
				if m.s.Row(i).Kind == model.RowTurn {
					turn = i
				}
			}
			if m.focus != paneEvents || m.evSel != turn || m.follow {
				t.Errorf("click on the turn row: focus %v, selection %d (want %d), follow %v", m.focus, m.evSel, turn, m.follow)
			}
			if m.overlay != overlayNone {
				t.Fatalf("the first click opened overlay %d", m.overlay)
			}
			// Again on the selected row: its details, as enter.
			lookClick(m, x, y)
			if m.overlay != overlayDetail || m.detailRow != turn {
				t.Errorf("second click: overlay %d row %d, want the details of row %d", m.overlay, m.detailRow, turn)
			}
			// Clicks do nothing under an overlay.
			lookClick(m, x, y+1)
			if m.evSel != turn {
				t.Errorf("a click under the detail view moved the selection")
			}
			lookPress(m, m.keys.Cancel)
			// A click on a border focuses without selecting; below the
			// last row likewise.
			ev, _, _ := m.paneRects()
			lookClick(m, 5, ev.y+ev.h-1)
			if m.evSel != turn {
				t.Errorf("a click on the bottom border selected row %d", m.evSel)
			}
			// Zoomed on the pending pane, the rows move up.
			m.focus = panePending
			lookPress(m, m.keys.Zoom)
			x, y = lookLineOf(t, m, "call_Q1 ")
			lookClick(m, x, y)
			if m.pSel != 0 || m.focus != panePending {
				t.Errorf("zoomed click on call_Q1: selection %d", m.pSel)
			}
			// A right click does nothing.
			x, y = lookLineOf(t, m, "call_Q2 ")
			m.Update(tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseRight})
			if m.pSel != 0 {
				t.Errorf("a right click selected item %d", m.pSel)
			}
		})
	}
}

// TestMouseClickScrolledPending clicks in a pending pane too short for
// its items, scrolled to keep the selection in sight.
func TestMouseClickScrolledPending(t *testing.T) {
	// Six more awaits: eight calls.
	var extra []string
	for i := 3; i <= 8; i++ {
		extra = append(extra, fmt.Sprintf(`{"type":"await","executionId":"virtual_1","toolCallId":"call_Q%d","toolName":"add_to_cart","parameters":{"sku":"S%d"}}`, i, i))
	}
	s := lookSession(t, extra...)
	if len(s.Pending()) != 8 {
		t.Fatalf("%d pending calls, want 8", len(s.Pending()))
	}
	// 14 rows: the pending pane gets half of the 12 above the status
	// bar, 6 rows: 4 lines inside, the header and 3 of the 8 calls.
	m := lookModel(t, s, 80, 14, Options{})
	_, pend, _ := m.paneRects()
	if pend.h != 6 {
		t.Fatalf("pending pane %d rows, want 6", pend.h)
	}
	m.focus, m.pSel = panePending, 6 // call_Q7: calls 4 to 6 show (call_Q5..call_Q7)
	for _, tc := range []struct {
		id   string
		want int
	}{{"call_Q6 ", 5}, {"call_Q5 ", 4}} {
		x, y := lookLineOf(t, m, tc.id)
		lookClick(m, x, y)
		if m.pSel != tc.want {
			t.Errorf("click on %s in the scrolled pending pane: selection %d, want %d", tc.id, m.pSel, tc.want)
		}
	}
}

// TestMouseWheel scrolls the pane under the pointer, and an overlay.
func TestMouseWheel(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			m := lookModel(t, benchSession(2000), sz[0], sz[1], Options{})
			n := m.visibleCount()
			ev, pend, side := m.paneRects()
			if m.evSel != n-1 || !m.follow {
				t.Fatalf("the model does not follow the tail")
			}
			top := m.evTop
			lookWheel(m, ev.x+ev.w/2, ev.y+ev.h/2, tea.MouseWheelUp)
			if m.evSel != n-4 || m.evTop != top-3 || m.follow {
				t.Errorf("wheel up: selection %d top %d follow %v, want %d %d false", m.evSel, m.evTop, m.follow, n-4, top-3)
			}
			lookWheel(m, ev.x+ev.w/2, ev.y+ev.h/2, tea.MouseWheelDown)
			if m.evSel != n-1 || m.evTop != top || !m.follow {
				t.Errorf("wheel down back to the tail: selection %d top %d follow %v", m.evSel, m.evTop, m.follow)
			}
			// The wheel does not focus; a notch over the pending pane
			// (nothing pending) or the preview moves nothing.
			m.focus = panePending
			lookWheel(m, pend.x+1, pend.y+1, tea.MouseWheelUp)
			if side.h > 0 {
				lookWheel(m, side.x+1, side.y+1, tea.MouseWheelUp)
			}
			if m.evSel != n-1 || m.focus != panePending {
				t.Errorf("wheel outside the events pane moved it to %d", m.evSel)
			}
			// Over the help overlay, its scroller moves.
			lookPress(m, m.keys.Help)
			lookWheel(m, 1, 1, tea.MouseWheelDown)
			if m.scroll.top != min(3, max(0, len(m.scroll.lines)-m.scroll.height)) {
				t.Errorf("wheel over the help: top %d", m.scroll.top)
			}
		})
	}
	// The pending pane: one item a notch.
	m := lookModel(t, lookSession(t), 80, 24, Options{})
	_, pend, _ := m.paneRects()
	m.pSel = 0
	lookWheel(m, pend.x+3, pend.y+2, tea.MouseWheelDown)
	lookWheel(m, pend.x+3, pend.y+2, tea.MouseWheelDown)
	if m.pSel != 1 {
		t.Errorf("wheel down twice on two pending items: selection %d, want 1", m.pSel)
	}
	// Over a picker: one entry a notch.
	m.openOutline()
	m.pick.sel = 0
	lookWheel(m, 1, 1, tea.MouseWheelDown)
	if m.pick.sel != 1 {
		t.Errorf("wheel over the outline: selection %d, want 1", m.pick.sel)
	}
	lookWheel(m, 1, 1, tea.MouseWheelUp)
	if m.pick.sel != 0 {
		t.Errorf("wheel back over the outline: selection %d, want 0", m.pick.sel)
	}
}

// TestMouseToggle: M turns reporting off (the status bar says how to get
// it back) and on; NoMouse starts with it off; off, clicks do nothing.
func TestMouseToggle(t *testing.T) {
	m := lookModel(t, lookSession(t), 80, 24, Options{})
	lookPress(m, m.keys.Mouse)
	if m.View().MouseMode != tea.MouseModeNone {
		t.Errorf("after M the mouse mode is %v", m.View().MouseMode)
	}
	if !strings.Contains(ansi.Strip(m.render()), "mouse off: the terminal can select text; M turns it back on") {
		t.Errorf("the status bar does not say the mouse is off:\n%s", ansi.Strip(m.render()))
	}
	x, y := lookLineOf(t, m, "turn      1")
	lookClick(m, x, y)
	if m.focus != panePending {
		t.Errorf("a click with the mouse off focused the events pane")
	}
	lookPress(m, m.keys.Mouse)
	if m.View().MouseMode != tea.MouseModeCellMotion {
		t.Errorf("after M twice the mouse mode is %v", m.View().MouseMode)
	}
	// Also over the detail view, where selecting text matters most.
	lookPress(m, m.keys.NextPane)
	lookPress(m, m.keys.Open)
	lookPress(m, m.keys.Mouse)
	if m.overlay != overlayDetail || m.View().MouseMode != tea.MouseModeNone {
		t.Errorf("M over the detail view: overlay %d mode %v", m.overlay, m.View().MouseMode)
	}

	off := lookModel(t, lookSession(t), 80, 24, Options{NoMouse: true})
	if off.View().MouseMode != tea.MouseModeNone {
		t.Errorf("NoMouse: mouse mode %v", off.View().MouseMode)
	}
}
