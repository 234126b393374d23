package warehouse

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// lockHelperEnv, when set to a warehouse path, turns this test binary into
// a process that takes the lock on it, prints lockHelperReady and blocks
// until its stdin closes or it is killed (see TestLockHelperProcess).
const (
	lockHelperEnv   = "HUZHU_WAREHOUSE_LOCK_HELPER"
	lockHelperReady = "locked"
	lockHelperRun   = "helper-run"
)

func TestLockSecondAcquireFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "var", "huzhu.duckdb")
	first, err := AcquireLock(path)
	if err != nil {
		t.Fatalf("AcquireLock: %v", err)
	}
	if err := first.SetRunID("20261129T084400Z-abcdef"); err != nil {
		t.Fatal(err)
	}
	// Same process, second open file description: flock conflicts.
	second, err := AcquireLock(path)
	if err == nil {
		second.Release()
		t.Fatal("second AcquireLock in the same process succeeded")
	}
	if !errors.Is(err, ErrLocked) {
		t.Errorf("second AcquireLock error %v does not match ErrLocked", err)
	}
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("second AcquireLock error %T, want *LockedError", err)
	}
	host, _ := os.Hostname()
	want := first.Holder()
	if le.Holder != want || le.Holder.PID != os.Getpid() || le.Holder.Host != host || le.Path != LockPath(path) {
		t.Errorf("LockedError = %+v, want holder %+v at %s", le, want, LockPath(path))
	}
	msg := err.Error()
	for _, part := range []string{
		fmt.Sprintf("pid %d", os.Getpid()),
		"host " + host,
		want.StartedAt.Format(time.RFC3339),
		"run 20261129T084400Z-abcdef",
		LockPath(path),
	} {
		if !strings.Contains(msg, part) {
			t.Errorf("LockedError message %q does not contain %q", msg, part)
		}
	}

	if err := first.Release(); err != nil {
		t.Fatalf("Release: %v", err)
	}
	if err := first.Release(); err != nil {
		t.Errorf("second Release: %v", err)
	}
	third, err := AcquireLock(path)
	if err != nil {
		t.Fatalf("AcquireLock after Release: %v", err)
	}
	defer third.Release()
	if third.Holder().RunID != "" {
		t.Errorf("new holder inherited run id %q", third.Holder().RunID)
	}
}

func TestLockedErrorUnknownHolder(t *testing.T) {
	// A holder that has locked but not yet written its details.
	err := &LockedError{Path: "w.duckdb.lock"}
	if got, want := err.Error(), "warehouse lock w.duckdb.lock is held by an unknown process (it has not written its details yet)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// TestLockHelperProcess is not a test: it is the child process of
// TestLockTakeoverAfterKill.
func TestLockHelperProcess(t *testing.T) {
	path := os.Getenv(lockHelperEnv)
	if path == "" {
		t.Skip("helper process for TestLockTakeoverAfterKill")
	}
	l, err := AcquireLock(path)
	if err == nil {
		err = l.SetRunID(lockHelperRun)
	}
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println(lockHelperReady)
	// Hold the lock until killed (or until the parent goes away).
	io.Copy(io.Discard, os.Stdin)
	os.Exit(0)
}

func TestLockTakeoverAfterKill(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huzhu.duckdb")
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHelperProcess$")
	cmd.Env = append(os.Environ(), lockHelperEnv+"="+path)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	t.Cleanup(func() {
		if !killed {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})

	// Synchronise on the child's line: once it is printed the lock is held.
	ready := false
	for sc := bufio.NewScanner(stdout); sc.Scan(); {
		if sc.Text() == lockHelperReady {
			ready = true
			break
		}
		t.Logf("helper: %s", sc.Text())
	}
	if !ready {
		t.Fatal("helper process exited without taking the lock")
	}

	_, err = AcquireLock(path)
	var le *LockedError
	if !errors.As(err, &le) || le.Holder.PID != cmd.Process.Pid || le.Holder.RunID != lockHelperRun {
		t.Fatalf("AcquireLock while the helper holds it: %v; want a *LockedError naming pid %d and run %s", err, cmd.Process.Pid, lockHelperRun)
	}

	// SIGKILL: the child gets no chance to release. Wait reaps it, and by
	// then the kernel has closed its files and dropped the lock.
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	killed = true
	werr := cmd.Wait()
	stdin.Close()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("helper ended with %v, want killed by SIGKILL", werr)
	}

	l, err := AcquireLock(path)
	if err != nil {
		t.Fatalf("AcquireLock after the holder was killed: %v", err)
	}
	defer l.Release()
	if h := l.Holder(); h.PID != os.Getpid() || h.RunID != "" {
		t.Errorf("holder after takeover = %+v, want this process and no run id", h)
	}
	b, err := os.ReadFile(LockPath(path))
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf(`"pid":%d`, os.Getpid()); !strings.Contains(string(b), want) {
		t.Errorf("lock file after takeover = %s, want it to contain %s", b, want)
	}
}
