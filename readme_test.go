package main

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEListsEveryKey fails when a binding of the key map is missing
// from the README's key table, so the two cannot drift apart.
func TestREADMEListsEveryKey(t *testing.T) {
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	start := strings.Index(readme, "## Keys")
	if start < 0 {
		t.Fatal("README has no Keys section")
	}
	table := readme[start:]
	if end := strings.Index(table[3:], "\n## "); end >= 0 {
		table = table[:end+3]
	}
	for _, g := range defaultKeyMap().Groups() {
		for _, b := range g.Bindings {
			k := b.Keys()[0]
			if !strings.Contains(table, "`"+k+"`") {
				t.Errorf("README key table lacks `%s` (%s)", k, b.Help().Desc)
			}
		}
	}
}
