//go:build unix

package rules

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// ownGroup starts the command in a process group of its own and makes
// cancellation kill the whole group: killing only sh in `sh -c 'sleep 10'`
// would leave sleep running with the stdout pipe open, and Wait would hang
// on it.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		if errors.Is(err, syscall.ESRCH) {
			// The group is already gone: tell exec so, or a command that
			// exited just in time would be reported as failed.
			return os.ErrProcessDone
		}
		return err
	}
}
