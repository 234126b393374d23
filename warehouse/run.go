package warehouse

import (
	"context"
	"crypto/rand"
	"database/sql"
	_ "embed" // SQL statements live in sql/*.sql
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Statuses of a run in ops.runs. BeginRun writes RunRunning; FinishRun
// takes one of the others. A run left at RunRunning with no process holding
// the writer lock is a crashed run, which the next BeginRun marks
// RunAbandoned.
const (
	RunRunning   = "running"
	RunSucceeded = "succeeded"
	RunFailed    = "failed"
	// RunWarnings is a successful run with data-quality warnings above the
	// configured limit (exit code 3).
	RunWarnings = "warnings"
	// RunAbandoned is a run whose process died before it finished (killed,
	// the machine down).
	RunAbandoned = "abandoned"
)

// ErrRunNotFound means FinishRun was given a run id that BeginRun never
// recorded.
var ErrRunNotFound = errors.New("run not found")

// ErrRunFinished means FinishRun was called for a run that is no longer
// running.
var ErrRunFinished = errors.New("run already finished")

var (
	//go:embed sql/run_begin.sql
	runBeginSQL string
	//go:embed sql/run_finish.sql
	runFinishSQL string
	//go:embed sql/run_status.sql
	runStatusSQL string
	//go:embed sql/run_abandon.sql
	runAbandonSQL string
)

// RunInfo describes a run as it starts.
type RunInfo struct {
	// RunID identifies the run; see NewRunID.
	RunID string
	// ConfigHash is the hash of the configuration in force (config.Hash).
	ConfigHash string
	// CodeVersion is the version of the huzhu binary (module version or
	// VCS revision).
	CodeVersion string
	// Stages are the stages the run means to execute, in order; stored as
	// a JSON array until FinishRun replaces it with the results.
	Stages []string
	// StartedAt is when the run started; zero means now.
	StartedAt time.Time
}

// BeginRun records a run as running in ops.runs, and marks abandoned the
// runs still recorded as running: its caller holds the writer lock
// (AcquireLock), so their processes are gone. A run id already recorded
// is an error.
func (d *DB) BeginRun(ctx context.Context, r RunInfo) error {
	if r.RunID == "" {
		return errors.New("warehouse begin run: empty run id")
	}
	stages := r.Stages
	if stages == nil {
		stages = []string{} // [] rather than null
	}
	js, err := json.Marshal(stages)
	if err != nil {
		return fmt.Errorf("warehouse begin run %s: stages: %w", r.RunID, err)
	}
	at := r.StartedAt
	if at.IsZero() {
		at = d.now()
	}
	if _, err := d.db.ExecContext(ctx, runBeginSQL, r.RunID, at, string(js), r.ConfigHash, r.CodeVersion); err != nil {
		return fmt.Errorf("warehouse begin run %s: %w", r.RunID, err)
	}
	if _, err := d.db.ExecContext(ctx, runAbandonSQL, d.now(), r.RunID); err != nil {
		return fmt.Errorf("warehouse begin run %s: abandoned runs: %w", r.RunID, err)
	}
	return nil
}

// FinishRun records the end of a running run: its final status (RunSucceeded,
// RunFailed or RunWarnings), exit code, and stages, which is marshalled to
// JSON (typically the per-stage timings and row counts of the run
// manifest). It fails with ErrRunNotFound for an unknown run and
// ErrRunFinished for one already finished, so a late or repeated call
// cannot overwrite the outcome.
func (d *DB) FinishRun(ctx context.Context, runID, status string, exitCode int, stages any) error {
	fail := func(err error) error {
		return fmt.Errorf("warehouse finish run %s: %w", runID, err)
	}
	switch status {
	case RunSucceeded, RunFailed, RunWarnings:
	default:
		return fail(fmt.Errorf("status %q is not %s, %s or %s", status, RunSucceeded, RunFailed, RunWarnings))
	}
	js, err := json.Marshal(stages)
	if err != nil {
		return fail(fmt.Errorf("stages: %w", err))
	}
	res, err := d.db.ExecContext(ctx, runFinishSQL, d.now(), status, exitCode, string(js), runID)
	if err != nil {
		return fail(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fail(err)
	}
	if n == 1 {
		return nil
	}
	var was string
	switch err := d.db.QueryRowContext(ctx, runStatusSQL, runID).Scan(&was); {
	case errors.Is(err, sql.ErrNoRows):
		return fail(ErrRunNotFound)
	case err != nil:
		return fail(err)
	}
	return fail(fmt.Errorf("%w with status %s", ErrRunFinished, was))
}

// runIDTime is the layout of the time part of a run id: UTC, to the
// millisecond, fixed width, so that ids sort as their start times do.
// (To the second, two runs of one second sorted by their random part,
// and a report could take the later for the "previous" run.)
const runIDTime = "20060102T150405.000Z"

// RunStart reads when a run started (UTC) from its id, to the millisecond
// or, for an id of before the milliseconds (20261129T084400Z-3fa2c1), to
// the second; false for a string that is no run id.
func RunStart(runID string) (time.Time, bool) {
	stamp, _, _ := strings.Cut(runID, "-")
	for _, layout := range []string{runIDTime, "20060102T150405Z"} {
		if t, err := time.Parse(layout, stamp); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// NewRunID returns a run id for a run starting at now, such as
// 20261129T084400.125Z-3fa2c1: the UTC start time, so that ids sort by
// start, and 24 random bits, so that two runs started in the same
// millisecond (two pools, say) still differ.
func NewRunID(now time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand crashes the program instead)
	return now.UTC().Format(runIDTime) + "-" + hex.EncodeToString(b[:])
}
