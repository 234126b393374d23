package rss

import (
	"runtime"
	"runtime/debug"
	"testing"
)

// TestPeakFollowsAllocation: touching 64 MiB raises the peak by about that
// much, and on Linux a reset brings it back down once the memory is gone.
func TestPeakFollowsAllocation(t *testing.T) {
	before := Peak()
	if before <= 0 {
		t.Fatalf("Peak = %d before any allocation", before)
	}
	buf := make([]byte, 64<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	during := Peak()
	if during < before+48 {
		t.Fatalf("Peak went from %d to %d MiB with 64 MiB touched", before, during)
	}
	// getrusage keeps its own mark, sampled apart from VmHWM: a MiB or
	// two may lie between them.
	if p := ProcessPeak(); p < during-4 {
		t.Fatalf("ProcessPeak %d below the stage's peak %d", p, during)
	}
	runtime.KeepAlive(buf)
	if runtime.GOOS != "linux" {
		return
	}
	buf = nil
	runtime.GC()
	debug.FreeOSMemory() // the freed heap back to the kernel, so that the resident set shrinks
	Reset()
	if after := Peak(); after >= during {
		t.Fatalf("Peak after Reset = %d MiB, not below the %d MiB before the memory was freed", after, during)
	}
}
