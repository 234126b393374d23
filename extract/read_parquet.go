package extract

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"huzhu/contract"
)

// rfc3339Micro is RFC 3339 with the fraction to the microsecond, trailing
// zeros (and a zero fraction) left out.
const rfc3339Micro = "2006-01-02T15:04:05.999999Z07:00"

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
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: chunkRows, Parallel: true}, memory.DefaultAllocator)
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
		if out := s.passThrough(rec, n); out != nil {
			n += rec.NumRows()
			s.received += rec.NumRows()
			if !s.sendRecord(out) {
				return nil
			}
			continue
		}
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
		// An instant (the type has a time zone: Parquet's isAdjustedToUTC)
		// is written in Beijing time; a wall-clock time without a zone is
		// Beijing time as it stands (contract-v1: no offset means
		// Asia/Shanghai), not UTC moved 8 hours on. Fractions to the
		// microsecond, as DuckDB keeps them.
		tt := a.DataType().(*arrow.TimestampType)
		return func(r int, dst []byte) []byte {
			if null(r) {
				return nil
			}
			t := a.Value(r).ToTime(tt.Unit)
			if tt.TimeZone == "" {
				t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), contract.Beijing)
			}
			return t.In(contract.Beijing).AppendFormat(dst, rfc3339Micro)
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

// passThrough builds the raw record of a Parquet record batch without
// copying a value, when every column is a string column of a contract field
// and every value is valid UTF-8 (the common case, and what huzhu's own
// simulator writes). It returns nil when the batch needs the row-by-row
// path. first is the number of rows before this batch.
func (s *recordSink) passThrough(rec arrow.RecordBatch, first int64) arrow.RecordBatch {
	n := int(rec.NumRows())
	byField := make([]arrow.Array, len(s.e.Fields))
	for i, j := range s.colField {
		col, ok := rec.Column(i).(*array.String)
		if j < 0 || !ok || !validStrings(col) {
			return nil
		}
		byField[j] = col
	}
	schema := rawSchema(s.e)
	cols := make([]arrow.Array, 0, len(s.e.Fields)+2)
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for _, c := range byField {
		if c == nil {
			c = array.MakeArrayOfNull(memory.DefaultAllocator, arrow.BinaryTypes.String, n)
		} else {
			c.Retain()
		}
		cols = append(cols, c)
	}
	cols = append(cols, array.MakeArrayOfNull(memory.DefaultAllocator, arrow.BinaryTypes.String, n))
	pb := array.NewStringBuilder(memory.DefaultAllocator)
	defer pb.Release()
	pb.Reserve(n)
	buf := make([]byte, 0, len(s.file)+12)
	for r := 0; r < n; r++ {
		buf = strconv.AppendInt(append(append(buf[:0], s.file...), ':'), first+int64(r)+1, 10)
		pb.BinaryBuilder.Append(buf)
	}
	cols = append(cols, pb.NewArray())
	return array.NewRecordBatch(schema, cols, int64(n))
}

// validStrings reports whether every value of the column is valid UTF-8:
// the whole buffer is, and no value starts inside a character.
func validStrings(a *array.String) bool {
	if a.Len() == 0 {
		return true
	}
	offs := a.ValueOffsets()
	data := a.ValueBytes()
	base := offs[0]
	if !utf8.Valid(data) {
		return false
	}
	for _, o := range offs {
		if i := int(o - base); i < len(data) && !utf8.RuneStart(data[i]) {
			return false
		}
	}
	return true
}
