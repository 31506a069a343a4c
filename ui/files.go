package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	tea "charm.land/bubbletea/v2"

	"rtinspect/api"
	"rtinspect/api/record"
	"rtinspect/model"
)

// ---- the recording and the drafts kept beside it ----

// recordEnd writes why stream n ended into the recording.
func (m *Model) recordEnd(n int, state api.RunState, err error) {
	if m.rec == nil || n == 0 {
		return
	}
	m.rec.End(n, state.String(), err)
}

// nameRecording gives an automatically named recording the execution id
// once the stream has told it, so the file can be found by id later.
func (m *Model) nameRecording() {
	if m.rec == nil || m.named || m.opts.RecordDir == "" {
		return
	}
	id := m.s.ExecutionID()
	if id == "" {
		return
	}
	m.named = true
	if err := m.rec.Rename(record.NewPath(m.opts.RecordDir, m.started, id)); err != nil {
		m.setErr("cannot rename the recording: " + err.Error())
	}
}

// checkRecording reports a recording that stopped being written, once; the
// inspector keeps working without it.
func (m *Model) checkRecording() {
	if m.rec == nil || m.recErrShown {
		return
	}
	if err := m.rec.Err(); err != nil {
		m.recErrShown = true
		m.setErr("recording stopped: " + err.Error() + " (the inspector keeps working)")
	}
}

// RecordingPath is where the session is being recorded ("" when it is not).
func (m *Model) RecordingPath() string {
	if m.rec == nil {
		return ""
	}
	return m.rec.Path()
}

// DraftsPath is where unsent answers are kept ("" when nowhere).
func (m *Model) DraftsPath() string {
	if m.opts.DraftsPath != "" {
		return m.opts.DraftsPath
	}
	if m.rec != nil {
		return record.DraftsPath(m.rec.Path())
	}
	return ""
}

// UnsentDrafts counts the pending calls with an answer written and not sent.
func (m *Model) UnsentDrafts() int {
	n := 0
	for _, c := range m.s.Pending() {
		if c.Draft.State != model.DraftEmpty {
			n++
		}
	}
	if m.s.Messages().Text != "" {
		n++
	}
	return n
}

// saveDrafts writes every unsent answer beside the recording. It runs in
// Update, synchronously, on purpose: an answer must be on disk as soon as
// the editor closes, before the user can quit or the program can crash.
func (m *Model) saveDrafts() {
	path := m.DraftsPath()
	if path == "" {
		return
	}
	if err := record.SaveDrafts(path, CollectDrafts(m.s)); err != nil && !m.draftErrShown {
		m.draftErrShown = true
		m.setErr("cannot keep drafts in " + path + ": " + err.Error())
	}
}

// CollectDrafts gathers a session's unsent answers for the drafts file.
func CollectDrafts(s *model.Session) record.Drafts {
	d := record.Drafts{Calls: map[string]record.DraftEntry{}, Saved: s.Now()}
	for _, c := range s.Pending() {
		if c.Draft.State == model.DraftEmpty {
			continue
		}
		e := record.DraftEntry{ExecutionID: c.ExecutionID, ToolName: c.ToolName, State: c.Draft.State.String(), Text: c.Draft.Text}
		if c.Draft.State == model.DraftError {
			e.Text, e.Reason = "", c.Draft.Reason
		}
		d.Calls[c.ToolCallID] = e
	}
	d.Messages = s.Messages().Text
	return d
}

// RestoreDrafts puts saved answers back on the session's pending calls and
// returns how many it restored. An answer for a call that is no longer
// pending is left in the file.
func RestoreDrafts(s *model.Session, d record.Drafts) int {
	n := 0
	for id, e := range d.Calls {
		if s.Call(id) == nil {
			continue
		}
		if e.State == model.DraftError.String() {
			if s.SetErrorAnswer(id, e.Reason) == nil {
				n++
			}
			continue
		}
		s.SetDraft(id, e.Text) // an invalid draft is restored invalid
		n++
	}
	if d.Messages != "" {
		s.SetMessages(d.Messages)
		n++
	}
	return n
}

// ---- export ----

// exportTarget is the request the export keys act on: the one in the
// preview, else the selected request row.
func (m *Model) exportTarget() (api.Request, bool) {
	if m.overlay == overlayPreview && len(m.previewReqs) > 0 {
		return m.previewReqs[0], true
	}
	if m.overlay == overlayNone && m.focus == paneEvents {
		if i := m.selectedRow(); i >= 0 {
			return m.s.Row(i).Request()
		}
	}
	return api.Request{}, false
}

// export copies the selected request to the clipboard (OSC 52, which works
// over SSH) and saves it to a file beside the recording: as a curl command
// (the key as $RUNTYPE_API_KEY, never its value) or as its JSON body.
func (m *Model) export(asCurl bool) tea.Cmd {
	req, ok := m.exportTarget()
	if !ok {
		m.setErr("select a request row (→ POST …) or open the resume preview to export a request")
		return nil
	}
	text, ext, what := api.IndentBody(req.Body)+"\n", ".json", "JSON body"
	if asCurl {
		text, ext, what = m.client.Curl(req), ".curl.sh", "curl command"
	}
	name := strings.TrimPrefix(req.Path, "/v1/")
	name = strings.ReplaceAll(name, "/", "-")
	path := m.exportPath(name, ext, os.TempDir())
	if err := writePrivate(path, text); err != nil {
		m.setErr(fmt.Sprintf("copied the %s to the clipboard; cannot save it: %v", what, err))
	} else {
		m.setMsg(fmt.Sprintf("copied the %s to the clipboard and saved it to %s", what, path))
	}
	return tea.SetClipboard(text)
}

// exportPath names a new file for something exported: NAME.N.EXT beside
// the recording, after it (SESSION.NAME.N.EXT), so exports are found with
// the session they come from; without a recording, rtinspect.NAME.N.EXT
// in dir ("" is the current folder). N counts the session's exports, so
// none overwrites another.
func (m *Model) exportPath(name, ext, dir string) string {
	m.exports++
	base := "rtinspect"
	if p := m.RecordingPath(); p != "" {
		dir, base = filepath.Dir(p), strings.TrimSuffix(filepath.Base(p), ".jsonl")
	}
	return filepath.Join(dir, fmt.Sprintf("%s.%s.%d%s", base, name, m.exports, ext))
}

// writePrivate writes text to path, readable and writable by the user only:
// exports hold request bodies and tool outputs. A file that was already
// there is made private too (WriteFile's mode applies only to new files).
func writePrivate(path, text string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
