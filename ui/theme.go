package ui

import "charm.land/lipgloss/v2"

// theme is every style the inspector draws with, built once.
type theme struct {
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
}

func defaultTheme() theme {
	c := lipgloss.Color
	st := lipgloss.NewStyle
	accent := c("#7D56F4")
	return theme{
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
			"end":       st().Foreground(c("#87d787")),
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
	}
}
