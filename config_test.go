package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"rtinspect/api"
	"rtinspect/api/sim"
	"rtinspect/ui"
)

// isolateConfig points every folder rtinspect reads or writes at the
// test's own, and clears the variables a developer may have set, so the
// real config and the real key are never read.
func isolateConfig(t *testing.T) (configHome string) {
	t.Helper()
	configHome = t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", configHome)
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	for _, v := range []string{"RTINSPECT_CONFIG", "RTINSPECT_PROFILE", "RUNTYPE_BASE_URL", "RUNTYPE_API_KEY", "NO_COLOR", "VISUAL", "EDITOR"} {
		t.Setenv(v, "")
	}
	return configHome
}

// writeConfig writes body as DIR/rtinspect/config.toml and returns its
// path.
func writeConfig(t *testing.T, dir, body string) string {
	t.Helper()
	p := filepath.Join(dir, "rtinspect", "config.toml")
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// envOf is a getenv over a fixed map: precedence tests never touch the
// process environment.
func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// flagsOf parses a command line the way dispatch does, so "given" knows
// which flags were on it.
func flagsOf(t *testing.T, args ...string) serverFlags {
	t.Helper()
	var f serverFlags
	fs := newFlagSet("dispatch", io.Discard)
	f.register(fs)
	if _, err := parseArgs(fs, args); err != nil {
		t.Fatal(err)
	}
	return f
}

const secretValue = "sk-live-do-not-print-4242"

func TestConfigParse(t *testing.T) {
	cases := []struct {
		name string
		body string
		// want is a piece of the error ("" means the file is fine).
		want string
	}{
		{"empty", "", ""},
		{"everything", `profile = "staging"
theme = "low"
mouse = false
record_dir = "~/sessions"
editor = "code --wait"
tools = "tools.json"
rules = "/abs/rules.json"
idle_warning = "45s"
header_timeout = "2m"

[profiles.staging]
base_url = "https://staging.example"
api_key_env = "RUNTYPE_STAGING_KEY"
tools = "~/staging-tools.json"

[keys]
resume = "ctrl+r"
quit = ["q", "ctrl+c"]
`, ""},
		{"inline tables", `profiles = { staging = { base_url = "https://s.example" } }` + "\n", ""},
		{"syntax", "theme = \"dark\"\n\nmouse = tru\n", `config.toml:3: syntax error: expected keyword "true"`},
		{"unknown key in a profile", "profile = \"staging\"\n\n[profiles.staging]\nbase_url = \"https://x.example\"\n\n# typo\nbse_url = \"y\"\n",
			`config.toml:7: unknown key "bse_url" in [profiles.staging] (did you mean base_url?)`},
		{"unknown key in an inline profile", "profiles = { staging = { base_url = \"https://x.example\", bse_url = \"y\" } }\n",
			`config.toml:1: unknown key "bse_url" in [profiles.staging]`},
		{"unknown top-level key", "theme = \"dark\"\ncolour = \"red\"\n", `config.toml:2: unknown key "colour"`},
		{"wrong type", "theme = \"dark\"\nmouse = \"yes\"\n", `config.toml:2: mouse must be true or false, not a string`},
		{"duration as a number", "idle_warning = 30\n", `config.toml:1: idle_warning must be a duration in quotes, such as "45s", not an integer`},
		{"bad duration", "\nheader_timeout = \"soon\"\n", `config.toml:2: header_timeout "soon" is not a positive duration`},
		{"wrong type in a profile", "[profiles.s]\nbase_url = 8080\n", `config.toml:2: base_url in [profiles.s] must be a string in quotes, not an integer`},
		{"unknown theme", "\n\ntheme = \"drak\"\n", `config.toml:3: theme "drak" is not one of auto, dark, light, low, none`},
		{"unknown action", "[keys]\nresume = \"r\"\nresme = \"ctrl+r\"\n", `config.toml:3: unknown action "resme" in [keys] (did you mean resume?)`},
		{"not a key", "[keys]\nresume = \"ctrl+\"\n", `config.toml:2: resume in [keys]: "ctrl+" is not a key`},
		{"key of the wrong type", "[keys]\nquit = [\"q\", 3]\n", `config.toml:2: quit in [keys] must be a key in quotes or a list of them`},
		{"no key", "[keys]\nquit = []\n", `config.toml:2: quit in [keys] has no key`},
		{"unknown profile", "profile = \"stagin\"\n[profiles.staging]\n", `config.toml:1: profile "stagin": there is no [profiles.stagin] in this file (it defines staging)`},
		{"not a URL", "[profiles.s]\nbase_url = \"ftp://x\"\n", `config.toml:2: base_url in [profiles.s] is not an http(s) URL`},
		{"api_key at the top", "theme = \"dark\"\napi_key = \"" + secretValue + "\"\n",
			`config.toml:2: api_key: an API key does not belong in the config file; keep it in the environment and name the variable with api_key_env`},
		{"api_key in a profile", "[profiles.s]\nbase_url = \"https://x.example\"\napi_key = \"" + secretValue + "\"\n",
			`config.toml:3: api_key in [profiles.s]: an API key does not belong in the config file`},
		{"api_key unquoted", "[profiles.s]\napi_key = " + secretValue + "\n", `config.toml:2: api_key: an API key does not belong in the config file`},
		{"key pasted into api_key_env", "[profiles.s]\napi_key_env = \"" + secretValue + "\"\n",
			`config.toml:2: api_key_env in [profiles.s] must be the NAME of an environment variable`},
		{"duplicate key", "theme = \"dark\"\ntheme = \"light\"\n", `config.toml:2: syntax error: key theme is already defined`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := writeConfig(t, t.TempDir(), tc.body)
			c, err := loadConfig(p, envOf(map[string]string{"HOME": "/home/u"}))
			if tc.want == "" {
				if err != nil {
					t.Fatalf("loadConfig = %v, want no error", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("loadConfig = %+v, want an error containing %q", c, tc.want)
			}
			if got := err.Error(); !strings.Contains(got, tc.want) {
				t.Errorf("error = %q, want it to contain %q", got, tc.want)
			}
			if strings.Contains(err.Error(), secretValue) || strings.Contains(err.Error(), "do-not-print") {
				t.Errorf("error repeats the key: %q", err)
			}
		})
	}
}

// TestConfigREADMEExample keeps the README's example file valid, and its
// printed lines true.
func TestConfigREADMEExample(t *testing.T) {
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	start := strings.Index(readme, "## Configuration")
	if start < 0 {
		t.Fatal("README has no Configuration section")
	}
	section := readme[start:]
	body, _, ok := strings.Cut(section[strings.Index(section, "```toml\n")+len("```toml\n"):], "```")
	if !ok {
		t.Fatal("no toml example in the Configuration section")
	}
	home := t.TempDir()
	writeConfig(t, filepath.Join(home, ".config"), body)
	s, err := resolveSettings(flagsOf(t), envOf(map[string]string{"HOME": home, "RUNTYPE_STAGING_KEY": secretValue}))
	if err != nil || s.problem != nil {
		t.Fatalf("the README example: %v %v", err, s.problem)
	}
	var out bytes.Buffer
	s.print(&out, envOf(map[string]string{"HOME": home}))
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(l, "base_url:") || strings.HasPrefix(l, "api_key_env:") || strings.HasPrefix(l, "keys.resume:") || strings.HasPrefix(l, "key:") || strings.HasPrefix(l, "debug_log:") {
			if !strings.Contains(section, l+"\n") {
				t.Errorf("the README does not show the line %q", l)
			}
		}
	}
	if strings.Contains(out.String(), secretValue) {
		t.Errorf("the key appears in the output")
	}
}

// TestConfigNamedFileThatCannotBeReadSaysWhere: a tools file named by the
// config file, missing, stops the command as --tools would, and the
// message names the config line.
func TestConfigNamedFileThatCannotBeReadSaysWhere(t *testing.T) {
	home := isolateConfig(t)
	p := writeConfig(t, home, "\ntools = \"missing-tools.json\"\n")
	code, _, errOut := runCLI(t, "dispatch", "--headless", "--base-url", "http://127.0.0.1:1", requestFile(t, "parallel"))
	if want := "(tools from " + p + ":2)"; code != 2 || !strings.Contains(errOut, want) {
		t.Errorf("exit %d, stderr %q; want 2 and %q", code, errOut, want)
	}
}

func TestConfigMissingFileIsTheDefaults(t *testing.T) {
	c, err := loadConfig(filepath.Join(t.TempDir(), "none.toml"), envOf(nil))
	if c != nil || err != nil {
		t.Fatalf("loadConfig of a missing file = %v, %v; want nil, nil", c, err)
	}
}

func TestConfigPaths(t *testing.T) {
	cases := []struct {
		name     string
		env      map[string]string
		args     []string
		want     string
		wantFrom string
	}{
		{"XDG", map[string]string{"XDG_CONFIG_HOME": "/x", "HOME": "/home/u"}, nil, "/x/rtinspect/config.toml", "default, under $XDG_CONFIG_HOME"},
		{"relative XDG is ignored", map[string]string{"XDG_CONFIG_HOME": "rel", "HOME": "/home/u"}, nil, "/home/u/.config/rtinspect/config.toml", "default"},
		{"home", map[string]string{"HOME": "/home/u"}, nil, "/home/u/.config/rtinspect/config.toml", "default"},
		{"env", map[string]string{"HOME": "/home/u", "RTINSPECT_CONFIG": "~/rt.toml"}, nil, "/home/u/rt.toml", "env RTINSPECT_CONFIG"},
		{"flag beats env", map[string]string{"HOME": "/home/u", "RTINSPECT_CONFIG": "/e.toml"}, []string{"--config", "/f.toml"}, "/f.toml", "flag --config"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := resolveSettings(flagsOf(t, tc.args...), envOf(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			if s.path.v != tc.want || s.path.from != tc.wantFrom {
				t.Errorf("config path = %q from %q, want %q from %q", s.path.v, s.path.from, tc.want, tc.wantFrom)
			}
			named := tc.wantFrom != "default" && !strings.HasPrefix(tc.wantFrom, "default,")
			// A file named on purpose that is missing is pointed out; the
			// default one missing is just the defaults.
			if (s.problem != nil) != named {
				t.Errorf("problem = %v, want one: %v", s.problem, named)
			}
		})
	}
}

// precedenceFile is the config file of the precedence table, with the
// line of each value it sets.
const precedenceFile = `profile = "staging"           # 1
theme = "dark"                # 2
mouse = false                 # 3
record_dir = "~/rec"          # 4
editor = "nano -w"            # 5
tools = "top-tools.json"      # 6
rules = "top-rules.json"      # 7
idle_warning = "45s"          # 8
header_timeout = "2m"         # 9

[profiles.staging]            # 11
base_url = "https://staging.example"
api_key_env = "STAGING_KEY"   # 13
rules = "staging-rules.json"  # 14

[profiles.bare]               # 16
`

func TestConfigPrecedence(t *testing.T) {
	type want struct{ value, from string }
	cases := []struct {
		name string
		args []string
		env  map[string]string
		// get picks the setting the case is about.
		get  func(settings) (string, string)
		want want
	}{
		{"base_url from the profile", nil, nil, baseURLOf, want{"https://staging.example", "C:12 [profiles.staging]"}},
		{"env beats the profile", nil, map[string]string{"RUNTYPE_BASE_URL": "https://env.example"}, baseURLOf, want{"https://env.example", "env RUNTYPE_BASE_URL"}},
		{"flag beats env", []string{"--base-url", "https://flag.example"}, map[string]string{"RUNTYPE_BASE_URL": "https://env.example"}, baseURLOf, want{"https://flag.example", "flag --base-url"}},
		{"default base_url without one in the profile", []string{"--profile", "bare"}, nil, baseURLOf, want{"https://api.runtype.com", "default"}},
		{"profile from the file", nil, nil, profileOf, want{"staging", "C:1"}},
		{"profile from env", nil, map[string]string{"RTINSPECT_PROFILE": "bare"}, profileOf, want{"bare", "env RTINSPECT_PROFILE"}},
		{"profile flag beats env", []string{"--profile", "staging"}, map[string]string{"RTINSPECT_PROFILE": "bare"}, profileOf, want{"staging", "flag --profile"}},
		{"key from the profile's variable", nil, map[string]string{"STAGING_KEY": secretValue, "RUNTYPE_API_KEY": "sk-other"}, keyOf, want{secretValue, "$STAGING_KEY"}},
		{"profile's variable unset: no key, not RUNTYPE_API_KEY", nil, map[string]string{"RUNTYPE_API_KEY": "sk-other"}, keyOf, want{"", ""}},
		{"RUNTYPE_API_KEY without api_key_env", []string{"--profile", "bare"}, map[string]string{"RUNTYPE_API_KEY": "sk-other"}, keyOf, want{"sk-other", "$RUNTYPE_API_KEY"}},
		{"--api-key beats the profile's variable", []string{"--api-key", "sk-flag"}, map[string]string{"STAGING_KEY": secretValue}, keyOf, want{"sk-flag", "flag --api-key"}},
		{"theme from the file beats NO_COLOR", nil, map[string]string{"NO_COLOR": "1"}, themeOf, want{"dark", "C:2"}},
		{"theme flag", []string{"--theme", "light"}, nil, themeOf, want{"light", "flag --theme"}},
		{"mouse from the file", nil, nil, mouseOf, want{"false", "C:3"}},
		{"--no-mouse", []string{"--no-mouse"}, nil, mouseOf, want{"false", "flag --no-mouse"}},
		{"record_dir with ~", nil, nil, recordDirOf, want{"/home/u/rec", "C:4"}},
		{"editor from the file beats VISUAL", nil, map[string]string{"VISUAL": "vim"}, editorOf, want{"nano -w", "C:5"}},
		{"tools from the top level, relative to the file", nil, nil, toolsOf, want{"D/top-tools.json", "C:6"}},
		{"rules from the profile beat the top level", nil, nil, rulesOf, want{"D/staging-rules.json", "C:14 [profiles.staging]"}},
		{"--rules beats the profile", []string{"--rules", "r.json"}, nil, rulesOf, want{"r.json", "flag --rules"}},
		{"top-level rules with another profile", []string{"--profile", "bare"}, nil, rulesOf, want{"D/top-rules.json", "C:7"}},
		{"idle_warning from the file", nil, nil, idleOf, want{"45s", "C:8"}},
		{"--idle-warning beats the file", []string{"--idle-warning", "5s"}, nil, idleOf, want{"5s", "flag --idle-warning"}},
		{"--idle-warning equal to the default still beats the file", []string{"--idle-warning", "30s"}, nil, idleOf, want{"30s", "flag --idle-warning"}},
		{"header_timeout from the file", nil, nil, headerOf, want{"2m0s", "C:9"}},
	}
	dir := t.TempDir()
	path := writeConfig(t, dir, precedenceFile)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"HOME": "/home/u", "RTINSPECT_CONFIG": path}
			for k, v := range tc.env {
				env[k] = v
			}
			s, err := resolveSettings(flagsOf(t, tc.args...), envOf(env))
			if err != nil {
				t.Fatal(err)
			}
			if s.problem != nil {
				t.Fatalf("problem: %v", s.problem)
			}
			v, from := tc.get(s)
			w := want{strings.ReplaceAll(tc.want.value, "D/", filepath.Dir(path)+"/"), strings.ReplaceAll(tc.want.from, "C:", path+":")}
			if v != w.value || from != w.from {
				t.Errorf("got %q from %q, want %q from %q", v, from, w.value, w.from)
			}
		})
	}

	t.Run("defaults without a file", func(t *testing.T) {
		s, err := resolveSettings(flagsOf(t), envOf(map[string]string{"HOME": "/home/u", "XDG_CONFIG_HOME": t.TempDir()}))
		if err != nil {
			t.Fatal(err)
		}
		got := []string{s.baseURL.v, s.keyEnv.v, s.theme.v, s.idleWarning.v.String(), s.headerTimeout.v.String(), s.tools.v, s.recordDir.v}
		wantV := []string{"https://api.runtype.com", "RUNTYPE_API_KEY", "auto", "30s", "1m30s", "", ""}
		if !slices.Equal(got, wantV) || !s.mouse.v || s.exists || s.problem != nil {
			t.Errorf("defaults = %q mouse %v exists %v problem %v, want %q mouse true", got, s.mouse.v, s.exists, s.problem, wantV)
		}
	})
	t.Run("NO_COLOR without a theme anywhere", func(t *testing.T) {
		s, _ := resolveSettings(flagsOf(t), envOf(map[string]string{"HOME": "/home/u", "XDG_CONFIG_HOME": t.TempDir(), "NO_COLOR": "1"}))
		if s.theme.v != "none" || s.theme.from != "env NO_COLOR" {
			t.Errorf("theme = %q from %q, want none from env NO_COLOR", s.theme.v, s.theme.from)
		}
	})
	t.Run("a flag naming a theme beats NO_COLOR", func(t *testing.T) {
		s, _ := resolveSettings(flagsOf(t, "--theme", "dark"), envOf(map[string]string{"HOME": "/home/u", "XDG_CONFIG_HOME": t.TempDir(), "NO_COLOR": "1"}))
		if s.theme.v != "dark" {
			t.Errorf("theme = %q, want dark", s.theme.v)
		}
	})
}

func baseURLOf(s settings) (string, string) { return s.baseURL.v, s.baseURL.from }
func profileOf(s settings) (string, string) { return s.profile.v, s.profile.from }
func keyOf(s settings) (string, string)     { return s.apiKey, s.keyFrom }
func themeOf(s settings) (string, string)   { return s.theme.v, s.theme.from }
func mouseOf(s settings) (string, string) {
	if s.mouse.v {
		return "true", s.mouse.from
	}
	return "false", s.mouse.from
}
func recordDirOf(s settings) (string, string) { return s.recordDir.v, s.recordDir.from }
func editorOf(s settings) (string, string)    { return s.editor.v, s.editor.from }
func toolsOf(s settings) (string, string)     { return s.tools.v, s.tools.from }
func rulesOf(s settings) (string, string)     { return s.rules.v, s.rules.from }
func idleOf(s settings) (string, string)      { return s.idleWarning.v.String(), s.idleWarning.from }
func headerOf(s settings) (string, string)    { return s.headerTimeout.v.String(), s.headerTimeout.from }

func TestConfigExplicitProfileThatCannotBeUsedStops(t *testing.T) {
	dir := t.TempDir()
	good := writeConfig(t, filepath.Join(dir, "good"), "[profiles.staging]\nbase_url = \"https://s.example\"\n")
	broken := writeConfig(t, filepath.Join(dir, "broken"), "[profiles.staging]\nbse_url = \"https://s.example\"\n")
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"unknown --profile", []string{"--config", good, "--profile", "prod"}, nil, "--profile prod: there is no [profiles.prod] in " + good + " (it defines staging)"},
		{"unknown RTINSPECT_PROFILE", []string{"--config", good}, map[string]string{"RTINSPECT_PROFILE": "prod"}, "RTINSPECT_PROFILE=prod: there is no [profiles.prod]"},
		{"--profile with a broken file", []string{"--config", broken, "--profile", "staging"}, nil, "--profile staging cannot be used: " + broken + ":2: unknown key \"bse_url\""},
		{"--profile without a file", []string{"--config", filepath.Join(dir, "none.toml"), "--profile", "staging"}, nil, "does not exist"},
		{"unknown --theme", []string{"--theme", "purple"}, nil, `--theme "purple" is not one of auto, dark, light, low, none`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"HOME": "/home/u", "XDG_CONFIG_HOME": dir}
			for k, v := range tc.env {
				env[k] = v
			}
			_, err := resolveSettings(flagsOf(t, tc.args...), envOf(env))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestConfigKeyActionNames(t *testing.T) {
	want := []string{"next_pane", "prev_pane", "up", "down", "top", "bottom", "page_up", "page_down", "open", "edit",
		"error_answer", "messages", "resume", "revert", "from_file", "apply_all", "copy_answer", "approve", "deny",
		"filter", "follow", "raw", "help", "quit", "cancel_stream", "copy_curl", "copy_body", "step_back",
		"step_forward", "play", "speed", "confirm", "partial", "cancel", "view_mode", "outline", "executions",
		"zoom", "mouse", "next_match", "prev_match", "collapse", "expand", "copy_value", "copy_all", "save_file"}
	var got []string
	for a := range keyActions() {
		got = append(got, a)
	}
	sort.Strings(got)
	sort.Strings(want)
	// The key map may grow (its new bindings are rebindable at once); none
	// of these names may go away.
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("action %q is missing from %v", w, got)
		}
	}
}

func TestConfigNormalizeKey(t *testing.T) {
	cases := []struct{ in, want string }{
		{"R", "R"}, {"ctrl+r", "ctrl+r"}, {"Ctrl+r", "ctrl+r"}, {"alt+ctrl+x", "ctrl+alt+x"}, {"shift+r", "R"},
		{"Escape", "esc"}, {"PageDown", "pgdown"}, {"F5", "f5"}, {"shift+tab", "shift+tab"}, {"+", "+"},
		{"ctrl++", "ctrl++"}, {"space", "space"}, {"?", "?"}, {"é", "é"},
		{"", ""}, {"ctrl+", ""}, {"hyperr+x", ""}, {"ctrl+ctrl+x", ""}, {"two", ""}, {"a b", ""}, {"\t", ""},
	}
	for _, tc := range cases {
		got, err := normalizeKey(tc.in)
		if tc.want == "" {
			if err == nil {
				t.Errorf("normalizeKey(%q) = %q, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("normalizeKey(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestConfigKeyOverridesReplaceKeysAndHelp(t *testing.T) {
	p := writeConfig(t, t.TempDir(), "[keys]\nresume = \"ctrl+r\"\nquit = [\"Q\", \"ctrl+c\"]\nup = [\"k\", \"up\"]\n")
	s, err := resolveSettings(flagsOf(t, "--config", p), envOf(map[string]string{"HOME": "/home/u"}))
	if err != nil || s.problem != nil {
		t.Fatal(err, s.problem)
	}
	if got := s.keys.Resume.Keys(); !slices.Equal(got, []string{"ctrl+r"}) {
		t.Errorf("resume keys = %v", got)
	}
	if h := s.keys.Resume.Help(); h.Key != "ctrl+r" || h.Desc != defaultKeyMap().Resume.Help().Desc {
		t.Errorf("resume help = %+v, want the new key and the old description", h)
	}
	if h := s.keys.Quit.Help(); h.Key != "Q/ctrl+c" {
		t.Errorf("quit help key = %q, want Q/ctrl+c", h.Key)
	}
	if h := s.keys.Up.Help(); h.Key != "k/↑" {
		t.Errorf("up help key = %q, want k/↑", h.Key)
	}
	// up is rebound to its defaults: not listed as a difference.
	var rebound []string
	for _, o := range s.rebound {
		rebound = append(rebound, o.action)
	}
	if !slices.Equal(rebound, []string{"resume", "quit"}) {
		t.Errorf("rebound = %v, want resume and quit (in key map order)", rebound)
	}
	if d := defaultKeyMap().Resume.Keys(); !slices.Equal(d, []string{"R"}) {
		t.Errorf("the default key map changed: resume = %v", d)
	}
}

// TestConfigReboundKeyWorksInTheUI drives the real inspector model with a
// key map from a config file: ctrl+r opens the resume preview, R no longer
// does, and the hints name the new key.
func TestConfigReboundKeyWorksInTheUI(t *testing.T) {
	p := writeConfig(t, t.TempDir(), "[keys]\nresume = \"ctrl+r\"\n")
	cfg, err := resolveSettings(flagsOf(t, "--config", p), envOf(map[string]string{"HOME": "/home/u"}))
	if err != nil || cfg.problem != nil {
		t.Fatal(err, cfg.problem)
	}
	s, client := pausedSession(t)
	// Both calls answered, so the resume key opens the preview.
	for _, id := range []string{"call_Q1", "call_Q2"} {
		if err := s.SetDraft(id, `{"ok":true,"cartTotal":149}`); err != nil {
			t.Fatal(err)
		}
	}
	var last ui.Snapshot
	opts := ui.Options{Client: client, Session: s, Title: "api.runtype.com", TempDir: t.TempDir(),
		Now:     func() time.Time { return base.Add(time.Hour) },
		Observe: func(sn ui.Snapshot) { last = sn }}
	cfg.uiOptions(&opts)
	m := ui.New(opts)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	if last.Focus != "pending" || last.State != api.RunPaused {
		t.Fatalf("start: focus %q state %s, want the pending pane of a paused run", last.Focus, last.State)
	}
	if !strings.Contains(last.Screen, "ctrl+r") {
		t.Errorf("the hints do not show ctrl+r:\n%s", last.Screen)
	}

	before := last.Message
	m.Update(tea.KeyPressMsg{Code: 'r', Text: "R", ShiftedCode: 'R', Mod: tea.ModShift})
	if last.Overlay != "" || last.Message != before {
		t.Fatalf("R: overlay %q, message %q; it is no longer the resume key", last.Overlay, last.Message)
	}
	m.Update(tea.KeyPressMsg{Code: 'r', Mod: tea.ModCtrl})
	if last.Overlay != "preview" {
		t.Fatalf("ctrl+r: overlay %q, want the resume preview\n%s", last.Overlay, last.Screen)
	}
	if !strings.Contains(last.Screen, api.PathResume) {
		t.Errorf("the preview does not show %s:\n%s", api.PathResume, last.Screen)
	}
}

// TestConfigCommand runs `rtinspect config` as a user would: the values,
// where each came from, the key only as set or not, the rebound keys; and
// a broken file's line, exit 2.
func TestConfigCommand(t *testing.T) {
	home := isolateConfig(t)
	t.Setenv("RTI_STAGING_KEY", secretValue)
	p := writeConfig(t, home, `profile = "staging"
theme = "light"

[profiles.staging]
base_url = "https://staging.example"
api_key_env = "RTI_STAGING_KEY"

[keys]
resume = "ctrl+r"
quit = ["q", "ctrl+c"]
`)
	code, out, errOut := runCLI(t, "config", "--no-mouse")
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	for _, want := range []string{
		"config_file:    " + p + ", exists  (default, under $XDG_CONFIG_HOME)",
		"profile:        staging  (" + p + ":1)",
		"base_url:       https://staging.example  (" + p + ":5 [profiles.staging])",
		"api_key_env:    RTI_STAGING_KEY  (" + p + ":6 [profiles.staging])",
		"key:            set, from $RTI_STAGING_KEY",
		"theme:          light  (" + p + ":2)",
		"mouse:          false  (flag --no-mouse)",
		"header_timeout: 1m30s  (default)",
		"keys.resume:    ctrl+r  (" + p + ":9 [keys]; default R)",
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "keys.quit") {
		t.Errorf("quit is bound to its defaults, yet listed:\n%s", out)
	}
	if strings.Contains(out+errOut, secretValue) || strings.Contains(out+errOut, "do-not-print") {
		t.Errorf("the key appears in the output:\n%s%s", out, errOut)
	}

	t.Run("flags and env", func(t *testing.T) {
		t.Setenv("RUNTYPE_BASE_URL", "https://env.example")
		_, out, _ := runCLI(t, "config", "--api-key", secretValue, "--theme", "low")
		for _, want := range []string{"base_url:       https://env.example  (env RUNTYPE_BASE_URL)", "key:            set, from flag --api-key", "theme:          low  (flag --theme)"} {
			if !strings.Contains(out, want+"\n") {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, secretValue) {
			t.Errorf("the key appears in the output:\n%s", out)
		}
	})
	t.Run("broken", func(t *testing.T) {
		writeConfig(t, home, "profile = \"staging\"\n\n[profiles.staging]\nbase_url = \"https://staging.example\"\n\n# the next line has a typo\nbse_url = \"y\"\n")
		code, out, errOut := runCLI(t, "config")
		if code != 2 {
			t.Errorf("exit %d, want 2", code)
		}
		want := "rtinspect config: " + p + `:7: unknown key "bse_url" in [profiles.staging]`
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr = %q, want %q", errOut, want)
		}
		for _, w := range []string{"ignored: it has an error", "base_url:       https://api.runtype.com  (default)", "theme:          auto  (default)"} {
			if !strings.Contains(out, w) {
				t.Errorf("output lacks %q (the defaults):\n%s", w, out)
			}
		}
	})
	t.Run("unknown profile flag", func(t *testing.T) {
		code, _, errOut := runCLI(t, "config", "--profile", "prod")
		if code != 2 || !strings.Contains(errOut, "--profile prod") {
			t.Errorf("exit %d, stderr %q; want 2 and the profile named", code, errOut)
		}
	})
	t.Run("help", func(t *testing.T) {
		code, _, errOut := runCLI(t, "config", "--help")
		if code != 2 || !strings.Contains(errOut, "-profile") || !strings.Contains(errOut, "-config") {
			t.Errorf("config --help: exit %d, stderr %q", code, errOut)
		}
	})
}

// inspectorUnderTest replaces the terminal with teatest for one test: the
// command runs for real up to the ui.Options, then play drives the
// inspector those options build.
func inspectorUnderTest(t *testing.T, play func(h *harness, opts ui.Options)) {
	t.Helper()
	oldTerm, oldStart := stdoutIsTerminal, startInspector
	t.Cleanup(func() { stdoutIsTerminal, startInspector = oldTerm, oldStart })
	stdoutIsTerminal = func(io.Writer) bool { return true }
	startInspector = func(ctx context.Context, opts ui.Options, stderr io.Writer) (*ui.Model, int) {
		h := &harness{t: t, keys: opts.Keys, notify: make(chan struct{}, 1)}
		// An hour ahead: every pending item counts as long seen.
		opts.Now = func() time.Time { return time.Now().Add(time.Hour) }
		opts.TempDir = t.TempDir()
		opts.Observe = func(sn ui.Snapshot) {
			h.mu.Lock()
			h.snap = sn
			h.mu.Unlock()
			select {
			case h.notify <- struct{}{}:
			default:
			}
		}
		m := ui.New(opts)
		h.tm = teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
		play(h, opts)
		return h.quit(), 0
	}
}

// noKeyIn fails when a file under dir holds the key.
func noKeyIn(t *testing.T, dir, key string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if data, _ := os.ReadFile(p); bytes.Contains(data, []byte(key)) {
			t.Errorf("%s holds the API key", p)
		}
		return nil
	})
}

// TestConfigTakesEffect starts the real inspector, and a headless run, on
// a config file with a profile (server and key variable), a theme, the
// mouse off, an editor, a record folder, rules and a rebound key, and
// shows each at work.
func TestConfigTakesEffect(t *testing.T) {
	home := isolateConfig(t)
	const keyVar = "RTI_TEST_STAGING_KEY"
	t.Setenv(keyVar, testKey)
	// A $VISUAL that fails: the config's editor must win over it.
	t.Setenv("VISUAL", "false")
	srv, url := simServer(t, sim.Options{APIKey: testKey})
	editor := editorScript(t, `{"ok":true,"cartTotal":288}`, 0)
	recDir := filepath.Join(t.TempDir(), "sessions")
	rules, err := filepath.Abs("examples/demo-rules.json")
	if err != nil {
		t.Fatal(err)
	}
	writeConfig(t, home, `profile = "staging"
theme = "light"
mouse = false
editor = "`+editor+`"
record_dir = "`+recDir+`"

[profiles.staging]
base_url = "`+url+`"
api_key_env = "`+keyVar+`"

[profiles.headless]
base_url = "`+url+`"
api_key_env = "`+keyVar+`"
rules = "`+rules+`"

[keys]
resume = "ctrl+r"
`)
	req := requestFile(t, "parallel")

	t.Run("inspector", func(t *testing.T) {
		played := false
		inspectorUnderTest(t, func(h *harness, opts ui.Options) {
			played = true
			if opts.Theme != "light" || !opts.NoMouse {
				t.Errorf("theme %q, no mouse %v; want light and true", opts.Theme, opts.NoMouse)
			}
			sn := h.waitFor("two pending calls", func(s ui.Snapshot) bool { return paused(s) && s.Pending == 2 && s.Focus == "pending" })
			if sn.Message != "" && strings.Contains(sn.Message, "config") {
				t.Errorf("a config notice on a good file: %q", sn.Message)
			}
			for i := 1; i <= 2; i++ {
				want := i
				h.press(h.keys.Edit)
				h.waitFor("an answer from the config's editor", func(s ui.Snapshot) bool { return s.Answered >= want })
			}
			h.tm.Send(tea.KeyPressMsg{Code: 'r', Mod: tea.ModCtrl})
			pv := h.waitFor("the resume preview", func(s ui.Snapshot) bool { return s.Overlay == "preview" })
			if strings.Contains(pv.Screen, testKey) {
				t.Errorf("the preview shows the key")
			}
			h.press(h.keys.Confirm)
			h.waitFor("completion", func(s ui.Snapshot) bool { return s.State == api.RunCompleted })
		})
		code, out, errOut := runCLI(t, "dispatch", req)
		if !played || code != 0 {
			t.Fatalf("exit %d, inspector started %v; stderr %s", code, played, errOut)
		}
		if len(srv.Requests()) < 2 {
			t.Errorf("the profile's server got %d requests, want the dispatch and the resume", len(srv.Requests()))
		}
		if strings.Contains(out+errOut, testKey) {
			t.Errorf("the key appears in the output")
		}
	})

	t.Run("headless", func(t *testing.T) {
		before := len(srv.Requests())
		code, out, errOut := runCLI(t, "dispatch", "--headless", "--profile", "headless", req)
		if code != 0 {
			t.Fatalf("exit %d, stderr %s", code, errOut)
		}
		if len(srv.Requests()) <= before {
			t.Errorf("the profile's server got no request")
		}
		if strings.Contains(out+errOut, testKey) {
			t.Errorf("the key appears in the output")
		}
	})

	entries, _ := os.ReadDir(recDir)
	if len(entries) < 2 {
		t.Errorf("record_dir %s holds %d file(s), want both sessions' recordings", recDir, len(entries))
	}
	noKeyIn(t, recDir, testKey)
	noKeyIn(t, os.Getenv("XDG_STATE_HOME"), testKey)
}

// TestConfigBrokenFileStartsWithDefaults: a file with a typo on line 7 is
// named with its line, in the status bar and on stderr, and the run goes
// on with the defaults (its theme, keys and record folder unused).
func TestConfigBrokenFileStartsWithDefaults(t *testing.T) {
	home := isolateConfig(t)
	_, url := simServer(t, sim.Options{APIKey: testKey})
	recDir := filepath.Join(t.TempDir(), "sessions")
	writeConfig(t, home, `theme = "light"
record_dir = "`+recDir+`"
[keys]
resume = "ctrl+r"

[profiles.staging]
bse_url = "https://staging.example"
`)
	const want = `config.toml:7: unknown key "bse_url" in [profiles.staging]`
	req := requestFile(t, "parallel")

	t.Run("inspector", func(t *testing.T) {
		inspectorUnderTest(t, func(h *harness, opts ui.Options) {
			if opts.Theme != "auto" || opts.NoMouse || !slices.Equal(opts.Keys.Resume.Keys(), []string{"R"}) {
				t.Errorf("theme %q, no mouse %v, resume %v: want the defaults", opts.Theme, opts.NoMouse, opts.Keys.Resume.Keys())
			}
			if !strings.HasPrefix(opts.Notice, want) {
				t.Errorf("notice = %q, want it to start with %q", opts.Notice, want)
			}
			h.waitFor("the pause", paused)
		})
		code, _, errOut := runCLI(t, "dispatch", "--base-url", url, "--api-key", testKey, req)
		if code != 0 || !strings.Contains(errOut, want) {
			t.Errorf("exit %d, stderr %q; want 0 and %q", code, errOut, want)
		}
	})
	t.Run("status bar", func(t *testing.T) {
		// rtinspect open sends nothing at start, so its first status
		// message is the notice, as drawn.
		rec := filepath.Join(t.TempDir(), "session.jsonl")
		recordScenario(t, url, "parallel", cartAnswers, rec)
		inspectorUnderTest(t, func(h *harness, opts ui.Options) {
			sn := h.waitFor("the first frame", func(s ui.Snapshot) bool { return s.Screen != "" })
			if !strings.HasPrefix(sn.Message, want) {
				t.Errorf("status message = %q, want it to start with %q", sn.Message, want)
			}
			if !strings.Contains(sn.Screen, want) {
				t.Errorf("the status bar at 80x24 does not show %q:\n%s", want, sn.Screen)
			}
		})
		if code, _, errOut := runCLI(t, "open", rec); code != 0 {
			t.Errorf("open: exit %d: %s", code, errOut)
		}
	})
	t.Run("headless", func(t *testing.T) {
		answers := filepath.Join(t.TempDir(), "answers.json")
		os.WriteFile(answers, []byte(cartAnswers), 0o600)
		code, _, errOut := runCLI(t, "dispatch", "--headless", "--base-url", url, "--api-key", testKey, "--answers", answers, req)
		if code != 0 {
			t.Errorf("exit %d, want the run to go on and complete: %s", code, errOut)
		}
		if !strings.Contains(errOut, filepath.Join(home, "rtinspect", want)) {
			t.Errorf("stderr = %q, want the file's whole path and %q", errOut, want)
		}
	})
	if _, err := os.Stat(recDir); err == nil {
		t.Errorf("the broken file's record_dir was used")
	}
	entries, _ := os.ReadDir(filepath.Join(os.Getenv("XDG_STATE_HOME"), "rtinspect", "sessions"))
	if len(entries) == 0 {
		t.Errorf("no recording in the default folder")
	}
}
