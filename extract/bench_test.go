package extract

import (
	"testing"

	"huzhu/internal/config"
	"huzhu/opsim/httpapi"
)

// BenchmarkHTTP pulls a 20,000-member operator's world over loopback HTTP
// and reports rows/s.
func BenchmarkHTTP(b *testing.B) {
	w := testWorld(b, 40000, 0)
	op := w.Operators[0]
	_, base := serve(b, w, httpapi.Options{})
	var rows int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		db := openWarehouse(b, "")
		pull(b, db.SQL(), config.Source{Operator: op.Code, Kind: config.KindHTTP, URL: base + "/" + op.Code}, Options{})
		var n int64
		db.SQL().QueryRow("SELECT sum(rows_loaded) FROM ops.loads").Scan(&n)
		rows += n
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}
