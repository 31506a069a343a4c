// Package catalog describes the client-side tools a person answers by hand:
// each tool's description, argument schema, output schema and example
// outputs. It reads them from a tool catalog file and from the clientTools
// of a dispatch request, builds editor stubs from the output schemas, and
// checks answers (JSONC in, standard JSON out, validated against the output
// schema) before anything is sent.
//
// The package is pure: it reads only the bytes a caller passes in, and
// never loads a schema from the network or the disk, so a $ref resolves
// only within its own schema.
package catalog

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"rtinspect/model"
)

// webmcpPrefix is what the flow path puts before page-tool names
// (runtype-protocol.md §4.1); the agent path sends them bare.
const webmcpPrefix = "webmcp:"

// dispatchFile names a dispatch request body in problems.
const dispatchFile = "dispatch request"

// Tool is one tool's description.
type Tool struct {
	// Name is the tool's name as the model calls it.
	Name string
	// Description says what the tool does.
	Description string
	// InputSchema is the JSON Schema of the arguments (compact JSON), nil
	// when unknown or when it did not compile.
	InputSchema json.RawMessage
	// OutputSchema is the JSON Schema of the output (the answer), nil when
	// unknown or when it did not compile.
	OutputSchema json.RawMessage
	// Examples are example outputs (compact JSON).
	Examples []json.RawMessage
}

// entry is a tool with its compiled and parsed output schema.
type entry struct {
	tool Tool
	// out is the compiled output schema (nil when none): compiled once
	// when the tool is added, reused by every check.
	out *jsonschema.Schema
	// outDoc is the output schema with its member order kept, for stubs
	// and headers.
	outDoc *node
	// fromFile is set for tools read from a catalog file, whose fields
	// win over what a dispatch request says.
	fromFile bool
}

// Catalog holds the known tools, by name. It is not safe for concurrent
// use: it belongs to the goroutine that owns the session (the Bubble Tea
// update loop), like the session itself.
type Catalog struct {
	tools map[string]*entry
}

// New returns an empty catalog.
func New() *Catalog { return &Catalog{tools: map[string]*entry{}} }

// Problem is something wrong in a catalog file or a dispatch request that
// did not stop the rest from loading.
type Problem struct {
	// File is the catalog file's name, or "dispatch request".
	File string
	// Line is the 1-based line of the fault, 0 when unknown.
	Line int
	// Tool is the name of the tool concerned, "" when it has none or the
	// problem is not about one tool.
	Tool string
	// Index is the 1-based position of the tool in its list, 0 when the
	// problem is not about one tool.
	Index int
	// Msg says what is wrong.
	Msg string
}

// String returns "file:line: tool #INDEX NAME: msg", leaving out the parts
// that are unknown.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Index > 0 || p.Tool != "" {
		b.WriteString("tool")
		if p.Index > 0 {
			fmt.Fprintf(&b, " #%d", p.Index)
		}
		if p.Tool != "" {
			b.WriteString(" " + p.Tool)
		}
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// toolFields are the fields a catalog tool may have. The ignored ones are
// part of the shapes people paste from (a dispatch request's clientTools,
// an MCP tools/list result) and mean nothing to rtinspect, so they are not
// worth a warning.
var (
	toolFields    = []string{"name", "description", "inputSchema", "parametersSchema", "outputSchema", "examples"}
	ignoredFields = []string{"origin", "pageOrigin", "annotations", "title", "$comment"}
)

// Load reads a catalog file's bytes: either {"tools":[...]} or a bare array
// [...], each tool {"name","description","inputSchema" (alias
// "parametersSchema"),"outputSchema","examples"}; comments and trailing
// commas are allowed. A file that does not parse is an error
// ("tools.json:3:5: ...") and loads nothing. Anything else wrong is a
// Problem naming the file, the tool and the line, and the rest still
// loads: a schema that does not compile is left out of its tool, an
// unknown field is ignored, a tool without a name is skipped. Tools
// replace same-named tools of an earlier Load, and gain the description and
// input schema of a dispatch request's client tool if they have none.
func (c *Catalog) Load(name string, data []byte) ([]Problem, error) {
	std, err := standardize(data)
	if err != nil {
		var pe *model.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%s:%d:%d: %s", name, pe.Line, pe.Column, pe.Msg)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(bytes.TrimSpace(std)) == 0 {
		return nil, fmt.Errorf("%s: no tools: the file is empty", name)
	}
	root, err := parseNode(std)
	if err != nil { // cannot happen after standardize; kept for safety
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	l := loader{file: name, std: std}
	list := l.toolList(root)

	seen := map[string]int{} // name -> line of its first definition
	var loaded []*entry
	for i, tv := range list {
		e := l.tool(i+1, tv)
		if e == nil {
			continue
		}
		if first, dup := seen[e.tool.Name]; dup {
			l.problem(l.line(tv.off), e.tool.Name, i+1, fmt.Sprintf("defined again (first at line %d); this one is ignored", first))
			continue
		}
		seen[e.tool.Name] = l.line(tv.off)
		loaded = append(loaded, e)
	}
	for _, e := range loaded {
		if old, ok := c.tools[e.tool.Name]; ok && !old.fromFile {
			fillFromClient(&e.tool, old.tool)
		}
		c.tools[e.tool.Name] = e
	}
	return l.sorted(), nil
}

// fillFromClient gives a file tool what a dispatch request said about it
// when the file says nothing.
func fillFromClient(t *Tool, client Tool) {
	if t.Description == "" {
		t.Description = client.Description
	}
	if len(t.InputSchema) == 0 {
		t.InputSchema = client.InputSchema
	}
}

// loader reads one catalog file or dispatch request and collects its
// problems.
type loader struct {
	file     string
	std      []byte // the standardized text, whose offsets match the original's
	problems []Problem
}

func (l *loader) problem(line int, tool string, index int, msg string) {
	l.problems = append(l.problems, Problem{File: l.file, Line: line, Tool: tool, Index: index, Msg: msg})
}

// sorted returns the problems in file order (the schema checks of a
// tool come after its fields are read, but may sit above them).
func (l *loader) sorted() []Problem {
	slices.SortStableFunc(l.problems, func(a, b Problem) int { return cmp.Compare(a.Line, b.Line) })
	return l.problems
}

func (l *loader) line(off int) int {
	line, _ := position(l.std, off)
	return line
}

// toolList returns the tool values of a catalog: the "tools" member of an
// object, or a bare array.
func (l *loader) toolList(root *node) []*node {
	switch root.kind {
	case '[':
		return root.vals
	case '{':
		var list *node
		for i, k := range root.keys {
			switch k {
			case "tools":
				list = root.vals[i]
			case "$schema", "$comment":
			default:
				l.problem(l.line(root.keyOffs[i]), "", 0, fmt.Sprintf("unknown field %q (want \"tools\")", k))
			}
		}
		if list == nil {
			l.problem(l.line(root.off), "", 0, `no "tools" array`)
			return nil
		}
		if list.kind != '[' {
			l.problem(l.line(list.off), "", 0, `"tools" must be an array`)
			return nil
		}
		return list.vals
	}
	l.problem(l.line(root.off), "", 0, `want {"tools":[...]} or an array of tools`)
	return nil
}

// tool reads the index-th (1-based) tool of a catalog file, or returns
// nil (with a problem) when it cannot be used at all.
func (l *loader) tool(index int, tv *node) *entry {
	if tv.kind != '{' {
		l.problem(l.line(tv.off), "", index, "a tool must be an object")
		return nil
	}
	name, ok := tv.get("name").str()
	if !ok || strings.TrimSpace(name) == "" {
		l.problem(l.line(tv.off), "", index, `no "name" (a non-empty string)`)
		return nil
	}
	e := &entry{tool: Tool{Name: name}, fromFile: true}
	var in, out, examples *node // the last of each, as encoding/json would keep
	inField := ""
	for i, k := range tv.keys {
		v, line := tv.vals[i], l.line(tv.keyOffs[i])
		switch k {
		case "name":
		case "description":
			if e.tool.Description, ok = v.str(); !ok {
				l.problem(l.line(v.off), name, index, `"description" must be a string`)
			}
		case "inputSchema", "parametersSchema":
			if in != nil {
				l.problem(line, name, index, fmt.Sprintf("both %q and %q given; %q is used", inField, k, k))
			}
			in, inField = v, k
		case "outputSchema":
			out = v
		case "examples":
			examples = v
		default:
			if !slices.Contains(ignoredFields, k) {
				l.problem(line, name, index, unknownField(k))
			}
		}
	}
	if examples != nil && examples.kind != '[' {
		l.problem(l.line(examples.off), name, index, `"examples" must be an array of example outputs`)
		examples = nil
	}
	if examples != nil {
		for _, ex := range examples.vals {
			e.tool.Examples = append(e.tool.Examples, ex.compact())
		}
	}
	if in != nil {
		if _, raw, msg, off := l.compile(in); msg != "" {
			l.problem(l.line(off), name, index, inField+": "+msg+"; the input schema is left out")
		} else {
			e.tool.InputSchema = raw
		}
	}
	if out != nil {
		if sch, raw, msg, off := l.compile(out); msg != "" {
			l.problem(l.line(off), name, index, "outputSchema: "+msg+"; answers are not checked")
		} else {
			e.tool.OutputSchema, e.out, e.outDoc = raw, sch, out
		}
	}
	// An example that does not fit the output schema would mislead whoever
	// copies it; say so, but keep it (the schema may be the one at fault).
	if e.out != nil {
		for i, ex := range e.tool.Examples {
			if msg, loc, atKey := check(e.out, ex); msg != "" {
				off := l.within(examples.vals[i], loc, atKey)
				l.problem(l.line(off), name, index, fmt.Sprintf("example #%d does not fit the output schema: %s", i+1, msg))
			}
		}
	}
	return e
}

// unknownField says a field is unknown, with a hint when only its case is
// wrong ("outputschema").
func unknownField(k string) string {
	for _, f := range toolFields {
		if strings.EqualFold(f, k) {
			return fmt.Sprintf("unknown field %q (did you mean %q?); it is ignored", k, f)
		}
	}
	return fmt.Sprintf("unknown field %q; it is ignored (known: %s)", k, strings.Join(toolFields, ", "))
}

// compile compiles the schema at v. On failure it returns a message and
// the byte offset (in l.std) of the part of the schema at fault.
func (l *loader) compile(v *node) (*jsonschema.Schema, json.RawMessage, string, int) {
	raw := v.compact()
	sch, err := compileSchema(raw)
	if err == nil {
		return sch, raw, "", 0
	}
	msg, loc, atKey := schemaError(err, raw)
	return nil, nil, msg, l.within(v, loc, atKey)
}

// within returns the byte offset in l.std of the value at loc inside v (or
// of its member name when atKey).
func (l *loader) within(v *node, loc []string, atKey bool) int {
	if len(loc) == 0 {
		return v.off
	}
	src := l.std[v.off:]
	src = src[:end(src)] // v alone, so that the locator can parse it
	val, key := locate(src, loc)
	if atKey && key >= 0 {
		return v.off + key
	}
	return v.off + val
}

// end returns the length of the first JSON value in b.
func end(b []byte) int {
	dec := json.NewDecoder(bytes.NewReader(b))
	var raw json.RawMessage
	if dec.Decode(&raw) != nil {
		return len(b)
	}
	return int(dec.InputOffset())
}

// AddClientTools feeds the clientTools of a dispatch request body (flow or
// agent form: {"clientTools":[{"name","description","parametersSchema"},
// ...]}) into the catalog. A tool already known keeps what it has and
// gains the description and input schema it lacked; a new tool is added
// without an output schema (a dispatch request has none). Problems name
// the tool and the line in the body.
func (c *Catalog) AddClientTools(dispatchBody []byte) []Problem {
	l := loader{file: dispatchFile, std: dispatchBody}
	root, err := parseNode(dispatchBody)
	if err != nil {
		pe := parseErrorOf(dispatchBody, err)
		l.problem(pe.Line, "", 0, "not JSON: "+pe.Msg)
		return l.problems
	}
	list := root.get("clientTools")
	if list == nil {
		return nil
	}
	if list.kind != '[' {
		l.problem(l.line(list.off), "", 0, `"clientTools" must be an array`)
		return l.problems
	}
	for i, tv := range list.vals {
		index := i + 1
		name, ok := tv.get("name").str()
		if tv.kind != '{' || !ok || name == "" {
			l.problem(l.line(tv.off), "", index, `a client tool needs a "name"`)
			continue
		}
		// The flow path reports page tools as "webmcp:NAME"; Tool finds
		// them under either spelling, so keep the name as sent.
		t := Tool{Name: name}
		t.Description, _ = tv.get("description").str()
		if ps := tv.get("parametersSchema"); ps != nil {
			if _, raw, msg, off := l.compile(ps); msg != "" {
				l.problem(l.line(off), name, index, "parametersSchema: "+msg+"; the input schema is left out")
			} else {
				t.InputSchema = raw
			}
		}
		if e := c.find(name); e != nil {
			fillFromClient(&e.tool, t)
			continue
		}
		c.tools[name] = &entry{tool: t}
	}
	return l.sorted()
}

// find returns the entry of a tool, matching its name with or without the
// "webmcp:" prefix the flow path adds to page tools.
func (c *Catalog) find(name string) *entry {
	if e, ok := c.tools[name]; ok {
		return e
	}
	if bare, ok := strings.CutPrefix(name, webmcpPrefix); ok {
		return c.tools[bare]
	}
	return c.tools[webmcpPrefix+name]
}

// Tool returns the tool of that name; "webmcp:NAME" and "NAME" find the
// same tool.
func (c *Catalog) Tool(name string) (Tool, bool) {
	e := c.find(name)
	if e == nil {
		return Tool{}, false
	}
	t := e.tool
	t.Examples = slices.Clone(t.Examples)
	return t, true
}

// Names returns the names of the known tools, sorted.
func (c *Catalog) Names() []string {
	names := make([]string, 0, len(c.tools))
	for n := range c.tools {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Checker returns the model.Checker for this catalog: Parse reads JSONC,
// Check validates against the tool's output schema. It reads the catalog
// as it is when called, so tools added later are checked too.
func (c *Catalog) Checker() model.Checker { return checker{c} }

// checker implements model.Checker over a catalog.
type checker struct{ c *Catalog }

// Parse turns JSONC into standard JSON of the same length (comments and
// trailing commas become spaces), so positions still match the editor's.
func (checker) Parse(text string) ([]byte, error) {
	return standardize([]byte(text))
}

// Check validates std against the output schema of toolName; nil when it
// fits or when the tool has no output schema.
func (k checker) Check(toolName string, std []byte) *model.ParseError {
	e := k.c.find(toolName)
	if e == nil || e.out == nil {
		return nil
	}
	return validate(e.out, std)
}
