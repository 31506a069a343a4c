// Package ui is the inspector's terminal interface, built on Bubble Tea v2:
// the events pane, the pending pane, the detail view, the resume preview,
// the status bar and the help overlay. It draws what package model holds and
// turns keys into actions that go back out through package api.
package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"rtinspect/api"
	"rtinspect/api/record"
	"rtinspect/model"
	"rtinspect/model/catalog"
	"rtinspect/model/filter"
	"rtinspect/model/rules"
)

// Grace is how old a pending item must be before a key that sends
// something may act on it, so a key typed ahead cannot answer a call the
// user has not seen yet.
const Grace = 500 * time.Millisecond

// Options configures the inspector.
type Options struct {
	// Client sends requests; it holds the base URL and the key.
	Client *api.Client
	// Session is the state the inspector shows and changes.
	Session *model.Session
	// Keys are the bindings (the program's defaultKeyMap).
	Keys KeyMap
	// Dispatch, when set, is sent as soon as the program starts.
	Dispatch *api.Request
	// Answers, when set, pre-fills drafts at every pause; the user still
	// reviews and sends the resume.
	Answers *model.Answers
	// Notice is shown in the status bar at start (for example what was
	// wrong with an opened recording).
	Notice string
	// Title names what is being inspected, e.g. "demo · parallel".
	Title string
	// TempDir is a private folder for editor files; "" makes one.
	TempDir string
	// Getenv reads the environment ($VISUAL, $EDITOR); nil means os.Getenv.
	Getenv func(string) string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Recording, when set, is the recording the client writes to; the UI
	// adds each stream's end and keeps the drafts beside it.
	Recording *record.Writer
	// RecordDir, when set, means the recording was named automatically in
	// that folder: it is renamed after the execution id once known.
	RecordDir string
	// DraftsPath overrides where unsent answers are kept (an opened
	// recording keeps them beside itself).
	DraftsPath string
	// Player, when set, shows a recorded session (rtinspect open).
	Player *model.Player
	// Live allows answering and resuming live from an opened recording
	// that ended paused (a server and key are configured).
	Live bool
	// StartRecording makes the recording for live continuations of an
	// opened session, on the first request sent.
	StartRecording func() (*record.Writer, error)
	// Replay, when set, answers every pause from a recording and compares
	// the new run with it at the end (rtinspect replay).
	Replay *Replay
	// Rules, when set, answer matching calls at every pause (after the
	// answers file).
	Rules *rules.Set
	// LastAnswers seeds the answers offered as stubs (per tool), for
	// example from a recording being opened or replayed.
	LastAnswers map[string]json.RawMessage
	// Catalog describes the tools: stubs from output schemas, answers
	// checked against them. nil means an empty catalog (JSONC still read).
	Catalog *catalog.Catalog
	// IdleWarn is how long a stream may be silent before the inspector
	// says it may be stalled (0: 30 seconds).
	IdleWarn time.Duration
	// Theme names the colours: "auto" or "" (dark or light, from the
	// terminal's background), "dark", "light", "low" (the 16 ANSI colours)
	// or "none" (no colour, as NO_COLOR asks).
	Theme string
	// NoMouse starts with mouse reporting off, so the terminal selects
	// text as usual (the Mouse key turns it on).
	NoMouse bool
	// Debug, when set, receives what the debug log (--debug-log) keeps of
	// the inspector itself: each editor run and its exit status, and the
	// state each stream leaves the run in (the api client logs the wire).
	// It is called from the program's goroutine and must not block.
	Debug func(kind, msg string, args ...any)
	// Observe, when set, is called after every Update with a snapshot of
	// what the screen shows. End-to-end tests use it to wait on conditions
	// instead of sleeping; it runs on the program's goroutine.
	Observe func(Snapshot)
}

// Snapshot is a summary of the inspector's state after an update.
type Snapshot struct {
	State     api.RunState
	Pending   int
	Answered  int
	Approvals int
	Rows      int
	// Overlay names what covers the panes: "", "detail", "help",
	// "preview", "input" or "picker" (the outline or the executions).
	Overlay string
	// Focus is "events" or "pending".
	Focus   string
	Message string
	IsError bool
	// Screen is the drawn screen without colours.
	Screen string
}

type pane int

const (
	paneEvents pane = iota
	panePending
)

type overlay int

const (
	overlayNone overlay = iota
	overlayDetail
	overlayHelp
	overlayPreview
	overlayInput
	overlayPicker // the outline or the executions list (picker.go)
)

type inputPurpose int

const (
	inputFilter inputPurpose = iota
	inputErrorReason
	inputDenyReason
	inputAnswerFile
)

// Model is the root Bubble Tea model of the inspector.
type Model struct {
	opts   Options
	keys   KeyMap
	th     theme
	s      *model.Session
	client *api.Client
	dec    *api.Decoder
	now    func() time.Time
	getenv func(string) string

	width, height int
	focus         pane
	overlay       overlay

	// events pane
	flat     bool // the flat view: one line per event, not per row
	evSel    int
	evTop    int
	follow   bool
	filter   string
	filtered []int // row indexes matching filter; nil when no filter
	checked  int   // rows already tested against the filter

	// the filter's parsed expression and its working state (filter.go)
	filterExpr *filter.Expr      // nil when no filter
	filterLive []int             // tested items whose state may still change
	fitem      filter.Item       // the item being tested, reused
	spans      [][2]int          // the matches being highlighted, reused
	hlCache    map[string]string // highlighted texts, by text (highlight)
	// filterBehind is set while items are left to test (a large log is
	// filtered a slice at a time); filterArmed while a filterMoreMsg is on
	// its way.
	filterBehind, filterArmed bool

	// pending pane
	pSel int

	// detail, help and preview share a scroller
	scroll      scroller
	detailTitle string
	detailRaw   bool
	detailRow   int    // row index shown, or -1
	detailCall  string // toolCallId shown, or ""
	det         detailView

	// preview: the requests that y/enter sends
	previewReqs    []api.Request
	previewBlocked string // why y/enter is refused ("" = may send)
	previewPartial bool   // ! sends the partial resume

	// input line
	input        textinput.Model
	inputPurpose inputPurpose
	inputTarget  string

	// streaming
	gen    int
	pump   *pump
	cancel context.CancelFunc
	queue  []api.Request

	msg    string
	msgErr bool
	// notice is Options.Notice (a broken config file, no recording): it
	// stays in the status bar over the start-up messages until a key is
	// pressed, so it cannot scroll away unread.
	notice string

	tempDir string

	// recording
	rec           *record.Writer
	named         bool
	started       time.Time
	recErrShown   bool
	draftErrShown bool
	exports       int

	// playback of an opened recording
	player   *model.Player
	playing  bool
	speedIdx int
	playGen  int

	// replay: the report once the new run ended
	replayReport string

	// answers
	catalog     *catalog.Catalog
	rulesCtx    context.Context // cancelled on quit: stops rule commands
	rulesStop   context.CancelFunc
	lastAnswers map[string]json.RawMessage // per tool, the last answer sent

	// side caches the wide layout's selection preview; it is rebuilt only
	// when the selection or the session changes.
	sideKey   string
	sideLines []string

	// pick is the open picker: the outline or the executions list.
	pick picker

	// look: the theme follows the terminal's background (Options.Theme
	// "auto"); the focused pane has the whole screen; mouse reporting is
	// off so the terminal can select text.
	autoTheme bool
	zoomed    bool
	mouseOff  bool
}

// New builds the inspector.
func New(opts Options) *Model {
	m := &Model{
		opts:         opts,
		keys:         opts.Keys,
		s:            opts.Session,
		client:       opts.Client,
		dec:          api.NewDecoder(),
		now:          opts.Now,
		getenv:       opts.Getenv,
		follow:       true,
		detailRow:    -1,
		tempDir:      opts.TempDir,
		input:        textinput.New(),
		width:        80,
		height:       24,
		inputPurpose: inputFilter,
	}
	if m.now == nil {
		m.now = time.Now
	}
	if m.getenv == nil {
		m.getenv = os.Getenv
	}
	m.rec = opts.Recording
	m.started = m.now()
	m.th, m.autoTheme = themeFor(opts.Theme, true)
	m.input.SetStyles(m.th.input)
	m.mouseOff = opts.NoMouse
	if opts.Notice != "" {
		m.setMsg(opts.Notice)
		m.notice = opts.Notice
	}
	if opts.Player != nil {
		m.player = opts.Player
		m.s = opts.Player.Session()
	} else {
		// Playback keys mean nothing on a live session: off, and out of
		// the help.
		m.keys.StepBack.SetEnabled(false)
		m.keys.StepForward.SetEnabled(false)
		m.keys.Play.SetEnabled(false)
		m.keys.Speed.SetEnabled(false)
	}
	if m.s == nil {
		m.s = model.NewSession()
	}
	m.catalog = opts.Catalog
	if m.catalog == nil {
		m.catalog = catalog.New()
	}
	m.lastAnswers = map[string]json.RawMessage{}
	for k, v := range opts.LastAnswers {
		m.lastAnswers[k] = v
	}
	m.rulesCtx, m.rulesStop = context.WithCancel(context.Background())
	m.s.SetChecker(m.catalog.Checker())
	if m.s.State() == api.RunPaused {
		m.focusFirstUnanswered()
	}
	return m
}

// Session returns the session the inspector works on.
func (m *Model) Session() *model.Session { return m.s }

// Init starts the dispatch, if there is one, and the folding of an opened
// recording that is still being read; with the "auto" theme it asks the
// terminal for its background colour (the answer is a
// tea.BackgroundColorMsg; until then the theme is dark).
func (m *Model) Init() tea.Cmd {
	var cmd tea.Cmd
	if m.opts.Dispatch != nil {
		cmd = m.send(*m.opts.Dispatch)
	} else {
		cmd = m.LoadRest()
	}
	if m.autoTheme {
		return tea.Batch(cmd, tea.RequestBackgroundColor)
	}
	return cmd
}

// Close cancels the stream in flight, if any, and removes the editor folder.
// The program calls it after Run returns.
func (m *Model) Close() {
	if m.cancel != nil {
		m.cancel()
	}
	if m.opts.TempDir == "" && m.tempDir != "" {
		os.RemoveAll(m.tempDir)
	}
}

// send starts one request and the stream that answers it.
func (m *Model) send(req api.Request) tea.Cmd {
	if why := m.readOnly(); why != "" {
		m.setErr(why)
		return nil
	}
	if m.player != nil {
		// The first live request leaves playback: from here on the session
		// goes on past the recording, into a new one that names it.
		if m.rec == nil && m.opts.StartRecording != nil {
			w, err := m.opts.StartRecording()
			if err != nil {
				m.setErr("cannot record the continuation: " + err.Error() + " (sending anyway)")
			} else {
				m.rec = w
				m.client.Recorder = w
			}
		}
		m.player, m.playing = nil, false
	}
	if err := m.s.Begin(req); err != nil {
		m.setErr(err.Error())
		return nil
	}
	if m.cancel != nil {
		m.cancel()
	}
	m.gen++
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	if m.gen > 1 {
		m.dec.NewStream()
	}
	p := newPump(m.gen)
	m.pump = p
	client, dec := m.client, m.dec
	m.setMsg(fmt.Sprintf("%s %s …", req.Method, req.Path))
	return tea.Batch(
		func() tea.Msg { p.run(ctx, client, dec, req); return nil },
		p.wait(),
		m.idleTick(),
	)
}

// Update handles one message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	model, cmd := m.update(msg)
	if m.filterBehind && !m.filterArmed {
		// The filter has items left to test: go on after whatever else
		// is waiting, so keys and frames get their turn between slices.
		m.filterArmed = true
		cmd = tea.Batch(cmd, func() tea.Msg { return filterMoreMsg{} })
	}
	if m.opts.Observe != nil {
		m.opts.Observe(m.snapshot())
	}
	return model, cmd
}

func (m *Model) snapshot() Snapshot {
	c := m.s.Counts()
	focus := "events"
	if m.focus == panePending {
		focus = "pending"
	}
	return Snapshot{
		State: m.s.State(), Pending: c.Pending, Answered: c.Answered, Approvals: c.Approvals, Rows: c.Rows,
		Overlay: [...]string{"", "detail", "help", "preview", "input", "picker"}[m.overlay],
		Focus:   focus, Message: m.statusMsg(), IsError: m.msgErr || m.notice != "",
		Screen: ansi.Strip(m.render()),
	}
}

func (m *Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.clampEvents()
		m.scroll.setHeight(m.mainHeight() - 2)
		if m.overlay == overlayHelp {
			m.openHelp() // its columns depend on the width
		} else {
			m.scroll.rewrap(m.scrollWidth())
		}
		return m, nil
	case streamBatchMsg:
		return m, m.handleBatch(msg)
	case filterMoreMsg:
		m.filterArmed = false
		m.filterMore()
		return m, nil
	case playTickMsg:
		return m, m.handlePlayTick(msg)
	case rulesDoneMsg:
		return m, m.handleRules(msg)
	case idleTickMsg:
		return m, m.handleIdle(msg)
	case editorFinishedMsg:
		m.handleEditor(msg)
		m.saveDrafts()
		return m, nil
	case tea.PasteMsg:
		if m.overlay == overlayInput {
			var cmd tea.Cmd
			m.input, cmd = m.input.Update(msg)
			if m.inputPurpose == inputFilter {
				m.validateFilterInput()
			}
			return m, cmd
		}
		return m, nil
	case tea.KeyPressMsg:
		m.notice = ""
		return m.handleKey(msg)
	case detailSavedMsg:
		m.handleDetailSaved(msg)
		return m, nil
	case tea.BackgroundColorMsg:
		m.setBackground(msg.IsDark())
		return m, nil
	case tea.MouseWheelMsg:
		m.handleWheel(msg)
		return m, nil
	case tea.MouseClickMsg:
		return m, m.handleClick(msg)
	}
	if m.overlay == overlayInput {
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(msg)
		return m, cmd
	}
	return m, nil
}

// graceTickMsg redraws the screen when fresh pending items come of age.
type graceTickMsg struct{}

// idleTickMsg checks, once a second, whether the stream has gone quiet.
type idleTickMsg struct{ gen int }

func (m *Model) idleTick() tea.Cmd {
	gen := m.gen
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return idleTickMsg{gen: gen} })
}

// handleIdle warns once the stream has been silent for longer than
// IdleWarn: the server may still be working (a long tool, a slow model), so
// nothing is cancelled; the user can cancel it.
func (m *Model) handleIdle(msg idleTickMsg) tea.Cmd {
	if msg.gen != m.gen || m.pump == nil {
		return nil
	}
	limit := m.opts.IdleWarn
	if limit <= 0 {
		limit = 30 * time.Second
	}
	if quiet := m.pump.quietFor(time.Now()); quiet >= limit {
		m.setErr(fmt.Sprintf("no data for %s: the stream may be stalled (the server may still be working); %s cancels it",
			quiet.Truncate(time.Second), m.keys.CancelStream.Help().Key))
	}
	return m.idleTick()
}

func (m *Model) handleBatch(msg streamBatchMsg) tea.Cmd {
	if msg.gen != m.gen {
		return nil // a stream the user has since replaced
	}
	if msg.opened {
		m.s.StreamOpened()
		m.setMsg("")
		m.saveDrafts() // what this continuation answered is no longer a draft
	}
	if len(msg.events) > 0 {
		m.s.ApplyBatch(msg.events)
		m.nameRecording()
	}
	m.afterRowsChanged()
	m.checkRecording()
	if !msg.ended {
		return m.rewait()
	}
	m.cancel, m.pump = nil, nil
	if msg.failed {
		m.s.RequestFailed(msg.err)
		m.setErr(describeErr(msg.err))
		m.queue = nil
		return nil
	}
	state := m.s.EndStream(msg.err)
	m.recordEnd(msg.stream, state, msg.err)
	if m.opts.Debug != nil {
		m.opts.Debug("run", "the run is "+state.String(), "state", state.String())
	}
	switch state {
	case api.RunPaused:
		if len(m.queue) > 0 {
			next := m.queue[0]
			m.queue = m.queue[1:]
			return m.send(next)
		}
		m.setMsg(m.pauseMessage())
		if m.opts.Replay != nil {
			if cmd := m.replayPause(); cmd != nil {
				return cmd
			}
		} else if m.opts.Answers != nil {
			if n, _ := m.s.ApplyAnswers(*m.opts.Answers); n > 0 {
				m.setMsg(fmt.Sprintf("%s; %d answer(s) filled from the answers file", m.pauseMessage(), n))
			}
		}
		m.saveDrafts()
		m.focusFirstUnanswered()
		if m.opts.Replay == nil && m.opts.Rules != nil {
			if cmd := m.decideByRules(); cmd != nil {
				return cmd
			}
			return tea.Batch(m.askRules(), tea.Tick(Grace, func(time.Time) tea.Msg { return graceTickMsg{} }))
		}
		// Redraw once the new items are past the guard, so their "new"
		// marker goes away without a key press.
		return tea.Tick(Grace, func(time.Time) tea.Msg { return graceTickMsg{} })
	case api.RunCompleted:
		m.setMsg("execution completed")
	case api.RunFailed:
		m.setErr("execution failed: " + m.s.LastError())
	case api.RunDropped:
		if msg.err != nil {
			m.setErr(describeErr(msg.err) + " (the execution may still be running on the server)")
		} else {
			m.setErr("stream dropped: the server closed the connection before the run paused or finished")
		}
	case api.RunCancelled:
		m.setMsg("stream cancelled: the execution may go on at the server")
	}
	if m.opts.Replay != nil && state != api.RunPaused {
		m.replayEnded()
	}
	if m.pendingItems() == 0 {
		// Nothing left to answer: show where the run ended.
		m.focus = paneEvents
		m.follow = true
		m.evSel = m.visibleCount() - 1
		m.clampEvents()
	}
	m.queue = nil
	return nil
}

// rewait re-arms the wait on the current stream's pump.
func (m *Model) rewait() tea.Cmd {
	if m.pump == nil {
		return nil
	}
	return m.pump.wait()
}

// pauseMessage says what waits and which keys answer it (the keys as
// bound, so a rebound key is named right).
func (m *Model) pauseMessage() string {
	s, k := m.s, m.keys
	calls, appr := len(s.Pending()), len(s.Approvals())
	switch {
	case calls > 0 && appr > 0:
		return fmt.Sprintf("paused: %d tool call(s) and %d approval(s) wait for you", calls, appr)
	case appr > 0:
		return fmt.Sprintf("paused: %d approval(s) wait for you: %s approve, %s deny", appr, hk(k.Approve), hk(k.Deny))
	case calls > 0:
		return fmt.Sprintf("paused: %d tool call(s) wait for answers: %s edit, %s resume", calls, hk(k.Edit), hk(k.Resume))
	}
	return "paused"
}

// hk is the key a binding shows in help and messages.
func hk(b key.Binding) string { return b.Help().Key }

// describeErr words an error for the status bar: the server's own message
// for an HTTP error, the rest as Go says it.
func describeErr(err error) string {
	if err == nil {
		return ""
	}
	return api.Explain(err)
}

func (m *Model) setMsg(s string) { m.msg, m.msgErr = s, false }

// statusMsg is the message the status bar shows: the start-up notice
// until the first key, then the last message.
func (m *Model) statusMsg() string {
	if m.notice != "" {
		return m.notice
	}
	return m.msg
}
func (m *Model) setErr(s string) { m.msg, m.msgErr = s, true }

// ---- keys ----

func (m *Model) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	if (m.overlay == overlayNone || m.overlay == overlayDetail || m.overlay == overlayPreview) && key.Matches(msg, k.Mouse) {
		// Also over the detail view and the preview: turning the mouse
		// off is how to select their text with the terminal. Overlays
		// that take typed text (the input line, pickers) keep the key.
		m.toggleMouse()
		return m, nil
	}
	switch m.overlay {
	case overlayInput:
		return m.handleInputKey(msg)
	case overlayHelp:
		switch {
		case key.Matches(msg, k.Quit) && msg.String() == "ctrl+c":
			return m, m.quit()
		case key.Matches(msg, k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom):
			m.scrollKey(msg)
			return m, nil
		}
		m.overlay = overlayNone
		return m, nil
	case overlayPreview:
		switch {
		case key.Matches(msg, k.Cancel), key.Matches(msg, k.Quit) && msg.String() != "ctrl+c":
			m.overlay = overlayNone
			m.setMsg("nothing sent")
			return m, nil
		case key.Matches(msg, k.Quit):
			return m, m.quit()
		case key.Matches(msg, k.Confirm):
			if m.previewBlocked != "" {
				m.setErr(m.previewBlocked)
				return m, nil
			}
			return m, m.sendPreview()
		case key.Matches(msg, k.Partial) && m.previewPartial:
			return m, m.sendPreview()
		case key.Matches(msg, k.CopyCurl):
			return m, m.export(true)
		case key.Matches(msg, k.CopyBody):
			return m, m.export(false)
		}
		m.scrollKey(msg)
		return m, nil
	case overlayDetail:
		return m.handleDetailKey(msg)
	case overlayPicker:
		return m.handlePickerKey(msg)
	}

	if cmd, ok := m.handlePlayerKey(msg); ok {
		return m, cmd
	}
	switch {
	case msg.String() == "ctrl+c" && m.cancel != nil:
		// As in a shell, ctrl+c first interrupts what is running: the
		// request in flight. A second one quits.
		m.cancel()
		m.setErr("request cancelled: the server may have received it; ctrl+c again quits")
		return m, nil
	case key.Matches(msg, k.Quit):
		return m, m.quit()
	case key.Matches(msg, k.Help):
		m.openHelp()
	case key.Matches(msg, k.CopyCurl):
		return m, m.export(true)
	case key.Matches(msg, k.CopyBody):
		return m, m.export(false)
	case key.Matches(msg, k.CancelStream):
		if m.cancel == nil {
			m.setErr("no stream to cancel")
		} else {
			m.cancel()
			m.setMsg("cancelling the stream …")
		}
	case key.Matches(msg, k.NextPane), key.Matches(msg, k.PrevPane):
		if m.focus == paneEvents {
			m.focus = panePending
		} else {
			m.focus = paneEvents
		}
		m.clampEvents() // zoomed, the events pane was hidden (no height)
	case key.Matches(msg, k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown):
		m.move(moveDelta(k, msg, m.eventsInnerHeight()))
	case key.Matches(msg, k.Follow):
		m.follow = !m.follow
		if m.follow {
			m.evSel = m.visibleCount() - 1
			m.clampEvents()
			m.setMsg("following the tail")
		} else {
			m.setMsg("follow off")
		}
	case key.Matches(msg, k.ViewMode):
		m.toggleView()
	case key.Matches(msg, k.Filter):
		return m, m.openFilterInput()
	case key.Matches(msg, k.Outline):
		m.openOutline()
	case key.Matches(msg, k.Executions):
		m.openExecutions()
	case key.Matches(msg, k.Zoom), key.Matches(msg, k.Cancel) && m.zoomed:
		m.toggleZoom()
	case key.Matches(msg, k.Cancel):
		if m.filter != "" {
			m.setFilter("")
		}
	case key.Matches(msg, k.Open):
		if m.focus == panePending {
			if id := m.selectedCallID(); id != "" {
				return m, m.editCall(id)
			}
			if a := m.selectedApproval(); a != nil {
				m.openApprovalDetail(a)
			}
			return m, nil
		}
		m.openSelected(false)
	case key.Matches(msg, k.Raw):
		if m.focus == paneEvents {
			m.openSelected(true)
		} else if id := m.selectedCallID(); id != "" {
			m.openCallDetail(id)
		} else if a := m.selectedApproval(); a != nil {
			m.openApprovalDetail(a)
		}
	case key.Matches(msg, k.Edit):
		id := m.selectedCallID()
		if id == "" {
			m.setErr(m.noCallReason())
			return m, nil
		}
		return m, m.editCall(id)
	case key.Matches(msg, k.ErrorAnswer):
		id := m.selectedCallID()
		if id == "" {
			m.setErr(m.noCallReason())
			return m, nil
		}
		m.openInput(inputErrorReason, id, "error reason: ", "why the tool failed (sent as an MCP isError result)")
		return m, m.input.Focus()
	case key.Matches(msg, k.Messages):
		return m, m.editMessages()
	case key.Matches(msg, k.Revert):
		m.revertDraft()
	case key.Matches(msg, k.ApplyAll):
		m.applyToAll()
	case key.Matches(msg, k.CopyAnswer):
		return m, m.copyAnswer()
	case key.Matches(msg, k.FromFile):
		id := m.selectedCallID()
		if id == "" {
			m.setErr(m.noCallReason())
			return m, nil
		}
		m.openInput(inputAnswerFile, id, "answer file: ", "path of a JSON file with the answer")
		return m, m.input.Focus()
	case key.Matches(msg, k.Resume):
		m.openResumePreview()
	case key.Matches(msg, k.Approve):
		m.startDecision(api.DecisionApproved)
		if m.overlay == overlayInput {
			return m, m.input.Focus()
		}
	case key.Matches(msg, k.Deny):
		m.startDecision(api.DecisionDenied)
		if m.overlay == overlayInput {
			return m, m.input.Focus()
		}
	}
	return m, nil
}

func (m *Model) quit() tea.Cmd {
	m.rulesStop()
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
	return tea.Quit
}

func (m *Model) noCallReason() string {
	if len(m.s.Pending()) == 0 {
		return "no pending tool call: the execution is " + m.s.State().String()
	}
	if m.focus != panePending {
		return "select a pending call first (tab to the pending pane)"
	}
	return fmt.Sprintf("the selected item is an approval: %s approve, %s deny", hk(m.keys.Approve), hk(m.keys.Deny))
}

func (m *Model) openInput(p inputPurpose, target, prompt, placeholder string) {
	m.overlay = overlayInput
	m.inputPurpose = p
	m.inputTarget = target
	m.input.Reset()
	m.input.Prompt = prompt
	m.input.Placeholder = placeholder
	m.input.SetWidth(max(10, m.width-len(prompt)-4))
}

func (m *Model) handleInputKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch msg.String() {
	case "esc":
		m.overlay = overlayNone
		m.input.Blur()
		switch m.inputPurpose {
		case inputDenyReason:
			m.setMsg("not denied: nothing sent")
		case inputFilter:
			// What was typed is dropped, valid or not: the filter in
			// place stays.
			m.setMsg("filter unchanged")
		}
		return m, nil
	case "ctrl+c":
		return m, m.quit()
	case "enter":
		val := strings.TrimSpace(m.input.Value())
		if m.inputPurpose == inputFilter {
			if _, err := filter.Parse(val); err != nil {
				// Keep the input open on what was typed, to fix it.
				m.setErr("filter: " + err.Error() + " (esc keeps the filter as it was)")
				return m, nil
			}
		}
		m.overlay = overlayNone
		m.input.Blur()
		switch m.inputPurpose {
		case inputFilter:
			m.setFilter(val)
		case inputErrorReason:
			if val == "" {
				m.setErr("no reason given: the call was not answered")
				return m, nil
			}
			if err := m.s.SetErrorAnswer(m.inputTarget, val); err != nil {
				m.setErr(err.Error())
			} else {
				m.setMsg("answered " + m.inputTarget + " with an error")
				m.saveDrafts()
				m.selectNextUnanswered()
			}
		case inputDenyReason:
			m.openDecisionPreview(m.inputTarget, api.DecisionDenied, val)
		case inputAnswerFile:
			if val != "" {
				m.answerFromFile(m.inputTarget, val)
			}
		}
		return m, nil
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	if m.inputPurpose == inputFilter {
		m.validateFilterInput()
	}
	return m, cmd
}

// ---- selection ----

// pendingItems is the number of rows in the pending pane: calls, then
// approvals.
func (m *Model) pendingItems() int { return len(m.s.Pending()) + len(m.s.Approvals()) }

func (m *Model) selectedCallID() string {
	if m.focus != panePending {
		return ""
	}
	calls := m.s.Pending()
	if m.pSel >= 0 && m.pSel < len(calls) {
		return calls[m.pSel].ToolCallID
	}
	return ""
}

func (m *Model) selectedApproval() *model.PendingApproval {
	calls, appr := m.s.Pending(), m.s.Approvals()
	i := m.pSel - len(calls)
	if i >= 0 && i < len(appr) {
		return appr[i]
	}
	if len(appr) == 1 && len(calls) == 0 {
		return appr[0]
	}
	return nil
}

func (m *Model) focusFirstUnanswered() {
	if m.pendingItems() == 0 {
		return
	}
	m.focus = panePending
	m.pSel = 0
	for i, c := range m.s.Pending() {
		if c.Draft.State == model.DraftEmpty || c.Draft.State == model.DraftInvalid {
			m.pSel = i
			return
		}
	}
	if len(m.s.Pending()) == 0 {
		return
	}
	m.pSel = 0
}

func (m *Model) selectNextUnanswered() {
	calls := m.s.Pending()
	for i := range calls {
		j := (m.pSel + 1 + i) % len(calls)
		if calls[j].Draft.State == model.DraftEmpty || calls[j].Draft.State == model.DraftInvalid {
			m.pSel = j
			return
		}
	}
}

func (m *Model) move(d int) {
	if m.focus == panePending {
		n := m.pendingItems()
		m.pSel = clamp(m.pSel+d, 0, n-1)
		return
	}
	n := m.visibleCount()
	m.evSel = clamp(m.evSel+d, 0, n-1)
	m.follow = m.evSel == n-1 && d > 0
	m.clampEvents()
}

// moveDelta is how far a movement key moves a list whose page is page
// rows: one, a page, or to either end (clamped by the list).
func moveDelta(k KeyMap, msg tea.KeyPressMsg, page int) int {
	switch {
	case key.Matches(msg, k.Up):
		return -1
	case key.Matches(msg, k.Down):
		return 1
	case key.Matches(msg, k.Top):
		return -1 << 30
	case key.Matches(msg, k.Bottom):
		return 1 << 30
	case key.Matches(msg, k.PageUp):
		return -page
	case key.Matches(msg, k.PageDown):
		return page
	}
	return 0
}

func clamp(v, lo, hi int) int {
	if hi < lo {
		return lo
	}
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// visibleCount is the number of rows the events pane can show (after the
// filter).
func (m *Model) visibleCount() int {
	if m.filtered != nil {
		return len(m.filtered)
	}
	return m.itemCount()
}

// rowAt maps a visible position to a row index.
func (m *Model) rowAt(i int) int {
	if m.filtered != nil {
		if i < 0 || i >= len(m.filtered) {
			return -1
		}
		return m.filtered[i]
	}
	if i < 0 || i >= m.itemCount() {
		return -1
	}
	return i
}

// selectedRow is the row of the selection: the selected row, or in the
// flat view the row of the selected event (-1 for none), so what acts on
// rows (export, the preview) acts on the same thing in both views.
func (m *Model) selectedRow() int {
	i := m.rowAt(m.evSel)
	if m.flat && i >= 0 {
		return m.eventRowOf(i)
	}
	return i
}

// afterRowsChanged keeps the filter index and the tail-following selection
// up to date after new events. It touches only items that are new or may
// have changed since the last call (refilter), never the whole log.
func (m *Model) afterRowsChanged() {
	if m.filtered != nil {
		m.refilter()
	}
	if m.follow {
		m.evSel = m.visibleCount() - 1
	}
	m.clampEvents()
	if m.overlay == overlayDetail {
		m.refreshDetail()
	}
	if m.overlay == overlayPicker {
		m.refreshPicker()
	}
	if n := m.pendingItems(); m.pSel >= n {
		m.pSel = max(0, n-1)
	}
}

// clampEvents keeps the selection inside the rows and the window around
// the selection.
func (m *Model) clampEvents() {
	n := m.visibleCount()
	h := m.eventsInnerHeight()
	m.evSel = clamp(m.evSel, 0, n-1)
	if m.evSel < m.evTop {
		m.evTop = m.evSel
	}
	if h > 0 && m.evSel >= m.evTop+h {
		m.evTop = m.evSel - h + 1
	}
	m.evTop = clamp(m.evTop, 0, max(0, n-h))
}
