package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"rtinspect/model/catalog"
	"rtinspect/model/rules"
)

// answering is what helps answer calls: the tool catalog and the
// auto-responder rules, loaded for a command. Problems in either file are
// reported and the rest still works; only a file that cannot be read or
// parsed at all stops the command.
type answering struct {
	catalog  *catalog.Catalog
	rules    *rules.Set
	problems []string
}

func loadAnswering(f serverFlags, dispatchBody []byte) (answering, error) {
	a := answering{catalog: catalog.New()}
	if f.tools != "" {
		data, err := os.ReadFile(f.tools)
		if err != nil {
			return a, fmt.Errorf("tool catalog: %w", err)
		}
		probs, err := a.catalog.Load(f.tools, data)
		if err != nil {
			return a, fmt.Errorf("tool catalog: %w", err)
		}
		for _, p := range probs {
			a.problems = append(a.problems, p.String())
		}
	}
	if len(dispatchBody) > 0 {
		for _, p := range a.catalog.AddClientTools(dispatchBody) {
			a.problems = append(a.problems, p.String())
		}
	}
	if f.rules != "" {
		data, err := os.ReadFile(f.rules)
		if err != nil {
			return a, fmt.Errorf("rules: %w", err)
		}
		set, probs, err := rules.Parse(f.rules, data)
		if err != nil {
			return a, fmt.Errorf("rules: %w", err)
		}
		a.rules = set
		for _, p := range probs {
			a.problems = append(a.problems, p.String())
		}
	}
	return a, nil
}

// report prints the problems to stderr and returns a one-line notice for
// the status bar ("" when there are none).
func (a answering) report(stderr io.Writer) string {
	for _, p := range a.problems {
		fmt.Fprintf(stderr, "rtinspect: warning: %s\n", p)
	}
	if len(a.problems) == 0 {
		return ""
	}
	return fmt.Sprintf("%d problem(s) in the tool catalog or rules, first: %s", len(a.problems), strings.TrimSpace(a.problems[0]))
}
