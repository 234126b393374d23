package main

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// peakRSSMiB is the process's peak resident set size so far, for the
// figures a command prints about itself (Linux reports ru_maxrss in KiB).
func peakRSSMiB() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return int64(ru.Maxrss) / 1024
}

// resetPeakRSS starts a new peak: on Linux, writing 5 to
// /proc/self/clear_refs resets VmHWM, so that stagePeakRSSMiB reports the
// peak of one stage rather than of the process so far. Elsewhere it does
// nothing and the peak is the process's.
func resetPeakRSS() {
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// stagePeakRSSMiB is the peak resident set size since resetPeakRSS (VmHWM),
// or the process's peak where /proc is not there.
func stagePeakRSSMiB() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return peakRSSMiB()
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
	return peakRSSMiB()
}
