package warehouse

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"huzhu/internal/flock"
)

// ErrLocked is matched (errors.Is) by the *LockedError a second writer gets.
var ErrLocked = errors.New("warehouse is locked by another writer")

// Holder says who holds the writer lock, as written into the lock file.
type Holder struct {
	PID       int       `json:"pid"`
	Host      string    `json:"host"`
	StartedAt time.Time `json:"started_at"`
	RunID     string    `json:"run_id,omitempty"`
}

// String describes the holder for a person: pid, host, start time and run.
func (h Holder) String() string {
	if h.PID == 0 {
		return "an unknown process (it has not written its details yet)"
	}
	s := fmt.Sprintf("pid %d on host %s since %s", h.PID, h.Host, h.StartedAt.UTC().Format(time.RFC3339))
	if h.RunID != "" {
		s += " (run " + h.RunID + ")"
	}
	return s
}

// LockedError is returned by AcquireLock when another writer holds the lock.
type LockedError struct {
	// Path is the lock file.
	Path string
	// Holder is what the lock file says about the holder; zero if it could
	// not be read.
	Holder Holder
}

// Error names the lock file and the holder.
func (e *LockedError) Error() string {
	return fmt.Sprintf("warehouse lock %s is held by %s", e.Path, e.Holder)
}

// Is reports whether target is ErrLocked.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// Lock is a held writer lock: one process at a time may write a warehouse
// and its outputs.
//
// The lock is an OS advisory lock (flock(2), exclusive, non-blocking) on
// the file <warehouse>.lock, held for as long as the process keeps the file
// open. Why flock:
//
//   - The kernel drops it when the process dies however it dies (SIGKILL,
//     the OOM killer, a container killed), so a crashed run never leaves a
//     stale lock behind and the next run takes over safely, without
//     guessing from pids or ages as a pid-file scheme must (and gets wrong
//     when a pid is reused or the holder is on another host).
//   - A flock belongs to the open file description, not the process: two
//     AcquireLock calls in one process conflict too, and a child process
//     does not inherit it (Go opens files close-on-exec).
//   - The lock file is never deleted, because deleting it would let a
//     second process lock a new file while a third still holds the old one.
//   - flock is local to a machine: keep the warehouse on a local disk (it
//     must be anyway, for DuckDB), not on NFS.
//
// After taking the lock the holder writes who it is into the file as JSON
// (Holder), so that a second writer can say who holds it.
type Lock struct {
	mu     sync.Mutex
	path   string
	f      *os.File // nil once released
	holder Holder
}

// LockPath returns the lock file of the warehouse at warehousePath.
func LockPath(warehousePath string) string { return warehousePath + ".lock" }

// AcquireLock takes the writer lock of the warehouse at warehousePath (the
// lock file is LockPath(warehousePath); its folder is created if need be).
// It never waits: if another writer holds the lock it returns a
// *LockedError naming the holder, which matches ErrLocked.
func AcquireLock(warehousePath string) (*Lock, error) {
	path := LockPath(warehousePath)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("warehouse lock %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("warehouse lock %s: %w", path, err)
	}
	held, err := flock.Lock(f, false)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("warehouse lock %s: %w", path, err)
	}
	if held {
		// Read through the open descriptor: the holder may still be
		// writing, in which case the JSON is incomplete and the holder
		// unknown, which the message says.
		var h Holder
		if b, err := readAll(f); err == nil {
			_ = json.Unmarshal(b, &h)
		}
		f.Close()
		return nil, &LockedError{Path: path, Holder: h}
	}
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	l := &Lock{path: path, f: f, holder: Holder{PID: os.Getpid(), Host: host, StartedAt: time.Now().UTC()}}
	if err := l.write(); err != nil {
		return nil, errors.Join(fmt.Errorf("warehouse lock %s: %w", path, err), l.Release())
	}
	return l, nil
}

// maxHolderBytes caps what is read of a lock file: the JSON is a line.
const maxHolderBytes = 64 << 10

// readAll reads f from its start, up to maxHolderBytes.
func readAll(f *os.File) ([]byte, error) {
	return io.ReadAll(io.NewSectionReader(f, 0, maxHolderBytes))
}

// write replaces the lock file's content with the holder's details.
func (l *Lock) write() error {
	b, err := json.Marshal(l.holder)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if err := l.f.Truncate(0); err != nil {
		return err
	}
	_, err = l.f.WriteAt(b, 0)
	return err
}

// Path returns the lock file.
func (l *Lock) Path() string { return l.path }

// Holder returns what the lock file says about this holder.
func (l *Lock) Holder() Holder {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.holder
}

// SetRunID records the run holding the lock in the lock file, for the
// message a second writer gets.
func (l *Lock) SetRunID(runID string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return fmt.Errorf("warehouse lock %s: already released", l.path)
	}
	l.holder.RunID = runID
	if err := l.write(); err != nil {
		return fmt.Errorf("warehouse lock %s: %w", l.path, err)
	}
	return nil
}

// Release empties the lock file and gives the lock up. Releasing twice is
// not an error. Exiting without Release gives the lock up as well, but
// leaves the last holder's details in the file.
func (l *Lock) Release() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	f := l.f
	l.f = nil
	// Empty the file while still holding the lock, so nobody reads a
	// departed holder as current; then unlock (closing would do too).
	errs := []error{f.Truncate(0), flock.Unlock(f), f.Close()}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("warehouse lock %s: release: %w", l.path, err)
	}
	return nil
}
