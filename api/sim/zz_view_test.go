package sim

import (
	"fmt"
	"os"
	"testing"
)

func TestZZView(t *testing.T) {
	h := newHarness(t, Options{Open: true})
	q := os.Getenv("Q")
	fs := h.stream(pathDispatch, q, dispatchBody(t, os.Getenv("SC")))
	show := func(fs []frame) {
		for _, f := range fs {
			d := f.Data
			if len(d) > 300 { d = d[:300] + "…" }
			if f.Event != "" { fmt.Println("event: " + f.Event) }
			fmt.Println("data: " + d)
		}
		fmt.Println("----")
	}
	show(fs)
	for range 3 {
		last := fs[len(fs)-1].Type()
		switch last {
		case "await", "agent_await", "step_await":
			fs = h.stream(pathResume, q, resumeBody(t, fs, cartOutput))
		case "approval_start", "agent_approval_start":
			id, appr := approvalOf(t, fs)
			fs = h.stream(pathApprove, q, map[string]any{"executionId": id, "approvalId": appr, "decision": os.Getenv("D")})
		default:
			return
		}
		show(fs)
	}
}
