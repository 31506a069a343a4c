package bench

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"rtinspect/api"
	"rtinspect/model"
	"rtinspect/ui"
)

// streamAt serves one SSE stream of text blocks at rate events a second
// (0: a short stream that then stays open and silent), until the client
// goes away.
func streamAt(rate int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fl := w.(http.Flusher)
		fmt.Fprint(w, "event: execution_start\ndata: {\"type\":\"execution_start\",\"executionId\":\"exec_r\",\"kind\":\"agent\"}\n\n")
		seq, block := 0, 0
		frame := func() {
			// Blocks of 50 deltas, so rows are added as well as grown.
			if seq%50 == 0 {
				block++
				fmt.Fprintf(w, "data: {\"type\":\"text_start\",\"executionId\":\"exec_r\",\"id\":\"t%d\",\"seq\":%d}\n\n", block, seq)
			}
			fmt.Fprintf(w, "data: {\"type\":\"text_delta\",\"executionId\":\"exec_r\",\"id\":\"t%d\",\"seq\":%d,\"delta\":\"word %d \"}\n\n", block, seq, seq)
			seq++
		}
		if rate == 0 {
			for range 200 {
				frame()
			}
			fl.Flush()
			<-r.Context().Done()
			return
		}
		// A tick every 5 ms carries rate/200 frames: the rate is held on
		// average without a timer per event.
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		start := time.Now()
		for {
			select {
			case <-r.Context().Done():
				return
			case now := <-tick.C:
				due := int(now.Sub(start).Seconds() * float64(rate))
				for seq < due {
					frame()
				}
				fl.Flush()
			}
		}
	}
}

// probe wraps the inspector to time a key press to the frame that shows
// it: Update marks the press handled, the next View draws its effect, and
// the renderer's next write after that puts the frame on the terminal.
type probe struct {
	*ui.Model
	mu      sync.Mutex
	handled bool
	drawn   bool
	shown   chan time.Time
}

func (p *probe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := p.Model.Update(msg)
	if _, ok := msg.(tea.KeyPressMsg); ok {
		p.mu.Lock()
		p.handled = true
		p.mu.Unlock()
	}
	return p, cmd
}

func (p *probe) View() tea.View {
	v := p.Model.View()
	p.mu.Lock()
	if p.handled {
		p.handled, p.drawn = false, true
	}
	p.mu.Unlock()
	return v
}

// Write is the terminal: the first write after the effect was drawn is the
// frame that shows it.
func (p *probe) Write(b []byte) (int, error) {
	p.mu.Lock()
	if p.drawn {
		p.drawn = false
		select {
		case p.shown <- time.Now():
		default:
		}
	}
	p.mu.Unlock()
	return len(b), nil
}

// keyLatencies runs the real program (the real client, pump, Update and
// renderer, output to a counting writer) against a stream at rate events
// a second, presses k and j alternately presses times, and returns the
// time from each press to the frame that shows it.
func keyLatencies(tb testing.TB, rate, presses int) []time.Duration {
	srv := httptest.NewServer(streamAt(rate))
	defer srv.Close()
	client := api.NewClient(srv.URL, "")
	req, err := client.DispatchRequest([]byte(`{"agent":{"agentId":"agent_r"},"messages":[]}`))
	if err != nil {
		tb.Fatal(err)
	}
	p := &probe{Model: ui.New(ui.Options{Client: client, Session: model.NewSession(), Keys: keys(), Dispatch: &req, Title: "bench"}),
		shown: make(chan time.Time, 1)}
	prog := tea.NewProgram(p, tea.WithInput(nil), tea.WithOutput(p), tea.WithWindowSize(120, 40))
	done := make(chan error, 1)
	go func() { _, err := prog.Run(); done <- err }()
	defer func() {
		prog.Quit()
		<-done
		p.Model.Close() // cancels the stream, so the server can close
	}()
	// Let the stream get going before the first press.
	for p.Session().EventCount() < 100 {
		time.Sleep(time.Millisecond)
	}
	lat := make([]time.Duration, 0, presses)
	for i := range presses {
		k := "k"
		if i%2 == 1 {
			k = "j"
		}
		sent := time.Now()
		prog.Send(tea.KeyPressMsg{Code: rune(k[0]), Text: k})
		select {
		case at := <-p.shown:
			lat = append(lat, at.Sub(sent))
		case <-time.After(5 * time.Second):
			tb.Fatalf("press %d: no frame within 5s", i)
		}
		// Presses at a typist's pace, not as fast as the loop can go.
		time.Sleep(20 * time.Millisecond)
	}
	if rate > 0 && p.Session().EventCount() < rate/2 {
		tb.Fatalf("only %d events arrived: the stream did not keep its rate", p.Session().EventCount())
	}
	return lat
}

func percentile(d []time.Duration, q float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*q))]
}

// BenchmarkResponsiveness is the time from a key press to the frame that
// shows its effect, at the 50th and 99th percentile, while 20,000 events a
// second stream in, against the same with an idle stream (the baseline:
// what the renderer's 60 frames a second alone cost). Target: p99 under
// 50 ms.
func BenchmarkResponsiveness(b *testing.B) {
	const presses = 200
	for range b.N {
		idle := keyLatencies(b, 0, presses)
		load := keyLatencies(b, 20000, presses)
		b.ReportMetric(float64(percentile(load, 0.5).Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(percentile(load, 0.99).Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(percentile(idle, 0.99).Microseconds())/1000, "idle-p99-ms")
		b.ReportMetric(float64(percentile(load, 0.99))/float64(percentile(idle, 0.99)), "p99/idle")
	}
}

var _ io.Writer = (*probe)(nil)
