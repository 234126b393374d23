//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package warehouse

import (
	"errors"
	"os"
)

// tryLock is not implemented where flock(2) is missing: huzhu runs its
// nightly batch on Linux, and a lock that does not lock is worse than none.
func tryLock(*os.File) (bool, error) { return false, errors.ErrUnsupported }

// unlock is never reached where tryLock cannot lock.
func unlock(*os.File) error { return errors.ErrUnsupported }
