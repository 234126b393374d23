package codes

import (
	"strings"
	"unicode/utf8"

	"huzhu/internal/blank"
)

// NormalizeCode returns s as the contract's "code" type wants it: full-width
// ASCII variants (U+FF01..U+FF5E) folded to ASCII and the ideographic space
// U+3000 to a space, surrounding white space (Unicode White_Space, plus the
// byte-order mark U+FEFF and zero-width space U+200B that spreadsheets leave
// behind) trimmed, and ASCII letters upper-cased. Other characters, inner
// spaces included, are kept; invalid UTF-8 bytes become U+FFFD. The result
// is a fixed point: NormalizeCode(NormalizeCode(s)) == NormalizeCode(s).
func NormalizeCode(s string) string {
	if isNormalASCII(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFF01 - '!'
		case r == 0x3000:
			r = ' '
		}
		if r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		b.WriteRune(r) // writes U+FFFD for an invalid byte
	}
	return strings.TrimFunc(b.String(), blank.Is)
}

// isNormalASCII reports whether s is already normal and all ASCII, the common
// case, which NormalizeCode then returns without allocating.
func isNormalASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || (c >= 'a' && c <= 'z') {
			return false
		}
	}
	return s == "" || (!blank.Is(rune(s[0])) && !blank.Is(rune(s[len(s)-1])))
}
