package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/spf13/cobra"

	"huzhu/contract"
	"huzhu/opsim/pgworld"
)

type opsimPGOptions struct {
	world  worldFlags
	dsn    string
	prefix string
}

// newOpsimPGCmd is `huzhu opsim pg`: the simulated operators as the
// PostgreSQL transport of HZ-OPS/1, one schema per operator.
func newOpsimPGCmd(e *env) *cobra.Command {
	o := &opsimPGOptions{}
	cmd := &cobra.Command{
		Use:   "pg --dsn DSN",
		Short: "Load the simulated operators into PostgreSQL, one schema each (replacing what they hold)",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.dsn == "" {
				return usageError{errors.New("opsim pg: --dsn is required")}
			}
			w, err := o.world.world()
			if err != nil {
				return err
			}
			conn, err := pgx.Connect(e.ctx, o.dsn)
			if err != nil {
				return fmt.Errorf("opsim pg: %w", err)
			}
			defer conn.Close(e.ctx)
			start := time.Now()
			var total int64
			for _, op := range w.Operators {
				schema := o.prefix + strings.ToLower(op.Code)
				t0 := time.Now()
				rows, err := pgworld.Load(e.ctx, conn, schema, op)
				if err != nil {
					return fmt.Errorf("opsim pg: %w", err)
				}
				var n int64
				for _, c := range rows {
					n += c
				}
				total += n
				secs := time.Since(t0).Seconds()
				fmt.Fprintf(e.stdout, "%s %s: schema %s, %d rows in %.2fs (%.0f rows/s)\n", op.Code, op.Name, schema, n, secs, float64(n)/secs)
				for _, ent := range contract.Entities() {
					fmt.Fprintf(e.stdout, "  %-15s %9d\n", ent.Name, rows[ent.Name])
				}
			}
			secs := time.Since(start).Seconds()
			fmt.Fprintf(e.stdout, "opsim pg: %d operators, %d rows in %.2fs (%.0f rows/s)\n", len(w.Operators), total, secs, float64(total)/secs)
			return nil
		},
	}
	o.world.register(cmd)
	cmd.Flags().StringVar(&o.dsn, "dsn", "", "PostgreSQL connection string (a URL or key=value pairs; PG* variables apply)")
	cmd.Flags().StringVar(&o.prefix, "schema-prefix", "ops_", "schema name prefix; an operator's schema is the prefix and its code in lower case")
	return cmd
}
