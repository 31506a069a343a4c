package model

import "rtinspect/api"

// eventChunk is the number of events per chunk of the log (1024 events of
// ~640 bytes each: 640 KiB).
const (
	eventChunkBits = 10
	eventChunk     = 1 << eventChunkBits
)

// eventLog stores events in fixed-size chunks instead of one growing
// slice. An api.Event is ~640 bytes and full of pointers, and a long answer
// is millions of text deltas: re-growing one slice means repeatedly copying
// hundreds of megabytes under GC write barriers, in a memmove the collector
// cannot preempt. Measured on the fold benchmark that made a delta cost ~5 µs
// instead of ~0.3 µs. Chunks never move, so event pointers stay valid.
type eventLog struct {
	chunks [][]api.Event
	n      int
	// flat is the on-demand flat copy handed out by Session.Events,
	// extended incrementally.
	flat []api.Event
}

// add appends a copy of ev and returns its index and stable address.
func (l *eventLog) add(ev *api.Event) (int, *api.Event) {
	last := len(l.chunks) - 1
	if last < 0 || len(l.chunks[last]) == eventChunk {
		l.chunks = append(l.chunks, make([]api.Event, 0, eventChunk))
		last++
	}
	l.chunks[last] = append(l.chunks[last], *ev)
	idx := l.n
	l.n++
	return idx, &l.chunks[last][len(l.chunks[last])-1]
}

// at returns event i, nil when out of range.
func (l *eventLog) at(i int) *api.Event {
	if i < 0 || i >= l.n {
		return nil
	}
	return &l.chunks[i>>eventChunkBits][i&(eventChunk-1)]
}

// flatten returns every event as one slice, copying only the events added
// since the last call.
func (l *eventLog) flatten() []api.Event {
	for i := len(l.flat); i < l.n; {
		c := l.chunks[i>>eventChunkBits]
		off := i & (eventChunk - 1)
		l.flat = append(l.flat, c[off:]...)
		i += len(c) - off
	}
	return l.flat
}
