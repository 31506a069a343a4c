package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	toml "github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"

	"rtinspect/api/record"
	"rtinspect/ui"
	"rtinspect/ui/headless"
)

// The config file, rtinspect/config.toml under the XDG config folder, holds
// what a person would otherwise repeat on every command line: profiles
// (a base URL and the name of the variable holding its key), the theme,
// the mouse, where recordings go, the editor, the tool catalog and rules,
// the two timeouts, the debug log, and key bindings. Every value combines with the flags
// and the environment by one rule: flag > environment variable > the
// selected profile > the file's top level > default.
//
// go-toml v2 reads the file: its strict decoder reports syntax errors,
// unknown keys and wrong types each with a line (BurntSushi/toml gives a
// structured position only for syntax errors; its unknown keys come without
// one and its type errors as plain strings), and its parser lets us find the
// line of every key for the errors we find ourselves and for `rtinspect
// config`.

const (
	defaultBaseURL       = "https://api.runtype.com"
	defaultKeyEnv        = "RUNTYPE_API_KEY"
	defaultIdleWarning   = 30 * time.Second
	defaultHeaderTimeout = 90 * time.Second
)

// themes are the names ui.Options.Theme understands.
var themes = []string{"auto", "dark", "light", "low", "none"}

// configFile is config.toml as written. Every field is optional; a missing
// file reads as an empty one.
type configFile struct {
	Profile       string                   `toml:"profile"`
	Theme         string                   `toml:"theme"`
	Mouse         *bool                    `toml:"mouse"`
	RecordDir     string                   `toml:"record_dir"`
	Editor        string                   `toml:"editor"`
	Tools         string                   `toml:"tools"`
	Rules         string                   `toml:"rules"`
	IdleWarning   string                   `toml:"idle_warning"`
	HeaderTimeout string                   `toml:"header_timeout"`
	DebugLog      string                   `toml:"debug_log"`
	Profiles      map[string]configProfile `toml:"profiles"`
	// Keys is decoded loosely (a string or a list of strings per action)
	// and checked by us, so a wrong value gets a message in our words.
	Keys map[string]any `toml:"keys"`
}

// configProfile is one [profiles.NAME] table.
type configProfile struct {
	BaseURL string `toml:"base_url"`
	// APIKeyEnv names the environment variable that holds the key: the
	// key itself never goes in the file.
	APIKeyEnv string `toml:"api_key_env"`
	Tools     string `toml:"tools"`
	Rules     string `toml:"rules"`
}

// The keys each level of the file may hold, for "did you mean" and for
// the type messages.
var (
	topKeys     = []string{"profile", "theme", "mouse", "record_dir", "editor", "tools", "rules", "idle_warning", "header_timeout", "debug_log", "profiles", "keys"}
	profileKeys = []string{"base_url", "api_key_env", "tools", "rules"}
)

// secretKeys are names under which a key might be pasted into the file.
// They are refused with a message of their own, which never repeats the
// value.
var secretKeys = []string{"api_key", "apikey", "api-key", "key", "token", "api_token", "secret"}

// config is a config file that was read and checked.
type config struct {
	path    string // as found
	display string // path with the home folder written ~, for messages
	file    configFile
	// lines maps every key, dotted ("profiles.staging.base_url"), and
	// every table header ("profiles.staging") to its line.
	lines         map[string]int
	keys          []keyOverride
	idleWarning   time.Duration
	headerTimeout time.Duration
}

// keyOverride is one [keys] entry: the bindings of an action.
type keyOverride struct {
	action string // snake_case, e.g. "copy_curl"
	field  int    // index of the ui.KeyMap field
	keys   []string
	from   string // where it was set
}

// configError is what is wrong with a config file, at a line when one is
// known.
type configError struct {
	path string // for display
	line int
	msg  string
}

// Error reads "PATH:LINE: what is wrong", as compilers write it, so
// editors and terminals can jump to the line.
func (e *configError) Error() string {
	if e.line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.path, e.line, e.msg)
	}
	return fmt.Sprintf("%s: %s", e.path, e.msg)
}

// where says where a key of the file was set: "PATH:LINE", followed by
// its table when it is in one ("PATH:12 [profiles.staging]").
func (c *config) where(path ...string) string {
	s := fmt.Sprintf("%s:%d", c.display, c.lines[strings.Join(path, ".")])
	if len(path) > 1 {
		s += " [" + strings.Join(path[:len(path)-1], ".") + "]"
	}
	return s
}

// errAt builds an error at the line of a key.
func (c *config) errAt(path []string, format string, args ...any) error {
	return &configError{path: c.display, line: c.lines[strings.Join(path, ".")], msg: fmt.Sprintf(format, args...)}
}

// homeDir is the home folder, "" when there is none.
func homeDir(getenv func(string) string) string {
	if h := getenv("HOME"); h != "" {
		return h
	}
	h, _ := os.UserHomeDir()
	return h
}

// displayPath writes a path under the home folder as ~/…, so messages fit
// a status bar.
func displayPath(p, home string) string {
	if home != "" && home != "/" && strings.HasPrefix(p, home+string(filepath.Separator)) {
		return "~" + p[len(home):]
	}
	return p
}

// expandHome replaces a leading ~ with the home folder.
func expandHome(p, home string) (string, bool) {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return p, true
	}
	if home == "" {
		return p, false
	}
	return filepath.Join(home, p[1:]), true
}

// defaultConfigPath is $XDG_CONFIG_HOME/rtinspect/config.toml, else
// ~/.config/rtinspect/config.toml; "" when neither is set. A relative
// $XDG_CONFIG_HOME is ignored, as the XDG spec requires.
func defaultConfigPath(getenv func(string) string) string {
	if d := getenv("XDG_CONFIG_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "rtinspect", "config.toml")
	}
	if h := homeDir(getenv); h != "" {
		return filepath.Join(h, ".config", "rtinspect", "config.toml")
	}
	return ""
}

// loadConfig reads and checks the config file at path. A missing file is
// no error: it returns nil. Anything wrong is a *configError naming the
// line; the caller then goes on with the defaults.
func loadConfig(path string, getenv func(string) string) (*config, error) {
	home := homeDir(getenv)
	c := &config{path: path, display: displayPath(path, home)}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &configError{path: c.display, msg: "cannot read it: " + err.Error()}
	}
	var secret []string
	c.lines, secret = indexConfig(data)
	if secret == nil {
		// The index stops at a syntax error, which may be in the value
		// of the very line that holds a key ("api_key = sk-…").
		secret = secretLine(data, c.lines)
	}
	if secret != nil {
		// Refused before decoding, so that no error message, whatever
		// else is wrong, comes near the value.
		where := ""
		if len(secret) > 1 {
			where = " in [" + strings.Join(secret[:len(secret)-1], ".") + "]"
		}
		return nil, c.errAt(secret, "%s%s: an API key does not belong in the config file; keep it in the environment and name the variable with api_key_env", secret[len(secret)-1], where)
	}
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c.file); err != nil {
		return nil, c.decodeError(err)
	}
	if err := c.check(home); err != nil {
		return nil, err
	}
	return c, nil
}

// indexConfig maps every key of a TOML document, dotted, to the line it is
// on, and every table header to its line. It also returns the first key
// named like an API key outside [keys] (nil when there is none). A syntax
// error stops it; the decoder reports it.
func indexConfig(data []byte) (lines map[string]int, secret []string) {
	lines = map[string]int{}
	var p unstable.Parser
	p.Reset(data)
	var table []string
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = nil
			it := e.Key()
			for it.Next() {
				table = append(table, string(it.Node().Data))
			}
			if first := e.Child(); first != nil {
				setLine(lines, table, p.Shape(first.Raw).Start.Line)
			}
		case unstable.KeyValue:
			if s := indexKeyValue(&p, table, e, lines); s != nil && secret == nil {
				secret = s
			}
		}
	}
	return lines, secret
}

// indexKeyValue records one key = value under prefix (its table), and the
// keys of an inline table value under the key.
func indexKeyValue(p *unstable.Parser, prefix []string, kv *unstable.Node, lines map[string]int) (secret []string) {
	path := slices.Clone(prefix)
	line := 0
	it := kv.Key()
	for it.Next() {
		n := it.Node()
		if line == 0 {
			line = p.Shape(n.Raw).Start.Line
		}
		path = append(path, string(n.Data))
		setLine(lines, path, line)
	}
	if len(path) > 0 && path[0] != "keys" && slices.Contains(secretKeys, strings.ToLower(path[len(path)-1])) {
		secret = path
	}
	if v := kv.Value(); v.Kind == unstable.InlineTable {
		children := v.Children()
		for children.Next() {
			if c := children.Node(); c.Kind == unstable.KeyValue {
				if s := indexKeyValue(p, path, c, lines); s != nil && secret == nil {
					secret = s
				}
			}
		}
	}
	return secret
}

// secretLineRE is a line that sets a key named like an API key.
var secretLineRE = regexp.MustCompile(`(?i)^\s*["']?(api_key|apikey|api-key|key|token|api_token|secret)["']?\s*=`)

// secretLine finds a line setting a key named like an API key, outside
// [keys], by its text alone. It records the line in lines under the name,
// for errAt.
func secretLine(data []byte, lines map[string]int) []string {
	inKeys := false
	for i, l := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "[") {
			inKeys = strings.HasPrefix(strings.ReplaceAll(t, " ", ""), "[keys]")
			continue
		}
		if m := secretLineRE.FindStringSubmatch(l); m != nil && !inKeys {
			name := strings.ToLower(m[1])
			lines[name] = i + 1
			return []string{name}
		}
	}
	return nil
}

// setLine keeps the first line a key appears on.
func setLine(lines map[string]int, path []string, line int) {
	k := strings.Join(path, ".")
	if _, ok := lines[k]; !ok {
		lines[k] = line
	}
}

// decodeError turns go-toml's error into ours: the line, and words about
// the file rather than about Go types.
func (c *config) decodeError(err error) error {
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) && len(strict.Errors) > 0 {
		e := strict.Errors[0]
		line, _ := e.Position()
		k := e.Key()
		if len(k) == 0 {
			return &configError{path: c.display, line: line, msg: "unknown key"}
		}
		// Inside an inline table go-toml gives only the last part of the
		// key; the index knows the whole path.
		k = c.fullKey(k, line)
		name, table := k[len(k)-1], k[:len(k)-1]
		known := topKeys
		if len(table) == 2 && table[0] == "profiles" {
			known = profileKeys
		}
		msg := fmt.Sprintf("unknown key %q", name)
		if len(table) > 0 {
			msg += " in [" + strings.Join(table, ".") + "]"
		}
		if s := closest(name, known); s != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", s)
		}
		return &configError{path: c.display, line: line, msg: msg}
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, _ := de.Position()
		msg := strings.TrimPrefix(de.Error(), "toml: ")
		if kind, ok := tomlKind(msg); ok && len(de.Key()) > 0 {
			k := c.fullKey(de.Key(), line)
			return &configError{path: c.display, line: line, msg: fmt.Sprintf("%s must be %s, not %s", describeKey(k), wantFor(k), kind)}
		}
		return &configError{path: c.display, line: line, msg: "syntax error: " + msg}
	}
	return &configError{path: c.display, msg: err.Error()}
}

// fullKey completes a key go-toml reported without its table.
func (c *config) fullKey(k []string, line int) []string {
	if _, ok := c.lines[strings.Join(k, ".")]; ok {
		return k
	}
	suffix := "." + strings.Join(k, ".")
	var found []string
	for p, l := range c.lines {
		if l == line && strings.HasSuffix(p, suffix) && (found == nil || len(p) < len(strings.Join(found, "."))) {
			found = strings.Split(p, ".")
		}
	}
	if found != nil {
		return found
	}
	return k
}

var tomlKindRE = regexp.MustCompile(`^cannot decode TOML ([a-z ]+?) into |^cannot store (?:a|an) ([a-z ]+?) in `)

// tomlKind finds the kind of value in one of go-toml's type errors.
func tomlKind(msg string) (string, bool) {
	m := tomlKindRE.FindStringSubmatch(msg)
	if m == nil {
		return "", false
	}
	kind := m[1] + m[2]
	if strings.ContainsAny(kind[:1], "aeiou") {
		return "an " + kind, true
	}
	return "a " + kind, true
}

// describeKey names a key for a message: `mouse`, `base_url in
// [profiles.staging]`.
func describeKey(k []string) string {
	if len(k) == 1 {
		return k[0]
	}
	return k[len(k)-1] + " in [" + strings.Join(k[:len(k)-1], ".") + "]"
}

// wantFor says what a key must hold.
func wantFor(k []string) string {
	switch {
	case len(k) == 1 && k[0] == "mouse":
		return "true or false"
	case len(k) == 1 && (k[0] == "idle_warning" || k[0] == "header_timeout"):
		return `a duration in quotes, such as "45s"`
	case len(k) == 1 && k[0] == "profiles":
		return "tables written [profiles.NAME]"
	case len(k) == 2 && k[0] == "profiles":
		return "a table [profiles." + k[1] + "]"
	case len(k) == 1 && k[0] == "keys":
		return "a table [keys]"
	}
	return "a string in quotes"
}

// check validates what the decoder cannot: names, durations, URLs, key
// bindings, and expands the paths.
func (c *config) check(home string) error {
	f := &c.file
	if f.Theme != "" && !slices.Contains(themes, f.Theme) {
		return c.errAt([]string{"theme"}, "theme %q is not one of %s", f.Theme, strings.Join(themes, ", "))
	}
	var err error
	if c.idleWarning, err = c.duration("idle_warning", f.IdleWarning); err != nil {
		return err
	}
	if c.headerTimeout, err = c.duration("header_timeout", f.HeaderTimeout); err != nil {
		return err
	}
	dir := filepath.Dir(c.path)
	for _, p := range []struct {
		key string
		v   *string
	}{{"record_dir", &f.RecordDir}, {"tools", &f.Tools}, {"rules", &f.Rules}, {"debug_log", &f.DebugLog}} {
		if err := c.expandPath([]string{p.key}, p.v, home, dir); err != nil {
			return err
		}
	}
	names := make([]string, 0, len(f.Profiles))
	for n := range f.Profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := f.Profiles[n]
		if p.BaseURL != "" {
			u, err := url.Parse(p.BaseURL)
			if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
				return c.errAt([]string{"profiles", n, "base_url"}, "base_url in [profiles.%s] is not an http(s) URL", n)
			}
		}
		if p.APIKeyEnv != "" && !envNameRE.MatchString(p.APIKeyEnv) {
			// Never repeat the value: it may be the key itself.
			return c.errAt([]string{"profiles", n, "api_key_env"}, "api_key_env in [profiles.%s] must be the NAME of an environment variable (capitals, digits and _), not the key itself", n)
		}
		for _, k := range []struct {
			key string
			v   *string
		}{{"tools", &p.Tools}, {"rules", &p.Rules}} {
			if err := c.expandPath([]string{"profiles", n, k.key}, k.v, home, dir); err != nil {
				return err
			}
		}
		f.Profiles[n] = p
	}
	if f.Profile != "" {
		if _, ok := f.Profiles[f.Profile]; !ok {
			return c.errAt([]string{"profile"}, "profile %q: there is no [profiles.%s] in this file (%s)", f.Profile, f.Profile, profileList(names))
		}
	}
	return c.checkKeys()
}

// envNameRE is an environment variable name as POSIX writes those of
// programs: capitals, digits and underscores. Keys are mostly not of that
// shape, so a key pasted into api_key_env is refused.
var envNameRE = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)

func profileList(names []string) string {
	if len(names) == 0 {
		return "it defines no profiles"
	}
	return "it defines " + strings.Join(names, ", ")
}

func (c *config) duration(name, v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, c.errAt([]string{name}, `%s %q is not a positive duration (write it like "45s" or "2m")`, name, v)
	}
	return d, nil
}

// expandPath expands ~ and makes a relative path relative to the config
// file's folder, as a path written in a file is read from where the file is.
func (c *config) expandPath(key []string, p *string, home, dir string) error {
	if *p == "" {
		return nil
	}
	v, ok := expandHome(*p, home)
	if !ok {
		return c.errAt(key, "%s starts with ~ but there is no home folder ($HOME is not set)", describeKey(key))
	}
	if !filepath.IsAbs(v) {
		v = filepath.Join(dir, v)
	}
	*p = v
	return nil
}

// checkKeys reads [keys]: each entry names an action and gives it one key
// or a list of keys.
func (c *config) checkKeys() error {
	actions := keyActions()
	names := make([]string, 0, len(c.file.Keys))
	for n := range c.file.Keys {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		at := []string{"keys", n}
		field, ok := actions[n]
		if !ok {
			msg := fmt.Sprintf("unknown action %q in [keys]", n)
			all := make([]string, 0, len(actions))
			for a := range actions {
				all = append(all, a)
			}
			if s := closest(n, all); s != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", s)
			}
			return c.errAt(at, "%s", msg)
		}
		var raw []string
		switch v := c.file.Keys[n].(type) {
		case string:
			raw = []string{v}
		case []any:
			for _, e := range v {
				s, ok := e.(string)
				if !ok {
					return c.errAt(at, "%s in [keys] must be a key in quotes or a list of them, such as [\"q\", \"ctrl+c\"]", n)
				}
				raw = append(raw, s)
			}
		default:
			return c.errAt(at, "%s in [keys] must be a key in quotes or a list of them, such as [\"q\", \"ctrl+c\"]", n)
		}
		if len(raw) == 0 {
			return c.errAt(at, "%s in [keys] has no key: give at least one", n)
		}
		o := keyOverride{action: n, field: field, from: c.where(at...)}
		for _, r := range raw {
			k, err := normalizeKey(r)
			if err != nil {
				return c.errAt(at, "%s in [keys]: %v", n, err)
			}
			if !slices.Contains(o.keys, k) {
				o.keys = append(o.keys, k)
			}
		}
		c.keys = append(c.keys, o)
	}
	sort.Slice(c.keys, func(i, j int) bool { return c.keys[i].field < c.keys[j].field })
	return nil
}

// keyActions maps each action name of [keys] to its ui.KeyMap field: the
// field name in snake_case (CopyCurl is copy_curl). Derived by reflection
// so a binding added to the key map can be rebound at once.
func keyActions() map[string]int {
	t := reflect.TypeFor[ui.KeyMap]()
	bt := reflect.TypeFor[key.Binding]()
	m := map[string]int{}
	for i := range t.NumField() {
		if f := t.Field(i); f.Type == bt && f.IsExported() {
			m[snakeCase(f.Name)] = i
		}
	}
	return m
}

func snakeCase(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// modifiers in the order Bubble Tea writes them in a keystroke ("ctrl+alt+x"),
// since bindings match the keystroke's text exactly.
var modifiers = []string{"ctrl", "alt", "shift", "meta", "hyper", "super"}

// namedKeys are the key names Bubble Tea uses, with a few spellings people
// write for them.
var namedKeys = func() map[string]string {
	m := map[string]string{
		"enter": "enter", "return": "enter", "tab": "tab", "backspace": "backspace",
		"esc": "esc", "escape": "esc", "space": "space", "up": "up", "down": "down",
		"left": "left", "right": "right", "begin": "begin", "find": "find", "insert": "insert",
		"delete": "delete", "del": "delete", "select": "select", "pgup": "pgup", "pageup": "pgup",
		"pgdown": "pgdown", "pagedown": "pgdown", "home": "home", "end": "end",
	}
	for i := 1; i <= 63; i++ {
		f := fmt.Sprintf("f%d", i)
		m[f] = f
	}
	return m
}()

// normalizeKey checks a key as written in [keys] and returns it the way
// Bubble Tea names it: modifiers in its order, "escape" as "esc",
// "shift+r" as "R" (a terminal sends the capital).
func normalizeKey(s string) (string, error) {
	bad := func() (string, error) {
		return "", fmt.Errorf("%q is not a key (write keys like \"R\", \"ctrl+r\", \"enter\", \"f5\")", s)
	}
	if s == "" || strings.ContainsFunc(s, unicode.IsSpace) {
		return bad()
	}
	parts := strings.Split(s, "+")
	base := parts[len(parts)-1]
	mods := parts[:len(parts)-1]
	if base == "" && len(parts) >= 2 && parts[len(parts)-2] == "" {
		// "+" itself, or "ctrl++".
		base, mods = "+", parts[:len(parts)-2]
	}
	have := map[string]bool{}
	for _, m := range mods {
		m = strings.ToLower(m)
		if !slices.Contains(modifiers, m) || have[m] {
			return bad()
		}
		have[m] = true
	}
	if n, ok := namedKeys[strings.ToLower(base)]; ok {
		base = n
	} else if utf8.RuneCountInString(base) != 1 || !unicode.IsPrint([]rune(base)[0]) {
		return bad()
	}
	if len(have) == 1 && have["shift"] && utf8.RuneCountInString(base) == 1 && unicode.IsLower([]rune(base)[0]) {
		return strings.ToUpper(base), nil
	}
	var b strings.Builder
	for _, m := range modifiers {
		if have[m] {
			b.WriteString(m + "+")
		}
	}
	b.WriteString(base)
	return b.String(), nil
}

// helpKey writes keys for the hints and the help overlay, as the default
// bindings do ("k/↑").
func helpKey(keys []string) string {
	arrows := map[string]string{"up": "↑", "down": "↓", "left": "←", "right": "→"}
	out := make([]string, len(keys))
	for i, k := range keys {
		if a, ok := arrows[k]; ok {
			k = a
		}
		out[i] = k
	}
	return strings.Join(out, "/")
}

// applyKeys returns km with the overrides: each replaces its binding's keys
// and the key its help shows, keeping the description.
func applyKeys(km ui.KeyMap, overrides []keyOverride) ui.KeyMap {
	v := reflect.ValueOf(&km).Elem()
	for _, o := range overrides {
		f := v.Field(o.field)
		old := f.Interface().(key.Binding)
		b := key.NewBinding(key.WithKeys(o.keys...), key.WithHelp(helpKey(o.keys), old.Help().Desc))
		f.Set(reflect.ValueOf(b))
	}
	return km
}

// closest is the name in names nearest to s, when it is near enough to be
// a likely typo ("" otherwise).
func closest(s string, names []string) string {
	best, bestD := "", 3
	for _, n := range names {
		if d := editDistance(s, n); d < bestD || (d == bestD && best != "" && n < best) {
			best, bestD = n, d
		}
	}
	// Short names are near many others: allow one slip in those.
	limit := 2
	if len(s) < 5 {
		limit = 1
	}
	if bestD > limit {
		return ""
	}
	return best
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// setting is one effective value and where it came from: "flag
// --base-url", "env RUNTYPE_BASE_URL", "~/.config/rtinspect/config.toml:12
// [profiles.staging]" or "default".
type setting[T any] struct {
	v    T
	from string
}

// settings is a command's effective configuration: its flags, the
// environment and the config file, combined.
type settings struct {
	path   setting[string] // the config file ("" when there is no home folder)
	exists bool
	// problem is what was wrong with the config file; when set the file
	// was ignored and everything else is as if it were missing.
	problem error

	profile setting[string]
	baseURL setting[string]
	// keyEnv is the variable the key is read from when --api-key is not
	// given.
	keyEnv setting[string]
	// apiKey is the key itself: used, never printed. keyFrom says where it
	// came from ("flag --api-key", "$RUNTYPE_API_KEY").
	apiKey  string
	keyFrom string

	theme         setting[string]
	mouse         setting[bool]
	recordDir     setting[string] // "" means record.DefaultDir()
	editor        setting[string] // "" means $VISUAL, $EDITOR, vi
	tools         setting[string]
	rules         setting[string]
	idleWarning   setting[time.Duration]
	headerTimeout setting[time.Duration]
	// debugLog is the debug log's file ("" means none); debugNotice says
	// why it could not be opened, for the status bar.
	debugLog    setting[string]
	debugNotice string

	keys    ui.KeyMap
	rebound []keyOverride // the [keys] entries that change a default
}

// resolveSettings combines a command's flags, the environment (read
// through getenv) and the config file: flag > environment > the selected
// profile > the file's top level > default. A broken config file is not an
// error: it is reported in settings.problem and ignored. The error is for
// what the command cannot go on with: a --theme that does not exist, or a
// profile asked for by --profile or $RTINSPECT_PROFILE that cannot be used
// (going on with the defaults could send the default key to the default
// server).
func resolveSettings(f serverFlags, getenv func(string) string) (settings, error) {
	home := homeDir(getenv)
	s := settings{keys: defaultKeyMap()}
	switch {
	case f.configPath != "":
		p, _ := expandHome(f.configPath, home)
		s.path = setting[string]{p, "flag --config"}
	case getenv("RTINSPECT_CONFIG") != "":
		p, _ := expandHome(getenv("RTINSPECT_CONFIG"), home)
		s.path = setting[string]{p, "env RTINSPECT_CONFIG"}
	case getenv("XDG_CONFIG_HOME") != "" && filepath.IsAbs(getenv("XDG_CONFIG_HOME")):
		s.path = setting[string]{defaultConfigPath(getenv), "default, under $XDG_CONFIG_HOME"}
	default:
		s.path = setting[string]{defaultConfigPath(getenv), "default"}
	}
	var cfg *config
	if s.path.v != "" {
		var err error
		cfg, err = loadConfig(s.path.v, getenv)
		s.problem = err
		_, statErr := os.Stat(s.path.v)
		s.exists = statErr == nil
		if !s.exists && s.problem == nil && !strings.HasPrefix(s.path.from, "default") {
			// A missing file is the defaults, but one named on purpose
			// is more likely a typo than a wish for them.
			s.problem = &configError{path: displayPath(s.path.v, home), msg: "does not exist (named by " + s.path.from + ")"}
		}
	}
	if cfg == nil {
		cfg = &config{path: s.path.v, display: displayPath(s.path.v, home)}
	}
	file := cfg.file

	// The debug log first: a command stopped by a bad profile below still
	// logs why.
	switch {
	case f.debugLog != "":
		p, _ := expandHome(f.debugLog, home)
		s.debugLog = setting[string]{p, "flag --debug-log"}
	case getenv("RTINSPECT_DEBUG_LOG") != "":
		p, _ := expandHome(getenv("RTINSPECT_DEBUG_LOG"), home)
		s.debugLog = setting[string]{p, "env RTINSPECT_DEBUG_LOG"}
	case file.DebugLog != "":
		s.debugLog = setting[string]{file.DebugLog, cfg.where("debug_log")}
	default:
		s.debugLog = setting[string]{"", "default"}
	}

	// The profile.
	switch {
	case f.profile != "":
		s.profile = setting[string]{f.profile, "flag --profile"}
	case getenv("RTINSPECT_PROFILE") != "":
		s.profile = setting[string]{getenv("RTINSPECT_PROFILE"), "env RTINSPECT_PROFILE"}
	case file.Profile != "":
		s.profile = setting[string]{file.Profile, cfg.where("profile")}
	default:
		s.profile = setting[string]{"", "default"}
	}
	var prof configProfile
	if s.profile.v != "" {
		p, ok := file.Profiles[s.profile.v]
		if !ok {
			asked := "--profile " + s.profile.v
			if s.profile.from != "flag --profile" {
				asked = "RTINSPECT_PROFILE=" + s.profile.v
			}
			switch {
			case s.problem != nil:
				return s, fmt.Errorf("%s cannot be used: %w", asked, s.problem)
			case s.path.v == "":
				return s, fmt.Errorf("%s: there is no config file (neither $XDG_CONFIG_HOME nor $HOME is set)", asked)
			case !s.exists:
				return s, fmt.Errorf("%s: the config file %s does not exist", asked, cfg.display)
			}
			names := make([]string, 0, len(file.Profiles))
			for n := range file.Profiles {
				names = append(names, n)
			}
			sort.Strings(names)
			return s, fmt.Errorf("%s: there is no [profiles.%s] in %s (%s)", asked, s.profile.v, cfg.display, profileList(names))
		}
		prof = p
	}
	inProfile := func(k string) string { return cfg.where("profiles", s.profile.v, k) }

	// Where requests go, and with which key.
	switch {
	case f.baseURL != "":
		s.baseURL = setting[string]{f.baseURL, "flag --base-url"}
	case getenv("RUNTYPE_BASE_URL") != "":
		s.baseURL = setting[string]{getenv("RUNTYPE_BASE_URL"), "env RUNTYPE_BASE_URL"}
	case prof.BaseURL != "":
		s.baseURL = setting[string]{prof.BaseURL, inProfile("base_url")}
	default:
		s.baseURL = setting[string]{defaultBaseURL, "default"}
	}
	s.keyEnv = setting[string]{defaultKeyEnv, "default"}
	if prof.APIKeyEnv != "" {
		s.keyEnv = setting[string]{prof.APIKeyEnv, inProfile("api_key_env")}
	}
	if f.apiKey != "" {
		s.apiKey, s.keyFrom = f.apiKey, "flag --api-key"
	} else if k := getenv(s.keyEnv.v); k != "" {
		s.apiKey, s.keyFrom = k, "$"+s.keyEnv.v
	}

	// The screen.
	switch {
	case f.theme != "":
		if !slices.Contains(themes, f.theme) {
			return s, fmt.Errorf("--theme %q is not one of %s", f.theme, strings.Join(themes, ", "))
		}
		s.theme = setting[string]{f.theme, "flag --theme"}
	case file.Theme != "":
		s.theme = setting[string]{file.Theme, cfg.where("theme")}
	case getenv("NO_COLOR") != "":
		// https://no-color.org: a theme named on purpose still wins.
		s.theme = setting[string]{"none", "env NO_COLOR"}
	default:
		s.theme = setting[string]{"auto", "default"}
	}
	switch {
	case f.noMouse:
		s.mouse = setting[bool]{false, "flag --no-mouse"}
	case file.Mouse != nil:
		s.mouse = setting[bool]{*file.Mouse, cfg.where("mouse")}
	default:
		s.mouse = setting[bool]{true, "default"}
	}
	s.recordDir = setting[string]{"", "default"}
	if file.RecordDir != "" {
		s.recordDir = setting[string]{file.RecordDir, cfg.where("record_dir")}
	}
	switch {
	case file.Editor != "":
		s.editor = setting[string]{file.Editor, cfg.where("editor")}
	case getenv("VISUAL") != "":
		s.editor = setting[string]{"", "env VISUAL"}
	case getenv("EDITOR") != "":
		s.editor = setting[string]{"", "env EDITOR"}
	default:
		s.editor = setting[string]{"", "default"}
	}

	// Answering and timing.
	s.tools = pick(f.tools, "flag --tools", prof.Tools, inProfile("tools"), file.Tools, cfg.where("tools"))
	s.rules = pick(f.rules, "flag --rules", prof.Rules, inProfile("rules"), file.Rules, cfg.where("rules"))
	s.idleWarning = setting[time.Duration]{defaultIdleWarning, "default"}
	if f.given("idle-warning") {
		s.idleWarning = setting[time.Duration]{f.idleWarn, "flag --idle-warning"}
	} else if cfg.idleWarning > 0 {
		s.idleWarning = setting[time.Duration]{cfg.idleWarning, cfg.where("idle_warning")}
	}
	s.headerTimeout = setting[time.Duration]{defaultHeaderTimeout, "default"}
	if f.given("header-timeout") {
		s.headerTimeout = setting[time.Duration]{f.headerTimeout, "flag --header-timeout"}
	} else if cfg.headerTimeout > 0 {
		s.headerTimeout = setting[time.Duration]{cfg.headerTimeout, cfg.where("header_timeout")}
	}

	// Keys: only the entries that change something are worth listing.
	defaults := reflect.ValueOf(s.keys)
	for _, o := range cfg.keys {
		if !slices.Equal(defaults.Field(o.field).Interface().(key.Binding).Keys(), o.keys) {
			s.rebound = append(s.rebound, o)
		}
	}
	s.keys = applyKeys(s.keys, cfg.keys)
	return s, nil
}

// pick is the first of three candidate values that is set (a flag, the
// profile, the file's top level), with its source; "" from default
// otherwise.
func pick(vals ...string) setting[string] {
	for i := 0; i+1 < len(vals); i += 2 {
		if vals[i] != "" {
			return setting[string]{vals[i], vals[i+1]}
		}
	}
	return setting[string]{"", "default"}
}

// getenv returns the environment the inspector reads ($VISUAL, $EDITOR)
// with the config file's editor standing in for $VISUAL: like git's
// core.editor, it beats both variables. nil means os.Getenv.
func (s settings) getenv() func(string) string {
	if s.editor.v == "" {
		return nil
	}
	ed := s.editor.v
	return func(k string) string {
		if k == "VISUAL" {
			return ed
		}
		return os.Getenv(k)
	}
}

// sourceOf says, for an error loading the tool catalog or the rules, which
// line of the config file named the file (" (tools from PATH:6)"); "" when
// a flag named it.
func (s settings) sourceOf(err error) string {
	msg := err.Error()
	for _, x := range []struct {
		prefix, name string
		v            setting[string]
	}{{"tool catalog", "tools", s.tools}, {"rules", "rules", s.rules}} {
		if strings.HasPrefix(msg, x.prefix) && x.v.from != "default" && !strings.HasPrefix(x.v.from, "flag ") {
			return fmt.Sprintf(" (%s from %s)", x.name, x.v.from)
		}
	}
	return ""
}

// notice is the one-line message about a broken config file ("" when it
// is fine). The status bar is narrow: it names the file by its base name,
// so the line and the reason fit in 80 columns; stderr and `rtinspect
// config` give the whole path.
func (s settings) notice(short bool) string {
	if s.problem == nil {
		return ""
	}
	msg := s.problem.Error()
	var ce *configError
	if short && errors.As(s.problem, &ce) {
		short := *ce
		short.path = filepath.Base(ce.path)
		msg = short.Error()
	}
	return msg + "; config file ignored"
}

// uiOptions puts the inspector's share of the settings into o: the key
// map, the theme, the mouse, the editor, and a broken config file's
// message first among the notices.
func (s settings) uiOptions(o *ui.Options, notices ...string) {
	o.Keys = s.keys
	o.Theme = s.theme.v
	o.NoMouse = !s.mouse.v
	o.Getenv = s.getenv()
	var all []string
	for _, n := range append([]string{s.notice(true), s.debugNotice}, notices...) {
		if n != "" {
			all = append(all, n)
		}
	}
	o.Notice = strings.Join(all, " · ")
}

// print writes the effective configuration, one value a line with where it
// came from. The key is never printed, only whether it is set and from
// where.
func (s settings) print(w io.Writer, getenv func(string) string) {
	home := homeDir(getenv)
	line := func(name, value, from string) {
		fmt.Fprintf(w, "%-15s %s  (%s)\n", name+":", value, from)
	}
	orNone := func(v string) string {
		if v == "" {
			return "none"
		}
		return displayPath(v, home)
	}
	switch {
	case s.path.v == "":
		line("config_file", "none: neither $XDG_CONFIG_HOME nor $HOME is set", s.path.from)
	case s.problem != nil:
		line("config_file", displayPath(s.path.v, home)+", ignored: it has an error", s.path.from)
	case s.exists:
		line("config_file", displayPath(s.path.v, home)+", exists", s.path.from)
	default:
		line("config_file", displayPath(s.path.v, home)+", does not exist (defaults)", s.path.from)
	}
	line("profile", orNone(s.profile.v), s.profile.from)
	line("base_url", s.baseURL.v, s.baseURL.from)
	line("api_key_env", s.keyEnv.v, s.keyEnv.from)
	switch {
	case s.keyFrom != "":
		fmt.Fprintf(w, "%-15s set, from %s\n", "key:", s.keyFrom)
	default:
		fmt.Fprintf(w, "%-15s not set ($%s is empty and no --api-key)\n", "key:", s.keyEnv.v)
	}
	line("theme", s.theme.v, s.theme.from)
	line("mouse", fmt.Sprint(s.mouse.v), s.mouse.from)
	rd := s.recordDir.v
	if rd == "" {
		if d, err := record.DefaultDir(); err == nil {
			rd = d
		} else {
			rd = "none: " + err.Error()
		}
	}
	line("record_dir", displayPath(rd, home), s.recordDir.from)
	ed := s.editor.v
	switch s.editor.from {
	case "env VISUAL":
		ed = getenv("VISUAL")
	case "env EDITOR":
		ed = getenv("EDITOR")
	case "default":
		ed = "vi"
	}
	line("editor", ed, s.editor.from)
	line("tools", orNone(s.tools.v), s.tools.from)
	line("rules", orNone(s.rules.v), s.rules.from)
	line("idle_warning", s.idleWarning.v.String(), s.idleWarning.from)
	line("header_timeout", s.headerTimeout.v.String(), s.headerTimeout.from)
	dl := "off"
	if s.debugLog.v != "" {
		dl = displayPath(s.debugLog.v, home)
	}
	line("debug_log", dl, s.debugLog.from)
	if len(s.rebound) == 0 {
		fmt.Fprintf(w, "%-15s the defaults\n", "keys:")
		return
	}
	defaults := reflect.ValueOf(defaultKeyMap())
	for _, o := range s.rebound {
		was := defaults.Field(o.field).Interface().(key.Binding).Keys()
		line("keys."+o.action, strings.Join(o.keys, ", "), o.from+"; default "+strings.Join(was, ", "))
	}
}

// registerConfigFlags adds the flags that choose and override the config
// file's values.
func (f *serverFlags) registerConfigFlags(fs *flag.FlagSet) {
	f.fs = fs
	fs.StringVar(&f.configPath, "config", "", "config file (env RTINSPECT_CONFIG; default $XDG_CONFIG_HOME/rtinspect/config.toml)")
	fs.StringVar(&f.profile, "profile", "", "profile of the config file to use (env RTINSPECT_PROFILE)")
	fs.StringVar(&f.baseURL, "base-url", "", "API root (env RUNTYPE_BASE_URL; default the profile's, else https://api.runtype.com)")
	fs.StringVar(&f.apiKey, "api-key", "", "API key (default from the variable the profile's api_key_env names, else RUNTYPE_API_KEY)")
	fs.StringVar(&f.theme, "theme", "", "colours: "+strings.Join(themes, ", ")+" (default from the config file, else none when NO_COLOR is set, else auto)")
	fs.BoolVar(&f.noMouse, "no-mouse", false, "start with mouse reporting off, so the terminal selects text")
	fs.StringVar(&f.tools, "tools", "", "tool catalog (JSON): descriptions and output schemas for stubs and checks")
	fs.StringVar(&f.rules, "rules", "", "auto-responder rules (JSON) that answer matching calls")
	fs.DurationVar(&f.headerTimeout, "header-timeout", defaultHeaderTimeout, "how long to wait for a response to start")
	fs.DurationVar(&f.idleWarn, "idle-warning", defaultIdleWarning, "how long a stream may be silent before the inspector says so")
	fs.StringVar(&f.debugLog, "debug-log", "", "append a debug log to FILE: requests, responses, stream ends, errors; never the key (env RTINSPECT_DEBUG_LOG)")
}

// given reports whether a flag was on the command line.
func (f serverFlags) given(name string) bool {
	found := false
	if f.fs != nil {
		f.fs.Visit(func(fl *flag.Flag) { found = found || fl.Name == name })
	}
	return found
}

// loadSettings works out a command's configuration and puts the config
// file's tools, rules, timeouts and record folder into f, where the rest
// of the command reads them, and opens the debug log (f.debug) when one is
// asked for; the command closes it with f.closeDebug. A broken config file is said on stderr and
// the command goes on without it; ok is false when it cannot go on (the
// error is printed).
func (f *serverFlags) loadSettings(cmd string, stderr io.Writer) (s settings, ok bool) {
	s, err := resolveSettings(*f, os.Getenv)
	s.debugNotice = f.openDebugLog(cmd, s, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "rtinspect %s: %v\n", cmd, err)
		f.debug.Log("config", err.Error())
		return s, false
	}
	if s.problem != nil {
		fmt.Fprintf(stderr, "rtinspect %s: %s\n", cmd, s.notice(false))
		f.debug.Log("config", s.notice(false))
	}
	f.tools, f.rules = s.tools.v, s.rules.v
	f.idleWarn, f.headerTimeout = s.idleWarning.v, s.headerTimeout.v
	f.recordDir = s.recordDir.v
	return s, true
}

// cmdConfig prints the effective configuration: `rtinspect config` takes
// the same config flags as dispatch, to show what they would do.
func cmdConfig(args []string, stdout, stderr io.Writer) int {
	var f serverFlags
	fs := newFlagSet("config", stderr)
	f.registerConfigFlags(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return headless.ExitUsage
	}
	if len(pos) != 0 {
		fmt.Fprintln(stderr, "rtinspect config: takes no arguments, only flags")
		return headless.ExitUsage
	}
	s, err := resolveSettings(f, os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "rtinspect config: %v\n", err)
		return headless.ExitUsage
	}
	s.print(stdout, os.Getenv)
	if s.problem != nil {
		fmt.Fprintf(stderr, "rtinspect config: %v\n", s.problem)
		return headless.ExitUsage
	}
	return 0
}
