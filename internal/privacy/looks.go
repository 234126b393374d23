package privacy

import (
	"unicode"

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
	run, sep := 0, false // digits in the run; the last rune was a separator after a digit
	for _, r := range v {
		switch {
		case unicode.Is(unicode.Han, r):
			return true
		case r >= '0' && r <= '9':
			if run++; run >= 11 {
				return true
			}
			sep = false
		case (r == ' ' || r == '-') && run > 0 && !sep:
			sep = true
		default:
			run, sep = 0, false
		}
	}
	return false
}
