package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

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
				res, err := runMarts(ctx, e, r)
				return map[string]any{"marts": res}, err
			})
		},
	}
	cmd.Flags().StringVar(&cfgPath, "config", "", "the config file (TOML)")
	return cmd
}

func runMarts(ctx context.Context, e *env, r *stageRun) (*marts.Result, error) {
	res, err := marts.Run(ctx, r.db.SQL(), r.runID, r.cfg.Rules)
	if res != nil {
		for _, m := range res.Models {
			fmt.Fprintf(e.stdout, "marts %-24s %6.2fs\n", m.Model, m.Seconds)
		}
	}
	return res, err
}
