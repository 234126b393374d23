package money

import (
	"errors"
	"testing"
)

// FuzzParse checks that Parse never panics, that every error is a
// *ParseError wrapping one sentinel and keeping at most 32 bytes, and that
// what Parse accepts survives String and Parse again unchanged, within
// DECIMAL(18,2).
func FuzzParse(f *testing.F) {
	for _, s := range []string{"0", "-20.00", "1234.5", "1,234.5", "12.345", ".5", "5.", "9999999999999999.99", "10000000000000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || len(pe.Input) > maxQuoted {
				t.Fatalf("Parse(%q) error = %v, want a *ParseError keeping at most %d bytes", s, err, maxQuoted)
			}
			if !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrPrecision) && !errors.Is(err, ErrThousands) && !errors.Is(err, ErrRange) {
				t.Fatalf("Parse(%q) error = %v, wraps no sentinel", s, err)
			}
			if c != 0 {
				t.Fatalf("Parse(%q) = %v with error %v, want 0", s, c, err)
			}
			return
		}
		if c > MaxCents || c < -MaxCents {
			t.Fatalf("Parse(%q) = %v, beyond DECIMAL(18,2)", s, c)
		}
		again, err := Parse(c.String())
		if again != c || err != nil {
			t.Fatalf("Parse(%q) = %v, but Parse(%q) = %v, %v", s, c, c.String(), again, err)
		}
		if got := string(c.AppendText(nil)); got != c.String() {
			t.Fatalf("Cents(%d).AppendText(nil) = %q, String() = %q", int64(c), got, c.String())
		}
	})
}
