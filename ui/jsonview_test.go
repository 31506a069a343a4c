package ui

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// jsonDoc is a document holding raw as its only value.
func jsonDoc(t testing.TB, raw string) *doc {
	t.Helper()
	b := newDocBuilder()
	if !b.json([]byte(raw)) {
		t.Fatalf("not JSON: %s", raw)
	}
	return b.doc()
}

// docLines draws every display line of d at width w, without colour.
func docLines(d *doc, w int) []string {
	th := defaultTheme()
	di := newDocInks(&th)
	var out []string
	for l := 0; l < d.total(); l++ {
		line, _ := d.draw(l, w, &di, false)
		out = append(out, ansi.Strip(line))
	}
	return out
}

var jsonCases = []string{
	`{}`, `[]`, `"s"`, `12.5e-3`, `null`, `true`,
	`{"a":1,"b":[1,2,{"c":null,"d":[]}],"e":{},"f":"x\ny\"z\\n"}`,
	` [ {"k" : "v" } , [ [ ] ] , -0.5 ] `,
	`{"ü":"日本語","esc":"\u001b[2J","nested":{"deep":{"deeper":{"deepest":[false]}}}}`,
}

// TestDocPrettyPrintsAsJSONIndent: the source text of a JSON value is what
// json.Indent makes of it, and every node's value is its own JSON.
func TestDocPrettyPrintsAsJSONIndent(t *testing.T) {
	for _, raw := range jsonCases {
		d := jsonDoc(t, raw)
		var want bytes.Buffer
		if err := json.Indent(&want, bytes.TrimSpace([]byte(raw)), "", "  "); err != nil {
			t.Fatal(err)
		}
		if d.src != want.String() {
			t.Errorf("%s:\n got %q\nwant %q", raw, d.src, want.String())
		}
		for i := range d.nodes {
			n := &d.nodes[i]
			if !json.Valid([]byte(d.src[n.val:n.valEnd])) {
				t.Errorf("%s: node %d value %q is not JSON", raw, i, d.src[n.val:n.valEnd])
			}
			if got := d.nodeAt(n.val); got != int32(i) {
				t.Errorf("%s: nodeAt(%d) = %d, want %d", raw, n.val, got, i)
			}
		}
		// Unfolded, at a wide width, a display line is a source line
		// (but for \n escapes, which end lines).
		if strings.Contains(raw, `\n`) {
			continue
		}
		d.layout(200)
		if got := strings.Join(docLines(d, 200), "\n"); got != cleanBlock(want.String()) {
			t.Errorf("%s: drawn\n%s\nwant\n%s", raw, got, want.String())
		}
	}
}

// TestCellAtMatchesAnsi: measuring character by character, as the layout
// does, gives the width ansi gives the cleaned text, the fast paths
// (ASCII, one-cell runes, CJK) included.
func TestCellAtMatchesAnsi(t *testing.T) {
	corpus := widthCorpus()
	rng := rand.New(rand.NewPCG(3, 4))
	pieces := []string{"a", " ", "ß", "✓", "日", "本", "語", "한", "カ", "\u0301", "🎉", "\u200d", "é", "\x1b", "\n", "\t", "\xff", "\u0085", "\\n",
		"\ufe0f", "❤", "✅", "ᄀ", "🇫", "\r"}
	// A prepended rune (U+0600) joins what clean draws after it; these
	// are measured exactly. One before a tab before a variation selector
	// is not (a cell off, which fit absorbs).
	corpus = append(corpus, "\u0600\x1b", "\u0600\xffa", "\u0600\t", "a\u0600\u0600\u0085", "\u0600ß", "\u0600\n日", "x\u0600")
	for range 3000 {
		var b strings.Builder
		for range rng.IntN(16) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		corpus = append(corpus, b.String())
	}
	for r := rune(0x3000); r < 0xfb00; r += 7 {
		if wideAlone(r) {
			corpus = append(corpus, string(r), "x"+string(r)+"y", string(r)+string(r))
		}
	}
	// Twice with a memo: the widths it remembers the first time must
	// hold the second.
	rw := newRuneWidths()
	for range 2 {
		for _, s := range corpus {
			got := 0
			for i := 0; i < len(s); {
				size, cells := rw.cellAt(s, i, len(s), false)
				got += cells
				i += size
			}
			if want := ansi.StringWidth(clean(s)); got != want {
				t.Errorf("%q: measured %d cells, ansi says %d", s, got, want)
			}
		}
	}
}

// TestWrapKeepsWidthAndText: every display line fits, continuation lines
// are indented under their value, and the lines of an entry put together
// are its text.
func TestWrapKeepsWidthAndText(t *testing.T) {
	long := strings.Repeat("ß✓日本語 ", 60)
	raw := `{"a":{"text":"` + long + `","multi":"one\ntwo\nthree","n":1}}`
	d := jsonDoc(t, raw)
	for _, w := range []int{10, 23, 40, 80} {
		d.layout(w)
		lines := docLines(d, w)
		for i, l := range lines {
			if cw := ansi.StringWidth(l); cw > w {
				t.Errorf("w=%d: line %d is %d cells: %q", w, i, cw, l)
			}
		}
		for ei, e := range d.entries {
			a, b := d.span(e)
			var got strings.Builder
			for sub := 0; sub < d.lines[ei+1]-d.lines[ei]; sub++ {
				x, y := d.subSpan(ei, sub)
				got.WriteString(d.src[x:y])
				if sub > 0 && !strings.HasPrefix(lines[d.lines[ei]+sub], strings.Repeat(" ", d.hang(e, w))) {
					t.Errorf("w=%d: continuation %q is not indented %d", w, lines[d.lines[ei]+sub], d.hang(e, w))
				}
			}
			if got.String() != d.src[a:b] {
				t.Errorf("w=%d: entry %d wraps to %q, want %q", w, ei, got.String(), d.src[a:b])
			}
		}
	}
	// A \n escape ends a display line: multi-line text reads as lines.
	d.layout(80)
	got := strings.Join(docLines(d, 80), "\n")
	if !strings.Contains(got, `"multi": "one\n`+"\n      two\\n\n      three\",") {
		t.Errorf("the \\n escapes do not end lines:\n%s", got)
	}
}

// TestBigStringStartsFolded: a string over bigString shows on one line, its
// head and its size; unfolded it wraps.
func TestBigStringStartsFolded(t *testing.T) {
	big := strings.Repeat("ß✓日本語 ", 400_000/15)
	d := jsonDoc(t, `{"rows":2,"text":"`+big+`"}`)
	d.layout(76)
	lines := docLines(d, 76)
	if len(lines) != 4 {
		t.Fatalf("folded: %d lines, want 4:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	// The head of the string fills the line.
	if want := `  "text": "ß✓日本語 ß✓日本語 ß✓日本語 ß✓日本語 ß✓日本語 ß✓日本語 ß✓…" 400 KB`; lines[2] != want {
		t.Errorf("folded line\n %q\nwant\n %q", lines[2], want)
	}
	if w := ansi.StringWidth(lines[2]); w != 76 {
		t.Errorf("the folded line is %d cells, want 76", w)
	}
	d.nodes[2].folded = false
	d.layout(76)
	if n := d.total(); n < 400_000/15*9/72 {
		t.Errorf("unfolded: %d lines", n)
	}
}

func TestFoldedSummaries(t *testing.T) {
	d := jsonDoc(t, `{"o":{"a":1,"b":2},"l":[1,2,3],"one":[1]}`)
	for i := range d.nodes {
		if d.nodes[i].container() && d.nodes[i].parent >= 0 {
			d.nodes[i].folded = true
		}
	}
	d.layout(80)
	want := "{\n" + `  "o": {…} 2 keys,` + "\n" + `  "l": […] 3 items,` + "\n" + `  "one": […] 1 item` + "\n}"
	if got := strings.Join(docLines(d, 80), "\n"); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestRevealUnfoldsWhatHidesAMatch: a match deep in folded values unfolds
// every value around it, and only those.
func TestRevealUnfoldsWhatHidesAMatch(t *testing.T) {
	d := jsonDoc(t, `{"a":{"b":{"c":"needle"}},"z":{"y":1}}`)
	for i := range d.nodes {
		d.nodes[i].folded = d.nodes[i].container()
	}
	d.layout(80)
	if d.total() != 1 {
		t.Fatalf("all folded: %d lines", d.total())
	}
	p := strings.Index(d.src, "needle")
	if d.lineOf(p) != 0 {
		t.Errorf("a hidden match is not on the folded line")
	}
	if !d.reveal(p) {
		t.Fatalf("reveal unfolded nothing")
	}
	d.layout(80)
	got := strings.Join(docLines(d, 80), "\n")
	want := "{\n  \"a\": {\n    \"b\": {\n      \"c\": \"needle\"\n    }\n  },\n  \"z\": {…} 1 key\n}"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if l := d.lineOf(p); docLines(d, 80)[l] != `      "c": "needle"` {
		t.Errorf("lineOf the match = %d", l)
	}
}

func TestValueText(t *testing.T) {
	d := jsonDoc(t, `{"s":"a\"b\n","n":-1.5,"o":{"k":[true]},"nil":null}`)
	want := map[string]string{
		`"s"`:   "a\"b\n",
		`"n"`:   "-1.5",
		`"o"`:   "{\n  \"k\": [\n    true\n  ]\n}",
		`"nil"`: "null",
	}
	for i := range d.nodes {
		n := &d.nodes[i]
		k := d.src[n.key:n.keyEnd]
		if w, ok := want[k]; ok {
			if got := d.valueText(int32(i)); got != w {
				t.Errorf("%s: %q, want %q", k, got, w)
			}
			delete(want, k)
		}
	}
	if len(want) > 0 {
		t.Errorf("not found: %v", want)
	}
}

func TestNextMatch(t *testing.T) {
	ms := [][2]int{{10, 12}, {20, 22}, {30, 32}}
	cases := []struct {
		cur, at int
		onCur   bool
		dir     int
		want    int
		wrapped bool
	}{
		{-1, 0, false, 1, 0, false},
		{-1, 20, false, 1, 1, false}, // a match on the cursor's line is next
		{-1, 21, false, 1, 2, false},
		{-1, 31, false, 1, 0, true},
		{-1, 20, false, -1, 0, false},
		{-1, 5, false, -1, 2, true},
		{1, 0, true, 1, 2, false},
		{2, 0, true, 1, 0, true},
		{0, 0, true, -1, 2, true},
	}
	for _, c := range cases {
		got, wrapped := nextMatch(ms, c.cur, c.at, c.onCur, c.dir)
		if got != c.want || wrapped != c.wrapped {
			t.Errorf("nextMatch(cur %d, at %d, on %v, dir %d) = %d %v, want %d %v", c.cur, c.at, c.onCur, c.dir, got, wrapped, c.want, c.wrapped)
		}
	}
}

// TestDrawnDocCannotDriveTheTerminal: escape sequences in values and text
// lines are drawn escaped, folded or not, matched or not.
func TestDrawnDocCannotDriveTheTerminal(t *testing.T) {
	evil := "\x1b]52;c;cHduZWQ=\x07\x1b[2J"
	b := newDocBuilder()
	b.line(evil, styleBold, evil)
	b.text(evil+"\n"+evil, stylePlain)
	b.json([]byte(`{"k` + jsonEscape(evil) + `":"` + jsonEscape(evil) + strings.Repeat("x", bigString) + `"}`))
	d := b.doc()
	d.setPattern(regexp.MustCompile(`2J`))
	th := defaultTheme()
	di := newDocInks(&th)
	for _, w := range []int{12, 80} {
		d.layout(w)
		for l := 0; l < d.total(); l++ {
			for _, cur := range []bool{false, true} {
				s, _ := d.draw(l, w, &di, cur)
				if strings.Contains(s, "\x1b]") || strings.Contains(s, "\x1b[2J") || strings.Contains(s, "\x07") {
					t.Fatalf("line %d draws %q", l, s)
				}
			}
		}
	}
}

func jsonEscape(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// bigResultDoc is the detail of a 400 KB tool result, the sim's big
// scenario: built as the detail view builds it.
func bigResultDoc(b testing.TB) (*Model, int) {
	s := detailSession(b, bigFrames()...)
	m := detailModel(b, s, 100, 30)
	return m, toolRow(b, m, "export_catalog")
}

// BenchmarkDetail times the detail view on a 400 KB tool result (issue 7:
// open well under 100 ms, a frame of scrolling under 2 ms).
//
//	go test ./ui -run '^$' -bench Detail
//
// "open" opens the decoded detail (the big string folded) and draws its
// first frame; "open-raw" the raw frame, one 400 KB data line wrapped;
// "unfold" unfolds the string; "frame" pages down once and draws, over
// the unfolded string; "frame-raw" the same over the raw frame; "search"
// jumps to the next match of a word that occurs 26 000 times.
func BenchmarkDetail(b *testing.B) {
	m, row := bigResultDoc(b)
	b.Run("open", func(b *testing.B) {
		for b.Loop() {
			m.openRowDetail(row, false)
			m.View()
		}
	})
	b.Run("open-raw", func(b *testing.B) {
		for b.Loop() {
			m.openRowDetail(row, true)
			m.View()
		}
	})
	b.Run("unfold", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			m.openRowDetail(row, false)
			m.scroll.moveTo(lineWith(b, m, `"text": "`))
			b.StartTimer()
			detPress(m, m.keys.Expand)
			m.View()
		}
	})
	for _, raw := range []bool{false, true} {
		name := "frame"
		if raw {
			name = "frame-raw"
		}
		b.Run(name, func(b *testing.B) {
			m.openRowDetail(row, raw)
			if !raw {
				m.scroll.moveTo(lineWith(b, m, `"text": "`))
				detPress(m, m.keys.Expand)
			}
			if m.scroll.count() < 1000 {
				b.Fatalf("only %d lines", m.scroll.count())
			}
			m.View()
			for b.Loop() {
				if m.scroll.cursor >= m.scroll.count()-1 {
					m.scroll.moveTo(0)
				}
				detPress(m, m.keys.PageDown)
				m.View()
			}
		})
	}
	b.Run("search", func(b *testing.B) {
		m.openRowDetail(row, false)
		m.setFilter("本語")
		m.openRowDetail(row, false)
		for b.Loop() {
			detPress(m, m.keys.NextMatch)
			m.View()
		}
	})
}

// TestBigFixture keeps the benchmark honest: its result is 400 KB.
func TestBigFixture(t *testing.T) {
	m, row := bigResultDoc(t)
	m.openRowDetail(row, false)
	if n := len(m.scroll.doc.src); n < 400_000 {
		t.Fatalf("the big result is %d bytes", n)
	}
}
