package ui

import (
	"encoding/json"
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"rtinspect/api"
	"rtinspect/api/record"
	"rtinspect/model"
	"rtinspect/model/diff"
)

// Replay configures rtinspect replay in the inspector.
type Replay struct {
	// Recorded answers the new run's pauses (by tool name and order).
	Recorded *model.RecordedAnswers
	// Original is the recording being replayed, compared with the new run
	// when it ends.
	Original *record.Recording
}

// speeds are the playback speeds `s` cycles through; 0 is as fast as
// possible.
var speeds = []float64{1, 10, 0}

func speedName(v float64) string {
	if v == 0 {
		return "max"
	}
	return fmt.Sprintf("%gx", v)
}

// playTickMsg advances playback; gen ties it to one play run so a paused
// or restarted playback ignores stale ticks. A load tick (load) folds more
// of a recording still being read instead; learned carries the answers a
// fully loaded recording sent (for stubs), worked out in the background.
type playTickMsg struct {
	gen     int
	load    bool
	learned map[string]json.RawMessage
}

// loadSlice is how long one load tick folds before the screen redraws and
// keys are handled.
const loadSlice = 12 * time.Millisecond

// maxGap caps the wait between two recorded frames at recorded speed: a
// session that sat paused for an hour plays on after two seconds.
const maxGap = 2 * time.Second

// readOnly says why the session cannot send anything ("" when it can).
func (m *Model) readOnly() string {
	if m.player == nil {
		return ""
	}
	if m.player.Loading() {
		return "read-only while the recording loads (" + m.loadPercent() + ")"
	}
	if !m.opts.Live {
		return "read-only: a recorded session (give --api-key, and --base-url if needed, to answer and resume it live)"
	}
	if m.player.Pos() < m.player.Len() {
		return "read-only while stepping: go to the end of the recording (G in playback, or ] until the end) to resume live"
	}
	return ""
}

// playbackTitle is the status of the playback, for the status bar.
func (m *Model) playbackTitle() string {
	if m.player == nil {
		return ""
	}
	if m.player.Loading() {
		return fmt.Sprintf("read-only · loading %s · frame %d", m.loadPercent(), m.player.FramePos())
	}
	state := "stopped"
	if m.playing {
		state = "playing " + speedName(speeds[m.speedIdx])
	}
	return fmt.Sprintf("read-only · frame %d/%d · %s", m.player.FramePos(), m.player.Frames(), state)
}

// playerMoved re-reads the session after the player moved: a backwards
// seek builds a new one.
func (m *Model) playerMoved() {
	if s := m.player.Session(); s != m.s {
		m.s = s
		s.SetChecker(m.catalog.Checker())
		m.sideKey = ""
		if m.filter != "" {
			m.setFilter(m.filter)
		}
	}
	m.follow = true
	m.afterRowsChanged()
}

// handlePlayerKey handles the playback keys; ok is false for other keys.
func (m *Model) handlePlayerKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	if m.player == nil {
		return nil, false
	}
	if m.player.Loading() && key.Matches(msg, m.keys.StepForward, m.keys.StepBack, m.keys.Play, m.keys.Speed) {
		m.setMsg("the recording is still loading (" + m.loadPercent() + "); playback keys work once it is loaded")
		return nil, true
	}
	switch {
	case key.Matches(msg, m.keys.StepForward):
		m.playing = false
		if !m.player.NextFrame() {
			m.setMsg("end of the recording")
		}
		m.playerMoved()
	case key.Matches(msg, m.keys.StepBack):
		m.playing = false
		if !m.player.PrevFrame() {
			m.setMsg("start of the recording")
		}
		m.playerMoved()
	case key.Matches(msg, m.keys.Play):
		if m.playing {
			m.playing = false
			m.setMsg("playback paused")
			return nil, true
		}
		if m.player.Pos() >= m.player.Len() {
			m.player.Seek(0)
			m.playerMoved()
		}
		m.playing = true
		m.playGen++
		m.setMsg("playing at " + speedName(speeds[m.speedIdx]))
		return m.playTick(), true
	case key.Matches(msg, m.keys.Speed):
		m.speedIdx = (m.speedIdx + 1) % len(speeds)
		m.setMsg("playback speed " + speedName(speeds[m.speedIdx]))
		if m.playing {
			m.playGen++
			return m.playTick(), true
		}
	default:
		return nil, false
	}
	return nil, true
}

// playTick schedules the next playback step: after the recorded gap
// scaled by the speed, or at once at max speed.
func (m *Model) playTick() tea.Cmd {
	gen := m.playGen
	speed := speeds[m.speedIdx]
	next, ok := m.player.NextAt()
	if !ok {
		return nil
	}
	var wait time.Duration
	if speed > 0 && m.player.Pos() > 0 {
		prev := m.player.Record(m.player.Pos() - 1).At
		wait = time.Duration(float64(next.Sub(prev)) / speed)
		wait = min(max(wait, 0), maxGap)
	}
	return tea.Tick(wait, func(time.Time) tea.Msg { return playTickMsg{gen: gen} })
}

// handlePlayTick applies the records that are due. At max speed it applies
// as many as fit in a frame's time, so a large recording plays fast and the
// screen still redraws.
func (m *Model) handlePlayTick(msg playTickMsg) tea.Cmd {
	switch {
	case msg.learned != nil:
		for k, v := range msg.learned {
			if _, ok := m.lastAnswers[k]; !ok {
				m.lastAnswers[k] = v
			}
		}
		return nil
	case msg.load:
		return m.handleLoadTick()
	}
	if m.player == nil || !m.playing || msg.gen != m.playGen {
		return nil
	}
	if speeds[m.speedIdx] == 0 {
		deadline := time.Now().Add(15 * time.Millisecond)
		for time.Now().Before(deadline) && m.player.Step() {
		}
	} else {
		m.player.Step()
	}
	m.playerMoved()
	if m.player.Pos() >= m.player.Len() {
		m.playing = false
		m.setMsg("end of the recording")
		return nil
	}
	return m.playTick()
}

// ---- loading a large recording ----

// LoadRest starts folding the rest of an opened recording that is still
// being read (model.LoadPlayer), a slice of time per message, so the
// screen shows the beginning at once and stays responsive while the rest
// loads. The program's Init runs it; nil when there is nothing to load.
func (m *Model) LoadRest() tea.Cmd {
	if m.player == nil || !m.player.Loading() {
		return nil
	}
	return m.loadNext()
}

// loadNext schedules the next load tick: at once when records are waiting
// to be folded, else when the reader has more.
func (m *Model) loadNext() tea.Cmd {
	if m.player.Pos() < m.player.Len() {
		return func() tea.Msg { return playTickMsg{load: true} }
	}
	ready := m.player.Ready()
	return func() tea.Msg {
		<-ready
		return playTickMsg{load: true}
	}
}

func (m *Model) handleLoadTick() tea.Cmd {
	if m.player == nil || !m.player.Loading() {
		return nil
	}
	if !m.player.LoadReady(loadSlice) {
		m.afterRowsChanged()
		return m.loadNext()
	}
	return m.playerLoaded()
}

// playerLoaded finishes opening a recording once it is all folded, as
// rtinspect open does for one that loads at once: Options.Live (a key was
// given) holds only if the run ended paused; the drafts kept beside the
// recording come back; problems reading it are noted. The answers the
// recording sent (stubs for its tools) are worked out in the background.
func (m *Model) playerLoaded() tea.Cmd {
	rec := m.player.Recording()
	m.opts.Live = m.opts.Live && m.s.State() == api.RunPaused
	notice := fmt.Sprintf("loaded %d frames in %s", m.player.Frames(), m.player.LoadTime().Round(10*time.Millisecond))
	if m.opts.DraftsPath != "" {
		if d, err := record.LoadDrafts(m.opts.DraftsPath); err != nil {
			m.setErr(err.Error())
			notice = ""
		} else if n := RestoreDrafts(m.s, d); n > 0 {
			notice = fmt.Sprintf("%d unsent answer(s) restored from %s", n, m.opts.DraftsPath)
		}
	}
	if len(rec.Problems) > 0 {
		notice = fmt.Sprintf("%d problem(s) reading the recording, first: %s", len(rec.Problems), rec.Problems[0])
	}
	if notice != "" {
		m.setMsg(notice)
	}
	m.afterRowsChanged()
	if m.s.State() == api.RunPaused {
		m.focusFirstUnanswered()
	}
	return func() tea.Msg {
		// Its own Player over the complete recording: nothing is shared
		// with the UI's but the records, which nobody modifies any more.
		return playTickMsg{learned: model.LearnAnswers(rec).Last()}
	}
}

// loadPercent says how much of the recording has been read.
func (m *Model) loadPercent() string {
	read, size := m.player.LoadProgress()
	if size <= 0 {
		return "…"
	}
	return fmt.Sprintf("%d%%", min(100, read*100/size))
}

// ---- replay ----

// replayPause answers a pause of the new run from the recording, then
// from the answers file. When every pending item is answered and nothing
// looked different from the recording it sends the continuation itself;
// otherwise it stops for the user.
func (m *Model) replayPause() tea.Cmd {
	r := m.opts.Replay
	filled, warnings, approvals := r.Recorded.Apply(m.s)
	if m.opts.Answers != nil {
		n, more := m.s.ApplyAnswers(*m.opts.Answers)
		filled += n
		approvals = append(approvals, more...)
	}
	if len(warnings) > 0 {
		m.setErr(fmt.Sprintf("replay: %s (%d more warning(s)); review the answers, then R", warnings[0].Msg, len(warnings)-1))
		return nil
	}
	for _, d := range approvals {
		body, err := m.s.ApproveBody(d.ApprovalID, d.Decision, d.Reason)
		if err == nil {
			m.setMsg("replay: sending the recorded " + d.Decision)
			return m.send(m.client.ApproveRequest(body))
		}
	}
	if len(m.s.Pending()) == 0 {
		return nil
	}
	bodies, err := m.s.ResumeBodies(false)
	if err != nil {
		m.setErr(fmt.Sprintf("replay: the recording answers %d call(s); answer the rest, then R", filled))
		return nil
	}
	m.setMsg(fmt.Sprintf("replay: resuming with %d recorded answer(s)", filled))
	reqs := make([]api.Request, len(bodies))
	for i, b := range bodies {
		reqs[i] = m.client.ResumeRequest(b)
	}
	m.queue = reqs[1:]
	return m.send(reqs[0])
}

// replayEnded compares the new run with the recording and shows the
// divergence report.
func (m *Model) replayEnded() {
	if m.rec == nil {
		m.setErr("replay ended; it was not recorded, so it cannot be compared")
		return
	}
	got, err := record.ReadFile(m.rec.Path())
	if err != nil {
		m.setErr("replay ended; cannot read its recording back: " + err.Error())
		return
	}
	rep := diff.Compare(m.opts.Replay.Original, got)
	m.replayReport = rep.Text()
	m.openScroll(overlayDetail, "Replay: divergence report", m.replayReport)
	m.detailRow, m.detailCall = -1, ""
	if rep.Match {
		m.setMsg("replay: no divergence")
	} else {
		m.setErr(fmt.Sprintf("replay: the runs diverge at step %d (%s)", rep.At, rep.Field))
	}
}

// ReplayReport is the divergence report of a replay that ended ("" before).
func (m *Model) ReplayReport() string { return m.replayReport }
