package ui

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"rtinspect/api"
	"rtinspect/model"
)

// BenchmarkView times View() at 120x40 on sessions of 1 k, 100 k and 1 M
// events (issue 5, "screen": 1 M within 1.2x of 1 k, under 2 ms a frame).
// Every size is timed in alternation with the 1 k session in the same
// state, so "x-1k" is a ratio measured in one run: ns/op is a frame of the
// big session, "base-ns/frame" a frame of the 1 k one.
//
//	go test ./ui -run '^$' -bench View -count 5
//
// States: "tail" follows the tail with nothing new between frames; "live"
// opens a text block at the tail and folds one more delta into it before
// each frame (untimed), so every frame misses the caches keyed on the
// session's version, as while a stream runs; "middle" is scrolled to the
// middle of the log, the selection on a finished row. The "flat-" states
// are the same in the flat view (one line per event, each rebuilt from the
// compact log on every frame).
func BenchmarkView(b *testing.B) {
	for _, st := range []string{"tail", "live", "middle", "flat-tail", "flat-live", "flat-middle"} {
		for _, n := range []int{1_000, 100_000, 1_000_000} {
			b.Run(st+"/"+strconv.Itoa(n), func(b *testing.B) {
				base, big := benchModel(b, 1_000, st), benchModel(b, n, st)
				var baseT, bigT time.Duration
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					// Alternate the order so neither side always runs
					// with the other's data in the cache.
					if i%2 == 0 {
						baseT += frame(base)
						bigT += frame(big)
					} else {
						bigT += frame(big)
						baseT += frame(base)
					}
				}
				b.StopTimer()
				ns := float64(bigT.Nanoseconds()) / float64(b.N)
				b.ReportMetric(ns, "ns/op")
				b.ReportMetric(float64(baseT.Nanoseconds())/float64(b.N), "base-ns/frame")
				b.ReportMetric(float64(bigT)/float64(max(baseT, 1)), "x-1k")
				b.ReportMetric(ns/1e6, "ms/frame")
			})
		}
	}
}

// viewBench is a model and what "live" folds into it.
type viewBench struct {
	m     *Model
	live  bool
	delta api.Event
}

// frame draws one frame and returns how long View took.
func frame(v *viewBench) time.Duration {
	if v.live {
		v.m.s.Apply(v.delta)
		v.m.afterRowsChanged()
	}
	t := time.Now()
	out := v.m.View()
	d := time.Since(t)
	if out.Content == "" {
		panic("empty view")
	}
	return d
}

var (
	benchSessionsMu sync.Mutex
	benchSessions   = map[int]*model.Session{}
)

// benchSession returns a session of n events, built once per process: an
// agent run (per turn a text block of 20 to 36 deltas, 5000 every 100th
// turn, a tool call, the turn's counts: ~11 events a row), cut at n
// events, so it ends inside a streaming text block.
func benchSession(n int) *model.Session {
	benchSessionsMu.Lock()
	defer benchSessionsMu.Unlock()
	if s, ok := benchSessions[n]; ok {
		return s
	}
	s := model.NewSession()
	at := time.Date(2026, 6, 20, 10, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return at }
	if err := s.Begin(api.Request{Method: "POST", Path: api.PathDispatch, Body: []byte(`{"agent":{}}`)}); err != nil {
		panic(err)
	}
	s.StreamOpened()
	d := api.NewDecoder()
	var batch []api.Event
	seq := 0
	emit := func(typ, fields string) {
		if n <= 0 {
			return
		}
		data := `{"type":"` + typ + `","executionId":"exec_01jz3k8m2q","seq":` + strconv.Itoa(seq)
		if fields != "" {
			data += "," + fields
		}
		seq++
		at = at.Add(300 * time.Microsecond)
		batch = d.Decode(batch[:0], api.Frame{Event: typ, Data: data + "}", At: at})
		n -= len(batch)
		s.ApplyBatch(batch)
	}
	words := strings.Fields("Your order ships today from Lyon and the refund for the damaged café set is on its way to the card you paid with")
	total := n
	emit("execution_start", `"kind":"agent","agentName":"Switchback Assistant"`)
	for turn := 1; n > 0; turn++ {
		t := strconv.Itoa(turn)
		emit("turn_start", `"id":"turn_`+t+`","iteration":`+t+`,"role":"assistant"`)
		id := `"id":"text_` + t + `"`
		emit("text_start", id+`,"role":"assistant"`)
		// Mostly short answers, so even the 1 k session fills the
		// screen with rows; every 100th turn a long one.
		deltas := 20 + turn%17
		if turn%100 == 0 {
			deltas = 5000
		}
		for i := range deltas {
			emit("text_delta", id+`,"delta":" `+words[(i+turn)%len(words)]+`"`)
		}
		emit("text_complete", id)
		call := `"toolCallId":"call_` + t + `","toolName":"search_orders"`
		emit("tool_start", call+`,"toolType":"builtin","parameters":{"customer":"C-1042","status":"open","limit":20}`)
		emit("tool_input_complete", call+`,"parameters":{"customer":"C-1042","status":"open","limit":20}`)
		emit("tool_complete", call+`,"success":true,"result":{"orders":[{"id":"O-1","total":42.5}]},"durationMs":182`)
		emit("turn_complete", `"id":"turn_`+t+`","stopReason":"tool_use","tokens":{"input":1834,"output":311}`)
	}
	if s.EventCount() != total {
		panic("benchSession: wrong event count " + strconv.Itoa(s.EventCount()))
	}
	benchSessions[total] = s
	return s
}

// benchModel returns an inspector at 120x40 over a session of n events, in
// state st.
func benchModel(b *testing.B, n int, st string) *viewBench {
	b.Helper()
	s := benchSession(n)
	m := New(Options{Session: s, Keys: benchKeys(), TempDir: b.TempDir(), Now: func() time.Time { return time.Date(2026, 6, 20, 12, 0, 0, 0, time.UTC) }})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	st, m.flat = strings.CutPrefix(st, "flat-")
	m.afterRowsChanged()
	v := &viewBench{m: m}
	switch st {
	case "live":
		v.live = true
		// Deltas into a new block at the tail, the same in every
		// session, so the sizes differ only in the log behind it.
		v.delta = api.Event{Type: api.TypeTextDelta, Source: api.TypeTextDelta, Vocab: api.VocabUnified, Known: true,
			ExecutionID: "exec_01jz3k8m2q", ID: "text_live_" + strconv.Itoa(n), Seq: -1, Delta: " more"}
		s.Apply(v.delta)
		m.afterRowsChanged()
	case "middle":
		m.follow = false
		m.evSel = m.visibleCount() / 2
		m.clampEvents()
	}
	m.View() // warm the caches the way the first frame does
	return v
}

// benchKeys is a key map like the program's, so the hints line costs
// what it really costs.
func benchKeys() KeyMap {
	kb := func(k, help string) key.Binding { return key.NewBinding(key.WithKeys(k), key.WithHelp(k, help)) }
	return KeyMap{
		NextPane: kb("tab", "next pane"), PrevPane: kb("shift+tab", "previous pane"),
		Up: kb("k", "up"), Down: kb("j", "down"), Top: kb("g", "top"), Bottom: kb("G", "bottom"),
		PageUp: kb("pgup", "page up"), PageDown: kb("pgdown", "page down"),
		Open: kb("enter", "details"), Edit: kb("e", "edit"), ErrorAnswer: kb("x", "error"),
		Messages: kb("m", "messages"), Resume: kb("R", "resume"), Revert: kb("u", "revert"),
		FromFile: kb("F", "from file"), ApplyAll: kb("A", "apply all"), CopyAnswer: kb("Y", "copy"),
		Approve: kb("a", "approve"), Deny: kb("d", "deny"), Filter: kb("/", "filter"),
		Follow: kb("f", "follow"), Raw: kb("v", "raw"), Help: kb("?", "help"), Quit: kb("q", "quit"),
		CopyCurl: kb("c", "curl"), CopyBody: kb("b", "body"),
		StepBack: kb("[", "step back"), StepForward: kb("]", "step"), Play: kb("p", "play"), Speed: kb("s", "speed"),
		Confirm: kb("y", "send"), Partial: kb("!", "partial"), Cancel: kb("esc", "cancel"),
	}
}
