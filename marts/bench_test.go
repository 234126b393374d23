package marts

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"huzhu/extract"
	"huzhu/internal/config"
	"huzhu/opsim"
	"huzhu/transform"
	"huzhu/warehouse"
)

// BenchmarkMarts times the marts stage on a whole world (BENCH_MEMBERS,
// default 20,000; BENCH_YEARS, default 3; five operators) extracted and
// transformed first, and logs the three slowest models.
func BenchmarkMarts(b *testing.B) {
	members, years := 20000, 3
	if v, err := strconv.Atoi(os.Getenv("BENCH_MEMBERS")); err == nil && v > 0 {
		members = v
	}
	if v, err := strconv.Atoi(os.Getenv("BENCH_YEARS")); err == nil && v > 0 {
		years = v
	}
	ctx := context.Background()
	p := opsim.DefaultParams()
	p.Members, p.Years, p.Operators, p.DefectRate = members, years, 5, 0.002
	w, err := opsim.NewWorld(p)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	if _, err := w.Drop(opsim.DropOptions{Out: dir, Format: "parquet", KeyPath: "-"}); err != nil {
		b.Fatal(err)
	}
	db, err := warehouse.Open(ctx, filepath.Join(b.TempDir(), "w.duckdb"), warehouse.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	cfg := &config.Config{}
	for _, op := range w.Operators {
		cfg.Sources = append(cfg.Sources, config.Source{Operator: op.Code, Kind: config.KindFiles, Path: filepath.Join(dir, op.Code)})
	}
	if _, err := extract.Run(ctx, db.SQL(), cfg, "x", extract.Options{Logger: quiet}, 4); err != nil {
		b.Fatal(err)
	}
	if _, err := transform.Run(ctx, db.SQL(), "t", []byte("bench-key-0123456789abcdef"), transform.Options{Logger: quiet}); err != nil {
		b.Fatal(err)
	}
	db.SQL().Exec("CHECKPOINT")
	var took time.Duration
	var last *Result
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		res, err := Run(ctx, db.SQL(), "bench", config.DefaultRules())
		if err != nil {
			b.Fatal(err)
		}
		took += time.Since(start)
		last = res
	}
	b.ReportMetric(took.Seconds()/float64(b.N), "s/run")
	sort.Slice(last.Models, func(i, j int) bool { return last.Models[i].Seconds > last.Models[j].Seconds })
	for _, m := range last.Models[:min(3, len(last.Models))] {
		b.Logf("slowest: %s %.2fs", m.Model, m.Seconds)
	}
}
