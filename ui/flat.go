package ui

import "rtinspect/model/filter"

// The flat view of the events pane: one line per decoded event.

// itemCount is the number of items the events pane lists: rows in the
// grouped view, events in the flat view.
func (m *Model) itemCount() int {
	if m.flat {
		return m.s.EventCount()
	}
	return m.s.RowCount()
}

// eventItem is event i as the filter sees it.
func (m *Model) eventItem(i int) filter.Item {
	e := m.s.Event(i)
	return filter.Item{Type: e.Type, Tool: e.ToolName, ExecutionID: e.ExecutionID}
}
