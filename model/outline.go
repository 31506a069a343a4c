package model

import "rtinspect/api"

// The outline: the rows that mark where a session is (the requests sent,
// the executions started, turns and steps, the ends of streams), indexed as
// rows are added so listing them never rescans the rows.

// isLandmark reports whether row r belongs in the outline. Execution rows
// count when they open or fail an execution (its completion adds little
// beside the stream's end); text, tools, awaits and the rest are what the
// landmarks contain.
func isLandmark(r *Row) bool {
	switch r.Kind {
	case RowRequest, RowTurn, RowStep, RowStreamEnd:
		return true
	case RowExecution:
		return r.Type == api.TypeExecutionStart || r.Type == api.TypeExecutionError
	}
	return false
}

// noteLandmark records row i in the outline when it is a landmark.
func (s *Session) noteLandmark(i int) {
	if isLandmark(s.rows[i]) {
		s.landmarks = append(s.landmarks, i)
	}
}

// Landmarks returns the indexes of the outline's rows, in order: request
// rows, execution starts and errors, turns, steps and stream ends. The
// slice is the session's own: do not modify it.
func (s *Session) Landmarks() []int { return s.landmarks }
