package filter

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks that Parse never panics, that its errors point inside
// the expression, that a parsed expression matches, builds its pattern and
// finds spans without panicking, that Quote round-trips any value, and
// that a word's folding search agrees with a folding regular expression.
//
//	go test -run '^$' -fuzz '^FuzzParse$' -fuzztime 5m -parallel 1 ./model/filter/
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "cart", "Cart", `"add to cart"`, `"say \"hi\""`, `"a\\b"`, "type:tool", "TYPE:Tool",
		"tool:add_to_cart", `tool:"add to"`, "id:call_Q1", "exec:virtual_1", "status:failed",
		"text:shoe-0+7", `text:"SKU.*00[17]"`, `text:"\D\S\W"`, `text:"a\\b"`, "error pending",
		"!type:text !error", `!"add to"`, `type:tool tool:add !"SHOE-007" text:sku`, "10:05", ":x",
		`a"b`, "a!b", "id:a:b", "café", "CAFÉ", "tol:x", `"add to`, `tool:"add`, `"a\`, `text:"(abc"`,
		"text:*", "!", "tool:x ! y", "!!x", "tool:", `id:""`, `""`, `"a"b`, "\xff", "a\tb\nc",
		`text:"(?i)Foo"`, `text:"\p{Lu}+"`, "text:a{1000}", "kelvin K", "ſtraße",
	} {
		f.Add(s)
	}
	items := []*Item{&textItem, &toolItem, &failedTool, &awaitItem, &errItem, &flatItem, &cafeItem, {}}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %T, want *SyntaxError", s, err)
			}
			if se.Pos < 0 || se.Pos > len(s) {
				t.Fatalf("Parse(%q) error at %d, outside the expression", s, se.Pos)
			}
			if se.Msg == "" || !strings.Contains(err.Error(), " at ") {
				t.Fatalf("Parse(%q) error %q says nothing", s, err)
			}
		} else {
			if e.String() != s {
				t.Fatalf("String() = %q, want %q", e.String(), s)
			}
			positive := false
			for _, tm := range e.terms {
				positive = positive || (!tm.neg && (tm.f == fWord || tm.f == fText))
			}
			if (e.Pattern() != nil) != positive {
				t.Fatalf("Parse(%q).Pattern() = %v with positive text terms %v", s, e.Pattern(), positive)
			}
			for _, it := range append(items, &Item{Text: s, Title: s, IDs: []string{s}}) {
				e.Match(it)
				checkSpans(t, e, it.Text)
			}
			checkSpans(t, e, s)
		}

		if !utf8.ValidString(s) || s == "" {
			return
		}
		for _, prefix := range []string{"", "!", "id:", "tool:", "exec:"} {
			src := prefix + Quote(s)
			q, err := Parse(src)
			if err != nil {
				t.Fatalf("Parse(%q) = %v: Quote(%q) does not parse", src, err, s)
			}
			if len(q.terms) != 1 || q.terms[0].val != s {
				t.Fatalf("Parse(%q) = %s, want one term of value %q", src, describe(q), s)
			}
		}
		// The word search agrees with a folding (or not) regular
		// expression over ASCII-folded text: needle the first half of s,
		// haystack s with its case changed.
		needle := s[:len(s)/2]
		for !utf8.ValidString(needle) {
			needle = needle[:len(needle)-1]
		}
		if needle == "" {
			return
		}
		w, err := Parse(Quote(needle))
		if err != nil {
			t.Fatal(err)
		}
		for _, hay := range []string{s, strings.ToUpper(s), strings.ToLower(s), strings.Repeat(s, 3)} {
			var ref bool
			lit := &w.terms[0].lit
			switch {
			case !lit.fold:
				ref = strings.Contains(hay, needle)
			case isASCII(needle):
				ref = strings.Contains(foldASCII(hay), needle)
			default:
				ref = regexp.MustCompile("(?i)" + regexp.QuoteMeta(needle)).MatchString(hay)
			}
			if got := w.Match(&Item{Text: hay}); got != ref {
				t.Fatalf("word %q in %q: Match %v, reference %v", needle, hay, got, ref)
			}
		}
	})
}

// checkSpans checks Spans's promises: in range, not empty, sorted, apart.
func checkSpans(t *testing.T, e *Expr, s string) {
	t.Helper()
	prev := -1
	for _, sp := range e.Spans(s, nil) {
		if sp[0] < 0 || sp[1] > len(s) || sp[0] >= sp[1] || sp[0] <= prev {
			t.Fatalf("Parse(%q).Spans(%q) has a bad span %v", e.String(), s, sp)
		}
		prev = sp[1]
	}
}

// foldASCII lower-cases ASCII letters only.
func foldASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = lowerASCII(c)
	}
	return string(b)
}
