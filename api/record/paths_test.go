package record

import (
	"path/filepath"
	"testing"
	"time"
)

func TestDefaultDir(t *testing.T) {
	cases := []struct {
		name, xdg, home string
		want            string
		wantErr         bool
	}{
		{name: "XDG_STATE_HOME set", xdg: "/xdg/state", home: "/home/u", want: "/xdg/state/rtinspect/sessions"},
		{name: "XDG_STATE_HOME unset", home: "/home/u", want: "/home/u/.local/state/rtinspect/sessions"},
		{name: "relative XDG_STATE_HOME ignored", xdg: "rel/state", home: "/home/u", want: "/home/u/.local/state/rtinspect/sessions"},
		{name: "neither", wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("XDG_STATE_HOME", tc.xdg)
			t.Setenv("HOME", tc.home)
			got, err := DefaultDir()
			if tc.wantErr {
				if err == nil {
					t.Errorf("DefaultDir() = %q, want an error", got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("DefaultDir() = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestNewPath(t *testing.T) {
	at := time.Date(2026, 11, 27, 5, 30, 0, 123_900_000, time.UTC)
	cases := []struct {
		name string
		t    time.Time
		id   string
		want string
	}{
		{"with id", at, "exec_abc", "/s/20261127-053000.123-exec_abc.jsonl"},
		{"no id", at, "", "/s/20261127-053000.123.jsonl"},
		{"local time becomes UTC", at.In(time.FixedZone("X", 3*3600)), "e", "/s/20261127-053000.123-e.jsonl"},
		{"whole second", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), "e", "/s/20260102-030405.000-e.jsonl"},
		{"id sanitised", at, "../x/y z.ü", "/s/20261127-053000.123-___x_y_z__.jsonl"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := NewPath("/s", tc.t, tc.id); got != tc.want {
				t.Errorf("NewPath = %q, want %q", got, tc.want)
			}
		})
	}
	long := NewPath("/s", at, string(make([]byte, 500)))
	if got := len(filepath.Base(long)); got > 255 {
		t.Errorf("file name length = %d, want at most 255", got)
	}
}
