package model

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"rtinspect/api"
	"rtinspect/api/record"
)

// Player folds a recording into a Session record by record, so `rtinspect
// open` can step and play it.
//
// It drives the Session exactly as the live inspector does (Begin,
// StreamOpened or RequestFailed, one Decoder across streams, Apply,
// EndStream), so the session at the end of a recording is the one the live
// run showed. The session's clock returns the recorded time of the record
// being applied, so the rows the session stamps itself (requests, stream
// ends) carry recorded times too.
//
// A Player is not safe for concurrent use; like the Session, it belongs to
// the goroutine that owns the UI. LoadPlayer's reads its file in a goroutine
// of its own, but hands the records over only through Load and LoadReady,
// on the Player's goroutine.
type Player struct {
	recs []record.Record
	// rec is the recording as read so far: its Records are recs.
	rec *record.Recording
	// ld reads the file of a LoadPlayer in the background; nil once every
	// record it read has been folded (and for NewPlayer).
	ld *loader
	// loadStart is when LoadPlayer began; loadTook how long it took to
	// read and fold everything.
	loadStart time.Time
	loadTook  time.Duration
	// frameEnds[k] is the position just after the k-th frame record, in
	// increasing order: NextFrame, PrevFrame and FramePos search it.
	frameEnds []int

	s   *Session
	dec *api.Decoder
	pos int
	buf []api.Event

	// clock is the recorded time of the record being applied (or of the
	// last one that had a time); applying says a record is being applied.
	clock    time.Time
	applying bool

	// decStream is the stream number the decoder is on; decUsed says it
	// has decoded a stream already, so the next one needs NewStream.
	decStream int
	decUsed   bool
	// kindSet says the kind was taken from the first dispatch body.
	kindSet bool
	// failed holds the streams whose request failed before any stream:
	// their "error" end adds nothing (RequestFailed already said it).
	failed map[int]bool
	// curStream is the stream of the request in flight, 0 when none.
	curStream int
}

// NewPlayer returns a Player at position 0 of rec: an idle session, nothing
// applied. A nil recording plays as an empty one.
func NewPlayer(rec *record.Recording) *Player {
	p := &Player{rec: rec}
	if rec == nil {
		p.rec = &record.Recording{}
	} else {
		recs := rec.Records
		// The reader keeps the header out of Records; a hand-built
		// recording may not.
		if len(recs) > 0 && recs[0].Kind == record.KindHeader {
			recs = recs[1:]
		}
		p.recs = recs
	}
	for i := range p.recs {
		if p.recs[i].Kind == record.KindFrame {
			p.frameEnds = append(p.frameEnds, i+1)
		}
	}
	p.reset()
	return p
}

// reset starts over: a fresh session and decoder at position 0.
func (p *Player) reset() {
	p.s = NewSession()
	p.s.Now = p.now
	p.dec = api.NewDecoder()
	p.pos = 0
	p.clock = time.Time{}
	p.decStream, p.decUsed = 0, false
	p.kindSet = false
	p.failed = map[int]bool{}
	p.curStream = 0
}

// now is the session's clock: the recorded time while a record is being
// applied; the real time otherwise, so a live resume from an opened
// recording stamps its rows with the time it really happened.
func (p *Player) now() time.Time {
	if p.applying {
		return p.clock
	}
	return time.Now()
}

// Recording returns the recording the Player plays: for LoadPlayer's, what
// has been read and handed over so far (complete once Loading is false),
// its Problems included. Its Records must not be modified.
func (p *Player) Recording() *record.Recording { return p.rec }

// Len returns the number of records after the header (for a Player still
// loading, the number handed over so far).
func (p *Player) Len() int { return len(p.recs) }

// Pos returns how many records have been applied (0..Len).
func (p *Player) Pos() int { return p.pos }

// Session returns the session as of Pos. A backwards Seek (or PrevFrame)
// builds a new Session, so callers must fetch it again after one.
func (p *Player) Session() *Session { return p.s }

// Record returns record i (0 <= i < Len), the zero Record when out of
// range.
func (p *Player) Record(i int) record.Record {
	if i < 0 || i >= len(p.recs) {
		return record.Record{}
	}
	return p.recs[i]
}

// Frames returns the number of frame records in the recording.
func (p *Player) Frames() int { return len(p.frameEnds) }

// FramePos returns how many frame records have been applied.
func (p *Player) FramePos() int {
	// frameEnds is sorted: count the frames whose end is at or before pos.
	return sort.SearchInts(p.frameEnds, p.pos+1)
}

// NextAt returns the recorded time of the next record, so a caller can play
// at recorded speed; false at the end.
func (p *Player) NextAt() (time.Time, bool) {
	if p.pos >= len(p.recs) {
		return time.Time{}, false
	}
	return p.recs[p.pos].At, true
}

// Step applies the next record; it returns false at the end.
func (p *Player) Step() bool {
	if p.pos >= len(p.recs) {
		return false
	}
	p.apply(&p.recs[p.pos])
	p.pos++
	return true
}

// Seek goes to position n (clamped to 0..Len): forwards by applying
// records, backwards by rebuilding the session from scratch, since a
// Session cannot be unfolded.
func (p *Player) Seek(n int) {
	n = max(0, min(n, len(p.recs)))
	if n < p.pos {
		p.reset()
	}
	for p.pos < n {
		p.Step()
	}
}

// NextFrame steps until just after the next frame record, or to the end
// when no frame is left. It returns false when already at the end.
func (p *Player) NextFrame() bool {
	if p.pos >= len(p.recs) {
		return false
	}
	i := sort.SearchInts(p.frameEnds, p.pos+1)
	if i == len(p.frameEnds) {
		p.Seek(len(p.recs))
	} else {
		p.Seek(p.frameEnds[i])
	}
	return true
}

// PrevFrame seeks to just after the frame record before the current
// position (the last frame applied, unless the position is right after it,
// in which case the one before), or to 0 when there is none. It returns
// false when already at 0.
func (p *Player) PrevFrame() bool {
	if p.pos == 0 {
		return false
	}
	// The last frame end strictly before pos.
	i := sort.SearchInts(p.frameEnds, p.pos) - 1
	if i < 0 {
		p.Seek(0)
	} else {
		p.Seek(p.frameEnds[i])
	}
	return true
}

// apply folds one record into the session, as the live inspector would
// have at that moment.
func (p *Player) apply(r *record.Record) {
	if !r.At.IsZero() {
		p.clock = r.At
	}
	p.applying = true
	defer func() { p.applying = false }()
	s := p.s
	switch r.Kind {
	case record.KindRequest:
		p.request(r)
	case record.KindResponse:
		if p.failed[r.Stream] {
			return
		}
		if r.Status < 200 || r.Status > 299 {
			s.RequestFailed(httpErrorOf(r))
			p.failed[r.Stream] = true
			p.curStream = 0
			return
		}
		if !isEventStream(r.ContentType) {
			// The client refuses a 2xx that is not an event stream
			// before any stream opens; the "error" end that follows
			// carries its message and fails the request then.
			return
		}
		p.openDecoder(r.Stream)
		s.StreamOpened()
	case record.KindFrame:
		if p.failed[r.Stream] {
			return
		}
		p.openDecoder(r.Stream)
		var data string
		if r.Data != nil {
			data = *r.Data
		}
		p.buf = p.dec.Decode(p.buf[:0], api.Frame{Event: r.Event, ID: r.ID, Data: data, At: r.At})
		for i := range p.buf {
			s.Apply(p.buf[i])
		}
		clear(p.buf) // drop references to the frame data until next time
	case record.KindEnd:
		if p.failed[r.Stream] {
			// An "error" end of a request that already failed: the
			// response record said it all.
			return
		}
		s.EndStream(endError(r))
		if r.Stream == p.curStream {
			p.curStream = 0
		}
	default:
		// Headers (nothing to fold) and kinds this version does not know
		// (the reader reported them): skipped, the rest still plays.
	}
}

// request begins a recorded request. A recording that lost the end of the
// previous stream (a crash, a damaged line) would leave that request in
// flight and the session would refuse the next one; it is ended first, as
// dropped, so everything after it still plays.
func (p *Player) request(r *record.Record) {
	s := p.s
	req := api.Request{
		Method:      r.Method,
		Path:        r.Path,
		Query:       r.Query,
		Body:        []byte(r.Body),
		ExecutionID: r.ExecutionID,
	}
	if !p.kindSet && r.Path == api.PathDispatch {
		// As main does before the live run: resume streams carry no
		// execution_start to say whether this is an agent or a flow.
		p.kindSet = true
		if k := KindOfDispatch(req.Body); k != "" {
			s.SetKind(k)
		}
	}
	if err := s.Begin(req); err != nil {
		s.EndStream(fmt.Errorf("the recording has no end for stream %d", p.curStream))
		if err := s.Begin(req); err != nil {
			return
		}
	}
	p.curStream = r.Stream
}

// openDecoder moves the decoder to stream n: every stream after the first
// starts with NewStream, as the live inspector does for each request.
func (p *Player) openDecoder(n int) {
	if p.decUsed && p.decStream == n {
		return
	}
	if p.decUsed {
		p.dec.NewStream()
	}
	p.decUsed = true
	p.decStream = n
}

// isEventStream reports whether a recorded content type is an SSE stream.
// An empty one (not recorded) counts as one: the frames that follow say so.
func isEventStream(ct string) bool {
	if strings.TrimSpace(ct) == "" {
		return true
	}
	mt, _, _ := mime.ParseMediaType(ct)
	return mt == "text/event-stream"
}

// endError is the error a recorded stream end stands for: context.Canceled
// for a cancelled stream (so the tracker says cancelled, not dropped), the
// recorded error text, or nil for a clean end of body.
func endError(r *record.Record) error {
	switch {
	case r.Reason == record.EndCancelled:
		return context.Canceled
	case r.Error != "":
		return errors.New(r.Error)
	}
	return nil
}

// httpErrorOf rebuilds the *api.HTTPError the client returned for a non-2xx
// response, from its recorded status and body, parsed as the client parses
// it, so the row and status bar read exactly as they did live and callers
// can still errors.As it.
func httpErrorOf(r *record.Record) error {
	return api.NewHTTPError(r.Status, http.StatusText(r.Status), []byte(r.ErrorBody))
}

// ---- loading a large recording in the background ----

// loader reads a recording's file in its own goroutine, in chunks of
// whole lines, each parsed by record.Parse (so every line is read, and
// every problem worded, exactly as record.ReadFile would), and publishes
// the records for the Player's goroutine.
type loader struct {
	path string
	size int64
	read atomic.Int64 // bytes parsed so far

	// all holds every record parsed, in order; only the reader appends to
	// it (growing it, when it must, in its own goroutine, not the UI's).
	// The Player reads the prefix published in pub: the reader never
	// writes below len(pub), so the two never touch the same record.
	all []record.Record

	mu       sync.Mutex
	pub      []record.Record  // all[:n] as of the last chunk
	problems []record.Problem // problems not yet handed over
	done     bool             // the reader has finished: nothing more will come

	// ready holds a token when something was published since it was last
	// taken; it is closed when the reader finishes.
	ready chan struct{}
	stop  chan struct{}
	once  sync.Once
}

type loadChunk struct {
	recs     []record.Record
	problems []record.Problem
	bytes    int64 // the length of the chunk
}

// parseWorkers is how many goroutines parse a recording being loaded; 0
// means one per CPU but one (see loadWorkers).
var parseWorkers = 0

// loadWorkers is how many goroutines parse a recording being loaded: one
// CPU is left to the goroutine that owns the Player, which folds the
// records and draws the screen meanwhile. Parsing never blocks, so with a
// parser per CPU the UI's goroutine, once the scheduler preempted it (as it
// does after 10 ms of running, i.e. after every fold slice), waited for a
// parser's time slice to end before it could handle a key: a scroll frame
// took several milliseconds while loading (tens at worst). It costs little
// since frame lines are parsed without encoding/json (record's fast path):
// on 2 CPUs one parser loads a 1 M-frame recording in about 2.5 s, some
// 10 % slower than two.
func loadWorkers() int {
	if parseWorkers > 0 {
		return parseWorkers
	}
	return max(1, runtime.GOMAXPROCS(0)-1)
}

// Chunk sizes: a small first one, so the first records arrive at once,
// then larger ones, so the per-chunk costs stay negligible. Variables so a
// test can cut a file into many chunks.
var (
	firstChunk = 64 << 10
	loadChunkN = 1 << 20
)

// LoadPlayer opens the recording at path for playing while it is still
// being read: it reads the header (the errors are those of
// record.ReadFile: a file that is not a recording is an error) and the
// first few records, then reads and parses the rest in the background.
// The Player starts at position 0 with nothing applied; Load and LoadReady
// hand the records read so far over to it and fold them, so a caller can
// show the beginning of a huge recording at once and fold the rest in
// slices of time. Close stops the reading early.
func LoadPlayer(path string) (*Player, error) {
	start := time.Now()
	f, err := os.Open(path)
	if err != nil {
		return nil, err // *fs.PathError already names the file
	}
	var size int64
	if st, err := f.Stat(); err == nil {
		size = st.Size()
	}
	br := bufio.NewReaderSize(f, 64<<10)
	// The header is the first line that is not blank.
	var head, headerLine []byte
	lines := 0
	for {
		b, rerr := br.ReadBytes('\n')
		if len(b) > 0 {
			lines++
			head = append(head, b...)
			headerLine = b
		}
		if len(bytes.TrimSpace(b)) > 0 || rerr != nil {
			if rerr != nil && !errors.Is(rerr, io.EOF) {
				f.Close()
				return nil, fmt.Errorf("%s: line %d: %w", path, lines+1, rerr)
			}
			break
		}
	}
	h, err := record.Parse(path, bytes.NewReader(head))
	if err != nil {
		f.Close()
		return nil, err
	}
	// Each chunk is parsed behind the header line.
	if len(headerLine) == 0 || headerLine[len(headerLine)-1] != '\n' {
		headerLine = append(headerLine, '\n')
	}
	ld := &loader{path: path, size: size, ready: make(chan struct{}, 1), stop: make(chan struct{})}
	ld.read.Store(int64(len(head)))
	rec := &record.Recording{Path: path, Header: h.Header, Problems: h.Problems}
	p := NewPlayer(nil)
	p.rec, p.ld, p.loadStart = rec, ld, start
	// The first chunk is read here, so the first records (the dispatch
	// request among them) are there for the first Load.
	r := &chunkReader{ld: ld, br: br, headerLine: headerLine, firstLine: lines + 1, want: firstChunk}
	if chunk, first, problem, ok := r.cut(); problem != nil {
		ld.push(*problem)
	} else if ok {
		c := r.parse(chunk, first)
		ld.push(c)
		ld.read.Add(c.bytes)
	}
	go ld.run(f, r)
	return p, nil
}

// chunkReader cuts the file after the header into chunks of whole lines.
type chunkReader struct {
	ld         *loader
	br         *bufio.Reader
	headerLine []byte
	firstLine  int // the line number of the next chunk's first line
	want       int
	carry      []byte
	eof        bool
}

// cut reads the next chunk of whole lines; ok is false when the file is
// read to its end. A chunk that cannot be read comes back as a problem.
func (r *chunkReader) cut() (chunk []byte, firstLine int, problem *loadChunk, ok bool) {
	for !r.eof {
		buf := make([]byte, len(r.carry)+r.want)
		copy(buf, r.carry)
		n, err := io.ReadFull(r.br, buf[len(r.carry):])
		buf = buf[:len(r.carry)+n]
		switch {
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			r.eof = true
		case err != nil:
			r.eof = true
			return nil, r.firstLine, &loadChunk{problems: []record.Problem{{Path: r.ld.path, Line: r.firstLine,
				Msg: "cannot read the rest of the file (" + err.Error() + "); everything before it is kept"}}}, true
		}
		chunk = buf
		r.carry = nil
		if !r.eof {
			i := bytes.LastIndexByte(buf, '\n')
			if i < 0 {
				// A line longer than the chunk: read on.
				r.carry = buf
				r.want = max(r.want, len(buf))
				continue
			}
			chunk, r.carry = buf[:i+1], buf[i+1:]
		}
		r.want = loadChunkN
		if len(chunk) == 0 {
			continue
		}
		firstLine = r.firstLine
		r.firstLine += bytes.Count(chunk, []byte{'\n'})
		return chunk, firstLine, nil, true
	}
	return nil, r.firstLine, nil, false
}

// parse parses a chunk cut at firstLine.
func (r *chunkReader) parse(chunk []byte, firstLine int) loadChunk {
	c := parseChunk(r.ld.path, r.headerLine, chunk, firstLine)
	c.bytes = int64(len(chunk))
	return c
}

// run reads the rest of the file, then says the reading is over. One
// goroutine cuts the file into chunks, loadWorkers parse them (parsing is
// much of the work of opening a recording), and this one publishes them in
// order.
func (ld *loader) run(f *os.File, r *chunkReader) {
	defer func() {
		f.Close()
		ld.mu.Lock()
		ld.done = true
		ld.mu.Unlock()
		close(ld.ready)
	}()
	type job struct {
		chunk     []byte
		firstLine int
		res       chan loadChunk
	}
	workers := loadWorkers()
	jobs := make(chan job)
	// order bounds how far ahead of the publishing the parsing runs.
	order := make(chan chan loadChunk, 2*workers)
	for range workers {
		go func() {
			for j := range jobs {
				j.res <- r.parse(j.chunk, j.firstLine)
			}
		}()
	}
	go func() {
		defer close(jobs)
		defer close(order)
		for {
			select {
			case <-ld.stop:
				return
			default:
			}
			chunk, first, problem, ok := r.cut()
			if !ok {
				return
			}
			res := make(chan loadChunk, 1)
			select {
			case order <- res:
			case <-ld.stop:
				return
			}
			if problem != nil {
				res <- *problem
				continue
			}
			jobs <- job{chunk, first, res}
		}
	}()
	for res := range order {
		c := <-res
		ld.push(c)
		ld.read.Add(c.bytes)
	}
}

// parseChunk parses whole lines of a recording, the first being line
// firstLine of the file, with record.Parse behind the header line, and
// numbers the records and problems as lines of the file.
func parseChunk(path string, headerLine, chunk []byte, firstLine int) loadChunk {
	r, err := record.Parse(path, io.MultiReader(bytes.NewReader(headerLine), bytes.NewReader(chunk)))
	if err != nil {
		// Parse reads from memory and the header parsed before: cannot
		// happen, but say so rather than lose the lines quietly.
		return loadChunk{problems: []record.Problem{{Path: path, Line: firstLine, Msg: err.Error()}}}
	}
	shift := firstLine - 2 // the chunk's first line is line 2 for Parse
	for i := range r.Records {
		r.Records[i].Line += shift
	}
	var probs []record.Problem
	for _, pr := range r.Problems {
		if pr.Line <= 1 {
			continue // the header's, already reported once
		}
		pr.Line += shift
		probs = append(probs, pr)
	}
	return loadChunk{recs: r.Records, problems: probs}
}

func (ld *loader) push(c loadChunk) {
	if len(c.recs) > 0 {
		if len(ld.all)+len(c.recs) > cap(ld.all) && ld.size > 0 {
			// Size it once for the whole file, at the mean line length
			// read so far: appending a million records by doubling would
			// copy each several times over.
			n := len(ld.all) + len(c.recs)
			est := int(float64(n) * float64(ld.size) / float64(max(ld.read.Load()+c.bytes, 1)) * 1.05)
			grown := make([]record.Record, len(ld.all), max(est, n, 2*cap(ld.all)))
			copy(grown, ld.all)
			ld.all = grown
		}
		ld.all = append(ld.all, c.recs...)
	}
	ld.mu.Lock()
	ld.pub = ld.all
	ld.problems = append(ld.problems, c.problems...)
	ld.mu.Unlock()
	select {
	case ld.ready <- struct{}{}:
	default:
	}
}

// take hands the published records over to the Player; it reports whether
// the reader has finished and everything it read is handed over.
func (p *Player) take() bool {
	ld := p.ld
	ld.mu.Lock()
	pub, probs, done := ld.pub, ld.problems, ld.done
	ld.problems = nil
	ld.mu.Unlock()
	for i := len(p.recs); i < len(pub); i++ {
		if pub[i].Kind == record.KindFrame {
			p.frameEnds = append(p.frameEnds, i+1)
		}
	}
	p.recs = pub
	p.rec.Records = pub
	p.rec.Problems = append(p.rec.Problems, probs...)
	return done
}

// LoadTime returns how long LoadPlayer's Player took to read and fold the
// whole recording (0 while loading, and for NewPlayer's).
func (p *Player) LoadTime() time.Duration { return p.loadTook }

// Loading reports whether the recording is still being read or folded.
func (p *Player) Loading() bool { return p.ld != nil }

// LoadProgress returns how many bytes of the file have been read and
// parsed, and its size (0, 0 when not loading).
func (p *Player) LoadProgress() (read, size int64) {
	if p.ld == nil {
		return 0, 0
	}
	return p.ld.read.Load(), p.ld.size
}

// Ready returns a channel that receives (or is closed) when LoadReady has
// more to do: records were read, or the reading ended. It is nil when not
// loading. Waiting on it is safe from any goroutine.
func (p *Player) Ready() <-chan struct{} {
	if p.ld == nil {
		return nil
	}
	return p.ld.ready
}

// LoadReady folds the records read so far, at the end of the session, for
// about budget at most, without waiting for the reader. It reports whether
// the whole recording is now read and folded (then Loading is false and
// Recording is complete). While loading, the Player stays at the end of
// what it was handed: a caller that seeks elsewhere meanwhile gets there,
// and the next LoadReady folds on to the end.
func (p *Player) LoadReady(budget time.Duration) bool {
	if p.ld == nil {
		return true
	}
	deadline := time.Now().Add(budget)
	for {
		done := p.take()
		for p.pos < len(p.recs) {
			end := min(p.pos+128, len(p.recs))
			for p.pos < end {
				p.Step()
			}
			if !time.Now().Before(deadline) {
				return false
			}
		}
		if done {
			// Nothing can have been queued after done was seen.
			p.ld = nil
			p.loadTook = time.Since(p.loadStart)
			return true
		}
		p.ld.mu.Lock()
		more := len(p.ld.pub) > len(p.recs) || len(p.ld.problems) > 0 || p.ld.done
		p.ld.mu.Unlock()
		if !more {
			return false
		}
	}
}

// Load is LoadReady that also waits for the reader, until the whole
// recording is folded or budget has passed. A negative budget waits for
// the end.
func (p *Player) Load(budget time.Duration) bool {
	if p.ld == nil {
		return true
	}
	var deadline <-chan time.Time
	var left time.Duration
	start := time.Now()
	for {
		if budget < 0 {
			left = time.Hour
		} else if left = budget - time.Since(start); left <= 0 {
			return p.LoadReady(0)
		}
		if p.LoadReady(left) {
			return true
		}
		if p.pos < len(p.recs) {
			continue // the slice of time ran out: budget is checked above
		}
		if budget >= 0 && deadline == nil {
			t := time.NewTimer(budget - time.Since(start))
			defer t.Stop()
			deadline = t.C
		}
		select {
		case <-p.ld.ready:
		case <-deadline:
			return p.LoadReady(0)
		}
	}
}

// Close stops reading a recording still being loaded; what was read stays
// playable. It is harmless on any Player, and more than once.
func (p *Player) Close() {
	if p.ld != nil {
		p.ld.once.Do(func() { close(p.ld.stop) })
	}
}
