package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// collectCounts fills the manifest's counts from the warehouse: quarantined
// rows and reconciliation differences of this run, open findings, raw rows.
func collectCounts(ctx context.Context, r *stageRun, m *runManifest) error {
	m.Quarantined, m.Findings, m.Rows = map[string]int64{}, map[string]int64{}, map[string]int64{}
	db := r.db.SQL()
	type count struct {
		name string
		args []any
		out  map[string]int64
	}
	queries := []count{{"manifest_quarantined", []any{r.runID}, m.Quarantined}, {"manifest_rows", []any{r.runID}, m.Rows}}
	haveFindings, err := tableExists(ctx, db, "mart", "compliance_findings")
	if err != nil {
		return fmt.Errorf("run manifest: %w", err)
	}
	if haveFindings { // none before marts were first built
		queries = append(queries, count{"findings_open_by_severity", nil, m.Findings})
	}
	for _, q := range queries {
		err := eachRow(ctx, db, q.name, q.args, func(rows *sql.Rows) error {
			var k string
			var n int64
			if err := rows.Scan(&k, &n); err != nil {
				return err
			}
			q.out[k] = n
			return nil
		})
		if err != nil {
			return fmt.Errorf("run manifest: %w", err)
		}
	}
	if err := queryRow(ctx, db, "manifest_reconciliation", []any{r.runID}, &m.Reconciliation); err != nil {
		return fmt.Errorf("run manifest: %w", err)
	}
	if haveFindings {
		if err := queryRow(ctx, db, "findings_new", []any{r.runID}, &m.NewCritical); err != nil {
			return fmt.Errorf("run manifest: %w", err)
		}
	}
	return nil
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
	if from, to := m.moved[0], m.moved[1]; from != "" {
		f, _ := json.Marshal(from)
		t, _ := json.Marshal(to)
		b = bytes.ReplaceAll(b, bytes.Trim(f, `"`), bytes.Trim(t, `"`))
	}
	return writeFileAtomic(filepath.Join(out, "runs", m.RunID+".json"), append(b, '\n'))
}

// lastSuccess is the last success's time the metrics file at path holds.
func lastSuccess(path string) string {
	b, _ := os.ReadFile(path)
	for _, l := range strings.Split(string(b), "\n") {
		// "name value" or "name{labels} value"
		if rest, ok := strings.CutPrefix(l, "huzhu_last_success_timestamp_seconds"); ok && (strings.HasPrefix(rest, " ") || strings.HasPrefix(rest, "{")) {
			if f := strings.Fields(rest); len(f) > 0 {
				return f[len(f)-1]
			}
		}
	}
	return ""
}

// writeMetrics writes out/metrics/huzhu.prom in the Prometheus text format
// for node_exporter's textfile collector.
func writeMetrics(out string, m *runManifest) error {
	var b strings.Builder
	// A pool's run and the roll-up label every series with their scope, so
	// that the files of several jobs can sit in one textfile collector.
	labels := func(kv ...string) string {
		if m.Scope != "" {
			kv = append([]string{"scope", m.Scope}, kv...)
		}
		if len(kv) == 0 {
			return ""
		}
		var parts []string
		for i := 0; i+1 < len(kv); i += 2 {
			parts = append(parts, fmt.Sprintf("%s=%q", kv[i], kv[i+1]))
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	gauge := func(name, help string) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name)
	}
	// A run with warnings (exit 3) succeeded and published: a "last success
	// too old" alert must not fire on it; huzhu_run_warnings and the exit
	// code tell it apart.
	gauge("huzhu_run_success", "1 if the last run succeeded and published (with or without warnings), else 0.")
	ok := 0
	if m.Status == "succeeded" || m.Status == "warnings" {
		ok = 1
	}
	fmt.Fprintf(&b, "huzhu_run_success%s %d\n", labels(), ok)
	gauge("huzhu_run_exit_code", "The last run's exit code (0 success, 1 failed, 3 success with warnings).")
	fmt.Fprintf(&b, "huzhu_run_exit_code%s %d\n", labels(), m.ExitCode)
	gauge("huzhu_run_warnings", "The data-quality warnings the last run's gates counted.")
	fmt.Fprintf(&b, "huzhu_run_warnings%s %d\n", labels(), m.Warnings)
	gauge("huzhu_run_finished_timestamp_seconds", "When the last run finished (Unix time).")
	fmt.Fprintf(&b, "huzhu_run_finished_timestamp_seconds%s %d\n", labels(), m.Finished.Unix())
	// A failed run keeps the time of the last success the file held.
	last := lastSuccess(filepath.Join(out, "metrics", "huzhu.prom"))
	if ok == 1 {
		last = strconv.FormatInt(m.Finished.Unix(), 10)
	}
	if last != "" {
		gauge("huzhu_last_success_timestamp_seconds", "When the last successful run finished (Unix time).")
		fmt.Fprintf(&b, "huzhu_last_success_timestamp_seconds%s %s\n", labels(), last)
	}
	gauge("huzhu_stage_duration_seconds", "How long each stage of the last run took.")
	for _, s := range m.Stages {
		fmt.Fprintf(&b, "huzhu_stage_duration_seconds%s %.3f\n", labels("stage", s.Name), s.Seconds)
	}
	gauge("huzhu_stage_peak_rss_bytes", "Peak resident memory of each stage of the last run.")
	for _, s := range m.Stages {
		fmt.Fprintf(&b, "huzhu_stage_peak_rss_bytes%s %d\n", labels("stage", s.Name), s.PeakRSS<<20)
	}
	counts := func(name, help, label string, v map[string]int64) {
		gauge(name, help)
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "%s%s %d\n", name, labels(label, k), v[k])
		}
	}
	counts("huzhu_rows_loaded", "Rows the last run loaded into raw, by entity.", "entity", m.Rows)
	counts("huzhu_rows_quarantined", "Rows the last run quarantined, by entity.", "entity", m.Quarantined)
	counts("huzhu_findings_open", "Open compliance findings, by severity.", "severity", m.Findings)
	gauge("huzhu_reconciliation_difference", "Rows the last run's reconciliation could not account for.")
	fmt.Fprintf(&b, "huzhu_reconciliation_difference%s %d\n", labels(), m.Reconciliation)
	return writeFileAtomic(filepath.Join(out, "metrics", "huzhu.prom"), []byte(b.String()))
}
