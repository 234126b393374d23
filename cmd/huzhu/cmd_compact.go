package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"huzhu/internal/config"
	"huzhu/warehouse"
)

func newCompactCmd(e *env) *cobra.Command {
	var cfgPath string
	cmd := &cobra.Command{
		Use:   "compact --config FILE",
		Short: "Rewrite the warehouse file as a copy of what it holds now, clearing freed blocks",
		Long: `Rewrite the warehouse file as a copy of what its tables hold now.

DuckDB does not clear the blocks an update frees: a warehouse extracted by
a build from before extract pseudonymised at the door (or without the key)
keeps members' id numbers, names and phones readable in its file after the
transform scrubbed them. Its copy holds none, and gives back the space of
deleted rows. Run it once on such a warehouse, between two nights: it takes
the writer lock, as a run does.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfgPath == "" {
				return usageError{fmt.Errorf("--config is required")}
			}
			cfg, err := config.Load(cfgPath)
			if err != nil {
				return err
			}
			lock, err := warehouse.AcquireLock(cfg.Warehouse)
			if err != nil {
				return err
			}
			defer lock.Release()
			res, err := warehouse.Compact(e.ctx, cfg.Warehouse)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "compact %s: %d bytes, %d before\n", cfg.Warehouse, res.After, res.Before)
			return nil
		},
	}
	cmd.Flags().StringVar(&cfgPath, "config", "", "the config file (TOML)")
	return cmd
}
