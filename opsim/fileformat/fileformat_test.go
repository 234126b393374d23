package fileformat

import (
	"bytes"
	"errors"
	"testing"

	"huzhu/contract"
	"huzhu/opsim/record"
)

// null marks a null value in the fixtures.
const null = "\x00null"

// sample is an entity with a field of every kind the writers treat apart.
var sample = &contract.Entity{Name: "samples", Key: []string{"id"}, Fields: []contract.Field{
	{Name: "id", Kind: contract.Code},
	{Name: "name", Kind: contract.Text},
	{Name: "note", Kind: contract.Text, Nullable: true},
	{Name: "amount", Kind: contract.Money},
	{Name: "count", Kind: contract.Int, Nullable: true},
	{Name: "rate", Kind: contract.Decimal, Nullable: true},
	{Name: "flag", Kind: contract.Bool},
	{Name: "day", Kind: contract.Date, Nullable: true},
	{Name: "updated_at", Kind: contract.TS},
}}

// sampleRows exercise quoting, escaping, encodings and JSON typing.
var sampleRows = [][]string{
	{"A1", "職工互助", null, "50.00", "12", "3.25", "true", "2024-01-31", "2024-02-01T08:00:00+08:00"},
	{"A2", "👩‍👩‍👧 family", "a,b", "-20.5", "0", null, "false", null, "2024-02-01T08:00:00+08:00"},
	{"A3", `say "hi"`, "line1\nline2", "1,234.5", "1.5", "-0.5e3", "TRUE", "2024-02-29", "2024-02-02T00:00:00+08:00"},
	{"A4", " leading", "trailing ", "abc", "x", "1e", "1", "2024-03-01", "2024-02-02T00:00:00+08:00"},
	{"A5", "１２３ full-width", "crlf\r\nx", "007", null, "0", "false", null, "2024-02-03T12:30:00+08:00"},
	{"A6", "", "tab\tinside\ttabs", "0.00", "-7", null, "true", "2024-04-01", "2024-02-03T12:30:00+08:00"},
	{"A7", "🇨🇳 flag, 👍🏽 thumbs", "lone\rcr", "-0", "10", "1.0", "false", null, "2024-02-04T00:00:00+08:00"},
	{"A8", "back\\slash / slash", "\ttab-led", "12.", "1E5", ".5", "true", "2024-04-02", "2024-02-05T00:00:00+08:00"},
}

// makeRow fills r from vals, null marking a null.
func makeRow(r *record.Row, vals []string) {
	r.Reset()
	for _, v := range vals {
		if v == null {
			r.Null()
		} else {
			r.Str(v)
		}
	}
}

// writeAll writes rows through a new writer and returns the file. mangle
// maps a row index to the mangle it carries.
func writeAll(t testing.TB, format Format, e *contract.Entity, opt Options, rows [][]string, mangle map[int]record.Mangle) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(format, e, &buf, opt)
	if err != nil {
		t.Fatalf("NewWriter(%s, %s, %+v): %v", format, e.Name, opt, err)
	}
	var r record.Row
	for i, vals := range rows {
		makeRow(&r, vals)
		r.Mangle = mangle[i]
		if err := w.Write(&r); err != nil {
			t.Fatalf("%s Write(row %d): %v", format, i, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("%s Close: %v", format, err)
	}
	if err := w.Write(&r); !errors.Is(err, ErrClosed) {
		t.Errorf("%s Write after Close = %v, want ErrClosed", format, err)
	}
	return buf.Bytes()
}

// nullAsEmpty returns rows with nulls as "", the way CSV and XLSX read.
func nullAsEmpty(rows [][]string) [][]string {
	out := make([][]string, len(rows))
	for i, row := range rows {
		out[i] = make([]string, len(row))
		for j, v := range row {
			if v != null {
				out[i][j] = v
			}
		}
	}
	return out
}

func TestNewWriterErrors(t *testing.T) {
	tests := []struct {
		name   string
		format Format
		e      *contract.Entity
		opt    Options
	}{
		{"unknown format", "xml", sample, Options{}},
		{"nil entity", CSV, nil, Options{}},
		{"unknown encoding", CSV, sample, Options{Encoding: "latin1"}},
		{"gb18030 with BOM", CSV, sample, Options{Encoding: GB18030, BOM: true}},
	}
	for _, tt := range tests {
		if _, err := NewWriter(tt.format, tt.e, &bytes.Buffer{}, tt.opt); err == nil {
			t.Errorf("%s: NewWriter(%q, …, %+v) = nil error, want one", tt.name, tt.format, tt.opt)
		}
	}
}

func TestWriteWrongFieldCount(t *testing.T) {
	for _, f := range Formats {
		w, err := NewWriter(f, sample, &bytes.Buffer{}, Options{})
		if err != nil {
			t.Fatalf("NewWriter(%s): %v", f, err)
		}
		var r record.Row
		r.Str("only one")
		if err := w.Write(&r); err == nil {
			t.Errorf("%s Write(1 of %d fields) = nil, want an error", f, len(sample.Fields))
		}
		w.Close()
	}
}

func TestParseFormatAndExt(t *testing.T) {
	for _, f := range Formats {
		got, err := ParseFormat(string(f))
		if err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %q, %v, want %q", f, got, err, f)
		}
	}
	if got := Ext(Parquet); got != ".parquet" {
		t.Errorf("Ext(Parquet) = %q, want .parquet", got)
	}
	if _, err := ParseFormat("tsv"); err == nil {
		t.Errorf("ParseFormat(tsv) = nil error, want one")
	}
}

func TestBadUTF8Target(t *testing.T) {
	tests := []struct {
		name      string
		e         *contract.Entity
		vals      []string
		wantField int
		wantOff   int
	}{
		{"first text field", sample, sampleRows[0], 1, 3},                                    // 職 is 3 bytes
		{"empty text field", sample, sampleRows[5], 1, 0},                                    // "" non-null
		{"skips null text", sample, append([]string{"A", null}, sampleRows[0][2:]...), 0, 1}, // note is null too: falls back to id
		{"no text field", contract.Lookup("budgets"), []string{"OP", null, "2024", "4101", "original", "10.00", "2024-01-01", "2024-01-01T00:00:00+08:00"}, 0, 1},
		{"nothing", &contract.Entity{Name: "n", Fields: []contract.Field{{Name: "v", Kind: contract.Int}}}, []string{"1"}, -1, 0},
	}
	var r record.Row
	for _, tt := range tests {
		makeRow(&r, tt.vals)
		f, off := badUTF8Target(tt.e, &r)
		if f != tt.wantField || (f >= 0 && off != tt.wantOff) {
			t.Errorf("%s: badUTF8Target = %d, %d, want %d, %d", tt.name, f, off, tt.wantField, tt.wantOff)
		}
	}
}
