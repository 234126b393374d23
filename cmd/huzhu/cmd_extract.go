package main

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/spf13/cobra"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"huzhu/extract"
)

type extractOptions struct {
	config   string
	parallel int
}

func newExtractCmd(e *env) *cobra.Command {
	o := &extractOptions{}
	cmd := &cobra.Command{
		Use:   "extract --config FILE",
		Short: "Pull every source of the config into the raw schema, exactly once",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withRun(e, o.config, []string{"extract"}, func(ctx context.Context, r *stageRun) (any, error) {
				res, err := runExtract(ctx, e, r, o.parallel)
				if res != nil {
					printExtract(e, res)
				}
				return map[string]any{"extract": res}, err
			})
		},
	}
	cmd.Flags().StringVar(&o.config, "config", "", "the config file (TOML)")
	cmd.Flags().IntVar(&o.parallel, "parallel", 4, "sources pulled at once")
	return cmd
}

// runExtract runs the stage with progress bars on a terminal and log lines
// otherwise.
func runExtract(ctx context.Context, e *env, r *stageRun, parallel int) (*extract.Result, error) {
	key, err := r.cfg.PIIKey()
	if err != nil {
		return nil, err
	}
	opt := extract.Options{Logger: r.log, PIIKey: key}
	if isTerminal(e.stderr) {
		p := mpb.New(mpb.WithOutput(e.stderr), mpb.WithAutoRefresh())
		var mu sync.Mutex
		bars := map[string]*mpb.Bar{}
		opt.Progress = func(source, entity string, n int64) {
			mu.Lock()
			b := bars[source]
			if b == nil {
				b = p.New(0, mpb.SpinnerStyle(), mpb.PrependDecorators(decor.Name(source+" ")),
					mpb.AppendDecorators(decor.CurrentNoUnit("%d rows"), decor.Name(" "), decor.AverageSpeed(0, "%.0f rows/s")))
				bars[source] = b
			}
			mu.Unlock()
			b.IncrInt64(n)
		}
		defer func() {
			for _, b := range bars {
				b.SetTotal(-1, true)
			}
			p.Wait()
		}()
	}
	return extract.Run(ctx, r.db.SQL(), r.cfg, r.runID, opt, parallel)
}

func printExtract(e *env, res *extract.Result) {
	rs := append([]extract.SourceResult(nil), res.Sources...)
	sort.Slice(rs, func(i, j int) bool { return rs[i].Name < rs[j].Name })
	for _, s := range rs {
		status := "ok"
		if s.Err != nil {
			status = "FAILED: " + s.Err.Error()
		}
		switch s.Quarantined {
		case 0:
		case 1:
			status += "; 1 record quarantined (ops.quarantine)"
		default:
			status += fmt.Sprintf("; %d records quarantined (ops.quarantine)", s.Quarantined)
		}
		for _, r := range s.Rejected {
			status += "; batch REJECTED, nothing of it loaded: " + r
		}
		fmt.Fprintf(e.stdout, "extract %-28s %9d rows %6.2fs  %s\n", s.Name, s.Rows, s.Duration.Seconds(), status)
	}
}
