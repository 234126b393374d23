package fileformat

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
	"unicode/utf8"

	"huzhu/contract"
	"huzhu/opsim/record"
)

// decodeLine decodes one JSON object with UseNumber, returning its values
// and its keys in order.
func decodeLine(t *testing.T, line []byte) (map[string]any, []string) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("decode %q: %v", line, err)
	}
	dec = json.NewDecoder(bytes.NewReader(line))
	var keys []string
	if _, err := dec.Token(); err != nil {
		t.Fatalf("decode %q: %v", line, err)
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatalf("decode %q: %v", line, err)
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatalf("decode %q: %v", line, err)
		}
	}
	return m, keys
}

// jsonWant is the value encoding/json should decode for text v of kind k.
func jsonWant(k contract.Kind, v string) any {
	switch {
	case v == null:
		return nil
	case numberKind(k) && isNumberByStdlib(v):
		return json.Number(v)
	case k == contract.Bool && v == "true":
		return true
	case k == contract.Bool && v == "false":
		return false
	}
	return v
}

// isNumberByStdlib asks encoding/json whether v is a number literal, as an
// oracle for isJSONNumber.
func isNumberByStdlib(v string) bool {
	dec := json.NewDecoder(bytes.NewReader([]byte(v)))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil || dec.More() {
		return false
	}
	n, ok := x.(json.Number)
	return ok && string(n) == v
}

func TestJSONLRoundTrip(t *testing.T) {
	rows := append(sampleRows, []string{"A9", "ctl \x01\x1f\x7f \b\f", null, "1", null, null, "true", null, "2024-02-06T00:00:00+08:00"})
	data := writeAll(t, JSONL, sample, Options{}, rows, nil)
	if !utf8.Valid(data) {
		t.Fatalf("JSONL file is not valid UTF-8")
	}
	if bytes.Contains(data, []byte(`\u`+"d83d")) || !bytes.Contains(data, []byte("職工互助")) {
		t.Errorf("non-ASCII was escaped; want it kept as UTF-8")
	}
	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	if len(lines) != len(rows) {
		t.Fatalf("%d lines, want %d", len(lines), len(rows))
	}
	names := sample.FieldNames()
	for i, line := range lines {
		m, keys := decodeLine(t, line)
		if !slices.Equal(keys, names) {
			t.Errorf("line %d keys = %q, want %q", i, keys, names)
		}
		for j, f := range sample.Fields {
			want := jsonWant(f.Kind, rows[i][j])
			if got := m[f.Name]; got != want {
				t.Errorf("line %d %s = %#v, want %#v", i, f.Name, got, want)
			}
		}
	}
	// The literal is kept byte for byte.
	if !bytes.Contains(lines[0], []byte(`"amount":50.00,"count":12,"rate":3.25,"flag":true`)) {
		t.Errorf("line 0 = %s, want bare numbers kept as written", lines[0])
	}
}

func TestIsJSONNumber(t *testing.T) {
	for _, s := range []string{"0", "-0", "50.00", "-20.5", "1e3", "1E+5", "-0.5e-3", "007", "1,234.5", "abc", "", "-", "1.", ".5", "1e", "+1", "0x10", "１２", " 1", "1 ", "NaN", "Infinity", "01.5", "1.5.5"} {
		if got, want := isJSONNumber([]byte(s)), isNumberByStdlib(s); got != want {
			t.Errorf("isJSONNumber(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestJSONLMangles(t *testing.T) {
	clean := writeAll(t, JSONL, sample, Options{}, sampleRows, nil)
	for _, m := range []record.Mangle{record.MangleTruncate, record.MangleExtraColumn} {
		if got := writeAll(t, JSONL, sample, Options{}, sampleRows, map[int]record.Mangle{1: m}); !bytes.Equal(got, clean) {
			t.Errorf("mangle %d changed the JSONL file; want it ignored", m)
		}
	}
	data := writeAll(t, JSONL, sample, Options{}, sampleRows, map[int]record.Mangle{0: record.MangleBadUTF8})
	if n := bytes.Count(data, []byte{0xFF}); n != 1 {
		t.Fatalf("file holds 0xFF %d times, want once", n)
	}
	if !bytes.Contains(data, []byte("\"name\":\"職\xFF工互助\"")) {
		t.Errorf("0xFF not in the name string just after its first character:\n%s", data)
	}
	if fixed := bytes.Replace(data, []byte{0xFF}, nil, 1); !bytes.Equal(fixed, clean) {
		t.Errorf("removing 0xFF does not give the clean file")
	}
}

func TestAppendJSONIgnoresMangles(t *testing.T) {
	var r record.Row
	makeRow(&r, sampleRows[0])
	want := AppendJSON(nil, sample, &r)
	r.Mangle = record.MangleBadUTF8
	if got := AppendJSON(nil, sample, &r); !bytes.Equal(got, want) {
		t.Errorf("AppendJSON of a mangled row = %q, want the intact %q", got, want)
	}
	if !json.Valid(want) {
		t.Errorf("AppendJSON = %q, not valid JSON", want)
	}
}
