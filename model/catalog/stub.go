package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Stubs stay small on purpose: an editor full of placeholders is as hard to
// fill as an empty one. These limits bound what a schema can make us write.
const (
	// fillDepth is how deep objects are filled: the top object and the
	// objects one level in; deeper ones are written as {}.
	fillDepth = 1
	// maxRefs bounds $ref hops along one path, and maxNest the values
	// nested in one stub, so a recursive schema ends.
	maxRefs = 16
	maxNest = 6
	// headerWidth is the column the header's prose is wrapped at.
	headerWidth = 78
	// maxLine is where one property line of the header is cut short.
	maxLine = 120
	// maxEnum is how many enum values a header line lists.
	maxEnum = 8
)

// formatHints are placeholders that satisfy each string format (formats
// are asserted when answers are checked, so "" would be invalid).
var formatHints = map[string]string{
	"date-time":             "2026-01-01T00:00:00Z",
	"date":                  "2026-01-01",
	"time":                  "00:00:00Z",
	"duration":              "P1D",
	"email":                 "user@example.com",
	"idn-email":             "user@example.com",
	"hostname":              "example.com",
	"idn-hostname":          "example.com",
	"ipv4":                  "192.0.2.1",
	"ipv6":                  "2001:db8::1",
	"uri":                   "https://example.com",
	"iri":                   "https://example.com",
	"uri-reference":         "https://example.com",
	"iri-reference":         "https://example.com",
	"uri-template":          "https://example.com/{id}",
	"uuid":                  "00000000-0000-0000-0000-000000000000",
	"json-pointer":          "/",
	"relative-json-pointer": "0",
	"regex":                 ".*",
}

// Stub returns the editable value for a call of the tool (indented JSON),
// generated from its output schema: the required fields (every property
// when the schema has no required list) with type-correct placeholders;
// const, default or the first enum value when there is one; the first
// branch of oneOf/anyOf; allOf merged; $ref followed within the schema;
// format-valid strings for date-time, email, uri and the like; arrays with
// one item; objects filled one level deep and {} below that. ok is false
// when the tool has no output schema.
func (c *Catalog) Stub(toolName string) (json.RawMessage, bool) {
	e := c.find(toolName)
	if e == nil || e.outDoc == nil {
		return nil, false
	}
	g := stubber{root: e.outDoc}
	v := g.value(e.outDoc, 0, 0)
	if v.kind == 0 && string(v.lit) == "null" && !g.wantsNull(e.outDoc) {
		// A schema that says nothing about the output (true, {}): most
		// tool outputs are objects, and {} is the last resort too.
		v = &node{kind: '{'}
	}
	var out bytes.Buffer
	if err := json.Indent(&out, v.compact(), "", "  "); err != nil {
		return nil, false
	}
	return out.Bytes(), true
}

// stubber builds stubs and summaries from one schema document.
type stubber struct {
	root *node
}

// resolve returns the schema s means, as one object: its $ref target
// merged in (followed within the document), allOf merged, and, when
// branches is set, the first branch of oneOf/anyOf merged too. The
// schema's own keywords win over merged ones.
func (g stubber) resolve(s *node, refs int, branches bool) *node {
	if s == nil || s.kind != '{' {
		return s // a boolean schema (or garbage): nothing to merge
	}
	out := &node{kind: '{', off: s.off}
	for i, k := range s.keys {
		switch k {
		case "$ref", "$dynamicRef", "$recursiveRef", "allOf":
		case "oneOf", "anyOf":
			if !branches {
				out.set(k, s.vals[i])
			}
		default:
			out.set(k, s.vals[i])
		}
	}
	for _, k := range []string{"$ref", "$dynamicRef", "$recursiveRef"} {
		if r, ok := s.get(k).str(); ok && refs < maxRefs {
			merge(out, g.resolve(g.lookup(r), refs+1, branches))
		}
	}
	if all := s.get("allOf"); all != nil && all.kind == '[' {
		for _, m := range all.vals {
			merge(out, g.resolve(m, refs, branches))
		}
	}
	if branches {
		for _, k := range []string{"oneOf", "anyOf"} {
			if alt := s.get(k); alt != nil && alt.kind == '[' && len(alt.vals) > 0 {
				merge(out, g.resolve(alt.vals[0], refs, branches))
			}
		}
	}
	return out
}

// lookup finds the target of a $ref within the document: "#", a JSON
// pointer "#/...", or a plain-name anchor "#name". Anything else (another
// document) is not followed.
func (g stubber) lookup(ref string) *node {
	frag, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil
	}
	if frag == "" {
		return g.root
	}
	if !strings.HasPrefix(frag, "/") {
		return findAnchor(g.root, frag)
	}
	n := g.root
	for _, tok := range strings.Split(frag[1:], "/") {
		if t, err := url.PathUnescape(tok); err == nil {
			tok = t
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch n.kind {
		case '{':
			n = n.get(tok)
		case '[':
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.vals) {
				return nil
			}
			n = n.vals[i]
		default:
			return nil
		}
		if n == nil {
			return nil
		}
	}
	return n
}

// findAnchor finds the subschema with "$anchor" (or "$dynamicAnchor", or a
// draft 6/7 "$id" of "#name") equal to name.
func findAnchor(n *node, name string) *node {
	if n == nil {
		return nil
	}
	if n.kind == '{' {
		for _, k := range []string{"$anchor", "$dynamicAnchor"} {
			if a, _ := n.get(k).str(); a == name {
				return n
			}
		}
		if id, _ := n.get("$id").str(); id == "#"+name {
			return n
		}
		if id, _ := n.get("id").str(); id == "#"+name {
			return n
		}
	}
	for _, v := range n.vals {
		if f := findAnchor(v, name); f != nil {
			return f
		}
	}
	return nil
}

// set adds or replaces member k of an object node.
func (n *node) set(k string, v *node) {
	for i := range n.keys {
		if n.keys[i] == k {
			n.vals[i] = v
			return
		}
	}
	n.keys = append(n.keys, k)
	n.keyOffs = append(n.keyOffs, 0)
	n.vals = append(n.vals, v)
}

// merge adds the keywords of schema b to dst where dst has none, except
// that properties are joined (dst's first) and required lists united.
func merge(dst, b *node) {
	if b == nil || b.kind != '{' {
		return
	}
	for i, k := range b.keys {
		bv, dv := b.vals[i], dst.get(k)
		switch {
		case dv == nil:
			dst.set(k, bv)
		case k == "properties" && dv.kind == '{' && bv.kind == '{':
			props := &node{kind: '{', off: dv.off}
			for j, pk := range dv.keys {
				props.set(pk, dv.vals[j])
			}
			for j, pk := range bv.keys {
				if props.get(pk) == nil {
					props.set(pk, bv.vals[j])
				}
			}
			dst.set(k, props)
		case k == "required" && dv.kind == '[' && bv.kind == '[':
			req := &node{kind: '[', off: dv.off, vals: append([]*node(nil), dv.vals...)}
			for _, r := range bv.vals {
				if !containsLit(req.vals, r) {
					req.vals = append(req.vals, r)
				}
			}
			dst.set(k, req)
		}
	}
}

func containsLit(list []*node, v *node) bool {
	for _, n := range list {
		if bytes.Equal(n.lit, v.lit) {
			return true
		}
	}
	return false
}

// types returns the types a resolved schema allows ("type" as a string or
// a list), else the type its keywords imply, else nil.
func types(s *node) []string {
	t := s.get("type")
	if name, ok := t.str(); ok {
		return []string{name}
	}
	if t != nil && t.kind == '[' {
		var list []string
		for _, v := range t.vals {
			if name, ok := v.str(); ok {
				list = append(list, name)
			}
		}
		return list
	}
	has := func(keys ...string) bool {
		for _, k := range keys {
			if s.get(k) != nil {
				return true
			}
		}
		return false
	}
	switch {
	case has("properties", "required", "additionalProperties", "patternProperties", "minProperties", "maxProperties"):
		return []string{"object"}
	case has("items", "prefixItems", "minItems", "maxItems", "contains", "uniqueItems"):
		return []string{"array"}
	case has("format", "minLength", "maxLength", "pattern"):
		return []string{"string"}
	case has("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"):
		return []string{"number"}
	}
	return nil
}

// mainType is the type a stub uses: the first allowed one that is not
// "null" (a placeholder should show the shape of a real value).
func mainType(s *node) string {
	ts := types(s)
	for _, t := range ts {
		if t != "null" {
			return t
		}
	}
	if len(ts) > 0 {
		return ts[0]
	}
	return ""
}

// wantsNull reports whether a schema asks for null itself.
func (g stubber) wantsNull(s *node) bool {
	r := g.resolve(s, 0, true)
	return r != nil && r.kind == '{' && mainType(r) == "null"
}

// value builds the placeholder for schema s at object depth depth, nest
// values deep.
func (g stubber) value(s *node, depth, nest int) *node {
	r := g.resolve(s, 0, true)
	if r == nil || r.kind != '{' || nest > maxNest {
		return literal("null")
	}
	for _, k := range []string{"const", "default"} {
		if v := r.get(k); v != nil {
			return v
		}
	}
	if e := r.get("enum"); e != nil && e.kind == '[' && len(e.vals) > 0 {
		return e.vals[0]
	}
	switch mainType(r) {
	case "object":
		return g.object(r, depth, nest)
	case "array":
		return g.array(r, depth, nest)
	case "string":
		if f, ok := r.get("format").str(); ok && formatHints[f] != "" {
			return &node{lit: quote(formatHints[f])}
		}
		return literal(`""`)
	case "integer":
		return literal(strconv.FormatFloat(lowest(r, true), 'f', -1, 64))
	case "number":
		return literal(strconv.FormatFloat(lowest(r, false), 'f', -1, 64))
	case "boolean":
		return literal("false")
	}
	return literal("null")
}

// lowest is the number placeholder: 0, or the nearest valid number when
// the bounds exclude 0 (so that "qty" with minimum 1 starts valid).
func lowest(r *node, integer bool) float64 {
	v := 0.0
	draft4Excl := func(k string) bool { return string(r.get(k).litOrNil()) == "true" }
	if m, ok := r.get("minimum").num(); ok && m >= v {
		v = m
		if draft4Excl("exclusiveMinimum") { // draft 4: a flag on minimum
			v++
		}
	}
	if m, ok := r.get("exclusiveMinimum").num(); ok && m >= v { // draft 6+
		v = m + 1
	}
	if m, ok := r.get("maximum").num(); ok {
		switch {
		case draft4Excl("exclusiveMaximum") && v >= m:
			v = m - 1
		case v > m:
			v = m
		}
	}
	if m, ok := r.get("exclusiveMaximum").num(); ok && v >= m {
		v = m - 1
	}
	if integer {
		v = math.Ceil(v)
	}
	return v
}

// object fills an object: the required properties (all of them when the
// schema has no required list), in the schema's order, then required
// names the schema does not describe.
func (g stubber) object(r *node, depth, nest int) *node {
	out := &node{kind: '{'}
	if depth > fillDepth {
		return out
	}
	props := r.get("properties")
	req := r.get("required")
	var names []string
	if req == nil || req.kind != '[' {
		if props != nil {
			names = props.keys
		}
	} else {
		required := map[string]bool{}
		for _, v := range req.vals {
			if name, ok := v.str(); ok {
				required[name] = true
			}
		}
		if props != nil {
			for _, k := range props.keys {
				if required[k] {
					names = append(names, k)
					delete(required, k)
				}
			}
		}
		for _, v := range req.vals {
			if name, _ := v.str(); required[name] {
				names = append(names, name)
				delete(required, name)
			}
		}
	}
	for _, name := range names {
		ps := props.get(name)
		if ps == nil {
			if ap := r.get("additionalProperties"); ap != nil && ap.kind == '{' {
				ps = ap
			}
		}
		if out.get(name) == nil {
			out.set(name, g.value(ps, depth+1, nest+1))
		}
	}
	return out
}

// array holds one item (one per prefix item for a tuple), so the user
// sees the item's shape; [] when the items are unknown.
func (g stubber) array(r *node, depth, nest int) *node {
	out := &node{kind: '['}
	if nest >= maxNest {
		return out
	}
	prefix := r.get("prefixItems")
	if items := r.get("items"); items != nil && items.kind == '[' {
		prefix = items // draft 4 to 2019-09 tuple form
	}
	if prefix != nil && prefix.kind == '[' && len(prefix.vals) > 0 {
		for _, p := range prefix.vals {
			out.vals = append(out.vals, g.value(p, depth, nest+1))
		}
		return out
	}
	items := r.get("items")
	if items == nil || string(items.lit) == "false" {
		return out
	}
	out.vals = append(out.vals, g.value(items, depth, nest+1))
	return out
}

// Header renders the JSONC comment block the editor shows above the
// value: the tool's name, the call id, the description wrapped at 78
// columns, the call's arguments as compact JSON, and the output schema in
// short (one line per property with its type, whether it is required, its
// enum values and description; nested one level). Every line starts with
// "// ", so the block is stripped when the answer is parsed. With known
// false (no catalog entry) it has the name and arguments only.
func Header(t Tool, known bool, callID string, args json.RawMessage) string {
	var b strings.Builder
	line := func(s string) { b.WriteString("// " + s + "\n") }
	title := "Tool: " + oneLine(t.Name)
	if !known {
		title += " (not in the tool catalog)"
	}
	line(title)
	if callID != "" {
		line("Call: " + oneLine(callID))
	}
	if known && strings.TrimSpace(t.Description) != "" {
		for _, l := range wrap(t.Description, headerWidth-len("// ")) {
			line(l)
		}
	}
	line("Arguments: " + compactArgs(args))
	if known {
		if len(t.OutputSchema) == 0 {
			line("Output schema: none known; any JSON value is accepted.")
		} else if doc, err := parseNode(t.OutputSchema); err == nil {
			summarize(doc, line)
		}
	}
	line("Write the output as JSON below. These // lines are removed before sending.")
	return b.String()
}

// compactArgs renders the arguments on one line.
func compactArgs(args json.RawMessage) string {
	if len(bytes.TrimSpace(args)) == 0 {
		return "(none)"
	}
	var b bytes.Buffer
	if json.Compact(&b, args) != nil {
		return oneLine(string(args))
	}
	return b.String()
}

// summarize writes the output schema in short: its type, then one line
// per property of the top object (of the item object for an array of
// objects), and the properties of those properties' objects one level in.
func summarize(doc *node, line func(string)) {
	g := stubber{root: doc}
	r := g.resolve(doc, 0, true)
	line("Output schema: " + g.typeName(doc, 0))
	top := g.objectOf(r, 0)
	if top == nil {
		return
	}
	g.properties(top, 1, line)
}

// objectOf returns the resolved object schema whose properties describe a
// value: the schema itself, or its items for an array; nil for others.
func (g stubber) objectOf(r *node, nest int) *node {
	if r == nil || r.kind != '{' || nest > maxRefs {
		return nil
	}
	switch mainType(r) {
	case "object":
		if r.get("properties") != nil {
			return r
		}
	case "array":
		if it := r.get("items"); it != nil && it.kind == '{' {
			return g.objectOf(g.resolve(it, 0, true), nest+1)
		}
	}
	return nil
}

// properties writes one line per property of object schema r, at level
// 1 (top) or 2 (nested).
func (g stubber) properties(r *node, level int, line func(string)) {
	props := r.get("properties")
	if props == nil || props.kind != '{' {
		return
	}
	required := map[string]bool{}
	if req := r.get("required"); req != nil {
		for _, v := range req.vals {
			if name, ok := v.str(); ok {
				required[name] = true
			}
		}
	}
	indent := strings.Repeat("  ", level)
	for i, name := range props.keys {
		ps := g.resolve(props.vals[i], 0, false)
		s := indent + oneLine(name) + ": " + g.typeName(props.vals[i], 0)
		if required[name] {
			s += " (required)"
		}
		if d, ok := ps.get("description").str(); ok && strings.TrimSpace(d) != "" {
			s += " — " + oneLine(d)
		}
		line(cut(s, maxLine))
		if level == 1 {
			if nested := g.objectOf(g.resolve(props.vals[i], 0, true), 0); nested != nil {
				g.properties(nested, 2, line)
			}
		}
	}
}

// typeName describes a schema in a few words: `string (date-time)`,
// `array of object`, `string, one of "ok", "backorder"`, `= "v1"`,
// `string or object`.
func (g stubber) typeName(s *node, refs int) string {
	r := g.resolve(s, refs, false)
	if r == nil || r.kind != '{' {
		if r != nil && string(r.lit) == "false" {
			return "nothing (false schema)"
		}
		return "any"
	}
	if c := r.get("const"); c != nil {
		return "= " + string(c.compact())
	}
	ts := types(r)
	if len(ts) == 0 {
		// No type of its own: name the alternatives.
		for _, k := range []string{"oneOf", "anyOf"} {
			if alt := r.get(k); alt != nil && alt.kind == '[' && len(alt.vals) > 0 {
				var names []string
				for _, a := range alt.vals {
					if n := g.typeName(a, refs+1); !containsStr(names, n) {
						names = append(names, n)
					}
				}
				return strings.Join(names, " or ")
			}
		}
	}
	var parts []string
	for _, t := range ts {
		switch t {
		case "array":
			if it := r.get("items"); it != nil && it.kind == '{' && refs < maxRefs {
				t = "array of " + g.typeName(it, refs+1)
			}
		case "string":
			if f, ok := r.get("format").str(); ok {
				t += " (" + f + ")"
			}
		}
		parts = append(parts, t)
	}
	name := strings.Join(parts, " or ")
	if name == "" && r.get("enum") == nil {
		name = "any"
	}
	if e := r.get("enum"); e != nil && e.kind == '[' {
		var vals []string
		for i, v := range e.vals {
			if i == maxEnum {
				vals = append(vals, fmt.Sprintf("… (%d values)", len(e.vals)))
				break
			}
			vals = append(vals, string(v.compact()))
		}
		if name != "" {
			name += ", "
		}
		name += "one of " + strings.Join(vals, ", ")
	}
	return name
}

func containsStr(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// oneLine folds whitespace (newlines included) into single spaces, so
// text from a schema cannot break out of its comment line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// cut shortens s to at most n characters, ending it with "…".
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// wrap splits text into lines of at most width characters (a longer word
// gets a line of its own).
func wrap(text string, width int) []string {
	var lines []string
	cur := ""
	for _, w := range strings.Fields(text) {
		switch {
		case cur == "":
			cur = w
		case utf8.RuneCountInString(cur)+1+utf8.RuneCountInString(w) <= width:
			cur += " " + w
		default:
			lines = append(lines, cur)
			cur = w
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}
