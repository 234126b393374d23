package main

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"huzhu/internal/publish"
	"huzhu/marts"
)

func newMartsCmd(e *env) *cobra.Command {
	var cfgPath string
	cmd := &cobra.Command{
		Use:   "marts --config FILE",
		Short: "Rebuild the mart tables from the core star schema",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withRun(e, cfgPath, []string{"marts"}, func(ctx context.Context, r *stageRun) (any, error) {
				var res *martsSummary
				err := publishOne(ctx, r, "parquet", func(dir string) (err error) {
					res, err = runMarts(ctx, e, r, dir)
					return err
				})
				return map[string]any{"marts": res}, err
			})
		},
	}
	cmd.Flags().StringVar(&cfgPath, "config", "", "the config file (TOML)")
	return cmd
}

// runMarts runs the stage, exports the marts as Parquet into dir, prints
// each model's time and the open findings by severity, and returns the
// counts with the result.
func runMarts(ctx context.Context, e *env, r *stageRun, dir string) (*martsSummary, error) {
	res, err := marts.RunWith(ctx, r.db.SQL(), r.runID, r.cfg.Rules, marts.Options{Logger: r.log})
	if err != nil {
		return &martsSummary{Result: res}, err
	}
	for _, m := range res.Models {
		fmt.Fprintf(e.stdout, "marts %-28s %6.2fs\n", m.Model, m.Seconds)
	}
	sum := &martsSummary{Result: res, Findings: map[string]int64{}, Parquet: filepath.Join(r.cfg.Out, "parquet")}
	start := time.Now()
	if _, err := marts.Export(ctx, r.db.SQL(), dir); err != nil {
		return sum, err
	}
	r.log.Info("marts exported", "seconds", time.Since(start).Seconds())
	fmt.Fprintf(e.stdout, "marts exported to %s (Parquet by pool and year, datapackage.json)\n", sum.Parquet)
	err = eachRow(ctx, r.db.SQL(), "findings_open_by_severity", nil, func(rows *sql.Rows) error {
		var sev string
		var n int64
		if err := rows.Scan(&sev, &n); err != nil {
			return err
		}
		sum.Findings[sev] = n
		return nil
	})
	if err != nil {
		return sum, fmt.Errorf("marts: %w", err)
	}
	fmt.Fprintf(e.stdout, "marts findings open: %s\n", sum.findingsLine())
	return sum, nil
}

// martsSummary is the stage's result with the open findings by severity.
type martsSummary struct {
	*marts.Result
	Findings map[string]int64 `json:"findings_open"`
	Parquet  string           `json:"parquet"`
}

func (s *martsSummary) findingsLine() string {
	var parts []string
	for _, sev := range []string{marts.Critical, marts.Major, marts.Minor, marts.Info} {
		parts = append(parts, fmt.Sprintf("%s %d", sev, s.Findings[sev]))
	}
	return strings.Join(parts, ", ")
}

// publishOne runs a single stage command's output through a release of
// its own, so that `huzhu marts` (or report, site) publishes as atomically
// as the nightly run and the other outputs carry over — and behind the
// same fatal gates: a night the gates stopped is not published by running
// one stage by hand.
func publishOne(ctx context.Context, r *stageRun, name string, write func(dir string) error) error {
	rel, err := publish.Begin(r.cfg.Out, r.runID)
	if err != nil {
		return err
	}
	defer rel.Abort()
	if err := write(rel.Dir(name)); err != nil {
		return err
	}
	_, fatal, _, _, err := checkGates(ctx, r)
	if err != nil {
		return err
	}
	if len(fatal) > 0 {
		return gateError{fatal}
	}
	return rel.Commit()
}
