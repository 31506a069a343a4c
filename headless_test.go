package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rtinspect/api/sim"
)

const testKey = "sk-test-secret-value"

// headlessRun runs `rtinspect dispatch --headless` against a simulated
// server over loopback and returns the exit status, stdout lines decoded
// as JSON, and stderr.
func headlessRun(t *testing.T, opts sim.Options, scenario string, answers string, extra ...string) (int, []map[string]any, string, *sim.Server) {
	t.Helper()
	// Recordings go to a folder of the test's own, never the user's.
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	srv := sim.New(opts)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	dir := t.TempDir()
	body, err := sim.DispatchBody(scenario)
	if err != nil {
		t.Fatal(err)
	}
	reqFile := filepath.Join(dir, "request.json")
	if err := os.WriteFile(reqFile, body, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"dispatch", "--headless", "--base-url", hs.URL, "--api-key", testKey}
	if answers != "" {
		af := filepath.Join(dir, "answers.json")
		if err := os.WriteFile(af, []byte(answers), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--answers", af)
	}
	args = append(args, extra...)
	args = append(args, reqFile)
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(""), &out, &errb)
	if strings.Contains(out.String(), testKey) || strings.Contains(errb.String(), testKey) {
		t.Errorf("the API key appears in the output")
	}
	var lines []map[string]any
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var v map[string]any
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("stdout line is not JSON: %v: %.200s", err, sc.Text())
		}
		lines = append(lines, v)
	}
	return code, lines, errb.String(), srv
}

func types(lines []map[string]any) []string {
	var ts []string
	for _, l := range lines {
		ts = append(ts, l["type"].(string))
	}
	return ts
}

func count(lines []map[string]any, typ string) int {
	n := 0
	for _, l := range lines {
		if l["type"] == typ {
			n++
		}
	}
	return n
}

func TestHeadlessScenarios(t *testing.T) {
	byName := `{"toolOutputs": {"add_to_cart": {"ok": true, "cartTotal": 288}, "get_order_status": {"status": "shipped"}, "search_products": {"results": ["SHOE-001"]}, "lookup": {"ok": true}, "save_export": {"saved": true}}, "approvals": {"send_email": "approved"}}`
	cases := []struct {
		name     string
		opts     sim.Options
		scenario string
		answers  string
		code     int
		requests int // requests sent (dispatch + continuations)
		stderr   string
	}{
		{"parallel awaits on a virtual execution id", sim.Options{}, "parallel", byName, 0, 2, ""},
		{"parallel awaits, legacy", sim.Options{Legacy: true}, "parallel", byName, 0, 2, ""},
		{"flow tool, legacy data-only frames", sim.Options{Legacy: true}, "flow-tool", byName, 0, 2, ""},
		{"two pauses in a row", sim.Options{}, "two-pauses", byName, 0, 3, ""},
		{"two pauses in a row, legacy", sim.Options{Legacy: true}, "two-pauses", byName, 0, 3, ""},
		{"approval", sim.Options{}, "approval", byName, 0, 2, ""},
		{"approval, legacy", sim.Options{Legacy: true}, "approval", byName, 0, 2, ""},
		{"CRLF, comments, id lines, frames split across reads", sim.Options{CRLF: true, Comments: true, Split: true}, "parallel", byName, 0, 2, ""},
		{"legacy with CRLF and split frames", sim.Options{Legacy: true, CRLF: true, Split: true}, "two-pauses", byName, 0, 3, ""},
		{"execution_error", sim.Options{}, "fail", "", 1, 1, "overloaded"},
		{"flow_error, legacy", sim.Options{Legacy: true}, "fail", "", 1, 1, "overloaded"},
		{"connection drops mid-stream", sim.Options{}, "drop", "", 1, 1, "dropped"},
		{"400 KB frame of non-ASCII text", sim.Options{}, "big", byName, 0, 2, ""},
		{"nested execution", sim.Options{}, "nested", "", 0, 1, ""},
		{"paused without answers", sim.Options{}, "parallel", "", 3, 1, "waiting for answers"},
		{"answers that do not cover every call", sim.Options{}, "two-pauses", `{"toolOutputs":{"search_products":{"results":[]}}}`, 3, 2, "add_to_cart"},
		{"wrong key: 401 with a JSON body", sim.Options{APIKey: "another-key"}, "parallel", "", 1, 1, "401"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, lines, stderr, _ := headlessRun(t, tc.opts, tc.scenario, tc.answers)
			if code != tc.code {
				t.Fatalf("exit status = %d, want %d; stderr: %s", code, tc.code, stderr)
			}
			if got := count(lines, "request"); got != tc.requests {
				t.Errorf("requests = %d, want %d; types %v", got, tc.requests, types(lines))
			}
			if tc.stderr != "" && !strings.Contains(stderr, tc.stderr) {
				t.Errorf("stderr = %q, want it to mention %q", stderr, tc.stderr)
			}
			for _, l := range lines {
				if l["type"] == "request" {
					continue
				}
				if l["type"] == "paused" {
					if _, ok := l["pending"].([]any); !ok {
						t.Errorf("paused line without a pending list: %v", l)
					}
					continue
				}
				raw, ok := l["raw"].(map[string]any)
				if !ok || raw["data"] == nil {
					t.Errorf("event line without its raw frame: %v", l)
				}
			}
		})
	}
}

func TestHeadlessPrintsPendingCallsWhenWaiting(t *testing.T) {
	code, lines, stderr, _ := headlessRun(t, sim.Options{}, "parallel", "")
	if code != 3 {
		t.Fatalf("exit status = %d, want 3", code)
	}
	last := lines[len(lines)-1]
	if last["type"] != "paused" {
		t.Fatalf("last line type = %v, want paused", last["type"])
	}
	pending := last["pending"].([]any)
	if len(pending) != 2 {
		t.Fatalf("pending = %d calls, want 2", len(pending))
	}
	for _, p := range pending {
		p := p.(map[string]any)
		if p["toolName"] != "add_to_cart" || p["toolCallId"] == "" || !strings.HasPrefix(p["executionId"].(string), "virtual_") {
			t.Errorf("pending call = %v, want add_to_cart with its toolCallId and the await's executionId", p)
		}
	}
	if !strings.Contains(stderr, "add_to_cart") {
		t.Errorf("stderr %q does not name the calls it waits for", stderr)
	}
}

func TestHeadlessAnswersByToolCallID(t *testing.T) {
	// A first run learns the call ids; answers keyed by id must then be
	// used for exactly those calls. The simulated server mints new ids per
	// execution, so key by id through the server's own pause output.
	code, lines, _, srv := headlessRun(t, sim.Options{}, "flow-tool", `{"toolOutputs":{"get_order_status":{"status":"shipped"}}}`)
	if code != 0 {
		t.Fatalf("exit status = %d, want 0", code)
	}
	var callID string
	for _, l := range lines {
		if l["type"] == "paused" {
			callID = l["pending"].([]any)[0].(map[string]any)["toolCallId"].(string)
		}
	}
	reqs := srv.Requests()
	var body map[string]any
	json.Unmarshal(reqs[len(reqs)-1].Body, &body)
	outs := body["toolOutputs"].(map[string]any)
	if _, ok := outs[callID]; !ok {
		t.Errorf("resume toolOutputs keys = %v, want the toolCallId %s", outs, callID)
	}
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`[1, 2`), 0o600)
	good := filepath.Join(dir, "good.json")
	os.WriteFile(good, []byte(`{"agent":{"name":"a"}}`), 0o600)
	badAnswers := filepath.Join(dir, "answers.json")
	os.WriteFile(badAnswers, []byte(`{"toolOutputs": {"x": }`), 0o600)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no command", nil, "Usage"},
		{"unknown command", []string{"frobnicate"}, "unknown command"},
		{"no request file", []string{"dispatch", "--headless"}, "REQUEST.json"},
		{"missing request file", []string{"dispatch", "--headless", filepath.Join(dir, "nope.json")}, "no such file"},
		{"request is not a JSON object", []string{"dispatch", "--headless", bad}, "bad.json"},
		{"invalid answers file", []string{"dispatch", "--headless", "--answers", badAnswers, good}, "answers"},
		{"unknown scenario", []string{"demo", "--headless", "--scenario", "nope"}, "nope"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("XDG_STATE_HOME", t.TempDir())
			var out, errb bytes.Buffer
			code := run(tc.args, strings.NewReader(""), &out, &errb)
			if code != 2 {
				t.Errorf("exit status = %d, want 2", code)
			}
			if !strings.Contains(errb.String(), tc.want) {
				t.Errorf("stderr = %q, want it to mention %q", errb.String(), tc.want)
			}
		})
	}
}

// TestHeadlessCapturedLegacyFlow serves the real captured production
// stream (data-only legacy frames) as-is and checks the run completes with
// the assembled answer.
func TestHeadlessCapturedLegacyFlow(t *testing.T) {
	fixture, err := os.ReadFile(filepath.Join("..", "shared", "fixtures", "captured-legacy-flow.sse"))
	if err != nil {
		t.Fatalf("the shared fixtures are expected beside the repository: %v", err)
	}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testKey {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"Unauthorized"}`))
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		w.Write(fixture)
	}))
	t.Cleanup(hs.Close)
	dir := t.TempDir()
	req := filepath.Join(dir, "req.json")
	os.WriteFile(req, []byte(`{"flow":{"id":"flow_01k9pfnztzfag9tfz4t65c9c5q"},"messages":[{"role":"user","content":"hi"}]}`), 0o600)
	var out, errb bytes.Buffer
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	code := run([]string{"dispatch", "--headless", "--base-url", hs.URL, "--api-key", testKey, req}, strings.NewReader(""), &out, &errb)
	if code != 0 {
		t.Fatalf("exit status = %d, want 0; stderr %s", code, errb.String())
	}
	var text strings.Builder
	var last map[string]any
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var v map[string]any
		json.Unmarshal(sc.Bytes(), &v)
		if v["type"] == "text_delta" {
			text.WriteString(v["delta"].(string))
			if v["source"] != "step_chunk" {
				t.Errorf("text_delta source = %v, want step_chunk", v["source"])
			}
		}
		last = v
	}
	var answer map[string]any
	if err := json.Unmarshal([]byte(text.String()), &answer); err != nil {
		t.Fatalf("the 32 step_chunk deltas do not assemble the JSON answer: %v: %q", err, text.String())
	}
	if last["type"] != "execution_complete" || last["source"] != "flow_complete" {
		t.Errorf("last event = %v (from %v), want execution_complete from flow_complete", last["type"], last["source"])
	}
}

func TestKeyNeverGoesOverPlainHTTPToTheNetwork(t *testing.T) {
	cases := []struct {
		url      string
		key      string
		insecure bool
		ok       bool
	}{
		{"https://api.runtype.com", "k", false, true},
		{"http://127.0.0.1:8787", "k", false, true},
		{"http://localhost:8787", "k", false, true},
		{"http://[::1]:8787", "k", false, true},
		{"http://api.example.com", "k", false, false},
		{"http://10.0.0.5:8787", "k", false, false},
		{"http://10.0.0.5:8787", "k", true, true},
		{"http://api.example.com", "", false, true},
		{"ftp://x", "k", false, false},
	}
	for _, tc := range cases {
		err := checkTransport(tc.url, tc.key, tc.insecure)
		if (err == nil) != tc.ok {
			t.Errorf("checkTransport(%s, insecure %v) = %v, want ok %v", tc.url, tc.insecure, err, tc.ok)
		}
	}
}
