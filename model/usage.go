package model

import (
	"bytes"
	"encoding/json"
	"time"

	"rtinspect/api"
)

// Timing, tokens and cost (issue 7). The stream states them on completion
// events: turn_complete (tokens, cost), step_complete (durationMs,
// tokensUsed, cost; a prompt step's result.tokens and result.cost),
// tool_complete (executionTime, toolCost) and execution_complete
// (durationMs, totalTokens, totalTokensUsed, totalCost). The decoder lifts
// durationMs/duration/executionTime into Event.DurationMs, tokens or
// totalTokens into Event.Tokens, and cost/totalCost/toolCost into
// Event.Cost; the rest is read here from the event's JSON, only for the
// step and execution completions that can carry it (never on the delta
// path).

// Usage is what a row's events say about its duration, tokens and cost:
// a few numbers, zero when the stream says nothing.
type Usage struct {
	// Duration is the stated duration (durationMs, executionTime), or for a
	// row that states none the time from its first to its last frame, once
	// it has ended.
	Duration time.Duration
	// TokensIn and TokensOut are the input and output tokens, when the
	// stream gives them apart.
	TokensIn, TokensOut int64
	// Tokens is the total: TokensIn + TokensOut, or a stated total
	// (tokensUsed, totalTokensUsed, tokens.total) when there is no split.
	Tokens int64
	// Cost is in US dollars.
	Cost float64
}

// IsZero reports whether u says nothing.
func (u Usage) IsZero() bool { return u == Usage{} }

// EventUsage returns what event e itself states about duration, tokens
// and cost (no measured duration: one event has no span).
func EventUsage(e *api.Event) Usage {
	var u Usage
	if e.DurationMs > 0 {
		u.Duration = time.Duration(e.DurationMs * float64(time.Millisecond))
	}
	if e.Tokens != nil {
		u.TokensIn, u.TokensOut = e.Tokens.Input, e.Tokens.Output
		u.Tokens = e.Tokens.Input + e.Tokens.Output
	}
	if e.Cost > 0 {
		u.Cost = e.Cost
	}
	switch e.Type {
	case api.TypeStepComplete, api.TypeExecutionComplete:
	default:
		return u
	}
	if u.Tokens == 0 && bytes.Contains(e.Data, []byte(`okensUsed"`)) {
		var x struct {
			TokensUsed      json.RawMessage `json:"tokensUsed"`
			TotalTokensUsed json.RawMessage `json:"totalTokensUsed"`
		}
		if json.Unmarshal(e.Data, &x) == nil {
			if t, ok := parseTokens(x.TokensUsed); ok {
				u.setTokens(t)
			} else if t, ok := parseTokens(x.TotalTokensUsed); ok {
				u.setTokens(t)
			}
		}
	}
	if e.Type == api.TypeStepComplete && (u.Tokens == 0 || u.Cost == 0) &&
		len(e.Result) > 0 && e.Result[0] == '{' &&
		(bytes.Contains(e.Result, []byte(`"tokens"`)) || bytes.Contains(e.Result, []byte(`"cost"`))) {
		// A prompt step's usage rides in its result (the captured
		// production stream has no top-level tokensUsed or cost).
		var r struct {
			Tokens json.RawMessage `json:"tokens"`
			Cost   float64         `json:"cost"`
		}
		if json.Unmarshal(e.Result, &r) == nil {
			if t, ok := parseTokens(r.Tokens); ok && u.Tokens == 0 {
				u.setTokens(t)
			}
			if u.Cost == 0 && r.Cost > 0 {
				u.Cost = r.Cost
			}
		}
	}
	return u
}

func (u *Usage) setTokens(t Usage) {
	u.TokensIn, u.TokensOut, u.Tokens = t.TokensIn, t.TokensOut, t.Tokens
}

// parseTokens reads a token count given as a number (a total) or as an
// object {input, output, total}; false when there is none.
func parseTokens(raw json.RawMessage) (Usage, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return Usage{}, false
	}
	if raw[0] != '{' {
		var n float64
		if json.Unmarshal(raw, &n) != nil || n <= 0 {
			return Usage{}, false
		}
		return Usage{Tokens: int64(n)}, true
	}
	var o struct {
		Input  int64 `json:"input"`
		Output int64 `json:"output"`
		Total  int64 `json:"total"`
	}
	if json.Unmarshal(raw, &o) != nil {
		return Usage{}, false
	}
	u := Usage{TokensIn: o.Input, TokensOut: o.Output, Tokens: o.Input + o.Output}
	if u.Tokens == 0 {
		u.Tokens = o.Total
	}
	return u, u.Tokens > 0
}

// Totals are the run's figures for the status bar.
//
// Tokens and cost are summed over the turns and steps (each a model call,
// at any nesting depth), until the top-level execution_complete arrives:
// its totalTokens / totalCost, when it states them, then replace the sums.
// Tool costs and the totals of nested execution_complete events are never
// added: a flow called as a tool reports the cost of steps already summed,
// so adding them would count those twice.
type Totals struct {
	TokensIn, TokensOut, Tokens int64
	Cost                        float64
	// Elapsed is the top-level execution_complete's stated duration, else
	// the time from the first row (the request) to the last event.
	Elapsed time.Duration
	// Final reports that tokens or cost are the top-level
	// execution_complete's own totals rather than sums.
	Final bool
	// Any reports that some row has a duration, tokens or a cost, and
	// HasDuration, HasTokens and HasCost which of them, so the UI can leave
	// empty columns out.
	Any                             bool
	HasDuration, HasTokens, HasCost bool
}

// runUsage is the session's running totals.
type runUsage struct {
	sum   Usage // over turns and steps
	final Usage // the top-level execution_complete's
	// finalTokens and finalCost say which parts of final were stated.
	finalTokens, finalCost bool
	// Which figures some row has.
	durations, tokens, cost bool
	first, last             time.Time
}

// saw notes which figures row usage u has.
func (ru *runUsage) saw(u Usage) {
	ru.durations = ru.durations || u.Duration > 0
	ru.tokens = ru.tokens || u.Tokens > 0
	ru.cost = ru.cost || u.Cost > 0
}

// Totals returns the run's tokens, cost and elapsed time.
func (s *Session) Totals() Totals {
	u := &s.usage
	t := Totals{TokensIn: u.sum.TokensIn, TokensOut: u.sum.TokensOut, Tokens: u.sum.Tokens, Cost: u.sum.Cost,
		HasDuration: u.durations, HasTokens: u.tokens, HasCost: u.cost}
	t.Any = t.HasDuration || t.HasTokens || t.HasCost
	if u.finalTokens {
		t.TokensIn, t.TokensOut, t.Tokens, t.Final = u.final.TokensIn, u.final.TokensOut, u.final.Tokens, true
	}
	if u.finalCost {
		t.Cost, t.Final = u.final.Cost, true
	}
	first := u.first
	if len(s.rows) > 0 && !s.rows[0].At.IsZero() && (first.IsZero() || s.rows[0].At.Before(first)) {
		first = s.rows[0].At
	}
	switch {
	case u.final.Duration > 0:
		t.Elapsed = u.final.Duration
	case !first.IsZero() && u.last.After(first):
		t.Elapsed = u.last.Sub(first)
	}
	return t
}

// finish records that row r ended with event e: the stated usage of e,
// and when it states no duration, the time from the row's first frame to
// e's. It feeds the run's totals: turns and steps are summed, the
// top-level execution_complete (depth 0) is kept apart.
func (s *Session) finish(r *Row, e *api.Event, depth int) {
	u := EventUsage(e)
	if u.Duration == 0 && !e.Frame.At.IsZero() && !r.At.IsZero() && e.Frame.At.After(r.At) {
		u.Duration = e.Frame.At.Sub(r.At)
	}
	// A repeated completion (the same step completed twice) replaces,
	// never adds to, what the row says.
	prev := r.Usage
	if u.Duration > 0 {
		r.Duration = u.Duration
	}
	if u.Tokens > 0 {
		r.TokensIn, r.TokensOut, r.Tokens = u.TokensIn, u.TokensOut, u.Tokens
	}
	if u.Cost > 0 {
		r.Cost = u.Cost
	}
	s.usage.saw(r.Usage)
	switch r.Kind {
	case RowTurn, RowStep:
		su := &s.usage.sum
		su.TokensIn += r.TokensIn - prev.TokensIn
		su.TokensOut += r.TokensOut - prev.TokensOut
		su.Tokens += r.Tokens - prev.Tokens
		su.Cost += r.Cost - prev.Cost
	case RowExecution:
		if e.Type != api.TypeExecutionComplete || depth != 0 {
			return
		}
		f := &s.usage
		if e.DurationMs > 0 {
			f.final.Duration = u.Duration
		}
		if u.Tokens > 0 {
			f.final.setTokens(u)
			f.finalTokens = true
		}
		if u.Cost > 0 {
			f.final.Cost = u.Cost
			f.finalCost = true
		}
	}
}

// measure gives row r, which ended without a completion event of its own
// (a legacy text block closed by the end of the run), the time from its
// first to its last frame, when it states no duration.
func (s *Session) measure(r *Row) {
	if r.Duration > 0 || len(r.Events) < 2 {
		return
	}
	var last api.Event
	if !s.ReadEvent(r.Events[len(r.Events)-1], &last) {
		return
	}
	if at := last.Frame.At; !at.IsZero() && !r.At.IsZero() && at.After(r.At) {
		r.Duration = at.Sub(r.At)
		s.usage.durations = true
	}
}

// rowIndex maps each event of the log to its row, as row+1 (0: no row, a
// ping). It is kept in fixed-size chunks that hold no pointers, like the
// event log, so an append never copies a huge slice: 4 bytes an event.
type rowIndex struct {
	chunks [][]uint32
}

const rowIndexChunk = 4096

func (x *rowIndex) add(row int) {
	last := len(x.chunks) - 1
	if last < 0 || len(x.chunks[last]) == rowIndexChunk {
		x.chunks = append(x.chunks, make([]uint32, 0, rowIndexChunk))
		last++
	}
	x.chunks[last] = append(x.chunks[last], uint32(row+1))
}

func (x *rowIndex) at(i int) int {
	c := i / rowIndexChunk
	if i < 0 || c >= len(x.chunks) || i%rowIndexChunk >= len(x.chunks[c]) {
		return -1
	}
	return int(x.chunks[c][i%rowIndexChunk]) - 1
}

// EventRow returns the index of the row event i folded into, -1 when it
// has none (a ping) or i is out of range. It is O(1): the flat view asks
// it for every line it draws, and the filter for every event.
func (s *Session) EventRow(i int) int { return s.evRows.at(i) }

// ReadEvent rebuilds event i into ev and reports whether i is in range.
// Unlike Event it keeps nothing: the flat view draws a screenful of
// events per frame and the filter reads every event, and keeping each
// rebuilt copy (as Event does) would grow the session by the size of a
// full event for every line ever scrolled past. ev shares the log's bytes:
// do not write into its strings' or JSON fields' backing arrays.
func (s *Session) ReadEvent(i int, ev *api.Event) bool {
	if i < 0 || i >= s.events.n {
		return false
	}
	if c, ok := s.events.mat[i]; ok {
		*ev = *c
		return true
	}
	s.events.build(ev, i, s.rows)
	return true
}
