package marts

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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

	// Cut off part way: the previous run's marts stay, all of them.
	for _, after := range []time.Duration{20 * time.Millisecond, 200 * time.Millisecond} {
		cctx, cancel := context.WithTimeout(ctx, after)
		_, err := Run(cctx, sqlDB, "run-cut", config.DefaultRules())
		cancel()
		if err == nil {
			continue // finished in time: nothing to check
		}
		if !errors.Is(err, context.DeadlineExceeded) && cctx.Err() == nil {
			t.Fatalf("cut-off run: %v", err)
		}
		var n int
		var id string
		if err := sqlDB.QueryRowContext(ctx, q).Scan(&n, &id); err != nil {
			t.Fatal(err)
		}
		if n != 1 || id != "run-4" {
			t.Errorf("after a run cut off at %v: %d runs in the marts, first %s; want only run-4", after, n, id)
		}
	}
}
