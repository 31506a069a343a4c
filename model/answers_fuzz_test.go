package model

import "testing"

// FuzzParseAnswers reads arbitrary answers files: never a panic; an error
// says where.
func FuzzParseAnswers(f *testing.F) {
	f.Add(`{"toolOutputs":{"call_1":{"ok":true},"add_to_cart":[1,2]},"approvals":{"appr_1":"approved"},"messages":[{"role":"user","content":"x"}]}`)
	f.Add(`{"toolOutputs": {"x": }`)
	f.Add(`{"approvals":{"a":"maybe"}}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, data string) {
		if _, err := ParseAnswers([]byte(data)); err != nil && err.Error() == "" {
			t.Fatal("an error with no words")
		}
	})
}
