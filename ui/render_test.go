package ui

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"rtinspect/api"
	"rtinspect/model"
)

// The drawing fast paths (box, cellWidth, fit, inks, rowLine) are held to
// the code they replaced, kept here as the reference: they must draw the
// same screens, only faster.

// boxLipgloss is how box drew before it was written by hand: the
// reference TestBoxMatchesLipgloss holds it to.
func boxLipgloss(th theme, title string, content string, w, h int, focused bool) string {
	if w < 4 || h < 2 {
		return ""
	}
	border := th.border
	if focused {
		border = th.borderFocus
	}
	inner := lipgloss.NewStyle().Width(w - 2).Height(h - 2).MaxHeight(h - 2).Render(content)
	body := border.Width(w).Height(h).Render(inner)
	if title == "" {
		return body
	}
	lines := strings.SplitN(body, "\n", 2)
	t := " " + title + " "
	if ansi.StringWidth(t) > w-4 {
		t = ansi.Truncate(t, w-4, "…")
	}
	ts := th.title.Render(t)
	if focused {
		ts = th.titleFocus.Render(t)
	}
	top := ansi.Cut(lines[0], 0, 2) + ts + ansi.Cut(lines[0], 2+ansi.StringWidth(t), w)
	if len(lines) == 1 {
		return top
	}
	return top + "\n" + lines[1]
}

func TestBoxMatchesLipgloss(t *testing.T) {
	th := defaultTheme()
	styled := th.bold.Render("bold") + " plain " + th.errText.Render("failed") + " · → é 日本"
	contents := []string{
		"",
		"one line",
		"a\nb\nc",
		"trailing newline\n",
		"\n\nblank lines first",
		styled + "\n" + th.selected.Render("selected row"),
		strings.Repeat("many lines\n", 30),
		"exactly ten",
	}
	for _, title := range []string{"", "Events 12 · following", "a title far too long to fit in the top border of a narrow box"} {
		for _, c := range contents {
			for _, sz := range [][2]int{{4, 3}, {12, 3}, {20, 6}, {48, 12}, {72, 38}} {
				for _, focused := range []bool{false, true} {
					name := fmt.Sprintf("%q/%q/%dx%d/%v", title, c, sz[0], sz[1], focused)
					w, h := sz[0], sz[1]
					// Lines no wider than the inside, as every pane
					// draws them (lipgloss would wrap wider ones).
					var ls []string
					for _, l := range strings.Split(c, "\n") {
						ls = append(ls, ansi.Truncate(l, w-2, ""))
					}
					c := strings.Join(ls, "\n")
					got, want := box(th, title, c, w, h, focused), boxLipgloss(th, title, c, w, h, focused)
					if ansi.Strip(got) != ansi.Strip(want) {
						t.Errorf("%s:\n got %q\nwant %q", name, ansi.Strip(got), ansi.Strip(want))
					}
					if got != want && !sameInk(got, want) {
						t.Errorf("%s: colours differ:\n got %q\nwant %q", name, got, want)
					}
				}
			}
		}
	}
}

// TestBoxIsExactlyItsSize checks the sizes lipgloss gets wrong: with no
// room inside (h = 2), it would draw the content anyway.
func TestBoxIsExactlyItsSize(t *testing.T) {
	th := defaultTheme()
	for _, sz := range [][2]int{{4, 2}, {10, 2}, {4, 3}, {30, 5}} {
		got := ansi.Strip(box(th, "title", "a\nb\nc\nd\ne\nf", sz[0], sz[1], false))
		lines := strings.Split(got, "\n")
		if len(lines) != sz[1] {
			t.Errorf("%dx%d: %d lines, want %d:\n%s", sz[0], sz[1], len(lines), sz[1], got)
		}
		for _, l := range lines {
			if w := ansi.StringWidth(l); w != sz[0] {
				t.Errorf("%dx%d: line %q is %d cells wide", sz[0], sz[1], l, w)
			}
		}
	}
}

// sameInk reports whether two drawings show the same cells in the same
// colours, whatever escape sequences carry them: each cell is compared with
// the SGR state in force when it is drawn.
func sameInk(a, b string) bool {
	ca, cb := cells(a), cells(b)
	if len(ca) != len(cb) {
		return false
	}
	for i := range ca {
		if ca[i] != cb[i] {
			return false
		}
	}
	return true
}

type cell struct{ text, sgr string }

func cells(s string) []cell {
	var out []cell
	sgr := ""
	p := ansi.NewParser()
	state := byte(0)
	for len(s) > 0 {
		seq, width, n, newState := ansi.DecodeSequence(s, state, p)
		state = newState
		switch {
		case ansi.HasCsiPrefix(seq) && strings.HasSuffix(seq, "m"):
			params := strings.TrimSuffix(strings.TrimPrefix(seq, "\x1b["), "m")
			if params == "" || params == "0" {
				sgr = ""
			} else {
				sgr += ";" + params
			}
		case width > 0 || seq == "\n":
			out = append(out, cell{seq, sgr})
		}
		s = s[n:]
	}
	return out
}

// widthCorpus are strings of every kind a pane draws.
func widthCorpus() []string {
	th := defaultTheme()
	out := []string{
		"", " ", "plain ascii", "tool search_orders {\"customer\":\"C-1042\"} → {\"orders\":[]}",
		"café · naïve – “quoted” … done", "│ box ─ drawing ╭╮", "→ ← ↔ ⇒",
		"日本語のテキスト", "emoji 🎉 here", "e\u0301 combining", "zero\u200bwidth", "soft\u00adhyphen",
		"flag 🇫🇷", "keycap 1\ufe0f\u20e3", "\x1b]0;title\x07osc", "bell\x07", "tab\there",
		th.bold.Render("bold") + " and " + th.errText.Render("red") + " · ok",
		th.selected.Render("selected → row"), th.kind["reasoning"].Render("italic é"),
		"\x1b[1mno reset", "\x1b[38;5;", "half \xff byte",
	}
	// Every one-cell rune alone, after ASCII, and before a combining mark.
	for r := rune(0xa0); r <= 0x257f; r++ {
		if oneCell(r) {
			out = append(out, string(r), "a"+string(r)+"b", string(r)+"\u0301")
		}
	}
	// Random mixes.
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"a", "Z", " ", "é", "…", "·", "→", "─", "日", "🎉", "\u0301", "\x1b[1m", "\x1b[m", "\x1b[38;2;1;2;3m", "\u200d", "\ufe0f", "\t"}
	for range 3000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		out = append(out, b.String())
	}
	return out
}

func TestCellWidthMatchesAnsi(t *testing.T) {
	for _, s := range widthCorpus() {
		got, plain := cellWidth(s)
		if want := ansi.StringWidth(s); got != want {
			t.Errorf("cellWidth(%q) = %d, want %d", s, got, want)
		}
		if plain {
			for _, r := range s {
				if r < 0x20 || r == 0x7f || (r >= 0x80 && !oneCell(r)) {
					t.Errorf("cellWidth(%q) says plain, but %U is not one cell", s, r)
				}
			}
		}
	}
}

// fitReference is fit before its fast path.
func fitReference(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := ansi.StringWidth(s)
	if sw > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-sw)
}

func TestFitMatchesReference(t *testing.T) {
	for _, s := range widthCorpus() {
		for _, w := range []int{0, 1, 2, 3, 5, 8, 13, 40} {
			if got, want := fit(s, w), fitReference(s, w); got != want {
				t.Errorf("fit(%q, %d) = %q, want %q", s, w, got, want)
			}
		}
		if _, plain := cellWidth(s); plain {
			for n := range utf8.RuneCountInString(s) + 2 {
				if got, want := dropCells(s, n), ansi.TruncateLeft(s, n, ""); got != want {
					t.Errorf("dropCells(%q, %d) = %q, want %q", s, n, got, want)
				}
			}
		}
	}
}

func TestInksMatchLipgloss(t *testing.T) {
	th := defaultTheme()
	styles := map[string]lipgloss.Style{
		"border": th.border, "title": th.title, "titleFocus": th.titleFocus, "selected": th.selected,
		"dim": th.dim, "bold": th.bold, "statusBar": th.statusBar, "keyHint": th.keyHint,
		"errText": th.errText, "okText": th.okText, "warnText": th.warnText, "jsonKey": th.jsonKey,
	}
	for k, st := range th.kind {
		styles["kind "+k] = st
	}
	for k, st := range th.stateStyle {
		styles["state "+k] = st
	}
	for name, st := range styles {
		in := newInk(st)
		if !in.wraps && name != "border" {
			t.Errorf("%s: no ink (every text style of the theme should have one)", name)
		}
		if in.wraps && name == "border" {
			t.Errorf("border: an ink for a style that draws a border")
		}
		if ansi.Strip(in.pre+in.post) != "" {
			t.Errorf("%s: ink %q %q draws more than escape sequences", name, in.pre, in.post)
		}
		for _, s := range []string{"", " ", "ok", "  lead and trail  ", "é … · → 日本", "tab\tin", "two\nlines", "\x1b[1mstyled\x1b[m"} {
			if got, want := in.render(s), st.Render(s); got != want {
				t.Errorf("%s: render(%q) = %q, want %q", name, s, got, want)
			}
		}
	}
}

// rowLineReference is rowLine before its fast paths.
func (m *Model) rowLineReference(r *model.Row, start time.Time, w int) string {
	rel := ""
	if !r.At.IsZero() && !start.IsZero() {
		rel = fmt.Sprintf("%6.2fs", r.At.Sub(start).Seconds())
	}
	kind := r.Kind.String()
	st, ok := m.th.kind[kind]
	label := fitReference(kind, 9)
	if ok {
		label = st.Render(label)
	}
	var b strings.Builder
	b.WriteString(m.th.dim.Render(fitReference(rel, 7)))
	b.WriteString(" ")
	b.WriteString(label)
	b.WriteString(" ")
	if r.Depth > 0 {
		b.WriteString(strings.Repeat("  ", min(r.Depth, 4)))
	}
	title := strings.TrimPrefix(r.Title, kind)
	title = strings.TrimSpace(title)
	text := r.Text()
	if n := 4*w + 16; len(text) > n {
		if r.Status == "streaming" {
			i := len(text) - n
			for i < len(text) && !utf8.RuneStart(text[i]) {
				i++
			}
			text = "…" + text[i:]
			if tw := ansi.StringWidth(clean(text)); tw > w/2 {
				text = "…" + ansi.TruncateLeft(clean(text), tw-w/2, "")
			}
		} else {
			text = text[:n]
		}
	}
	if r.Kind == model.RowStreamEnd {
		title, text = "", strings.TrimPrefix(text, "stream ")
	}
	if title != "" && strings.HasPrefix(text, title+" ") {
		text = text[len(title)+1:]
	}
	if title != "" {
		b.WriteString(clean(title))
		b.WriteString(" ")
	}
	if r.Status != "" && r.Kind != model.RowStreamEnd {
		var sw string
		switch s := r.Status; s {
		case "failed", "error", "denied":
			sw = m.th.errText.Render(s)
		case "waiting", "pending":
			sw = m.th.warnText.Render(s)
		case "ok", "done", "approved", "completed":
			sw = m.th.okText.Render(s)
		default:
			sw = m.th.dim.Render(clean(s))
		}
		b.WriteString(sw)
		b.WriteString(" ")
	}
	b.WriteString(clean(text))
	return fitReference(b.String(), w)
}

// oddRowsSession folds rows of every shape rowLine handles: nested
// executions, long and streaming texts in several scripts, escapes, long
// titles, odd statuses, a request and a stream end.
func oddRowsSession(t *testing.T) *model.Session {
	t.Helper()
	s := model.NewSession()
	at := time.Date(2026, 6, 20, 10, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return at }
	if err := s.Begin(api.Request{Method: "POST", Path: api.PathDispatch, Body: []byte(`{"agent":{}}`)}); err != nil {
		t.Fatal(err)
	}
	s.StreamOpened()
	d := api.NewDecoder()
	n := 0
	emit := func(data string) {
		n++
		at = at.Add(1337 * time.Millisecond)
		s.ApplyBatch(d.Decode(nil, api.Frame{Data: data, At: at}))
	}
	long := func(word string, k int) string { return strings.Repeat(word, k) }
	emit(`{"type":"execution_start","executionId":"e","kind":"agent","agentName":"Outer"}`)
	emit(`{"type":"execution_start","executionId":"e2","kind":"flow","flowName":"Inner"}`)
	emit(`{"type":"execution_start","executionId":"e3","kind":"flow","flowName":"Deeper"}`)
	for i, txt := range []string{
		"short", long("ascii words ", 200), long("café… naïve → ", 150), long("日本語のテキスト", 100),
		long("e\u0301 ", 300), long("emoji 🎉 ", 120), "line\nbreaks\tand\u001b[31mescapes", "text_1 starts with its title",
	} {
		id := fmt.Sprintf(`"id":"b%d"`, i)
		emit(`{"type":"text_delta","executionId":"e",` + id + `,"delta":"` + txt + `"}`)
		if i%2 == 0 {
			emit(`{"type":"text_complete","executionId":"e",` + id + `}`)
		}
	}
	emit(`{"type":"tool_start","executionId":"e","toolCallId":"c1","toolName":"` + long("very_long_tool_name_", 8) + `","parameters":{"q":"` + long("x", 500) + `"}}`)
	emit(`{"type":"tool_complete","executionId":"e","toolCallId":"c1","success":false,"error":"boom"}`)
	emit(`{"type":"approval_start","executionId":"e","approvalId":"a1","toolName":"pay","reason":"big"}`)
	emit(`{"type":"approval_complete","executionId":"e","approvalId":"a1","decision":"odd\tdecision"}`)
	emit(`{"type":"custom","executionId":"e","name":"ünïcode","data":{"k":"v"}}`)
	emit(`{"type":"execution_complete","executionId":"e3","success":true}`)
	emit(`{"type":"brand_new","executionId":"e","id":"x"}`)
	emit(`not json`)
	emit(`{"type":"text_delta","executionId":"e","id":"tail","delta":"` + long("the answer goes on ", 300) + `"}`)
	s.EndStream(nil)
	return s
}

func TestRowLineMatchesReference(t *testing.T) {
	s := oddRowsSession(t)
	big := benchSession(1000)
	m := New(Options{Session: s, Keys: benchKeys(), TempDir: t.TempDir()})
	for _, sess := range []*model.Session{s, big} {
		start := sess.Row(0).At
		for i := range sess.RowCount() {
			r := sess.Row(i)
			for _, w := range []int{1, 8, 20, 21, 30, 47, 70, 71, 118} {
				k := newInks(&m.th)
				line, plain := m.rowLine(k, r, start, w)
				want := m.rowLineReference(r, start, w)
				if line != want {
					t.Errorf("row %d (%s %q) at %d cells:\n got %q\nwant %q", i, r.Kind, r.Title, w, line, want)
					continue
				}
				if plain != ansi.Strip(want) {
					t.Errorf("row %d at %d cells: plain %q, want %q", i, w, plain, ansi.Strip(want))
				}
			}
		}
	}
}

func TestWrapHeadMatchesWrapLines(t *testing.T) {
	th := defaultTheme()
	texts := []string{
		"", "one", "a\nb\n\nc\n", strings.Repeat("word ", 300), strings.Repeat("café → x ", 2000) + "\nnext",
		strings.Repeat("  spaced   out ", 500), strings.Repeat("x", 44) + "\n" + strings.Repeat("y", 88),
		th.bold.Render("text") + "  row  execution e  status streaming\n" + th.dim.Render("v raw frames / decoded · esc back") + "\n\n" + strings.Repeat("café → 日本語 ", 80) + "\n" + prettyJSON([]byte(`{"a":[1,2,{"b":"`+strings.Repeat("x", 300)+`"}]}`), th),
	}
	texts = append(texts, widthCorpus()[:400]...)
	for _, s := range texts {
		for _, w := range []int{0, 1, 5, 44, 80} {
			all := strings.Split(wrapLines(s, w), "\n")
			for _, h := range []int{0, 1, 3, 36} {
				want := all[:min(len(all), max(h, 1))]
				if got := wrapHead(s, w, h); strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("wrapHead(%q, %d, %d) =\n%q\nwant\n%q", s, w, h, got, want)
				}
			}
		}
	}
}
