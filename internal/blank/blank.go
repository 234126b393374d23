// Package blank says which characters around a value an operator's file
// may carry that are no part of it, and trims them: Unicode white space
// (the ASCII spaces and controls \t \n \v \f \r, the no-break space
// U+00A0 a web page or a spreadsheet leaves, the ideographic space U+3000
// a Chinese input method types, the other Unicode spaces) and the byte
// order mark and zero-width space that spreadsheets leave. Codes, dates,
// timestamps and amounts are trimmed of them alike (internal/codes,
// contract, internal/money); the transform's SQL macros trim the same set
// (hz_blank in transform/sql/macros.sql), fuzzed against these.
package blank

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Is reports whether r is trimmed from either end of a value.
func Is(r rune) bool {
	return unicode.IsSpace(r) || r == '\uFEFF' || r == '\u200B'
}

// Trim returns s without the blank characters at either end. A value that
// begins and ends with a printable ASCII character (the common case) is
// returned as it is, without looking further.
func Trim(s string) string {
	if s == "" || (s[0] > ' ' && s[0] < utf8.RuneSelf && s[len(s)-1] > ' ' && s[len(s)-1] < utf8.RuneSelf) {
		return s
	}
	return strings.TrimFunc(s, Is)
}
