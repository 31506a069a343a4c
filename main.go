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
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"

	"rtinspect/api"
	"rtinspect/api/sim"
	"rtinspect/model"
	"rtinspect/ui"
	"rtinspect/ui/headless"
)

const usage = `rtinspect: inspect Runtype flow and agent executions

Usage:
  rtinspect demo [--scenario NAME] [--legacy]    the inspector on the built-in simulated server
  rtinspect dispatch [flags] REQUEST.json        POST /v1/dispatch with that body ('-' reads stdin)
  rtinspect sim [--addr 127.0.0.1:8787]          run the simulated Runtype server alone
  rtinspect open | replay | diff                 recorded sessions (not available in this version)

Flags for dispatch (and demo):
  --base-url URL     API root (env RUNTYPE_BASE_URL, default https://api.runtype.com)
  --api-key KEY      API key (env RUNTYPE_API_KEY); never written anywhere
  --headless         no UI: events as JSON lines on stdout (default when stdout is not a terminal)
  --answers FILE     answers to apply at pauses
  --no-unified       do not ask for the unified event vocabulary (?events=unified)

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
	case "open", "replay", "diff":
		fmt.Fprintf(stderr, "rtinspect %s: recorded sessions are not available in this version\n", args[0])
		return headless.ExitUsage
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "rtinspect: unknown command %q\n\n%s", args[0], usage)
	return headless.ExitUsage
}

// serverFlags are the flags shared by the commands that talk to a server.
type serverFlags struct {
	baseURL   string
	apiKey    string
	headless  bool
	answers   string
	noUnified bool
	record    string
	noRecord  bool
}

func (f *serverFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.baseURL, "base-url", "", "API root (env RUNTYPE_BASE_URL; default https://api.runtype.com)")
	fs.StringVar(&f.apiKey, "api-key", "", "API key (env RUNTYPE_API_KEY)")
	fs.BoolVar(&f.headless, "headless", false, "no UI: JSON lines on stdout (default when stdout is not a terminal)")
	fs.StringVar(&f.answers, "answers", "", "answers file applied at pauses")
	fs.BoolVar(&f.noUnified, "no-unified", false, "do not add ?events=unified to dispatch and resume")
	fs.StringVar(&f.record, "record", "", "where to write the session recording")
	fs.BoolVar(&f.noRecord, "no-record", false, "do not record the session")
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

func cmdDispatch(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var f serverFlags
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
	baseURL := firstNonEmpty(f.baseURL, os.Getenv("RUNTYPE_BASE_URL"), "https://api.runtype.com")
	key := firstNonEmpty(f.apiKey, os.Getenv("RUNTYPE_API_KEY"))
	return inspect(ctx, inspectConfig{
		flags: f, baseURL: baseURL, apiKey: key, body: body, source: pos[0],
		title: strings.TrimPrefix(strings.TrimPrefix(baseURL, "https://"), "http://"),
	}, stdout, stderr)
}

type inspectConfig struct {
	flags   serverFlags
	baseURL string
	apiKey  string
	body    []byte
	source  string
	title   string
}

// inspect sends the dispatch and follows it, in the terminal UI or
// headless.
func inspect(ctx context.Context, c inspectConfig, stdout, stderr io.Writer) int {
	client := api.NewClient(c.baseURL, c.apiKey)
	client.Unified = !c.flags.noUnified
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
	s := model.NewSession()
	s.SetKind(model.KindOfDispatch(c.body))
	if c.flags.headless || !isTerminal(stdout) {
		return headless.Run(ctx, headless.Options{Client: client, Session: s, Answers: answers, Out: stdout, Err: stderr}, req)
	}
	m := ui.New(ui.Options{Client: client, Session: s, Keys: defaultKeyMap(), Dispatch: &req, Title: c.title, Answers: answers})
	defer m.Close()
	p := tea.NewProgram(m, tea.WithContext(ctx))
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		fmt.Fprintf(stderr, "rtinspect: %v\n", err)
		return headless.ExitFailed
	}
	return 0
}

func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f serverFlags
	fs := newFlagSet("demo", stderr)
	f.register(fs)
	scenario := fs.String("scenario", "parallel", "scenario: "+scenarioNames())
	legacy := fs.Bool("legacy", false, "the simulated server speaks the legacy vocabulary")
	delay := fs.Duration("delay", 30*time.Millisecond, "pause between simulated frames")
	if _, err := parseArgs(fs, args); err != nil {
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
		flags: f, baseURL: "http://" + ln.Addr().String(), body: body, source: "demo " + *scenario,
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
	if _, err := parseArgs(fs, args); err != nil {
		return headless.ExitUsage
	}
	if _, err := sim.DispatchBody(*scenario); err != nil {
		fmt.Fprintf(stderr, "rtinspect sim: %v\n", err)
		return headless.ExitUsage
	}
	srv, ln, err := sim.Listen(*addr, sim.Options{APIKey: *key, Open: *open, Legacy: *legacy, Scenario: *scenario, Delay: *delay})
	if err != nil {
		fmt.Fprintf(stderr, "rtinspect sim: %v\n", err)
		return headless.ExitFailed
	}
	fmt.Fprintf(stdout, "simulated Runtype server on http://%s (scenarios: %s); ctrl+c stops it\n", ln.Addr(), scenarioNames())
	if err := sim.Serve(ctx, ln, srv); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, net.ErrClosed) {
		fmt.Fprintf(stderr, "rtinspect sim: %v\n", err)
		return headless.ExitFailed
	}
	return 0
}
