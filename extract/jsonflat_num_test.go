package extract

import "testing"

// TestPlainNumber: a JSON number's exponent is worked into its digits
// exactly; a plain literal, or one that is no number, is kept as it is.
func TestPlainNumber(t *testing.T) {
	for lit, want := range map[string]string{
		"1801.45":    "1801.45",
		"50.00":      "50.00",
		"1.80145e3":  "1801.45",
		"1.80145E+3": "1801.45",
		"1e2":        "100",
		"5E-1":       "0.5",
		"-2.5e0":     "-2.5",
		"-1.25e-3":   "-0.00125",
		"12.3e1":     "123",
		"0.05e2":     "5",
		"1e":         "1e",
		"1e999":      "1e999",
		"1.2.3e1":    "1.2.3e1",
	} {
		if got := string(appendPlainNumber(nil, []byte(lit))); got != want {
			t.Errorf("appendPlainNumber(%s) = %s, want %s", lit, got, want)
		}
	}
}
