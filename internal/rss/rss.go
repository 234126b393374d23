// Package rss reads the resident memory of this process, for the figures
// the commands and benchmarks print about themselves: the peak of the
// whole process, or of one stage when the peak is reset at its start.
//
// On Linux, writing 5 to /proc/self/clear_refs resets the high-water mark
// (VmHWM in /proc/self/status, and with it getrusage's ru_maxrss), so that
// Peak reports the peak since Reset. Where /proc is not there, Reset does
// nothing and Peak is the process's peak so far.
package rss

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// Reset starts a new peak (Linux; elsewhere it does nothing).
func Reset() {
	// A failure leaves the old peak, which Peak then reports: no error to
	// give anyone.
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// Peak is the peak resident set size in MiB since Reset (VmHWM), or the
// process's peak where /proc is not there; -1 when neither is known.
func Peak() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return ProcessPeak()
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err == nil {
				return kb / 1024
			}
		}
	}
	return ProcessPeak()
}

// ProcessPeak is the process's peak resident set size in MiB as getrusage
// reports it (ru_maxrss, KiB on Linux), or -1.
func ProcessPeak() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return int64(ru.Maxrss) / 1024
}
