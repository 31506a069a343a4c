package api

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

func TestCurlNeverHoldsTheKey(t *testing.T) {
	c := NewClient("https://api.runtype.com", "sk-live-very-secret")
	req := c.ResumeRequest(ResumeRequest{ExecutionID: "exec_1", ToolOutputs: map[string]json.RawMessage{"call_1": json.RawMessage(`{"text":"it's \"quoted\" $HOME"}`)}})
	got := c.Curl(req)
	if strings.Contains(got, "sk-live-very-secret") {
		t.Fatalf("curl export holds the key:\n%s", got)
	}
	for _, want := range []string{"$RUNTYPE_API_KEY", "'https://api.runtype.com/v1/dispatch/resume?events=unified'", `"call_1"`} {
		if !strings.Contains(got, want) {
			t.Errorf("curl export lacks %q:\n%s", want, got)
		}
	}
	// The command is valid shell: sh -n parses it without running it.
	if sh, err := exec.LookPath("sh"); err == nil {
		cmd := exec.Command(sh, "-n")
		cmd.Stdin = strings.NewReader(got)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("sh -n rejects the export: %v: %s", err, out)
		}
	}
}
