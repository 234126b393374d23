package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"

	"huzhu/internal/rss"
	"huzhu/opsim"
	"huzhu/opsim/fileformat"
	"huzhu/opsim/httpapi"
	"huzhu/opsim/record"
)

// worldFlags are the flags that fix a simulated world.
type worldFlags struct {
	seed      uint64
	members   int
	years     int
	asOf      string
	operators int
	defects   float64
}

func (f *worldFlags) register(cmd *cobra.Command) {
	d := opsim.DefaultParams()
	cmd.Flags().Uint64Var(&f.seed, "seed", d.Seed, "world seed: same seed and flags, same bytes")
	cmd.Flags().IntVar(&f.members, "members", d.Members, "members over all operators")
	cmd.Flags().IntVar(&f.years, "years", d.Years, "fiscal years simulated, the last holding --as-of")
	cmd.Flags().StringVar(&f.asOf, "as-of", d.AsOf.String(), "the day the world is seen from (YYYY-MM-DD)")
	cmd.Flags().IntVar(&f.operators, "operators", d.Operators, "operators of the catalogue (1-5; 3 span two provinces, 5 four)")
	cmd.Flags().Float64Var(&f.defects, "defects", d.DefectRate, "share of members carrying a planted defect; 0 plants nothing (a clean world)")
}

func (f *worldFlags) world() (*opsim.World, error) {
	day, err := record.ParseDay(f.asOf)
	if err != nil {
		return nil, usageError{fmt.Errorf("--as-of: %w", err)}
	}
	w, err := opsim.NewWorld(opsim.Params{Seed: f.seed, Members: f.members, Years: f.years, AsOf: day, Operators: f.operators, DefectRate: f.defects})
	if err != nil {
		return nil, usageError{err}
	}
	return w, nil
}

func newOpsimCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "opsim",
		Short: "The operator simulator: file drops and the HTTP API of HZ-OPS/1",
		// Alone it shows its help; a word that is none of its commands is
		// bad usage (cobra would show the help and succeed).
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath())}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newOpsimDropCmd(e), newOpsimServeCmd(e), newOpsimPGCmd(e))
	return cmd
}

type dropOptions struct {
	world    worldFlags
	out      string
	format   string
	encoding string
	key      string
	changed  string
	faults   string
}

func newOpsimDropCmd(e *env) *cobra.Command {
	o := &dropOptions{}
	cmd := &cobra.Command{
		Use:   "drop --out DIR",
		Short: "Write the simulated world as file drops with manifests, and its answer key",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.out == "" {
				return usageError{errors.New("opsim drop: --out is required")}
			}
			if o.format != "mixed" {
				if _, err := fileformat.ParseFormat(o.format); err != nil {
					return usageError{fmt.Errorf("opsim drop --format: %w (or mixed)", err)}
				}
			}
			if o.encoding != "" && o.encoding != fileformat.UTF8 && o.encoding != fileformat.GB18030 {
				return usageError{fmt.Errorf("opsim drop --encoding %q: want %s or %s", o.encoding, fileformat.UTF8, fileformat.GB18030)}
			}
			w, err := o.world.world()
			if err != nil {
				return err
			}
			opt := opsim.DropOptions{Out: o.out, Format: o.format, Encoding: o.encoding, KeyPath: o.key}
			if opt.Faults, err = opsim.ParseDropFaults(o.faults); err != nil {
				return usageError{err}
			}
			if o.changed != "" {
				if opt.ChangedSince, err = record.ParseDay(o.changed); err != nil {
					return usageError{fmt.Errorf("opsim drop --changed-since: %w", err)}
				}
			}
			// The drop is a batch job with a small live heap and a high
			// allocation rate: collect less often, but stay under 768 MiB.
			defer debug.SetGCPercent(debug.SetGCPercent(400))
			defer debug.SetMemoryLimit(debug.SetMemoryLimit(768 << 20))
			start := time.Now()
			st, err := w.Drop(opt)
			if err != nil {
				return err
			}
			var rows int64
			for _, n := range st.Rows {
				rows += n
			}
			secs := time.Since(start).Seconds()
			fmt.Fprintf(e.stdout, "opsim drop: %d operators, %d files, %d rows, %d bytes in %.2fs (%.0f rows/s, peak RSS %d MiB) to %s\n",
				len(w.Operators), st.Files, rows, st.Bytes, secs, float64(rows)/secs, rss.ProcessPeak(), o.out)
			return nil
		},
	}
	o.world.register(cmd)
	cmd.Flags().StringVar(&o.out, "out", "", "drop root: one folder per operator and batch below it")
	cmd.Flags().StringVar(&o.format, "format", "csv", "csv | xlsx | jsonl | parquet | mixed")
	cmd.Flags().StringVar(&o.encoding, "encoding", "utf-8", "CSV encoding: utf-8 | gb18030")
	cmd.Flags().StringVar(&o.key, "answer-key", "", "answer key path (default OUT/answer-key.jsonl; - for none)")
	cmd.Flags().StringVar(&o.changed, "changed-since", "", "write a delta batch: only rows updated on or after this day (YYYY-MM-DD)")
	cmd.Flags().StringVar(&o.faults, "faults", "", "batch faults, probabilities per operator batch: rows=0.2 (a manifest row count off by one), truncate=0.1 (a file cut short), missing=0.1 (a file gone)")
	return cmd
}

type serveOptions struct {
	world  worldFlags
	addr   string
	token  string
	faults string
	stall  time.Duration
}

func newOpsimServeCmd(e *env) *cobra.Command {
	o := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the simulated operators' HTTP API, with injected faults",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			faults, err := httpapi.ParseFaults(o.faults)
			if err != nil {
				return usageError{err}
			}
			w, err := o.world.world()
			if err != nil {
				return err
			}
			srv, err := w.Server(httpapi.Options{Token: o.token, Faults: faults, Seed: o.world.seed, TimeoutStall: o.stall})
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", o.addr)
			if err != nil {
				return fmt.Errorf("opsim serve: %w", err)
			}
			hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
			fmt.Fprintf(e.stdout, "opsim serve: %d operators at http://%s/\n", len(w.Operators), ln.Addr())
			for _, op := range w.Operators {
				fmt.Fprintf(e.stdout, "  %s %s http://%s/%s\n", op.Code, op.Name, ln.Addr(), op.Code)
			}
			errc := make(chan error, 1)
			go func() { errc <- hs.Serve(ln) }()
			select {
			case err := <-errc:
				return fmt.Errorf("opsim serve: %w", err)
			case <-e.ctx.Done():
				ctx, cancel := contextWithTimeout(5 * time.Second)
				defer cancel()
				return hs.Shutdown(ctx)
			}
		},
	}
	o.world.register(cmd)
	cmd.Flags().StringVar(&o.addr, "addr", "127.0.0.1:9801", "listen address (loopback)")
	cmd.Flags().StringVar(&o.token, "token", "", "bearer token every request must carry (empty: none)")
	cmd.Flags().StringVar(&o.faults, "faults", "", "fault probabilities, e.g. 5xx=0.2,429=0.1,timeout=0.05,reset=0.05,truncate=0.05")
	cmd.Flags().DurationVar(&o.stall, "timeout-stall", 30*time.Second, "how long a timeout fault holds a request")
	return cmd
}
