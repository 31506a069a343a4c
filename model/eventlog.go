package model

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"strings"
	"time"

	"rtinspect/api"
)

// The event log keeps every event a session folded, so the detail view, the
// raw view and exports can show them, in about the size of the frames they
// came from (issue 5: after a million events the session must hold less
// than twice the bytes received).
//
// An api.Event is ~640 bytes and full of pointers, and the decoder gives
// each one its own copies of strings its frame already holds (Data, Delta,
// ids, the type). Keeping them as they come costs ~7x the frames and makes
// every collection scan a gigabyte. So the log keeps one small fixed-size
// entry per event, in chunks that hold no pointers (the collector never
// scans them), and the bytes in an arena of large strings:
//
//   - A text or reasoning delta, most of a long run, is an entry of its
//     own: the frame's data and id bytes in the arena, the delta as a span
//     of its row's text (which holds it anyway), the strings every delta
//     repeats (type, source, execution id, event line) as small codes, and
//     the fields legacy deltas add in a record shared by consecutive deltas.
//   - Any other event is encoded field by field into the arena: absent
//     fields cost nothing, low-cardinality strings are codes, and Data (and
//     any long string or JSON field found in it) is a span of the frame's
//     data, which is stored once.
//
// Event(i) rebuilds an event the first time it is asked for and caches it,
// so it returns the same pointer every time. The rebuilt event equals the
// one folded field for field, except that Frame.At has lost its monotonic
// clock reading (it is the same instant in the same location).
//
// Nothing in the log moves once written (chunks, sealed arena strings), so
// the substrings handed out stay valid for the session's life. The chunks
// also keep appends O(1) without re-growing and copying a huge slice.
const (
	logChunkBits = 10
	logChunk     = 1 << logChunkBits

	// arenaChunk is the size of one arena string. Anything bigger than a
	// quarter of it gets a string of its own.
	arenaChunk = 256 << 10

	// maxInterned bounds the strings (and locations) entries name by
	// code; past it, strings are stored inline.
	maxInterned = 250
)

// Kinds of entries.
const (
	entEncoded   uint8 = iota // any event, encoded in the arena
	entText                   // a compact text_delta
	entReasoning              // a compact reasoning_delta
)

// Entry flags (compact deltas).
const (
	flKnown    uint8 = 1 << iota // Event.Known
	flDataCopy                   // Event.Data was a copy of Frame.Data
	flZeroAt                     // Frame.At is the zero time
)

// Codes of entry.src, entry.fev and entry.exec below their interned
// strings.
const (
	srcType   = 0 // Source is Type
	srcFirst  = 1 // Source is strs[src-srcFirst]
	fevEmpty  = 0 // Frame.Event is ""
	fevType   = 1 // Frame.Event is Type
	fevSource = 2 // Frame.Event is Source
	fevFirst  = 3
	execRow   = 0 // ExecutionID is the row's
	execEmpty = 1 // ExecutionID is ""
	execFirst = 2
	noCode    = 255
)

// entry is one event of the log. It holds no pointers, so chunks of
// entries are never scanned by the collector.
type entry struct {
	at    int64  // Frame.At in Unix nanoseconds (compact deltas)
	seq   int32  // Seq (compact deltas)
	row   uint32 // compact: the row the delta folded into
	chunk uint32 // arena string holding the bytes
	off   uint32 // where they start in it
	// size is, for a compact delta, where its Delta starts in its row's
	// text; for an encoded event, the length of its encoding.
	size  uint32
	ext   uint32 // compact: 1 + index in eventLog.exts, 0 for none
	dlen  uint16 // compact: len(Frame.Data), then len(Frame.ID) bytes
	idlen uint16
	tlen  uint16 // compact: len(Delta)
	kind  uint8
	flags uint8
	vocab uint8
	src   uint8
	fev   uint8
	exec  uint8
	loc   uint8 // compact: Frame.At's location, see locCode
}

// entryExt holds the fields a compact delta seldom has (legacy deltas
// carry a step or an iteration). Consecutive deltas with the same values
// share one.
type entryExt struct {
	id        string // when the event's ID is not its row's
	hasID     bool
	stepID    string
	name      string
	stepType  string
	role      string
	timestamp string
	iteration int
}

// eventLog stores a session's events: see the comment at the top of the
// file.
type eventLog struct {
	ents [][]entry
	n    int

	arena arena

	// strs are the strings entries name by code (types, sources, event
	// lines, execution ids, tool names...).
	strs   []string
	strIdx map[string]uint8
	// locs are the locations of frame times other than UTC and Local.
	locs []*time.Location
	exts []entryExt
	// errs are the Err of malformed events, which cannot be encoded.
	errs map[int]error

	scratch []byte

	// mat caches the events rebuilt by at, so a pointer handed out once is
	// handed out again.
	mat map[int]*api.Event

	// flat is the on-demand flat copy handed out by Session.Events,
	// extended incrementally.
	flat []api.Event
}

// add appends event e. When e is a text or reasoning delta that fold
// appended to row r (index row) at byte toff of its text, it is kept as a
// compact entry when every field fits one; else it is encoded.
func (l *eventLog) add(e *api.Event, r *Row, row, toff int) {
	last := len(l.ents) - 1
	if last < 0 || len(l.ents[last]) == logChunk {
		l.ents = append(l.ents, make([]entry, 0, logChunk))
		last++
	}
	l.ents[last] = append(l.ents[last], entry{})
	en := &l.ents[last][len(l.ents[last])-1]
	if r == nil || !l.compact(en, e, r, row, toff) {
		l.encode(en, e, l.n)
	}
	l.n++
}

// compact fills en with e as a compact delta, and reports whether it could.
func (l *eventLog) compact(en *entry, e *api.Event, r *Row, row, toff int) bool {
	var kind uint8
	switch e.Type {
	case api.TypeTextDelta:
		kind = entText
	case api.TypeReasoningDelta:
		kind = entReasoning
	default:
		return false
	}
	if !onlyDeltaFields(e) || row > math.MaxUint32 || toff > math.MaxUint32 ||
		len(e.Delta) > math.MaxUint16 || len(e.Frame.ID) > math.MaxUint16 ||
		len(e.Frame.Data) > math.MaxUint16 || e.Seq != int64(int32(e.Seq)) ||
		r.text.Len() < toff+len(e.Delta) {
		return false
	}
	var flags uint8
	if e.Known {
		flags |= flKnown
	}
	switch {
	case e.Data == nil:
	case len(e.Data) > 0 && string(e.Data) == e.Frame.Data:
		flags |= flDataCopy
	default:
		return false
	}
	at, loc, ok := l.timeCode(e.Frame.At)
	if !ok {
		return false
	}
	if e.Frame.At.IsZero() {
		flags |= flZeroAt
	}
	src := uint8(srcType)
	if e.Source != e.Type {
		if src = l.code(e.Source, srcFirst); src == noCode {
			return false
		}
	}
	var fev uint8
	switch e.Frame.Event {
	case "":
		fev = fevEmpty
	case e.Type:
		fev = fevType
	case e.Source:
		fev = fevSource
	default:
		if fev = l.code(e.Frame.Event, fevFirst); fev == noCode {
			return false
		}
	}
	var exec uint8
	switch e.ExecutionID {
	case r.ExecutionID:
		exec = execRow
	case "":
		exec = execEmpty
	default:
		if exec = l.code(e.ExecutionID, execFirst); exec == noCode {
			return false
		}
	}
	chunk, off := l.arena.add(e.Frame.Data, e.Frame.ID)
	*en = entry{
		at:    at,
		seq:   int32(e.Seq),
		row:   uint32(row),
		chunk: chunk,
		off:   off,
		size:  uint32(toff),
		ext:   l.ext(e, r),
		dlen:  uint16(len(e.Frame.Data)),
		idlen: uint16(len(e.Frame.ID)),
		tlen:  uint16(len(e.Delta)),
		kind:  kind,
		flags: flags,
		vocab: uint8(e.Vocab),
		src:   src,
		fev:   fev,
		exec:  exec,
		loc:   loc,
	}
	return true
}

// onlyDeltaFields reports whether e has no field a compact entry cannot
// hold. TestEventLogCoversEveryEventField keeps it in step with api.Event.
func onlyDeltaFields(e *api.Event) bool {
	return !e.Synthetic && e.Err == nil && e.Kind == "" && e.Text == "" &&
		e.ToolCallID == "" && e.ToolID == "" && e.ToolName == "" && e.ToolType == "" && e.Origin == "" &&
		e.Parameters == nil && e.Result == nil && e.Success == nil &&
		e.AwaitReason == "" && e.ApprovalID == "" && e.Decision == "" && e.Description == "" && e.Reason == "" &&
		e.ErrorMessage == "" && e.ErrorCode == "" && e.Recoverable == nil &&
		e.StopReason == "" && e.FinalOutput == "" && e.DurationMs == 0 && e.Tokens == nil && e.Cost == 0
}

// ext returns 1 + the index of the rare fields of e in l.exts, 0 when all
// are zero, sharing the previous record when they are the same.
func (l *eventLog) ext(e *api.Event, r *Row) uint32 {
	if e.StepID == "" && e.Name == "" && e.StepType == "" && e.Role == "" &&
		e.Timestamp == "" && e.Iteration == 0 && e.ID == r.ID {
		return 0
	}
	x := entryExt{
		stepID: e.StepID, name: e.Name, stepType: e.StepType, role: e.Role,
		timestamp: e.Timestamp, iteration: e.Iteration,
	}
	if e.ID != r.ID {
		x.id, x.hasID = e.ID, true
	}
	if x == (entryExt{}) {
		return 0
	}
	if n := len(l.exts); n > 0 && l.exts[n-1] == x {
		return uint32(n)
	}
	l.exts = append(l.exts, x)
	return uint32(len(l.exts))
}

// code returns first + the index of s in l.strs, interning it, or noCode
// when the table is full.
func (l *eventLog) code(s string, first uint8) uint8 {
	i, ok := l.strIdx[s]
	if !ok {
		if len(l.strs) == maxInterned {
			return noCode
		}
		if l.strIdx == nil {
			l.strIdx = make(map[string]uint8)
		}
		i = uint8(len(l.strs))
		l.strs = append(l.strs, s)
		l.strIdx[s] = i
	}
	return first + i
}

// Location codes of frame times.
const (
	locUTC   = 0
	locLocal = 1
	locFirst = 2
)

// timeCode returns t as Unix nanoseconds and a location code; false when
// it cannot be stored so (out of the int64 range, too many locations).
// The zero time is (0, locUTC) and a flag.
func (l *eventLog) timeCode(t time.Time) (int64, uint8, bool) {
	if t.IsZero() {
		return 0, locUTC, true
	}
	// UnixNano is defined from 1678 to 2262.
	if sec := t.Unix(); sec <= math.MinInt64/int64(time.Second) || sec >= math.MaxInt64/int64(time.Second) {
		return 0, 0, false
	}
	n := t.UnixNano()
	switch loc := t.Location(); loc {
	case time.UTC:
		return n, locUTC, true
	case time.Local:
		return n, locLocal, true
	default:
		for i, x := range l.locs {
			if x == loc {
				return n, locFirst + uint8(i), true
			}
		}
		if len(l.locs) == maxInterned-locFirst {
			return 0, 0, false
		}
		l.locs = append(l.locs, loc)
		return n, locFirst + uint8(len(l.locs)-1), true
	}
}

func (l *eventLog) timeOf(n int64, loc uint8, zero bool) time.Time {
	if zero {
		return time.Time{}
	}
	t := time.Unix(0, n)
	switch loc {
	case locUTC:
		return t.UTC()
	case locLocal:
		return t
	}
	return t.In(l.locs[loc-locFirst])
}

// at returns event i, nil when out of range. rows are the session's rows
// (a compact delta's text is in its row).
func (l *eventLog) at(i int, rows []*Row) *api.Event {
	if i < 0 || i >= l.n {
		return nil
	}
	if ev, ok := l.mat[i]; ok {
		return ev
	}
	ev := new(api.Event)
	l.build(ev, i, rows)
	if l.mat == nil {
		l.mat = make(map[int]*api.Event)
	}
	l.mat[i] = ev
	return ev
}

// build writes event i into ev.
func (l *eventLog) build(ev *api.Event, i int, rows []*Row) {
	en := &l.ents[i>>logChunkBits][i&(logChunk-1)]
	if en.kind == entEncoded {
		l.decode(ev, en, i)
		return
	}
	r := rows[en.row]
	*ev = api.Event{
		Type:  api.TypeTextDelta,
		Vocab: api.Vocabulary(en.vocab),
		Known: en.flags&flKnown != 0,
		Seq:   int64(en.seq),
		ID:    r.ID,
		Delta: r.text.String()[en.size : en.size+uint32(en.tlen)],
	}
	if en.kind == entReasoning {
		ev.Type = api.TypeReasoningDelta
	}
	ev.Source = ev.Type
	if en.src != srcType {
		ev.Source = l.strs[en.src-srcFirst]
	}
	switch en.exec {
	case execRow:
		ev.ExecutionID = r.ExecutionID
	case execEmpty:
	default:
		ev.ExecutionID = l.strs[en.exec-execFirst]
	}
	if en.ext > 0 {
		x := &l.exts[en.ext-1]
		if x.hasID {
			ev.ID = x.id
		}
		ev.StepID, ev.Name, ev.StepType, ev.Role = x.stepID, x.name, x.stepType, x.role
		ev.Timestamp, ev.Iteration = x.timestamp, x.iteration
	}
	raw := l.arena.get(en.chunk, en.off, uint32(en.dlen)+uint32(en.idlen))
	ev.Frame = api.Frame{Data: raw[:en.dlen], ID: raw[en.dlen:], At: l.timeOf(en.at, en.loc, en.flags&flZeroAt != 0)}
	switch en.fev {
	case fevEmpty:
	case fevType:
		ev.Frame.Event = ev.Type
	case fevSource:
		ev.Frame.Event = ev.Source
	default:
		ev.Frame.Event = l.strs[en.fev-fevFirst]
	}
	if en.flags&flDataCopy != 0 {
		ev.Data = []byte(ev.Frame.Data)
	}
}

// flatten returns every event as one slice, building only the events added
// since the last call.
func (l *eventLog) flatten(rows []*Row) []api.Event {
	for i := len(l.flat); i < l.n; i++ {
		l.flat = append(l.flat, api.Event{})
		l.build(&l.flat[i], i, rows)
	}
	return l.flat
}

// ---- the encoding of any event ----
//
// An encoded event is: a byte of flags (Known, Synthetic, Err, and which of
// Success, Recoverable, Tokens, DurationMs, Cost are there); Vocab; Seq,
// Iteration and Frame.At as varints; the present optional numbers; a
// bitmask of the present string fields, then each as a reference; a
// bitmask of the non-nil JSON fields, then each as a reference. Frame.Data
// comes first and inline; a later string or JSON field that occurs in it
// is a span of it.

// Flags of an encoded event.
const (
	encKnown = 1 << iota
	encSynthetic
	encErr
	encSuccess
	encRecoverable
	encTokens
	encDuration
	encCost
)

// Reference kinds, in the low 2 bits of a reference's header.
const (
	refInline = iota // header>>2 bytes follow
	refCode          // the interned string header>>2
	refFrame         // header>>2 bytes of Frame.Data, at the offset that follows
	refWhole         // all of Frame.Data
)

// strFields are the string fields of an event, in encoding order:
// Frame.Data first, so later fields can refer to it.
func strFields(e *api.Event) [31]*string {
	return [...]*string{
		&e.Frame.Data, &e.Frame.Event, &e.Frame.ID,
		&e.Type, &e.Source, &e.ExecutionID, &e.ID, &e.Role, &e.Kind, &e.Name,
		&e.StepType, &e.StepID, &e.Delta, &e.Text, &e.ToolCallID, &e.ToolID,
		&e.ToolName, &e.ToolType, &e.Origin, &e.AwaitReason, &e.ApprovalID,
		&e.Decision, &e.Description, &e.Reason, &e.ErrorMessage, &e.ErrorCode,
		&e.StopReason, &e.FinalOutput, &e.Timestamp,
		nil, nil, // room to grow
	}
}

// codedFields are the strFields indexes whose values are few (types,
// names, kinds): they are interned.
var codedFields = [31]bool{1: true, 3: true, 4: true, 5: true, 7: true, 8: true, 9: true, 10: true,
	16: true, 17: true, 18: true, 19: true, 21: true, 26: true}

// jsonFields are the raw JSON fields of an event, in encoding order.
func jsonFields(e *api.Event) [3]*json.RawMessage {
	return [...]*json.RawMessage{&e.Data, &e.Parameters, &e.Result}
}

// minFrameRef is the shortest string worth looking for in Frame.Data.
const minFrameRef = 24

// encode writes event e (index i) into the arena and en.
func (l *eventLog) encode(en *entry, e *api.Event, i int) {
	b := l.scratch[:0]
	var flags byte
	if e.Known {
		flags |= encKnown
	}
	if e.Synthetic {
		flags |= encSynthetic
	}
	if e.Err != nil {
		flags |= encErr
		if l.errs == nil {
			l.errs = make(map[int]error)
		}
		l.errs[i] = e.Err
	}
	if e.Success != nil {
		flags |= encSuccess
	}
	if e.Recoverable != nil {
		flags |= encRecoverable
	}
	if e.Tokens != nil {
		flags |= encTokens
	}
	if e.DurationMs != 0 || math.Signbit(e.DurationMs) {
		flags |= encDuration
	}
	if e.Cost != 0 || math.Signbit(e.Cost) {
		flags |= encCost
	}
	b = append(b, flags, byte(e.Vocab))
	b = binary.AppendVarint(b, e.Seq)
	b = binary.AppendVarint(b, int64(e.Iteration))
	b = l.appendTime(b, e.Frame.At)
	if e.Success != nil {
		b = append(b, boolByte(*e.Success))
	}
	if e.Recoverable != nil {
		b = append(b, boolByte(*e.Recoverable))
	}
	if e.Tokens != nil {
		b = binary.AppendVarint(b, e.Tokens.Input)
		b = binary.AppendVarint(b, e.Tokens.Output)
	}
	if flags&encDuration != 0 {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(e.DurationMs))
	}
	if flags&encCost != 0 {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(e.Cost))
	}

	frame := e.Frame.Data
	strs := strFields(e)
	var mask uint64
	for k, p := range strs {
		if p != nil && *p != "" {
			mask |= 1 << k
		}
	}
	b = binary.AppendUvarint(b, mask)
	for k, p := range strs {
		if p == nil || *p == "" {
			continue
		}
		s := *p
		switch {
		case k == 0:
			b = appendInline(b, s)
		case codedFields[k] && len(s) <= 64:
			if c := l.code(s, 0); c != noCode {
				b = binary.AppendUvarint(b, uint64(c)<<2|refCode)
				continue
			}
			b = appendInline(b, s)
		default:
			b = appendRef(b, s, frame)
		}
	}
	raws := jsonFields(e)
	mask = 0
	for k, p := range raws {
		if *p != nil {
			mask |= 1 << k
		}
	}
	b = binary.AppendUvarint(b, mask)
	for _, p := range raws {
		if *p != nil {
			b = appendRawRef(b, *p, frame)
		}
	}

	l.scratch = b
	chunk, off := l.arena.addBytes(b)
	*en = entry{kind: entEncoded, chunk: chunk, off: off, size: uint32(len(b))}
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

func appendInline(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s))<<2|refInline)
	return append(b, s...)
}

// appendRef appends s inline, or as a span of frame when it is one.
func appendRef(b []byte, s, frame string) []byte {
	switch {
	case s == frame:
		return binary.AppendUvarint(b, refWhole)
	case len(s) >= minFrameRef:
		if at := strings.Index(frame, s); at >= 0 {
			b = binary.AppendUvarint(b, uint64(len(s))<<2|refFrame)
			return binary.AppendUvarint(b, uint64(at))
		}
	}
	return appendInline(b, s)
}

// appendRawRef is appendRef for raw JSON.
func appendRawRef(b []byte, raw json.RawMessage, frame string) []byte {
	switch {
	case string(raw) == frame:
		return binary.AppendUvarint(b, refWhole)
	case len(raw) >= minFrameRef:
		if at := strings.Index(frame, string(raw)); at >= 0 {
			b = binary.AppendUvarint(b, uint64(len(raw))<<2|refFrame)
			return binary.AppendUvarint(b, uint64(at))
		}
	}
	b = binary.AppendUvarint(b, uint64(len(raw))<<2|refInline)
	return append(b, raw...)
}

// appendTime appends t as a location code (255 for the zero time) and Unix
// nanoseconds; a time out of that range keeps its location and seconds
// and nanoseconds apart.
func (l *eventLog) appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, 255)
	}
	n, loc, ok := l.timeCode(t)
	if !ok {
		// Out of the nanosecond range: seconds and nanoseconds in UTC.
		b = append(b, 254)
		b = binary.AppendVarint(b, t.Unix())
		return binary.AppendVarint(b, int64(t.Nanosecond()))
	}
	b = append(b, loc)
	return binary.AppendVarint(b, n)
}

// decoder reads an encoding back.
type decoder struct {
	b   string
	err bool
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.err = true
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) uvarint() uint64 {
	var x uint64
	var s uint
	for i := 0; i < len(d.b); i++ {
		c := d.b[i]
		if c < 0x80 {
			d.b = d.b[i+1:]
			return x | uint64(c)<<s
		}
		x |= uint64(c&0x7f) << s
		s += 7
	}
	d.err = true
	return 0
}

func (d *decoder) varint() int64 {
	u := d.uvarint()
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x
}

func (d *decoder) uint64() uint64 {
	if len(d.b) < 8 {
		d.err = true
		return 0
	}
	v := binary.LittleEndian.Uint64([]byte(d.b[:8]))
	d.b = d.b[8:]
	return v
}

func (d *decoder) bytes(n uint64) string {
	if uint64(len(d.b)) < n {
		d.err = true
		return ""
	}
	s := d.b[:n]
	d.b = d.b[n:]
	return s
}

// ref reads a reference written by appendInline or appendRef.
func (d *decoder) ref(l *eventLog, frame string) string {
	h := d.uvarint()
	switch h & 3 {
	case refInline:
		return d.bytes(h >> 2)
	case refCode:
		if h>>2 < uint64(len(l.strs)) {
			return l.strs[h>>2]
		}
	case refFrame:
		at, n := d.uvarint(), h>>2
		if at <= uint64(len(frame)) && n <= uint64(len(frame))-at {
			return frame[at : at+n]
		}
	case refWhole:
		return frame
	}
	d.err = true
	return ""
}

// decode rebuilds the encoded event of entry en (index i) into ev.
func (l *eventLog) decode(ev *api.Event, en *entry, i int) {
	d := decoder{b: l.arena.get(en.chunk, en.off, en.size)}
	*ev = api.Event{}
	flags := d.byte()
	ev.Vocab = api.Vocabulary(d.byte())
	ev.Known = flags&encKnown != 0
	ev.Synthetic = flags&encSynthetic != 0
	if flags&encErr != 0 {
		ev.Err = l.errs[i]
	}
	ev.Seq = d.varint()
	ev.Iteration = int(d.varint())
	switch loc := d.byte(); loc {
	case 255:
	case 254:
		sec := d.varint()
		ev.Frame.At = time.Unix(sec, d.varint()).UTC()
	default:
		ev.Frame.At = l.timeOf(d.varint(), loc, false)
	}
	if flags&encSuccess != 0 {
		v := d.byte() == 1
		ev.Success = &v
	}
	if flags&encRecoverable != 0 {
		v := d.byte() == 1
		ev.Recoverable = &v
	}
	if flags&encTokens != 0 {
		ev.Tokens = &api.Tokens{Input: d.varint(), Output: d.varint()}
	}
	if flags&encDuration != 0 {
		ev.DurationMs = math.Float64frombits(d.uint64())
	}
	if flags&encCost != 0 {
		ev.Cost = math.Float64frombits(d.uint64())
	}
	strs := strFields(ev)
	mask := d.uvarint()
	for k, p := range strs {
		if mask&(1<<k) == 0 || p == nil {
			continue
		}
		*p = d.ref(l, ev.Frame.Data)
	}
	raws := jsonFields(ev)
	mask = d.uvarint()
	for k, p := range raws {
		if mask&(1<<k) != 0 {
			*p = json.RawMessage(d.ref(l, ev.Frame.Data))
		}
	}
	if d.err {
		// Never expected: the log wrote these bytes itself. Say so rather
		// than show a half-read event.
		ev.Type, ev.Err = api.TypeMalformed, errCorruptLog
	}
}

// errCorruptLog is the Err of an event the log could not read back.
var errCorruptLog = corruptLog{}

type corruptLog struct{}

func (corruptLog) Error() string {
	return "internal error: the event log could not read this event back"
}

// ---- arena ----

// arena is append-only storage for bytes, in strings.Builders grown to a
// fixed capacity and never grown past it: a builder's String shares its
// buffer, and bytes once written never change, so the substrings handed out
// (even of the chunk being filled) are free and stay valid. Anything bigger
// than a quarter chunk gets a string of its own, numbered apart (bigChunk
// set) so the chunk being filled keeps its number.
type arena struct {
	sealed []string
	big    []string
	cur    strings.Builder
}

const bigChunk = 1 << 31

// add appends s then t and returns where they start.
func (a *arena) add(s, t string) (chunk, off uint32) {
	n := len(s) + len(t)
	if n > arenaChunk/4 {
		a.big = append(a.big, s+t)
		return bigChunk | uint32(len(a.big)-1), 0
	}
	if a.cur.Len()+n > a.cur.Cap() {
		a.seal()
	}
	off = uint32(a.cur.Len())
	a.cur.WriteString(s)
	a.cur.WriteString(t)
	return uint32(len(a.sealed)), off
}

// addBytes appends b and returns where it starts.
func (a *arena) addBytes(b []byte) (chunk, off uint32) {
	if len(b) > arenaChunk/4 {
		a.big = append(a.big, string(b))
		return bigChunk | uint32(len(a.big)-1), 0
	}
	if a.cur.Len()+len(b) > a.cur.Cap() {
		a.seal()
	}
	off = uint32(a.cur.Len())
	a.cur.Write(b)
	return uint32(len(a.sealed)), off
}

// seal keeps the chunk being filled and starts a new one.
func (a *arena) seal() {
	if a.cur.Len() > 0 {
		a.sealed = append(a.sealed, a.cur.String())
	}
	a.cur = strings.Builder{}
	a.cur.Grow(arenaChunk)
}

// get returns n bytes at off of a chunk, without copying.
func (a *arena) get(chunk, off, n uint32) string {
	switch {
	case chunk&bigChunk != 0:
		return a.big[chunk&^bigChunk][off : off+n]
	case int(chunk) < len(a.sealed):
		return a.sealed[chunk][off : off+n]
	}
	return a.cur.String()[off : off+n]
}
