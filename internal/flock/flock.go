//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

// Package flock takes and gives up exclusive flock(2) locks on open files:
// the warehouse's writer lock and the publisher's staging locks. A flock
// belongs to the open file description, so the kernel drops it when the
// process dies, and two opens of one file in one process exclude each
// other as two processes do.
package flock

import (
	"errors"
	"os"
	"syscall"
)

// Lock takes an exclusive flock on f, waiting for it when wait; without
// wait, held reports that another open file description has it.
func Lock(f *os.File, wait bool) (held bool, err error) {
	how := syscall.LOCK_EX
	if !wait {
		how |= syscall.LOCK_NB
	}
	for {
		err = syscall.Flock(int(f.Fd()), how)
		switch {
		case err == nil:
			return false, nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return true, nil
		default:
			return false, &os.PathError{Op: "flock", Path: f.Name(), Err: err}
		}
	}
}

// Unlock gives up the flock on f (closing f does too).
func Unlock(f *os.File) error {
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_UN); err != nil {
		return &os.PathError{Op: "flock", Path: f.Name(), Err: err}
	}
	return nil
}
