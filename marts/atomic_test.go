package marts

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"

	"huzhu/internal/config"
)

// A reader on another connection, polling while the marts are rebuilt,
// sees every mart of one run or every mart of the next, never a mix; a
// rebuild cut off half way leaves the previous marts whole.
func TestMartsSwapAtomically(t *testing.T) {
	db, _ := build(t, 1500)
	sqlDB := db.SQL()
	ctx := context.Background()
	const q = `SELECT count(DISTINCT run_id) FILTER (WHERE run_id IS NOT NULL), min(run_id) FROM (
		SELECT run_id FROM mart.fund_position UNION ALL SELECT run_id FROM mart.budget_execution
		UNION ALL SELECT run_id FROM mart.compliance_findings UNION ALL SELECT run_id FROM mart.scorecard
		UNION ALL SELECT run_id FROM mart.disclosure_activity_year UNION ALL SELECT run_id FROM mart.risk_indicators)`
	var stop atomic.Bool
	var reads, mixed atomic.Int64
	seen := sync.Map{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			var n int
			var id string
			if err := sqlDB.QueryRowContext(ctx, q).Scan(&n, &id); err != nil {
				t.Error(err)
				return
			}
			reads.Add(1)
			seen.Store(id, true)
			if n != 1 {
				mixed.Add(1)
			}
		}
	}()
	for _, id := range []string{"run-2", "run-3", "run-4"} {
		if _, err := Run(ctx, sqlDB, id, config.DefaultRules()); err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	if mixed.Load() > 0 {
		t.Errorf("%d of %d reads saw marts of two runs", mixed.Load(), reads.Load())
	}
	n := 0
	seen.Range(func(_, _ any) bool { n++; return true })
	t.Logf("%d reads saw %d distinct runs", reads.Load(), n)

	if reads.Load() == 0 {
		t.Error("the reader never read while the marts were rebuilt")
	}

	// Cut off part way — after the first model, and after half of them —
	// the previous run's marts stay, all of them.
	for _, after := range []int64{1, 20} {
		cctx, cancel := context.WithCancel(ctx)
		h := &cancelAfter{n: after, cancel: cancel}
		_, err := RunWith(cctx, sqlDB, "run-cut", config.DefaultRules(), Options{Logger: slog.New(h)})
		cancel()
		if h.seen.Load() < after {
			t.Fatalf("a run of %d models, want more than %d", h.seen.Load(), after)
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("run cut off after %d models: err = %v, want context.Canceled", after, err)
		}
		var n int
		var id string
		if err := sqlDB.QueryRowContext(ctx, q).Scan(&n, &id); err != nil {
			t.Fatal(err)
		}
		if n != 1 || id != "run-4" {
			t.Errorf("after a run cut off after %d models: %d runs in the marts, first %s; want only run-4", after, n, id)
		}
	}
}

// cancelAfter is a log handler that cancels a marts run once it has
// heard of n models built.
type cancelAfter struct {
	n      int64
	seen   atomic.Int64
	cancel func()
}

func (h *cancelAfter) Enabled(context.Context, slog.Level) bool { return true }
func (h *cancelAfter) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *cancelAfter) WithGroup(string) slog.Handler            { return h }
func (h *cancelAfter) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "mart built" && h.seen.Add(1) == h.n {
		h.cancel()
	}
	return nil
}
