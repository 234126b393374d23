// Package fileformat writes the file-drop transport of HZ-OPS/1
// (contract-v1, "File drop"): one entity's rows, as record.Row values, go
// in; a CSV, JSON Lines, XLSX or Parquet file comes out on an io.Writer.
//
// The writers carry values as the operator's system would send them: every
// value is the row's text, defects included, and the transport-level
// defects a row carries (record.Mangle) are planted where the format can
// express them. Which format expresses which defect is documented on each
// Format constant; the simulator's answer key must agree.
//
// The CSV and JSONL writers are hand-written for speed (millions of rows a
// second on one core, no allocation per row); XLSX goes through excelize's
// stream writer and Parquet through arrow-go's low-level file writer.
package fileformat

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"huzhu/contract"
	"huzhu/opsim/record"
)

// Format names a file format of the file-drop transport. Its value is also
// the file extension without the dot.
type Format string

// The formats of contract-v1's file drop.
const (
	// CSV writes a header row of field names in contract order, then one
	// line per row, each ended by "\n" (not "\r\n"). A value is quoted
	// only when it must be (comma, quote, CR, LF, a leading or trailing
	// space or tab, or empty); a null is an empty cell, a non-null empty
	// value `""`. Options.Encoding and Options.BOM apply. It expresses
	// every record.Mangle: MangleTruncate writes only the first half of
	// the fields (len/2, rounded down) and ends the line;
	// MangleExtraColumn appends a field EXTRA; MangleBadUTF8 puts 0xFF
	// (0x80 0xFF in a gb18030 file, bytes no GB18030 decoder accepts)
	// after the first character of a field (see JSONL for which).
	CSV Format = "csv"
	// JSONL writes one JSON object per line, as AppendJSON encodes it. It
	// expresses only record.MangleBadUTF8, as a raw 0xFF byte just after
	// the first character of the first non-null Text field — or, in an
	// entity without one (enrollments, budgets, audits), of the first
	// non-null field written as a string. A truncated line or an extra
	// column is a CSV defect: such rows are written intact.
	JSONL Format = "jsonl"
	// XLSX writes the first sheet of a workbook, header in row 1, every
	// value a string cell. It expresses no mangle.
	XLSX Format = "xlsx"
	// Parquet writes every field as a nullable UTF8 column. It expresses
	// no mangle.
	Parquet Format = "parquet"
)

// Formats lists every Format.
var Formats = []Format{CSV, JSONL, XLSX, Parquet}

// ParseFormat returns the Format named s ("csv", "jsonl", "xlsx",
// "parquet", in any case).
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(s))
	switch f {
	case CSV, JSONL, XLSX, Parquet:
		return f, nil
	}
	return "", fmt.Errorf("fileformat: unknown format %q (want csv, jsonl, xlsx or parquet)", s)
}

// Ext returns the file extension of the format, with its dot: ".csv".
func Ext(f Format) string { return "." + string(f) }

// The encodings a CSV file may be written in (Options.Encoding).
const (
	UTF8    = "utf-8"
	GB18030 = "gb18030"
)

// Options tune a writer. The zero value writes UTF-8 without a BOM.
type Options struct {
	// Encoding is the CSV character encoding: "utf-8" (also "") or
	// "gb18030". Other formats are always UTF-8 and ignore it.
	Encoding string
	// BOM starts a UTF-8 CSV file with the byte order mark EF BB BF. It
	// is an error together with gb18030; other formats ignore it.
	BOM bool
}

// Writer writes the rows of one entity to one file.
type Writer interface {
	// Write appends one row. The row must have exactly one value per field
	// of the entity, in contract order. The writer copies what it keeps:
	// r may be reused as soon as Write returns.
	Write(r *record.Row) error
	// Close writes whatever the format still holds (buffered lines, the
	// XLSX archive, the Parquet row group and footer). It does not close
	// the io.Writer the Writer was made with. After Close, Write fails.
	Close() error
}

// NewWriter returns a Writer of the format for rows of e, writing to w.
func NewWriter(format Format, e *contract.Entity, w io.Writer, opt Options) (Writer, error) {
	if e == nil || len(e.Fields) == 0 {
		return nil, fmt.Errorf("fileformat: new %s writer: no entity", format)
	}
	if len(e.Fields) > 64 {
		// record.Row keeps its null flags in a uint64.
		return nil, fmt.Errorf("fileformat: new %s writer for %s: %d fields, at most 64", format, e.Name, len(e.Fields))
	}
	var (
		wr  Writer
		err error
	)
	switch format {
	case CSV:
		wr, err = newCSVWriter(e, w, opt)
	case JSONL:
		wr = newJSONLWriter(e, w)
	case XLSX:
		wr, err = newXLSXWriter(e, w)
	case Parquet:
		wr, err = newParquetWriter(e, w)
	default:
		err = fmt.Errorf("unknown format")
	}
	if err != nil {
		return nil, fmt.Errorf("fileformat: new %s writer for %s: %w", format, e.Name, err)
	}
	return wr, nil
}

// ErrClosed is what Write returns, wrapped, after Close.
var ErrClosed = errors.New("write after close")

// checkRow reports a row whose field count does not match the entity.
func checkRow(e *contract.Entity, r *record.Row) error {
	if r.Len() != len(e.Fields) {
		return fmt.Errorf("row has %d fields, %s has %d", r.Len(), e.Name, len(e.Fields))
	}
	return nil
}

// flushAt is the size at which the hand-written writers hand their buffer
// to the io.Writer.
const flushAt = 64 << 10

// badUTF8Target returns the field and byte offset at which
// record.MangleBadUTF8 plants its invalid bytes: just after the first
// character of the first non-null Text field, or — for the entities that
// have no Text field (enrollments, budgets, audits) — of the first non-null
// field that the formats write as a string (not Int, Money, Decimal or
// Bool). It returns -1 when the row has no such field.
func badUTF8Target(e *contract.Entity, r *record.Row) (field, offset int) {
	field = -1
	for i, f := range e.Fields {
		if f.Kind == contract.Text && !r.IsNull(i) {
			field = i
			break
		}
	}
	if field < 0 {
		for i, f := range e.Fields {
			if !r.IsNull(i) && !numberKind(f.Kind) && f.Kind != contract.Bool {
				field = i
				break
			}
		}
	}
	if field < 0 {
		return -1, 0
	}
	_, n := utf8.DecodeRune(r.Field(field))
	return field, n
}

// numberKind reports the kinds whose values JSON writes as bare numbers.
func numberKind(k contract.Kind) bool {
	return k == contract.Int || k == contract.Money || k == contract.Decimal
}
