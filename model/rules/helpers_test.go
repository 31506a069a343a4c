package rules

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rtinspect/api"
	"rtinspect/model"
)

const vx = "virtual_1"

// callSpec is one pending call of a test session.
type callSpec struct{ id, tool, args string }

// awaitEv is the await event of a local tool call.
func awaitEv(exec string, c callSpec) api.Event {
	ev := api.Event{
		Type: api.TypeAwait, Source: api.TypeAwait, Vocab: api.VocabUnified, Known: true, Seq: -1,
		ExecutionID: exec, ToolCallID: c.id, ToolName: c.tool, AwaitReason: api.AwaitLocalTool,
	}
	if c.args != "" {
		ev.Parameters = json.RawMessage(c.args)
	}
	return ev
}

// paused returns a session paused on the given calls.
func paused(t *testing.T, calls ...callSpec) *model.Session {
	t.Helper()
	s := model.NewSession()
	for _, c := range calls {
		s.Apply(awaitEv(vx, c))
	}
	if st := s.EndStream(nil); st != api.RunPaused {
		t.Fatalf("session state = %s, want paused (test setup is wrong)", st)
	}
	return s
}

// pauseAgain resolves every pending call (as a resume that opened would)
// and pauses the session on new calls.
func pauseAgain(t *testing.T, s *model.Session, calls ...callSpec) {
	t.Helper()
	outs := map[string]json.RawMessage{}
	for _, c := range s.Pending() {
		outs[c.Key()] = json.RawMessage(`{}`)
	}
	body, _ := json.Marshal(api.ResumeRequest{ExecutionID: vx, ToolOutputs: outs})
	if err := s.Begin(api.Request{Method: "POST", Path: api.PathResume, Body: body, ExecutionID: vx}); err != nil {
		t.Fatalf("Begin resume: got error %v, want nil", err)
	}
	s.StreamOpened()
	for _, c := range calls {
		s.Apply(awaitEv(vx, c))
	}
	if st := s.EndStream(nil); st != api.RunPaused {
		t.Fatalf("session state = %s, want paused (test setup is wrong)", st)
	}
}

// mustParse parses a rules file that must have no problem.
func mustParse(t *testing.T, name, data string) *Set {
	t.Helper()
	set, probs, err := Parse(name, []byte(data))
	if err != nil {
		t.Fatalf("Parse: got error %v, want nil", err)
	}
	if len(probs) > 0 {
		t.Fatalf("Parse: got problems %v, want none", probs)
	}
	return set
}

// writeFile writes data at dir/rel, creating folders.
func writeFile(t *testing.T, dir, rel, data string) string {
	t.Helper()
	p := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// rulesJSON wraps rule objects into a rules file.
func rulesJSON(rules ...string) string {
	return `{"rules": [` + strings.Join(rules, ",\n") + `]}`
}

// outcome is a Result reduced to comparable text.
type outcome struct {
	Call, Rule, Output string
	Send               bool
	Err                string // a substring the error must contain; "" for none
}

// outcomes reduces results for comparison: Err is the error text.
func outcomes(rs []Result) []outcome {
	var out []outcome
	for _, r := range rs {
		o := outcome{Call: r.ToolCallID, Rule: r.Rule, Output: string(r.Output), Send: r.Send}
		if r.Err != nil {
			o.Err = r.Err.Error()
		}
		out = append(out, o)
	}
	return out
}

// sameOutcomes compares results with want, where want.Err is a substring
// of the error text.
func sameOutcomes(t *testing.T, got []Result, want []outcome) {
	t.Helper()
	g := outcomes(got)
	if len(g) != len(want) {
		t.Fatalf("results = %+v, want %+v", g, want)
	}
	for i := range g {
		w := want[i]
		ok := g[i].Call == w.Call && g[i].Rule == w.Rule && g[i].Output == w.Output && g[i].Send == w.Send
		if w.Err == "" {
			ok = ok && g[i].Err == ""
		} else {
			ok = ok && strings.Contains(g[i].Err, w.Err)
		}
		if !ok {
			t.Errorf("result %d = %+v, want %+v", i, g[i], w)
		}
	}
}

// draftsOf returns each pending call's draft value ("" when empty) and the
// rule that marked it.
func draftsOf(s *model.Session) map[string]string {
	out := map[string]string{}
	for _, c := range s.Pending() {
		v := string(c.Draft.Value)
		if r := c.AutoRule(); r != "" {
			v += " by " + r
		}
		out[c.Key()] = v
	}
	return out
}

func apply(set *Set, s *model.Session) []Result { return set.Apply(context.Background(), s) }
