package fileformat

import (
	"bytes"
	"slices"
	"testing"

	"github.com/xuri/excelize/v2"

	"huzhu/opsim/record"
)

// readXLSX returns the rows of the first sheet, padded to width: excelize
// leaves out a row's trailing empty cells.
func readXLSX(t *testing.T, data []byte, width int) (string, [][]string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("excelize.OpenReader: %v", err)
	}
	defer f.Close()
	sheet := f.GetSheetList()[0]
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatalf("GetRows(%s): %v", sheet, err)
	}
	for i, row := range rows {
		for len(row) < width {
			row = append(row, "")
		}
		rows[i] = row
	}
	return sheet, rows
}

func TestXLSXRoundTrip(t *testing.T) {
	data := writeAll(t, XLSX, sample, Options{}, sampleRows, nil)
	sheet, got := readXLSX(t, data, len(sample.Fields))
	if sheet != sample.Name {
		t.Errorf("first sheet = %q, want %q", sheet, sample.Name)
	}
	want := append([][]string{sample.FieldNames()}, nullAsEmpty(sampleRows)...)
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("read back\n%q\nwant\n%q", got, want)
	}
	// Every value is a string cell, even one that looks like a number.
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	typ, err := f.GetCellType(sheet, "D2")
	if err != nil || typ != excelize.CellTypeInlineString {
		t.Errorf("GetCellType(D2 = 50.00) = %v, %v, want an inline string", typ, err)
	}
}

func TestXLSXIgnoresMangles(t *testing.T) {
	mangles := map[int]record.Mangle{0: record.MangleBadUTF8, 1: record.MangleTruncate, 2: record.MangleExtraColumn}
	data := writeAll(t, XLSX, sample, Options{}, sampleRows, mangles)
	_, got := readXLSX(t, data, len(sample.Fields))
	want := append([][]string{sample.FieldNames()}, nullAsEmpty(sampleRows)...)
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("read back\n%q\nwant the intact rows\n%q", got, want)
	}
}

func TestXLSXEmpty(t *testing.T) {
	data := writeAll(t, XLSX, sample, Options{}, nil, nil)
	_, got := readXLSX(t, data, len(sample.Fields))
	if want := [][]string{sample.FieldNames()}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("empty file rows = %q, want only the header %q", got, want)
	}
}
