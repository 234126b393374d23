package fileformat

import (
	"fmt"
	"io"
	"testing"

	"huzhu/contract"
	"huzhu/internal/money"
	"huzhu/opsim/record"
)

// benchRows returns n enrollments-like or activities-like rows of entity
// name, varied the way a generated world varies them.
func benchRows(name string, n int) (*contract.Entity, []record.Row) {
	e := contract.Lookup(name)
	rows := make([]record.Row, n)
	day := record.DayOf(2024, 1, 1)
	for i := range rows {
		r := &rows[i]
		d := day + record.Day(i%365)
		switch name {
		case "enrollments": // 11 fields
			r.Str("91440101MA5CXXXX1X")
			r.Str(fmt.Sprintf("R2024%08d", i))
			r.Str("ACT-INPATIENT-01")
			r.Str(fmt.Sprintf("M%09d", i*7))
			r.Day(d)
			r.Day(d + 364)
			r.Cents(money.Cents(5000 + i%977*100))
			r.StrOrNull("")
			r.TS(d.At(9, i%60, i%60))
			r.Str("81440101MC1234567X")
			r.TS(d.At(18, 0, i%60))
		case "activities": // 13 fields
			r.Str("91440101MA5CXXXX1X")
			r.Str(fmt.Sprintf("ACT%05d", i))
			r.Str(fmt.Sprintf("职工住院互助保障计划（第%d期）", i%40))
			r.Str("inpatient")
			r.StrOrNull("粤工发〔2023〕12号")
			r.StrOrNull("")
			r.Day(d)
			r.DayOrNull(0)
			r.Cents(money.Cents(5000))
			r.Int(12)
			r.Cents(money.Cents(5000000 + i%13*10000))
			r.Str("active")
			r.TS(d.At(10, 0, 0))
		}
	}
	return e, rows
}

// benchWriter measures rows per second through one format.
func benchWriter(b *testing.B, format Format, entity string, opt Options) {
	e, rows := benchRows(entity, 4096)
	w, err := NewWriter(format, e, io.Discard, opt)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if err := w.Write(&rows[n%len(rows)]); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkCSV writes 11-field enrollments rows as UTF-8 CSV.
func BenchmarkCSV(b *testing.B) { benchWriter(b, CSV, "enrollments", Options{}) }

// BenchmarkCSVGB18030 writes 13-field activities rows, Chinese text and
// all, as GB18030 CSV.
func BenchmarkCSVGB18030(b *testing.B) {
	benchWriter(b, CSV, "activities", Options{Encoding: GB18030})
}

// BenchmarkJSONL writes 11-field enrollments rows as JSON Lines.
func BenchmarkJSONL(b *testing.B) { benchWriter(b, JSONL, "enrollments", Options{}) }

// BenchmarkParquet writes 13-field activities rows as Parquet, row groups
// and footer included.
func BenchmarkParquet(b *testing.B) { benchWriter(b, Parquet, "activities", Options{}) }

// BenchmarkXLSX writes activities rows as XLSX, for scale only: XLSX is
// for small drops.
func BenchmarkXLSX(b *testing.B) { benchWriter(b, XLSX, "activities", Options{}) }
