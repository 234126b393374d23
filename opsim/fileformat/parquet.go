package fileformat

import (
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/schema"

	"huzhu/contract"
	"huzhu/opsim/record"
)

// ParquetRowGroup is the number of rows in each Parquet row group but the
// last.
const ParquetRowGroup = 128 << 10

// parquetWriter writes every field as a nullable BYTE_ARRAY column with the
// STRING logical type, named as in the contract. The Parquet file carries
// values as received, defects included ("1,234.5" in a money column, a
// date that is no date): typing is the transform's job, and a typed column
// could not hold what a defective operator sends. It also keeps one file
// schema for every transport: text in, text out.
//
// Rows are buffered column by column — one byte arena, offset list and
// definition-level list per column, reused from row group to row group —
// and handed to arrow-go's low-level column writers a row group at a time,
// so no Arrow arrays are built and nothing is allocated per row. Pages are
// snappy-compressed; columns of the kinds in dictionaryKind are
// dictionary-encoded, the rest plain.
type parquetWriter struct {
	e      *contract.Entity
	pw     *file.Writer
	cols   []parquetColumn
	rows   int // rows buffered in the current group
	closed bool
	err    error
}

// parquetColumn buffers one column of the current row group.
type parquetColumn struct {
	data []byte              // the non-null values, end to end
	ends []int32             // end offset in data of each non-null value
	def  []int16             // definition level per row: 1 value, 0 null
	vals []parquet.ByteArray // scratch: data cut by ends, at flush
}

// writeOnly hides Close from arrow-go's file writer, which would close a
// sink that has one: a Writer never closes the io.Writer it was given.
type writeOnly struct{ w io.Writer }

func (w writeOnly) Write(p []byte) (int, error) { return w.w.Write(p) }

func newParquetWriter(e *contract.Entity, w io.Writer) (*parquetWriter, error) {
	fields := make(schema.FieldList, len(e.Fields))
	for i, f := range e.Fields {
		n, err := schema.NewPrimitiveNodeLogical(f.Name, parquet.Repetitions.Optional,
			schema.StringLogicalType{}, parquet.Types.ByteArray, -1, -1)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", f.Name, err)
		}
		fields[i] = n
	}
	root, err := schema.NewGroupNode("schema", parquet.Repetitions.Required, fields, -1)
	if err != nil {
		return nil, err
	}
	opts := []parquet.WriterProperty{
		parquet.WithCompression(compress.Codecs.Snappy),
		parquet.WithMaxRowGroupLength(ParquetRowGroup),
		parquet.WithCreatedBy("huzhu opsim"),
		parquet.WithDictionaryDefault(false),
	}
	for _, f := range e.Fields {
		if dictionaryKind(f.Kind) {
			opts = append(opts, parquet.WithDictionaryFor(f.Name, true))
		}
	}
	props := parquet.NewWriterProperties(opts...)
	pw, err := file.NewParquetWriterWithError(writeOnly{w}, root, file.WithWriterProps(props))
	if err != nil {
		return nil, err
	}
	return &parquetWriter{e: e, pw: pw, cols: make([]parquetColumn, len(e.Fields))}, nil
}

// dictionaryKind reports the kinds whose values repeat by nature (a few
// enum values, a few organisations, a few thousand days) and so get a
// dictionary. The others — text, keys, amounts, instants — are mostly
// distinct; dictionary-encoding them costs more than it saves (arrow-go's
// dictionary encoder allocates per value) and snappy does that job.
func dictionaryKind(k contract.Kind) bool {
	switch k {
	case contract.Enum, contract.Bool, contract.USCC, contract.Region, contract.Date:
		return true
	}
	return false
}

// Write implements Writer. Mangles are not expressed: the row is written
// intact.
func (w *parquetWriter) Write(r *record.Row) error {
	if w.closed {
		return fmt.Errorf("fileformat: parquet %s: %w", w.e.Name, ErrClosed)
	}
	if w.err != nil {
		return w.err
	}
	if err := checkRow(w.e, r); err != nil {
		return fmt.Errorf("fileformat: parquet %s: %w", w.e.Name, err)
	}
	for i := range w.cols {
		c := &w.cols[i]
		if r.IsNull(i) {
			c.def = append(c.def, 0)
			continue
		}
		c.def = append(c.def, 1)
		c.data = append(c.data, r.Field(i)...)
		c.ends = append(c.ends, int32(len(c.data)))
	}
	w.rows++
	if w.rows == ParquetRowGroup {
		return w.flushGroup()
	}
	return nil
}

// flushGroup writes the buffered rows as one row group.
func (w *parquetWriter) flushGroup() error {
	if w.rows == 0 {
		return nil
	}
	if err := w.writeGroup(); err != nil {
		w.err = fmt.Errorf("fileformat: parquet %s: %w", w.e.Name, err)
		return w.err
	}
	for i := range w.cols {
		c := &w.cols[i]
		c.data, c.ends, c.def = c.data[:0], c.ends[:0], c.def[:0]
	}
	w.rows = 0
	return nil
}

func (w *parquetWriter) writeGroup() error {
	rg, err := w.pw.AppendRowGroupChecked()
	if err != nil {
		return err
	}
	for i := range w.cols {
		c := &w.cols[i]
		c.vals = c.vals[:0]
		start := int32(0)
		for _, end := range c.ends {
			c.vals = append(c.vals, parquet.ByteArray(c.data[start:end:end]))
			start = end
		}
		cw, err := rg.NextColumn()
		if err != nil {
			return fmt.Errorf("column %s: %w", w.e.Fields[i].Name, err)
		}
		bw, ok := cw.(*file.ByteArrayColumnChunkWriter)
		if !ok {
			return fmt.Errorf("column %s: writer is %T", w.e.Fields[i].Name, cw)
		}
		if _, err := bw.WriteBatch(c.vals, c.def, nil); err != nil {
			return fmt.Errorf("column %s: %w", w.e.Fields[i].Name, err)
		}
		if err := cw.Close(); err != nil {
			return fmt.Errorf("column %s: %w", w.e.Fields[i].Name, err)
		}
	}
	return rg.Close()
}

// Close implements Writer: it writes the last row group and the footer.
func (w *parquetWriter) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.err != nil {
		return w.err
	}
	if err := w.flushGroup(); err != nil {
		return err
	}
	if err := w.pw.Close(); err != nil {
		w.err = fmt.Errorf("fileformat: parquet %s: %w", w.e.Name, err)
		return w.err
	}
	return nil
}
