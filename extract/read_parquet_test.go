package extract

import (
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestParquetTimestamps: a typed Parquet timestamp becomes contract text —
// an instant (with a time zone) in Beijing time, a wall-clock time without
// one as Beijing time unmoved (it was read as UTC and moved 8 hours on),
// the fraction kept to the microsecond.
func TestParquetTimestamps(t *testing.T) {
	at := time.Date(2025, 5, 7, 14, 2, 9, 250_000_000, time.UTC)
	for _, c := range []struct {
		zone string
		want string
	}{
		{"", "2025-05-07T14:02:09.25+08:00"},
		{"UTC", "2025-05-07T22:02:09.25+08:00"},
		{"Asia/Shanghai", "2025-05-07T22:02:09.25+08:00"},
	} {
		b := array.NewTimestampBuilder(memory.DefaultAllocator, &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: c.zone})
		b.Append(arrow.Timestamp(at.UnixMicro()))
		b.AppendNull()
		col := b.NewArray()
		text := textOf(col)
		if got := string(text(0, nil)); got != c.want {
			t.Errorf("zone %q: %s, want %s", c.zone, got, c.want)
		}
		if got := text(1, nil); got != nil {
			t.Errorf("zone %q: a null reads %q", c.zone, got)
		}
		col.Release()
		b.Release()
	}
}
