package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rtinspect/api"
	"rtinspect/api/sim"
	"rtinspect/model/catalog"
	"rtinspect/model/rules"
	"rtinspect/ui"
)

func demoCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("examples", "demo-tools.json"))
	if err != nil {
		t.Fatal(err)
	}
	c := catalog.New()
	probs, err := c.Load("examples/demo-tools.json", data)
	if err != nil || len(probs) > 0 {
		t.Fatalf("the demo catalog loads with %v, %v", probs, err)
	}
	return c
}

// copyingEditor is a fake editor that keeps a copy of the stub it was
// given, then writes body below the stub's comment header.
func copyingEditor(t *testing.T, body string) (editor, stubCopy string) {
	t.Helper()
	dir := t.TempDir()
	stubCopy = filepath.Join(dir, "stub.jsonc")
	bodyFile := filepath.Join(dir, "body.json")
	os.WriteFile(bodyFile, []byte(body), 0o600)
	editor = filepath.Join(dir, "editor.sh")
	script := "#!/bin/sh\ncp \"$1\" '" + stubCopy + "'\ngrep '^//' \"$1\" > \"$1.new\"\ncat '" + bodyFile + "' >> \"$1.new\"\nmv \"$1.new\" \"$1\"\n"
	os.WriteFile(editor, []byte(script), 0o700)
	return editor, stubCopy
}

func TestCatalogStubsAndSchemaChecks(t *testing.T) {
	editor, stub := copyingEditor(t, "{\n  \"ok\": true\n}\n")
	cat := demoCatalog(t)
	h := newHarness(t, harnessOpts{scenario: "parallel", editor: editor, tweak: func(o *ui.Options) { o.Catalog = cat }})
	h.waitFor("the pause", func(s ui.Snapshot) bool { return paused(s) && s.Pending == 2 })
	h.press(h.keys.Edit)
	sn := h.waitFor("the schema check", func(s ui.Snapshot) bool { return s.IsError && strings.Contains(s.Message, "cartTotal") })
	raw, err := os.ReadFile(stub)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"// Tool: add_to_cart", `"ok":`, `"cartTotal":`, "cartTotal: number (required)"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("the stub lacks %q:\n%s", want, raw)
		}
	}
	if !strings.Contains(sn.Screen, "invalid L") {
		t.Errorf("the pending pane does not mark the answer invalid with its line:\n%s", sn.Screen)
	}
	// The other call gets an error answer, so only the invalid one blocks.
	h.tm.Send(keyPress("down"))
	h.press(h.keys.ErrorAnswer)
	h.waitFor("the reason prompt", func(s ui.Snapshot) bool { return s.Overlay == "input" })
	h.typeText("out of stock")
	h.press(h.keys.Open)
	h.waitFor("the error answer", func(s ui.Snapshot) bool { return s.Answered == 1 })
	h.press(h.keys.Resume)
	h.waitFor("the preview", func(s ui.Snapshot) bool { return s.Overlay == "preview" })
	h.press(h.keys.Confirm)
	h.waitFor("the refusal", func(s ui.Snapshot) bool { return strings.Contains(s.Message, "not sent") })
	for _, r := range h.srv.Requests() {
		if r.Path == api.PathResume {
			t.Fatalf("a resume was sent with an answer that fails the schema")
		}
	}
	h.press(h.keys.Partial)
	h.waitFor("completion", func(s ui.Snapshot) bool { return s.State == api.RunCompleted })
	body := h.lastBody(api.PathResume)
	outs := body["toolOutputs"].(map[string]any)
	var sawError, sawInvalid bool
	for _, v := range outs {
		m := v.(map[string]any)
		if m["isError"] == true {
			content := m["content"].([]any)[0].(map[string]any)
			sawError = content["text"] == "out of stock"
		}
		if m["ok"] == true {
			sawInvalid = true
		}
	}
	if !sawError || !sawInvalid {
		t.Errorf("toolOutputs = %v, want the error answer with its reason and the answer sent anyway", outs)
	}
	h.quit()
}

func TestRulesAnswerTheParallelCalls(t *testing.T) {
	set, probs, err := rules.Load(filepath.Join("examples", "demo-rules.json"))
	if err != nil || len(probs) > 0 {
		t.Fatalf("the demo rules load with %v, %v", probs, err)
	}
	h := newHarness(t, harnessOpts{scenario: "parallel", editor: "/nonexistent-editor", tweak: func(o *ui.Options) { o.Rules = set }})
	h.waitFor("completion without the editor", func(s ui.Snapshot) bool { return s.State == api.RunCompleted })
	body := h.lastBody(api.PathResume)
	totals := map[float64]bool{}
	for _, v := range body["toolOutputs"].(map[string]any) {
		totals[v.(map[string]any)["cartTotal"].(float64)] = true
	}
	if !totals[149] || !totals[288] {
		t.Errorf("cart totals sent = %v, want 149 (inline rule) and 288 (command rule)", totals)
	}
	h.quit()
}

func TestHeadlessRulesCompleteTheDemoScenarios(t *testing.T) {
	for _, sc := range sim.Scenarios() {
		if sc.Name == "fail" || sc.Name == "drop" {
			continue // they end in failure whatever is answered
		}
		t.Run(sc.Name, func(t *testing.T) {
			t.Setenv("XDG_STATE_HOME", t.TempDir())
			code, out, stderr := runCLI(t, "demo", "--headless", "--no-record", "--delay", "0", "--scenario", sc.Name,
				"--rules", filepath.Join("examples", "demo-rules.json"), "--tools", filepath.Join("examples", "demo-tools.json"))
			if code != 0 {
				t.Fatalf("exit %d, want 0; stderr: %s", code, stderr)
			}
			if strings.Contains(out, `"type":"paused"`) && !strings.Contains(out, `"type":"auto_answer"`) && !strings.Contains(out, `"type":"auto_decision"`) {
				t.Errorf("it paused but no rule answered")
			}
		})
	}
}
