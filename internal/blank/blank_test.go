package blank

import "testing"

func TestTrim(t *testing.T) {
	for in, want := range map[string]string{
		"":                     "",
		"2024-01-05":           "2024-01-05",
		" \t2024-01-05\r\n":    "2024-01-05",
		"\u00a012.50\u3000":    "12.50",
		"\ufeff\u200b12\u2003": "12",
		"\u3000\u00a0 ":        "",
		"a\u3000b":             "a\u3000b",
		"\x0112":               "\x0112", // a control that is not white space stays
		"\u200d12":             "\u200d12",
	} {
		if got := Trim(in); got != want {
			t.Errorf("Trim(%q) = %q, want %q", in, got, want)
		}
	}
}
