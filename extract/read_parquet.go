package extract

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

var shanghai = time.FixedZone("CST", 8*3600)

// readParquet reads a Parquet file column-wise with arrow-go. String
// columns are taken as is; typed columns (an operator's own export may
// type them) are rendered as contract text: integers and decimals as
// digits, dates YYYY-MM-DD, timestamps RFC 3339 in Beijing time, booleans
// true/false. A row's position is its 1-based index in the file.
func readParquet(ctx context.Context, path string, s *recordSink) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	pf, err := file.NewParquetReader(f)
	if err != nil {
		return fmt.Errorf("%w: not a Parquet file: %v", errFileRefused, err)
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: chunkRows, Parallel: false}, memory.DefaultAllocator)
	if err != nil {
		return fmt.Errorf("%w: %v", errFileRefused, err)
	}
	schema, err := fr.Schema()
	if err != nil {
		return fmt.Errorf("%w: %v", errFileRefused, err)
	}
	names := make([]string, schema.NumFields())
	for i, fl := range schema.Fields() {
		names[i] = fl.Name
	}
	if err := s.setHeader(names); err != nil {
		return fmt.Errorf("%w: %v", errFileRefused, err)
	}
	rr, err := fr.GetRecordReader(ctx, nil, nil)
	if err != nil {
		return fmt.Errorf("%w: %v", errFileRefused, err)
	}
	defer rr.Release()
	fields := make([][]byte, len(names))
	var scratch [][]byte
	var n int64
	for rr.Next() {
		rec := rr.RecordBatch()
		cols := make([]columnText, rec.NumCols())
		for i := range cols {
			cols[i] = textOf(rec.Column(i))
		}
		if scratch == nil {
			scratch = make([][]byte, len(cols))
		}
		for r := 0; r < int(rec.NumRows()); r++ {
			n++
			for i, c := range cols {
				fields[i] = c(r, scratch[i][:0])
				if fields[i] != nil {
					scratch[i] = fields[i]
				}
			}
			if !s.record(fields, pos(s.file, n), false) {
				return nil
			}
		}
	}
	if err := rr.Err(); err != nil {
		return fmt.Errorf("%w: %v", errFileRefused, err)
	}
	s.flush()
	return nil
}

// columnText renders row r of a column as text (nil for null), appending to
// dst where it has to format.
type columnText func(r int, dst []byte) []byte

func textOf(col arrow.Array) columnText {
	null := func(r int) bool { return col.IsNull(r) }
	switch a := col.(type) {
	case *array.String:
		return func(r int, _ []byte) []byte {
			if null(r) {
				return nil
			}
			return []byte(a.Value(r))
		}
	case *array.LargeString:
		return func(r int, _ []byte) []byte {
			if null(r) {
				return nil
			}
			return []byte(a.Value(r))
		}
	case *array.Binary:
		return func(r int, _ []byte) []byte {
			if null(r) {
				return nil
			}
			return a.Value(r)
		}
	case *array.Int64:
		return func(r int, dst []byte) []byte {
			if null(r) {
				return nil
			}
			return strconv.AppendInt(dst, a.Value(r), 10)
		}
	case *array.Int32:
		return func(r int, dst []byte) []byte {
			if null(r) {
				return nil
			}
			return strconv.AppendInt(dst, int64(a.Value(r)), 10)
		}
	case *array.Boolean:
		return func(r int, dst []byte) []byte {
			if null(r) {
				return nil
			}
			return strconv.AppendBool(dst, a.Value(r))
		}
	case *array.Float64:
		return func(r int, dst []byte) []byte {
			if null(r) {
				return nil
			}
			return strconv.AppendFloat(dst, a.Value(r), 'f', -1, 64)
		}
	case *array.Date32:
		return func(r int, dst []byte) []byte {
			if null(r) {
				return nil
			}
			return a.Value(r).ToTime().AppendFormat(dst, time.DateOnly)
		}
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		return func(r int, dst []byte) []byte {
			if null(r) {
				return nil
			}
			return a.Value(r).ToTime(unit).In(shanghai).AppendFormat(dst, time.RFC3339)
		}
	case *array.Decimal128:
		scale := a.DataType().(*arrow.Decimal128Type).Scale
		return func(r int, dst []byte) []byte {
			if null(r) {
				return nil
			}
			return append(dst, a.Value(r).ToString(scale)...)
		}
	}
	return func(r int, dst []byte) []byte {
		if null(r) {
			return nil
		}
		return append(dst, col.ValueStr(r)...)
	}
}
