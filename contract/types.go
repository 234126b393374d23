package contract

import (
	"regexp"
	"strings"
	"time"
)

// The contract's date and timestamp forms (contract-v1, "Types"), in Go:
// what the HTTP source places rows by, and the reference the transform's
// SQL macros hz_date and hz_ts are fuzzed against.

var (
	dateForm = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
	tsForm   = regexp.MustCompile(`^([0-9]{4}-[0-9]{2}-[0-9]{2})[Tt ](([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9])(\.[0-9]{1,6})?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?$`)
)

// space is the ASCII white space a date, a timestamp or an amount may have
// around it (a padded spreadsheet cell), as internal/money trims it.
const space = " \t\n\v\f\r"

// ParseDate parses YYYY-MM-DD, a real calendar date, ASCII white space
// around it trimmed.
func ParseDate(s string) (time.Time, bool) {
	s = strings.Trim(s, space)
	if !dateForm.MatchString(s) {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, s)
	return t, err == nil
}

// ParseTS parses RFC 3339 with an offset (fractions to the microsecond, as
// DuckDB keeps them; t and z in either case), or a date and time without
// one, which means Beijing time (+08:00, no summer time since 1991); ASCII
// white space around it is trimmed.
func ParseTS(s string) (time.Time, bool) {
	m := tsForm.FindStringSubmatch(strings.Trim(s, space))
	if m == nil {
		return time.Time{}, false
	}
	zone := Beijing
	if off := m[5]; off != "" {
		if off == "Z" || off == "z" {
			zone = time.UTC
		} else {
			t, err := time.Parse("-07:00", off)
			if err != nil {
				return time.Time{}, false
			}
			_, secs := t.Zone()
			zone = time.FixedZone("", secs)
		}
	}
	t, err := time.ParseInLocation("2006-01-02 15:04:05", m[1]+" "+m[2], zone)
	if err != nil {
		return time.Time{}, false
	}
	if frac := m[4]; frac != "" {
		ns := frac[1:] + strings.Repeat("0", 9-len(frac[1:])) // at most 6 digits: whole µs
		d, _ := time.ParseDuration(ns + "ns")
		t = t.Add(d)
	}
	return t, true
}
