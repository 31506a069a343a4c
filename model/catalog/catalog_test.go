package catalog

import (
	"slices"
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	cases := []struct {
		name   string
		file   string
		err    string   // the error, "" for none
		probs  []string // Problem.String() of each problem
		names  []string // Names() after loading
		output []string // tools that have an output schema
	}{
		{
			name: "object form with comments and trailing commas",
			file: `{
  // demo tools
  "$schema": "./tools.schema.json",
  "tools": [
    {"name": "add_to_cart", "description": "Add to cart",
     "inputSchema": {"type": "object"},
     "outputSchema": {"type": "object", "required": ["ok"]},
     "examples": [{"ok": true}],},
  ],
}`,
			names:  []string{"add_to_cart"},
			output: []string{"add_to_cart"},
		},
		{
			name:  "bare array, parametersSchema alias, clientTools fields ignored",
			file:  `[{"name": "search", "parametersSchema": {"type": "object"}, "origin": "sdk", "annotations": {"readOnlyHint": true}}]`,
			names: []string{"search"},
		},
		{
			name: "file that does not parse",
			file: "{\n  \"tools\": [\n    {\"name\": \"a\",,}\n  ]\n}",
			err:  "tools.json:3:18: invalid character ',' at start of value",
		},
		{
			name: "empty file",
			file: "// nothing yet\n",
			err:  "tools.json: no tools: the file is empty",
		},
		{
			name: "schema that does not compile: the others still load",
			file: `{"tools": [
  {"name": "good", "outputSchema": {"type": "object"}},
  {"name": "bad",
   "outputSchema": {
     "type": "strng"
   }},
  {"name": "third", "outputSchema": {"type": "string"}}
]}`,
			probs: []string{
				"tools.json:5: tool #2 bad: outputSchema: not a valid schema: /type: value must be one of 'array', 'boolean', 'integer', 'null', 'number', 'object', 'string'; answers are not checked",
			},
			names:  []string{"bad", "good", "third"},
			output: []string{"good", "third"},
		},
		{
			name: "$ref that points nowhere, and one that leaves the schema",
			file: `[
  {"name": "a", "outputSchema": {"properties": {
      "x": {"$ref": "#/$defs/missing"}}}},
  {"name": "b", "inputSchema": {"properties": {"y": {"type": "string"},
      "x": {"$ref": "https://example.com/x.json"}}}}
]`,
			probs: []string{
				`tools.json:3: tool #1 a: outputSchema: $ref "#/$defs/missing" points at nothing in the schema; answers are not checked`,
				`tools.json:5: tool #2 b: inputSchema: $ref "https://example.com/x.json" cannot be followed: only references within the schema are resolved; the input schema is left out`,
			},
			names: []string{"a", "b"},
		},
		{
			name: "unsupported draft",
			file: `[{"name": "a", "outputSchema": {"$schema": "http://json-schema.org/draft-03/schema#"}}]`,
			probs: []string{
				`tools.json:1: tool #1 a: outputSchema: $schema "http://json-schema.org/draft-03/schema#" is not a supported draft (use 4, 6, 7, 2019-09 or 2020-12); answers are not checked`,
			},
			names: []string{"a"},
		},
		{
			name: "unknown fields are named with their line",
			file: `[
  {"name": "a",
   "outputschema": {},
   "returns": 1}
]`,
			probs: []string{
				`tools.json:3: tool #1 a: unknown field "outputschema" (did you mean "outputSchema"?); it is ignored`,
				`tools.json:4: tool #1 a: unknown field "returns"; it is ignored (known: name, description, inputSchema, parametersSchema, outputSchema, examples)`,
			},
			names: []string{"a"},
		},
		{
			name: "tool without a name is skipped, a duplicate ignored",
			file: `[
  {"description": "no name"},
  {"name": "a", "outputSchema": {"type": "object"}},
  {"name": "a"},
  "not a tool"
]`,
			probs: []string{
				`tools.json:2: tool #1: no "name" (a non-empty string)`,
				`tools.json:4: tool #3 a: defined again (first at line 3); this one is ignored`,
				`tools.json:5: tool #4: a tool must be an object`,
			},
			names:  []string{"a"},
			output: []string{"a"},
		},
		{
			name: "wrong field types",
			file: `[{"name": "a", "description": 5, "examples": {}, "inputSchema": {}, "parametersSchema": {}}]`,
			probs: []string{
				`tools.json:1: tool #1 a: "description" must be a string`,
				`tools.json:1: tool #1 a: both "inputSchema" and "parametersSchema" given; "parametersSchema" is used`,
				`tools.json:1: tool #1 a: "examples" must be an array of example outputs`,
			},
			names: []string{"a"},
		},
		{
			name: "example that does not fit the output schema",
			file: `[{"name": "a",
  "outputSchema": {"type": "object", "properties": {"n": {"type": "integer"}}},
  "examples": [
    {"n": 1},
    {"n": "one"}
  ]}]`,
			probs: []string{
				`tools.json:5: tool #1 a: example #2 does not fit the output schema: /n: got string, want integer`,
			},
			names:  []string{"a"},
			output: []string{"a"},
		},
		{
			name: "a repeated field: the last one counts",
			file: `[{"name": "a", "outputSchema": {"type": "string"},
  "examples": ["x", "y", "z"],
  "examples": [1]}]`,
			probs: []string{
				`tools.json:3: tool #1 a: example #1 does not fit the output schema: got number, want string`,
			},
			names:  []string{"a"},
			output: []string{"a"},
		},
		{
			name: "not a catalog",
			file: `{"tool": []}`,
			probs: []string{
				`tools.json:1: unknown field "tool" (want "tools")`,
				`tools.json:1: no "tools" array`,
			},
		},
		{
			name:  "a string",
			file:  `"tools"`,
			probs: []string{`tools.json:1: want {"tools":[...]} or an array of tools`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := New()
			data := []byte(tc.file)
			probs, err := c.Load("tools.json", data)
			if string(data) != tc.file {
				t.Errorf("Load changed its input")
			}
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if gotErr != tc.err {
				t.Errorf("Load error = %q, want %q", gotErr, tc.err)
			}
			var got []string
			for _, p := range probs {
				got = append(got, p.String())
			}
			if !slices.Equal(got, tc.probs) {
				t.Errorf("Load problems =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tc.probs, "\n  "))
			}
			if names := c.Names(); !slices.Equal(names, tc.names) && len(names)+len(tc.names) > 0 {
				t.Errorf("Names() = %q, want %q", names, tc.names)
			}
			var withOutput []string
			for _, n := range c.Names() {
				if tool, _ := c.Tool(n); len(tool.OutputSchema) > 0 {
					withOutput = append(withOutput, n)
				}
			}
			if !slices.Equal(withOutput, tc.output) {
				t.Errorf("tools with an output schema = %q, want %q", withOutput, tc.output)
			}
		})
	}
}

func TestLoadTool(t *testing.T) {
	c := New()
	file := `{"tools": [{"name": "add_to_cart", "description": "Add to cart",
  "inputSchema": {"type": "object", "properties": {"sku": {"type": "string"}}},
  "outputSchema": {"type": "object",
    "required": ["ok"]},
  "examples": [{"ok": true}, {"ok": false, "why": "sold out"}]}]}`
	if probs, err := c.Load("tools.json", []byte(file)); err != nil || len(probs) > 0 {
		t.Fatalf("Load: problems %v, err %v", probs, err)
	}
	got, ok := c.Tool("add_to_cart")
	if !ok {
		t.Fatal("Tool(add_to_cart): not found")
	}
	checks := []struct{ field, got, want string }{
		{"Name", got.Name, "add_to_cart"},
		{"Description", got.Description, "Add to cart"},
		{"InputSchema", string(got.InputSchema), `{"type":"object","properties":{"sku":{"type":"string"}}}`},
		{"OutputSchema", string(got.OutputSchema), `{"type":"object","required":["ok"]}`},
		{"Examples", strings.Join(func() []string {
			var s []string
			for _, e := range got.Examples {
				s = append(s, string(e))
			}
			return s
		}(), " "), `{"ok":true} {"ok":false,"why":"sold out"}`},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("Tool.%s = %s, want %s", ck.field, ck.got, ck.want)
		}
	}
}

func TestToolWebMCPPrefix(t *testing.T) {
	c := New()
	file := `[{"name": "add_to_cart", "outputSchema": {"type": "object"}},
	          {"name": "webmcp:read_page", "outputSchema": {"type": "string"}}]`
	if probs, err := c.Load("tools.json", []byte(file)); err != nil || len(probs) > 0 {
		t.Fatalf("Load: problems %v, err %v", probs, err)
	}
	cases := []struct {
		lookup, want string
		found        bool
	}{
		{"add_to_cart", "add_to_cart", true},
		{"webmcp:add_to_cart", "add_to_cart", true},
		{"webmcp:read_page", "webmcp:read_page", true},
		{"read_page", "webmcp:read_page", true},
		{"webmcp:other", "", false},
		{"other", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.lookup, func(t *testing.T) {
			got, ok := c.Tool(tc.lookup)
			if ok != tc.found || got.Name != tc.want {
				t.Errorf("Tool(%q) = %q, %v; want %q, %v", tc.lookup, got.Name, ok, tc.want, tc.found)
			}
			if _, ok := c.Stub(tc.lookup); ok != tc.found {
				t.Errorf("Stub(%q) ok = %v, want %v", tc.lookup, ok, tc.found)
			}
		})
	}
}

const (
	agentBody = `{
  "agent": {"agentId": "agent_01shop"},
  "messages": [{"role": "user", "content": "Add SHOE-001 and SHOE-007 to my cart"}],
  "options": {"streamResponse": true, "recordMode": "virtual"},
  "clientTools": [
    {"name": "add_to_cart", "description": "Add a product to the shopper's cart", "origin": "sdk",
     "parametersSchema": {"type": "object", "properties": {"sku": {"type": "string"}, "qty": {"type": "integer", "minimum": 1}}, "required": ["sku"]}},
    {"name": "read_page", "description": "Read the page", "origin": "webmcp", "pageOrigin": "https://shop.example",
     "parametersSchema": {"type": "object"}}
  ]
}`
	flowBody = `{
  "flow": {"id": "flow_01k9pfq3v8m2r6t4w7y9z0b1c5"},
  "record": {"name": "rtinspect demo", "type": "standalone"},
  "messages": [{"role": "user", "content": "Where is my order A-1001?"}],
  "options": {"streamResponse": true, "recordMode": "virtual", "flowMode": "existing"},
  "clientTools": [
    {"name": "get_order_status", "description": "Look up the shipping status of an order", "origin": "sdk",
     "parametersSchema": {"type": "object", "properties": {"orderId": {"type": "string"}}, "required": ["orderId"]}}
  ]
}`
)

func TestAddClientTools(t *testing.T) {
	cases := []struct {
		name  string
		file  string // a catalog loaded first, "" for none
		body  string
		probs []string
		tools map[string]Tool // what Tool returns afterwards (Examples unchecked)
	}{
		{
			name: "agent form",
			body: agentBody,
			tools: map[string]Tool{
				"add_to_cart": {Name: "add_to_cart", Description: "Add a product to the shopper's cart",
					InputSchema: []byte(`{"type":"object","properties":{"sku":{"type":"string"},"qty":{"type":"integer","minimum":1}},"required":["sku"]}`)},
				// The flow path calls it "webmcp:read_page".
				"webmcp:read_page": {Name: "read_page", Description: "Read the page", InputSchema: []byte(`{"type":"object"}`)},
			},
		},
		{
			name: "flow form",
			body: flowBody,
			tools: map[string]Tool{
				"get_order_status": {Name: "get_order_status", Description: "Look up the shipping status of an order",
					InputSchema: []byte(`{"type":"object","properties":{"orderId":{"type":"string"}},"required":["orderId"]}`)},
			},
		},
		{
			name: "a file tool keeps its output schema and gains what it lacked",
			file: `[{"name": "add_to_cart", "outputSchema": {"type": "object"}},
			        {"name": "read_page", "description": "Mine", "inputSchema": {"type": "string"}}]`,
			body: agentBody,
			tools: map[string]Tool{
				"add_to_cart": {Name: "add_to_cart", Description: "Add a product to the shopper's cart",
					InputSchema:  []byte(`{"type":"object","properties":{"sku":{"type":"string"},"qty":{"type":"integer","minimum":1}},"required":["sku"]}`),
					OutputSchema: []byte(`{"type":"object"}`)},
				"read_page": {Name: "read_page", Description: "Mine", InputSchema: []byte(`{"type":"string"}`)},
			},
		},
		{
			name: "bad parametersSchema and a nameless tool",
			body: `{"clientTools": [
  {"name": "a", "parametersSchema": {"type": 5}},
  {"description": "who?"}
]}`,
			probs: []string{
				"dispatch request:2: tool #1 a: parametersSchema: not a valid schema: /type: value must be one of 'array', 'boolean', 'integer', 'null', 'number', 'object', 'string'; the input schema is left out",
				`dispatch request:3: tool #2: a client tool needs a "name"`,
			},
			tools: map[string]Tool{"a": {Name: "a"}},
		},
		{
			name:  "not JSON",
			body:  "{\n  \"clientTools\": [,]\n}",
			probs: []string{"dispatch request:2: not JSON: invalid character ',' at start of value"},
		},
		{
			name:  "clientTools not an array",
			body:  `{"clientTools": {}}`,
			probs: []string{`dispatch request:1: "clientTools" must be an array`},
		},
		{
			name: "no clientTools",
			body: `{"flow": {"id": "f"}}`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := New()
			if tc.file != "" {
				if probs, err := c.Load("tools.json", []byte(tc.file)); err != nil || len(probs) > 0 {
					t.Fatalf("Load: problems %v, err %v", probs, err)
				}
			}
			var got []string
			for _, p := range c.AddClientTools([]byte(tc.body)) {
				got = append(got, p.String())
			}
			if !slices.Equal(got, tc.probs) {
				t.Errorf("AddClientTools problems =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tc.probs, "\n  "))
			}
			if n := len(c.Names()); n != len(tc.tools) {
				t.Errorf("len(Names()) = %d (%q), want %d", n, c.Names(), len(tc.tools))
			}
			for lookup, want := range tc.tools {
				tool, ok := c.Tool(lookup)
				if !ok {
					t.Errorf("Tool(%q): not found", lookup)
					continue
				}
				if tool.Name != want.Name || tool.Description != want.Description ||
					string(tool.InputSchema) != string(want.InputSchema) || string(tool.OutputSchema) != string(want.OutputSchema) {
					t.Errorf("Tool(%q) = %+v, want %+v", lookup, tool, want)
				}
			}
		})
	}
}

func TestLoadAfterClientTools(t *testing.T) {
	// The order of --tools and the first dispatch must not matter.
	c := New()
	if probs := c.AddClientTools([]byte(agentBody)); len(probs) > 0 {
		t.Fatalf("AddClientTools: %v", probs)
	}
	if probs, err := c.Load("tools.json", []byte(`[{"name": "add_to_cart", "outputSchema": {"type": "object"}}]`)); err != nil || len(probs) > 0 {
		t.Fatalf("Load: problems %v, err %v", probs, err)
	}
	tool, _ := c.Tool("add_to_cart")
	if tool.Description != "Add a product to the shopper's cart" || len(tool.InputSchema) == 0 || string(tool.OutputSchema) != `{"type":"object"}` {
		t.Errorf("Tool(add_to_cart) = %+v, want the file's output schema with the request's description and input schema", tool)
	}
	// Loading the file again (after an edit) replaces its tools.
	if _, err := c.Load("tools.json", []byte(`[{"name": "add_to_cart", "description": "Edited"}]`)); err != nil {
		t.Fatal(err)
	}
	if tool, _ := c.Tool("add_to_cart"); tool.Description != "Edited" || len(tool.OutputSchema) != 0 {
		t.Errorf("Tool(add_to_cart) after reload = %+v, want the edited definition", tool)
	}
}

func TestNames(t *testing.T) {
	c := New()
	if got := c.Names(); len(got) != 0 {
		t.Errorf("Names() of an empty catalog = %q, want none", got)
	}
	_, _ = c.Load("tools.json", []byte(`[{"name": "zeta"}, {"name": "alpha"}, {"name": "mid"}]`))
	if got, want := c.Names(), []string{"alpha", "mid", "zeta"}; !slices.Equal(got, want) {
		t.Errorf("Names() = %q, want %q", got, want)
	}
}

func TestProblemString(t *testing.T) {
	cases := []struct {
		p    Problem
		want string
	}{
		{Problem{File: "tools.json", Line: 3, Tool: "a", Index: 2, Msg: "bad"}, "tools.json:3: tool #2 a: bad"},
		{Problem{File: "tools.json", Line: 3, Index: 2, Msg: "bad"}, "tools.json:3: tool #2: bad"},
		{Problem{File: "tools.json", Line: 3, Tool: "a", Msg: "bad"}, "tools.json:3: tool a: bad"},
		{Problem{File: "tools.json", Line: 3, Msg: "bad"}, "tools.json:3: bad"},
		{Problem{File: "tools.json", Msg: "bad"}, "tools.json: bad"},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			if got := tc.p.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
		})
	}
}
