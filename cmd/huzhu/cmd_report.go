package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"huzhu/reports"
)

func newReportCmd(e *env) *cobra.Command {
	var cfgPath string
	cmd := &cobra.Command{
		Use:   "report --config FILE",
		Short: "Write the supervisor reports of every jurisdiction from the marts",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withRun(e, cfgPath, []string{"report"}, func(ctx context.Context, r *stageRun) (any, error) {
				res, err := runReport(ctx, e, r)
				return map[string]any{"report": res}, err
			})
		},
	}
	cmd.Flags().StringVar(&cfgPath, "config", "", "the config file (TOML)")
	return cmd
}

// runReport writes <out>/reports and prints the national index's path.
func runReport(ctx context.Context, e *env, r *stageRun) (*reports.Result, error) {
	res, err := reports.Write(ctx, r.db.SQL(), filepath.Join(r.cfg.Out, "reports"), reports.Options{})
	if err != nil {
		return res, err
	}
	fmt.Fprintf(e.stdout, "report %d jurisdictions, %d files, %.1f MB in %.2fs\n",
		len(res.Jurisdictions), res.Files, float64(res.Bytes)/1e6, res.Seconds)
	fmt.Fprintf(e.stdout, "report national index: %s\n", nationalIndex(res))
	return res, nil
}

func nationalIndex(res *reports.Result) string {
	for _, j := range res.Jurisdictions {
		if j.Level == "national" {
			return j.Index
		}
	}
	return filepath.Join(res.Dir, "national", "index.html")
}
