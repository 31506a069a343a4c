//go:build linux

package bench

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
	"unsafe"
)

func ioctl(fd, req, arg uintptr) error {
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, fd, req, arg); e != 0 {
		return e
	}
	return nil
}

// openPTY opens a pseudo-terminal pair of rows x cols.
func openPTY(rows, cols uint16) (master, slave *os.File, err error) {
	master, err = os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, nil, err
	}
	var n uint32
	var unlock int32
	if err = ioctl(master.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); err == nil {
		err = ioctl(master.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock)))
	}
	if err == nil {
		slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	}
	if err == nil {
		ws := [4]uint16{rows, cols, 0, 0}
		err = ioctl(slave.Fd(), syscall.TIOCSWINSZ, uintptr(unsafe.Pointer(&ws)))
	}
	if err != nil {
		master.Close()
		if slave != nil {
			slave.Close()
		}
		return nil, nil, err
	}
	return master, slave, nil
}

// firstFrame runs argv on a 120x40 terminal, with env added to the
// environment, and returns the time from just before exec to the moment
// its output contains needle (its first frame), then quits it by typing
// quit (killing it if it does not go).
func firstFrame(env []string, needle, quit string, argv ...string) (time.Duration, error) {
	master, slave, err := openPTY(40, 120)
	if err != nil {
		return 0, err
	}
	defer master.Close()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.Env = append(append(os.Environ(), "TERM=xterm-256color", "COLORTERM=truecolor"), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	found := make(chan time.Time, 1)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		slave.Close()
		return 0, err
	}
	slave.Close()
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		// Read everything, so the program never blocks on a full
		// terminal, until it exits (then the read fails).
		var seen []byte
		buf := make([]byte, 64<<10)
		sent := false
		for {
			n, err := master.Read(buf)
			if n > 0 && !sent {
				seen = append(seen, buf[:n]...)
				if bytes.Contains(seen, []byte(needle)) {
					found <- time.Now()
					sent = true
					seen = nil
				}
			}
			if err != nil {
				return
			}
		}
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var took time.Duration
	select {
	case at := <-found:
		took = at.Sub(start)
	case err := <-exited:
		// It may have shown it and quit at once (--help): read it all.
		select {
		case <-readDone:
		case <-time.After(5 * time.Second):
		}
		select {
		case at := <-found:
			return at.Sub(start), nil
		default:
		}
		return 0, fmt.Errorf("%s exited before showing %q: %v", argv[0], needle, err)
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		<-exited
		return 0, errors.New("no first frame within 60s")
	}
	if quit != "" {
		master.Write([]byte(quit))
	}
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		<-exited
	}
	return took, nil
}
