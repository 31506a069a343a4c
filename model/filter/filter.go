// Package filter is the events pane's small expression language:
// space-separated terms that must all hold (AND), each one negated by a
// leading "!" — type:tool, tool:add_to_cart, error, pending,
// text:"regex", id:call_Q1, or a bare word matched anywhere.
package filter

import "regexp"

// Item is what a filter tests: one row of the grouped view or one event
// of the flat view, reduced to the fields the language can name.
type Item struct {
	// Kind is the row kind ("text", "tool", "await", "turn", …).
	Kind string
	// Type is the event type ("text_delta", "tool_start", …).
	Type string
	// Tool is the tool name, when the item is about a tool.
	Tool string
	// ExecutionID is the execution the item belongs to (exec:ID).
	ExecutionID string
	// IDs are every id the item carries: block, tool call, approval,
	// execution, turn, step.
	IDs []string
	// Text is the item's text: folded deltas, a one-line summary of
	// arguments and results, an error message.
	Text string
	// Status is the row's state in a word ("done", "failed", "waiting"…).
	Status string
	// Error is set for failed tools, error events and failed executions.
	Error bool
	// Pending is set while the item waits for the user (an await or an
	// approval not yet answered).
	Pending bool
}

// Expr is a parsed filter expression.
type Expr struct {
	src string
}

// SyntaxError is a filter that cannot be parsed; Pos is the byte offset
// of the problem in the expression, so the input line can point at it.
type SyntaxError struct {
	Pos int
	Msg string
}

func (e *SyntaxError) Error() string { return e.Msg }

// Parse parses an expression. The empty expression matches everything.
func Parse(s string) (*Expr, error) { return &Expr{src: s}, nil }

// Match reports whether the item satisfies every term.
func (e *Expr) Match(it *Item) bool { return true }

// Pattern is one regular expression matching what the positive text
// terms (bare words and text:) look for, for highlighting and for n/N in
// the detail view; nil when there are none.
func (e *Expr) Pattern() *regexp.Regexp { return nil }

// String returns the expression as typed.
func (e *Expr) String() string { return e.src }
