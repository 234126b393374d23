package fileformat

import (
	"bytes"
	"encoding/csv"
	"io"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"huzhu/contract"
	"huzhu/opsim/record"
)

// readCSV parses a UTF-8 CSV file with encoding/csv, lines of any width.
func readCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("encoding/csv ReadAll: %v\n%s", err, data)
	}
	return recs
}

// csvExpect is what encoding/csv reads back for rows: nulls as "", and
// CR LF inside a quoted value as LF (encoding/csv drops a CR before LF even
// in quotes; the file holds the CR, checked apart).
func csvExpect(rows [][]string) [][]string {
	out := nullAsEmpty(rows)
	for _, row := range out {
		for j, v := range row {
			row[j] = strings.ReplaceAll(v, "\r\n", "\n")
		}
	}
	return out
}

func decodeGB18030(t *testing.T, data []byte) []byte {
	t.Helper()
	out, err := io.ReadAll(simplifiedchinese.GB18030.NewDecoder().Reader(bytes.NewReader(data)))
	if err != nil {
		t.Fatalf("gb18030 decode: %v", err)
	}
	return out
}

func TestCSVRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		opt  Options
	}{
		{"utf-8", Options{}},
		{"utf-8 BOM", Options{Encoding: UTF8, BOM: true}},
		{"gb18030", Options{Encoding: GB18030}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := writeAll(t, CSV, sample, tt.opt, sampleRows, nil)
			hasBOM := bytes.HasPrefix(data, []byte("\xEF\xBB\xBF"))
			if hasBOM != tt.opt.BOM {
				t.Errorf("file starts with BOM = %v, want %v", hasBOM, tt.opt.BOM)
			}
			if tt.opt.Encoding == GB18030 {
				if utf8.Valid(data) {
					t.Errorf("gb18030 file is valid UTF-8; want GB18030 bytes")
				}
				data = decodeGB18030(t, data)
			}
			data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
			got := readCSV(t, data)
			want := append([][]string{sample.FieldNames()}, csvExpect(sampleRows)...)
			if !slices.EqualFunc(got, want, slices.Equal) {
				t.Errorf("read back\n%q\nwant\n%q", got, want)
			}
			for _, frag := range []string{"\"crlf\r\nx\"", "\"lone\rcr\"", "A6,\"\",", "A1,職工互助,,50.00,", "\" leading\"", "\"trailing \""} {
				if !bytes.Contains(data, []byte(frag)) {
					t.Errorf("file lacks %q", frag)
				}
			}
			if bytes.Contains(data, []byte("\r\n\"")) || !bytes.HasSuffix(data, []byte("+08:00\n")) {
				t.Errorf("lines do not end in a bare LF")
			}
		})
	}
}

// TestCSVQuoting pins which values are quoted: only those that must be.
func TestCSVQuoting(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"職工互助", "職工互助"},
		{"", `""`},
		{"a,b", `"a,b"`},
		{`a"b`, `"a""b"`},
		{`"`, `""""`},
		{"a\nb", "\"a\nb\""},
		{"a\rb", "\"a\rb\""},
		{" a", `" a"`},
		{"a ", `"a "`},
		{"\ta", "\"\ta\""},
		{"a b", "a b"},
		{"a\tb", "a\tb"},
	}
	for _, tt := range tests {
		if got := string(appendCSVValue(nil, []byte(tt.in))); got != tt.want {
			t.Errorf("appendCSVValue(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestCSVGB18030Unicode checks that GB18030 carries every character the
// contract's text may hold, emoji and ZWJ sequences included.
func TestCSVGB18030Unicode(t *testing.T) {
	vals := []string{"👩‍👩‍👧", "👨‍💻", "🇨🇳", "👍🏽", "職工互助", "职工互助", "１２３ＡＢＣ", "𠀀𪚥", "é", "\u200d", "\U0010FFFD"}
	rows := make([][]string, len(vals))
	for i, v := range vals {
		rows[i] = []string{"A", v, null, "1.00", null, null, "true", null, "2024-01-01T00:00:00+08:00"}
	}
	data := decodeGB18030(t, writeAll(t, CSV, sample, Options{Encoding: GB18030}, rows, nil))
	got := readCSV(t, data)[1:]
	for i, v := range vals {
		if got[i][1] != v {
			t.Errorf("gb18030 round trip of %q = %q", v, got[i][1])
		}
	}
}

func TestCSVMangles(t *testing.T) {
	intact := nullAsEmpty(sampleRows)
	for _, enc := range []string{UTF8, GB18030} {
		opt := Options{Encoding: enc}
		clean := writeAll(t, CSV, sample, opt, sampleRows, nil)
		decode := func(b []byte) []byte {
			if enc == GB18030 {
				return decodeGB18030(t, b)
			}
			return b
		}

		t.Run(enc+"/truncate", func(t *testing.T) {
			data := writeAll(t, CSV, sample, opt, sampleRows, map[int]record.Mangle{2: record.MangleTruncate})
			got := readCSV(t, decode(data))
			half := len(sample.Fields) / 2
			if want := csvExpect(sampleRows[2:3])[0][:half]; !slices.Equal(got[3], want) {
				t.Errorf("truncated line = %q, want %q", got[3], want)
			}
			if !slices.Equal(got[4], intact[3]) {
				t.Errorf("line after the truncated one = %q, want %q", got[4], intact[3])
			}
		})

		t.Run(enc+"/extra column", func(t *testing.T) {
			data := writeAll(t, CSV, sample, opt, sampleRows, map[int]record.Mangle{0: record.MangleExtraColumn})
			got := readCSV(t, decode(data))
			if want := append(slices.Clone(intact[0]), "EXTRA"); !slices.Equal(got[1], want) {
				t.Errorf("extra-column line = %q, want %q", got[1], want)
			}
		})

		t.Run(enc+"/bad utf-8", func(t *testing.T) {
			for _, i := range []int{0, 5} { // 職工互助; the empty name
				data := writeAll(t, CSV, sample, opt, sampleRows, map[int]record.Mangle{i: record.MangleBadUTF8})
				bad := []byte{0xFF}
				if enc == GB18030 {
					bad = badGB18030
				}
				if n := bytes.Count(data, bad); n != 1 {
					t.Fatalf("row %d: file holds %q %d times, want once", i, bad, n)
				}
				if enc == UTF8 && utf8.Valid(data) {
					t.Errorf("row %d: mangled file is valid UTF-8", i)
				}
				if fixed := bytes.Replace(data, bad, nil, 1); !bytes.Equal(fixed, clean) {
					t.Errorf("row %d: removing %q does not give the clean file:\n%q\n%q", i, bad, fixed, clean)
				}
				// The bytes sit just after the first character of name.
				line := readCSV(t, decode(bytes.Replace(data, bad, []byte("<BAD>"), 1)))[i+1]
				name := sampleRows[i][1]
				_, n := utf8.DecodeRuneInString(name)
				if want := name[:n] + "<BAD>" + name[n:]; line[1] != want {
					t.Errorf("row %d: mangled name = %q, want %q", i, line[1], want)
				}
			}
		})
	}
}

// TestCSVBadUTF8NoText checks the fallback for entities without a Text
// field: the first string-valued field takes the byte.
func TestCSVBadUTF8NoText(t *testing.T) {
	e := contract.Lookup("budgets")
	rows := [][]string{{"OP1", null, "2024", "4101", "original", "10.00", "2024-01-01", "2024-01-01T00:00:00+08:00"}}
	data := writeAll(t, CSV, e, Options{}, rows, map[int]record.Mangle{0: record.MangleBadUTF8})
	if !bytes.Contains(data, []byte("\nO\xFFP1,,2024,")) {
		t.Errorf("budgets line = %q, want 0xFF after the first character of operator_code", data)
	}
}
