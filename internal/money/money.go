// Package money holds exact amounts of Chinese yuan as integer cents (分),
// the contract's "money" type: what goes in is the decimal text of operator
// files ("1234.5", "-20.00"), what comes out is a Cents value that adds and
// compares exactly, canonical text for the warehouse ("-1234.50", what
// DuckDB's DECIMAL(18,2) reads) and grouped text for reports
// ("1,234,567.89"). No float64 is used anywhere: a float cannot hold 0.10.
package money

import (
	"database/sql"
	"errors"
	"math"
	"math/bits"
	"strconv"
	"unicode/utf8"

	"huzhu/internal/blank"
)

// Cents is an amount of CNY in cents (分, 0.01 yuan). Amounts in the
// warehouse lie within DECIMAL(18,2), |c| < 10^18 cents; arithmetic on
// Cents is plain integer arithmetic.
type Cents int64

// MaxCents is the largest amount DECIMAL(18,2) holds, 9999999999999999.99
// yuan; Parse rejects anything larger in magnitude with ErrRange.
const MaxCents Cents = 1e18 - 1

// Sentinel errors that a *ParseError wraps; test for them with errors.Is.
var (
	// ErrSyntax means the text is not a decimal amount: empty, a stray
	// character, an exponent, a bare sign, or a point without digits on
	// both sides (".5" and "5." are rejected: no operator should write them,
	// and accepting them would hide a truncated field).
	ErrSyntax = errors.New("not a decimal amount")
	// ErrPrecision means more than two fraction digits, as in "12.345" or
	// "12.340": the contract allows at most two, and an amount is never
	// rounded silently.
	ErrPrecision = errors.New("more than 2 fraction digits")
	// ErrThousands means the text groups digits with commas, as in
	// "1,234.5": the contract's plain form has none.
	ErrThousands = errors.New("thousands separator")
	// ErrRange means the amount is 10^16 yuan or more in magnitude, beyond
	// DECIMAL(18,2).
	ErrRange = errors.New("out of DECIMAL(18,2) range")
)

// maxQuoted caps how much of the input a ParseError keeps and prints.
const maxQuoted = 32

// ParseError is the error Parse returns. It keeps at most the first 32
// bytes of the input, so that a garbage field does not flood a log.
type ParseError struct {
	Input     string // the input, cut to at most 32 bytes on a rune boundary
	Truncated bool   // whether Input was cut
	Err       error  // ErrSyntax, ErrPrecision, ErrThousands or ErrRange
}

// Error returns e.g. `money: parsing "12.345": more than 2 fraction digits`.
func (e *ParseError) Error() string {
	q := strconv.Quote(e.Input)
	if e.Truncated {
		q += "..."
	}
	return "money: parsing " + q + ": " + e.Err.Error()
}

// Unwrap returns the sentinel error, for errors.Is.
func (e *ParseError) Unwrap() error { return e.Err }

// parseError builds a *ParseError for s, cutting it to maxQuoted bytes.
func parseError(s string, err error) *ParseError {
	e := &ParseError{Input: s, Err: err}
	if len(s) > maxQuoted {
		cut := maxQuoted
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		e.Input, e.Truncated = s[:cut], true
	}
	return e
}

// Parse reads a decimal amount of yuan: an optional sign ('-' or '+'), one
// or more ASCII digits (leading zeros allowed), and optionally a point
// followed by one or two digits, with the blank characters around it
// trimmed (package blank: white space, a no-break or ideographic space).
// "1234.5", "-20.00", "+0", "007" are amounts; ".5", "5.", "1e3", "１２",
// "1,234.5" and "12.345" are not. "-0" is zero. On failure the error is a
// *ParseError wrapping ErrSyntax, ErrThousands, ErrPrecision or ErrRange,
// checked in that order. Parse does not allocate unless it fails.
func Parse(s string) (Cents, error) {
	t := blank.Trim(s)
	i, neg := 0, false
	if len(t) > 0 && (t[0] == '-' || t[0] == '+') {
		neg = t[0] == '-'
		i++
	}
	var yuan uint64
	digits, commas, tooBig := 0, false, false
	for ; i < len(t); i++ {
		c := t[i]
		if c == ',' {
			commas = true
			continue
		}
		if c < '0' || c > '9' {
			break
		}
		digits++
		if yuan >= 1e16 {
			tooBig = true // keep scanning: a syntax error still wins
			continue
		}
		yuan = yuan*10 + uint64(c-'0')
	}
	if digits == 0 {
		return 0, parseError(s, ErrSyntax)
	}
	var frac uint64
	fracDigits := 0
	if i < len(t) && t[i] == '.' {
		i++
		for ; i < len(t) && t[i] >= '0' && t[i] <= '9'; i++ {
			if fracDigits < 2 {
				frac = frac*10 + uint64(t[i]-'0')
			}
			fracDigits++
		}
		if fracDigits == 0 {
			return 0, parseError(s, ErrSyntax)
		}
	}
	switch {
	case i != len(t):
		return 0, parseError(s, ErrSyntax)
	case commas:
		return 0, parseError(s, ErrThousands)
	case fracDigits > 2:
		return 0, parseError(s, ErrPrecision)
	case tooBig || yuan >= 1e16:
		return 0, parseError(s, ErrRange)
	}
	if fracDigits == 1 {
		frac *= 10
	}
	v := Cents(yuan*100 + frac)
	if neg {
		v = -v
	}
	return v, nil
}

// ParseNull is Parse of a nullable column read as text: nil for NULL.
func ParseNull(s sql.NullString) (*Cents, error) {
	if !s.Valid {
		return nil, nil
	}
	c, err := Parse(s.String)
	return &c, err
}

// ParseNulls parses the nullable amounts in into dst, in order: a query's
// money columns read as text.
func ParseNulls(in []sql.NullString, dst ...**Cents) error {
	for i, p := range dst {
		c, err := ParseNull(in[i])
		if err != nil {
			return err
		}
		*p = c
	}
	return nil
}

// Yuan returns y whole yuan as Cents. It panics if y*100 overflows int64,
// which no real amount does; use it for constants and test data.
func Yuan(y int64) Cents {
	if y > math.MaxInt64/100 || y < math.MinInt64/100 {
		panic("money: Yuan(" + strconv.FormatInt(y, 10) + ") overflows")
	}
	return Cents(y * 100)
}

// String returns the canonical form that Parse reads back and DuckDB's
// DECIMAL(18,2) accepts: an optional '-', the yuan without grouping or
// leading zeros, a point and always two digits, e.g. "-1234.50", "0.00".
func (c Cents) String() string {
	var buf [24]byte
	return string(c.AppendText(buf[:0]))
}

// AppendText appends the String form of c to dst and returns the extended
// buffer, without allocating when dst has room (24 bytes always suffice).
// Unlike encoding.TextAppender it returns no error: formatting cannot fail.
func (c Cents) AppendText(dst []byte) []byte {
	u := uint64(c)
	if c < 0 {
		dst = append(dst, '-')
		u = -u // two's complement: right for math.MinInt64 too
	}
	dst = strconv.AppendUint(dst, u/100, 10)
	f := u % 100
	return append(dst, '.', byte('0'+f/10), byte('0'+f%10))
}

// FormatCNY returns c for reports, yuan grouped by thousands with commas
// and two decimals: "1,234,567.89", "-0.50", "0.00". Parse rejects this
// form (ErrThousands) on purpose: it is for people, not for files.
func FormatCNY(c Cents) string {
	var plain [24]byte
	p := c.AppendText(plain[:0])
	sign := 0
	if p[0] == '-' {
		sign = 1
	}
	intDigits := len(p) - 3 - sign
	out := make([]byte, 0, len(p)+(intDigits-1)/3)
	out = append(out, p[:sign]...)
	for i, d := range p[sign : sign+intDigits] {
		if i > 0 && (intDigits-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, d)
	}
	return string(append(out, p[len(p)-3:]...))
}

// MulRatio returns c × num / den rounded to the nearest cent, halves away
// from zero (四舍五入, as Chinese accounting rounds; not banker's rounding),
// e.g. a 1/3 share of 100.00 is 33.33 and 0.05 × 1/2 is 0.03. The product
// is computed in 128 bits, so it does not overflow for any int64 operands
// whose result fits. It panics if den is 0 or the result does not fit in
// int64, as integer division by zero does.
func MulRatio(c Cents, num, den int64) Cents {
	if den == 0 {
		panic("money: MulRatio with zero denominator")
	}
	neg := (c < 0) != (num < 0) != (den < 0)
	hi, lo := bits.Mul64(abs(int64(c)), abs(num))
	d := abs(den)
	if hi >= d {
		panic("money: MulRatio overflows")
	}
	q, r := bits.Div64(hi, lo, d)
	if r >= d-r { // r/d ≥ 1/2, written so as not to overflow
		q++
		if q == 0 {
			panic("money: MulRatio overflows")
		}
	}
	if neg {
		if q > 1<<63 {
			panic("money: MulRatio overflows")
		}
		return Cents(-q)
	}
	if q > math.MaxInt64 {
		panic("money: MulRatio overflows")
	}
	return Cents(q)
}

// abs returns |x| as a uint64, exact for math.MinInt64.
func abs(x int64) uint64 {
	if x < 0 {
		return -uint64(x)
	}
	return uint64(x)
}
