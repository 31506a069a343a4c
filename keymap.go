package main

import (
	"charm.land/bubbles/v2/key"

	"rtinspect/ui"
)

// defaultKeyMap is every default binding, in one place. The README's key
// table and the help overlay are both derived from it.
func defaultKeyMap() ui.KeyMap {
	return ui.KeyMap{
		NextPane: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next pane")),
		PrevPane: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous pane")),
		Up:       key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("k/↑", "up")),
		Down:     key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("j/↓", "down")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdown", "page down")),

		Open:         key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "details / edit answer")),
		Edit:         key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit answer in $EDITOR")),
		ErrorAnswer:  key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "answer with an error")),
		Revert:       key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "revert to the stub")),
		FromFile:     key.NewBinding(key.WithKeys("F"), key.WithHelp("F", "answer from a file")),
		ApplyAll:     key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "answer all of the tool")),
		CopyAnswer:   key.NewBinding(key.WithKeys("Y"), key.WithHelp("Y", "copy the answer")),
		Messages:     key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "edit resume messages")),
		Resume:       key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "resume (preview first)")),
		Approve:      key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "approve")),
		Deny:         key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "deny")),
		Filter:       key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter events")),
		Follow:       key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "follow tail on/off")),
		Raw:          key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "raw frame / decoded")),
		Help:         key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		CancelStream: key.NewBinding(key.WithKeys("C"), key.WithHelp("C", "cancel the stream")),
		Quit:         key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),

		CopyCurl: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy request as curl")),
		CopyBody: key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "copy request JSON body")),

		StepBack:    key.NewBinding(key.WithKeys("["), key.WithHelp("[", "previous frame")),
		StepForward: key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "next frame")),
		Play:        key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "play / pause")),
		Speed:       key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "speed 1x / 10x / max")),

		Confirm: key.NewBinding(key.WithKeys("y", "enter"), key.WithHelp("y/enter", "send")),
		Partial: key.NewBinding(key.WithKeys("!"), key.WithHelp("!", "send partial resume")),
		Cancel:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel / back")),

		ViewMode:   key.NewBinding(key.WithKeys("V"), key.WithHelp("V", "grouped / flat view")),
		Outline:    key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "outline: turns and steps")),
		Executions: key.NewBinding(key.WithKeys("X"), key.WithHelp("X", "executions: switch")),
		Zoom:       key.NewBinding(key.WithKeys("z"), key.WithHelp("z", "zoom the focused pane")),
		Mouse:      key.NewBinding(key.WithKeys("M"), key.WithHelp("M", "mouse on / off")),

		NextMatch: key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next match")),
		PrevMatch: key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "previous match")),
		Collapse:  key.NewBinding(key.WithKeys("h", "left"), key.WithHelp("h/←", "fold the value")),
		Expand:    key.NewBinding(key.WithKeys("l", "right"), key.WithHelp("l/→", "unfold the value")),
		CopyValue: key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy value at cursor")),
		CopyAll:   key.NewBinding(key.WithKeys("Y"), key.WithHelp("Y", "copy all that is shown")),
		SaveFile:  key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "write it to a file")),
	}
}
