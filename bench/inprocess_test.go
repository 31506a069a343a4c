package bench

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"rtinspect/api"
	"rtinspect/api/record"
	"rtinspect/model"
	"rtinspect/ui"
)

// keys is enough of a key map for the in-process benchmarks and tests.
func keys() ui.KeyMap {
	b := func(k string) key.Binding { return key.NewBinding(key.WithKeys(k), key.WithHelp(k, k)) }
	return ui.KeyMap{
		NextPane: b("tab"), PrevPane: b("shift+tab"), Up: b("k"), Down: b("j"), Top: b("g"), Bottom: b("G"),
		PageUp: b("pgup"), PageDown: b("pgdown"), Open: b("enter"), Edit: b("e"), ErrorAnswer: b("x"),
		Messages: b("m"), Resume: b("R"), Revert: b("u"), FromFile: b("F"), ApplyAll: b("A"), CopyAnswer: b("Y"),
		Approve: b("a"), Deny: b("d"), Filter: b("/"), Follow: b("f"), Raw: b("v"), Help: b("?"), Quit: b("q"),
		CopyCurl: b("c"), CopyBody: b("b"), StepBack: b("["), StepForward: b("]"), Play: b("space"), Speed: b("s"),
		Confirm: b("y"), Partial: b("!"), Cancel: b("esc"),
	}
}

func press(m *ui.Model, k string) tea.Cmd {
	var msg tea.KeyPressMsg
	switch k {
	case "pgup":
		msg = tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "pgdown":
		msg = tea.KeyPressMsg{Code: tea.KeyPgDown}
	default:
		msg = tea.KeyPressMsg{Code: rune(k[0]), Text: k}
	}
	_, cmd := m.Update(msg)
	return cmd
}

// openInProcess is what `rtinspect open` does up to its first frame, for
// a large recording (see openLargeBytes in recorded.go): LoadPlayer, fold
// the first records, the inspector at 120x40, View.
func openInProcess(tb testing.TB, path string, budget time.Duration) (*model.Player, *ui.Model, time.Duration) {
	start := time.Now()
	p, err := model.LoadPlayer(path)
	if err != nil {
		tb.Fatal(err)
	}
	p.Load(budget)
	m := ui.New(ui.Options{Player: p, Keys: keys(), Title: "open " + path})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	if v := m.View(); !strings.Contains(v.Content, "Events") {
		tb.Fatalf("first frame without the events pane:\n%s", v.Content)
	}
	return p, m, time.Since(start)
}

// loadAll runs the inspector's load ticks to the end, as the program
// would (a View after each), and returns the scroll frames measured while
// it loaded: the time of each key press and its View.
// The answers-learning command that follows the load is not run.
//
// Each key is timed from a fresh turn of the scheduler (runtime.Gosched),
// as the program's keys are: its event loop waits for the next message
// after drawing a fold slice's frame. Without the yield this loop runs the
// fold slice, its View and the key without a pause, so the scheduler
// preempts it in the key's frame for having run over 10 ms, and the frame
// would be charged for the fold slice before it.
func loadAll(tb testing.TB, p *model.Player, m *ui.Model) (frames []time.Duration) {
	cmd := m.LoadRest()
	ks := []string{"k", "k", "j", "pgup", "pgdown"}
	for cmd != nil && p.Loading() {
		_, cmd = m.Update(cmd())
		m.View()
		runtime.Gosched()
		t := time.Now()
		press(m, ks[len(frames)%len(ks)])
		m.View()
		frames = append(frames, time.Since(t))
	}
	if p.Loading() {
		tb.Fatal("the load ticks stopped before the end")
	}
	return frames
}

// scrollFrames returns the mean time of a key press that moves the
// selection and the View that shows it.
func scrollFrames(m *ui.Model, n int) time.Duration {
	ks := []string{"k", "k", "k", "j", "pgup", "pgup", "pgdown", "j"}
	start := time.Now()
	for i := range n {
		press(m, ks[i%len(ks)])
		m.View()
	}
	return time.Since(start) / time.Duration(n)
}

// BenchmarkOpenInProcess measures the open path without the process and
// terminal: the first frame of a 1 M-frame recording (ns/op; target under
// 1 s with the process), the time until it is all read and folded with the
// screen up (loaded-s), and scrolling: a key press and its View, while
// loading (the mean and the 99th percentile) and once loaded, at 120x40
// (target under 2 ms), against the same on a 1,000-frame recording
// (x-small).
func BenchmarkOpenInProcess(b *testing.B) {
	big := longRecording(b, openFrames)
	small := longRecording(b, 1000)
	var first, loaded, scrollLoading, scrollLoadingP99, scrollBig, scrollSmall time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		p, m, t := openInProcess(b, small, 200*time.Millisecond)
		loadAll(b, p, m)
		scrollSmall += scrollFrames(m, 400)
		p.Close()

		p, m, t = openInProcess(b, big, 0)
		first += t
		start := time.Now().Add(-t)
		frames := loadAll(b, p, m)
		loaded += time.Since(start)
		var sum time.Duration
		for _, d := range frames {
			sum += d
		}
		scrollLoading += sum / time.Duration(max(len(frames), 1))
		if len(frames) > 0 {
			scrollLoadingP99 += percentile(frames, 0.99)
		}
		scrollBig += scrollFrames(m, 400)
		p.Close()
	}
	n := float64(b.N)
	b.ReportMetric(float64(first.Nanoseconds())/n, "ns/op")
	b.ReportMetric(loaded.Seconds()/n, "loaded-s/op")
	b.ReportMetric(ms(scrollLoading)/n, "scroll-loading-ms/frame")
	b.ReportMetric(ms(scrollLoadingP99)/n, "scroll-loading-p99-ms")
	b.ReportMetric(ms(scrollBig)/n, "scroll-ms/frame")
	b.ReportMetric(ms(scrollSmall)/n, "small-scroll-ms/frame")
	b.ReportMetric(scrollBig.Seconds()/scrollSmall.Seconds(), "x-small-scroll")
}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

// TestOpenLoadsInTheBackground: an opened recording still loading shows
// its beginning, refuses playback and sending, then, loaded, is the
// session at its end, answerable live when it ended paused, with its
// drafts restored.
func TestOpenLoadsInTheBackground(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "paused.jsonl")
	w, err := record.Create(path, record.Header{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	st := w.Request(api.Request{Method: "POST", Path: api.PathDispatch, Query: "events=unified",
		Body: []byte(`{"agent":{"name":"a"},"messages":[{"role":"user","content":"go"}]}`)})
	w.Response(st, 200, "text/event-stream", nil)
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	frame := func(typ, data string) {
		at = at.Add(time.Millisecond)
		w.Frame(st, api.Frame{Event: typ, Data: data, At: at})
	}
	frame("execution_start", `{"type":"execution_start","executionId":"exec_1","seq":0,"kind":"agent"}`)
	frame("text_start", `{"type":"text_start","executionId":"exec_1","seq":1,"id":"text_1"}`)
	for range 3000 {
		frame("text_delta", `{"type":"text_delta","executionId":"exec_1","seq":2,"id":"text_1","delta":"word "}`)
	}
	frame("await", `{"type":"await","executionId":"exec_1","seq":3,"toolCallId":"call_1","toolName":"lookup","parameters":{"q":1}}`)
	w.End(st, record.EndPaused, nil)
	w.Close()
	drafts := record.DraftsPath(path)
	if err := record.SaveDrafts(drafts, record.Drafts{Calls: map[string]record.DraftEntry{
		"call_1": {ExecutionID: "exec_1", ToolName: "lookup", State: "valid", Text: `{"ok":true}`}}}); err != nil {
		t.Fatal(err)
	}

	p, err := model.LoadPlayer(path)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.Load(0)
	if !p.Loading() {
		t.Skip("the recording loaded at once: nothing to see loading")
	}
	var snap ui.Snapshot
	m := ui.New(ui.Options{Player: p, Keys: keys(), Live: true, DraftsPath: drafts, Client: api.NewClient("http://127.0.0.1:1", "k"),
		Observe: func(s ui.Snapshot) { snap = s }})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	if !strings.Contains(snap.Screen, "loading") {
		t.Errorf("the status does not say it is loading:\n%s", snap.Screen)
	}
	press(m, "]")
	if !strings.Contains(snap.Message, "still loading") {
		t.Errorf("] while loading: message %q", snap.Message)
	}
	press(m, "R")
	if !strings.Contains(snap.Message, "while the recording loads") {
		t.Errorf("R while loading: message %q", snap.Message)
	}
	cmd := m.LoadRest()
	for p.Loading() {
		_, cmd = m.Update(cmd())
	}
	if snap.State != api.RunPaused || snap.Pending != 1 || snap.Answered != 1 {
		t.Errorf("loaded: state %s, %d pending, %d answered; want paused, 1, 1 (the draft restored)", snap.State, snap.Pending, snap.Answered)
	}
	if !strings.Contains(snap.Message, "restored") {
		t.Errorf("loaded: message %q, want the drafts restored", snap.Message)
	}
	if cmd == nil {
		t.Fatal("no command to learn the recording's answers")
	}
	m.Update(cmd())
	press(m, "R")
	if snap.Overlay != "preview" {
		t.Errorf("R once loaded (live, paused): overlay %q, message %q; want the resume preview", snap.Overlay, snap.Message)
	}
	if _, err := os.Stat(drafts); err != nil {
		t.Error(err)
	}
}
