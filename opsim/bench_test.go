package opsim

import (
	"huzhu/opsim/record"
	"testing"
)

// BenchmarkDrop writes a 20,000-member world per iteration and reports
// rows/s per format.
func BenchmarkDrop(b *testing.B) {
	for _, format := range []string{"csv", "parquet"} {
		b.Run(format, func(b *testing.B) {
			w := smallWorld(b, 50000, 0.002)
			dir := b.TempDir()
			var rows int64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				st, err := w.Drop(DropOptions{Out: dir, Format: format, KeyPath: "-"})
				if err != nil {
					b.Fatal(err)
				}
				for _, n := range st.Rows {
					rows += n
				}
			}
			b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkGenerate is the generation alone, rows discarded: the floor of
// any drop.
func BenchmarkGenerate(b *testing.B) {
	w := smallWorld(b, 50000, 0.002)
	var rows int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, op := range w.Operators {
			c := &countSink{}
			bk, err := op.generate(c, nil)
			if err != nil {
				b.Fatal(err)
			}
			for _, t := range op.smallTables(bk) {
				c.n += int64(len(t.Rows))
			}
			rows += c.n
		}
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

type countSink struct{ n int64 }

func (c *countSink) Row(string, record.Stamp, *record.Row) error { c.n++; return nil }
