//go:build !linux

package bench

import (
	"errors"
	"time"
)

func firstFrame(env []string, needle, quit string, argv ...string) (time.Duration, error) {
	return 0, errors.New("the first-frame benchmarks need a Linux pseudo-terminal")
}
