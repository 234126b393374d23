package privacy

import (
	"unicode"
	"unicode/utf8"

	"huzhu/internal/codes"
)

// LooksPersonal says whether a value may be a person's data out of its
// column: a Chinese character (a name) or a run of 11 or more digits (an id
// number, a phone, a bank card; a single space or dash between two digits
// does not end the run: 139-0570-0013), unless it is a valid USCC, an
// organisation's code that often holds such a run. Extract masks such
// values in a refused record of an entity of personal data; the
// transform's hz_looks_personal (transform/sql/macros.sql) is the same
// test.
func LooksPersonal(v string) bool {
	if codes.ValidUSCC(codes.NormalizeCode(v)) {
		return false
	}
	return hasHan(v) || digitRun(v)
}

// Candidate is the cheap test a code naming a person (a member_ref, a
// staff_id: contract.PersonRef) passes before LooksPersonal is asked: a
// character beyond ASCII, or a run of 11 digits as LooksPersonal counts
// it. Every value that looks personal is a candidate; nearly no reference
// of an operator that keys its members by its own numbers is. Extract
// tests references so (extract/pseudonymise.go), and the transform's
// hz_ref_candidate (transform/sql/macros.sql) is the same test, fuzzed
// against this one.
func Candidate(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] >= utf8.RuneSelf {
			return true
		}
	}
	return digitRun(v)
}

// hasHan reports whether v holds a Chinese character (a name).
func hasHan(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] >= utf8.RuneSelf {
			for _, r := range v[i:] {
				if unicode.Is(unicode.Han, r) {
					return true
				}
			}
			return false
		}
	}
	return false
}

// digitRun reports whether v holds 11 digits in a row, a single space or
// dash between two of them not ending the run (139-0570-0013). Any other
// character, a byte of one beyond ASCII too, ends it.
func digitRun(v string) bool {
	run, sep := 0, false // digits in the run; the last byte was a separator after a digit
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= '0' && c <= '9':
			if run++; run >= 11 {
				return true
			}
			sep = false
		case (c == ' ' || c == '-') && run > 0 && !sep:
			sep = true
		default:
			run, sep = 0, false
		}
	}
	return false
}
