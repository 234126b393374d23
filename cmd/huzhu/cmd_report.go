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
			return withRun(e, cfgPath, []string{"reports"}, func(ctx context.Context, r *stageRun) (any, error) {
				var res *reports.Result
				err := publishOne(ctx, r, "reports", func(dir string) (err error) {
					res, err = runReport(ctx, e, r, dir)
					return err
				})
				return map[string]any{"reports": res}, err
			})
		},
	}
	cmd.Flags().StringVar(&cfgPath, "config", "", "the config file (TOML)")
	return cmd
}

// runReport writes the reports into dir (a release's staging folder) and
// prints the path the national index will be published at.
func runReport(ctx context.Context, e *env, r *stageRun, dir string) (*reports.Result, error) {
	res, err := reports.Write(ctx, r.db.SQL(), dir, reports.Options{})
	if err != nil {
		return res, err
	}
	fmt.Fprintf(e.stdout, "report %d jurisdictions, %d files, %.1f MB in %.2fs\n",
		len(res.Jurisdictions), res.Files, float64(res.Bytes)/1e6, res.Seconds)
	fmt.Fprintf(e.stdout, "report national index: %s\n", filepath.Join(r.cfg.Out, "reports", "national", "index.html"))
	return res, nil
}
