package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"huzhu/extract"
	"huzhu/transform"
)

// stageOrder is the order of the nightly run's stages.
var stageOrder = []string{"extract", "transform", "marts"}

type runOptions struct {
	config string
	only   []string
	full   bool
}

func newRunCmd(e *env) *cobra.Command {
	o := &runOptions{}
	cmd := &cobra.Command{
		Use:   "run --config FILE [--only STAGE…] [--full]",
		Short: "The nightly batch: extract → transform → marts, with a run manifest and metrics",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			stages := stageOrder
			if len(o.only) > 0 {
				for _, s := range o.only {
					if !slices.Contains(stageOrder, s) {
						return usageError{fmt.Errorf("--only %s: stages are %s", s, strings.Join(stageOrder, ", "))}
					}
				}
				stages = nil
				for _, s := range stageOrder {
					if slices.Contains(o.only, s) {
						stages = append(stages, s)
					}
				}
			}
			return withRun(e, o.config, stages, func(ctx context.Context, r *stageRun) (any, error) {
				return runStages(ctx, e, r, stages, o.full)
			})
		},
	}
	cmd.Flags().StringVar(&o.config, "config", "", "the config file (TOML)")
	cmd.Flags().StringSliceVar(&o.only, "only", nil, "run only these stages (extract, transform, marts)")
	cmd.Flags().BoolVar(&o.full, "full", false, "transform: rebuild core from every load in raw")
	return cmd
}

// stageReport is one stage of the run manifest.
type stageReport struct {
	Name     string    `json:"name"`
	Started  time.Time `json:"started_at"`
	Finished time.Time `json:"finished_at"`
	Seconds  float64   `json:"seconds"`
	Error    string    `json:"error,omitempty"`
	Result   any       `json:"result,omitempty"`
}

// runManifest is out/runs/<run_id>.json.
type runManifest struct {
	RunID          string            `json:"run_id"`
	Started        time.Time         `json:"started_at"`
	Finished       time.Time         `json:"finished_at"`
	Status         string            `json:"status"`
	ExitCode       int               `json:"exit_code"`
	ConfigHash     string            `json:"config_hash"`
	Versions       map[string]string `json:"versions"`
	Stages         []stageReport     `json:"stages"`
	Quarantined    map[string]int64  `json:"quarantined_by_entity"`
	Reconciliation int64             `json:"reconciliation_difference"`
	Findings       map[string]int64  `json:"findings_open"`
	Rows           map[string]int64  `json:"raw_rows_by_entity"`
}

// runStages runs the stages in order, stopping at the first failure, and
// writes the run manifest and the metrics whatever happened.
func runStages(ctx context.Context, e *env, r *stageRun, stages []string, full bool) (*runManifest, error) {
	m := &runManifest{RunID: r.runID, Started: time.Now().UTC(), ConfigHash: r.cfg.Hash(), Status: "succeeded",
		Versions: map[string]string{"huzhu": codeVersion(), "go": runtime.Version(), "ingest": extract.IngestPath}}
	var runErr error
	for _, name := range stages {
		rep := stageReport{Name: name, Started: time.Now().UTC()}
		var res any
		var err error
		switch name {
		case "extract":
			var x *extract.Result
			x, err = runExtract(ctx, e, r, 4)
			res = x
		case "transform":
			var t *transform.Result
			t, err = runTransform(ctx, e, r, full)
			res = t
		case "marts":
			var s *martsSummary
			s, err = runMarts(ctx, e, r)
			res = s
		}
		rep.Finished = time.Now().UTC()
		rep.Seconds = rep.Finished.Sub(rep.Started).Seconds()
		rep.Result = res
		if err != nil {
			rep.Error = err.Error()
		}
		m.Stages = append(m.Stages, rep)
		if err != nil {
			runErr = fmt.Errorf("%s: %w", name, err)
			break
		}
	}
	m.Finished = time.Now().UTC()
	if runErr != nil {
		m.Status, m.ExitCode = "failed", exitFailed
	}
	if err := collectCounts(ctx, r, m); err != nil && runErr == nil {
		runErr = err
	}
	if err := writeManifest(r.cfg.Out, m); err != nil && runErr == nil {
		runErr = err
	}
	if err := writeMetrics(r.cfg.Out, m); err != nil && runErr == nil {
		runErr = err
	}
	fmt.Fprintf(e.stdout, "run %s %s in %.1fs; manifest %s\n", m.RunID, m.Status, m.Finished.Sub(m.Started).Seconds(),
		filepath.Join(r.cfg.Out, "runs", m.RunID+".json"))
	return m, runErr
}

// collectCounts fills the manifest's counts from the warehouse: quarantined
// rows and reconciliation differences of this run, open findings, raw rows.
func collectCounts(ctx context.Context, r *stageRun, m *runManifest) error {
	m.Quarantined, m.Findings, m.Rows = map[string]int64{}, map[string]int64{}, map[string]int64{}
	db := r.db.SQL()
	queries := []struct {
		q    string
		args []any
		out  map[string]int64
	}{
		{"SELECT q.entity, count(*) FROM ops.quarantine AS q JOIN ops.loads AS l USING (load_id) WHERE l.run_id = ? OR q.load_id IN (SELECT load_id FROM ops.transform_loads WHERE run_id = ?) GROUP BY ALL",
			[]any{r.runID, r.runID}, m.Quarantined},
		{"SELECT entity, sum(rows_loaded) FROM ops.loads WHERE run_id = ? AND status = 'loaded' GROUP BY ALL", []any{r.runID}, m.Rows},
	}
	for _, q := range queries {
		rows, err := db.QueryContext(ctx, q.q, q.args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var k string
			var n int64
			if err := rows.Scan(&k, &n); err != nil {
				rows.Close()
				return err
			}
			q.out[k] = n
		}
		rows.Close()
	}
	if err := db.QueryRowContext(ctx, "SELECT coalesce(sum(abs(difference)), 0) FROM ops.reconciliation WHERE run_id = ?", r.runID).Scan(&m.Reconciliation); err != nil {
		return err
	}
	rows, err := db.QueryContext(ctx, "SELECT severity, count(*) FROM mart.compliance_findings WHERE status = 'open' GROUP BY ALL")
	if err != nil {
		return nil // no marts yet
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int64
		if err := rows.Scan(&k, &n); err != nil {
			return err
		}
		m.Findings[k] = n
	}
	return rows.Err()
}

// writeFileAtomic writes path through a temporary file and a rename, so a
// reader never sees half a file.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func writeManifest(out string, m *runManifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(out, "runs", m.RunID+".json"), append(b, '\n'))
}

// writeMetrics writes out/metrics/huzhu.prom in the Prometheus text format
// for node_exporter's textfile collector.
func lastSuccess(path string) string {
	b, _ := os.ReadFile(path)
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "huzhu_last_success_timestamp_seconds "); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func writeMetrics(out string, m *runManifest) error {
	var b strings.Builder
	gauge := func(name, help string) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name)
	}
	gauge("huzhu_run_success", "1 if the last run succeeded, else 0.")
	ok := 0
	if m.Status == "succeeded" {
		ok = 1
	}
	fmt.Fprintf(&b, "huzhu_run_success %d\n", ok)
	gauge("huzhu_run_finished_timestamp_seconds", "When the last run finished (Unix time).")
	fmt.Fprintf(&b, "huzhu_run_finished_timestamp_seconds %d\n", m.Finished.Unix())
	// A failed run keeps the time of the last success the file held.
	last := lastSuccess(filepath.Join(out, "metrics", "huzhu.prom"))
	if ok == 1 {
		last = strconv.FormatInt(m.Finished.Unix(), 10)
	}
	if last != "" {
		gauge("huzhu_last_success_timestamp_seconds", "When the last successful run finished (Unix time).")
		fmt.Fprintf(&b, "huzhu_last_success_timestamp_seconds %s\n", last)
	}
	gauge("huzhu_stage_duration_seconds", "How long each stage of the last run took.")
	for _, s := range m.Stages {
		fmt.Fprintf(&b, "huzhu_stage_duration_seconds{stage=%q} %.3f\n", s.Name, s.Seconds)
	}
	counts := func(name, help, label string, v map[string]int64) {
		gauge(name, help)
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "%s{%s=%q} %d\n", name, label, k, v[k])
		}
	}
	counts("huzhu_rows_loaded", "Rows the last run loaded into raw, by entity.", "entity", m.Rows)
	counts("huzhu_rows_quarantined", "Rows the last run quarantined, by entity.", "entity", m.Quarantined)
	counts("huzhu_findings_open", "Open compliance findings, by severity.", "severity", m.Findings)
	gauge("huzhu_reconciliation_difference", "Rows the last run's reconciliation could not account for.")
	fmt.Fprintf(&b, "huzhu_reconciliation_difference %d\n", m.Reconciliation)
	return writeFileAtomic(filepath.Join(out, "metrics", "huzhu.prom"), []byte(b.String()))
}
