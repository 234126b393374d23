package transform

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"huzhu/contract"
	"huzhu/extract"
	"huzhu/internal/config"
	"huzhu/internal/rss"
	"huzhu/opsim"
	"huzhu/warehouse"
)

// BenchmarkTransform transforms a whole world (BENCH_MEMBERS, default
// 20,000; BENCH_YEARS, default 3; five operators) and, in the same run,
// builds the floor: a bare CREATE TABLE AS of the same raw rows cast to the
// same types, without a check. It reports rows/s, seconds and the peak
// resident memory (the kernel's high-water mark, reset before each side) of
// both, and the ratio of the times. Beside the whole ratio (x-floor) it
// reports the ratio of the entities' steps alone (x-floor-entities: the
// transform less the core models built after them, the dimensions and the
// aggregates kept for the nights) and that of each of the two largest
// entities (members-x, enrollments-x: the entity's typing, checks,
// pseudonyms, judging, quarantine and scrub against its own bare copy),
// so that the target can be read per part. The transform runs two
// entities at a time (schedule.go), the floor one copy after another: an
// entity's seconds count the time it shared the cores with another, so
// the two entities' ratios read high, and their seconds add up to more
// than the whole. Extract runs with the key, as
// in `huzhu run`: the members arrive pseudonymised.
func BenchmarkTransform(b *testing.B) {
	members, years := 20000, 3
	if v, err := strconv.Atoi(os.Getenv("BENCH_MEMBERS")); err == nil && v > 0 {
		members = v
	}
	if v, err := strconv.Atoi(os.Getenv("BENCH_YEARS")); err == nil && v > 0 {
		years = v
	}
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
	cfg := &config.Config{}
	for _, op := range w.Operators {
		cfg.Sources = append(cfg.Sources, config.Source{Operator: op.Code, Kind: config.KindFiles, Path: filepath.Join(dir, op.Code)})
	}
	ctx := context.Background()
	var ours, floor, entities time.Duration
	var rows, oursPeak, floorPeak int64
	oursOf, floorOf := map[string]time.Duration{}, map[string]time.Duration{}
	for i := 0; i < b.N; i++ {
		path := filepath.Join(b.TempDir(), "w.duckdb")
		db, err := warehouse.Open(ctx, path, warehouse.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := extract.Run(ctx, db.SQL(), cfg, "x", extract.Options{Logger: quiet, PIIKey: testKey}, 4); err != nil {
			b.Fatal(err)
		}
		// Write extract's rows out first: neither side should pay for them.
		if _, err := db.SQL().Exec("CHECKPOINT"); err != nil {
			b.Fatal(err)
		}
		rss.Reset()
		start := time.Now()
		res, err := Run(ctx, db.SQL(), "t", testKey, Options{Logger: quiet})
		if err != nil {
			b.Fatal(err)
		}
		took := time.Since(start)
		ours += took
		oursPeak = max(oursPeak, rss.Peak())
		rows += res.Rows
		// The entities run two at a time: their part is the whole less
		// the core models after them, which run one after another.
		entities += took
		for _, m := range res.Models {
			entities -= time.Duration(m.Seconds * float64(time.Second))
		}
		for _, er := range res.Entities {
			oursOf[er.Entity] += time.Duration(er.Seconds * float64(time.Second))
		}
		rss.Reset()
		start = time.Now()
		for _, e := range contract.Entities() {
			t := time.Now()
			if _, err := db.SQL().Exec(floorSQL(e)); err != nil {
				b.Fatal(err)
			}
			floorOf[e.Name] += time.Since(t)
		}
		floor += time.Since(start)
		floorPeak = max(floorPeak, rss.Peak())
		db.Close()
	}
	b.ReportMetric(float64(rows)/ours.Seconds(), "rows/s")
	b.ReportMetric(float64(rows)/floor.Seconds(), "floor-rows/s")
	b.ReportMetric(ours.Seconds()/float64(b.N), "s")
	b.ReportMetric(floor.Seconds()/float64(b.N), "floor-s")
	b.ReportMetric(float64(oursPeak), "peak-MiB")
	b.ReportMetric(float64(floorPeak), "floor-peak-MiB")
	b.ReportMetric(ours.Seconds()/floor.Seconds(), "x-floor")
	b.ReportMetric(entities.Seconds()/floor.Seconds(), "x-floor-entities")
	for _, e := range []string{"members", "enrollments"} {
		b.ReportMetric(oursOf[e].Seconds()/floorOf[e].Seconds(), e+"-x")
	}
	// Each entity's seconds, ours against its floor, and the core models'
	// (the rest of ours), for reading with -v.
	for _, name := range Order {
		b.Logf("%-15s %6.3f s  floor %6.3f s", name, oursOf[name].Seconds()/float64(b.N), floorOf[name].Seconds()/float64(b.N))
	}
	b.Logf("%-15s %6.3f s", "entities", entities.Seconds()/float64(b.N))
	b.Logf("%-15s %6.3f s", "core models", (ours-entities).Seconds()/float64(b.N))
}

// floorSQL is the bare typed copy of an entity's raw rows.
func floorSQL(e *contract.Entity) string {
	cols := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		typ := "VARCHAR"
		switch f.Kind {
		case contract.Money:
			typ = "DECIMAL(18, 2)"
		case contract.Decimal:
			typ = "DECIMAL(18, 6)"
		case contract.Date:
			typ = "DATE"
		case contract.TS:
			typ = "TIMESTAMPTZ"
		case contract.Int:
			typ = "BIGINT"
		case contract.Bool:
			typ = "BOOLEAN"
		}
		cols[i] = fmt.Sprintf("TRY_CAST(%s AS %s) AS %s", f.Name, typ, f.Name)
	}
	return fmt.Sprintf("CREATE OR REPLACE TABLE main.floor_%s AS SELECT source_operator, %s FROM raw.%s", e.Name, strings.Join(cols, ", "), e.Name)
}
