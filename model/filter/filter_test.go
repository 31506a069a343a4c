package filter

import (
	"errors"
	"strings"
	"testing"
)

// describe writes the parsed terms in a short form for the tables:
// "!tool:add_to_cart/i" is a negated, case-insensitive tool term.
func describe(e *Expr) string {
	names := [...]string{fWord: "word", fType: "type", fTool: "tool", fID: "id", fExec: "exec",
		fText: "text", fStatus: "status", fError: "error", fPending: "pending"}
	var parts []string
	for _, t := range e.terms {
		s := names[t.f]
		if t.neg {
			s = "!" + s
		}
		switch t.f {
		case fError, fPending:
		case fText:
			s += ":" + t.re.String()
		default:
			s += ":" + t.val
			if t.lit.fold {
				s += "/i"
			}
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func TestParse(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"blanks", "  \t ", ""},
		{"word", "cart", "word:cart/i"},
		{"word smart case", "Cart", "word:Cart"},
		{"phrase", `"add to cart"`, "word:add to cart/i"},
		{"phrase keeps a keyword as text", `"error"`, "word:error/i"},
		{"escaped quote", `"say \"hi\""`, `word:say "hi"/i`},
		{"escaped backslash in a phrase", `"a\\b"`, `word:a\b/i`},
		{"other backslash kept", `"a\nb"`, `word:a\nb/i`},
		{"type", "type:tool", "type:tool"},
		{"type folds", "type:TOOL", "type:tool"},
		{"field name folds", "TYPE:tool", "type:tool"},
		{"tool", "tool:add_to_cart", "tool:add_to_cart/i"},
		{"tool quoted", `tool:"add to cart"`, "tool:add to cart/i"},
		{"id", "id:call_Q1", "id:call_Q1"},
		{"exec", "exec:virtual_1", "exec:virtual_1/i"},
		{"status", "status:failed", "status:failed"},
		{"text bare", "text:shoe-0+7", "text:(?i)shoe-0+7"},
		{"text quoted", `text:"sku.*007"`, "text:(?i)sku.*007"},
		{"text smart case", `text:"SKU.*007"`, "text:SKU.*007"},
		{"text escapes are not upper case", `text:"\D\S\W"`, `text:(?i)\D\S\W`},
		{"text class bound is", `text:"[A-Z]+"`, `text:[A-Z]+`},
		{"text keeps double backslash", `text:"a\\b"`, `text:(?i)a\\b`},
		{"text quote in regex", `text:"say \"hi\""`, `text:(?i)say "hi"`},
		{"flags", "error pending", "error pending"},
		{"negation", "!type:text !error", "!type:text !error"},
		{"negated phrase", `!"add to"`, "!word:add to/i"},
		{"combination", `type:tool tool:add !"SHOE-007" text:sku`, `type:tool tool:add/i !word:SHOE-007 text:(?i)sku`},
		{"colon after a digit is a word", "10:05", "word:10:05/i"},
		{"colon first is a word", ":x", "word::x/i"},
		{"quote inside a word is literal", `a"b`, `word:a"b/i`},
		{"bang inside a word is literal", "a!b", "word:a!b/i"},
		{"value may hold a colon", "id:a:b", "id:a:b/i"},
		{"tabs separate", "tool:x\terror", "tool:x/i error"},
		{"non-ASCII folds", "café", "word:café/i"},
		{"non-ASCII upper", "Café", "word:Café"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Parse(tc.in)
			if err != nil {
				t.Fatalf("Parse(%q) = %v, want no error", tc.in, err)
			}
			if got := describe(e); got != tc.want {
				t.Errorf("Parse(%q) = %s, want %s", tc.in, got, tc.want)
			}
			if e.String() != tc.in {
				t.Errorf("String() = %q, want %q", e.String(), tc.in)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, in string
		pos      int
		msg      string // a part of Error()
	}{
		{"unknown field", "tol:x", 0, `unknown field "tol" at 1 — fields: type tool id exec text status`},
		{"unknown field after others", "error tol:x", 6, `unknown field "tol" at 7`},
		{"unknown negated field", "!tol:x", 1, `unknown field "tol"`},
		{"unknown field with digits", "call_Q1:x", 0, `unknown field "call_Q1"`},
		{"unclosed phrase", `"add to`, 0, "unclosed quote at 1"},
		{"unclosed value", `tool:"add`, 5, "unclosed quote at 6"},
		{"unclosed after escape", `"a\"`, 0, "unclosed quote"},
		{"backslash at the end", `"a\`, 0, "unclosed quote"},
		{"invalid regex", `text:"(abc"`, 5, "text: invalid regular expression: missing closing ): \"(abc\" at 6"},
		{"invalid bare regex", "type:x text:a[", 12, "invalid regular expression: missing closing ]"},
		{"invalid repeat", "text:*", 5, "missing argument to repetition operator"},
		{"lone bang", "!", 0, "! needs a term after it at 1"},
		{"bang then space", "tool:x ! y", 7, "! needs a term after it at 8"},
		{"double bang", "!!x", 1, "one ! per term at 2"},
		{"empty value", "tool:", 5, "tool: needs a value at 6"},
		{"empty value before a term", "tool: x", 5, "tool: needs a value"},
		{"empty quoted value", `id:""`, 3, "id: needs a value"},
		{"empty phrase", `""`, 0, "empty phrase"},
		{"text after a closing quote", `"a"b`, 3, "a space must follow the closing quote at 4"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Parse(tc.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %s, want an error", tc.in, describe(e))
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %T, want *SyntaxError", tc.in, err)
			}
			if se.Pos != tc.pos {
				t.Errorf("Parse(%q) error at %d, want %d (%v)", tc.in, se.Pos, tc.pos, err)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("Parse(%q) error %q, want it to contain %q", tc.in, err, tc.msg)
			}
		})
	}
}

// Items like the rows of the parallel-pause demo.
var (
	textItem = Item{Kind: "text", Type: "text_start", ExecutionID: "exec_dfa82c9d", IDs: []string{"text_1", "exec_dfa82c9d"},
		Title: "text", Text: "Adding both now.", Status: "done"}
	toolItem = Item{Kind: "tool", Type: "tool_start", Tool: "add_to_cart", ExecutionID: "exec_dfa82c9d",
		IDs: []string{"call_Q1", "exec_dfa82c9d"}, Title: "tool add_to_cart",
		Text: `add_to_cart {"sku":"SHOE-001","qty":1}`, Status: "waiting", Pending: true}
	failedTool = Item{Kind: "tool", Type: "tool_start", Tool: "search_products", ExecutionID: "exec_dfa82c9d",
		IDs: []string{"call_S1"}, Title: "tool search_products", Text: "search_products → error: timeout", Status: "failed", Error: true}
	awaitItem = Item{Kind: "await", Type: "await", Tool: "add_to_cart", ExecutionID: "virtual_1781574599723_gljgv7bqa",
		IDs: []string{"call_Q2"}, Title: "await add_to_cart", Text: `add_to_cart {"sku":"SHOE-007","qty":1} (call_Q2)`,
		Status: "waiting", Pending: true}
	errItem  = Item{Kind: "error", Type: "error", Title: "error", Text: "rate limited (429)", Status: "recoverable", Error: true}
	flatItem = Item{Type: "tool_complete", Tool: "add_to_cart", ExecutionID: "exec_dfa82c9d"}
	cafeItem = Item{Kind: "text", Type: "text_delta", Text: "Le CAFÉ est prêt"}
)

func TestMatch(t *testing.T) {
	all := map[string]*Item{"text": &textItem, "tool": &toolItem, "failed": &failedTool, "await": &awaitItem,
		"err": &errItem, "flat": &flatItem, "cafe": &cafeItem}
	cases := []struct {
		expr string
		want string // the names of the items that match, sorted
	}{
		{"", "await cafe err failed flat text tool"},
		{"type:tool", "failed flat tool"},
		{"type:tool_complete", "flat"},
		{"type:tool_comp", ""}, // a type prefix must end at an underscore
		{"type:text", "cafe text"},
		{"type:await", "await"},
		{"type:error", "err"},
		{"!type:tool", "await cafe err text"},
		{"tool:add_to_cart", "await flat tool"},
		{"tool:cart", "await flat tool"},
		{"tool:Cart", ""},
		{"error", "err failed"},
		{"!error", "await cafe flat text tool"},
		{"pending", "await tool"},
		{"pending !type:await", "tool"},
		{"id:call_Q", "await tool"},
		{"id:call_", "await failed tool"},
		{"id:call_q1", "tool"},
		{"id:call_s", "failed"},
		{"id:CALL_q", ""},
		{"id:virtual", "await"},
		{"exec:exec_dfa82c9d", "failed flat text tool"},
		{"exec:VIRTUAL", ""},
		{"!exec:exec_dfa", "await cafe err"},
		{"status:failed", "failed"},
		{"status:wait", "await tool"},
		{"status:WAITING", "await tool"},
		{`text:"sku.*00[17]"`, "await tool"},
		{`text:"SKU"`, ""},
		{`text:"SHOE-00"`, "await tool"},
		{`text:"^add"`, "await text tool"}, // "Adding both now."
		{`text:"^add_"`, "await tool"},
		{"text:both", "text"},
		{"both", "text"},
		{"BOTH", ""},
		{"shoe-007", "await"},
		{`"both now"`, "text"},
		{"search", "failed"},
		{"recoverable", "err"},
		{"text_1", "text"},
		{"virtual", "await"},
		{"café", "cafe"},
		{"CAFÉ", "cafe"},
		{"Café", ""},
		{"add_to_cart !pending", "flat"},
		{"add_to_cart shoe-001", "tool"},
		{`"error"`, "err failed"}, // quoted: a text search, not the flag
	}
	for _, tc := range cases {
		t.Run(tc.expr, func(t *testing.T) {
			e, err := Parse(tc.expr)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, name := range []string{"await", "cafe", "err", "failed", "flat", "text", "tool"} {
				if e.Match(all[name]) {
					got = append(got, name)
				}
			}
			if g := strings.Join(got, " "); g != tc.want {
				t.Errorf("%q matches %q, want %q", tc.expr, g, tc.want)
			}
		})
	}
}

func TestPattern(t *testing.T) {
	cases := []struct {
		expr string
		want string // the pattern's source; "" for nil
	}{
		{"", ""},
		{"type:tool error pending tool:x id:y exec:z status:ok", ""},
		{"!cart !text:a", ""},
		{"cart", "(?i:cart)"},
		{"Cart", "(?:Cart)"},
		{`"a.b"`, `(?i:a\.b)`},
		{`cart text:"sku.*7" !x`, `(?i:cart)|(?:(?i)sku.*7)`},
		{`text:"SKU|qty"`, `(?:SKU|qty)`},
	}
	for _, tc := range cases {
		e, err := Parse(tc.expr)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if p := e.Pattern(); p != nil {
			got = p.String()
		}
		if got != tc.want {
			t.Errorf("Parse(%q).Pattern() = %q, want %q", tc.expr, got, tc.want)
		}
		if e.Highlights() != (tc.want != "") {
			t.Errorf("Parse(%q).Highlights() = %v", tc.expr, e.Highlights())
		}
	}
	var nilExpr *Expr
	if nilExpr.Pattern() != nil || !nilExpr.Match(&textItem) || nilExpr.String() != "" || !nilExpr.Empty() {
		t.Errorf("a nil Expr is not the empty filter")
	}
}

func TestSpans(t *testing.T) {
	cases := []struct {
		expr, s string
		want    string // the matched pieces, joined by |
	}{
		{"cart", "add_to_cart {cart} CART", "cart|cart|CART"},
		{"Cart", "add_to_cart Cart", "Cart"},
		{"!cart", "cart", ""},
		{"type:tool", "tool", ""},
		{`text:"SHOE-00[17]"`, `{"sku":"SHOE-001"} SHOE-007`, "SHOE-001|SHOE-007"},
		{`text:"o*"`, "foo", "oo"},                // empty matches are dropped
		{"add_t to_c", "add_to_cart", "add_to_c"}, // overlapping spans merge
		{"add _to", "add_to_cart", "add_to"},      // so do touching ones
		{"to cart", "add_to_cart", "to|cart"},     // apart, they stay apart
		{"café", "LE CAFÉ, le café", "CAFÉ|café"}, // non-ASCII folds
		{"aa", "aaaaa", "aaaa"},                   // non-overlapping occurrences, merged as they touch
		{`text:"[0-9]+" qty`, `"qty":1,"n":22`, "qty|1|22"},
	}
	for _, tc := range cases {
		e, err := Parse(tc.expr)
		if err != nil {
			t.Fatal(err)
		}
		var parts []string
		for _, sp := range e.Spans(tc.s, nil) {
			parts = append(parts, tc.s[sp[0]:sp[1]])
		}
		if got := strings.Join(parts, "|"); got != tc.want {
			t.Errorf("Parse(%q).Spans(%q) = %q, want %q", tc.expr, tc.s, got, tc.want)
		}
	}
}

func TestQuote(t *testing.T) {
	for _, v := range []string{"call_Q1", "exec_01jz", "a b", `say "hi"`, `a\b`, `\`, "a:b", "error", "pending",
		"!x", `"`, "tab\there", "café"} {
		for _, prefix := range []string{"", "id:", "exec:", "tool:", "!"} {
			src := prefix + Quote(v)
			e, err := Parse(src)
			if err != nil {
				t.Errorf("Parse(%q) = %v", src, err)
				continue
			}
			if len(e.terms) != 1 || e.terms[0].val != v {
				t.Errorf("Parse(%q) = %s, want one term with value %q", src, describe(e), v)
			}
			if prefix == "" && e.terms[0].f != fWord {
				t.Errorf("Parse(%q) = %s, want a text search", src, describe(e))
			}
		}
	}
	if Quote("call_Q1") != "call_Q1" {
		t.Errorf("Quote quotes a plain id: %s", Quote("call_Q1"))
	}
}

// TestMatchDoesNotAllocate pins the promise that filtering a million rows
// costs no garbage: every term's work was done by Parse.
func TestMatchDoesNotAllocate(t *testing.T) {
	e, err := Parse(`type:tool tool:cart !error id:call_q exec:exec status:wait text:"sku.*00[17]" shoe pending`)
	if err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { e.Match(&toolItem) }); n != 0 {
		t.Errorf("Match allocates %v times", n)
	}
	if !e.Match(&toolItem) {
		t.Errorf("the expression does not match the item it was written for")
	}
	dst := make([][2]int, 0, 8)
	w, _ := Parse("cart shoe")
	if n := testing.AllocsPerRun(100, func() { dst = w.Spans(toolItem.Text, dst[:0]) }); n != 0 {
		t.Errorf("Spans allocates %v times", n)
	}
}

func BenchmarkMatch(b *testing.B) {
	long := strings.Repeat("Your order ships today from Lyon and the refund is on its way ", 500)
	it := Item{Kind: "text", Type: "text_start", IDs: []string{"text_1", "exec_1"}, Title: "text", Text: long, Status: "done"}
	for _, expr := range []string{"type:tool", "refunds", "Refunds", `text:"refunds?\s+is"`, "café"} {
		e, err := Parse(expr)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(expr, func(b *testing.B) {
			b.SetBytes(int64(len(long)))
			for b.Loop() {
				e.Match(&it)
			}
		})
	}
}
