package record

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestDraftsPath(t *testing.T) {
	cases := []struct{ in, want string }{
		{"/s/20261127-053000.123-exec_abc.jsonl", "/s/20261127-053000.123-exec_abc.drafts.json"},
		{"x.jsonl", "x.drafts.json"},
		{"notes.txt", "notes.txt.drafts.json"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			if got := DraftsPath(tc.in); got != tc.want {
				t.Errorf("DraftsPath(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// entries lists a folder's file names.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestDraftsSaveLoad(t *testing.T) {
	saved := time.Date(2026, 11, 27, 5, 31, 0, 0, time.UTC)
	first := Drafts{
		Calls: map[string]DraftEntry{
			"call_1": {ExecutionID: "exec_1", ToolName: "add_to_cart", State: "drafted", Text: "{\n  \"ok\": true\n}"},
			"call_2": {ExecutionID: "exec_1", ToolName: "search", State: "invalid", Text: "{not json — ü"},
			"call_3": {ExecutionID: "exec_1", ToolName: "pay", State: "error answer", Reason: "card declined"},
		},
		Messages: `[{"role":"user","content":"hi"}]`,
		Saved:    saved,
	}
	second := Drafts{Calls: map[string]DraftEntry{
		"call_9": {ExecutionID: "exec_2", ToolName: "x", State: "drafted", Text: "1"},
	}, Saved: saved}
	onlyMessages := Drafts{Messages: "[]", Saved: saved}

	cases := []struct {
		name  string
		saves []Drafts // saved in turn to the same path
		want  Drafts   // what loads back
		file  bool     // whether the file exists at the end
	}{
		{"one save", []Drafts{first}, first, true},
		{"replace", []Drafts{first, second}, second, true},
		{"messages only", []Drafts{onlyMessages}, Drafts{Calls: map[string]DraftEntry{}, Messages: "[]", Saved: saved}, true},
		{"empty removes", []Drafts{first, {}}, Drafts{Calls: map[string]DraftEntry{}}, false},
		{"empty calls map removes", []Drafts{first, {Calls: map[string]DraftEntry{}}}, Drafts{Calls: map[string]DraftEntry{}}, false},
		{"empty with no file", []Drafts{{}}, Drafts{Calls: map[string]DraftEntry{}}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "s.drafts.json")
			for i, d := range tc.saves {
				if err := SaveDrafts(path, d); err != nil {
					t.Fatalf("SaveDrafts #%d: %v", i+1, err)
				}
			}
			got, err := LoadDrafts(path)
			if err != nil {
				t.Fatalf("LoadDrafts: %v", err)
			}
			if !got.Saved.Equal(tc.want.Saved) {
				t.Errorf("Saved = %v, want %v", got.Saved, tc.want.Saved)
			}
			got.Saved, tc.want.Saved = time.Time{}, time.Time{}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("LoadDrafts = %+v, want %+v", got, tc.want)
			}
			// No temporary file is left behind, whatever happened.
			wantNames := []string(nil)
			if tc.file {
				wantNames = []string{"s.drafts.json"}
			}
			if names := entries(t, dir); !reflect.DeepEqual(names, wantNames) {
				t.Errorf("folder holds %v, want %v", names, wantNames)
			}
			if tc.file {
				fi, err := os.Stat(path)
				if err != nil {
					t.Fatal(err)
				}
				if got := fi.Mode().Perm(); got != 0o600 {
					t.Errorf("mode = %v, want 0600", got)
				}
			}
		})
	}
}

func TestSaveDraftsSetsSaved(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.drafts.json")
	before := time.Now()
	if err := SaveDrafts(path, Drafts{Messages: "[]"}); err != nil {
		t.Fatal(err)
	}
	d, err := LoadDrafts(path)
	if err != nil {
		t.Fatal(err)
	}
	if d.Saved.Before(before.Add(-time.Second)) {
		t.Errorf("Saved = %v, want about %v", d.Saved, before)
	}
}

// TestSaveDraftsReplacesAtomically checks that a reader holding the old
// file keeps the whole old content: the new drafts arrive by rename, never
// by rewriting the file in place.
func TestSaveDraftsReplacesAtomically(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.drafts.json")
	if err := SaveDrafts(path, Drafts{Messages: "old"}); err != nil {
		t.Fatal(err)
	}
	old, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	oldInfo, _ := old.Stat()
	if err := SaveDrafts(path, Drafts{Messages: strings.Repeat("new", 1000)}); err != nil {
		t.Fatal(err)
	}
	newInfo, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if os.SameFile(oldInfo, newInfo) {
		t.Error("SaveDrafts rewrote the file in place, want a new file renamed over it")
	}
	buf := make([]byte, 4096)
	n, _ := old.Read(buf)
	if !strings.Contains(string(buf[:n]), `"messages": "old"`) {
		t.Errorf("old file content = %q, want the old drafts intact", buf[:n])
	}
}

func TestLoadDraftsBroken(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, content, want string
	}{
		{"not JSON", "{\"calls\":", "broken drafts file: unexpected end of JSON input"},
		{"wrong shape", `{"calls":[1]}`, "broken drafts file: cannot unmarshal array"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".drafts.json")
			os.WriteFile(path, []byte(tc.content), 0o600)
			_, err := LoadDrafts(path)
			if err == nil || !strings.HasPrefix(err.Error(), path+": ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("LoadDrafts error = %v, want one starting %q and saying %q", err, path+": ", tc.want)
			}
		})
	}
}
