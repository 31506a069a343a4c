package ui

import (
	"context"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"rtinspect/api"
)

// Messages produced by a stream. Each carries the generation of the stream
// that produced it, so a message from a stream the user has since replaced
// or cancelled is ignored instead of corrupting the session.
type (
	// streamBatchMsg carries every event decoded since the last batch, and
	// whether the stream has opened or ended in the meantime. The end travels
	// in the same message as the last events (in band), so it can never
	// overtake them.
	streamBatchMsg struct {
		gen    int
		opened bool
		events []api.Event
		// stream is the recording's number for this exchange (0 when not
		// recorded).
		stream int
		ended  bool
		// failed is set when the request failed before any stream (an HTTP
		// error or a network error); err is the stream's end error otherwise.
		failed bool
		err    error
	}
)

// pump carries one stream's decoded events from its goroutine to the UI.
//
// The producer appends under a lock and pokes a one-slot notify channel; the
// UI's wait command takes everything buffered in one go. Under load this
// batches thousands of frames into one message per frame drawn, instead of
// one message per frame received, and when the stream is quiet every event
// is delivered at once (no timer, nothing stuck in a half-full batch).
type pump struct {
	gen    int
	notify chan struct{}

	mu     sync.Mutex
	last   time.Time // when the stream last delivered anything
	stream int
	buf    []api.Event
	opened bool
	ended  bool
	failed bool
	err    error
}

func newPump(gen int) *pump {
	return &pump{gen: gen, notify: make(chan struct{}, 1), last: time.Now()}
}

// quietFor is how long the stream has delivered nothing.
func (p *pump) quietFor(now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return now.Sub(p.last)
}

func (p *pump) poke() {
	select {
	case p.notify <- struct{}{}:
	default:
	}
}

// run sends req and decodes its stream until it ends. It never touches the
// UI model: everything it learns goes through the pump.
func (p *pump) run(ctx context.Context, client *api.Client, dec *api.Decoder, req api.Request) {
	stream, err := client.Send(ctx, req)
	if err != nil {
		p.mu.Lock()
		p.ended, p.failed, p.err = true, true, err
		p.mu.Unlock()
		p.poke()
		return
	}
	defer stream.Close()
	p.mu.Lock()
	p.opened = true
	p.stream = stream.Number()
	p.mu.Unlock()
	p.poke()

	var scratch []api.Event
	err = stream.Frames(func(f api.Frame) bool {
		p.mu.Lock()
		p.last = f.At
		p.mu.Unlock()
		scratch = dec.Decode(scratch[:0], f)
		if len(scratch) == 0 {
			return true
		}
		p.mu.Lock()
		p.buf = append(p.buf, scratch...)
		p.mu.Unlock()
		p.poke()
		return true
	})
	p.mu.Lock()
	p.ended, p.err = true, err
	p.mu.Unlock()
	p.poke()
}

// wait returns a command that blocks until the pump has something, then
// hands over all of it as one streamBatchMsg. Update re-arms it until the
// batch says the stream ended.
func (p *pump) wait() tea.Cmd {
	return func() tea.Msg {
		<-p.notify
		p.mu.Lock()
		defer p.mu.Unlock()
		msg := streamBatchMsg{gen: p.gen, opened: p.opened, events: p.buf, stream: p.stream, ended: p.ended, failed: p.failed, err: p.err}
		p.buf = nil
		p.opened = false
		return msg
	}
}
