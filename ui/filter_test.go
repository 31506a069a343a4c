package ui

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	sse "github.com/tmaxmax/go-sse"

	"rtinspect/api"
	"rtinspect/model"
	"rtinspect/model/filter"
)

// filterModel is an inspector at w x h on the parallel-pause fixture
// (request, execution start, turn, text, two add_to_cart tool calls, their
// two awaits, stream end), the events pane focused.
func filterModel(t *testing.T, w, h int) *Model {
	t.Helper()
	f, err := os.Open("../testdata/parallel-pause.sse")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	base := time.Date(2026, 6, 20, 10, 5, 0, 0, time.UTC)
	clock := base
	s := model.NewSession()
	s.Now = func() time.Time { return clock }
	if err := s.Begin(api.Request{Method: "POST", Path: api.PathDispatch, Body: []byte(`{"agent":{}}`)}); err != nil {
		t.Fatal(err)
	}
	s.StreamOpened()
	dec := api.NewDecoder()
	for ev, err := range sse.Read(f, nil) {
		if err != nil {
			t.Fatal(err)
		}
		clock = clock.Add(40 * time.Millisecond)
		s.ApplyBatch(dec.Decode(nil, api.Frame{Event: ev.Type, Data: ev.Data, At: clock}))
	}
	s.EndStream(nil)
	m := New(Options{Session: s, Keys: benchKeys(), TempDir: t.TempDir(),
		Now: func() time.Time { return base.Add(time.Hour) }})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	m.focus = paneEvents
	return m
}

// typeKeys sends each rune of s as a key press.
func typeKeys(m *Model, s string) {
	for _, r := range s {
		m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func pressCode(m *Model, code rune) { m.Update(tea.KeyPressMsg{Code: code}) }

// shownRows is the kind and title of every row the events pane lists.
func shownRows(m *Model) []string {
	var out []string
	for i := 0; i < m.visibleCount(); i++ {
		r := m.s.Row(m.rowAt(i))
		out = append(out, r.Title)
	}
	return out
}

func TestFilterValidatedAsTyped(t *testing.T) {
	m := filterModel(t, 100, 30)
	typeKeys(m, "/")
	if m.overlay != overlayInput || m.inputPurpose != inputFilter {
		t.Fatalf("/ did not open the filter input")
	}
	// Every keystroke re-parses: "tol" is a word, "tol:" names a field
	// that does not exist.
	typeKeys(m, "tol")
	if m.msgErr || !strings.Contains(m.msg, "of 9 rows match") {
		t.Errorf("after %q the status says %q (error %v), want a count", "tol", m.msg, m.msgErr)
	}
	typeKeys(m, ":")
	want := `filter: unknown field "tol" at 1 — fields: type tool id exec text status`
	if !m.msgErr || m.msg != want {
		t.Errorf("after %q the status says %q (error %v), want %q", "tol:", m.msg, m.msgErr, want)
	}
	if !strings.Contains(ansi.Strip(m.View().Content), want) {
		t.Errorf("the error is not on screen:\n%s", ansi.Strip(m.View().Content))
	}
	// Enter refuses it and keeps the input open on what was typed.
	pressCode(m, tea.KeyEnter)
	if m.overlay != overlayInput || m.input.Value() != "tol:" || m.filter != "" {
		t.Fatalf("enter on an invalid filter: overlay %v, input %q, filter %q", m.overlay, m.input.Value(), m.filter)
	}
	if !m.msgErr || !strings.Contains(m.msg, "unknown field") {
		t.Errorf("enter on an invalid filter says %q", m.msg)
	}
	for range 4 {
		pressCode(m, tea.KeyBackspace)
	}
	typeKeys(m, `tool:add_to_cart !type:await text:"`)
	if !m.msgErr || !strings.Contains(m.msg, "unclosed quote at 35") {
		t.Errorf("an open quote says %q", m.msg)
	}
	typeKeys(m, `SHOE-00[17]"`)
	if m.msgErr || m.msg != "filter: 2 of 9 rows match (enter applies)" {
		t.Errorf("a valid filter says %q", m.msg)
	}
	pressCode(m, tea.KeyEnter)
	if m.overlay != overlayNone {
		t.Fatalf("enter on a valid filter left the input open")
	}
	if got := strings.Join(shownRows(m), ", "); got != "tool add_to_cart, tool add_to_cart" {
		t.Errorf("the filter shows %s", got)
	}
	title := m.eventsTitle()
	if !strings.Contains(title, `Events 2/9 · filter tool:add_to_cart !type:await text:"SHOE-00[17]"`) {
		t.Errorf("events title %q", title)
	}
}

func TestFilterEscKeepsThePreviousFilter(t *testing.T) {
	m := filterModel(t, 100, 30)
	m.setFilter("type:await")
	typeKeys(m, "/")
	if m.input.Value() != "type:await" {
		t.Errorf("the input opens on %q, want the filter in place", m.input.Value())
	}
	typeKeys(m, " tol:x")
	if !m.msgErr {
		t.Fatalf("tol:x is not an error: %q", m.msg)
	}
	pressCode(m, tea.KeyEscape)
	if m.overlay != overlayNone || m.filter != "type:await" || len(m.filtered) != 2 {
		t.Errorf("esc: overlay %v, filter %q, %d rows; want the previous filter", m.overlay, m.filter, len(m.filtered))
	}
	if m.msgErr {
		t.Errorf("after esc the status still shows an error: %q", m.msg)
	}
	// esc in the events pane clears the filter.
	pressCode(m, tea.KeyEscape)
	if m.filter != "" || m.filtered != nil || m.visibleCount() != 9 {
		t.Errorf("esc did not clear the filter: %q, %d rows", m.filter, m.visibleCount())
	}
	// An empty input clears it too.
	m.setFilter("error")
	typeKeys(m, "/")
	m.input.SetValue("  ")
	pressCode(m, tea.KeyEnter)
	if m.filter != "" || m.filtered != nil {
		t.Errorf("an empty filter left %q", m.filter)
	}
}

func TestFilterTerms(t *testing.T) {
	m := filterModel(t, 100, 30)
	cases := []struct{ expr, want string }{
		{"type:tool", "tool add_to_cart, tool add_to_cart"},
		{"type:turn_start", "turn 1 assistant"},
		{"type:request", "request"},
		{"tool:add_to_cart", "tool add_to_cart, tool add_to_cart, await add_to_cart, await add_to_cart"},
		{"pending", "tool add_to_cart, tool add_to_cart, await add_to_cart, await add_to_cart"},
		{"pending !type:tool", "await add_to_cart, await add_to_cart"},
		{"id:call_Q2", "tool add_to_cart, await add_to_cart"},
		{"exec:virtual", "await add_to_cart, await add_to_cart"},
		{"status:paused", "execution start, turn 1 assistant, stream end"},
		{"text:both", "text"},
		{`"Adding both"`, "text"},
		{"adding", "text"},
		{"ADDING", ""},
		{"error", ""},
		{"!type:tool !type:await !pending !text", "request, execution start, turn 1 assistant, stream end"},
	}
	for _, tc := range cases {
		m.setFilter(tc.expr)
		if got := strings.Join(shownRows(m), ", "); got != tc.want {
			t.Errorf("%s shows [%s], want [%s]", tc.expr, got, tc.want)
		}
	}
	// What the filter sees of a row.
	for i := 0; i < m.s.RowCount(); i++ {
		if m.s.Row(i).Kind != model.RowTool {
			continue
		}
		it := m.rowItem(i)
		if it.Kind != "tool" || it.Type != "tool_start" || it.Tool != "add_to_cart" || it.Title != "tool add_to_cart" ||
			strings.Join(it.IDs, " ") != "call_Q1 exec_dfa82c9d" || it.ExecutionID != "exec_dfa82c9d" ||
			it.Status != "waiting" || !it.Pending || it.Error || !strings.Contains(it.Text, `"sku":"SHOE-001"`) {
			t.Errorf("rowItem of the first tool row = %+v", it)
		}
		break
	}
	// A program that sets an invalid filter changes nothing.
	m.setFilter("type:tool")
	m.setFilter("tol:x")
	if m.filter != "type:tool" || !m.msgErr {
		t.Errorf("an invalid setFilter: filter %q, message %q", m.filter, m.msg)
	}
}

// TestFilterFollowsTheStream checks the incremental filter: new rows are
// tested as they come, and a row tested while its state could still
// change (a running tool, a waiting await) is tested again when it does.
func TestFilterFollowsTheStream(t *testing.T) {
	m := filterModel(t, 100, 30)
	m.setFilter("error")
	if len(m.filtered) != 0 {
		t.Fatalf("error matches %v before any failure", shownRows(m))
	}
	m.setFilter("pending")
	if len(m.filtered) != 4 {
		t.Fatalf("pending shows %v", shownRows(m))
	}
	// The resume is sent and its stream opens: the awaits are answered
	// and leave the pending filter; the tool calls, still waiting for
	// their completion, stay.
	body := `{"executionId":"virtual_1781574599723_gljgv7bqa","toolOutputs":{"call_Q1":{"ok":true},"call_Q2":{"ok":true}}}`
	if err := m.s.Begin(api.Request{Method: "POST", Path: api.PathResume, Body: []byte(body)}); err != nil {
		t.Fatal(err)
	}
	m.afterRowsChanged()
	m.s.StreamOpened()
	m.afterRowsChanged()
	if got := strings.Join(shownRows(m), ", "); got != "tool add_to_cart, tool add_to_cart" {
		t.Errorf("after the resume pending shows [%s]", got)
	}
	dec := api.NewDecoder()
	apply := func(data string) {
		m.s.ApplyBatch(dec.Decode(nil, api.Frame{Data: data, At: time.Date(2026, 6, 20, 10, 6, 0, 0, time.UTC)}))
		m.afterRowsChanged()
	}
	apply(`{"type":"tool_complete","executionId":"exec_dfa82c9d","toolCallId":"call_Q1","toolName":"add_to_cart","success":true,"result":{"ok":true}}`)
	if got := strings.Join(shownRows(m), ", "); got != "tool add_to_cart" {
		t.Errorf("after call_Q1 completed pending shows [%s]", got)
	}

	// error: a tool that fails after other rows came is found.
	m.setFilter("error")
	apply(`{"type":"tool_start","executionId":"exec_dfa82c9d","toolCallId":"call_S1","toolName":"search_products","parameters":{"q":"shoes"}}`)
	apply(`{"type":"text_delta","executionId":"exec_dfa82c9d","id":"text_2","delta":"Searching"}`)
	if len(m.filtered) != 0 {
		t.Fatalf("error shows %v before the failure", shownRows(m))
	}
	apply(`{"type":"tool_complete","executionId":"exec_dfa82c9d","toolCallId":"call_S1","toolName":"search_products","success":false,"error":"timeout"}`)
	if got := strings.Join(shownRows(m), ", "); got != "tool search_products" {
		t.Errorf("after the failure error shows [%s]", got)
	}
	apply(`{"type":"error","executionId":"exec_dfa82c9d","error":"rate limited","code":"429"}`)
	if got := strings.Join(shownRows(m), ", "); got != "tool search_products, error" {
		t.Errorf("after an error event error shows [%s]", got)
	}

	// A text row grows in place: a word that comes in a later delta
	// finds it.
	m.setFilter("text:shoes")
	if len(m.filtered) != 1 {
		t.Fatalf("text:shoes shows %v", shownRows(m))
	}
	apply(`{"type":"text_delta","executionId":"exec_dfa82c9d","id":"text_2","delta":" for shoes"}`)
	if got := strings.Join(shownRows(m), ", "); got != "tool search_products, text" {
		t.Errorf("after the delta text:shoes shows [%s]", got)
	}
	// What a batch tests is bounded: the items that may still change.
	if len(m.filterLive) > liveLimit {
		t.Errorf("%d live items", len(m.filterLive))
	}
}

// TestFilterLiveItemsAreBounded streams a long text in the flat view,
// where each delta is an item whose row is still streaming.
func TestFilterLiveItemsAreBounded(t *testing.T) {
	m := filterModel(t, 100, 30)
	m.flat = true
	m.setFilter("type:text_delta")
	before := len(m.filtered)
	dec := api.NewDecoder()
	for i := range 2 * liveLimit {
		data := `{"type":"text_delta","executionId":"e","id":"text_9","delta":"w` + strconv.Itoa(i) + ` "}`
		m.s.ApplyBatch(dec.Decode(nil, api.Frame{Data: data}))
		m.afterRowsChanged()
	}
	if got := len(m.filtered) - before; got != 2*liveLimit {
		t.Errorf("the flat filter gained %d deltas, want %d", got, 2*liveLimit)
	}
	if len(m.filterLive) != liveLimit {
		t.Errorf("%d live items, want the bound %d", len(m.filterLive), liveLimit)
	}
}

func TestFilterFlatView(t *testing.T) {
	m := filterModel(t, 100, 30)
	m.flat = true
	m.setFilter("type:tool_input_complete")
	if len(m.filtered) != 2 {
		t.Errorf("type:tool_input_complete in the flat view shows %d events, want 2", len(m.filtered))
	}
	m.setFilter("type:tool")
	if len(m.filtered) != 4 {
		t.Errorf("type:tool in the flat view shows %d events, want 4 (2 starts, 2 input completes)", len(m.filtered))
	}
	if !strings.Contains(m.eventsTitle(), "Events 4/") {
		t.Errorf("events title %q", m.eventsTitle())
	}
}

func TestFilterHighlightsMatches(t *testing.T) {
	m := filterModel(t, 100, 30)
	row := func() (string, string) {
		k := newInks(&m.th)
		for i := 0; i < m.s.RowCount(); i++ {
			if r := m.s.Row(i); r.Kind == model.RowTool {
				return m.rowLine(k, r, m.s.Row(0).At, 90)
			}
		}
		t.Fatal("no tool row")
		return "", ""
	}
	_, plainBefore := row()
	m.setFilter(`cart text:"SHOE-00."`)
	line, plain := row()
	if plain != plainBefore {
		t.Errorf("highlighting changed the plain line:\n%q\n%q", plainBefore, plain)
	}
	u := matchInk()
	for _, want := range []string{"cart", "SHOE-001"} {
		if !strings.Contains(line, u.render(want)) {
			t.Errorf("%q is not highlighted in %q", want, line)
		}
	}
	if got := ansi.Strip(line); got != plain {
		t.Errorf("the line without colours %q, want %q", got, plain)
	}
	if m.filterPattern() == nil || !m.filterPattern().MatchString("add_to_CART") {
		t.Errorf("filterPattern %v", m.filterPattern())
	}
	m.setFilter("type:tool")
	if m.filterPattern() != nil {
		t.Errorf("a filter without text terms has the pattern %v", m.filterPattern())
	}
	m.setFilter("")
	if m.filterPattern() != nil {
		t.Errorf("no filter has the pattern %v", m.filterPattern())
	}
}

// TestFilterTestsRowsWithoutAllocating pins the cost the incremental
// filter relies on.
func TestFilterTestsRowsWithoutAllocating(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	m := filterModel(t, 100, 30)
	m.setFilter(`tool:add !error id:call text:"sku" shoe`)
	n := m.s.RowCount()
	if allocs := testing.AllocsPerRun(50, func() {
		for i := range n {
			m.itemMatches(i)
		}
	}); allocs != 0 {
		t.Errorf("testing %d rows allocates %v times", n, allocs)
	}
}

// BenchmarkViewFiltered times View() in BenchmarkView's middle state under
// a filter whose terms match in most visible rows, so every line is
// highlighted, against the same screen with nothing to highlight (the
// expression swapped, after filtering, for one without text terms). The
// two alternate frame by frame, as in BenchmarkView, so "x-plain", what
// highlighting costs, is a ratio measured in one run on a busy machine.
//
//	go test ./ui -run '^$' -bench ViewFiltered
func BenchmarkViewFiltered(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			filtered := func(highlight bool) *Model {
				m := benchModel(b, n, "middle").m
				m.setFilter(`order text:"refund|O-1"`)
				if !highlight {
					e, err := filter.Parse("!zzz")
					if err != nil {
						b.Fatal(err)
					}
					m.filterExpr = e
				}
				m.follow = false
				m.evSel = m.visibleCount() / 2
				m.clampEvents()
				m.View()
				return m
			}
			plain, hl := filtered(false), filtered(true)
			timed := func(m *Model) time.Duration {
				t := time.Now()
				m.View()
				return time.Since(t)
			}
			var plainT, hlT time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if i%2 == 0 {
					plainT += timed(plain)
					hlT += timed(hl)
				} else {
					hlT += timed(hl)
					plainT += timed(plain)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(hlT.Nanoseconds())/float64(b.N), "ns/op")
			b.ReportMetric(float64(plainT.Nanoseconds())/float64(b.N), "plain-ns/frame")
			b.ReportMetric(float64(hlT)/float64(max(plainT, 1)), "x-plain")
		})
	}
}

// TestFilterErrorIsWhatFailed checks that error finds the rows that report
// a failure, not the rows a failed run left "failed" on its way out.
func TestFilterErrorIsWhatFailed(t *testing.T) {
	s := model.NewSession()
	if err := s.Begin(api.Request{Method: "POST", Path: api.PathDispatch, Body: []byte(`{"flow":{}}`)}); err != nil {
		t.Fatal(err)
	}
	s.StreamOpened()
	dec := api.NewDecoder()
	for _, data := range []string{
		`{"type":"execution_start","executionId":"e1","kind":"flow"}`,
		`{"type":"step_start","executionId":"e1","id":"s1","name":"Prompt 1"}`,
		`{"type":"text_delta","executionId":"e1","id":"t1","delta":"Drafting"}`,
		`{"type":"execution_error","executionId":"e1","error":"overloaded"}`,
	} {
		s.ApplyBatch(dec.Decode(nil, api.Frame{Data: data}))
	}
	s.EndStream(nil)
	m := New(Options{Session: s, Keys: benchKeys(), TempDir: t.TempDir()})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.setFilter("error")
	if got := strings.Join(shownRows(m), ", "); got != "execution error, stream end" {
		t.Errorf("error shows [%s]", got)
	}
	m.setFilter("status:failed")
	if got := strings.Join(shownRows(m), ", "); got != "execution start, step Prompt 1, text, execution error, stream end" {
		t.Errorf("status:failed shows [%s]", got)
	}
	m.setFilter("status:failed !error")
	if !strings.Contains(ansi.Strip(m.View().Content), "step") {
		t.Errorf("the screen does not show the filtered rows")
	}
	m.setFilter("type:await")
	if got := ansi.Strip(m.View().Content); !strings.Contains(got, "no rows match the filter (esc clears it)") {
		t.Errorf("an empty filtered pane does not say so:\n%s", got)
	}
}

// TestFilterOfALargeLogIsSliced filters the flat view of 200,000 events:
// the filter may be tested a slice at a time (how many depends on the
// clock), but once every filterMoreMsg has been handled the result is the
// same as testing every event in one go, and the message gives the count.
func TestFilterOfALargeLogIsSliced(t *testing.T) {
	s := benchSession(200000)
	m := lookModel(t, s, 120, 40, Options{})
	m.flat = true
	m.setFilter("type:text_delta")
	slices := 1
	for m.filterBehind {
		slices++
		if !strings.Contains(m.msg, "searched") {
			t.Fatalf("a filter still searching says %q", m.msg)
		}
		m.Update(filterMoreMsg{})
	}
	want := 0
	for i := range s.EventCount() {
		if s.Event(i).Type == "text_delta" {
			want++
		}
	}
	if len(m.filtered) != want || m.checked != s.EventCount() {
		t.Fatalf("filtered %d of %d checked, want %d of %d", len(m.filtered), m.checked, want, s.EventCount())
	}
	if !strings.Contains(m.msg, thousands(want)+" of "+thousands(s.EventCount())) {
		t.Errorf("the message does not give the count: %q", m.msg)
	}
	if m.evSel != len(m.filtered)-1 {
		t.Errorf("selection %d, want the last match %d", m.evSel, len(m.filtered)-1)
	}
	t.Logf("%d events filtered in %d slice(s)", s.EventCount(), slices)
}
