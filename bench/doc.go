// Package bench holds rtinspect's whole-program benchmarks: they build the
// binary once and time commands (dispatch against the simulated server vs
// curl, open of a 1 M-frame recording, demo to its first frame). They run
// only with -bench (see bench/run); `go test ./...` runs none of them.
package bench
