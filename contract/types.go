package contract

import (
	"regexp"
	"strings"
	"time"

	"huzhu/internal/blank"
)

// The contract's date and timestamp forms (contract-v1, "Types"), in Go:
// what the HTTP source places rows by, and the reference the transform's
// SQL macros hz_date and hz_ts are fuzzed against.

var (
	dateForm = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
	tsForm   = regexp.MustCompile(`^([0-9]{4}-[0-9]{2}-[0-9]{2})[Tt ](([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9])(\.[0-9]{1,6})?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?$`)
)

// ParseDate parses YYYY-MM-DD, a real calendar date, the blank characters
// around it (package blank: a padded spreadsheet cell, a no-break or
// ideographic space) trimmed, as around an amount or a code.
func ParseDate(s string) (time.Time, bool) {
	s = blank.Trim(s)
	if !dateForm.MatchString(s) {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, s)
	return t, err == nil
}

// ParseTS parses RFC 3339 with an offset (fractions to the microsecond, as
// DuckDB keeps them; t and z in either case), or a date and time without
// one, which means Beijing time (+08:00, no summer time since 1991); the
// blank characters around it are trimmed, as around a date.
func ParseTS(s string) (time.Time, bool) {
	m := tsForm.FindStringSubmatch(blank.Trim(s))
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
