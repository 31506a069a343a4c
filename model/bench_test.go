package model

import (
	"bytes"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"rtinspect/api"
)

// Benchmarks of issue 5 owned by the model: fold (events/s and allocations
// per event folded into a Session) and memory (heap after 1 M events vs the
// raw bytes of their frames). They build their input from realistic SSE
// frames decoded by api.Decoder, the way the stream delivers them. None is a
// timed test: `go test` runs none of them.
//
//	go test ./model -run '^$' -bench 'Fold|Memory' -count 5

// ---- a synthetic stream ----

// benchWords are the deltas of the synthetic text: word-sized tokens, the
// shape a model streams, with an occasional line break.
var benchWords = []string{
	" the", " quick", " brown", " fox", " jumps", " over", " a", " lazy",
	" dog", ",", " and", " then", " it", " ran", " away", ".", `\n`,
	" Your", " order", " ships", " today", " from", " Lyon", " café",
}

// benchMix says what a synthetic stream is made of.
type benchMix int

const (
	// mixDeltas is one long answer: unified text_delta frames in blocks of
	// 1000, each block opened and closed.
	mixDeltas benchMix = iota
	// mixAgent is a realistic unified agent run: per turn, reasoning, a
	// text block, a tool call with streamed input and a result (every
	// tenth one large), pings, and the turn's token counts.
	mixAgent
	// mixLegacy is mixAgent's text in the legacy agent vocabulary
	// (agent_turn_delta frames without block ids).
	mixLegacy
)

// benchStream produces SSE frames one by one, each with its own freshly
// built strings, as sse.Read hands them over.
type benchStream struct {
	mix   benchMix
	exec  string
	seq   int
	at    time.Time
	queue []api.Frame
	turn  int
	raw   int // bytes of the frames on the wire
	b     []byte
}

func newBenchStream(mix benchMix) *benchStream {
	return &benchStream{mix: mix, exec: "exec_01jz3k8m2q", at: time.Date(2026, 6, 20, 10, 0, 0, 0, time.UTC)}
}

// next returns the next frame.
func (g *benchStream) next() api.Frame {
	for len(g.queue) == 0 {
		g.turn++
		g.plan()
	}
	f := g.queue[0]
	g.queue = g.queue[1:]
	g.raw += len("event: ") + len(f.Event) + len("\ndata: ") + len(f.Data) + len("\n\n")
	return f
}

// frame queues one frame; fields is the JSON after type, executionId, seq.
func (g *benchStream) frame(typ, fields string) {
	b := g.b[:0]
	b = append(b, `{"type":"`...)
	b = append(b, typ...)
	b = append(b, `","executionId":"`...)
	b = append(b, g.exec...)
	b = append(b, `","seq":`...)
	b = strconv.AppendInt(b, int64(g.seq), 10)
	if fields != "" {
		b = append(b, ',')
		b = append(b, fields...)
	}
	b = append(b, '}')
	g.b = b
	g.seq++
	g.at = g.at.Add(300 * time.Microsecond)
	// strings.Clone: every frame owns its strings, like the reader's.
	g.queue = append(g.queue, api.Frame{Event: strings.Clone(typ), Data: string(b), At: g.at})
}

func (g *benchStream) word(i int) string { return benchWords[(i*7+g.turn)%len(benchWords)] }

// plan queues the frames of one turn (one block for mixDeltas).
func (g *benchStream) plan() {
	t := strconv.Itoa(g.turn)
	switch g.mix {
	case mixDeltas:
		id := `"id":"text_` + t + `"`
		g.frame("text_start", id+`,"role":"assistant"`)
		for i := range 1000 {
			g.frame("text_delta", id+`,"delta":"`+g.word(i)+`"`)
		}
		g.frame("text_complete", id)
		return
	case mixLegacy:
		g.frame("agent_turn_start", `"iteration":`+t+`,"turnId":"turn_`+t+`","role":"assistant"`)
		for i := range 300 {
			g.frame("agent_turn_delta", `"iteration":`+t+`,"turnId":"turn_`+t+`","contentType":"text","delta":"`+g.word(i)+`"`)
		}
		g.frame("agent_turn_complete", `"iteration":`+t+`,"turnId":"turn_`+t+`","stopReason":"tool_use"`)
		return
	}
	g.frame("turn_start", `"id":"turn_`+t+`","iteration":`+t+`,"role":"assistant"`)
	rid := `"id":"reason_` + t + `"`
	g.frame("reasoning_start", rid)
	for i := range 30 {
		g.frame("reasoning_delta", rid+`,"delta":"`+g.word(i+3)+`"`)
	}
	g.frame("reasoning_complete", rid)
	id := `"id":"text_` + t + `"`
	g.frame("text_start", id+`,"role":"assistant"`)
	var all strings.Builder
	for i := range 300 {
		g.frame("text_delta", id+`,"delta":"`+g.word(i)+`"`)
		all.WriteString(g.word(i))
		if i%250 == 0 {
			g.frame("ping", "")
		}
	}
	g.frame("text_complete", id+`,"text":"`+all.String()+`"`)
	call := `"toolCallId":"call_` + t + `","toolName":"search_orders"`
	g.frame("tool_start", call+`,"toolType":"builtin","parameters":{"customer":"C-1042","status":"open","limit":20}`)
	for i := range 8 {
		g.frame("tool_input_delta", call+`,"delta":"{\"k`+strconv.Itoa(i)+`\":1}"`)
	}
	g.frame("tool_input_complete", call+`,"parameters":{"customer":"C-1042","status":"open","limit":20}`)
	result := `{"orders":[{"id":"O-1","total":42.5,"items":3},{"id":"O-2","total":7,"items":1}]}`
	if g.turn%10 == 0 {
		var b strings.Builder
		b.WriteString(`{"orders":[`)
		for i := range 300 {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"id":"O-` + strconv.Itoa(i) + `","total":42.5,"items":3,"note":"left at the door"}`)
		}
		b.WriteString(`]}`)
		result = b.String()
	}
	g.frame("tool_complete", call+`,"success":true,"result":`+result+`,"durationMs":182`)
	g.frame("turn_complete", `"id":"turn_`+t+`","stopReason":"tool_use","tokens":{"input":1834,"output":311},"cost":0.0042`)
}

// benchEvents decodes n frames of a stream into events.
func benchEvents(mix benchMix, n int) []api.Event {
	g := newBenchStream(mix)
	d := api.NewDecoder()
	evs := make([]api.Event, 0, n+8)
	for len(evs) < n {
		evs = d.Decode(evs, g.next())
	}
	return evs[:n]
}

// ---- fold ----

// foldBatch is how many events one UI message carries when the stream is
// busy (the pump drains what is ready).
const foldBatch = 64

// foldCap bounds the session a fold benchmark grows: past it a fresh one
// starts (untimed), so a long run does not measure the machine's memory.
const foldCap = 1 << 20

// BenchmarkFold folds realistic batches of decoded events into a Session.
// An op is one event. Each figure comes with its baseline in the same run,
// timed in alternation with it: "base-ns/ev" is the irreducible work of
// folding (append each delta to a builder and its index to a slice) and
// "x-base" the ratio. Targets: ≥ 1 M text deltas/s, ≤ 2 allocs per delta.
func BenchmarkFold(b *testing.B) {
	cases := []struct {
		name string
		mix  benchMix
	}{
		{"deltas", mixDeltas},
		{"mixed", mixAgent},
		{"legacy", mixLegacy},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			// 4096 events (~3 MB with their strings): warm in the cache,
			// as a batch is when the decoder has just made it.
			pool := benchEvents(tc.mix, 1<<12)
			deltas := 0
			for i := range pool {
				if pool[i].Type == api.TypeTextDelta || pool[i].Type == api.TypeReasoningDelta {
					deltas++
				}
			}
			share := float64(deltas) / float64(len(pool))

			s := newBenchSession()
			var base baseFold
			var foldT, baseT time.Duration
			off, folded := 0, 0
			b.ResetTimer()
			for done := 0; done < b.N; {
				n := min(foldBatch, b.N-done, len(pool)-off)
				batch := pool[off : off+n]

				// Alternate which goes first, so neither always finds the
				// batch already in the cache.
				if done%(2*foldBatch) < foldBatch {
					t0 := time.Now()
					base.apply(batch)
					t1 := time.Now()
					s.ApplyBatch(batch)
					t2 := time.Now()
					baseT += t1.Sub(t0)
					foldT += t2.Sub(t1)
				} else {
					t0 := time.Now()
					s.ApplyBatch(batch)
					t1 := time.Now()
					base.apply(batch)
					t2 := time.Now()
					foldT += t1.Sub(t0)
					baseT += t2.Sub(t1)
				}

				done += n
				folded += n
				if off += n; off == len(pool) {
					off = 0
				}
				if folded >= foldCap {
					b.StopTimer()
					s, base, folded = newBenchSession(), baseFold{}, 0
					b.StartTimer()
				}
			}
			b.StopTimer()
			nsEv := float64(foldT.Nanoseconds()) / float64(b.N)
			b.ReportMetric(nsEv, "ns/op")
			b.ReportMetric(float64(baseT.Nanoseconds())/float64(b.N), "base-ns/ev")
			b.ReportMetric(float64(foldT)/float64(max(baseT, 1)), "x-base")
			b.ReportMetric(1e9/nsEv, "events/s")
			b.ReportMetric(share*1e9/nsEv, "deltas/s")
			allocs, deltaAllocs := foldAllocs(pool)
			b.ReportMetric(allocs, "allocs/ev")
			b.ReportMetric(deltaAllocs, "allocs/delta")
		})
	}
}

func newBenchSession() *Session {
	s := NewSession()
	s.Now = func() time.Time { return t0 }
	if err := s.Begin(api.Request{Method: "POST", Path: api.PathDispatch, Body: []byte(`{"agent":{}}`)}); err != nil {
		panic(err)
	}
	s.StreamOpened()
	return s
}

// baseFold is the baseline: the least a fold can do per event.
type baseFold struct {
	text strings.Builder
	idx  []int
}

func (f *baseFold) apply(evs []api.Event) {
	for i := range evs {
		f.text.WriteString(evs[i].Delta)
		f.idx = append(f.idx, len(f.idx))
	}
}

// foldAllocs folds the pool into a fresh session and returns the heap
// allocations per event, and per text or reasoning delta (measured on a
// stream of nothing but deltas into open blocks).
func foldAllocs(pool []api.Event) (perEvent, perDelta float64) {
	count := func(f func()) uint64 {
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		f()
		runtime.ReadMemStats(&m1)
		return m1.Mallocs - m0.Mallocs
	}
	s := newBenchSession()
	all := count(func() {
		for off := 0; off < len(pool); off += foldBatch {
			s.ApplyBatch(pool[off:min(off+foldBatch, len(pool))])
		}
	})
	// Deltas alone: the pool's deltas, each block opened first (so only
	// the per-delta path is counted).
	var deltas, opens []api.Event
	seen := map[string]bool{}
	for i := range pool {
		ev := pool[i]
		if ev.Type != api.TypeTextDelta && ev.Type != api.TypeReasoningDelta {
			continue
		}
		if !seen[ev.Type+ev.ID] {
			seen[ev.Type+ev.ID] = true
			opens = append(opens, ev)
		}
		deltas = append(deltas, ev)
	}
	if len(deltas) == 0 {
		return float64(all) / float64(len(pool)), 0
	}
	s = newBenchSession()
	s.ApplyBatch(opens)
	d := count(func() {
		for off := 0; off < len(deltas); off += foldBatch {
			s.ApplyBatch(deltas[off:min(off+foldBatch, len(deltas))])
		}
	})
	return float64(all) / float64(len(pool)), float64(d) / float64(len(deltas))
}

// ---- memory ----

// BenchmarkMemory folds 1 M events of a realistic agent run, decoded from
// frames the way the stream delivers them (each frame's strings its own),
// and reports the heap the session keeps against the raw bytes of the
// frames: "live/raw" is the live heap after a GC, "inuse/raw" the heap
// spans in use, "rss/raw" the process's resident memory after returning
// free memory to the OS (minus the resident memory before). Target:
// resident memory under 2x the raw bytes. One measurement per run; use
// -benchtime 1x.
func BenchmarkMemory(b *testing.B) {
	for _, tc := range []struct {
		name string
		mix  benchMix
		n    int
	}{
		{"agent-1M", mixAgent, 1_000_000},
		{"deltas-1M", mixDeltas, 1_000_000},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				r := measureMemory(tc.mix, tc.n)
				b.ReportMetric(float64(r.raw)/(1<<20), "raw-MB")
				b.ReportMetric(float64(r.live)/(1<<20), "live-MB")
				b.ReportMetric(float64(r.live)/float64(r.raw), "live/raw")
				b.ReportMetric(float64(r.inuse)/float64(r.raw), "inuse/raw")
				if r.rss > 0 {
					b.ReportMetric(float64(r.rss)/float64(r.raw), "rss/raw")
				}
				b.ReportMetric(float64(r.live)/float64(tc.n), "B/event")
			}
		})
	}
}

type memResult struct {
	raw, live, inuse, rss int64
}

func measureMemory(mix benchMix, n int) memResult {
	settle := func() (runtime.MemStats, int64) {
		runtime.GC()
		runtime.GC()
		debug.FreeOSMemory()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m, rss()
	}
	m0, r0 := settle()
	g := newBenchStream(mix)
	d := api.NewDecoder()
	s := newBenchSession()
	batch := make([]api.Event, 0, foldBatch+8)
	for folded := 0; folded < n; {
		batch = batch[:0]
		for len(batch) < foldBatch && folded+len(batch) < n {
			batch = d.Decode(batch, g.next())
		}
		s.ApplyBatch(batch)
		folded += len(batch)
		clear(batch) // the next batch must not keep this one's strings alive
	}
	g.queue = nil
	m1, r1 := settle()
	runtime.KeepAlive(s)
	res := memResult{
		raw:   int64(g.raw),
		live:  int64(m1.HeapAlloc) - int64(m0.HeapAlloc),
		inuse: int64(m1.HeapInuse) - int64(m0.HeapInuse),
	}
	if r0 > 0 && r1 > 0 {
		res.rss = r1 - r0
	}
	return res
}

// rss returns the resident set size of this process in bytes, 0 where
// /proc is not available.
func rss() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0
	}
	pages, err := strconv.ParseInt(string(f[1]), 10, 64)
	if err != nil {
		return 0
	}
	return pages * int64(os.Getpagesize())
}
