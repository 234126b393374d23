//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

// Package flock takes and gives up exclusive flock(2) locks on open files.
package flock

import (
	"errors"
	"os"
)

// Lock is not implemented where flock(2) is missing: huzhu runs its
// nightly batch on Linux, and a lock that does not lock is worse than none.
func Lock(*os.File, bool) (bool, error) { return false, errors.ErrUnsupported }

// Unlock is never reached where Lock cannot lock.
func Unlock(*os.File) error { return errors.ErrUnsupported }
