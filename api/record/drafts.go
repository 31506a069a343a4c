package record

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Drafts are the answers written and not yet sent, kept beside a recording
// so that quitting or crashing loses none of them; opening the recording
// again restores them.
type Drafts struct {
	// Calls are the drafted tool outputs, keyed by toolCallId.
	Calls map[string]DraftEntry `json:"calls"`
	// Messages is the messages draft text.
	Messages string `json:"messages,omitempty"`
	// Saved is when the drafts were saved.
	Saved time.Time `json:"saved"`
}

// DraftEntry is one drafted answer to a pending tool call.
type DraftEntry struct {
	ExecutionID string `json:"executionId"`
	ToolName    string `json:"toolName"`
	// State is "drafted", "invalid" or "error answer".
	State string `json:"state"`
	// Text is the text as edited, valid JSON or not: an invalid draft is
	// still the user's work.
	Text string `json:"text,omitempty"`
	// Reason is the reason of an error answer.
	Reason string `json:"reason,omitempty"`
}

// Empty reports whether d holds nothing worth keeping.
func (d Drafts) Empty() bool {
	return len(d.Calls) == 0 && d.Messages == ""
}

// DraftsPath returns where the drafts of the recording at recordingPath are
// kept: "x.jsonl" -> "x.drafts.json".
func DraftsPath(recordingPath string) string {
	return strings.TrimSuffix(recordingPath, ".jsonl") + ".drafts.json"
}

// SaveDrafts writes d to path atomically: a 0600 temporary file in the same
// folder is written, synced and renamed over path, so a crash leaves either
// the old drafts or the new ones, never half a file. An empty d removes the
// file instead, so a session whose answers were all sent leaves no drafts.
// A zero Saved is set to now.
func SaveDrafts(path string, d Drafts) error {
	if d.Empty() {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("drafts: %w", err)
		}
		return nil
	}
	if d.Saved.IsZero() {
		d.Saved = time.Now()
	}
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return fmt.Errorf("drafts %s: %w", path, err)
	}
	b = append(b, '\n')
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("drafts: %w", err)
	}
	// CreateTemp makes the file 0600: drafts may hold what a tool returned.
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("drafts: %w", err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(b); err != nil {
		return fmt.Errorf("drafts %s: %w", path, err)
	}
	// Sync before the rename: otherwise a power loss can leave the new name
	// pointing at an empty file.
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("drafts %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("drafts %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("drafts: %w", err)
	}
	done = true
	return nil
}

// LoadDrafts reads the drafts at path. A missing file is no drafts: empty
// Drafts and no error. Calls is never nil.
func LoadDrafts(path string) (Drafts, error) {
	empty := Drafts{Calls: map[string]DraftEntry{}}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return empty, nil
	}
	if err != nil {
		return empty, fmt.Errorf("drafts: %w", err)
	}
	var d Drafts
	if err := json.Unmarshal(b, &d); err != nil {
		return empty, fmt.Errorf("%s: broken drafts file: %s", path, jsonErrText(err))
	}
	if d.Calls == nil {
		d.Calls = map[string]DraftEntry{}
	}
	return d, nil
}
