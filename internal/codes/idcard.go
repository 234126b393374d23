package codes

import (
	"fmt"
	"time"
)

// idWeights are the GB 11643-1999 weights (2^(17-i) mod 11) of the first 17
// digits of a resident identity number.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// idChecks maps the weighted sum mod 11 to the check character (ISO 7064
// MOD 11-2).
const idChecks = "10X98765432"

// minBirthYear is the earliest birth year accepted: nobody born before it
// holds a number, and a floor keeps "00000101"-like garbage out.
const minBirthYear = 1800

// IDCheck returns the GB 11643-1999 check character ('0'..'9' or 'X') for
// the first 17 digits of a resident identity number. It checks only that
// first17 is 17 ASCII digits, not the birth date.
func IDCheck(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, fmt.Errorf("codes: citizen ID body: %w: %d bytes, want 17", ErrLength, len(first17))
	}
	c, bad := idCheck(first17)
	if bad > 0 {
		return 0, fmt.Errorf("codes: citizen ID body: %w at position %d", ErrChar, bad)
	}
	return c, nil
}

// idCheck computes the check character of 17 bytes, or returns the 1-based
// position of the first byte that is not an ASCII digit.
func idCheck(first17 string) (check byte, bad int) {
	sum := 0
	for i := range 17 {
		c := first17[i]
		if c < '0' || c > '9' {
			return 0, i + 1
		}
		sum += int(c-'0') * idWeights[i]
	}
	return idChecks[sum%11], 0
}

// CheckID reports why s is not a valid resident identity number, or nil if
// it is one. A valid number has 18 characters: 17 ASCII digits (region,
// birth date YYYYMMDD, sequence) and a check character '0'..'9' or an
// upper-case 'X'; the birth date must be a calendar date in or after 1800.
// The region is not looked up in the region table, since numbers keep the
// region they were first issued in, long since renamed or merged. The error
// wraps ErrLength, ErrChar, ErrDate or ErrCheck and never repeats s, which
// is personal data.
func CheckID(s string) error {
	if len(s) != 18 {
		return fmt.Errorf("codes: citizen ID: %w: %d bytes, want 18", ErrLength, len(s))
	}
	c, bad := idCheck(s[:17])
	if bad > 0 {
		return fmt.Errorf("codes: citizen ID: %w at position %d", ErrChar, bad)
	}
	if last := s[17]; (last < '0' || last > '9') && last != 'X' {
		return fmt.Errorf("codes: citizen ID: %w at position 18", ErrChar)
	}
	if _, ok := birthDate(s[6:14]); !ok {
		return fmt.Errorf("codes: citizen ID: %w", ErrDate)
	}
	if s[17] != c {
		return fmt.Errorf("codes: citizen ID: %w at position 18", ErrCheck)
	}
	return nil
}

// ValidID reports whether s is a valid 18-character resident identity
// number; see CheckID for the rules and the reason when it is not.
func ValidID(s string) bool {
	return CheckID(s) == nil
}

// CalendarDate parses eight ASCII digits YYYYMMDD that make a calendar
// date, of any year, into midnight UTC of that day.
func CalendarDate(s string) (time.Time, bool) {
	if len(s) != 8 {
		return time.Time{}, false
	}
	n := 0
	for i := range 8 {
		if s[i] < '0' || s[i] > '9' {
			return time.Time{}, false
		}
		n = n*10 + int(s[i]-'0')
	}
	y, m, d := n/10000, time.Month(n/100%100), n%100
	if m < 1 || m > 12 || d < 1 {
		return time.Time{}, false
	}
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // time.Date normalised an overflowing day, e.g. 02-30
		return time.Time{}, false
	}
	return t, true
}

// birthDate is CalendarDate of a date of birth, from minBirthYear on.
func birthDate(s string) (time.Time, bool) {
	t, ok := CalendarDate(s)
	if !ok || t.Year() < minBirthYear {
		return time.Time{}, false
	}
	return t, true
}

// MakeID builds a valid resident identity number from region6 (six digits,
// not looked up in the region table), the calendar date of birth (its year,
// month and day in birth's own location; years 1800 to 9999) and seq, the
// three-digit sequence 0..999, whose parity is the sex: odd for men.
func MakeID(region6 string, birth time.Time, seq int) (string, error) {
	if len(region6) != 6 {
		return "", fmt.Errorf("codes: citizen ID region %s: %w: want 6 digits", quote(region6), ErrLength)
	}
	for i := range 6 {
		if region6[i] < '0' || region6[i] > '9' {
			return "", fmt.Errorf("codes: citizen ID region %s: %w: want 6 digits", quote(region6), ErrChar)
		}
	}
	y, m, d := birth.Date()
	if y < minBirthYear || y > 9999 {
		return "", fmt.Errorf("codes: citizen ID birth year %d: %w", y, ErrDate)
	}
	if seq < 0 || seq > 999 {
		return "", fmt.Errorf("codes: citizen ID sequence %d: %w: want 0..999", seq, ErrChar)
	}
	b := make([]byte, 0, 18)
	b = append(b, region6...)
	b = fmt.Appendf(b, "%04d%02d%02d%03d", y, int(m), d, seq)
	c, err := IDCheck(string(b))
	if err != nil {
		return "", err
	}
	return string(append(b, c)), nil
}

// IDFacts returns what a valid resident identity number says about its
// holder: the six-digit region it was issued in, the date of birth (midnight
// UTC of that day) and whether the holder is male (odd sequence number).
// It returns CheckID's error for an invalid number.
func IDFacts(s string) (region string, birth time.Time, male bool, err error) {
	if err := CheckID(s); err != nil {
		return "", time.Time{}, false, err
	}
	birth, _ = birthDate(s[6:14])
	return s[:6], birth, (s[16]-'0')%2 == 1, nil
}
