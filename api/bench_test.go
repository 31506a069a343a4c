package api

import (
	"encoding/json"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	sse "github.com/tmaxmax/go-sse"
)

// benchWords are the fragments text deltas are made of: mostly plain ASCII,
// with the non-ASCII text, quotes, newlines and characters encoding/json
// escapes (<, >, &, U+2028) that real model output carries.
var benchWords = []string{
	"the", " cart", " has", " two", " items", ",", " and", " the", " total", " is",
	" €12.50", ".", " I", " added", " the", " blue", " one", " you", " asked", " for",
	" naïve", " café", " Grüße", " 日本語", " のテキスト", " 😀", " —", " \"quoted\"",
	"\n", "\n\n", " <b>", " a & b", " x\u2028y", " tab\t", " ok", " let", " me", " know",
}

// benchBody is the realistic stream of one vocabulary, as its SSE bytes.
type benchBody struct {
	name   string
	body   string
	frames int
}

// benchStreams generates one unified agent stream and one legacy stream
// (a flow with step_chunk text and an agent with agent_turn_delta text).
// About 90% of the frames are text deltas; the rest are turn, step and tool
// events (start, await, complete), plus two large tool or step results per
// stream (100–400 KB of mostly non-ASCII text).
func benchStreams(tb testing.TB) []benchBody {
	tb.Helper()
	r := rand.New(rand.NewPCG(7, 11))
	return []benchBody{
		genUnified(r, 12000, []int{150 << 10, 400 << 10}),
		genLegacy(r, 12000, []int{100 << 10, 300 << 10}),
	}
}

// sseWriter writes frames; seq counts them as the envelope's seq.
type sseWriter struct {
	b      strings.Builder
	frames int
	seq    int
	exec   string
}

// frame writes one frame: an event line when event is set, then data.
func (w *sseWriter) frame(event, data string) {
	if event != "" {
		w.b.WriteString("event: ")
		w.b.WriteString(event)
		w.b.WriteByte('\n')
	}
	w.b.WriteString("data: ")
	w.b.WriteString(data)
	w.b.WriteString("\n\n")
	w.frames++
	w.seq++
}

// env starts a unified or legacy payload: type, executionId and seq.
func (w *sseWriter) env(typ string) string {
	return `{"type":"` + typ + `","executionId":"` + w.exec + `","seq":` + strconv.Itoa(w.seq)
}

func jstr(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func delta(r *rand.Rand) string {
	n := 1 + r.IntN(3)
	var b strings.Builder
	for range n {
		b.WriteString(benchWords[r.IntN(len(benchWords))])
	}
	return b.String()
}

// bigResult is a tool result object of about size bytes.
func bigResult(r *rand.Rand, size int) string {
	var b strings.Builder
	b.WriteString(`{"documents":[`)
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		var body strings.Builder
		for body.Len() < 2000 {
			body.WriteString(delta(r))
		}
		b.WriteString(`{"id":"doc_` + strconv.Itoa(i) + `","title":` + jstr("Résumé — 第"+strconv.Itoa(i)+"章") +
			`,"score":` + strconv.FormatFloat(r.Float64(), 'f', 4, 64) + `,"tags":["a","b"],"body":` + jstr(body.String()) + `}`)
	}
	b.WriteString(`],"total":` + strconv.Itoa(size) + `,"truncated":false}`)
	return b.String()
}

func genUnified(r *rand.Rand, frames int, big []int) benchBody {
	w := &sseWriter{exec: "exec_01k9x5db72fzwvmdenryn0qm48"}
	f := func(typ, rest string) { w.frame(typ, w.env(typ)+rest+"}") }
	f(TypeExecutionStart, `,"kind":"agent","agentId":"agent_01k9pfnz","agentName":"Shopping Assistant","maxTurns":8,"startedAt":"2025-11-12T23:47:39.565Z"`)
	text, turn, call := 0, 0, 0
	for w.frames < frames {
		turn++
		tid := `"turn_` + strconv.Itoa(turn) + `"`
		f(TypeTurnStart, `,"id":`+tid+`,"role":"assistant","iteration":`+strconv.Itoa(turn))
		text++
		bid := `"text_` + strconv.Itoa(text) + `"`
		f(TypeTextStart, `,"id":`+bid+`,"role":"assistant","turnId":`+tid)
		var all strings.Builder
		for range 40 + r.IntN(40) {
			d := delta(r)
			all.WriteString(d)
			f(TypeTextDelta, `,"id":`+bid+`,"delta":`+jstr(d))
		}
		f(TypeTextComplete, `,"id":`+bid+`,"text":`+jstr(all.String()))
		call++
		cid := `"call_` + strconv.Itoa(call) + `"`
		f(TypeToolStart, `,"toolCallId":`+cid+`,"toolName":"search_docs","toolType":"builtin","iteration":`+strconv.Itoa(turn)+`,"parameters":{"query":"blue shoes","limit":10,"filters":{"size":[42,43]}},"startedAt":"2025-11-12T23:47:40.000Z"`)
		if turn%3 == 0 {
			f(TypeAwait, `,"awaitReason":"local_tool_required","toolId":"runtime_add_1","toolCallId":`+cid+`,"toolName":"add_to_cart","origin":"sdk","parameters":{"sku":"S-1","qty":1},"awaitedAt":"2025-11-12T23:47:41.000Z"`)
		}
		result := `{"hits":3,"first":"Blue shoes — €59"}`
		if len(big) > 0 && turn%4 == 2 {
			result, big = bigResult(r, big[0]), big[1:]
		}
		f(TypeToolComplete, `,"toolCallId":`+cid+`,"toolName":"search_docs","success":true,"result":`+result+`,"executionTime":640.5,"completedAt":"2025-11-12T23:47:42.000Z"`)
		f(TypeTurnComplete, `,"id":`+tid+`,"role":"assistant","stopReason":"end_turn","tokens":{"input":1200,"output":340},"cost":0.0123,"completedAt":"2025-11-12T23:47:43.000Z"`)
		if turn%5 == 0 {
			f(TypePing, `,"timestamp":"2025-11-12T23:47:44.000Z"`)
		}
	}
	f(TypeExecutionComplete, `,"kind":"agent","success":true,"iterations":`+strconv.Itoa(turn)+`,"stopReason":"end_turn","finalOutput":"done","durationMs":2968,"totalTokens":{"input":9000,"output":2000},"totalCost":0.5`)
	return benchBody{name: "unified", body: w.b.String(), frames: w.frames}
}

func genLegacy(r *rand.Rand, frames int, big []int) benchBody {
	w := &sseWriter{exec: "exec_standalone_1762991259266_7wz736k7n"}
	// Flow frames are data-only, agent-executor frames carry an event line.
	data := func(typ, rest string) { w.frame("", w.env(typ)+rest+"}") }
	named := func(typ, rest string) { w.frame(typ, w.env(typ)+rest+"}") }
	data("flow_start", `,"flowId":"flow_01k9pfnztzfag9tfz4t65c9c5q","flowName":"Shopping Assistant","totalSteps":1,"startedAt":"2025-11-12T23:47:39.565Z","executionContext":{"source":"standalone","record":{"id":"-1","name":"Streaming Chat Widget","created":false},"flow":{"id":"flow_01k9pfnztzfag9tfz4t65c9c5q","name":"Shopping Assistant","created":false}}`)
	step := 0
	for w.frames < frames/2 {
		step++
		sid := `"step_01k9x5db72fzwvmdenryn0q` + strconv.Itoa(step) + `"`
		data("step_start", `,"id":`+sid+`,"name":"Prompt 1","stepType":"prompt","index":1,"totalSteps":1,"startedAt":"2025-11-12T23:47:39.565Z"`)
		for range 20 + r.IntN(32) {
			data("step_chunk", `,"id":`+sid+`,"name":"Prompt 1","executionType":"prompt","index":2,"text":`+jstr(delta(r)))
		}
		data("tool_start", `,"toolId":"tool_`+strconv.Itoa(step)+`","name":"search","args":{"q":"x"},"stepId":`+sid+`,"agentContext":{"executionId":"`+w.exec+`","iteration":1,"seq":`+strconv.Itoa(w.seq)+`}`)
		data("tool_complete", `,"toolId":"tool_`+strconv.Itoa(step)+`","name":"search","success":true,"output":"found","duration":12`)
		result := `{"response":"Great! Let me know."}`
		if len(big) > 0 && step%3 == 1 {
			result, big = `{"response":`+jstr(bigResult(r, big[0]))+`}`, big[1:]
		}
		data("step_complete", `,"id":`+sid+`,"name":"Prompt 1","executionType":"prompt","success":true,"result":`+result+`,"executionTime":2968,"completedAt":"2025-11-12T23:47:42.000Z"`)
	}
	data("flow_complete", `,"flowId":"flow_01k9pfnztzfag9tfz4t65c9c5q","success":true,"completedAt":"2025-11-12T23:47:42.533Z","executionTime":2968,"totalTokensUsed":1377`)

	named("agent_start", `,"agentId":"agent_01","agentName":"Shop","maxTurns":8,"startedAt":"2025-11-12T23:47:39.565Z"`)
	turn, call := 0, 0
	for w.frames < frames {
		turn++
		tid := `"turn_a` + strconv.Itoa(turn) + `"`
		named("agent_iteration_start", `,"iteration":`+strconv.Itoa(turn)+`,"maxTurns":8,"startedAt":"2025-11-12T23:47:39.565Z"`)
		named("agent_turn_start", `,"turnId":`+tid+`,"iteration":`+strconv.Itoa(turn)+`,"turnIndex":0,"role":"assistant"`)
		for i := range 40 + r.IntN(34) {
			ct := "text"
			if i < 5 {
				ct = "thinking"
			}
			named("agent_turn_delta", `,"turnId":`+tid+`,"iteration":`+strconv.Itoa(turn)+`,"contentType":"`+ct+`","delta":`+jstr(delta(r)))
		}
		call++
		cid := `"call_Q` + strconv.Itoa(call) + `"`
		named("agent_tool_start", `,"toolCallId":`+cid+`,"toolName":"add_to_cart","iteration":`+strconv.Itoa(turn)+`,"parameters":{"sku":"S-1","qty":1},"startedAt":"2025-11-12T23:47:40.000Z"`)
		if turn%3 == 0 {
			named("agent_await", `,"toolId":"runtime_add_1","toolCallId":`+cid+`,"toolName":"add_to_cart","parameters":{"sku":"S-1"},"awaitedAt":"2025-11-12T23:47:41.000Z","origin":"sdk"`)
		}
		named("agent_tool_complete", `,"toolCallId":`+cid+`,"toolName":"add_to_cart","success":true,"result":{"ok":1,"cart":["S-1"]},"executionTime":640,"completedAt":"2025-11-12T23:47:42.000Z"`)
		named("agent_turn_complete", `,"turnId":`+tid+`,"iteration":`+strconv.Itoa(turn)+`,"role":"assistant","stopReason":"end_turn","tokens":{"input":1200,"output":340},"cost":0.0123,"completedAt":"2025-11-12T23:47:43.000Z"`)
		named("agent_iteration_complete", `,"iteration":`+strconv.Itoa(turn)+`,"toolCallsMade":1,"completedAt":"2025-11-12T23:47:43.000Z"`)
	}
	named("agent_complete", `,"agentId":"agent_01","success":true,"iterations":`+strconv.Itoa(turn)+`,"stopReason":"complete","duration":1500,"finalOutput":"done","totalCost":0.5,"totalTokens":{"input":10,"output":3},"completedAt":"2025-11-12T23:47:44.000Z"`)
	return benchBody{name: "legacy", body: w.b.String(), frames: w.frames}
}

// benchReadConfig is what Stream.Frames passes sse.Read: the client's
// default frame bound (the large results exceed sse.Read's 64 KB default).
var benchReadConfig = &sse.ReadConfig{MaxEventSize: DefaultMaxFrameSize}

// readOnly is the baseline: sse.Read alone over the bytes.
func readOnly(tb testing.TB, body string) (n int) {
	for ev, err := range sse.Read(strings.NewReader(body), benchReadConfig) {
		if err != nil {
			tb.Fatal(err)
		}
		n += len(ev.Data)
	}
	return n
}

// readDecode is sse.Read plus what the consumer of Stream.Frames does per
// frame: build the Frame and Decode it into a reused buffer, one Decoder per
// execution. stamp adds the time stamp Stream.Frames gives every frame
// (time.Now), which is not the decoder's cost but is the stream path's.
func readDecode(tb testing.TB, body string, evs []Event, stamp bool) (n int, _ []Event) {
	d := NewDecoder()
	for ev, err := range sse.Read(strings.NewReader(body), benchReadConfig) {
		if err != nil {
			tb.Fatal(err)
		}
		f := Frame{Event: ev.Type, ID: ev.LastEventID, Data: ev.Data}
		if stamp {
			f.At = time.Now()
		}
		evs = d.Decode(evs[:0], f)
		n += len(evs)
	}
	return n, evs
}

func TestBenchStreamsDecode(t *testing.T) {
	// The generated streams must be what the benchmark claims: every frame
	// decodes (none malformed), both vocabularies are detected, most
	// frames are text deltas and a few are large.
	for _, s := range benchStreams(t) {
		frames := 0
		deltas, big := 0, 0
		d := NewDecoder()
		for ev, err := range sse.Read(strings.NewReader(s.body), benchReadConfig) {
			if err != nil {
				t.Fatal(err)
			}
			frames++
			if len(ev.Data) > 100<<10 {
				big++
			}
			for _, e := range d.Decode(nil, Frame{Event: ev.Type, Data: ev.Data}) {
				if e.Type == TypeMalformed {
					t.Fatalf("%s: malformed %v: %.200s", s.name, e.Err, ev.Data)
				}
				if e.Type == TypeTextDelta || e.Type == TypeReasoningDelta {
					deltas++
				}
			}
		}
		t.Logf("%s: %d frames, %d bytes, %.1f%% deltas, %d large", s.name, frames, len(s.body), 100*float64(deltas)/float64(frames), big)
		if frames != s.frames {
			t.Errorf("%s: frames = %d, want %d", s.name, frames, s.frames)
		}
		if share := float64(deltas) / float64(frames); share < 0.85 || share > 0.95 {
			t.Errorf("%s: delta share = %.2f, want about 0.9", s.name, share)
		}
		if big != 2 {
			t.Errorf("%s: large frames = %d, want 2", s.name, big)
		}
		want := VocabUnified
		if s.name == "legacy" {
			want = VocabLegacy
		}
		if d.Vocabulary() != want {
			t.Errorf("%s: vocabulary = %v, want %v", s.name, d.Vocabulary(), want)
		}
	}
}

// BenchmarkDecodeVsRead measures the decoder against sse.Read alone on the
// same bytes (both vocabularies, see benchStreams). Each iteration runs
// three passes back to back, rotating which goes first:
//
//   - read: sse.Read alone, the baseline;
//   - decode: sse.Read, the Frame, and Decode;
//   - stream: decode plus the time stamp Stream.Frames puts on every frame,
//     i.e. the whole stream path up to the UI.
//
// decode/read and stream/read are the medians of the per-iteration ratios,
// so a burst of load elsewhere on the machine moves one iteration, not the
// figure. ns/op is the sum of the three passes: read the metrics. Run it
// with -benchtime 5s or more: an iteration takes tens of ms.
func BenchmarkDecodeVsRead(b *testing.B) {
	streams := benchStreams(b)
	var bytes, frames int
	for _, s := range streams {
		bytes += len(s.body)
		frames += s.frames
	}
	var evs []Event
	var ms runtime.MemStats
	mallocs := func() uint64 { runtime.ReadMemStats(&ms); return ms.Mallocs }
	// pass runs one pass over every stream and returns its time.
	type pass struct {
		run    func(body string)
		t      time.Duration
		allocs uint64
	}
	timed := func(p *pass) time.Duration {
		a := mallocs()
		t0 := time.Now()
		for _, s := range streams {
			p.run(s.body)
		}
		d := time.Since(t0)
		p.t += d
		p.allocs += mallocs() - a
		return d
	}
	read := &pass{run: func(body string) { readOnly(b, body) }}
	decode := &pass{run: func(body string) { _, evs = readDecode(b, body, evs, false) }}
	stream := &pass{run: func(body string) { _, evs = readDecode(b, body, evs, true) }}
	passes := []*pass{read, decode, stream}
	var decodeRatios, streamRatios []float64
	n := 0
	for b.Loop() {
		var t [3]time.Duration
		for k := range passes {
			i := (n + k) % len(passes)
			t[i] = timed(passes[i])
		}
		decodeRatios = append(decodeRatios, float64(t[1])/float64(t[0]))
		streamRatios = append(streamRatios, float64(t[2])/float64(t[0]))
		n++
	}
	mb := float64(bytes) * float64(n) / 1e6
	fr := float64(frames) * float64(n)
	b.ReportMetric(fr/read.t.Seconds(), "read-frames/s")
	b.ReportMetric(mb/read.t.Seconds(), "read-MB/s")
	b.ReportMetric(fr/decode.t.Seconds(), "decode-frames/s")
	b.ReportMetric(mb/decode.t.Seconds(), "decode-MB/s")
	b.ReportMetric(float64(read.allocs)/fr, "read-allocs/frame")
	b.ReportMetric(float64(decode.allocs)/fr, "decode-allocs/frame")
	b.ReportMetric(median(decodeRatios), "decode/read")
	b.ReportMetric(median(streamRatios), "stream/read")
}

func median(xs []float64) float64 {
	slices.Sort(xs)
	return xs[len(xs)/2]
}
