package main

import "syscall"

// peakRSSMiB is the process's peak resident set size so far, for the
// figures a command prints about itself (Linux reports ru_maxrss in KiB).
func peakRSSMiB() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return int64(ru.Maxrss) / 1024
}
