package bench

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"rtinspect/api"
	"rtinspect/api/record"
)

// longWords is the text the simulated long scenario cycles through.
var longWords = strings.Fields(`The trail left the valley floor in a long switchback, climbing through
larch and granite while the afternoon light slid down the far ridge. Every turn
showed the same river from a little higher, smaller and quieter, until it was
only a bright thread stitched between the trees.`)

// writeLongRecording writes, with record.Create, the recording of a
// `long` scenario run of n text deltas over the unified vocabulary, frame
// for frame as the simulated server sends it (execution_start, turn_start,
// text_start, n text_delta, text_complete, turn_complete,
// execution_complete): n+6 frames. Frames are 20 µs apart, from now.
func writeLongRecording(path string, n int) error {
	w, err := record.Create(path, record.Header{BaseURL: "http://127.0.0.1:8787", Command: "dispatch"})
	if err != nil {
		return err
	}
	defer w.Close()
	body := fmt.Sprintf(`{"agent":{"name":"Story Assistant"},"messages":[{"role":"user","content":"Tell me a long story"}],"metadata":{"scenario":"long","deltas":%d},"options":{"streamResponse":true}}`, n)
	st := w.Request(api.Request{Method: "POST", Path: api.PathDispatch, Query: "events=unified", Body: []byte(body)})
	w.Response(st, 200, "text/event-stream", nil)
	at := time.Now()
	exec := "exec_0123456789abcdef"
	seq := 0
	frame := func(typ string, fields string) {
		data := fmt.Sprintf(`{"type":%q,"executionId":%q,"seq":%d%s}`, typ, exec, seq, fields)
		seq++
		at = at.Add(20 * time.Microsecond)
		w.Frame(st, api.Frame{Event: typ, Data: data, At: at})
	}
	frame("execution_start", `,"kind":"agent","agentId":"agent_01story","agentName":"Story Assistant","maxTurns":1,"startedAt":"2026-01-02T03:04:05.000Z"`)
	frame("turn_start", `,"id":"turn_1","iteration":1,"turnIndex":0,"role":"assistant"`)
	frame("text_start", `,"id":"text_1","role":"assistant"`)
	for i := range n {
		d, _ := json.Marshal(longWords[i%len(longWords)] + " ")
		frame("text_delta", `,"id":"text_1","delta":`+string(d))
	}
	frame("text_complete", `,"id":"text_1"`)
	frame("turn_complete", fmt.Sprintf(`,"id":"turn_1","iteration":1,"role":"assistant","tokens":{"input":1920,"output":%d},"cost":0.3,"stopReason":"end_turn","completedAt":"2026-01-02T03:04:25.000Z"`, n))
	frame("execution_complete", `,"kind":"agent","success":true,"durationMs":20000,"iterations":1,"stopReason":"end_turn","completedAt":"2026-01-02T03:04:25.000Z"`)
	w.End(st, record.EndCompleted, nil)
	return w.Err()
}
