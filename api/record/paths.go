package record

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// DefaultDir returns the folder new recordings go to:
// $XDG_STATE_HOME/rtinspect/sessions, else
// $HOME/.local/state/rtinspect/sessions (the XDG default). A relative
// $XDG_STATE_HOME is ignored, as the XDG spec requires.
func DefaultDir() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "rtinspect", "sessions"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return "", errors.New("no folder for recordings: neither $XDG_STATE_HOME nor $HOME is set (use --record PATH or --no-record)")
	}
	return filepath.Join(home, ".local", "state", "rtinspect", "sessions"), nil
}

// maxIDLen bounds the execution id part of a file name: file names are
// limited to 255 bytes and ids come from the server.
const maxIDLen = 100

// NewPath returns the path of a new recording in dir, named by t (UTC, to
// the millisecond, so names sort by time) and executionID:
// dir/20261127-053000.123-exec_abc.jsonl. An empty executionID gives no
// suffix; any character of the id outside [A-Za-z0-9_-] becomes "_", so a
// server's id cannot escape dir or make an awkward file name.
func NewPath(dir string, t time.Time, executionID string) string {
	name := t.UTC().Format("20060102-150405.000")
	if id := sanitizeID(executionID); id != "" {
		name += "-" + id
	}
	return filepath.Join(dir, name+".jsonl")
}

func sanitizeID(id string) string {
	var b strings.Builder
	for _, r := range id {
		if b.Len() >= maxIDLen {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}
