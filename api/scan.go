package api

import (
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"rtinspect/api/internal/jsonesc"
)

// This file is the decoder's fast path: a single-pass scanner that fills the
// wire struct from a frame's JSON exactly as json.Unmarshal would, without
// reflection and mostly without allocating. Strings without escapes point
// into the frame's data; raw values (parameters, result, ...) are slices of
// the event's Data.
//
// Correctness never depends on it: whenever the scanner meets something it
// does not handle exactly like encoding/json (invalid JSON, a value of an
// unexpected type, a duplicate or case-folded key, deep nesting, a field it
// does not know), it reports false and Decode runs json.Unmarshal instead.

// scan is the scanner's state over one frame's data.
type scan struct {
	s   string  // the JSON text
	raw []byte  // the same bytes (Event.Data): raw values are slices of it
	i   int     // read position
	buf *[]byte // the block decoded strings are cut from (unquote)
}

// maxScanDepth bounds the nesting the scanner skips; deeper values go to
// encoding/json, which has its own (larger) limit and error.
const maxScanDepth = 256

// wireKeys, tokenKeys and contextKeys are the lower-cased JSON names of the
// fields of wire, Tokens and wireContext, taken from their tags. A key the
// scanner does not handle by exact name but that encoding/json would match
// (case-insensitively, or a field added to wire later) sends the frame to
// the slow path.
var (
	wireKeys    = foldedKeys(reflect.TypeFor[wire]())
	tokenKeys   = foldedKeys(reflect.TypeFor[Tokens]())
	contextKeys = foldedKeys(reflect.TypeFor[wireContext]())
)

func foldedKeys(t reflect.Type) map[string]bool {
	m := make(map[string]bool, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		m[strings.ToLower(name)] = true
	}
	return m
}

// folds reports whether encoding/json could match key to a field named in
// keys: by an ASCII case-insensitive match, or by Unicode folding (any
// non-ASCII key is assumed to match).
func folds(key string, keys map[string]bool) bool {
	var buf [32]byte // longer than any field name
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c >= utf8.RuneSelf {
			return true
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if i < len(buf) {
			buf[i] = c
		}
	}
	return len(key) <= len(buf) && keys[string(buf[:len(key)])]
}

// scanWire fills w from the JSON object in data (raw holds the same
// bytes), as json.Unmarshal into a zeroed wire would, and returns the bits
// of the fields it set. It sets only those: the caller zeroes the rest (and
// the bits of d.wSeen, which it also adds fields to when a first attempt
// set some). It reports false when it cannot vouch for the result; w is
// then partly written and must be zeroed before encoding/json fills it.
//
// again says the template read data and the last frame too: only the
// template's changing values can differ from the last frame's.
func (d *Decoder) scanWire(data string, raw []byte, w *wire) (seen uint64, again, ok bool) {
	warm := d.tmplWarm
	seen, ok = d.scanTemplate(data, raw, w)
	if ok {
		return seen, warm, true
	}
	d.wSeen |= seen // what the attempt set: cleared unless set again
	seen, ok = d.scanMembers(data, raw, w)
	return seen, false, ok
}

// The template is the byte layout of the last frame the member scanner
// read: runs of bytes (punctuation, keys, and the members whose values
// repeat, such as the type and the ids) between the values that change
// (seq, delta, ...). In a run of deltas each frame matches it, and is read
// with a few comparisons, one scan per changing value, and no key lookup.
//
// A frame that matches has, token for token, the same members as the one
// the template was made from, except for the changing values, which are
// read and checked as usual: it decodes to the same fields.
//
// Decoder.tmplWarm says w holds the template's repeating values: the last
// frame was read by the template, or made it. A frame that matches has
// the very same values, so they are not set again: they stay the strings
// of an earlier frame of the run, equal to this frame's. Whatever else
// fills w (the member scanner, encoding/json) comes after a failed match,
// which clears it (the member scanner sets it again when it makes the
// template).
type tmplPart struct {
	lit      string // the bytes up to the next changing value
	from, to int    // d.tmplSets[from:to] are the repeating fields in lit
	seen     uint64 // their bits
	n        int    // the field of the changing value after lit; tmplEnd after the last
}

// tmplSet is a repeating string field in a tmplPart's lit: its value is
// lit[off:off+len], which is plain (no escapes, valid UTF-8).
type tmplSet struct {
	n, off, len int
}

const (
	tmplEnd        = -2
	maxTmplMembers = 32
)

// scanTemplate reads data by the template. It returns the bits of the
// fields it set, with ok false when data does not match.
func (d *Decoder) scanTemplate(data string, raw []byte, w *wire) (seen uint64, ok bool) {
	sc := scan{s: data, raw: raw, buf: &d.strs}
	warm := d.tmplWarm
	d.tmplWarm = false
	for pi := range d.tmpl {
		p := &d.tmpl[pi]
		if !strings.HasPrefix(data[sc.i:], p.lit) {
			return seen, false
		}
		if !warm {
			for _, st := range d.tmplSets[p.from:p.to] {
				a := sc.i + st.off
				*repeatingField(w, st.n) = data[a : a+st.len]
			}
		}
		seen |= p.seen
		sc.i += len(p.lit)
		if p.n == tmplEnd {
			ok = sc.end()
			d.tmplWarm = ok
			return seen, ok
		}
		// The values that change in a run of deltas, without fieldN's
		// dispatch.
		var bit uint64
		switch {
		case p.n == fSeq:
			bit, ok = 1<<fSeq, sc.int64p(&w.Seq, &d.scratch.seq)
		case p.n == fDelta:
			bit, ok = 1<<fDelta, sc.str(&w.Delta)
		case p.n == fText:
			bit, ok = 1<<fText, sc.str(&w.Text)
		default:
			bit, ok = d.fieldN(&sc, p.n, w)
		}
		seen |= bit
		if !ok {
			return seen, false
		}
	}
	return seen, false // no template yet
}

// member is where one member of the frame the member scanner reads lies.
type member struct {
	n          int  // field number, -1 for a key wire does not have
	start, end int  // the value's bytes
	repeats    bool // a value the template expects again as is
}

// scanMembers reads data member by member and, when it succeeds, makes
// data the template.
func (d *Decoder) scanMembers(data string, raw []byte, w *wire) (seen uint64, ok bool) {
	d.tmpl = d.tmpl[:0]
	members := &d.members
	*members = (*members)[:0]
	overflow := false
	sc := scan{s: data, raw: raw, buf: &d.strs}
	sc.ws()
	if !sc.is('{') {
		return 0, false
	}
	sc.i++
	sc.ws()
	if sc.is('}') {
		sc.i++
		return 0, sc.end()
	}
	for k := 0; ; k++ {
		var n int
		if m := &d.shape[k%len(d.shape)]; m.tok != "" && strings.HasPrefix(sc.s[sc.i:], m.tok) {
			// The same key as this member had in the last frame: frames
			// come in runs of one shape, so most keys are recognised by
			// one comparison.
			sc.i += len(m.tok)
			n = m.n
		} else {
			if !sc.is('"') {
				return 0, false
			}
			a, b, flags, ok := sc.span()
			if !ok || flags != 0 {
				return 0, false // a key with escapes or non-ASCII: rare, and foldable
			}
			key := sc.s[a:b]
			sc.ws()
			if !sc.is(':') {
				return 0, false
			}
			sc.i++
			n = keyN(key)
			if n < 0 && folds(key, wireKeys) {
				// "media" (left to encoding/json), a wire field
				// scanWire does not know, or a key encoding/json
				// would match case-insensitively.
				return 0, false
			}
			if sc.i-a == len(key)+2 { // `"key":` with no space to remember
				if n >= 0 {
					*m = shapeMemo{tok: keyToks[n], n: n}
				} else {
					*m = shapeMemo{tok: d.keyTok(sc.s[a-1 : sc.i]), n: n}
				}
			}
		}
		sc.ws()
		start := sc.i
		bit, ok := d.fieldN(&sc, n, w)
		if !ok || seen&bit != 0 {
			// A duplicate key is left to encoding/json: it merges
			// objects and keeps the last of other values.
			return seen | bit, false
		}
		seen |= bit
		if len(*members) < maxTmplMembers {
			*members = append(*members, member{n: n, start: start, end: sc.i, repeats: repeats(data[start:sc.i], n, w)})
		} else {
			overflow = true
		}
		sc.ws()
		if sc.is(',') {
			sc.i++
			sc.ws()
			continue
		}
		if sc.is('}') {
			sc.i++
			if !sc.end() {
				return seen, false
			}
			if !overflow {
				d.makeTemplate(data, *members, sc.i)
				d.tmplWarm = true
			}
			return seen, true
		}
		return seen, false
	}
}

// repeats reports whether a member's value (its bytes v, already decoded
// into w) is one the template should expect again: a plain value of a
// field whose values repeat, or a short scalar of a key wire does not have.
func repeats(v string, n int, w *wire) bool {
	if n < 0 {
		return len(v) <= 64 && v[0] != '{' && v[0] != '['
	}
	p := repeatingField(w, n)
	return p != nil && len(v) >= 2 && v[0] == '"' && *p == v[1:len(v)-1]
}

// makeTemplate makes the template of data, whose members end at end.
func (d *Decoder) makeTemplate(data string, members []member, end int) {
	d.tmpl, d.tmplSets = d.tmpl[:0], d.tmplSets[:0]
	part := tmplPart{}
	litStart := 0
	for _, m := range members {
		if m.repeats {
			if m.n >= 0 {
				d.tmplSets = append(d.tmplSets, tmplSet{n: m.n, off: m.start + 1 - litStart, len: m.end - m.start - 2})
				part.seen |= 1 << uint(m.n)
			}
			continue
		}
		part.lit, part.n, part.to = data[litStart:m.start], m.n, len(d.tmplSets)
		d.tmpl = append(d.tmpl, part)
		litStart = m.end
		part = tmplPart{from: len(d.tmplSets)}
	}
	part.lit, part.n, part.to = data[litStart:end], tmplEnd, len(d.tmplSets)
	d.tmpl = append(d.tmpl, part)
	d.tmplChanging = 0
	for _, p := range d.tmpl {
		if p.n >= 0 {
			d.tmplChanging |= 1 << uint(p.n)
		}
	}
}

// repeatingField returns the wire field n when its values usually repeat
// from frame to frame (types, ids, names), nil for any other.
func repeatingField(w *wire, n int) *string {
	switch n {
	case fType:
		return &w.Type
	case fExecutionID:
		return &w.ExecutionID
	case fID:
		return &w.ID
	case fTurnID:
		return &w.TurnID
	case fContentType:
		return &w.ContentType
	case fName:
		return &w.Name
	case fExecutionType:
		return &w.ExecutionType
	case fStepType:
		return &w.StepType
	case fStepID:
		return &w.StepID
	case fPartID:
		return &w.PartID
	case fRole:
		return &w.Role
	case fKind:
		return &w.Kind
	case fToolCallID:
		return &w.ToolCallID
	case fToolName:
		return &w.ToolName
	}
	return nil
}

// keyTok returns a copy of tok (the `"key":` of a key wire does not have)
// that the shape memo can keep, the same one for the same key: the memo
// changes with every frame of another shape, and a key such as "agentId"
// comes back every turn.
func (d *Decoder) keyTok(tok string) string {
	if t, ok := d.keyToks[tok]; ok {
		return t
	}
	t := strings.Clone(tok)
	if len(d.keyToks) < maxKeyToks {
		if d.keyToks == nil {
			d.keyToks = map[string]string{}
		}
		d.keyToks[t] = t
	}
	return t
}

// maxKeyToks bounds keyTok's memory: a stream of ever new keys costs a
// copy each, as before.
const maxKeyToks = 256

// shapeMemo remembers the opening `"key":` of one member of the last frame
// and the key's field number (-1: not a wire field).
type shapeMemo struct {
	tok string
	n   int
}

// Field numbers: a wire field's bit in the scanner's masks (at most 64).
const (
	fType = iota
	fExecutionID
	fSeq
	fID
	fDelta
	fText
	fTurnID
	fContentType
	fName
	fExecutionType
	fIteration
	fSequenceIndex
	fAgentContext
	fToolContext
	fStepID
	fPartID
	fStepName
	fFlowName
	fAgentName
	fRole
	fKind
	fStepType
	fReasoningText
	fMessage
	fToolCallID
	fToolID
	fToolName
	fToolType
	fOrigin
	fParameters
	fArgs
	fResult
	fOutput
	fSuccess
	fAwaitReason
	fApprovalID
	fDecision
	fDescription
	fReason
	fError
	fCode
	fRecoverable
	fStopReason
	fFinalOutput
	fIterations
	fDuration
	fDurationMs
	fExecutionTime
	fTokens
	fTotalTokens
	fCost
	fTotalCost
	fToolCost
	fStartedAt
	fCompletedAt
	fAwaitedAt
	fTimestamp
	fSkippedAt
	fReflection
	fSkill
	fOutcome
	fProposalID
	fActivatedCapabilities
)

// keyN returns the field number of a wire JSON name, -1 for any other key.
func keyN(key string) int {
	switch key {
	case "type":
		return fType
	case "executionId":
		return fExecutionID
	case "seq":
		return fSeq
	case "id":
		return fID
	case "delta":
		return fDelta
	case "text":
		return fText
	case "turnId":
		return fTurnID
	case "contentType":
		return fContentType
	case "name":
		return fName
	case "executionType":
		return fExecutionType
	case "iteration":
		return fIteration
	case "sequenceIndex":
		return fSequenceIndex
	case "agentContext":
		return fAgentContext
	case "toolContext":
		return fToolContext
	case "stepId":
		return fStepID
	case "partId":
		return fPartID
	case "stepName":
		return fStepName
	case "flowName":
		return fFlowName
	case "agentName":
		return fAgentName
	case "role":
		return fRole
	case "kind":
		return fKind
	case "stepType":
		return fStepType
	case "reasoningText":
		return fReasoningText
	case "message":
		return fMessage
	case "toolCallId":
		return fToolCallID
	case "toolId":
		return fToolID
	case "toolName":
		return fToolName
	case "toolType":
		return fToolType
	case "origin":
		return fOrigin
	case "parameters":
		return fParameters
	case "args":
		return fArgs
	case "result":
		return fResult
	case "output":
		return fOutput
	case "success":
		return fSuccess
	case "awaitReason":
		return fAwaitReason
	case "approvalId":
		return fApprovalID
	case "decision":
		return fDecision
	case "description":
		return fDescription
	case "reason":
		return fReason
	case "error":
		return fError
	case "code":
		return fCode
	case "recoverable":
		return fRecoverable
	case "stopReason":
		return fStopReason
	case "finalOutput":
		return fFinalOutput
	case "iterations":
		return fIterations
	case "duration":
		return fDuration
	case "durationMs":
		return fDurationMs
	case "executionTime":
		return fExecutionTime
	case "tokens":
		return fTokens
	case "totalTokens":
		return fTotalTokens
	case "cost":
		return fCost
	case "totalCost":
		return fTotalCost
	case "toolCost":
		return fToolCost
	case "startedAt":
		return fStartedAt
	case "completedAt":
		return fCompletedAt
	case "awaitedAt":
		return fAwaitedAt
	case "timestamp":
		return fTimestamp
	case "skippedAt":
		return fSkippedAt
	case "reflection":
		return fReflection
	case "skill":
		return fSkill
	case "outcome":
		return fOutcome
	case "proposalId":
		return fProposalID
	case "activatedCapabilities":
		return fActivatedCapabilities
	}
	return -1
}

// keyToks are the member openings `"name":` of the wire fields.
var keyToks = [...]string{
	fType:                  `"type":`,
	fExecutionID:           `"executionId":`,
	fSeq:                   `"seq":`,
	fID:                    `"id":`,
	fDelta:                 `"delta":`,
	fText:                  `"text":`,
	fTurnID:                `"turnId":`,
	fContentType:           `"contentType":`,
	fName:                  `"name":`,
	fExecutionType:         `"executionType":`,
	fIteration:             `"iteration":`,
	fSequenceIndex:         `"sequenceIndex":`,
	fAgentContext:          `"agentContext":`,
	fToolContext:           `"toolContext":`,
	fStepID:                `"stepId":`,
	fPartID:                `"partId":`,
	fStepName:              `"stepName":`,
	fFlowName:              `"flowName":`,
	fAgentName:             `"agentName":`,
	fRole:                  `"role":`,
	fKind:                  `"kind":`,
	fStepType:              `"stepType":`,
	fReasoningText:         `"reasoningText":`,
	fMessage:               `"message":`,
	fToolCallID:            `"toolCallId":`,
	fToolID:                `"toolId":`,
	fToolName:              `"toolName":`,
	fToolType:              `"toolType":`,
	fOrigin:                `"origin":`,
	fParameters:            `"parameters":`,
	fArgs:                  `"args":`,
	fResult:                `"result":`,
	fOutput:                `"output":`,
	fSuccess:               `"success":`,
	fAwaitReason:           `"awaitReason":`,
	fApprovalID:            `"approvalId":`,
	fDecision:              `"decision":`,
	fDescription:           `"description":`,
	fReason:                `"reason":`,
	fError:                 `"error":`,
	fCode:                  `"code":`,
	fRecoverable:           `"recoverable":`,
	fStopReason:            `"stopReason":`,
	fFinalOutput:           `"finalOutput":`,
	fIterations:            `"iterations":`,
	fDuration:              `"duration":`,
	fDurationMs:            `"durationMs":`,
	fExecutionTime:         `"executionTime":`,
	fTokens:                `"tokens":`,
	fTotalTokens:           `"totalTokens":`,
	fCost:                  `"cost":`,
	fTotalCost:             `"totalCost":`,
	fToolCost:              `"toolCost":`,
	fStartedAt:             `"startedAt":`,
	fCompletedAt:           `"completedAt":`,
	fAwaitedAt:             `"awaitedAt":`,
	fTimestamp:             `"timestamp":`,
	fSkippedAt:             `"skippedAt":`,
	fReflection:            `"reflection":`,
	fSkill:                 `"skill":`,
	fOutcome:               `"outcome":`,
	fProposalID:            `"proposalId":`,
	fActivatedCapabilities: `"activatedCapabilities":`,
}

// fieldN decodes the value at the read position into wire field n and
// returns its bit; for n < 0 (a key wire does not have) it skips the value.
func (d *Decoder) fieldN(sc *scan, n int, w *wire) (uint64, bool) {
	var ok bool
	switch n {
	case fType:
		ok = sc.str(&w.Type)
	case fExecutionID:
		ok = sc.str(&w.ExecutionID)
	case fSeq:
		ok = sc.int64p(&w.Seq, &d.scratch.seq)
	case fID:
		ok = sc.str(&w.ID)
	case fDelta:
		ok = sc.str(&w.Delta)
	case fText:
		ok = sc.str(&w.Text)
	case fTurnID:
		ok = sc.str(&w.TurnID)
	case fContentType:
		ok = sc.str(&w.ContentType)
	case fName:
		ok = sc.str(&w.Name)
	case fExecutionType:
		ok = sc.str(&w.ExecutionType)
	case fIteration:
		ok = sc.int(&w.Iteration)
	case fSequenceIndex:
		ok = sc.int64p(&w.SequenceIndex, &d.scratch.seqIndex)
	case fAgentContext:
		ok = sc.context(&w.AgentContext, &d.scratch.agent, &d.scratch.agentSeq)
	case fToolContext:
		ok = sc.context(&w.ToolContext, &d.scratch.tool, &d.scratch.toolSeq)
	case fStepID:
		ok = sc.str(&w.StepID)
	case fPartID:
		ok = sc.str(&w.PartID)
	case fStepName:
		ok = sc.str(&w.StepName)
	case fFlowName:
		ok = sc.str(&w.FlowName)
	case fAgentName:
		ok = sc.str(&w.AgentName)
	case fRole:
		ok = sc.str(&w.Role)
	case fKind:
		ok = sc.str(&w.Kind)
	case fStepType:
		ok = sc.str(&w.StepType)
	case fReasoningText:
		ok = sc.str(&w.ReasoningText)
	case fMessage:
		ok = sc.rawValue(&w.Message)
	case fToolCallID:
		ok = sc.str(&w.ToolCallID)
	case fToolID:
		ok = sc.str(&w.ToolID)
	case fToolName:
		ok = sc.str(&w.ToolName)
	case fToolType:
		ok = sc.str(&w.ToolType)
	case fOrigin:
		ok = sc.str(&w.Origin)
	case fParameters:
		ok = sc.rawValue(&w.Parameters)
	case fArgs:
		ok = sc.rawValue(&w.Args)
	case fResult:
		ok = sc.rawValue(&w.Result)
	case fOutput:
		ok = sc.rawValue(&w.Output)
	case fSuccess:
		ok = sc.boolp(&w.Success)
	case fAwaitReason:
		ok = sc.str(&w.AwaitReason)
	case fApprovalID:
		ok = sc.str(&w.ApprovalID)
	case fDecision:
		ok = sc.str(&w.Decision)
	case fDescription:
		ok = sc.str(&w.Description)
	case fReason:
		ok = sc.str(&w.Reason)
	case fError:
		ok = sc.rawValue(&w.Error)
	case fCode:
		ok = sc.str(&w.Code)
	case fRecoverable:
		ok = sc.boolp(&w.Recoverable)
	case fStopReason:
		ok = sc.str(&w.StopReason)
	case fFinalOutput:
		ok = sc.rawValue(&w.FinalOutput)
	case fIterations:
		ok = sc.int(&w.Iterations)
	case fDuration:
		ok = sc.float(&w.Duration)
	case fDurationMs:
		ok = sc.float(&w.DurationMs)
	case fExecutionTime:
		ok = sc.float(&w.ExecutionTime)
	case fTokens:
		ok = sc.tokens(&w.Tokens)
	case fTotalTokens:
		ok = sc.tokens(&w.TotalTokens)
	case fCost:
		ok = sc.float(&w.Cost)
	case fTotalCost:
		ok = sc.float(&w.TotalCost)
	case fToolCost:
		ok = sc.float(&w.ToolCost)
	case fStartedAt:
		ok = sc.str(&w.StartedAt)
	case fCompletedAt:
		ok = sc.str(&w.CompletedAt)
	case fAwaitedAt:
		ok = sc.str(&w.AwaitedAt)
	case fTimestamp:
		ok = sc.str(&w.Timestamp)
	case fSkippedAt:
		ok = sc.str(&w.SkippedAt)
	case fReflection:
		ok = sc.str(&w.Reflection)
	case fSkill:
		ok = sc.str(&w.Skill)
	case fOutcome:
		ok = sc.rawValue(&w.Outcome)
	case fProposalID:
		ok = sc.str(&w.ProposalID)
	case fActivatedCapabilities:
		ok = sc.rawValue(&w.ActivatedCapabilities)
	default:
		return 0, sc.skip(0)
	}
	return 1 << uint(n), ok
}

// clearWire zeroes the wire fields whose bits are set in mask.
func clearWire(w *wire, mask uint64) {
	for ; mask != 0; mask &= mask - 1 {
		switch bits.TrailingZeros64(mask) {
		case fType:
			w.Type = ""
		case fExecutionID:
			w.ExecutionID = ""
		case fSeq:
			w.Seq = nil
		case fID:
			w.ID = ""
		case fDelta:
			w.Delta = ""
		case fText:
			w.Text = ""
		case fTurnID:
			w.TurnID = ""
		case fContentType:
			w.ContentType = ""
		case fName:
			w.Name = ""
		case fExecutionType:
			w.ExecutionType = ""
		case fIteration:
			w.Iteration = 0
		case fSequenceIndex:
			w.SequenceIndex = nil
		case fAgentContext:
			w.AgentContext = nil
		case fToolContext:
			w.ToolContext = nil
		case fStepID:
			w.StepID = ""
		case fPartID:
			w.PartID = ""
		case fStepName:
			w.StepName = ""
		case fFlowName:
			w.FlowName = ""
		case fAgentName:
			w.AgentName = ""
		case fRole:
			w.Role = ""
		case fKind:
			w.Kind = ""
		case fStepType:
			w.StepType = ""
		case fReasoningText:
			w.ReasoningText = ""
		case fMessage:
			w.Message = nil
		case fToolCallID:
			w.ToolCallID = ""
		case fToolID:
			w.ToolID = ""
		case fToolName:
			w.ToolName = ""
		case fToolType:
			w.ToolType = ""
		case fOrigin:
			w.Origin = ""
		case fParameters:
			w.Parameters = nil
		case fArgs:
			w.Args = nil
		case fResult:
			w.Result = nil
		case fOutput:
			w.Output = nil
		case fSuccess:
			w.Success = nil
		case fAwaitReason:
			w.AwaitReason = ""
		case fApprovalID:
			w.ApprovalID = ""
		case fDecision:
			w.Decision = ""
		case fDescription:
			w.Description = ""
		case fReason:
			w.Reason = ""
		case fError:
			w.Error = nil
		case fCode:
			w.Code = ""
		case fRecoverable:
			w.Recoverable = nil
		case fStopReason:
			w.StopReason = ""
		case fFinalOutput:
			w.FinalOutput = nil
		case fIterations:
			w.Iterations = 0
		case fDuration:
			w.Duration = 0
		case fDurationMs:
			w.DurationMs = 0
		case fExecutionTime:
			w.ExecutionTime = 0
		case fTokens:
			w.Tokens = nil
		case fTotalTokens:
			w.TotalTokens = nil
		case fCost:
			w.Cost = 0
		case fTotalCost:
			w.TotalCost = 0
		case fToolCost:
			w.ToolCost = 0
		case fStartedAt:
			w.StartedAt = ""
		case fCompletedAt:
			w.CompletedAt = ""
		case fAwaitedAt:
			w.AwaitedAt = ""
		case fTimestamp:
			w.Timestamp = ""
		case fSkippedAt:
			w.SkippedAt = ""
		case fReflection:
			w.Reflection = ""
		case fSkill:
			w.Skill = ""
		case fOutcome:
			w.Outcome = nil
		case fProposalID:
			w.ProposalID = ""
		case fActivatedCapabilities:
			w.ActivatedCapabilities = nil
		}
	}
}

// end checks that only whitespace follows the top-level value.
func (sc *scan) end() bool {
	sc.ws()
	return sc.i == len(sc.s)
}

func (sc *scan) is(c byte) bool { return sc.i < len(sc.s) && sc.s[sc.i] == c }

// ws skips JSON whitespace.
func (sc *scan) ws() {
	for sc.i < len(sc.s) && sc.s[sc.i] <= ' ' {
		switch sc.s[sc.i] {
		case ' ', '\t', '\n', '\r':
			sc.i++
		default:
			return
		}
	}
}

// String span flags.
const (
	spanEscaped = 1 << iota // holds a backslash escape
	spanHigh                // holds a byte >= 0x80
)

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// span validates the string at the read position (a '"') and moves past
// it, returning the bounds of its content and whether it holds escapes or
// non-ASCII bytes.
func (sc *scan) span() (a, b int, flags int, ok bool) {
	s, raw := sc.s, sc.raw
	i := sc.i + 1
	a = i
	var hi uint64 // the bytes passed over, or-ed: a high bit is non-ASCII
	for {
		// Eight bytes at a time while none is a quote, a backslash or a
		// control character (the bytes that end or interrupt a string).
		// The lowest byte the test flags is exact (a borrow can only
		// flag bytes above a true match), so jump straight to it.
		for i+8 <= len(raw) {
			x := binary.LittleEndian.Uint64(raw[i:])
			q := x ^ ('"' * lsb)
			e := x ^ ('\\' * lsb)
			if m := ((q-lsb)&^q | (e-lsb)&^e | (x - 0x20*lsb)) &^ x & msb; m != 0 {
				n := bits.TrailingZeros64(m) // 8*k+7 for byte k
				hi |= x & (1<<n - 1)
				i += n >> 3
				goto special
			}
			hi |= x
			i += 8
		}
		// The last bytes of the frame, one at a time.
		for i < len(s) && s[i] != '"' && s[i] != '\\' && s[i] >= 0x20 {
			hi |= uint64(s[i])
			i++
		}
		if i >= len(s) {
			return 0, 0, 0, false
		}
	special:
		switch s[i] {
		case '"':
			if hi&msb != 0 {
				flags |= spanHigh
			}
			sc.i = i + 1
			return a, i, flags, true
		case '\\':
			flags |= spanEscaped
			if i+1 >= len(s) {
				return 0, 0, 0, false
			}
			// A table, not a switch: the escapes of a text come in no
			// order a branch predictor could learn.
			switch escLen[s[i+1]] {
			case 2:
				i += 2
			case 6:
				if i+6 > len(s) || !isHex4(s[i+2:i+6]) {
					return 0, 0, 0, false
				}
				i += 6
			default:
				return 0, 0, 0, false
			}
		default: // a control character
			return 0, 0, 0, false
		}
	}
}

// escLen is the length of the escape a backslash starts, by the character
// after it: 6 for \uXXXX, 0 for none.
var escLen = [256]uint8{'"': 2, '\\': 2, '/': 2, 'b': 2, 'f': 2, 'n': 2, 'r': 2, 't': 2, 'u': 6}

func isHex4(s string) bool {
	for i := 0; i < 4; i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// str decodes a string into *p; null makes it "" (encoding/json leaves a
// zeroed field alone). A value of another type is a type error
// encoding/json reports: the slow path.
func (sc *scan) str(p *string) bool {
	if sc.is('"') {
		a, b, flags, ok := sc.span()
		if !ok {
			return false
		}
		v := sc.s[a:b]
		valid := flags&spanHigh == 0 || utf8.ValidString(v)
		if flags&spanEscaped != 0 || !valid {
			v = unquote(v, valid, sc.buf)
		}
		*p = v
		return true
	}
	*p = ""
	return sc.null()
}

// unquote decodes a validated string body with escapes or invalid UTF-8
// exactly as encoding/json's unquoteBytes does: a lone or broken surrogate
// becomes U+FFFD, and so does every byte of invalid UTF-8.
//
// A short result is cut from the block *buf (a new one when it is full):
// deltas with a newline or a quote are common, and an allocation each
// would be most of their cost. A block lives as long as one of its strings.
func unquote(s string, valid bool, buf *[]byte) string {
	if !valid {
		// Each byte of invalid UTF-8 grows into U+FFFD.
		b := jsonesc.AppendDecoded(make([]byte, 0, len(s)+utf8.UTFMax), s)
		return unsafe.String(unsafe.SliceData(b), len(b))
	}
	// Valid UTF-8: only the escapes change, and each one shrinks, so the
	// result fits in len(s) bytes.
	var b []byte
	block := *buf
	if len(s) <= maxBlockString {
		if cap(block)-len(block) < len(s) {
			block = make([]byte, 0, blockSize)
		}
		b = block[len(block):len(block)]
	} else {
		b = make([]byte, 0, len(s))
	}
	for r := 0; r < len(s); {
		j := r
		if len(s)-r > 32 {
			if j = strings.IndexByte(s[r:], '\\'); j < 0 {
				j = len(s)
			} else {
				j += r
			}
		} else {
			for j < len(s) && s[j] != '\\' {
				j++
			}
		}
		b = append(b, s[r:j]...)
		if j == len(s) {
			break
		}
		b, r = jsonesc.Unescape(s, j, b)
	}
	if len(b) == 0 {
		return ""
	}
	if len(s) <= maxBlockString {
		// b was appended in place: the block's bytes up to here are
		// strings handed out, never written again.
		*buf = block[:len(block)+len(b)]
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// The blocks unquote cuts short strings from.
const (
	blockSize      = 4 << 10
	maxBlockString = 256
)

// null consumes a null literal.
func (sc *scan) null() bool {
	if strings.HasPrefix(sc.s[sc.i:], "null") {
		sc.i += 4
		return true
	}
	return false
}

// number validates the number at the read position and returns its text
// and whether it is an integer (no fraction, no exponent).
func (sc *scan) number() (text string, integer bool, ok bool) {
	s, i := sc.s, sc.i
	a := i
	integer = true
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		for i++; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
		}
	default:
		return "", false, false
	}
	if i < len(s) && s[i] == '.' {
		integer = false
		i++
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return "", false, false
		}
		for i++; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		integer = false
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return "", false, false
		}
		for i++; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
		}
	}
	sc.i = i
	return s[a:i], integer, true
}

// integer reads an integer that fits an int64 (null leaves *p alone).
func (sc *scan) integer(p *int64) bool {
	// Fast path: a positive integer of up to 18 digits (cannot overflow).
	if s, i := sc.s, sc.i; i < len(s) && '1' <= s[i] && s[i] <= '9' {
		n, j := int64(0), i
		for ; j < len(s) && j-i < 18 && '0' <= s[j] && s[j] <= '9'; j++ {
			n = n*10 + int64(s[j]-'0')
		}
		if j == len(s) || (s[j] < '0' || s[j] > '9') && s[j] != '.' && s[j] != 'e' && s[j] != 'E' {
			*p = n
			sc.i = j
			return true
		}
	}
	if sc.is('n') {
		return sc.null()
	}
	text, integer, ok := sc.number()
	if !ok || !integer {
		return false
	}
	if len(text) < 19 && text[0] != '-' {
		var n int64
		for i := 0; i < len(text); i++ {
			n = n*10 + int64(text[i]-'0')
		}
		*p = n
		return true
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return false
	}
	*p = n
	return true
}

func (sc *scan) int(p *int) bool {
	var n int64
	if !sc.integer(&n) {
		return false
	}
	if int64(int(n)) != n {
		return false
	}
	*p = int(n)
	return true
}

// int64p reads an integer into store and points *p at it (null sets nil).
// store is decoder-owned: Decode copies the value out and keeps no pointer.
func (sc *scan) int64p(p **int64, store *int64) bool {
	if sc.is('n') {
		*p = nil
		return sc.null()
	}
	*store = 0
	if !sc.integer(store) {
		return false
	}
	*p = store
	return true
}

// float reads a number as encoding/json does (strconv.ParseFloat); an out
// of range number is its type error, left to the slow path.
func (sc *scan) float(p *float64) bool {
	if sc.is('n') {
		*p = 0
		return sc.null()
	}
	text, _, ok := sc.number()
	if !ok {
		return false
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return false
	}
	*p = f
	return true
}

// boolp reads true, false or null into a fresh pointer (the event keeps it).
func (sc *scan) boolp(p **bool) bool {
	rest := sc.s[sc.i:]
	switch {
	case strings.HasPrefix(rest, "true"):
		sc.i += 4
		*p = truep()
	case strings.HasPrefix(rest, "false"):
		sc.i += 5
		*p = falsep()
	case strings.HasPrefix(rest, "null"):
		sc.i += 4
		*p = nil
	default:
		return false
	}
	return true
}

// rawValue validates any value and keeps its bytes, as json.RawMessage
// does (null included). The slice shares the event's Data; its capacity
// is capped so an append can never write into Data.
func (sc *scan) rawValue(p *json.RawMessage) bool {
	a := sc.i
	if !sc.skip(0) {
		return false
	}
	*p = sc.raw[a:sc.i:sc.i]
	return true
}

// tokens reads a {input, output} object into a fresh Tokens.
func (sc *scan) tokens(p **Tokens) bool {
	if sc.is('n') {
		*p = nil
		return sc.null()
	}
	t := new(Tokens)
	ok := sc.object(func(key string) bool {
		switch key {
		case "input":
			return sc.integer(&t.Input)
		case "output":
			return sc.integer(&t.Output)
		}
		return !folds(key, tokenKeys) && sc.skip(1)
	})
	*p = t
	return ok
}

// context reads an agentContext / toolContext object into store (Decode
// keeps no pointer to it) and points *p at it.
func (sc *scan) context(p **wireContext, store *wireContext, seq *int64) bool {
	if sc.is('n') {
		*p = nil
		return sc.null()
	}
	*store = wireContext{}
	ok := sc.object(func(key string) bool {
		switch key {
		case "executionId":
			return sc.str(&store.ExecutionID)
		case "toolId":
			return sc.str(&store.ToolID)
		case "stepId":
			return sc.str(&store.StepID)
		case "seq":
			return sc.int64p(&store.Seq, seq)
		}
		return !folds(key, contextKeys) && sc.skip(1)
	})
	*p = store
	return ok
}

// object walks a nested object's members, calling member with the read
// position at each value. Keys with escapes or non-ASCII bytes, and
// duplicates (which encoding/json resolves by order), are not handled.
func (sc *scan) object(member func(key string) bool) bool {
	if !sc.is('{') {
		return false
	}
	sc.i++
	sc.ws()
	if sc.is('}') {
		sc.i++
		return true
	}
	var keys [8]string
	nk := 0
	for {
		if !sc.is('"') {
			return false
		}
		a, b, flags, ok := sc.span()
		if !ok || flags != 0 {
			return false
		}
		key := sc.s[a:b]
		for _, k := range keys[:nk] {
			if k == key {
				return false
			}
		}
		if nk < len(keys) {
			keys[nk] = key
			nk++
		} else {
			return false
		}
		sc.ws()
		if !sc.is(':') {
			return false
		}
		sc.i++
		sc.ws()
		if !member(key) {
			return false
		}
		sc.ws()
		if sc.is(',') {
			sc.i++
			sc.ws()
			continue
		}
		if sc.is('}') {
			sc.i++
			return true
		}
		return false
	}
}

// skip validates the value at the read position, at nesting depth depth,
// and moves past it.
func (sc *scan) skip(depth int) bool {
	if sc.i >= len(sc.s) {
		return false
	}
	switch c := sc.s[sc.i]; {
	case c == '"':
		_, _, _, ok := sc.span()
		return ok
	case c == '{':
		if depth >= maxScanDepth {
			return false
		}
		sc.i++
		sc.ws()
		if sc.is('}') {
			sc.i++
			return true
		}
		for {
			if !sc.is('"') {
				return false
			}
			if _, _, _, ok := sc.span(); !ok {
				return false
			}
			sc.ws()
			if !sc.is(':') {
				return false
			}
			sc.i++
			sc.ws()
			if !sc.skip(depth + 1) {
				return false
			}
			sc.ws()
			if sc.is(',') {
				sc.i++
				sc.ws()
				continue
			}
			if sc.is('}') {
				sc.i++
				return true
			}
			return false
		}
	case c == '[':
		if depth >= maxScanDepth {
			return false
		}
		sc.i++
		sc.ws()
		if sc.is(']') {
			sc.i++
			return true
		}
		for {
			if !sc.skip(depth + 1) {
				return false
			}
			sc.ws()
			if sc.is(',') {
				sc.i++
				sc.ws()
				continue
			}
			if sc.is(']') {
				sc.i++
				return true
			}
			return false
		}
	case c == 't':
		return sc.literal("true")
	case c == 'f':
		return sc.literal("false")
	case c == 'n':
		return sc.literal("null")
	default:
		_, _, ok := sc.number()
		return ok
	}
}

func (sc *scan) literal(lit string) bool {
	if strings.HasPrefix(sc.s[sc.i:], lit) {
		sc.i += len(lit)
		return true
	}
	return false
}
