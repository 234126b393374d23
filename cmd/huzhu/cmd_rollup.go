package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/spf13/cobra"

	"huzhu/internal/config"
	"huzhu/marts"
)

// rollupStages are the stages of `huzhu rollup`: the marts from the pools'
// exports, then every output the marts feed.
var rollupStages = []string{"rollup", "reports", "site"}

func newRollupCmd(e *env) *cobra.Command {
	o := &runOptions{}
	cmd := &cobra.Command{
		Use:   "rollup --config FILE [--from DIR…]",
		Short: "Build the national marts, reports and site from the pools' Parquet exports alone",
		Long: `rollup reads the Parquet marts that the pools' own runs published (run --pool CODE
writes OUT/pools/CODE/parquet), unions them into the marts of a roll-up warehouse
(rollup/ beside the configured one), and publishes the national Parquet, reports
and site into OUT like a nightly run: under a lock, atomically, with a manifest.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			adjust := func(c *config.Config) (*config.Config, error) {
				if err := checkKeys(c, rollupStages); err != nil {
					return nil, err
				}
				if len(o.from) == 0 {
					dirs, err := poolExports(c.Out)
					if err != nil {
						return nil, err
					}
					o.from = dirs
					// Every pool of the config's sources should have sent
					// its export; one missing is published around, loudly.
					have := map[string]bool{}
					for _, d := range dirs {
						have[filepath.Base(filepath.Dir(d))] = true
					}
					for _, s := range c.Sources {
						if s.Pool != "" && !have[s.Pool] && !slices.Contains(o.missingPools, s.Pool) {
							o.missingPools = append(o.missingPools, s.Pool)
						}
					}
					sort.Strings(o.missingPools)
				}
				if len(o.from) == 0 {
					return nil, usageError{fmt.Errorf("rollup: no pool exports under %s (run --pool CODE first, or give --from)", filepath.Join(c.Out, "pools"))}
				}
				r := *c
				r.Sources = nil
				r.Warehouse = filepath.Join(filepath.Dir(c.Warehouse), "rollup", filepath.Base(c.Warehouse))
				return &r, nil
			}
			return withRunConfig(e, o.config, adjust, true, rollupStages, func(ctx context.Context, r *stageRun) (any, error) {
				return runStages(ctx, e, r, rollupStages, o)
			})
		},
	}
	cmd.Flags().StringVar(&o.config, "config", "", "the config file (TOML)")
	cmd.Flags().StringSliceVar(&o.from, "from", nil, "pool export folders (default: OUT/pools/*/parquet)")
	return cmd
}

// poolExports lists the served Parquet exports of the pools' runs.
func poolExports(out string) ([]string, error) {
	dirs, err := filepath.Glob(filepath.Join(out, "pools", "*", "parquet"))
	if err != nil {
		return nil, err
	}
	var have []string
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "datapackage.json")); err == nil {
			have = append(have, d)
		}
	}
	sort.Strings(have)
	return have, nil
}

// runRollup builds the marts from the pools' exports and exports them.
func runRollup(ctx context.Context, e *env, r *stageRun, from []string, dir string) (*marts.RollupResult, error) {
	res, err := marts.Rollup(ctx, r.db.SQL(), from)
	if err != nil {
		return res, err
	}
	fmt.Fprintf(e.stdout, "rollup %d pool exports into %d tables\n", len(res.Pools), len(res.Tables))
	if _, err := marts.Export(ctx, r.db.SQL(), dir); err != nil {
		return res, err
	}
	fmt.Fprintf(e.stdout, "rollup exported to %s\n", filepath.Join(r.cfg.Out, "parquet"))
	return res, nil
}
