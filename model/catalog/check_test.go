package catalog

import (
	"encoding/json"
	"strings"
	"testing"

	"rtinspect/api"
	"rtinspect/model"
)

// cartSchema is the output schema of the demo's add_to_cart.
const cartSchema = `{
  "type": "object",
  "required": ["cartId", "items", "cartTotal"],
  "additionalProperties": false,
  "properties": {
    "cartId": {"type": "string"},
    "items": {"type": "array", "items": {"$ref": "#/$defs/line"}},
    "cartTotal": {"type": "number", "minimum": 0},
    "status": {"enum": ["ok", "backorder"]},
    "updatedAt": {"type": "string", "format": "date-time"},
    "ship": {"oneOf": [{"type": "object", "required": ["to"], "properties": {"to": {"type": "string"}}}, {"type": "null"}]}
  },
  "$defs": {
    "line": {
      "type": "object",
      "required": ["sku", "qty"],
      "properties": {"sku": {"type": "string"}, "qty": {"type": "integer", "minimum": 1}}
    }
  }
}`

func cartCatalog(t testing.TB) *Catalog {
	t.Helper()
	c := New()
	file := `{"tools":[{"name":"add_to_cart","description":"Add a product to the cart","outputSchema":` + cartSchema + `}]}`
	if probs, err := c.Load("tools.json", []byte(file)); err != nil || len(probs) > 0 {
		t.Fatalf("Load: problems %v, err %v", probs, err)
	}
	return c
}

func TestCheck(t *testing.T) {
	header := "// Tool: add_to_cart\n// Call: call_Q1\n"
	cases := []struct {
		name      string
		tool      string
		text      string
		line, col int
		msg       string // "" when valid
	}{
		{
			name: "valid",
			tool: "add_to_cart",
			text: header + `{"cartId": "c1", "items": [{"sku": "S", "qty": 2}], "cartTotal": 9.5, "status": "ok"}`,
		},
		{
			name: "wrong type deep in an array",
			tool: "add_to_cart",
			text: header + "{\n  \"cartId\": \"c1\",\n  \"items\": [\n    {\"sku\": \"A\", \"qty\": 1},\n    {\"sku\": \"B\", \"qty\": \"2\"}\n  ],\n  \"cartTotal\": 3\n}",
			line: 7, col: 25,
			msg: "/items/1/qty: got string, want integer",
		},
		{
			name: "missing required field points at the enclosing object",
			tool: "add_to_cart",
			text: header + "// a comment line\n{\n  \"cartId\": \"c1\",\n  \"items\": []\n}",
			line: 4, col: 1,
			msg: "missing property 'cartTotal'",
		},
		{
			name: "missing field in a nested object",
			tool: "add_to_cart",
			text: header + "{\"cartId\": \"c1\", \"cartTotal\": 1,\n \"items\": [\n  {\"sku\": \"A\"}]}",
			line: 5, col: 3,
			msg: "/items/0: missing property 'qty'",
		},
		{
			name: "enum violation",
			tool: "add_to_cart",
			text: header + "{\"cartId\": \"c1\", \"items\": [], \"cartTotal\": 1,\n  \"status\": \"lost\"}",
			line: 4, col: 13,
			msg: "/status: value must be one of 'ok', 'backorder'",
		},
		{
			name: "additionalProperties false points at the first extra name",
			tool: "add_to_cart",
			text: header + "{\"cartId\": \"c1\", \"items\": [], \"cartTotal\": 1,\n  \"zeta\": 1,\n  \"alpha\": 2}",
			line: 4, col: 3,
			msg: "additional properties 'zeta', 'alpha' not allowed",
		},
		{
			name: "the first fault in the text wins",
			tool: "add_to_cart",
			text: "{\"cartId\": 5, \"items\": [], \"cartTotal\": -1}",
			line: 1, col: 12,
			msg: "/cartId: got number, want string",
		},
		{
			name: "format is checked",
			tool: "add_to_cart",
			text: `{"cartId": "c1", "items": [], "cartTotal": 1, "updatedAt": "yesterday"}`,
			line: 1, col: 60,
			msg: "/updatedAt: 'yesterday' is not valid date-time: less than 20 characters long",
		},
		{
			name: "oneOf with no branch of the right type names them all",
			tool: "add_to_cart",
			text: `{"cartId": "c1", "items": [], "cartTotal": 1, "ship": 7}`,
			line: 1, col: 55,
			msg: "/ship: got number, want object or null",
		},
		{
			name: "oneOf follows the branch of the value's type",
			tool: "add_to_cart",
			text: `{"cartId": "c1", "items": [], "cartTotal": 1, "ship": {}}`,
			line: 1, col: 55,
			msg: "/ship: missing property 'to'",
		},
		{
			name: "webmcp prefix finds the tool",
			tool: "webmcp:add_to_cart",
			text: `{}`,
			line: 1, col: 1,
			msg: "missing properties 'cartId', 'items', 'cartTotal'",
		},
		{
			name: "unknown tool: anything goes",
			tool: "other",
			text: `{"whatever": true}`,
		},
	}
	ck := cartCatalog(t).Checker()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			std, err := ck.Parse(tc.text)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			pe := ck.Check(tc.tool, std)
			if tc.msg == "" {
				if pe != nil {
					t.Errorf("Check = %v, want nil", pe)
				}
				return
			}
			if pe == nil {
				t.Fatalf("Check = nil, want %d:%d %q", tc.line, tc.col, tc.msg)
			}
			if pe.Line != tc.line || pe.Column != tc.col || pe.Msg != tc.msg {
				t.Errorf("Check = %d:%d %q, want %d:%d %q", pe.Line, pe.Column, pe.Msg, tc.line, tc.col, tc.msg)
			}
		})
	}
}

func TestCheckDrafts(t *testing.T) {
	cases := []struct {
		name, schema, value, msg string
	}{
		{"draft-04 exclusiveMinimum flag", `{"$schema":"http://json-schema.org/draft-04/schema#","type":"integer","minimum":1,"exclusiveMinimum":true}`, `1`, "got 1, want more than 1"},
		{"draft-07", `{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","required":["a"]}`, `{}`, "missing property 'a'"},
		{"2019-09", `{"$schema":"https://json-schema.org/draft/2019-09/schema","type":"array","items":{"type":"string"}}`, `[1]`, "/0: got number, want string"},
		{"default is 2020-12: prefixItems", `{"type":"array","prefixItems":[{"type":"string"}]}`, `[1]`, "/0: got number, want string"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := catalogWith(t, tc.schema)
			pe := c.Checker().Check("t", []byte(tc.value))
			if pe == nil || pe.Msg != tc.msg {
				t.Errorf("Check(%s) = %v, want %q", tc.value, pe, tc.msg)
			}
		})
	}
}

// TestSessionDraft checks the catalog through the model's Checker hook:
// an answer that misses a field is an invalid draft with the field named
// and the editor's line.
func TestSessionDraft(t *testing.T) {
	c := cartCatalog(t)
	tool, known := c.Tool("add_to_cart")
	stub, _ := c.Stub("add_to_cart")
	args := json.RawMessage(`{"sku":"SHOE-001","qty":1}`)
	header := Header(tool, known, "call_Q1", args)
	headerLines := strings.Count(header, "\n")

	cases := []struct {
		name  string
		text  string
		state model.DraftState
		line  int
		err   string
	}{
		{"stub as opened", header + string(stub) + "\n", model.DraftValid, 0, ""},
		{"header only: still empty", header, model.DraftEmpty, 0, ""},
		// The line of a schema fault is not asserted here: model's draftFor
		// trims std before Check, which shifts it (TestCheck covers lines).
		{"missing field", header + "{\n  \"cartId\": \"c\",\n  \"items\": []\n}\n", model.DraftInvalid, -1, "missing property 'cartTotal'"},
		{"syntax error", header + "{\n  \"cartId\": \n}\n", model.DraftInvalid, headerLines + 3, "invalid character '}' at start of value"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := model.NewSession()
			s.SetChecker(c.Checker())
			s.Apply(api.Event{Type: api.TypeExecutionStart, Source: api.TypeExecutionStart, Vocab: api.VocabUnified, Known: true, ExecutionID: "exec_1", Seq: -1, Kind: "agent"})
			s.Apply(api.Event{Type: api.TypeAwait, Source: api.TypeAwait, Vocab: api.VocabUnified, Known: true, ExecutionID: "exec_1", Seq: -1,
				AwaitReason: api.AwaitLocalTool, ToolCallID: "call_Q1", ToolName: "add_to_cart", Parameters: args})
			if len(s.Pending()) != 1 {
				t.Fatalf("pending calls = %d, want 1", len(s.Pending()))
			}
			_ = s.SetDraft("call_Q1", tc.text)
			d := s.Call("call_Q1").Draft
			if d.State != tc.state || (tc.line >= 0 && d.Line != tc.line) || !strings.Contains(d.Err, tc.err) {
				t.Errorf("draft = %v line %d %q, want %v line %d %q", d.State, d.Line, d.Err, tc.state, tc.line, tc.err)
			}
		})
	}
}

func BenchmarkCheck(b *testing.B) {
	ck := cartCatalog(b).Checker()
	text := "// header\n{\"cartId\": \"c1\", \"items\": [{\"sku\": \"A\", \"qty\": 1}, {\"sku\": \"B\", \"qty\": \"2\"}], \"cartTotal\": 3}"
	for b.Loop() {
		std, err := ck.Parse(text)
		if err != nil {
			b.Fatal(err)
		}
		if ck.Check("add_to_cart", std) == nil {
			b.Fatal("want a fault")
		}
	}
}
