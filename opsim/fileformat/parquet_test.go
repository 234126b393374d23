package fileformat

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"huzhu/opsim/record"
)

// readParquet reads a file with arrow-go's reader: its row groups, and
// its rows as text with null marking nulls.
func readParquet(t *testing.T, data []byte) (int, [][]string) {
	t.Helper()
	pr, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("NewParquetReader: %v", err)
	}
	defer pr.Close()
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatalf("pqarrow.NewFileReader: %v", err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatalf("ReadTable: %v", err)
	}
	defer tbl.Release()
	sc := tbl.Schema()
	if sc.NumFields() != len(sample.Fields) {
		t.Fatalf("%d columns, want %d", sc.NumFields(), len(sample.Fields))
	}
	for i, f := range sc.Fields() {
		if f.Name != sample.Fields[i].Name || f.Type.ID() != arrow.STRING || !f.Nullable {
			t.Errorf("column %d = %s %s nullable=%v, want %s string nullable", i, f.Name, f.Type, f.Nullable, sample.Fields[i].Name)
		}
	}
	rows := make([][]string, tbl.NumRows())
	for i := range rows {
		rows[i] = make([]string, sc.NumFields())
	}
	for c := range sc.NumFields() {
		r := 0
		for _, chunk := range tbl.Column(c).Data().Chunks() {
			s := chunk.(*array.String)
			for j := range s.Len() {
				if s.IsNull(j) {
					rows[r][c] = null
				} else {
					rows[r][c] = s.Value(j)
				}
				r++
			}
		}
	}
	return pr.NumRowGroups(), rows
}

func TestParquetRoundTrip(t *testing.T) {
	mangles := map[int]record.Mangle{0: record.MangleBadUTF8, 1: record.MangleTruncate, 2: record.MangleExtraColumn}
	data := writeAll(t, Parquet, sample, Options{}, sampleRows, mangles)
	groups, got := readParquet(t, data)
	if groups != 1 {
		t.Errorf("%d row groups, want 1", groups)
	}
	if len(got) != len(sampleRows) {
		t.Fatalf("%d rows, want %d", len(got), len(sampleRows))
	}
	for i := range got {
		for j := range got[i] {
			if got[i][j] != sampleRows[i][j] {
				t.Errorf("row %d %s = %q, want %q (mangles ignored)", i, sample.Fields[j].Name, got[i][j], sampleRows[i][j])
			}
		}
	}
}

// TestParquetRowGroups writes past one row group, with varying values and
// nulls, and reads every row back in order.
func TestParquetRowGroups(t *testing.T) {
	n := ParquetRowGroup + 1000
	rows := make([][]string, n)
	for i := range rows {
		row := append([]string(nil), sampleRows[i%len(sampleRows)]...)
		row[0] = fmt.Sprintf("ID%07d", i)
		rows[i] = row
	}
	groups, got := readParquet(t, writeAll(t, Parquet, sample, Options{}, rows, nil))
	if groups != 2 {
		t.Errorf("%d row groups, want 2", groups)
	}
	if len(got) != n {
		t.Fatalf("%d rows, want %d", len(got), n)
	}
	for i := range got {
		for j := range got[i] {
			if got[i][j] != rows[i][j] {
				t.Fatalf("row %d %s = %q, want %q", i, sample.Fields[j].Name, got[i][j], rows[i][j])
			}
		}
	}
}

func TestParquetEmpty(t *testing.T) {
	groups, got := readParquet(t, writeAll(t, Parquet, sample, Options{}, nil, nil))
	if groups != 0 || len(got) != 0 {
		t.Errorf("empty file: %d row groups, %d rows; want 0, 0", groups, len(got))
	}
}
