// Command rtinspect is a terminal session inspector for Runtype flow and
// agent executions: it shows an execution's live event stream, lets a person
// answer each pending tool call in $EDITOR, and sends the resume.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"

	"rtinspect/api"
	"rtinspect/api/record"
	"rtinspect/api/sim"
	"rtinspect/model"
	"rtinspect/ui"
	"rtinspect/ui/headless"
)

const usage = `rtinspect: inspect Runtype flow and agent executions

Usage:
  rtinspect demo [SCENARIO] [--legacy]          the inspector on the built-in simulated server
  rtinspect dispatch [flags] REQUEST.json        POST /v1/dispatch with that body ('-' reads stdin)
  rtinspect open [flags] SESSION.jsonl           browse a recorded session offline (answer live
                                                 from it when it ended paused and a key is given)
  rtinspect replay [flags] SESSION.jsonl         re-send the recorded dispatch, answer its pauses
                                                 from the recording, report where the runs diverge
  rtinspect diff [--json] A.jsonl B.jsonl        compare two recorded sessions
  rtinspect sim [--addr 127.0.0.1:8787]          run the simulated Runtype server alone
                [--from SESSION.jsonl]           (or play a recorded session back)
  rtinspect config [flags]                       print the effective configuration and where
                                                 each value comes from

Flags for dispatch (and demo, open, replay):
  --base-url URL     API root (env RUNTYPE_BASE_URL, else the profile's, else https://api.runtype.com)
  --api-key KEY      API key (env RUNTYPE_API_KEY, or the variable the profile names); never written anywhere
  --profile NAME     a [profiles.NAME] of the config file (env RTINSPECT_PROFILE)
  --config FILE      config file (env RTINSPECT_CONFIG, default $XDG_CONFIG_HOME/rtinspect/config.toml)
  --theme NAME       colours: auto, dark, light, low, none
  --no-mouse         start with mouse reporting off
  --headless         no UI: events as JSON lines on stdout (default when stdout is not a terminal)
  --answers FILE     answers to apply at pauses
  --record PATH      where to record the session (default: a new file under the config's
                     record_dir, else $XDG_STATE_HOME/rtinspect/sessions)
  --no-record        do not record
  --no-unified       do not ask for the unified event vocabulary (?events=unified)
  --debug-log FILE   append requests, responses, stream ends and errors to FILE, never the
                     key (env RTINSPECT_DEBUG_LOG); sim --debug-log FILE logs the server's side

Run 'rtinspect COMMAND -h' for every flag of a command.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return headless.ExitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch args[0] {
	case "demo":
		return cmdDemo(ctx, args[1:], stdout, stderr)
	case "dispatch":
		return cmdDispatch(ctx, args[1:], stdin, stdout, stderr)
	case "sim":
		return cmdSim(ctx, args[1:], stdout, stderr)
	case "open":
		return cmdOpen(ctx, args[1:], stdout, stderr)
	case "replay":
		return cmdReplay(ctx, args[1:], stdout, stderr)
	case "diff":
		return cmdDiff(args[1:], stdout, stderr)
	case "config":
		return cmdConfig(args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "rtinspect: unknown command %q\n\n%s", args[0], usage)
	return headless.ExitUsage
}

// serverFlags are the flags shared by the commands that talk to a server;
// loadSettings fills in what the config file says for those not given.
type serverFlags struct {
	fs         *flag.FlagSet // to tell a flag given from its default
	configPath string
	profile    string
	theme      string
	noMouse    bool
	// recordDir is the config file's record_dir: where automatically
	// named recordings go ("" means record.DefaultDir()).
	recordDir string

	baseURL   string
	apiKey    string
	headless  bool
	answers   string
	noUnified bool
	record    string
	noRecord  bool
	tools     string
	rules     string
	insecure  bool
	// headerTimeout bounds the wait for a response's headers: a server
	// that accepts and never answers is reported, not waited on forever.
	headerTimeout time.Duration
	idleWarn      time.Duration
	// debugLog is --debug-log; debug is the debug log loadSettings opened
	// (nil when none is asked for), closed by closeDebug.
	debugLog string
	debug    *api.DebugLog
}

func (f *serverFlags) register(fs *flag.FlagSet) {
	f.registerConfigFlags(fs)
	fs.BoolVar(&f.headless, "headless", false, "no UI: JSON lines on stdout (default when stdout is not a terminal)")
	fs.StringVar(&f.answers, "answers", "", "answers file applied at pauses")
	fs.BoolVar(&f.noUnified, "no-unified", false, "do not add ?events=unified to dispatch and resume")
	fs.StringVar(&f.record, "record", "", "where to write the session recording")
	fs.BoolVar(&f.noRecord, "no-record", false, "do not record the session")
	fs.BoolVar(&f.insecure, "insecure", false, "allow sending the API key over plain http:// to a host that is not loopback")
}

// parseArgs parses flags wherever they stand among the positional
// arguments ("dispatch req.json --headless" works as well as the reverse).
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("rtinspect "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// isTerminal reports whether w is a terminal; headless mode is the default
// when stdout is not one.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// The end-to-end tests replace these two to run the real inspector under
// teatest rather than on a terminal: everything up to the ui.Options it is
// given is the program's own code.
var (
	stdoutIsTerminal = isTerminal
	startInspector   = func(ctx context.Context, opts ui.Options, stderr io.Writer) (*ui.Model, int) {
		m := ui.New(opts)
		return m, runUI(ctx, m, stderr)
	}
)

func loadAnswers(path string) (*model.Answers, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("answers file: %w", err)
	}
	a, err := model.ParseAnswers(data)
	if err != nil {
		return nil, fmt.Errorf("answers file %s: %w", path, err)
	}
	return &a, nil
}

func cmdDispatch(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	var f serverFlags
	defer func() { f.closeDebug(code) }()
	fs := newFlagSet("dispatch", stderr)
	f.register(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return headless.ExitUsage
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "rtinspect dispatch: give one REQUEST.json (or - for stdin)")
		return headless.ExitUsage
	}
	cfg, ok := f.loadSettings("dispatch", stderr)
	if !ok {
		return headless.ExitUsage
	}
	var body []byte
	if pos[0] == "-" {
		body, err = io.ReadAll(stdin)
	} else {
		body, err = os.ReadFile(pos[0])
	}
	if err != nil {
		fmt.Fprintf(stderr, "rtinspect dispatch: %v\n", err)
		return headless.ExitUsage
	}
	baseURL := cfg.baseURL.v
	return inspect(ctx, inspectConfig{
		flags: f, settings: cfg, baseURL: baseURL, apiKey: cfg.apiKey, body: body, source: pos[0], command: "dispatch",
		title: strings.TrimPrefix(strings.TrimPrefix(baseURL, "https://"), "http://"),
	}, stdout, stderr)
}

type inspectConfig struct {
	flags serverFlags
	// settings are the config file's and the environment's, resolved.
	settings settings
	baseURL  string
	apiKey   string
	body     []byte
	source   string
	title    string
	command  string // "dispatch", "demo" or "replay": written in the recording's header
	// replay: the recording being replayed (its answers answer the pauses)
	original *record.Recording
}

// inspect sends the dispatch and follows it, in the terminal UI or
// headless, recording the session unless told not to.
func inspect(ctx context.Context, c inspectConfig, stdout, stderr io.Writer) int {
	if err := checkTransport(c.baseURL, c.apiKey, c.flags.insecure); err != nil {
		fmt.Fprintf(stderr, "rtinspect: %v\n", err)
		return headless.ExitUsage
	}
	client := newClient(c.flags, c.baseURL, c.apiKey)
	req, err := client.DispatchRequest(c.body)
	if err != nil {
		fmt.Fprintf(stderr, "rtinspect: %s: %v\n", c.source, err)
		return headless.ExitUsage
	}
	answers, err := loadAnswers(c.flags.answers)
	if err != nil {
		fmt.Fprintf(stderr, "rtinspect: %v\n", err)
		return headless.ExitUsage
	}
	helps, err := loadAnswering(c.flags, c.body)
	if err != nil {
		fmt.Fprintf(stderr, "rtinspect: %v%s\n", err, c.settings.sourceOf(err))
		return headless.ExitUsage
	}
	helpNotice := helps.report(stderr)
	continues := ""
	if c.original != nil {
		continues = c.original.Path
	}
	rec, err := startRecording(c.flags, c.baseURL, c.command, continues, c.original != nil)
	notice := ""
	if err != nil {
		// Not being able to record is no reason not to inspect.
		notice = fmt.Sprintf("not recording: %v", err)
		fmt.Fprintf(stderr, "rtinspect: %s\n", notice)
	}
	if rec.w != nil {
		client.Recorder = rec.w
		defer rec.close(stderr, c.flags.debug)
	}
	var recorded *model.RecordedAnswers
	if c.original != nil {
		recorded = model.LearnAnswers(c.original)
	}
	s := model.NewSession()
	s.SetKind(model.KindOfDispatch(c.body))
	s.SetChecker(helps.catalog.Checker())
	if c.flags.headless || !stdoutIsTerminal(stdout) {
		code := headless.Run(ctx, headless.Options{Client: client, Session: s, Answers: answers, Recorded: recorded, Rules: helps.rules, Out: stdout, Err: stderr}, req)
		if rec.w != nil && rec.autoDir != "" && s.ExecutionID() != "" {
			// Named after the execution, like the inspector's recordings.
			rec.w.Rename(record.NewPath(rec.autoDir, rec.started, s.ExecutionID()))
		}
		if c.original != nil && rec.w != nil && code != headless.ExitUsage {
			// A replay's status is whether the runs matched; one left
			// waiting for answers the recording did not have stays 3, with
			// the report of how far it matched.
			if rc := reportReplay(c.original, rec.w.Path(), stdout, stderr); code != headless.ExitWaiting {
				code = rc
			}
		}
		return code
	}
	opts := ui.Options{Client: client, Session: s, Dispatch: &req, Title: c.title, Answers: answers,
		Recording: rec.w, RecordDir: rec.autoDir,
		Catalog: helps.catalog, Rules: helps.rules, IdleWarn: c.flags.idleWarn, Debug: c.flags.debugFunc()}
	c.settings.uiOptions(&opts, notice, helpNotice)
	if c.original != nil {
		opts.Replay = &ui.Replay{Recorded: recorded, Original: c.original}
		opts.LastAnswers = recorded.Last()
	}
	_, code := startInspector(ctx, opts, stderr)
	return code
}

// newClient builds the API client the flags describe.
func newClient(f serverFlags, baseURL, key string) *api.Client {
	c := api.NewClient(baseURL, key)
	c.Unified = !f.noUnified
	c.Debug = f.debug
	if tr, ok := c.HTTP.Transport.(*http.Transport); ok && f.headerTimeout > 0 {
		tr.ResponseHeaderTimeout = f.headerTimeout
	}
	return c
}

// openDebugLog opens the debug log the settings name, if any, into
// f.debug, and writes its first line: what runs, which build, against
// which server, configured from where (never the key, only whether it is
// set). Not being able to open it is no reason not to run: the reason is
// said on stderr and returned for the status bar.
func (f *serverFlags) openDebugLog(cmd string, s settings, stderr io.Writer) string {
	if s.debugLog.v == "" {
		return ""
	}
	d, err := api.OpenDebugLog(s.debugLog.v)
	if err != nil {
		msg := fmt.Sprintf("no debug log: %v", err)
		fmt.Fprintf(stderr, "rtinspect %s: %s\n", cmd, msg)
		return msg
	}
	d.AddSecret(s.apiKey)
	f.debug = d
	config := "none"
	switch {
	case s.path.v != "" && s.problem != nil:
		config = s.path.v + " (ignored: it has an error)"
	case s.exists:
		config = s.path.v
	case s.path.v != "":
		config = s.path.v + " (does not exist)"
	}
	args := []any{"version", buildVersion(), "go", runtime.Version(), "os", runtime.GOOS + "/" + runtime.GOARCH,
		"pid", os.Getpid(), "config", config, "debug_log_from", s.debugLog.from}
	if s.profile.v != "" {
		args = append(args, "profile", s.profile.v)
	}
	if cmd == "dispatch" || cmd == "replay" {
		// The demo talks to its own simulated server, with no key; open
		// may take its server from the recording: its requests say which.
		args = append(args, "base_url", s.baseURL.v, "base_url_from", s.baseURL.from)
	}
	if cmd != "demo" {
		key := "not set"
		if s.keyFrom != "" {
			key = "set, from " + s.keyFrom
		}
		args = append(args, "key", key)
	}
	d.Log("start", "rtinspect "+cmd, args...)
	return ""
}

// closeDebug ends the debug log with the command's exit status.
func (f *serverFlags) closeDebug(code int) {
	if f.debug == nil {
		return
	}
	f.debug.Log("exit", fmt.Sprintf("exit status %d", code), "code", code)
	f.debug.Close()
}

// debugFunc is what the inspector logs through (the editor runs, how
// streams leave the run): nil without a debug log.
func (f serverFlags) debugFunc() func(kind, msg string, args ...any) {
	if f.debug == nil {
		return nil
	}
	return f.debug.Log
}

// buildVersion names the build for a bug report: the module version, and
// the commit when the build recorded one.
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev != "" {
		v += " " + rev[:min(12, len(rev))]
		if dirty {
			v += "+dirty"
		}
	}
	return v
}

// checkTransport refuses to send a key in clear text over the network:
// plain http:// is for loopback (the simulated server, a local proxy)
// unless --insecure says otherwise.
func checkTransport(baseURL, key string, insecure bool) error {
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("--base-url %q is not an http(s) URL", baseURL)
	}
	if u.Scheme == "https" || key == "" || insecure {
		return nil
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
		return nil
	}
	return fmt.Errorf("refusing to send the API key over plain http to %s: use https, or --insecure if you mean it", host)
}

// runUI runs the inspector until the user quits, then says where the
// session and any unsent answers are kept.
func runUI(ctx context.Context, m *ui.Model, stderr io.Writer) int {
	defer m.Close()
	p := tea.NewProgram(m, tea.WithContext(ctx))
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		fmt.Fprintf(stderr, "rtinspect: %v\n", err)
		return headless.ExitFailed
	}
	if m.Session().InFlight() {
		// The request may or may not have reached the server: say so, and
		// where to look, rather than leave a half-sent state unexplained.
		where := ""
		if p := m.RecordingPath(); p != "" {
			where = "; rtinspect open " + p + " shows what was received"
		}
		fmt.Fprintf(stderr, "rtinspect: you quit while a request was in flight: the server may have received it%s\n", where)
	}
	if n := m.UnsentDrafts(); n > 0 && m.DraftsPath() != "" {
		fmt.Fprintf(stderr, "rtinspect: %d unsent answer(s) kept in %s; they come back with rtinspect open\n", n, m.DraftsPath())
	}
	if r := m.ReplayReport(); r != "" {
		fmt.Fprintln(stderr, r)
	}
	return 0
}

// recording is the session recording a command writes, if any.
type recording struct {
	w *record.Writer
	// autoDir is the folder of an automatically named recording (renamed
	// after the execution id once known); "" for --record PATH.
	autoDir string
	// temp marks a recording made only so a replay can be compared
	// (--no-record): it is removed at the end.
	temp    bool
	started time.Time
}

// startRecording opens the session recording: --record PATH, else a new
// file under the state folder; none with --no-record (unless a replay
// needs one to compare, then a temporary one).
func startRecording(f serverFlags, baseURL, command, continues string, needed bool) (recording, error) {
	h := record.Header{BaseURL: baseURL, Continues: continues, Command: command}
	if f.noRecord {
		if !needed {
			return recording{}, nil
		}
		dir, err := os.MkdirTemp("", "rtinspect-replay-")
		if err != nil {
			return recording{}, err
		}
		w, err := record.Create(filepath.Join(dir, "replay.jsonl"), h)
		if err != nil {
			return recording{}, err
		}
		return recording{w: w, temp: true}, nil
	}
	if f.record != "" {
		w, err := record.Create(f.record, h)
		if err != nil {
			return recording{}, err
		}
		return recording{w: w}, nil
	}
	dir := f.recordDir
	if dir == "" {
		var err error
		if dir, err = record.DefaultDir(); err != nil {
			return recording{}, err
		}
	}
	now := time.Now()
	w, err := record.Create(record.NewPath(dir, now, ""), h)
	if err != nil {
		return recording{}, err
	}
	return recording{w: w, autoDir: dir, started: now}, nil
}

// close closes the recording and says where it is, on stderr and in the
// debug log (whose reader needs the frames it leaves out).
func (r recording) close(stderr io.Writer, dbg *api.DebugLog) {
	r.w.Close()
	if r.temp {
		os.RemoveAll(filepath.Dir(r.w.Path()))
		return
	}
	if err := r.w.Err(); err != nil {
		fmt.Fprintf(stderr, "rtinspect: the recording %s is incomplete: %v\n", r.w.Path(), err)
		dbg.Log("recording", "incomplete: "+err.Error(), "path", r.w.Path())
		return
	}
	fmt.Fprintf(stderr, "rtinspect: session recorded in %s\n", r.w.Path())
	dbg.Log("recording", "the frames are in the session recording", "path", r.w.Path())
}

func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) (code int) {
	var f serverFlags
	defer func() { f.closeDebug(code) }()
	fs := newFlagSet("demo", stderr)
	f.register(fs)
	scenario := fs.String("scenario", "parallel", "scenario: "+scenarioNames())
	legacy := fs.Bool("legacy", false, "the simulated server speaks the legacy vocabulary")
	delay := fs.Duration("delay", 30*time.Millisecond, "pause between simulated frames")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return headless.ExitUsage
	}
	switch {
	case len(pos) == 1 && *scenario == "parallel":
		// `rtinspect demo big` reads as it is meant.
		*scenario = pos[0]
	case len(pos) > 0:
		fmt.Fprintf(stderr, "rtinspect demo: one scenario, by name or --scenario (%s)\n", scenarioNames())
		return headless.ExitUsage
	}
	// The demo's server is the simulated one: the profile's base URL and
	// key do not apply, everything else of the config file does.
	cfg, ok := f.loadSettings("demo", stderr)
	if !ok {
		return headless.ExitUsage
	}
	body, err := sim.DispatchBody(*scenario)
	if err != nil {
		fmt.Fprintf(stderr, "rtinspect demo: %v\n", err)
		return headless.ExitUsage
	}
	srv, ln, err := sim.Listen("127.0.0.1:0", sim.Options{Open: true, Legacy: *legacy, Scenario: *scenario, Delay: *delay})
	if err != nil {
		fmt.Fprintf(stderr, "rtinspect demo: cannot start the simulated server: %v\n", err)
		return headless.ExitFailed
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go sim.Serve(sctx, ln, srv)
	return inspect(ctx, inspectConfig{
		flags: f, settings: cfg, baseURL: "http://" + ln.Addr().String(), body: body, source: "demo " + *scenario, command: "demo",
		title: "demo · " + *scenario + " · simulated server",
	}, stdout, stderr)
}

func scenarioNames() string {
	var names []string
	for _, s := range sim.Scenarios() {
		names = append(names, s.Name)
	}
	return strings.Join(names, ", ")
}

func cmdSim(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("sim", stderr)
	addr := fs.String("addr", "127.0.0.1:8787", "address to listen on")
	scenario := fs.String("scenario", "parallel", "default scenario: "+scenarioNames())
	legacy := fs.Bool("legacy", false, "speak only the legacy vocabulary")
	open := fs.Bool("open", false, "accept requests without an API key")
	key := fs.String("api-key", "", "require exactly this key (default: any non-empty key)")
	delay := fs.Duration("delay", 0, "pause between frames")
	from := fs.String("from", "", "play this recorded session back instead of the scenarios")
	speed := fs.Float64("speed", 1, "with --from: playback speed (1 recorded, 10 ten times faster, 0 no waiting)")
	debugLog := fs.String("debug-log", "", "append what the server receives and answers to FILE (credentials masked)")
	if _, err := parseArgs(fs, args); err != nil {
		return headless.ExitUsage
	}
	opts := sim.Options{APIKey: *key, Open: *open, Legacy: *legacy, Scenario: *scenario, Delay: *delay, Speed: *speed}
	var srv *sim.Server
	what := "scenarios: " + scenarioNames()
	if *from != "" {
		rec, ok := readRecording("sim", *from, stderr)
		if !ok {
			return headless.ExitUsage
		}
		var err error
		if srv, err = sim.NewPlayback(rec, opts); err != nil {
			fmt.Fprintf(stderr, "rtinspect sim: %v\n", err)
			return headless.ExitUsage
		}
		what = "playing back " + rec.Path
	} else {
		if _, err := sim.DispatchBody(*scenario); err != nil {
			fmt.Fprintf(stderr, "rtinspect sim: %v\n", err)
			return headless.ExitUsage
		}
		srv = sim.New(opts)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "rtinspect sim: %v\n", err)
		return headless.ExitFailed
	}
	var handler http.Handler = srv
	if *debugLog != "" {
		d, err := api.OpenDebugLog(*debugLog)
		if err != nil {
			fmt.Fprintf(stderr, "rtinspect sim: no debug log: %v\n", err)
		} else {
			defer d.Close()
			d.AddSecret(*key)
			d.Log("start", "rtinspect sim", "version", buildVersion(), "go", runtime.Version(), "pid", os.Getpid(), "addr", ln.Addr().String(), "serving", what)
			handler = d.Handler(srv)
		}
	}
	fmt.Fprintf(stdout, "simulated Runtype server on http://%s (%s); ctrl+c stops it\n", ln.Addr(), what)
	if err := sim.Serve(ctx, ln, handler); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, net.ErrClosed) {
		fmt.Fprintf(stderr, "rtinspect sim: %v\n", err)
		return headless.ExitFailed
	}
	return 0
}
