package ui

import (
	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
)

// theme is every style the inspector draws with, built once. Every theme
// sets every field (TestEveryThemeSetsEveryStyle): a style left at its zero
// value would draw plain in one theme and coloured in the others without
// anyone deciding so. A style that is plain on purpose says so with
// Foreground(lipgloss.NoColor{}), which draws nothing.
type theme struct {
	// name is what Options.Theme calls it ("dark", "light", "low", "none").
	name string

	border      lipgloss.Style
	borderFocus lipgloss.Style
	title       lipgloss.Style
	titleFocus  lipgloss.Style
	selected    lipgloss.Style
	dim         lipgloss.Style
	bold        lipgloss.Style
	kind        map[string]lipgloss.Style

	stateStyle map[string]lipgloss.Style
	statusBar  lipgloss.Style
	keyHint    lipgloss.Style
	errText    lipgloss.Style
	okText     lipgloss.Style
	warnText   lipgloss.Style

	jsonKey     lipgloss.Style
	jsonString  lipgloss.Style
	jsonNumber  lipgloss.Style
	jsonLiteral lipgloss.Style

	// input styles the status bar's input line (filter, reasons, file
	// names); the bubbles defaults would bring their own colours into the
	// "none" theme.
	input textinput.Styles
}

// ThemeNames lists the values Options.Theme accepts ("" means "auto").
func ThemeNames() []string { return []string{"auto", "dark", "light", "low", "none"} }

// themeFor returns the theme called name, and whether it follows the
// terminal's background (then dark says which one to use until the
// terminal answers). An unknown name is taken as "auto": the caller checks
// names against ThemeNames, and the inspector still draws.
func themeFor(name string, dark bool) (th theme, auto bool) {
	switch name {
	case "dark":
		return darkTheme(), false
	case "light":
		return lightTheme(), false
	case "low":
		return lowTheme(), false
	case "none":
		return noneTheme(), false
	}
	if dark {
		return darkTheme(), true
	}
	return lightTheme(), true
}

// defaultTheme is the theme before the terminal says what its background
// is: most terminals are dark.
func defaultTheme() theme { return darkTheme() }

// plain marks a style that draws nothing on purpose.
func plain() lipgloss.Style { return lipgloss.NewStyle().Foreground(lipgloss.NoColor{}) }

// darkInput is the bubbles default for a dark background, with the typed
// text plain on purpose.
func darkInput() textinput.Styles {
	in := textinput.DefaultStyles(true)
	in.Focused.Text = plain()
	return in
}

func darkTheme() theme {
	c := lipgloss.Color
	st := lipgloss.NewStyle
	accent := c("#7D56F4")
	return theme{
		name:        "dark",
		border:      st().Border(lipgloss.RoundedBorder()).BorderForeground(c("#585858")),
		borderFocus: st().Border(lipgloss.RoundedBorder()).BorderForeground(accent),
		title:       st().Foreground(c("#a8a8a8")),
		titleFocus:  st().Foreground(c("#ffffff")).Background(accent).Bold(true),
		selected:    st().Reverse(true),
		dim:         st().Foreground(c("#808080")),
		bold:        st().Bold(true),
		kind: map[string]lipgloss.Style{
			"text":      st().Foreground(c("#d0d0d0")),
			"reasoning": st().Foreground(c("#8787af")).Italic(true),
			"tool":      st().Foreground(c("#5fafff")),
			"await":     st().Foreground(c("#ffaf00")).Bold(true),
			"approval":  st().Foreground(c("#ffaf00")).Bold(true),
			"error":     st().Foreground(c("#ff5f5f")).Bold(true),
			"request":   st().Foreground(c("#87d787")),
			"stream":    st().Foreground(c("#87d787")),
			"unknown":   st().Foreground(c("#d787d7")),
			"malformed": st().Foreground(c("#ff5f5f")),
		},
		stateStyle: map[string]lipgloss.Style{
			"streaming": st().Foreground(c("#000000")).Background(c("#5fafff")).Bold(true),
			"sending":   st().Foreground(c("#000000")).Background(c("#5fafff")).Bold(true),
			"paused":    st().Foreground(c("#000000")).Background(c("#ffaf00")).Bold(true),
			"completed": st().Foreground(c("#000000")).Background(c("#87d787")).Bold(true),
			"failed":    st().Foreground(c("#ffffff")).Background(c("#d70000")).Bold(true),
			"dropped":   st().Foreground(c("#ffffff")).Background(c("#d70000")).Bold(true),
			"cancelled": st().Foreground(c("#000000")).Background(c("#a8a8a8")).Bold(true),
			"idle":      st().Foreground(c("#000000")).Background(c("#a8a8a8")).Bold(true),
		},
		statusBar: st().Foreground(c("#d0d0d0")),
		keyHint:   st().Foreground(c("#808080")),
		errText:   st().Foreground(c("#ff5f5f")),
		okText:    st().Foreground(c("#87d787")),
		warnText:  st().Foreground(c("#ffaf00")),

		jsonKey:     st().Foreground(c("#5fafff")),
		jsonString:  st().Foreground(c("#87d787")),
		jsonNumber:  st().Foreground(c("#ffaf5f")),
		jsonLiteral: st().Foreground(c("#d787d7")),

		input: darkInput(),
	}
}

// lightTheme is for a white or pale background: every text colour is dark
// enough to read on white (no pale yellow, no white or light grey text);
// white appears only on a dark background of its own (badges, the focused
// title).
func lightTheme() theme {
	c := lipgloss.Color
	st := lipgloss.NewStyle
	accent := c("#5f3dc4")
	in := textinput.DefaultStyles(false)
	// The default prompt is ANSI 7 (light grey) and the blurred text 245:
	// too pale on white.
	in.Focused.Text = plain()
	in.Focused.Prompt = st().Foreground(c("#303030"))
	in.Blurred.Prompt = st().Foreground(c("#303030"))
	in.Blurred.Text = st().Foreground(c("#6c6c6c"))
	in.Focused.Placeholder = st().Foreground(c("#767676"))
	in.Blurred.Placeholder = st().Foreground(c("#767676"))
	in.Cursor.Color = c("#303030")
	return theme{
		name:        "light",
		border:      st().Border(lipgloss.RoundedBorder()).BorderForeground(c("#a8a8a8")),
		borderFocus: st().Border(lipgloss.RoundedBorder()).BorderForeground(accent),
		title:       st().Foreground(c("#4e4e4e")),
		titleFocus:  st().Foreground(c("#ffffff")).Background(accent).Bold(true),
		selected:    st().Reverse(true),
		dim:         st().Foreground(c("#6c6c6c")),
		bold:        st().Bold(true),
		kind: map[string]lipgloss.Style{
			"text":      st().Foreground(c("#262626")),
			"reasoning": st().Foreground(c("#5f5f87")).Italic(true),
			"tool":      st().Foreground(c("#005fd7")),
			"await":     st().Foreground(c("#af5f00")).Bold(true),
			"approval":  st().Foreground(c("#af5f00")).Bold(true),
			"error":     st().Foreground(c("#d70000")).Bold(true),
			"request":   st().Foreground(c("#008700")),
			"stream":    st().Foreground(c("#008700")),
			"unknown":   st().Foreground(c("#af00af")),
			"malformed": st().Foreground(c("#d70000")),
		},
		stateStyle: map[string]lipgloss.Style{
			"streaming": st().Foreground(c("#ffffff")).Background(c("#005fd7")).Bold(true),
			"sending":   st().Foreground(c("#ffffff")).Background(c("#005fd7")).Bold(true),
			"paused":    st().Foreground(c("#000000")).Background(c("#ffaf00")).Bold(true),
			"completed": st().Foreground(c("#ffffff")).Background(c("#008700")).Bold(true),
			"failed":    st().Foreground(c("#ffffff")).Background(c("#d70000")).Bold(true),
			"dropped":   st().Foreground(c("#ffffff")).Background(c("#d70000")).Bold(true),
			"cancelled": st().Foreground(c("#000000")).Background(c("#d0d0d0")).Bold(true),
			"idle":      st().Foreground(c("#000000")).Background(c("#d0d0d0")).Bold(true),
		},
		statusBar: st().Foreground(c("#262626")),
		keyHint:   st().Foreground(c("#6c6c6c")),
		errText:   st().Foreground(c("#d70000")),
		okText:    st().Foreground(c("#008700")),
		warnText:  st().Foreground(c("#af5f00")),

		jsonKey:     st().Foreground(c("#005fd7")),
		jsonString:  st().Foreground(c("#008700")),
		jsonNumber:  st().Foreground(c("#af5f00")),
		jsonLiteral: st().Foreground(c("#af00af")),

		input: in,
	}
}

// lowTheme uses only the 16 ANSI colours, which the terminal's own palette
// defines: it suits terminals without 256 colours, and follows a light or
// dark palette by itself. Badges and the focused title are the colour
// reversed, so their text is the terminal's background colour whatever it
// is; white and black are never used as text.
func lowTheme() theme {
	c := lipgloss.Color
	st := lipgloss.NewStyle
	badge := func(n string) lipgloss.Style { return st().Foreground(c(n)).Reverse(true).Bold(true) }
	in := textinput.DefaultStyles(true)
	in.Focused.Prompt, in.Blurred.Prompt = plain(), plain()
	in.Focused.Placeholder, in.Blurred.Placeholder = st().Foreground(c("8")), st().Foreground(c("8"))
	in.Focused.Suggestion, in.Blurred.Suggestion = st().Foreground(c("8")), st().Foreground(c("8"))
	in.Focused.Text, in.Blurred.Text = plain(), plain()
	in.Cursor.Color = lipgloss.NoColor{}
	return theme{
		name:        "low",
		border:      st().Border(lipgloss.RoundedBorder()).BorderForeground(c("8")),
		borderFocus: st().Border(lipgloss.RoundedBorder()).BorderForeground(c("5")),
		title:       plain(),
		titleFocus:  badge("5"),
		selected:    st().Reverse(true),
		dim:         st().Foreground(c("8")),
		bold:        st().Bold(true),
		kind: map[string]lipgloss.Style{
			"text":      plain(),
			"reasoning": st().Foreground(c("8")).Italic(true),
			"tool":      st().Foreground(c("4")),
			"await":     st().Foreground(c("3")).Bold(true),
			"approval":  st().Foreground(c("3")).Bold(true),
			"error":     st().Foreground(c("1")).Bold(true),
			"request":   st().Foreground(c("2")),
			"stream":    st().Foreground(c("2")),
			"unknown":   st().Foreground(c("5")),
			"malformed": st().Foreground(c("1")),
		},
		stateStyle: map[string]lipgloss.Style{
			"streaming": badge("4"),
			"sending":   badge("4"),
			"paused":    badge("3"),
			"completed": badge("2"),
			"failed":    badge("1"),
			"dropped":   badge("1"),
			"cancelled": badge("8"),
			"idle":      badge("8"),
		},
		statusBar: plain(),
		keyHint:   st().Foreground(c("8")),
		errText:   st().Foreground(c("1")),
		okText:    st().Foreground(c("2")),
		warnText:  st().Foreground(c("3")),

		jsonKey:     st().Foreground(c("4")),
		jsonString:  st().Foreground(c("2")),
		jsonNumber:  st().Foreground(c("3")),
		jsonLiteral: st().Foreground(c("5")),

		input: in,
	}
}

// noneTheme sets no colour at all, as NO_COLOR (no-color.org) asks. Text
// attributes are not colours, so what colour would tell apart is shown with
// them: the selection and the focused title reversed, states as reversed
// badges, errors and waiting items bold, the dim text faint.
func noneTheme() theme {
	st := lipgloss.NewStyle
	badge := st().Reverse(true).Bold(true)
	in := textinput.Styles{
		Focused: textinput.StyleState{Text: plain(), Placeholder: st().Faint(true), Suggestion: st().Faint(true), Prompt: plain()},
		Blurred: textinput.StyleState{Text: plain(), Placeholder: st().Faint(true), Suggestion: st().Faint(true), Prompt: plain()},
		// The virtual cursor is drawn reversed; NoColor keeps it free of
		// a colour of its own.
		Cursor: textinput.CursorStyle{Color: lipgloss.NoColor{}, Shape: textinput.DefaultStyles(true).Cursor.Shape, Blink: true},
	}
	return theme{
		name:        "none",
		border:      st().Border(lipgloss.RoundedBorder()).BorderForeground(lipgloss.NoColor{}),
		borderFocus: st().Border(lipgloss.RoundedBorder()).BorderForeground(lipgloss.NoColor{}),
		title:       plain(),
		titleFocus:  badge,
		selected:    st().Reverse(true),
		dim:         st().Faint(true),
		bold:        st().Bold(true),
		kind: map[string]lipgloss.Style{
			"text":      plain(),
			"reasoning": st().Italic(true),
			"tool":      plain(),
			"await":     st().Bold(true),
			"approval":  st().Bold(true),
			"error":     st().Bold(true),
			"request":   plain(),
			"stream":    plain(),
			"unknown":   st().Italic(true),
			"malformed": st().Bold(true),
		},
		stateStyle: map[string]lipgloss.Style{
			"streaming": badge,
			"sending":   badge,
			"paused":    badge,
			"completed": badge,
			"failed":    badge,
			"dropped":   badge,
			"cancelled": badge,
			"idle":      badge,
		},
		statusBar: plain(),
		keyHint:   plain(),
		errText:   st().Bold(true),
		okText:    plain(),
		warnText:  st().Bold(true),

		jsonKey:     st().Bold(true),
		jsonString:  plain(),
		jsonNumber:  plain(),
		jsonLiteral: st().Italic(true),

		input: in,
	}
}
