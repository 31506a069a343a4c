package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"rtinspect/api"
	"rtinspect/api/record"
	"rtinspect/model"
	"rtinspect/model/diff"
	"rtinspect/ui"
	"rtinspect/ui/headless"
)

// readRecording reads a recording for a command, printing what was wrong
// with it (file:line) but keeping everything readable. A file that is not
// a recording at all is a usage error.
func readRecording(cmd, path string, stderr io.Writer) (*record.Recording, bool) {
	rec, err := record.ReadFile(path)
	if err != nil {
		fmt.Fprintf(stderr, "rtinspect %s: %v\n", cmd, err)
		return nil, false
	}
	for _, p := range rec.Problems {
		fmt.Fprintf(stderr, "rtinspect %s: warning: %s\n", cmd, p)
	}
	return rec, true
}

// openBudget is how long rtinspect open folds a recording before it shows
// the inspector: a recording that folds within it opens at its end, as it
// was left; a larger one opens on what is folded by then and folds the
// rest while the screen is up.
const openBudget = 200 * time.Millisecond

// openLargeBytes: a recording this large cannot fold within openBudget
// (some 12 µs and 200 bytes a record), so the inspector shows its first
// records at once rather than after the budget.
const openLargeBytes = 8 << 20

func cmdOpen(ctx context.Context, args []string, stdout, stderr io.Writer) (code int) {
	var f serverFlags
	defer func() { f.closeDebug(code) }()
	fs := newFlagSet("open", stderr)
	f.register(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return headless.ExitUsage
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "rtinspect open: give one SESSION.jsonl")
		return headless.ExitUsage
	}
	cfg, ok := f.loadSettings("open", stderr)
	if !ok {
		return headless.ExitUsage
	}
	// The file is read and parsed in the background while the session
	// folds, so a huge recording shows its beginning at once.
	player, err := model.LoadPlayer(pos[0])
	if err != nil {
		fmt.Fprintf(stderr, "rtinspect open: %v\n", err)
		return headless.ExitUsage
	}
	defer player.Close()
	isHeadless := f.headless || !stdoutIsTerminal(stdout)
	switch _, size := player.LoadProgress(); {
	case isHeadless:
		player.Load(-1)
	case size > openLargeBytes:
		player.Load(0)
	default:
		player.Load(openBudget)
	}
	rec := player.Recording()
	warned := len(rec.Problems)
	for _, p := range rec.Problems {
		fmt.Fprintf(stderr, "rtinspect open: warning: %s\n", p)
	}
	body, _ := rec.DispatchBody()
	helps, err := loadAnswering(f, body)
	if err != nil {
		fmt.Fprintf(stderr, "rtinspect open: %v%s\n", err, cfg.sourceOf(err))
		return headless.ExitUsage
	}
	helpNotice := helps.report(stderr)
	s := player.Session()
	s.SetChecker(helps.catalog.Checker())
	loading := player.Loading()
	draftsPath := record.DraftsPath(rec.Path)
	restored := 0
	if !loading {
		if d, err := record.LoadDrafts(draftsPath); err != nil {
			fmt.Fprintf(stderr, "rtinspect open: %v\n", err)
		} else {
			restored = ui.RestoreDrafts(s, d)
		}
	}
	if isHeadless {
		c := s.Counts()
		fmt.Fprintf(stdout, "%s: %d frames in %d stream(s), %d events; the run is %s; %d pending call(s), %d approval(s); %d draft(s) restored\n",
			rec.Path, rec.Frames(), len(rec.Streams()), c.Events, s.State(), c.Pending, c.Approvals, restored)
		return 0
	}
	// A flag, the environment or the profile name the server; else the
	// one the recording was made against.
	baseURL := cfg.baseURL.v
	if cfg.baseURL.from == "default" {
		baseURL = firstNonEmpty(rec.Header.BaseURL, baseURL)
	}
	key := cfg.apiKey
	client := newClient(f, baseURL, key)
	opts := ui.Options{
		Client: client, Player: player, Title: "open " + rec.Path,
		DraftsPath: draftsPath, Catalog: helps.catalog, Rules: helps.rules, Debug: f.debugFunc(),
		// Answering live needs somewhere to send it: a key (the demo's open
		// simulated server takes any). Still loading, the inspector checks
		// that the run ended paused once it is loaded, restores the drafts
		// and learns the answers the recording sent.
		Live: key != "" && (loading || s.State() == api.RunPaused),
		StartRecording: func() (*record.Writer, error) {
			r, err := startRecording(f, baseURL, "open", rec.Path, false)
			return r.w, err
		},
	}
	if !loading {
		opts.LastAnswers = model.LearnAnswers(rec).Last()
	}
	notice := helpNotice
	if len(rec.Problems) > 0 {
		notice = fmt.Sprintf("%d problem(s) reading the recording, first: %s", len(rec.Problems), rec.Problems[0])
	} else if restored > 0 {
		notice = fmt.Sprintf("%d unsent answer(s) restored from %s", restored, draftsPath)
	}
	cfg.uiOptions(&opts, notice)
	m, code := startInspector(ctx, opts, stderr)
	// Problems met while the inspector was up were on its status bar.
	for _, p := range player.Recording().Problems[warned:] {
		fmt.Fprintf(stderr, "rtinspect open: warning: %s\n", p)
	}
	if p := m.RecordingPath(); p != "" {
		fmt.Fprintf(stderr, "rtinspect: the continuation is recorded in %s\n", p)
		f.debug.Log("recording", "the frames are in the session recording", "path", p)
	}
	return code
}

func cmdReplay(ctx context.Context, args []string, stdout, stderr io.Writer) (code int) {
	var f serverFlags
	defer func() { f.closeDebug(code) }()
	fs := newFlagSet("replay", stderr)
	f.register(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return headless.ExitUsage
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "rtinspect replay: give one SESSION.jsonl")
		return headless.ExitUsage
	}
	rec, ok := readRecording("replay", pos[0], stderr)
	if !ok {
		return headless.ExitUsage
	}
	body, ok := rec.DispatchBody()
	if !ok {
		fmt.Fprintf(stderr, "rtinspect replay: %s has no dispatch request to re-send\n", rec.Path)
		return headless.ExitUsage
	}
	cfg, ok := f.loadSettings("replay", stderr)
	if !ok {
		return headless.ExitUsage
	}
	return inspect(ctx, inspectConfig{
		flags: f, settings: cfg, baseURL: cfg.baseURL.v, apiKey: cfg.apiKey, body: body, source: rec.Path, command: "replay",
		title: "replay " + rec.Path, original: rec,
	}, stdout, stderr)
}

// reportReplay compares a headless replay with its original, prints the
// report (a JSON line on stdout, words on stderr) and returns the exit
// status: 0 when the runs match, 1 when they diverge.
func reportReplay(original *record.Recording, newPath string, stdout, stderr io.Writer) int {
	got, err := record.ReadFile(newPath)
	if err != nil {
		fmt.Fprintf(stderr, "rtinspect replay: cannot read the replay's recording back: %v\n", err)
		return headless.ExitFailed
	}
	rep := diff.Compare(original, got)
	if js, err := rep.JSON(); err == nil {
		var v map[string]any
		if json.Unmarshal(js, &v) == nil {
			v["type"] = "divergence"
			line, _ := json.Marshal(v)
			fmt.Fprintf(stdout, "%s\n", line)
		}
	}
	fmt.Fprintln(stderr, rep.Text())
	if rep.Match {
		return 0
	}
	return 1
}

func cmdDiff(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("diff", stderr)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return headless.ExitUsage
	}
	if len(pos) != 2 {
		fmt.Fprintln(stderr, "rtinspect diff: give two recordings, A.jsonl B.jsonl")
		return headless.ExitUsage
	}
	a, ok := readRecording("diff", pos[0], stderr)
	if !ok {
		return headless.ExitUsage
	}
	b, ok := readRecording("diff", pos[1], stderr)
	if !ok {
		return headless.ExitUsage
	}
	rep := diff.Compare(a, b)
	if *asJSON {
		js, err := rep.JSON()
		if err != nil {
			fmt.Fprintf(stderr, "rtinspect diff: %v\n", err)
			return headless.ExitUsage
		}
		fmt.Fprintf(stdout, "%s\n", js)
	} else {
		fmt.Fprintln(stdout, rep.Text())
	}
	if rep.Match {
		return 0
	}
	return 1
}

// simFrom loads the recording `rtinspect sim --from` plays back.
func simFrom(path string, stderr io.Writer) (*record.Recording, bool) {
	return readRecording("sim", path, stderr)
}
