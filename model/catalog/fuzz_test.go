package catalog

import (
	"strings"
	"testing"
)

// FuzzLoad reads arbitrary catalog files and checks an answer against
// whatever loaded: never a panic.
func FuzzLoad(f *testing.F) {
	f.Add(`{"tools":[{"name":"t","outputSchema":{"type":"object","required":["a"],"properties":{"a":{"type":"integer"}}}}]}`, `{"a": 1}`)
	f.Add(`[{"name":"t","outputSchema":{"oneOf":[{"type":"string"},{"$ref":"#/$defs/x"}],"$defs":{"x":{"enum":[1,2]}}}}]`, `// c
"s",`)
	f.Add(`{"tools":[{"name":"t","outputSchema":{"type":"nope"}}]}`, `{`)
	f.Add(`not json`, ``)
	f.Fuzz(func(t *testing.T, file, answer string) {
		c := New()
		if _, err := c.Load("tools.json", []byte(file)); err != nil {
			return
		}
		chk := c.Checker()
		for _, name := range c.Names() {
			c.Stub(name)
			std, err := chk.Parse(answer)
			if err != nil {
				continue
			}
			if pe := chk.Check(name, std); pe != nil && (pe.Line < 1 || pe.Line > strings.Count(answer, "\n")+1) {
				t.Fatalf("check error %v points outside the answer", pe)
			}
		}
	})
}
