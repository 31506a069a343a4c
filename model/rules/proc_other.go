//go:build !unix

package rules

import "os/exec"

// ownGroup leaves the default: cancellation kills the command itself (there
// are no Unix process groups to kill; WaitDelay still bounds the wait for
// its pipes).
func ownGroup(*exec.Cmd) {}
