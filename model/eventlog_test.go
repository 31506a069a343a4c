package model

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"rtinspect/api"
)

// TestEventLogCoversEveryEventField fails when api.Event or api.Frame gains
// a field the event log does not store: eventlog.go's encode and decode
// (strFields, jsonFields and the numbers), and onlyDeltaFields, must learn
// it, or the log would silently drop it.
func TestEventLogCoversEveryEventField(t *testing.T) {
	known := map[string]bool{
		// numbers, flags, pointers: encode / decode by hand
		"Vocab": true, "Known": true, "Synthetic": true, "Seq": true, "Iteration": true,
		"DurationMs": true, "Cost": true, "Success": true, "Recoverable": true, "Tokens": true,
		"Err": true, "Frame": true,
		// json.RawMessage: jsonFields
		"Data": true, "Parameters": true, "Result": true,
	}
	var ev api.Event
	for _, p := range strFields(&ev) {
		if p == nil {
			continue
		}
		v := reflect.ValueOf(&ev).Elem()
		for i := range v.NumField() {
			if v.Field(i).Kind() == reflect.String && v.Field(i).Addr().Interface() == p {
				known[v.Type().Field(i).Name] = true
			}
		}
	}
	et := reflect.TypeFor[api.Event]()
	for i := range et.NumField() {
		if f := et.Field(i); !known[f.Name] {
			t.Errorf("api.Event.%s (%s) is not stored by the event log: teach eventlog.go (encode, decode, onlyDeltaFields)", f.Name, f.Type)
		}
	}
	ft := reflect.TypeFor[api.Frame]()
	for i := range ft.NumField() {
		switch f := ft.Field(i); f.Name {
		case "Event", "ID", "Data", "At":
		default:
			t.Errorf("api.Frame.%s is not stored by the event log: teach eventlog.go", f.Name)
		}
	}
}

// TestEventLogRoundTrip folds streams of every kind and checks that
// Event(i) and Events() give back exactly the events folded (Frame.At
// without its monotonic reading), whether they were kept compactly or
// encoded.
func TestEventLogRoundTrip(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		paris = time.FixedZone("CEST", 2*3600)
	}
	fixture, err := os.ReadFile("../testdata/parallel-pause.sse")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		evs  []api.Event
		// compact is the least number of events that must be kept as
		// compact deltas (the test must exercise both paths).
		compact int
	}{
		{"recorded fixture", decodeSSE(t, string(fixture)), 0},
		{"unified agent run", benchEvents(mixAgent, 3000), 2000},
		{"legacy agent run", benchEvents(mixLegacy, 1000), 900},
		{"long answer", benchEvents(mixDeltas, 3000), 2900},
		{"legacy flow", decodeSSE(t, legacyFlowStream), 2},
		{"hand-made", handMadeEvents(paris), 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := make([]api.Event, len(tc.evs))
			copy(want, tc.evs)
			s := newTestSession()
			s.ApplyBatch(tc.evs)
			if got := s.EventCount(); got != len(want) {
				t.Fatalf("EventCount() = %d, want %d", got, len(want))
			}
			if got := compactEntries(s); got < tc.compact {
				t.Errorf("%d events kept compactly, want at least %d", got, tc.compact)
			}
			for i := range want {
				sameEvent(t, i, s.Event(i), &want[i])
			}
			all := s.Events()
			for i := range want {
				sameEvent(t, i, &all[i], &want[i])
			}
			if s.Event(0) != s.Event(0) {
				t.Errorf("Event(0) returns a new pointer each time")
			}
		})
	}
}

// TestEventLogBigFramesAndManyChunks stores frames bigger than an arena
// chunk's share and more bytes than one chunk, interleaved with deltas.
func TestEventLogBigFramesAndManyChunks(t *testing.T) {
	big := `{"type":"tool_complete","executionId":"x","toolCallId":"c1","toolName":"t","success":true,"result":"` + strings.Repeat("r", arenaChunk) + `"}`
	var evs []api.Event
	d := api.NewDecoder()
	for i := range 6000 {
		if i%1000 == 500 {
			evs = d.Decode(evs, api.Frame{Event: "tool_complete", Data: big, At: t0})
			continue
		}
		evs = d.Decode(evs, api.Frame{Event: "text_delta", Data: `{"type":"text_delta","executionId":"x","id":"text_1","delta":"` + strings.Repeat("w", i%200) + `"}`, At: t0.Add(time.Duration(i))})
	}
	want := make([]api.Event, len(evs))
	copy(want, evs)
	s := newTestSession()
	s.ApplyBatch(evs)
	if n := len(s.events.arena.sealed); n < 2 {
		t.Errorf("%d sealed arena chunks, want the test to fill several", n)
	}
	for i := range want {
		sameEvent(t, i, s.Event(i), &want[i])
	}
}

func sameEvent(t *testing.T, i int, got, want *api.Event) {
	t.Helper()
	if got == nil {
		t.Fatalf("Event(%d) = nil", i)
	}
	if !got.Frame.At.Equal(want.Frame.At) || got.Frame.At.Location().String() != want.Frame.At.Location().String() {
		t.Fatalf("event %d: Frame.At = %v, want %v", i, got.Frame.At, want.Frame.At)
	}
	g, w := *got, *want
	g.Frame.At, w.Frame.At = time.Time{}, time.Time{}
	if !reflect.DeepEqual(g, w) {
		gj, _ := json.Marshal(g)
		wj, _ := json.Marshal(w)
		t.Fatalf("event %d differs:\n got %s\nwant %s", i, gj, wj)
	}
}

func compactEntries(s *Session) int {
	n := 0
	for _, c := range s.events.ents {
		for i := range c {
			if c[i].kind != entEncoded {
				n++
			}
		}
	}
	return n
}

// decodeSSE decodes an SSE body (frames separated by blank lines).
func decodeSSE(t *testing.T, body string) []api.Event {
	t.Helper()
	d := api.NewDecoder()
	var evs []api.Event
	at := t0
	for _, block := range strings.Split(strings.TrimSpace(body), "\n\n") {
		var f api.Frame
		var data []string
		for _, line := range strings.Split(block, "\n") {
			switch {
			case strings.HasPrefix(line, "event: "):
				f.Event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "id: "):
				f.ID = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "data: "):
				data = append(data, strings.TrimPrefix(line, "data: "))
			}
		}
		f.Data = strings.Join(data, "\n")
		at = at.Add(time.Millisecond)
		f.At = at
		evs = d.Decode(evs, f)
	}
	return evs
}

// legacyFlowStream is a legacy flow: data-only frames, step deltas whose
// block ids the decoder mints, a nested flow's text, an ids line.
const legacyFlowStream = `data: {"type":"flow_start","executionId":"exec_f1","flowName":"Support"}

data: {"type":"step_start","id":"step_1","name":"Answer","executionType":"prompt"}

id: 41
data: {"type":"step_delta","id":"step_1","name":"Answer","executionType":"prompt","index":0,"text":"Hel","partId":"p1"}

id: 42
data: {"type":"step_delta","id":"step_1","name":"Answer","executionType":"prompt","index":0,"text":"lo","partId":"p1"}

data: {"type":"step_delta","id":"step_1","name":"Answer","executionType":"prompt","index":0,"text":" nested","partId":"p2","toolContext":{"toolId":"call_9","stepId":"step_1","executionId":"exec_f1"}}

data: {"type":"agent_media","executionId":"exec_f1","media":[{"type":"image","mediaType":"image/png","data":"iVBORw0KGgo="}]}

data: {"type":"step_complete","id":"step_1","success":true,"result":{"answer":"Hello nested"},"executionTime":12.5}

data: not json at all

data: {"type":"flow_complete","executionId":"exec_f1","success":true}`

// handMadeEvents are events no decoder makes: every optional field, odd
// times, Data that is not the frame's, deltas that cannot be compact.
func handMadeEvents(loc *time.Location) []api.Event {
	yes, no := true, false
	negZero := math.Copysign(0, -1)
	return []api.Event{
		e(api.TypeTextDelta, "x", id("t1"), delta("no frame at all")),
		e(api.TypeTextDelta, "x", id("t1"), delta("monotonic"), func(ev *api.Event) { ev.Frame.At = time.Now() }),
		e(api.TypeTextDelta, "y", id("t1"), delta("another exec, another zone"), func(ev *api.Event) {
			ev.Frame = api.Frame{Event: "message", ID: "7", Data: `{"d":1}`, At: t0.In(loc)}
			ev.Data = json.RawMessage(`{"d":1}`)
		}),
		e(api.TypeTextDelta, "x", id("t1"), delta("data not the frame's"), func(ev *api.Event) {
			ev.Frame.Data = `{"a":1}`
			ev.Data = json.RawMessage(`{"b":2}`)
		}),
		e(api.TypeTextDelta, "x", id("t1"), delta("empty data"), func(ev *api.Event) { ev.Data = json.RawMessage{} }),
		e(api.TypeTextDelta, "x", id("t1"), delta("huge seq"), func(ev *api.Event) { ev.Seq = 1 << 40 }),
		e(api.TypeTextDelta, "x", id("t1"), delta("synthetic"), func(ev *api.Event) { ev.Synthetic = true }),
		e(api.TypeReasoningDelta, "x", id("r1"), delta("thinking"), func(ev *api.Event) { ev.Known = false; ev.Vocab = api.VocabLegacy }),
		e(api.TypeToolComplete, "x", call("c1", "t"), func(ev *api.Event) {
			ev.Success, ev.Recoverable = &no, &yes
			ev.Tokens = &api.Tokens{Input: -3, Output: 1 << 40}
			ev.DurationMs, ev.Cost = negZero, 0.25
			ev.Parameters = json.RawMessage{}
			ev.Result = json.RawMessage(`"a result long enough to be looked up"`)
			ev.Frame = api.Frame{Data: `{"result":"a result long enough to be looked up"}`, At: time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC)}
			ev.Data = json.RawMessage(ev.Frame.Data)
			ev.Iteration = -2
			ev.Seq = -1 << 50
		}),
		{Type: api.TypeMalformed, Seq: -1, Frame: api.Frame{Data: "not json"}, Err: errors.New("data is not JSON")},
		e("brand_new_type", "x", func(ev *api.Event) {
			ev.Known = false
			ev.Text = strings.Repeat("é", 40)
			ev.Description = "\x00\xff binary"
			ev.Frame.At = t0.Add(time.Nanosecond)
		}),
	}
}
