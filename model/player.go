package model

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"sort"
	"strings"
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
// the goroutine that owns the UI.
type Player struct {
	recs []record.Record
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
	p := &Player{}
	if rec != nil {
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

// Len returns the number of records after the header.
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
	e := &api.HTTPError{Status: r.Status, StatusText: http.StatusText(r.Status), Body: []byte(r.ErrorBody)}
	var w struct {
		Error   json.RawMessage `json:"error"`
		Message json.RawMessage `json:"message"`
		Code    json.RawMessage `json:"code"`
		Hint    json.RawMessage `json:"hint"`
		Details json.RawMessage `json:"details"`
	}
	trimmed := strings.TrimSpace(r.ErrorBody)
	if trimmed == "" || trimmed[0] != '{' || json.Unmarshal([]byte(trimmed), &w) != nil {
		return e
	}
	e.Message = scalarText(w.Message)
	e.Code = scalarText(w.Code)
	e.Hint = scalarText(w.Hint)
	if len(w.Details) > 0 && string(w.Details) != "null" {
		e.Details = w.Details
	}
	if len(w.Error) > 0 && w.Error[0] == '{' {
		var obj struct {
			Code    json.RawMessage `json:"code"`
			Message json.RawMessage `json:"message"`
			Details json.RawMessage `json:"details"`
		}
		if json.Unmarshal(w.Error, &obj) == nil {
			e.ErrorText = scalarText(obj.Message)
			if e.Code == "" {
				e.Code = scalarText(obj.Code)
			}
			if e.Details == nil && len(obj.Details) > 0 && string(obj.Details) != "null" {
				e.Details = obj.Details
			}
		}
	} else {
		e.ErrorText = scalarText(w.Error)
	}
	return e
}

// scalarText renders a JSON string as itself and any other non-null JSON
// compactly (as the client does for error fields).
func scalarText(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		return ""
	}
	return compactJSON(raw, 1<<20)
}
