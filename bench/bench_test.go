package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"rtinspect/api/sim"
)

// The whole-program benchmarks share one temporary folder, one build of
// rtinspect and the recordings they generate, across -count runs.
var (
	workDir   string
	buildOnce sync.Once
	binPath   string
	buildErr  error

	recMu   sync.Mutex
	recDone = map[int]string{}
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "rtinspect-bench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	workDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// binary builds rtinspect once (only when a benchmark needs it: the tests
// of this package do not).
func binary(b *testing.B) string {
	b.Helper()
	buildOnce.Do(func() {
		binPath = filepath.Join(workDir, "rtinspect")
		cmd := exec.Command("go", "build", "-o", binPath, ".")
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		b.Fatal(buildErr)
	}
	return binPath
}

// longRecording returns a recording of the long scenario with n text
// deltas (n+6 frames), written once per process.
func longRecording(b *testing.B, n int) string {
	b.Helper()
	recMu.Lock()
	defer recMu.Unlock()
	if p, ok := recDone[n]; ok {
		return p
	}
	p := filepath.Join(workDir, fmt.Sprintf("long-%d.jsonl", n))
	if err := writeLongRecording(p, n); err != nil {
		b.Fatal(err)
	}
	recDone[n] = p
	return p
}

// startSim runs `rtinspect sim --open` on a free loopback port, in its own
// process like a real server, and returns its URL.
func startSim(b *testing.B, bin string) string {
	b.Helper()
	cmd := exec.Command(bin, "sim", "--open", "--addr", "127.0.0.1:0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	url := regexp.MustCompile(`http://[0-9.]+:[0-9]+`).FindString(line)
	if url == "" {
		b.Fatalf("sim did not say where it listens: %q %v", line, err)
	}
	go io.Copy(io.Discard, out)
	return url
}

// longBody writes the long scenario's dispatch body with n deltas.
func longBody(b *testing.B, n int) string {
	b.Helper()
	raw, err := sim.DispatchBody("long")
	if err != nil {
		b.Fatal(err)
	}
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		b.Fatal(err)
	}
	meta, _ := body["metadata"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
	}
	meta["deltas"] = n
	body["metadata"] = meta
	body["options"] = map[string]any{"streamResponse": true}
	js, _ := json.Marshal(body)
	p := filepath.Join(workDir, fmt.Sprintf("long-%d.req.json", n))
	if err := os.WriteFile(p, js, 0o600); err != nil {
		b.Fatal(err)
	}
	return p
}

// run times one command: wall time and CPU time (user + system).
func run(b *testing.B, cmd *exec.Cmd) (wall, cpu time.Duration) {
	b.Helper()
	var errb bytes.Buffer
	cmd.Stderr = &errb
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("%v: %v\n%s", cmd.Args, err, errb.Bytes())
	}
	wall = time.Since(start)
	return wall, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

// e2eDeltas is the size of the end-to-end stream: 500,000 text deltas
// (500,006 frames, about 64 MB of SSE).
const e2eDeltas = 500_000

// BenchmarkEndToEnd times `rtinspect dispatch --headless --no-record`
// (stdout to /dev/null) of the long scenario with 500,000 deltas, against
// `curl -sN` reading the same stream to /dev/null, alternately, in the
// same run. ns/op is rtinspect's wall time; curl-ms/op and x-curl (the
// target: within 2x) say how it compares.
//
// sim: the simulated server (`rtinspect sim --open`, its own process), as
// the target says. Generating frames costs the server more CPU than
// either client, on a machine of two cores, so it also runs against
// static: the same bytes, captured once, served from memory, which shows
// the client's own cost.
func BenchmarkEndToEnd(b *testing.B) {
	bin := binary(b)
	simURL := startSim(b, bin)
	req := longBody(b, e2eDeltas)
	b.Run("server=sim", func(b *testing.B) { benchDispatch(b, bin, simURL, req) })

	body, _ := os.ReadFile(req)
	resp, err := http.Post(simURL+"/v1/dispatch?events=unified", "application/json", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	stream, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 {
		b.Fatalf("capturing the stream: %d %v", resp.StatusCode, err)
	}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Content-Length", strconv.Itoa(len(stream)))
		w.WriteHeader(200)
		w.Write(stream)
	}))
	defer hs.Close()
	b.Run("server=static", func(b *testing.B) { benchDispatch(b, bin, hs.URL, req) })
}

func benchDispatch(b *testing.B, bin, url, req string) {
	curl, curlErr := exec.LookPath("curl")
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer null.Close()
	var rtWall, rtCPU, baseWall time.Duration
	baseline := func() {
		if curlErr != nil {
			// No curl: a Go client that reads the body to io.Discard.
			body, _ := os.ReadFile(req)
			start := time.Now()
			resp, err := http.Post(url+"/v1/dispatch?events=unified", "application/json", bytes.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			baseWall += time.Since(start)
			return
		}
		cmd := exec.Command(curl, "-sSN", "-X", "POST", "-H", "Content-Type: application/json",
			"--data-binary", "@"+req, "-o", os.DevNull, url+"/v1/dispatch?events=unified")
		w, _ := run(b, cmd)
		baseWall += w
	}
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		if i%2 == 0 {
			baseline()
		}
		cmd := exec.Command(bin, "dispatch", "--headless", "--no-record", "--base-url", url, req)
		cmd.Stdout = null
		b.StartTimer()
		w, c := run(b, cmd)
		b.StopTimer()
		if i%2 == 1 {
			baseline()
		}
		rtWall += w
		rtCPU += c
	}
	n := float64(b.N)
	name := "curl"
	if curlErr != nil {
		name = "goclient"
	}
	b.ReportMetric(rtCPU.Seconds()/n, "cpu-s/op")
	b.ReportMetric(float64(baseWall.Milliseconds())/n, name+"-ms/op")
	b.ReportMetric(rtWall.Seconds()/baseWall.Seconds(), "x-"+name)
	b.ReportMetric(e2eDeltas/rtWall.Seconds()*n, "events/s")
}

// openFrames is the size of the open benchmark's recording: 1,000,000 text
// deltas (1,000,006 frames, about 200 MB).
const openFrames = 1_000_000

// BenchmarkOpen times `rtinspect open` of a 1 M-frame recording from exec
// to its first frame on a 120x40 pseudo-terminal (target: under 1 s),
// against the same for a recording of 100 frames. ns/op is the big one's;
// x-small is the ratio.
func BenchmarkOpen(b *testing.B) {
	bin := binary(b)
	big := longRecording(b, openFrames)
	small := longRecording(b, 100)
	var bigT, smallT time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		t, err := firstFrame(nil, "Events", "q", bin, "open", small)
		if err != nil {
			b.Fatal(err)
		}
		smallT += t
		t, err = firstFrame(nil, "Events", "q", bin, "open", big)
		if err != nil {
			b.Fatal(err)
		}
		bigT += t
	}
	// ns/op is the big recording's time to its first frame.
	b.ReportMetric(float64(bigT.Nanoseconds())/float64(b.N), "ns/op")
	b.ReportMetric(float64(smallT.Microseconds())/1000/float64(b.N), "small-ms/op")
	b.ReportMetric(bigT.Seconds()/smallT.Seconds(), "x-small")
}

// BenchmarkStart times `rtinspect demo` from exec to its first frame on a
// 120x40 pseudo-terminal (target: under 100 ms), against `rtinspect
// --help` to its output (starting the same binary, no screen). ns/op is
// the demo's; x-help is the ratio.
func BenchmarkStart(b *testing.B) {
	bin := binary(b)
	env := []string{"XDG_STATE_HOME=" + filepath.Join(workDir, "state")}
	var demo, help time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		t, err := firstFrame(env, "Usage", "", bin, "--help")
		if err != nil {
			b.Fatal(err)
		}
		help += t
		t, err = firstFrame(env, "Events", "q", bin, "demo")
		if err != nil {
			b.Fatal(err)
		}
		demo += t
	}
	b.ReportMetric(float64(demo.Nanoseconds())/float64(b.N), "ns/op")
	b.ReportMetric(float64(help.Microseconds())/1000/float64(b.N), "help-ms/op")
	b.ReportMetric(demo.Seconds()/help.Seconds(), "x-help")
}
