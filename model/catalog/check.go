package catalog

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"rtinspect/model"
)

// schemaURL is where every schema is registered while it compiles. Each
// schema gets its own compiler, so the same URL never clashes; it shows in
// no message (schemaError strips it).
const schemaURL = "mem://rtinspect/schema.json"

// printer renders the validator's messages ("got string, want integer").
var printer = message.NewPrinter(language.English)

// noLoader refuses every schema URL that is not a built-in metaschema: the
// catalog stays pure (no file or network access), so a $ref can only point
// within its own schema.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("not loaded: a $ref may only point within its own schema")
}

// compileSchema compiles a JSON Schema document with the draft its
// $schema names (4, 6, 7, 2019-09, 2020-12), else 2020-12. Formats are
// asserted ("date-time", "email", ...): an answer with a malformed date is
// a mistake worth catching before it is sent, whatever the draft.
func compileSchema(raw []byte) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.UseLoader(noLoader{})
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, err
	}
	return c.Compile(schemaURL)
}

// schemaError turns a compile error into a short message and, when the
// schema itself is at fault, the location of the bad part within the
// schema (raw is the schema's compact JSON).
func schemaError(err error, raw []byte) (string, []string, bool) {
	var sve *jsonschema.SchemaValidationError
	if errors.As(err, &sve) {
		var ve *jsonschema.ValidationError
		if errors.As(sve.Err, &ve) {
			f := firstFault(ve, raw)
			return "not a valid schema: " + f.msg, f.loc, f.atKey
		}
	}
	doc, _ := parseNode(raw)
	var lue *jsonschema.LoadURLError
	var pnf *jsonschema.JSONPointerNotFoundError
	var anf *jsonschema.AnchorNotFoundError
	switch {
	case errors.As(err, &lue):
		u := strings.TrimSuffix(lue.URL, "#")
		if s, _ := doc.get("$schema").str(); s != "" && strings.TrimSuffix(s, "#") == u {
			return fmt.Sprintf("$schema %q is not a supported draft (use 4, 6, 7, 2019-09 or 2020-12)", s),
				[]string{"$schema"}, true
		}
		return fmt.Sprintf("$ref %q cannot be followed: only references within the schema are resolved", lue.URL),
			findRef(doc, func(r string) bool { return strings.HasPrefix(r, u) }), true
	case errors.As(err, &pnf):
		_, frag, _ := strings.Cut(pnf.URL, "#")
		return fmt.Sprintf("$ref %q points at nothing in the schema", "#"+frag),
			findRef(doc, func(r string) bool { return r == "#"+frag }), true
	case errors.As(err, &anf):
		return fmt.Sprintf("$ref %q: no such anchor in the schema", anf.Reference),
			findRef(doc, func(r string) bool { return strings.HasSuffix(anf.Reference, r) }), true
	}
	msg := strings.ReplaceAll(err.Error(), schemaURL, "")
	return msg, nil, false
}

// findRef returns the location of the first "$ref" member (in the
// schema's order) whose value matches, nil when there is none.
func findRef(n *node, match func(string) bool) []string {
	if n == nil {
		return nil
	}
	for i, k := range n.keys {
		if r, ok := n.vals[i].str(); ok && (k == "$ref" || k == "$dynamicRef" || k == "$recursiveRef") && match(r) {
			return []string{k}
		}
	}
	for i, v := range n.vals {
		if loc := findRef(v, match); loc != nil {
			tok := strconv.Itoa(i)
			if n.kind == '{' {
				tok = n.keys[i]
			}
			return append([]string{tok}, loc...)
		}
	}
	return nil
}

// fault is one thing wrong with a value, ready to show.
type fault struct {
	loc   []string // instance location (unescaped JSON pointer tokens)
	atKey bool     // point at the member name of the last token, not its value
	msg   string   // "/items/0/qty: got string, want integer"
	off   int      // byte offset in the validated text
}

// validate checks the standard JSON std against sch, and returns nil or a
// *model.ParseError at the first fault in the text.
func validate(sch *jsonschema.Schema, std []byte) *model.ParseError {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(std))
	if err != nil {
		return errorAt(std, 0, err.Error())
	}
	err = sch.Validate(v)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return errorAt(std, 0, err.Error())
	}
	f := firstFault(ve, std)
	return errorAt(std, f.off, f.msg)
}

// check validates the JSON value doc against sch, and returns "" or the
// message and location of its first fault.
func check(sch *jsonschema.Schema, doc []byte) (msg string, loc []string, atKey bool) {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return err.Error(), nil, false
	}
	var ve *jsonschema.ValidationError
	if err = sch.Validate(v); err == nil {
		return "", nil, false
	} else if !errors.As(err, &ve) {
		return err.Error(), nil, false
	}
	f := firstFault(ve, doc)
	return f.msg, f.loc, f.atKey
}

// firstFault picks, among the faults of a validation error, the one that
// comes first in the text. The validator walks object members in map
// order, so its own order is random; the text order is stable and is the
// order the user reads.
func firstFault(ve *jsonschema.ValidationError, text []byte) fault {
	var leaves []*jsonschema.ValidationError
	collect(ve, &leaves)
	var faults []fault
	for _, l := range leaves {
		f := describe(l, text)
		if f.atKey {
			_, f.off = locate(text, f.loc)
		} else {
			f.off, _ = locate(text, f.loc)
		}
		faults = append(faults, f)
	}
	if len(faults) == 0 { // no leaf: fall back on the whole message
		return fault{msg: ve.Error()}
	}
	return slices.MinFunc(faults, func(a, b fault) int {
		// On a tie the deeper fault is the more precise one.
		return cmp.Or(cmp.Compare(a.off, b.off), cmp.Compare(len(b.loc), len(a.loc)))
	})
}

// collect gathers the faults worth showing from a validation error tree:
// it looks through the nodes that only group other errors, and for a
// failed anyOf/oneOf it follows the first branch that failed for a
// reason other than the value's type (that is the branch the user is
// writing), or says which types all the branches wanted.
func collect(e *jsonschema.ValidationError, out *[]*jsonschema.ValidationError) {
	switch e.ErrorKind.(type) {
	case *kind.Schema, *kind.Group, *kind.Reference, *kind.AllOf:
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				collect(c, out)
			}
			return
		}
	case *kind.AnyOf, *kind.OneOf:
		if len(e.Causes) > 0 {
			for _, b := range e.Causes {
				if !typeOnly(b, e.InstanceLocation) {
					collect(b, out)
					return
				}
			}
			*out = append(*out, &jsonschema.ValidationError{
				InstanceLocation: e.InstanceLocation,
				ErrorKind:        mergedType(e),
			})
			return
		}
	}
	if e.ErrorKind != nil {
		*out = append(*out, e)
	}
}

// typeOnly reports whether branch b failed only because the value at loc
// has another type.
func typeOnly(b *jsonschema.ValidationError, loc []string) bool {
	var leaves []*jsonschema.ValidationError
	collect(b, &leaves)
	for _, l := range leaves {
		if _, ok := l.ErrorKind.(*kind.Type); !ok || !slices.Equal(l.InstanceLocation, loc) {
			return false
		}
	}
	return len(leaves) > 0
}

// mergedType is the type error of a failed anyOf/oneOf whose branches all
// wanted other types: "got string, want object or array".
func mergedType(e *jsonschema.ValidationError) *kind.Type {
	t := &kind.Type{}
	var leaves []*jsonschema.ValidationError
	for _, b := range e.Causes {
		collect(b, &leaves)
	}
	for _, l := range leaves {
		if k, ok := l.ErrorKind.(*kind.Type); ok {
			t.Got = k.Got
			for _, w := range k.Want {
				if !slices.Contains(t.Want, w) {
					t.Want = append(t.Want, w)
				}
			}
		}
	}
	return t
}

// describe says what is wrong at a leaf, prefixed with its JSON pointer
// (none at the root).
func describe(l *jsonschema.ValidationError, text []byte) fault {
	f := fault{loc: l.InstanceLocation}
	msg := phrase(l.ErrorKind)
	if k, ok := l.ErrorKind.(*kind.AdditionalProperties); ok && len(k.Properties) > 0 {
		// The validator lists the names in map order; list them in text
		// order and point at the first one's name.
		names := slices.Clone(k.Properties)
		keyOff := func(n string) int {
			_, off := locate(text, append(slices.Clone(l.InstanceLocation), n))
			return off
		}
		slices.SortStableFunc(names, func(a, b string) int { return cmp.Compare(keyOff(a), keyOff(b)) })
		msg = (&kind.AdditionalProperties{Properties: names}).LocalizedString(printer)
		if len(names) == 1 {
			msg = strings.Replace(msg, "properties", "property", 1)
		}
		f.loc = append(slices.Clone(l.InstanceLocation), names[0])
		f.atKey = true
	}
	if p := pointer(l.InstanceLocation); p != "" {
		msg = p + ": " + msg
	}
	f.msg = msg
	return f
}

// pointer returns the JSON pointer of unescaped tokens.
func pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// phrase says what a fault is, in the "got X, want Y" form where the
// validator's own wording is terse ("exclusiveMinimum: got 1, want 1").
func phrase(k jsonschema.ErrorKind) string {
	f := func(r *big.Rat) string {
		v, _ := r.Float64()
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	switch k := k.(type) {
	case *kind.Minimum:
		return fmt.Sprintf("got %s, want %s or more", f(k.Got), f(k.Want))
	case *kind.Maximum:
		return fmt.Sprintf("got %s, want %s or less", f(k.Got), f(k.Want))
	case *kind.ExclusiveMinimum:
		return fmt.Sprintf("got %s, want more than %s", f(k.Got), f(k.Want))
	case *kind.ExclusiveMaximum:
		return fmt.Sprintf("got %s, want less than %s", f(k.Got), f(k.Want))
	case *kind.MultipleOf:
		return fmt.Sprintf("got %s, want a multiple of %s", f(k.Got), f(k.Want))
	case *kind.MinLength:
		return fmt.Sprintf("got %d characters, want at least %d", k.Got, k.Want)
	case *kind.MaxLength:
		return fmt.Sprintf("got %d characters, want at most %d", k.Got, k.Want)
	case *kind.MinItems:
		return fmt.Sprintf("got %d items, want at least %d", k.Got, k.Want)
	case *kind.MaxItems:
		return fmt.Sprintf("got %d items, want at most %d", k.Got, k.Want)
	case *kind.MinProperties:
		return fmt.Sprintf("got %d properties, want at least %d", k.Got, k.Want)
	case *kind.MaxProperties:
		return fmt.Sprintf("got %d properties, want at most %d", k.Got, k.Want)
	case *kind.OneOf:
		if len(k.Subschemas) == 2 {
			return fmt.Sprintf("matches oneOf branches %d and %d, want exactly one", k.Subschemas[0]+1, k.Subschemas[1]+1)
		}
	case *kind.FalseSchema:
		return "not allowed here"
	case *kind.Not:
		return "matches the schema under 'not', want it not to"
	}
	return k.LocalizedString(printer)
}
