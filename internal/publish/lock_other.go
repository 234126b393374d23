//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package publish

import "os"

// flock is a no-op where flock(2) is missing: publishers of one out
// folder must then not run at once.
func flock(*os.File, bool) (bool, error) { return false, nil }
