package money

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    Cents
		wantErr error
	}{
		{"0", 0, nil},
		{"0.00", 0, nil},
		{"-0", 0, nil},
		{"-0.00", 0, nil},
		{"+0", 0, nil},
		{"1234.5", 123450, nil},
		{"1234.50", 123450, nil},
		{"-20.00", -2000, nil},
		{"+20.1", 2010, nil},
		{"0.01", 1, nil},
		{"-0.01", -1, nil},
		{"0.1", 10, nil},
		{"007", 700, nil},
		{"60000", 6000000, nil},
		{"  50.00 ", 5000, nil},
		{"\t-3.5\r\n", -350, nil},
		{"9999999999999999.99", MaxCents, nil},
		{"-9999999999999999.99", -MaxCents, nil},
		{"0000000000000000000000009.99", 999, nil}, // leading zeros do not count toward range
		{"", 0, ErrSyntax},
		{"   ", 0, ErrSyntax},
		{"-", 0, ErrSyntax},
		{"+", 0, ErrSyntax},
		{"--1", 0, ErrSyntax},
		{"+-1", 0, ErrSyntax},
		{".5", 0, ErrSyntax},
		{"-.5", 0, ErrSyntax},
		{"5.", 0, ErrSyntax},
		{"5.-", 0, ErrSyntax},
		{"1.2.3", 0, ErrSyntax},
		{"1e3", 0, ErrSyntax},
		{"0x10", 0, ErrSyntax},
		{"12 34", 0, ErrSyntax},
		{"- 5", 0, ErrSyntax},
		{"¥12", 0, ErrSyntax},
		{"12元", 0, ErrSyntax},
		{"１２", 0, ErrSyntax},          // full-width digits
		{"\u00a012\u3000", 1200, nil}, // a no-break and an ideographic space are blank too (package blank)
		{"1\u00a0200", 0, ErrSyntax},  // not inside
		{"NaN", 0, ErrSyntax},
		{"Inf", 0, ErrSyntax},
		{"1,234.5", 0, ErrThousands},
		{"1,234", 0, ErrThousands},
		{"-1,234,567.89", 0, ErrThousands},
		{"12,5", 0, ErrThousands},
		{"1,234.5x", 0, ErrSyntax},     // a syntax error wins over the comma
		{"1.2,3", 0, ErrSyntax},        // commas only count in the integer part
		{"1,234.567", 0, ErrThousands}, // the comma is reported first
		{"12.345", 0, ErrPrecision},
		{"12.340", 0, ErrPrecision},
		{"0.001", 0, ErrPrecision},
		{"-0.000", 0, ErrPrecision},
		{"10000000000000000", 0, ErrRange},
		{"10000000000000000.00", 0, ErrRange},
		{"-10000000000000000", 0, ErrRange},
		{"99999999999999999999999999999", 0, ErrRange},
		{"99999999999999999999999999999.123", 0, ErrPrecision},
		{"99999999999999999999999999999x", 0, ErrSyntax},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if got != tt.want || !errors.Is(err, tt.wantErr) {
			t.Errorf("Parse(%q) = %v, %v, want %v, %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		var pe *ParseError
		if err != nil && !errors.As(err, &pe) {
			t.Errorf("Parse(%q) error %T, want *ParseError", tt.in, err)
		}
	}
}

func TestParseErrorMessage(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"12.345", `money: parsing "12.345": more than 2 fraction digits`},
		{"1,234.5", `money: parsing "1,234.5": thousands separator`},
		{"", `money: parsing "": not a decimal amount`},
		{strings.Repeat("9", 40), `money: parsing "` + strings.Repeat("9", 32) + `"...: out of DECIMAL(18,2) range`},
		// 元 is 3 bytes: 10 of them are 30 bytes, the 11th would pass 32.
		{strings.Repeat("元", 20), `money: parsing "` + strings.Repeat("元", 10) + `"...: not a decimal amount`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%q) error = %v, want %s", tt.in, err, tt.want)
		}
	}
	_, err := Parse(strings.Repeat("x", 1<<20))
	var pe *ParseError
	if !errors.As(err, &pe) || len(pe.Input) > 32 || !pe.Truncated || len(err.Error()) > 100 {
		t.Errorf("Parse(1 MiB) error = %.200v, want one that keeps at most 32 bytes", err)
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		in   Cents
		want string
	}{
		{0, "0.00"},
		{1, "0.01"},
		{-1, "-0.01"},
		{10, "0.10"},
		{99, "0.99"},
		{100, "1.00"},
		{123450, "1234.50"},
		{-123450, "-1234.50"},
		{-2000, "-20.00"},
		{MaxCents, "9999999999999999.99"},
		{-MaxCents, "-9999999999999999.99"},
		{math.MaxInt64, "92233720368547758.07"},
		{math.MinInt64, "-92233720368547758.08"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("Cents(%d).String() = %q, want %q", int64(tt.in), got, tt.want)
		}
		if got := string(tt.in.AppendText([]byte("x="))); got != "x="+tt.want {
			t.Errorf("Cents(%d).AppendText(%q) = %q, want %q", int64(tt.in), "x=", got, "x="+tt.want)
		}
	}
}

func TestFormatCNY(t *testing.T) {
	tests := []struct {
		in   Cents
		want string
	}{
		{0, "0.00"},
		{5, "0.05"},
		{-50, "-0.50"},
		{99999, "999.99"},
		{100000, "1,000.00"},
		{-100000, "-1,000.00"},
		{123456789, "1,234,567.89"},
		{-123456789, "-1,234,567.89"},
		{12345678, "123,456.78"},
		{1234567, "12,345.67"},
		{Yuan(4663000000), "4,663,000,000.00"}, // 2020 national benefits
		{MaxCents, "9,999,999,999,999,999.99"},
		{math.MinInt64, "-92,233,720,368,547,758.08"},
	}
	for _, tt := range tests {
		if got := FormatCNY(tt.in); got != tt.want {
			t.Errorf("FormatCNY(%d) = %q, want %q", int64(tt.in), got, tt.want)
		}
	}
}

func TestYuan(t *testing.T) {
	tests := []struct {
		in   int64
		want Cents
	}{
		{0, 0},
		{1, 100},
		{-20, -2000},
		{60000, 6000000},
		{math.MaxInt64 / 100, math.MaxInt64 / 100 * 100},
	}
	for _, tt := range tests {
		if got := Yuan(tt.in); got != tt.want {
			t.Errorf("Yuan(%d) = %v, want %v", tt.in, got, tt.want)
		}
	}
	for _, y := range []int64{math.MaxInt64/100 + 1, math.MinInt64/100 - 1, math.MaxInt64} {
		if !panics(func() { Yuan(y) }) {
			t.Errorf("Yuan(%d) did not panic", y)
		}
	}
}

func TestMulRatio(t *testing.T) {
	tests := []struct {
		c        Cents
		num, den int64
		want     Cents
	}{
		{10000, 1, 3, 3333}, // 33.333… → 33.33
		{20000, 1, 3, 6667}, // 66.666… → 66.67
		{5, 1, 2, 3},        // 0.025 → 0.03: half away from zero
		{-5, 1, 2, -3},      // -0.025 → -0.03
		{5, -1, 2, -3},      // sign from num
		{5, 1, -2, -3},      // sign from den
		{-5, -1, -2, -3},    // three negatives
		{-5, -1, 2, 3},      // two negatives
		{15, 1, 10, 2},      // 1.5 → 2
		{25, 1, 10, 3},      // 2.5 → 3, not 2: not banker's rounding
		{14, 1, 10, 1},      // 1.4 → 1
		{0, 7, 9, 0},        // zero
		{12345, 0, 1, 0},    // zero ratio
		{100, 3, 1, 300},    // whole multiple
		{Yuan(60000), 80, 100, Yuan(48000)},
		{Yuan(5852000000), 4663, 5852, Yuan(4663000000)}, // 2020 payout ratio
		{MaxCents, 1, 1, MaxCents},
		{MaxCents, 9, 10, 900000000000000000 - 1},                      // 899999999999999999.1 → …999
		{MaxCents, math.MaxInt64, math.MaxInt64, MaxCents},             // needs the 128-bit product
		{math.MaxInt64, 2, 2, math.MaxInt64},                           // likewise
		{math.MinInt64, 1, 1, math.MinInt64},                           // the one value without an opposite
		{math.MinInt64, 3, 3, math.MinInt64},                           //
		{Cents(1e17), 1_000_000_007, 1_000_000_009, 99999999800000002}, // 99999999800000001.79…
	}
	for _, tt := range tests {
		if got := MulRatio(tt.c, tt.num, tt.den); got != tt.want {
			t.Errorf("MulRatio(%d, %d, %d) = %d, want %d", int64(tt.c), tt.num, tt.den, int64(got), int64(tt.want))
		}
	}
	overflows := []struct {
		c        Cents
		num, den int64
	}{
		{1, 1, 0},
		{math.MaxInt64, 2, 1},
		{math.MaxInt64, math.MaxInt64, 1},
		{math.MinInt64, -1, 1},
		{math.MaxInt64, 3, 2},
	}
	for _, tt := range overflows {
		if !panics(func() { MulRatio(tt.c, tt.num, tt.den) }) {
			t.Errorf("MulRatio(%d, %d, %d) did not panic", int64(tt.c), tt.num, tt.den)
		}
	}
}

// TestMulRatioSharesAddUp shows what rounding does to an allocation: shares
// rounded separately can miss the total by a cent, which callers settle.
func TestMulRatioSharesAddUp(t *testing.T) {
	total := Yuan(100)
	var sum Cents
	for range 3 {
		sum += MulRatio(total, 1, 3)
	}
	if want := total - 1; sum != want {
		t.Errorf("3 × MulRatio(%v, 1, 3) = %v, want %v", total, sum, want)
	}
}

func panics(f func()) (did bool) {
	defer func() { did = recover() != nil }()
	f()
	return false
}

// TestRoundTrip checks Parse(c.String()) == c across the whole range: small
// values, every cent pattern, powers of ten, the extremes, and a spread of
// pseudo-random values.
func TestRoundTrip(t *testing.T) {
	var values []Cents
	for v := Cents(-1000); v <= 1000; v++ {
		values = append(values, v)
	}
	for p := Cents(1); p <= MaxCents/10; p *= 10 {
		values = append(values, p, -p, p-1, -(p - 1), p+1, -(p + 1))
	}
	values = append(values, MaxCents, -MaxCents, MaxCents-1, -MaxCents+1)
	x := uint64(0x9E3779B97F4A7C15)
	for range 10000 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		v := Cents(x % uint64(MaxCents))
		if x&1 == 1 {
			v = -v
		}
		values = append(values, v)
	}
	for _, v := range values {
		s := v.String()
		got, err := Parse(s)
		if got != v || err != nil {
			t.Errorf("Parse(%q) = %v, %v, want %v, nil", s, got, err, v)
		}
	}
	// Out of DECIMAL(18,2) range: String still formats, Parse refuses.
	for _, v := range []Cents{MaxCents + 1, -MaxCents - 1, math.MaxInt64, math.MinInt64} {
		if _, err := Parse(v.String()); !errors.Is(err, ErrRange) {
			t.Errorf("Parse(%q) error = %v, want %v", v.String(), err, ErrRange)
		}
	}
}

func TestNoAllocations(t *testing.T) {
	buf := make([]byte, 0, 32)
	if n := testing.AllocsPerRun(100, func() { buf = Cents(-123456789).AppendText(buf[:0]) }); n != 0 {
		t.Errorf("AppendText allocates %v times, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = Parse("-1234567.89") }); n != 0 {
		t.Errorf("Parse allocates %v times on success, want 0", n)
	}
}

var parseInputs = []string{"0", "50.00", "-20.00", "1234.5", "60000.00", "9999999999999999.99", " 7200 "}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range parseInputs {
			if _, err := Parse(s); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkAppendText(b *testing.B) {
	b.ReportAllocs()
	values := []Cents{0, 5000, -2000, 123450, 6000000, MaxCents, -1}
	buf := make([]byte, 0, 32)
	for b.Loop() {
		for _, v := range values {
			buf = v.AppendText(buf[:0])
		}
	}
}
