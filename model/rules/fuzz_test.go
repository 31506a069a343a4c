package rules

import "testing"

// FuzzParse reads arbitrary rules files: never a panic, and every problem
// names the file and a line.
func FuzzParse(f *testing.F) {
	f.Add(`{"rules":[{"name":"a","tool":"add_*","args":{"sku":"/^S/"},"answer":{"ok":true},"fire":"once","send":true}]}`)
	f.Add(`{"rules":[{"tool":"x","command":["sh","-c","cat"],"timeout":"5s"},{"tool":"[","file":"a"}]}`)
	f.Add(`{"rules":[{"tool":"x","decision":"approved","reason":"r"},{"tool":"y","anwser":1}]}`)
	f.Add(`{"rules": 5}`)
	f.Fuzz(func(t *testing.T, data string) {
		_, probs, err := Parse("rules.json", []byte(data))
		if err != nil {
			return
		}
		for _, p := range probs {
			if p.File != "rules.json" || p.Line < 1 {
				t.Fatalf("problem %q has no line", p)
			}
		}
	})
}
