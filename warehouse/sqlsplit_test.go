package warehouse

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestSplitStatements(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []statement
	}{
		{"empty", "", nil},
		{"only comments", "-- x;\n/* y; */\n", nil},
		{"one without semicolon", "SELECT 1", []statement{{"SELECT 1", 1, 1}}},
		{"two", "SELECT 1;\n\nSELECT 2;\n", []statement{{"SELECT 1", 1, 1}, {"\n\nSELECT 2", 1, 3}}},
		{"trailing blank piece dropped", "SELECT 1;\n  \n", []statement{{"SELECT 1", 1, 1}}},
		{"semicolon in string", "SELECT 'a;''b';SELECT 2", []statement{{"SELECT 'a;''b'", 1, 1}, {"SELECT 2", 1, 1}}},
		{"semicolon in identifier", `SELECT 1 AS "x;""y";`, []statement{{`SELECT 1 AS "x;""y"`, 1, 1}}},
		{"semicolon in line comment", "SELECT 1 -- no;\n, 2;", []statement{{"SELECT 1 -- no;\n, 2", 1, 1}}},
		{"nested block comment", "SELECT /* a /* b; */ c; */ 1;", []statement{{"SELECT /* a /* b; */ c; */ 1", 1, 1}}},
		{"dollar quotes", "SELECT $$a;b$$, $t$ $$; $t$;\nSELECT 2", []statement{{"SELECT $$a;b$$, $t$ $$; $t$", 1, 1}, {"\nSELECT 2", 1, 2}}},
		{"parameter is not a dollar quote", "SELECT $1;SELECT 2", []statement{{"SELECT $1", 1, 1}, {"SELECT 2", 1, 1}}},
		{"escape string", `SELECT E'it\'s;';SELECT 2`, []statement{{`SELECT E'it\'s;'`, 1, 1}, {"SELECT 2", 1, 1}}},
		{"E ending a word is not an escape", `SELECT DATE'x\';SELECT 2`, []statement{{`SELECT DATE'x\'`, 1, 1}, {"SELECT 2", 1, 1}}},
		{"lines across strings and comments", "SELECT 'a\nb';\n/* c\n*/ SELECT 1;", []statement{{"SELECT 'a\nb'", 1, 1}, {"\n/* c\n*/ SELECT 1", 2, 4}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := splitStatements(tc.in)
			if err != nil {
				t.Fatalf("splitStatements(%q): %v", tc.in, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("splitStatements(%q) = %#v, want %#v", tc.in, got, tc.want)
			}
		})
	}
}

func TestSplitStatementsUnterminated(t *testing.T) {
	cases := []struct{ in, want string }{
		{"SELECT 1;\nSELECT 'a", "line 2: unterminated string"},
		{"SELECT \"a", "line 1: unterminated quoted identifier"},
		{"\n\n/* a /* b */", "line 3: unterminated /* comment"},
		{"SELECT $x$ a", "line 1: unterminated $x$ string"},
	}
	for _, tc := range cases {
		_, err := splitStatements(tc.in)
		if err == nil || err.Error() != tc.want {
			t.Errorf("splitStatements(%q) error = %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestErrorLine(t *testing.T) {
	s := statement{text: "\n\nSELECT\n  x", startLine: 10, firstLine: 12}
	cases := []struct {
		err  string
		want int
	}{
		{"Binder Error: Referenced column \"x\" not found", 12},
		{"Parser Error: syntax error at or near \"x\"\n\nLINE 4:   x\n          ^", 13},
		{"Catalog Error: ...\n\nLINE 1: \n        ^", 10},
	}
	for _, tc := range cases {
		if got := s.errorLine(errors.New(tc.err)); got != tc.want {
			t.Errorf("errorLine(%q) = %d, want %d", strings.SplitN(tc.err, "\n", 2)[0], got, tc.want)
		}
	}
}
