package catalog

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// catalogWith returns a catalog holding one tool "t" with that output
// schema.
func catalogWith(t *testing.T, outputSchema string) *Catalog {
	t.Helper()
	c := New()
	file := `[{"name":"t","outputSchema":` + outputSchema + `}]`
	probs, err := c.Load("tools.json", []byte(file))
	if err != nil || len(probs) > 0 {
		t.Fatalf("Load: problems %v, err %v", probs, err)
	}
	return c
}

func compactJSON(t *testing.T, s []byte) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, s); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	return b.String()
}

func TestStub(t *testing.T) {
	cases := []struct {
		name   string
		schema string
		want   string
		// valid: the stub itself passes the schema.
		valid bool
	}{
		{
			name:   "required fields only, in schema order",
			schema: `{"type":"object","required":["b","a"],"properties":{"a":{"type":"string"},"b":{"type":"integer"},"c":{"type":"boolean"}}}`,
			want:   `{"a":"","b":0}`,
			valid:  true,
		},
		{
			name:   "no required list: every property",
			schema: `{"type":"object","properties":{"s":{"type":"string"},"n":{"type":"number"},"b":{"type":"boolean"},"z":{"type":"null"}}}`,
			want:   `{"s":"","n":0,"b":false,"z":null}`,
			valid:  true,
		},
		{
			name:   "empty required list: nothing",
			schema: `{"type":"object","required":[],"properties":{"s":{"type":"string"}}}`,
			want:   `{}`,
			valid:  true,
		},
		{
			name:   "nested objects filled one level deep",
			schema: `{"type":"object","properties":{"a":{"type":"object","properties":{"b":{"type":"object","properties":{"c":{"type":"string"}}},"x":{"type":"string"}}}}}`,
			want:   `{"a":{"b":{},"x":""}}`,
			valid:  true,
		},
		{
			name:   "array of objects holds one filled item",
			schema: `{"type":"object","required":["items"],"properties":{"items":{"type":"array","items":{"type":"object","required":["sku","qty"],"properties":{"sku":{"type":"string"},"qty":{"type":"integer","minimum":1},"note":{"type":"string"}}}}}}`,
			want:   `{"items":[{"sku":"","qty":1}]}`,
			valid:  true,
		},
		{
			name:   "array of scalars holds one item",
			schema: `{"type":"object","required":["tags"],"properties":{"tags":{"type":"array","items":{"type":"string"}}}}`,
			want:   `{"tags":[""]}`,
			valid:  true,
		},
		{
			name:   "array without items is empty",
			schema: `{"type":"object","required":["any"],"properties":{"any":{"type":"array"}}}`,
			want:   `{"any":[]}`,
			valid:  true,
		},
		{
			name:   "tuple: one value per prefix item",
			schema: `{"type":"array","prefixItems":[{"type":"string"},{"type":"integer"}]}`,
			want:   `["",0]`,
			valid:  true,
		},
		{
			name:   "root array of objects",
			schema: `{"type":"array","items":{"type":"object","required":["id"],"properties":{"id":{"type":"string","format":"uuid"}}}}`,
			want:   `[{"id":"00000000-0000-0000-0000-000000000000"}]`,
			valid:  true,
		},
		{
			name:   "first enum value",
			schema: `{"type":"object","required":["status"],"properties":{"status":{"type":"string","enum":["ok","backorder"]}}}`,
			want:   `{"status":"ok"}`,
			valid:  true,
		},
		{
			name:   "const and default",
			schema: `{"type":"object","required":["v","n","o"],"properties":{"v":{"const":"v1"},"n":{"type":"integer","default":5},"o":{"type":"object","default":{"k":[1]}}}}`,
			want:   `{"v":"v1","n":5,"o":{"k":[1]}}`,
			valid:  true,
		},
		{
			name:   "oneOf: the first branch",
			schema: `{"type":"object","required":["pay"],"properties":{"pay":{"oneOf":[{"type":"object","required":["card"],"properties":{"card":{"type":"string"}}},{"type":"string"}]}}}`,
			want:   `{"pay":{"card":""}}`,
			valid:  true,
		},
		{
			name:   "anyOf: the first branch",
			schema: `{"anyOf":[{"type":"integer"},{"type":"string"}]}`,
			want:   `0`,
			valid:  true,
		},
		{
			name:   "allOf merged, own properties first",
			schema: `{"type":"object","required":["a"],"properties":{"a":{"type":"string"}},"allOf":[{"required":["b"],"properties":{"b":{"type":"boolean"}}},{"$ref":"#/$defs/c"}],"$defs":{"c":{"required":["c"],"properties":{"c":{"type":"integer"}}}}}`,
			want:   `{"a":"","b":false,"c":0}`,
			valid:  true,
		},
		{
			name:   "$ref to $defs and draft-07 definitions",
			schema: `{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","required":["line","who"],"properties":{"line":{"$ref":"#/definitions/line"},"who":{"$ref":"#person"}},"definitions":{"line":{"type":"object","required":["sku"],"properties":{"sku":{"type":"string"}}},"p":{"$id":"#person","type":"string","format":"email"}}}`,
			want:   `{"line":{"sku":""},"who":"user@example.com"}`,
			valid:  true,
		},
		{
			name:   "recursive $ref ends",
			schema: `{"$defs":{"tree":{"type":"object","required":["kids"],"properties":{"kids":{"type":"array","items":{"$ref":"#/$defs/tree"}}}}},"$ref":"#/$defs/tree"}`,
			want:   `{"kids":[{"kids":[{}]}]}`,
		},
		{
			name:   "recursive arrays end",
			schema: `{"type":"array","items":{"$ref":"#"}}`,
			want:   `[[[[[[[]]]]]]]`,
		},
		{
			name:   "formats",
			schema: `{"type":"object","properties":{"at":{"type":"string","format":"date-time"},"mail":{"type":"string","format":"email"},"link":{"type":"string","format":"uri"},"day":{"type":"string","format":"date"},"odd":{"type":"string","format":"x-custom"}}}`,
			want:   `{"at":"2026-01-01T00:00:00Z","mail":"user@example.com","link":"https://example.com","day":"2026-01-01","odd":""}`,
			valid:  true,
		},
		{
			name:   "nullable type: the non-null one",
			schema: `{"type":"object","properties":{"note":{"type":["null","string"]}}}`,
			want:   `{"note":""}`,
			valid:  true,
		},
		{
			name:   "type implied by keywords",
			schema: `{"properties":{"o":{"properties":{"k":{"minimum":3}}},"a":{"items":{"maxLength":3}}}}`,
			want:   `{"o":{"k":3},"a":[""]}`,
			valid:  true,
		},
		{
			name:   "exclusive minimum",
			schema: `{"type":"object","properties":{"i":{"type":"integer","exclusiveMinimum":0},"n":{"type":"number","minimum":0.5}}}`,
			want:   `{"i":1,"n":0.5}`,
			valid:  true,
		},
		{
			name:   "bounds that exclude 0",
			schema: `{"type":"object","properties":{"neg":{"type":"integer","maximum":-3},"below":{"type":"number","exclusiveMaximum":0},"tenth":{"type":"number","minimum":0.1,"maximum":0.9}}}`,
			want:   `{"neg":-3,"below":-1,"tenth":0.1}`,
			valid:  true,
		},
		{
			name:   "draft-04 exclusive bounds",
			schema: `{"$schema":"http://json-schema.org/draft-04/schema#","type":"object","properties":{"pos":{"type":"integer","minimum":0,"exclusiveMinimum":true},"neg":{"type":"integer","maximum":0,"exclusiveMaximum":true}}}`,
			want:   `{"pos":1,"neg":-1}`,
			valid:  true,
		},
		{
			name:   "required name with no property schema",
			schema: `{"type":"object","required":["x"],"additionalProperties":{"type":"integer"}}`,
			want:   `{"x":0}`,
			valid:  true,
		},
		{
			name:   "schema that says nothing: {}",
			schema: `true`,
			want:   `{}`,
			valid:  true,
		},
		{
			name:   "null schema stays null",
			schema: `{"type":"null"}`,
			want:   `null`,
			valid:  true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := catalogWith(t, tc.schema)
			got, ok := c.Stub("t")
			if !ok {
				t.Fatalf("Stub(t): got ok false, want true")
			}
			if g := compactJSON(t, got); g != tc.want {
				t.Errorf("Stub(t) = %s, want %s", g, tc.want)
			}
			if tc.valid {
				if pe := c.Checker().Check("t", got); pe != nil {
					t.Errorf("Check(stub) = %v, want nil", pe)
				}
			}
		})
	}
}

func TestStubIndented(t *testing.T) {
	c := catalogWith(t, `{"type":"object","required":["a","b"],"properties":{"a":{"type":"string"},"b":{"type":"array","items":{"type":"integer"}}}}`)
	got, _ := c.Stub("t")
	want := "{\n  \"a\": \"\",\n  \"b\": [\n    0\n  ]\n}"
	if string(got) != want {
		t.Errorf("Stub(t) =\n%s\nwant\n%s", got, want)
	}
}

func TestStubWithoutSchema(t *testing.T) {
	c := New()
	if probs, err := c.Load("tools.json", []byte(`[{"name":"bare","inputSchema":{"type":"object"}}]`)); err != nil || len(probs) > 0 {
		t.Fatalf("Load: problems %v, err %v", probs, err)
	}
	cases := []struct{ name, tool string }{
		{"tool without output schema", "bare"},
		{"unknown tool", "nope"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got, ok := c.Stub(tc.tool); ok || got != nil {
				t.Errorf("Stub(%s) = %s, %v; want nil, false", tc.tool, got, ok)
			}
		})
	}
}

func TestHeader(t *testing.T) {
	const schema = `{"type":"object","required":["cartId","items","status"],"properties":{
		"cartId":{"type":"string","description":"The cart's id"},
		"items":{"type":"array","items":{"$ref":"#/$defs/line"}},
		"status":{"enum":["ok","backorder"],"description":"Order state"},
		"when":{"type":"string","format":"date-time"},
		"note":{"type":["string","null"],"description":"Free text,\nsecond line"},
		"pay":{"oneOf":[{"type":"object","properties":{"card":{"type":"string"}}},{"type":"string"}]},
		"v":{"const":2}},
		"$defs":{"line":{"type":"object","required":["sku"],"properties":{"sku":{"type":"string"},"meta":{"type":"object","properties":{"deep":{"type":"string"}}}}}}}`
	c := New()
	file := `[{"name":"add_to_cart","description":"Add a product to the shopper's cart and return the cart as it now is, with every line, the total, and whether the order is on backorder.","outputSchema":` + schema + `}]`
	if probs, err := c.Load("tools.json", []byte(file)); err != nil || len(probs) > 0 {
		t.Fatalf("Load: problems %v, err %v", probs, err)
	}
	tool, known := c.Tool("add_to_cart")
	cases := []struct {
		name  string
		tool  Tool
		known bool
		id    string
		args  string
		want  string
	}{
		{
			name: "catalog tool", tool: tool, known: known, id: "call_Q1", args: "{\n  \"sku\": \"SHOE-001\",\n  \"qty\": 1\n}",
			want: `// Tool: add_to_cart
// Call: call_Q1
// Add a product to the shopper's cart and return the cart as it now is, with
// every line, the total, and whether the order is on backorder.
// Arguments: {"sku":"SHOE-001","qty":1}
// Output schema: object
//   cartId: string (required) — The cart's id
//   items: array of object (required)
//     sku: string (required)
//     meta: object
//   status: one of "ok", "backorder" (required) — Order state
//   when: string (date-time)
//   note: string or null — Free text, second line
//   pay: object or string
//     card: string
//   v: = 2
// Write the output as JSON below. These // lines are removed before sending.
`,
		},
		{
			name: "not in the catalog", tool: Tool{Name: "lookup"}, id: "toolu_01", args: `{"q":"x"}`,
			want: `// Tool: lookup (not in the tool catalog)
// Call: toolu_01
// Arguments: {"q":"x"}
// Write the output as JSON below. These // lines are removed before sending.
`,
		},
		{
			name: "known, no output schema, no arguments", tool: Tool{Name: "ping", Description: "Ping."}, known: true,
			want: `// Tool: ping
// Ping.
// Arguments: (none)
// Output schema: none known; any JSON value is accepted.
// Write the output as JSON below. These // lines are removed before sending.
`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Header(tc.tool, tc.known, tc.id, json.RawMessage(tc.args))
			if got != tc.want {
				t.Errorf("Header =\n%s\nwant\n%s", got, tc.want)
			}
			for i, l := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
				if !strings.HasPrefix(l, "// ") {
					t.Errorf("line %d = %q, want a \"// \" prefix", i+1, l)
				}
				if n := len([]rune(l)); n > maxLine+len("// ") {
					t.Errorf("line %d is %d characters, want at most %d", i+1, n, maxLine+3)
				}
			}
		})
	}
}

func TestHeaderIsComment(t *testing.T) {
	// The header above a stub must parse away to nothing but blanks, and
	// the whole editor text must be a valid answer.
	c := catalogWith(t, `{"type":"object","required":["a"],"properties":{"a":{"type":"string","description":"has */ and // inside"}}}`)
	tool, _ := c.Tool("t")
	stub, _ := c.Stub("t")
	text := Header(tool, true, "c1", json.RawMessage(`{"x":"*/"}`)) + string(stub) + "\n"
	std, err := c.Checker().Parse(text)
	if err != nil {
		t.Fatalf("Parse(header+stub): %v", err)
	}
	if got := compactJSON(t, std); got != `{"a":""}` {
		t.Errorf("Parse(header+stub) = %s, want {\"a\":\"\"}", got)
	}
}
