package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"huzhu/extract"
	"huzhu/internal/config"
	"huzhu/internal/publish"
	"huzhu/internal/rss"
	"huzhu/transform"
)

// stageOrder is the order of the nightly run's stages.
var stageOrder = []string{"extract", "transform", "marts", "reports", "site"}

type runOptions struct {
	config string
	only   []string
	full   bool
	since  string
	pool   string
	from   []string // rollup: the pools' Parquet exports
	// rollup: the pools of the config's sources that have no export to
	// read; the roll-up publishes without them, with warnings (exit 3).
	missingPools []string
}

func newRunCmd(e *env) *cobra.Command {
	o := &runOptions{}
	cmd := &cobra.Command{
		Use:   "run --config FILE [--only STAGE…] [--since DATE] [--full] [--pool CODE]",
		Short: "The nightly batch: every stage under the lock, quality gates, an atomic publish, a manifest and metrics",
		// "--only extract transform" as product.md writes it: the words
		// after --only's value are more stages; without --only, none.
		Args: func(cmd *cobra.Command, args []string) error {
			if len(o.only) == 0 {
				return exactArgs(0)(cmd, args)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("only") && len(slices.DeleteFunc(append(o.only, args...), func(s string) bool { return s == "" })) == 0 {
				return usageError{errors.New("--only: name the stages to run (" + strings.Join(stageOrder, ", ") + ")")}
			}
			stages, err := selectStages(append(o.only, args...))
			if err != nil {
				return err
			}
			// --since and --full tell the transform what to redo: a run
			// without it would quietly do nothing of what they ask.
			if (o.since != "" || o.full) && !slices.Contains(stages, "transform") {
				return usageError{fmt.Errorf("--since and --full redo the transform: add transform to --only %s", strings.Join(stages, ","))}
			}
			if o.since != "" {
				if _, err := time.Parse(time.DateOnly, o.since); err != nil {
					return usageError{fmt.Errorf("--since %q: want a day, YYYY-MM-DD", o.since)}
				}
				if o.full {
					return usageError{errors.New("--since and --full: choose one")}
				}
			}
			adjust := func(c *config.Config) (*config.Config, error) {
				if err := checkKeys(c, stages); err != nil {
					return nil, err
				}
				if o.pool != "" {
					return c.ForPool(o.pool)
				}
				return c, nil
			}
			return withRunConfig(e, o.config, adjust, true, stages, func(ctx context.Context, r *stageRun) (any, error) {
				return runStages(ctx, e, r, stages, o)
			})
		},
	}
	cmd.Flags().StringVar(&o.config, "config", "", "the config file (TOML)")
	cmd.Flags().StringSliceVar(&o.only, "only", nil, "run only these stages ("+strings.Join(stageOrder, ", ")+")")
	cmd.Flags().BoolVar(&o.full, "full", false, "transform: rebuild core from every load in raw")
	cmd.Flags().StringVar(&o.pool, "pool", "", "run one pool end to end: its sources, with a warehouse and out folder of its own (pools/CODE/)")
	cmd.Flags().StringVar(&o.since, "since", "", "transform: re-derive the loads of batches dated on or after this day (YYYY-MM-DD), then the later stages")
	return cmd
}

// selectStages returns the stages of --only in run order, all of them when
// none is given; "report" names the reports stage as `huzhu report` does.
func selectStages(only []string) ([]string, error) {
	if len(only) == 0 {
		return stageOrder, nil
	}
	only = slices.Clone(only)
	for i, s := range only {
		if s == "report" { // the command's name (huzhu report), the stage's in product.md
			only[i], s = "reports", "reports"
		}
		if !slices.Contains(stageOrder, s) {
			return nil, usageError{fmt.Errorf("--only %s: stages are %s", s, strings.Join(stageOrder, ", "))}
		}
	}
	var stages []string
	for _, s := range stageOrder {
		if slices.Contains(only, s) {
			stages = append(stages, s)
		}
	}
	return stages, nil
}

// stageReport is one stage of the run manifest.
type stageReport struct {
	Name     string    `json:"name"`
	Started  time.Time `json:"started_at"`
	Finished time.Time `json:"finished_at"`
	Seconds  float64   `json:"seconds"`
	PeakRSS  int64     `json:"peak_rss_mib"` // the stage's own peak (VmHWM reset at its start, on Linux)
	Error    string    `json:"error,omitempty"`
	Result   any       `json:"result,omitempty"`
}

// runManifest is out/runs/<run_id>.json.
type runManifest struct {
	RunID          string            `json:"run_id"`
	PeakRSS        int64             `json:"peak_rss_mib"` // the process's peak over the run
	Started        time.Time         `json:"started_at"`
	Finished       time.Time         `json:"finished_at"`
	Status         string            `json:"status"`
	ExitCode       int               `json:"exit_code"`
	ConfigHash     string            `json:"config_hash"`
	Versions       map[string]string `json:"versions"`
	Stages         []stageReport     `json:"stages"`
	Gates          []gateResult      `json:"gates"`
	Tripped        []string          `json:"gates_tripped,omitempty"`
	Warnings       int64             `json:"warnings"`
	Published      bool              `json:"published"`
	Release        string            `json:"release,omitempty"`
	Quarantined    map[string]int64  `json:"quarantined_by_entity"`
	Reconciliation int64             `json:"reconciliation_difference"`
	Findings       map[string]int64  `json:"findings_open"`
	NewCritical    int64             `json:"findings_new_critical"`
	Rows           map[string]int64  `json:"raw_rows_by_entity"`
	Alert          string            `json:"alert,omitempty"`
	Error          string            `json:"error,omitempty"` // a run that failed before its stages
	// Scope is the pool of a run --pool, "rollup" for the roll-up, ""
	// for a run of every source: the metrics' scope label.
	Scope         string    `json:"scope,omitempty"`
	moved         [2]string // the staging folder and the release it became
	failedSources []string  // sources that failed in a night that went on
}

// warningsError is a run that published with data-quality warnings it
// must not keep quiet about: more than [gates] max_warnings, or a file
// batch refused whole. Exit 3.
type warningsError struct{ why string }

func (w warningsError) Error() string { return "published with warnings: " + w.why }

// gateError is a fatal quality gate: nothing published, exit 1.
type gateError struct{ tripped []string }

func (g gateError) Error() string {
	return "quality gate tripped, nothing published: " + strings.Join(g.tripped, "; ")
}

// runStages runs the stages in order into a new release, stopping at the
// first failure; checks the quality gates; publishes the release when they
// pass; and writes the run manifest and the metrics whatever happened.
func runStages(ctx context.Context, e *env, r *stageRun, stages []string, o *runOptions) (*runManifest, error) {
	m := newManifest(r.cfg, r.runID, time.Now())
	switch {
	case o.pool != "":
		m.Scope = o.pool
	case o.from != nil || o.missingPools != nil:
		m.Scope = "rollup"
	}
	rel, runErr := publish.Begin(r.cfg.Out, r.runID)
	if runErr == nil {
		defer rel.Abort()
	}
	for _, name := range stages {
		if runErr != nil {
			break
		}
		rep := stageReport{Name: name, Started: time.Now().UTC()}
		r.log.Info("stage started", "stage", name)
		rss.Reset()
		res, err := runStage(ctx, e, r, name, o, rel)
		if name == "extract" && err != nil {
			if failed := failedSources(ctx, r, res); failed != nil {
				// [gates] failed_sources_fatal = false: the night goes on
				// with the sources that pulled; the gates below flag it.
				rep.Error = err.Error()
				r.log.Warn("sources failed, the night goes on without them", "sources", failed, "error", err.Error())
				m.failedSources, err = failed, nil
			}
		}
		rep.PeakRSS = rss.Peak()
		rep.Finished = time.Now().UTC()
		rep.Seconds = rep.Finished.Sub(rep.Started).Seconds()
		rep.Result = res
		if err != nil {
			rep.Error = err.Error()
			r.log.Error("stage failed", "stage", name, "error", err.Error())
			runErr = err
			if !strings.HasPrefix(err.Error(), name) { // the stages' errors mostly name them
				runErr = fmt.Errorf("%s: %w", name, err)
			}
		} else {
			r.log.Info("stage finished", "stage", name, "seconds", rep.Seconds, "peak_rss_mib", rep.PeakRSS)
		}
		m.Stages = append(m.Stages, rep)
	}
	if err := collectCounts(ctx, r, m); err != nil && runErr == nil {
		runErr = err
	}
	var warnErr error
	if runErr == nil {
		var fatal []string
		var rejected rejectedBatches
		m.Gates, fatal, rejected, m.Warnings, runErr = checkGates(ctx, r)
		m.Tripped = fatal
		switch {
		case runErr != nil:
			// A gate that cannot be read has not passed: nothing publishes.
		case len(fatal) > 0:
			runErr = gateError{fatal}
			r.log.Error("quality gate tripped", "gates", strings.Join(fatal, "; "))
		default:
			// Warnings that publish (exit 3): a gate row per subject, the
			// gate named once among the tripped, a reason for the message.
			var why []string
			warn := func(gate, reason string, subjects []string, values []int64) {
				if len(subjects) == 0 {
					return
				}
				for i, s := range subjects {
					m.Gates = append(m.Gates, gateResult{Gate: gate, Subject: s, Value: float64(values[i]), Tripped: true})
				}
				m.Tripped = append(m.Tripped, gate)
				why = append(why, reason+": "+strings.Join(subjects, ", "))
			}
			if max := int64(r.cfg.Gates.MaxWarnings); max >= 0 && m.Warnings > max {
				why = append(why, fmt.Sprintf("%d data-quality warnings, more than the %d allowed ([gates] max_warnings)", m.Warnings, max))
				m.Tripped = append(m.Tripped, "max_warnings")
			}
			warn("rejected_batches", "operators with file batches refused whole (ops.loads)", rejected.ops, rejected.n)
			warn("failed_sources", "sources failed, their last pull stands", m.failedSources, ones(len(m.failedSources)))
			warn("missing_pools", "pools without an export, left out of the roll-up", o.missingPools, ones(len(o.missingPools)))
			if len(why) > 0 {
				warnErr = warningsError{strings.Join(why, "; ")}
			}
		}
	}
	if runErr == nil {
		r.log.Info("publish")
		if err := rel.Commit(); err != nil {
			runErr = err
		} else {
			m.Published, m.Release = true, filepath.Join("releases", r.runID)
			// The stages wrote into the staging folder, which is the
			// release's folder now: the manifest names where things are.
			m.moved = [2]string{rel.Dir(""), filepath.Join(r.cfg.Out, "releases", r.runID)}
			r.log.Info("published", "release", m.Release)
		}
	}
	m.Finished = time.Now().UTC()
	// Each stage reset the high-water mark (VmHWM, and with it ru_maxrss)
	// at its start: the run's peak is the largest stage peak.
	m.PeakRSS = rss.ProcessPeak()
	for _, st := range m.Stages {
		m.PeakRSS = max(m.PeakRSS, st.PeakRSS)
	}
	switch {
	case runErr != nil:
		m.Status, m.ExitCode = "failed", exitFailed
	case warnErr != nil:
		m.Status, m.ExitCode = "warnings", exitWarnings
	}
	if err := reportRun(ctx, r, m, runErr); err != nil && runErr == nil {
		runErr = err
	}
	fmt.Fprintf(e.stdout, "run %s %s in %.1fs; manifest %s\n", m.RunID, m.Status, m.Finished.Sub(m.Started).Seconds(),
		filepath.Join(r.cfg.Out, "runs", m.RunID+".json"))
	if runErr != nil {
		return m, runErr
	}
	return m, warnErr
}

// newManifest starts the manifest of run id, started at start.
func newManifest(cfg *config.Config, id string, start time.Time) *runManifest {
	return &runManifest{RunID: id, Started: start.UTC(), ConfigHash: cfg.Hash(), Status: "succeeded",
		Versions: map[string]string{"huzhu": codeVersion(), "go": runtime.Version(), "ingest": extract.IngestPath}}
}

// reportRun tells of a finished run, whatever its end: the alert, the
// manifest, the metrics, and the log's last line. It returns what kept
// the manifest or the metrics from being written; an alert not delivered
// is noted in the manifest and logged.
func reportRun(ctx context.Context, r *stageRun, m *runManifest, runErr error) error {
	if err := alert(ctx, r, m, runErr); err != nil {
		m.Alert = "not delivered: " + err.Error()
		r.log.Warn("alert not delivered", "error", err.Error())
	}
	err := errors.Join(writeManifest(r.cfg.Out, m), writeMetrics(r.cfg.Out, m))
	// The run's outcome as the log's last line, for whoever reads only
	// the log (the error itself is returned, and the manifest has it).
	level := slog.LevelInfo
	switch m.Status {
	case "failed":
		level = slog.LevelError
	case "warnings":
		level = slog.LevelWarn
	}
	r.log.Log(ctx, level, "run finished", "status", m.Status, "exit_code", m.ExitCode, "published", m.Published,
		"seconds", m.Finished.Sub(m.Started).Seconds(), "warnings", m.Warnings, "gates_tripped", m.Tripped,
		"manifest", filepath.Join(r.cfg.Out, "runs", m.RunID+".json"))
	return err
}

// ones is n 1s: the value of a warning gate that is a yes or no.
func ones(n int) []int64 {
	v := make([]int64, n)
	for i := range v {
		v[i] = 1
	}
	return v
}

// failedSources names the sources that failed in extract's result res
// when the night may go on without them ([gates] failed_sources_fatal =
// false, the run not cancelled, and at least one source pulled); nil when
// the failure stops the night.
func failedSources(ctx context.Context, r *stageRun, res any) []string {
	xr, ok := res.(*extract.Result)
	if r.cfg.Gates.FailedSourcesFatal || ctx.Err() != nil || !ok || xr == nil {
		return nil
	}
	var failed []string
	for _, s := range xr.Sources {
		if s.Err != nil {
			failed = append(failed, s.Name)
		}
	}
	if len(failed) == 0 || len(failed) == len(xr.Sources) {
		return nil
	}
	slices.Sort(failed)
	return failed
}

// runStage runs one stage; outputs go into the release's staging folders.
func runStage(ctx context.Context, e *env, r *stageRun, name string, o *runOptions, rel *publish.Release) (any, error) {
	switch name {
	case "extract":
		return runExtract(ctx, e, r, 4)
	case "transform":
		opt := transform.Options{Full: o.full}
		if o.since != "" {
			opt.Since, _ = time.Parse(time.DateOnly, o.since)
		}
		return runTransform(ctx, e, r, opt)
	case "marts":
		return runMarts(ctx, e, r, rel.Dir("parquet"))
	case "rollup":
		return runRollup(ctx, e, r, o.from, rel.Dir("parquet"))
	case "reports":
		return runReport(ctx, e, r, rel.Dir("reports"))
	case "site":
		key, err := siteKey(r.cfg)
		if err != nil {
			return nil, err
		}
		return runSite(ctx, e, r, key, rel.Dir("site"))
	}
	return nil, errors.New("no such stage")
}

// stageResult returns the result of the named stage of a run manifest.
func stageResult[T any](m *runManifest, name string) (T, bool) {
	var zero T
	if m == nil {
		return zero, false
	}
	for _, s := range m.Stages {
		if s.Name == name {
			v, ok := s.Result.(T)
			return v, ok
		}
	}
	return zero, false
}

// checkKeys refuses, before anything runs, a run whose stages need a key
// the environment lacks (exit 2): the pseudonymisation key for extract and transform,
// the signing key for the site, an http source's token for extract, and
// the alert webhook's token. Extract needs the pseudonymisation key too: it
// replaces a person's data before it reaches the warehouse.
func checkKeys(c *config.Config, stages []string) error {
	if slices.Contains(stages, "transform") || slices.Contains(stages, "extract") {
		if _, err := c.PIIKey(); err != nil {
			return err
		}
	}
	if slices.Contains(stages, "extract") {
		for _, s := range c.Sources {
			if s.TokenEnv != "" && os.Getenv(s.TokenEnv) == "" {
				return usageError{fmt.Errorf("source %s/%s: environment variable %s (token_env) is empty", s.Operator, s.Kind, s.TokenEnv)}
			}
		}
	}
	if env := c.Alerts.TokenEnv; env != "" && c.Alerts.WebhookURL != "" && os.Getenv(env) == "" {
		return usageError{fmt.Errorf("alerts: environment variable %s (token_env) is empty", env)}
	}
	if slices.Contains(stages, "site") {
		if _, err := siteKey(c); err != nil {
			return err
		}
	}
	return nil
}
