package rules

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

func TestMatching(t *testing.T) {
	cases := []struct {
		name     string
		tool     string // the rule's "tool"
		args     string // the rule's "args", "" for none
		callTool string
		callArgs string
		want     bool
	}{
		{"exact tool", `"add_to_cart"`, "", "add_to_cart", `{}`, true},
		{"other tool", `"add_to_cart"`, "", "get_order_status", `{}`, false},
		{"glob star", `"add_*"`, "", "add_to_cart", `{}`, true},
		{"glob star elsewhere", `"add_*"`, "", "remove_from_cart", `{}`, false},
		{"glob star alone", `"*"`, "", "anything", `{}`, true},
		{"glob question mark", `"get_?rder_status"`, "", "get_order_status", `{}`, true},
		{"glob class", `"search_[pu]*"`, "", "search_products", `{}`, true},
		{"glob class miss", `"search_[pu]*"`, "", "search_orders", `{}`, false},
		{"webmcp prefix on the call", `"add_to_cart"`, "", "webmcp:add_to_cart", `{}`, true},
		{"webmcp prefix on the rule", `"webmcp:add_to_cart"`, "", "add_to_cart", `{}`, true},
		{"webmcp prefix on both", `"webmcp:add_*"`, "", "webmcp:add_to_cart", `{}`, true},
		{"exact string arg", `"*"`, `{"sku":"SHOE-001"}`, "add_to_cart", `{"sku":"SHOE-001","qty":1}`, true},
		{"exact string arg differs", `"*"`, `{"sku":"SHOE-001"}`, "add_to_cart", `{"sku":"SHOE-007"}`, false},
		{"exact string is not a number", `"*"`, `{"qty":"1"}`, "add_to_cart", `{"qty":1}`, false},
		{"exact number", `"*"`, `{"qty":1}`, "add_to_cart", `{"qty":1}`, true},
		{"exact number by value", `"*"`, `{"qty":1.0}`, "add_to_cart", `{"qty":1e0}`, true},
		{"exact number differs", `"*"`, `{"qty":2}`, "add_to_cart", `{"qty":1}`, false},
		{"large ids are not rounded", `"*"`, `{"id":9007199254740993}`, "t", `{"id":9007199254740992}`, false},
		{"exact bool", `"*"`, `{"gift":true}`, "t", `{"gift":true}`, true},
		{"exact bool differs", `"*"`, `{"gift":true}`, "t", `{"gift":false}`, false},
		{"exact null", `"*"`, `{"coupon":null}`, "t", `{"coupon":null}`, true},
		{"null is not missing", `"*"`, `{"coupon":null}`, "t", `{}`, false},
		{"exact object in any key order", `"*"`, `{"addr":{"city":"Oslo","zip":"0150"}}`, "t", `{"addr":{"zip":"0150","city":"Oslo"}}`, true},
		{"exact object with an extra key", `"*"`, `{"addr":{"city":"Oslo"}}`, "t", `{"addr":{"zip":"0150","city":"Oslo"}}`, false},
		{"exact array", `"*"`, `{"skus":["A","B"]}`, "t", `{"skus":["A","B"]}`, true},
		{"exact array order matters", `"*"`, `{"skus":["A","B"]}`, "t", `{"skus":["B","A"]}`, false},
		{"missing arg", `"*"`, `{"sku":"SHOE-001"}`, "t", `{"qty":1}`, false},
		{"regex", `"*"`, `{"sku":"/^SHOE-0[0-9]7$/"}`, "t", `{"sku":"SHOE-007"}`, true},
		{"regex miss", `"*"`, `{"sku":"/^SHOE-0[0-9]7$/"}`, "t", `{"sku":"SHOE-001"}`, false},
		{"regex is unanchored", `"*"`, `{"q":"/shoe/"}`, "t", `{"q":"red shoes"}`, true},
		{"regex on a number", `"*"`, `{"qty":"/^1[0-9]$/"}`, "t", `{"qty":12}`, true},
		{"regex on an object sees compact JSON", `"*"`, `{"addr":"/\"city\":\"Oslo\"/"}`, "t", `{"addr":{ "city" : "Oslo" }}`, true},
		{"regex on null", `"*"`, `{"coupon":"/^null$/"}`, "t", `{"coupon":null}`, true},
		{"a lone slash is a plain string", `"*"`, `{"path":"/"}`, "t", `{"path":"/"}`, true},
		{"every listed arg must match", `"*"`, `{"sku":"SHOE-001","qty":2}`, "t", `{"sku":"SHOE-001","qty":1}`, false},
		{"every listed arg matches", `"*"`, `{"sku":"/^SHOE/","qty":1}`, "t", `{"sku":"SHOE-001","qty":1}`, true},
		{"empty args match anything", `"*"`, `{}`, "t", `null`, true},
		{"no arguments at all", `"*"`, `{"sku":"A"}`, "t", ``, false},
		{"arguments that are not an object", `"*"`, `{"sku":"A"}`, "t", `["A"]`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := `{"tool": ` + tc.tool + `, "answer": {"ok": true}`
			if tc.args != "" {
				r += `, "args": ` + tc.args
			}
			set := mustParse(t, "rules.json", rulesJSON(r+`}`))
			s := paused(t, callSpec{"call_1", tc.callTool, tc.callArgs})
			res := apply(set, s)
			if got := len(res) == 1; got != tc.want {
				t.Errorf("matched = %v (results %+v), want %v", got, outcomes(res), tc.want)
			}
		})
	}
}

func TestParseProblems(t *testing.T) {
	cases := []struct {
		name string
		file string
		want []string
		len  int // usable rules
	}{
		{
			name: "unknown field",
			file: `{"rules": [
  {"name": "cart",
   "tool": "add_to_cart",
   "anwser": {"ok": true}}
]}`,
			want: []string{
				`rules.json:4: rule 1 (cart): unknown field "anwser" (want ` + ruleFields + `)`,
				`rules.json:2: rule 1 (cart): no responder: give one of answer, file, recorded, command, decision`,
			},
		},
		{
			name: "no responder",
			file: `{"rules": [
  {"tool": "add_to_cart", "send": true}
]}`,
			want: []string{`rules.json:2: rule 1: no responder: give one of answer, file, recorded, command, decision`},
		},
		{
			name: "two responders",
			file: `{"rules": [
  {"name": "x", "tool": "t",
   "answer": {},
   "command": "echo {}"}
]}`,
			want: []string{`rules.json:4: rule 1 (x): two responders (answer and command): give exactly one`},
		},
		{
			name: "bad glob",
			file: `{"rules": [
  {"name": "g",
   "tool": "add_[", "answer": 1}
]}`,
			want: []string{`rules.json:3: rule 1 (g): bad tool glob "add_[": syntax error in pattern`},
		},
		{
			name: "bad regex",
			file: `{"rules": [
  {"name": "r", "tool": "t", "answer": 1,
   "args": {
     "sku": "/SHOE-[0-9/"}}
]}`,
			want: []string{`rules.json:4: rule 1 (r): args.sku: bad regular expression "/SHOE-[0-9/": error parsing regexp: missing closing ]: ` + "`[0-9`"},
		},
		{
			name: "bad timeout",
			file: `{"rules": [
  {"name": "c", "tool": "t", "command": "cat",
   "timeout": "5 sec"}
]}`,
			want: []string{`rules.json:3: rule 1 (c): bad timeout "5 sec" (want a duration such as "5s" or "500ms")`},
		},
		{
			name: "zero timeout",
			file: `{"rules": [{"name": "c", "tool": "t", "command": "cat", "timeout": "0s"}]}`,
			want: []string{`rules.json:1: rule 1 (c): bad timeout "0s": it must be more than zero`},
		},
		{
			name: "timeout not a string",
			file: `{"rules": [{"name": "c", "tool": "t", "command": "cat", "timeout": 5}]}`,
			want: []string{`rules.json:1: rule 1 (c): "timeout" must be a duration string such as "5s"`},
		},
		{
			name: "timeout without a command",
			file: `{"rules": [
  {"name": "a", "tool": "t", "answer": 1,
   "timeout": "5s"}
]}`,
			want: []string{`rules.json:3: rule 1 (a): "timeout" is only for a "command" rule`},
		},
		{
			name: "bad fire",
			file: "{\"rules\": [\n{\"tool\": \"t\", \"answer\": 1,\n \"fire\": \"twice\"}]}",
			want: []string{`rules.json:3: rule 1: "fire" must be "session" or "once", not "twice"`},
		},
		{
			name: "send not a bool",
			file: "{\"rules\": [\n{\"tool\": \"t\", \"answer\": 1,\n \"send\": \"yes\"}]}",
			want: []string{`rules.json:3: rule 1: "send" must be true or false`},
		},
		{
			name: "no tool",
			file: "{\"rules\": [\n\n  {\"answer\": 1}]}",
			want: []string{`rules.json:3: rule 1: no "tool": say which tool the rule answers (a glob, "*" for every tool)`},
		},
		{
			name: "tool not a string",
			file: `{"rules": [{"tool": ["t"], "answer": 1}]}`,
			want: []string{`rules.json:1: rule 1: "tool" must be a string`},
		},
		{
			name: "empty tool",
			file: `{"rules": [{"tool": "webmcp:", "answer": 1}]}`,
			want: []string{`rules.json:1: rule 1: "tool" must not be empty (use "*" for every tool)`},
		},
		{
			name: "command empty",
			file: `{"rules": [{"tool": "t", "command": []}]}`,
			want: []string{`rules.json:1: rule 1: "command" must name a program first`},
		},
		{
			name: "command of numbers",
			file: `{"rules": [{"tool": "t", "command": [1, 2]}]}`,
			want: []string{`rules.json:1: rule 1: "command" must be an array of strings (argv) or a string run with sh -c`},
		},
		{
			name: "blank command string",
			file: `{"rules": [{"tool": "t", "command": "  "}]}`,
			want: []string{`rules.json:1: rule 1: "command" must not be empty`},
		},
		{
			name: "file not a string",
			file: `{"rules": [{"tool": "t", "file": 3}]}`,
			want: []string{`rules.json:1: rule 1: "file" must be a string`},
		},
		{
			name: "recorded empty",
			file: `{"rules": [{"tool": "t", "recorded": ""}]}`,
			want: []string{`rules.json:1: rule 1: "recorded" must name a file`},
		},
		{
			name: "args not an object",
			file: `{"rules": [{"tool": "t", "answer": 1, "args": ["sku"]}]}`,
			want: []string{`rules.json:1: rule 1: "args" must be an object of argument name to value or "/regex/"`},
		},
		{
			name: "field given twice",
			file: "{\"rules\": [{\"tool\": \"t\", \"answer\": 1,\n \"answer\": 2}]}",
			want: []string{`rules.json:2: rule 1: field "answer" given twice`},
		},
		{
			name: "name used twice",
			file: "{\"rules\": [\n{\"name\": \"a\", \"tool\": \"t\", \"answer\": 1},\n{\"name\": \"a\", \"tool\": \"u\", \"answer\": 2}]}",
			want: []string{`rules.json:3: rule 2 (a): name "a" is already used by rule 1`},
			len:  1,
		},
		{
			name: "rule not an object",
			file: "{\"rules\": [\n  \"add_to_cart\",\n  {\"tool\": \"t\", \"answer\": 1}]}",
			want: []string{`rules.json:2: rule 1: a rule must be a JSON object`},
			len:  1,
		},
		{
			name: "unknown top-level field",
			file: "{\n\"rulez\": []\n}",
			want: []string{
				`rules.json:2: unknown field "rulez" (want rules)`,
				`rules.json:1: no "rules" array: no rule is used`,
			},
		},
		{
			name: "every problem of a rule is told, the others kept",
			file: `{"rules": [
  {"name": "ok1", "tool": "a", "answer": 1},
  {"name": "bad", "tool": "[", "args": {"x": "/(/"}, "answer": 1, "fire": "never"},
  {"name": "ok2", "tool": "b", "command": ["cat"], "timeout": "1s", "fire": "once", "send": true}
]}`,
			want: []string{
				`rules.json:3: rule 2 (bad): bad tool glob "[": syntax error in pattern`,
				`rules.json:3: rule 2 (bad): args.x: bad regular expression "/(/": error parsing regexp: missing closing ): ` + "`(`",
				`rules.json:3: rule 2 (bad): "fire" must be "session" or "once", not "never"`,
			},
			len: 2,
		},
		{
			name: "a good file",
			file: `{"rules": [
  {"name": "cart", "tool": "add_to_cart", "args": {"sku": "SHOE-001"}, "answer": {"ok": true, "cartTotal": 149}, "fire": "session", "send": false},
  {"name": "cart-cmd", "tool": "add_*", "args": {"sku": "/^SHOE-0[0-9]7$/"}, "command": ["sh", "-c", "jq '{ok:true, sku:.arguments.sku}'"], "timeout": "5s"},
  {"name": "status", "tool": "get_order_status", "file": "answers/status.json", "fire": "once"},
  {"name": "search", "tool": "search_*", "recorded": "sessions/golden.jsonl", "send": true}
]}`,
			len: 4,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			set, probs, err := Parse("rules.json", []byte(tc.file))
			if err != nil {
				t.Fatalf("Parse: got error %v, want nil", err)
			}
			var got []string
			for _, p := range probs {
				got = append(got, p.String())
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("problems =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if set.Len() != tc.len {
				t.Errorf("Len() = %d, want %d", set.Len(), tc.len)
			}
		})
	}
}

// The rules a broken rule sits between still answer.
func TestBrokenRuleDropped(t *testing.T) {
	set, probs, err := Parse("rules.json", []byte(`{"rules": [
  {"name": "a", "tool": "tool_a", "answer": {"a": 1}},
  {"name": "broken", "tool": "tool_b", "answer": {"b": 1}, "sennd": true},
  {"name": "b", "tool": "tool_*", "answer": {"any": 1}}
]}`))
	if err != nil || len(probs) != 1 {
		t.Fatalf("Parse: got %v, %v, want one problem", probs, err)
	}
	s := paused(t, callSpec{"call_a", "tool_a", `{}`}, callSpec{"call_b", "tool_b", `{}`})
	sameOutcomes(t, apply(set, s), []outcome{
		{Call: "call_a", Rule: "a", Output: `{"a":1}`},
		{Call: "call_b", Rule: "b", Output: `{"any":1}`},
	})
}

func TestParseFatal(t *testing.T) {
	cases := []struct {
		name, file, want string
	}{
		{"empty", " \n", `rules.json:1: the rules file is empty (want {"rules": [...]})`},
		{"not JSON", "{\"rules\": [\n  {\"tool\": \"t\",}\n]}", `rules.json:2: not JSON: invalid character '}' looking for beginning of object key string`},
		{"cut off", "{\"rules\": [\n  {\"tool\": \"t\"", `rules.json:2: not JSON: unexpected end of JSON input`},
		{"not an object", "\n[]", `rules.json:2: a rules file is a JSON object {"rules": [...]}`},
		{"rules not an array", "{\n \"rules\": {}}", `rules.json:2: "rules" must be an array of rules`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			set, _, err := Parse("rules.json", []byte(tc.file))
			if err == nil {
				t.Fatalf("Parse: got nil error, want %q", tc.want)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("Parse error = %q, want %q", got, tc.want)
			}
			if set != nil {
				t.Errorf("Parse set = %v, want nil", set)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "rules.json", rulesJSON(`{"tool": "t", "answer": 1}`))
	set, probs, err := Load(p)
	if err != nil || len(probs) != 0 || set.Len() != 1 {
		t.Errorf("Load = %d rules, %v, %v; want 1 rule, no problem, nil", set.Len(), probs, err)
	}
	if set.File() != p {
		t.Errorf("File() = %q, want %q", set.File(), p)
	}
	if _, _, err := Load(dir + "/missing.json"); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("Load(missing) error = %v, want one naming the file", err)
	}
}

// A nil Set (no --rules) is an empty one.
func TestNilSet(t *testing.T) {
	var set *Set
	s := paused(t, callSpec{"call_1", "t", `{}`})
	if n := set.Len(); n != 0 {
		t.Errorf("Len() = %d, want 0", n)
	}
	if res := set.Apply(context.Background(), s); res != nil {
		t.Errorf("Apply = %+v, want nil", res)
	}
}
