package ui

import "charm.land/bubbles/v2/key"

// KeyMap holds every binding the inspector reacts to. The defaults live in
// the program's keymap.go; the UI only ever matches through these bindings
// (key.Matches), so a rebound key changes behaviour and help together.
type KeyMap struct {
	NextPane key.Binding
	PrevPane key.Binding
	Up       key.Binding
	Down     key.Binding
	Top      key.Binding
	Bottom   key.Binding
	PageUp   key.Binding
	PageDown key.Binding

	Open        key.Binding
	Edit        key.Binding
	ErrorAnswer key.Binding
	Messages    key.Binding
	Resume      key.Binding
	Revert      key.Binding
	FromFile    key.Binding
	ApplyAll    key.Binding
	CopyAnswer  key.Binding
	Approve     key.Binding
	Deny        key.Binding
	Filter      key.Binding
	Follow      key.Binding
	Raw         key.Binding
	Help        key.Binding
	Quit        key.Binding
	// CancelStream stops the stream in flight (the run may go on at the
	// server).
	CancelStream key.Binding

	// CopyCurl and CopyBody export the selected request (a request row,
	// or the one in the preview).
	CopyCurl key.Binding
	CopyBody key.Binding

	// StepBack, StepForward, Play and Speed drive the playback of an
	// opened recording.
	StepBack    key.Binding
	StepForward key.Binding
	Play        key.Binding
	Speed       key.Binding

	// Confirm, Partial and Cancel act inside the resume preview and the
	// approval confirmation.
	Confirm key.Binding
	Partial key.Binding
	Cancel  key.Binding

	// ViewMode switches the events pane between the grouped view (one row
	// per text block, tool call, turn…) and the flat view of every event.
	ViewMode key.Binding
	// Outline lists the turns and steps to jump to.
	Outline key.Binding
	// Executions lists the executions of the session to switch between.
	Executions key.Binding
	// Zoom gives the focused pane the whole screen, and back.
	Zoom key.Binding
	// Mouse turns mouse reporting off (so the terminal can select text)
	// and on again.
	Mouse key.Binding

	// NextMatch and PrevMatch jump between the filter's matches in the
	// detail view.
	NextMatch key.Binding
	PrevMatch key.Binding
	// Collapse and Expand fold and unfold the JSON value at the detail
	// view's cursor.
	Collapse key.Binding
	Expand   key.Binding
	// CopyValue copies the value at the detail view's cursor; CopyAll
	// copies everything the detail view shows (the event, or its raw
	// frame); SaveFile writes it to a file.
	CopyValue key.Binding
	CopyAll   key.Binding
	SaveFile  key.Binding
}

// Groups returns the bindings in named groups, in the order the help
// overlay and the README list them.
func (k KeyMap) Groups() []KeyGroup {
	return []KeyGroup{
		{"Move", []key.Binding{k.NextPane, k.PrevPane, k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown}},
		{"Answer", []key.Binding{k.Open, k.Edit, k.ErrorAnswer, k.Revert, k.FromFile, k.ApplyAll, k.CopyAnswer, k.Messages, k.Resume, k.Approve, k.Deny}},
		{"View", []key.Binding{k.Filter, k.Follow, k.Raw, k.ViewMode, k.Outline, k.Executions, k.Zoom, k.Mouse, k.CancelStream, k.Help, k.Quit}},
		{"Detail view", []key.Binding{k.NextMatch, k.PrevMatch, k.Collapse, k.Expand, k.CopyValue, k.CopyAll, k.SaveFile}},
		{"Export", []key.Binding{k.CopyCurl, k.CopyBody}},
		{"Playback (rtinspect open)", []key.Binding{k.StepBack, k.StepForward, k.Play, k.Speed}},
		{"Dialogs", []key.Binding{k.Confirm, k.Partial, k.Cancel}},
	}
}

// HelpGroups returns the bindings the help overlay lists when the pending
// pane (pending) or the events pane has the focus: that pane's own keys
// first, then the keys that work everywhere, then those of the detail
// view and the dialogs.
func (k KeyMap) HelpGroups(pending bool) []KeyGroup {
	pane := KeyGroup{"Events pane", []key.Binding{k.Open, k.Raw, k.Follow, k.CopyCurl, k.CopyBody, k.StepBack, k.StepForward, k.Play, k.Speed}}
	if pending {
		pane = KeyGroup{"Pending pane", []key.Binding{k.Open, k.Edit, k.ErrorAnswer, k.Revert, k.FromFile, k.ApplyAll, k.CopyAnswer, k.Raw}}
	}
	// In this order the two columns of the overlay come out even.
	return []KeyGroup{
		pane,
		{"Move", []key.Binding{k.NextPane, k.PrevPane, k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown}},
		{"Dialogs", []key.Binding{k.Confirm, k.Partial, k.Cancel}},
		{"Everywhere", []key.Binding{k.Resume, k.Approve, k.Deny, k.Messages, k.Filter, k.ViewMode, k.Outline, k.Executions, k.Zoom, k.Mouse, k.CancelStream, k.Help, k.Quit}},
		{"Detail view (enter)", []key.Binding{k.Collapse, k.Expand, k.NextMatch, k.PrevMatch, k.CopyValue, k.CopyAll, k.SaveFile}},
	}
}

// KeyGroup is a titled list of bindings for the help overlay.
type KeyGroup struct {
	Title    string
	Bindings []key.Binding
}
