package main

import (
	"bufio"
	"bytes"
	tea "charm.land/bubbletea/v2"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"rtinspect/api"
	"rtinspect/api/record"
	"rtinspect/api/sim"
	"rtinspect/model"
	"rtinspect/ui"
)

// simServer starts a simulated server over loopback for one test.
func simServer(t *testing.T, opts sim.Options) (*sim.Server, string) {
	t.Helper()
	srv := sim.New(opts)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return srv, hs.URL
}

// runCLI runs rtinspect with args and returns the exit status, stdout and
// stderr. Recordings made without --record land in a folder of the test's.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// recordScenario runs a scenario headless against url with answers by tool
// name, recording to path.
func recordScenario(t *testing.T, url, scenario, answers, path string) {
	t.Helper()
	dir := t.TempDir()
	body, err := sim.DispatchBody(scenario)
	if err != nil {
		t.Fatal(err)
	}
	req := filepath.Join(dir, "req.json")
	os.WriteFile(req, body, 0o600)
	af := filepath.Join(dir, "answers.json")
	os.WriteFile(af, []byte(answers), 0o600)
	code, _, stderr := runCLI(t, "dispatch", "--headless", "--base-url", url, "--api-key", testKey, "--answers", af, "--record", path, req)
	if code != 0 {
		t.Fatalf("recording %s: exit %d: %s", scenario, code, stderr)
	}
}

const cartAnswers = `{"toolOutputs":{"add_to_cart":{"ok":true,"cartTotal":288},"search_products":{"results":["SHOE-001"]}},"approvals":{"send_email":"approved"}}`

func TestRecordingIsPrivateAndReadable(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	_, url := simServer(t, sim.Options{})
	path := filepath.Join(t.TempDir(), "sessions", "parallel.jsonl")
	recordScenario(t, url, "parallel", cartAnswers, path)

	for p, want := range map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != want {
			t.Errorf("%s mode = %o, want %o", p, got, want)
		}
	}
	raw, _ := os.ReadFile(path)
	if bytes.Contains(raw, []byte(testKey)) {
		t.Fatalf("the recording holds the API key")
	}
	rec, err := record.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Problems) > 0 {
		t.Errorf("problems reading a fresh recording: %v", rec.Problems)
	}
	kinds := map[string]int{}
	for _, r := range rec.Records {
		kinds[r.Kind]++
	}
	if kinds[record.KindRequest] != 2 || kinds[record.KindResponse] != 2 || kinds[record.KindEnd] != 2 || kinds[record.KindFrame] == 0 {
		t.Errorf("record kinds = %v, want 2 requests, 2 responses, 2 ends and the frames", kinds)
	}
	// open, headless: the recording folds back into the same run.
	code, out, stderr := runCLI(t, "open", "--headless", path)
	if code != 0 || !strings.Contains(out, "the run is completed") {
		t.Errorf("open = %d, %q, %q; want the completed run", code, out, stderr)
	}
}

func TestReplayAgainstTheSimulatedServer(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	dir := t.TempDir()
	cases := []struct {
		name     string
		scenario string
		target   string // "same" scenario server, or "other": a playback of another run
		code     int
		stderr   string
	}{
		{"parallel calls replayed by tool name and order", "parallel", "same", 0, "no divergence"},
		{"two pauses replayed", "two-pauses", "same", 0, "no divergence"},
		{"approval replayed with its decision", "approval", "same", 0, "no divergence"},
		{"a server whose answer differs", "flow-tool", "other", 1, "diverge"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, url := simServer(t, sim.Options{})
			orig := filepath.Join(dir, tc.scenario+".jsonl")
			answers := cartAnswers
			if tc.scenario == "flow-tool" {
				answers = `{"toolOutputs":{"get_order_status":{"status":"shipped"}}}`
			}
			recordScenario(t, url, tc.scenario, answers, orig)
			target := url
			if tc.target == "other" {
				// The same flow, answered differently, played back: the
				// replay sends the recorded answer but the server streams
				// the other run's continuation.
				other := filepath.Join(dir, tc.scenario+"-other.jsonl")
				recordScenario(t, url, tc.scenario, `{"toolOutputs":{"get_order_status":{"status":"lost"}}}`, other)
				rec, err := record.ReadFile(other)
				if err != nil {
					t.Fatal(err)
				}
				pb, err := sim.NewPlayback(rec, sim.Options{Open: true})
				if err != nil {
					t.Fatal(err)
				}
				hs := httptest.NewServer(pb)
				t.Cleanup(hs.Close)
				target = hs.URL
			}
			newRec := filepath.Join(dir, tc.name+".replay.jsonl")
			code, out, stderr := runCLI(t, "replay", "--headless", "--base-url", target, "--api-key", testKey, "--record", newRec, orig)
			if code != tc.code {
				t.Fatalf("replay exit = %d, want %d; stderr: %s", code, tc.code, stderr)
			}
			if !strings.Contains(stderr, tc.stderr) {
				t.Errorf("replay stderr = %q, want it to say %q", stderr, tc.stderr)
			}
			last := lastJSONLine(t, out)
			if last["type"] != "divergence" || last["match"] != (tc.code == 0) {
				t.Errorf("last line = %v, want the divergence report with match %v", last, tc.code == 0)
			}
			// diff agrees with the replay's own report.
			dcode, dout, _ := runCLI(t, "diff", orig, newRec)
			if dcode != tc.code {
				t.Errorf("diff exit = %d, want %d: %s", dcode, tc.code, dout)
			}
			jcode, jout, _ := runCLI(t, "diff", "--json", orig, newRec)
			var rep map[string]any
			if err := json.Unmarshal([]byte(jout), &rep); err != nil || jcode != tc.code || rep["match"] != (tc.code == 0) {
				t.Errorf("diff --json = %d %q (%v), want a JSON report agreeing", jcode, jout, err)
			}
			if tc.code == 1 && rep["field"] != "text" && rep["field"] != "output" {
				t.Errorf("first difference field = %v, want the tool output or the text that quotes it", rep["field"])
			}
		})
	}
}

func lastJSONLine(t *testing.T, out string) map[string]any {
	t.Helper()
	var last map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var v map[string]any
		if json.Unmarshal(sc.Bytes(), &v) == nil {
			last = v
		}
	}
	return last
}

func TestRecordedCommandsRejectBadInput(t *testing.T) {
	dir := t.TempDir()
	notRec := filepath.Join(dir, "notes.txt")
	os.WriteFile(notRec, []byte("hello\n"), 0o600)
	empty := filepath.Join(dir, "empty.jsonl")
	os.WriteFile(empty, nil, 0o600)
	noDispatch := filepath.Join(dir, "nodispatch.jsonl")
	os.WriteFile(noDispatch, []byte(`{"kind":"header","format":"rtinspect-session","version":1,"at":"2026-01-01T00:00:00Z"}`+"\n"), 0o600)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"open a file that is not a recording", []string{"open", notRec}, "notes.txt"},
		{"diff with an empty file", []string{"diff", empty, empty}, "empty.jsonl"},
		{"replay a recording with no dispatch", []string{"replay", "--headless", noDispatch}, "no dispatch"},
		{"diff needs two files", []string{"diff", notRec}, "two recordings"},
		{"sim --from a file that is not a recording", []string{"sim", "--from", notRec}, "notes.txt"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.args...)
			if code != 2 {
				t.Errorf("exit = %d, want 2", code)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr = %q, want it to name %q", stderr, tc.want)
			}
		})
	}
}

func TestOpenTruncatedRecordingShowsWhatIsReadable(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	_, url := simServer(t, sim.Options{})
	path := filepath.Join(t.TempDir(), "cut.jsonl")
	recordScenario(t, url, "parallel", cartAnswers, path)
	raw, _ := os.ReadFile(path)
	// Cut the file in the middle of its last line, as a crash would.
	os.WriteFile(path, raw[:len(raw)-10], 0o600)
	code, out, stderr := runCLI(t, "open", "--headless", path)
	if code != 0 {
		t.Fatalf("open exit = %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "cut.jsonl:") || !strings.Contains(stderr, "cut off") {
		t.Errorf("stderr = %q, want the file and line of the cut", stderr)
	}
	if !strings.Contains(out, "frames") {
		t.Errorf("open printed %q, want what was readable", out)
	}
}

// TestKilledMidStreamLeavesAReadableRecording runs rtinspect as a separate
// process, kills it with SIGKILL while a long answer streams, and reads the
// recording back.
func TestKilledMidStreamLeavesAReadableRecording(t *testing.T) {
	if os.Getenv("RTINSPECT_CHILD") != "" {
		args := strings.Split(os.Getenv("RTINSPECT_CHILD"), "\x1f")
		os.Exit(run(args, strings.NewReader(""), os.Stdout, os.Stderr))
	}
	_, url := simServer(t, sim.Options{Delay: 5 * time.Millisecond})
	dir := t.TempDir()
	req := filepath.Join(dir, "req.json")
	body, _ := sim.DispatchBody("long")
	// 100,000 deltas at a tenth of the delay each: minutes, killed long before.
	body = bytes.Replace(body, []byte(`"scenario":"long"`), []byte(`"scenario":"long","deltas":100000`), 1)
	os.WriteFile(req, body, 0o600)
	path := filepath.Join(dir, "killed.jsonl")
	cmd := exec.Command(os.Args[0], "-test.run", "^TestKilledMidStreamLeavesAReadableRecording$")
	cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+dir, "RTINSPECT_CHILD="+strings.Join([]string{"dispatch", "--headless", "--base-url", url, "--api-key", testKey, "--record", path, req}, "\x1f"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the recording holds some frames (a condition, not a nap).
	deadline := time.Now().Add(30 * time.Second)
	for {
		raw, _ := os.ReadFile(path)
		if bytes.Count(raw, []byte(`"kind":"frame"`)) >= 200 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the child never recorded 200 frames")
		}
		time.Sleep(5 * time.Millisecond) // polling a file another process writes
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	rec, err := record.ReadFile(path)
	if err != nil {
		t.Fatalf("the recording of a killed run cannot be read: %v", err)
	}
	if rec.Frames() < 200 {
		t.Errorf("frames read back = %d, want at least 200", rec.Frames())
	}
	for _, p := range rec.Problems {
		if !strings.Contains(p.Msg, "cut off") {
			t.Errorf("unexpected problem: %s", p)
		}
	}
	p := model.NewPlayer(rec)
	p.Seek(p.Len())
	if got := p.Session().State(); got != api.RunStreaming {
		t.Errorf("state of the killed run = %s, want streaming (cut short)", got)
	}
}

// TestDraftsSurviveAndComeBackOnOpen answers a call in the inspector, then
// leaves without sending (as a crash would: the drafts are on disk as soon
// as the editor closes), and opens the recording again.
func TestDraftsSurviveAndComeBackOnOpen(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	dir := t.TempDir()
	path := filepath.Join(dir, "paused.jsonl")
	w, err := record.Create(path, record.Header{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, harnessOpts{scenario: "parallel", recording: w})
	h.waitFor("the pause", func(s ui.Snapshot) bool { return paused(s) && s.Pending == 2 })
	h.press(h.keys.Edit)
	h.waitFor("a draft", func(s ui.Snapshot) bool { return s.Answered == 1 })
	drafts, err := record.LoadDrafts(record.DraftsPath(path))
	if err != nil || len(drafts.Calls) != 1 {
		t.Fatalf("drafts on disk = %v, %v; want the one answer written", drafts.Calls, err)
	}
	h.quit()
	w.Close()

	rec, err := record.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p := model.NewPlayer(rec)
	p.Seek(p.Len())
	s := p.Session()
	if n := ui.RestoreDrafts(s, drafts); n != 1 {
		t.Fatalf("restored %d drafts, want 1", n)
	}
	if c := s.Counts(); c.Pending != 2 || c.Answered != 1 {
		t.Errorf("after open: pending %d answered %d, want 2 and 1", c.Pending, c.Answered)
	}
}

// pausedRecording runs the parallel scenario headless with no answers, so
// its recording ends paused on two calls, against srv.
func pausedRecording(t *testing.T, url string) string {
	t.Helper()
	dir := t.TempDir()
	body, _ := sim.DispatchBody("parallel")
	req := filepath.Join(dir, "req.json")
	os.WriteFile(req, body, 0o600)
	path := filepath.Join(dir, "paused.jsonl")
	code, _, stderr := runCLI(t, "dispatch", "--headless", "--base-url", url, "--api-key", testKey, "--record", path, req)
	if code != 3 {
		t.Fatalf("paused run: exit %d, want 3: %s", code, stderr)
	}
	return path
}

func TestOpenPausedRecordingAndResumeLive(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	srv := sim.New(sim.Options{APIKey: testKey})
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	path := pausedRecording(t, hs.URL)
	rec, err := record.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	contPath := filepath.Join(t.TempDir(), "continued.jsonl")
	h := newHarness(t, harnessOpts{server: srv, url: hs.URL, key: testKey, tweak: func(o *ui.Options) {
		p := model.NewPlayer(rec)
		p.Seek(p.Len())
		o.Player, o.Session, o.Dispatch = p, nil, nil
		o.Live = true
		o.DraftsPath = record.DraftsPath(path)
		o.StartRecording = func() (*record.Writer, error) {
			return record.Create(contPath, record.Header{Continues: path, Command: "open"})
		}
	}})
	h.tm.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	sn := h.waitFor("the opened pause", func(s ui.Snapshot) bool { return paused(s) && s.Pending == 2 })
	if !strings.Contains(sn.Screen, "read-only") {
		t.Errorf("an opened recording is not marked read-only:\n%s", sn.Screen)
	}
	// Step back and forward through the frames, then answer live.
	h.press(h.keys.StepBack)
	h.waitFor("a step back", func(s ui.Snapshot) bool { return s.State == api.RunStreaming })
	h.press(h.keys.Resume)
	h.waitFor("the refusal while stepping", func(s ui.Snapshot) bool { return strings.Contains(s.Message, "read-only while stepping") })
	h.press(h.keys.Bottom) // G: no effect on the player; ] steps to the end
	for i := 0; i < 3; i++ {
		h.press(h.keys.StepForward)
	}
	h.waitFor("the end of the recording", func(s ui.Snapshot) bool { return paused(s) && s.Pending == 2 })
	h.answerAllAndResume()
	h.waitFor("the live continuation to complete", func(s ui.Snapshot) bool { return s.State == api.RunCompleted })
	h.quit()
	cont, err := record.ReadFile(contPath)
	if err != nil {
		t.Fatalf("the continuation was not recorded: %v", err)
	}
	if cont.Header.Continues != path {
		t.Errorf("continuation header names %q, want %q", cont.Header.Continues, path)
	}
	if cont.Frames() == 0 {
		t.Errorf("the continuation recording has no frames")
	}
}

func TestReplayInTheInspector(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	_, url := simServer(t, sim.Options{})
	orig := filepath.Join(t.TempDir(), "orig.jsonl")
	recordScenario(t, url, "two-pauses", cartAnswers, orig)
	rec, err := record.ReadFile(orig)
	if err != nil {
		t.Fatal(err)
	}
	w, err := record.Create(filepath.Join(t.TempDir(), "replay.jsonl"), record.Header{Continues: orig, Command: "replay"})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, harnessOpts{scenario: "two-pauses", recording: w, tweak: func(o *ui.Options) {
		o.Replay = &ui.Replay{Recorded: model.LearnAnswers(rec), Original: rec}
	}})
	sn := h.waitFor("the replay report", func(s ui.Snapshot) bool {
		return strings.HasPrefix(s.Message, "replay:") && s.State == api.RunCompleted && s.Overlay == "detail"
	})
	if sn.Message != "replay: no divergence" {
		t.Errorf("replay message = %q, want no divergence", sn.Message)
	}
	fm := h.quit()
	if !strings.Contains(fm.ReplayReport(), "no divergence") {
		t.Errorf("report = %q", fm.ReplayReport())
	}
}

func TestExportRequestAsCurlAndJSON(t *testing.T) {
	dir := t.TempDir()
	w, err := record.Create(filepath.Join(dir, "s.jsonl"), record.Header{})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, harnessOpts{scenario: "flow-tool", recording: w})
	h.waitFor("the pause", func(s ui.Snapshot) bool { return paused(s) && s.Pending == 1 })
	h.press(h.keys.Edit)
	h.waitFor("the answer", func(s ui.Snapshot) bool { return s.Answered == 1 })
	h.press(h.keys.Resume)
	h.waitFor("the preview", func(s ui.Snapshot) bool { return s.Overlay == "preview" })
	for _, b := range []struct {
		key  string
		want string
	}{{"c", "curl command"}, {"b", "JSON body"}} {
		h.tm.Send(keyPress(b.key))
		sn := h.waitFor("the export", func(s ui.Snapshot) bool { return strings.Contains(s.Message, b.want) })
		_, file, ok := strings.Cut(sn.Message, "saved it to ")
		if !ok {
			t.Fatalf("message %q does not say where the export went", sn.Message)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte("sk-test-secret")) {
			t.Errorf("the %s export holds the key", b.want)
		}
		if !bytes.Contains(data, []byte("toolOutputs")) {
			t.Errorf("the %s export lacks the body:\n%s", b.want, data)
		}
	}
	h.quit()
}

func TestCannotRecordIsNoReasonToStop(t *testing.T) {
	notADir := filepath.Join(t.TempDir(), "file")
	os.WriteFile(notADir, nil, 0o600)
	t.Setenv("XDG_STATE_HOME", notADir) // the sessions folder cannot be made under a file
	_, url := simServer(t, sim.Options{})
	dir := t.TempDir()
	body, _ := sim.DispatchBody("flow-tool")
	req := filepath.Join(dir, "req.json")
	os.WriteFile(req, body, 0o600)
	code, _, stderr := runCLI(t, "dispatch", "--headless", "--base-url", url, "--api-key", testKey, req)
	if code != 3 {
		t.Errorf("exit = %d, want 3 (paused): the run goes on without a recording", code)
	}
	if !strings.Contains(stderr, "not recording") {
		t.Errorf("stderr = %q, want it to say the session is not recorded", stderr)
	}
}
