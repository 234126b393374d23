package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"huzhu/transform"
)

type transformOptions struct {
	config string
	full   bool
}

func newTransformCmd(e *env) *cobra.Command {
	o := &transformOptions{}
	cmd := &cobra.Command{
		Use:   "transform --config FILE",
		Short: "Type, check, de-duplicate and pseudonymise raw into the core star schema",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withRun(e, o.config, []string{"transform"}, func(ctx context.Context, r *stageRun) (any, error) {
				res, err := runTransform(ctx, e, r, transform.Options{Full: o.full})
				return map[string]any{"transform": res}, err
			})
		},
	}
	cmd.Flags().StringVar(&o.config, "config", "", "the config file (TOML)")
	cmd.Flags().BoolVar(&o.full, "full", false, "rebuild core from every load in raw")
	return cmd
}

// runTransform runs the stage and prints its counts. A missing or short
// pseudonymisation key refuses to start (exit 2).
func runTransform(ctx context.Context, e *env, r *stageRun, opt transform.Options) (*transform.Result, error) {
	key, err := r.cfg.PIIKey()
	if err != nil {
		return nil, err
	}
	opt.Logger = r.log
	res, err := transform.Run(ctx, r.db.SQL(), r.runID, key, opt)
	if res != nil {
		for _, er := range res.Entities {
			fmt.Fprintf(e.stdout, "transform %-15s %9d received %9d kept %7d quarantined %8d duplicates %6.2fs\n",
				er.Entity, er.Received, er.Kept, er.Quarantined, er.Duplicates, er.Seconds)
		}
	}
	return res, err
}
