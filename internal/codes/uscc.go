package codes

import (
	"fmt"
	"strings"
)

// usccAlphabet lists the 31 characters of GB 32100-2015 in value order:
// digits and upper-case letters without I, O, S, V and Z.
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccWeights are the GB 32100-2015 weights of characters 1 to 17 (3^i mod 31).
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// orgWeights are the GB 11714 weights of the eight body characters of an
// organisation code.
var orgWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// registrationAuthorities are the GB 32100-2015 codes of the registering
// authority, the first character of a USCC: 1 机构编制, 2 外交, 3 司法行政,
// 4 文化, 5 民政, 6 旅游, 7 宗教, 8 工会, 9 市场监管(工商), A 中央军委改革和编制,
// N 农业, Y 其他.
const registrationAuthorities = "123456789ANY"

// usccValue returns the GB 32100 value (0..30) of c, or -1 if c is not in
// the alphabet.
func usccValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'Y':
		if i := strings.IndexByte(usccAlphabet[10:], c); i >= 0 {
			return i + 10
		}
	}
	return -1
}

// orgValue returns the GB 11714 value of c (digits 0..9, A..Z 10..35), or -1
// for any other byte, lower-case letters included.
func orgValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return -1
}

// USCCCheck returns the GB 32100-2015 check character for the first 17
// characters of a unified social credit code. first17 must be exactly 17
// characters from the USCC alphabet (digits and upper-case letters other
// than I, O, S, V, Z); it does not check the embedded organisation code.
func USCCCheck(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, fmt.Errorf("codes: USCC body %s: %w: %d bytes, want 17", quote(first17), ErrLength, len(first17))
	}
	sum := 0
	for i := range 17 {
		v := usccValue(first17[i])
		if v < 0 {
			return 0, fmt.Errorf("codes: USCC body %s: %w at position %d", quote(first17), ErrChar, i+1)
		}
		sum += v * usccWeights[i]
	}
	return usccAlphabet[(31-sum%31)%31], nil
}

// OrgCodeCheck returns the GB 11714 check character ('0'..'9' or 'X') for
// the eight body characters of an organisation code. first8 must be exactly
// 8 digits or upper-case ASCII letters.
func OrgCodeCheck(first8 string) (byte, error) {
	if len(first8) != 8 {
		return 0, fmt.Errorf("codes: organisation code body %s: %w: %d bytes, want 8", quote(first8), ErrLength, len(first8))
	}
	sum := 0
	for i := range 8 {
		v := orgValue(first8[i])
		if v < 0 {
			return 0, fmt.Errorf("codes: organisation code body %s: %w at position %d", quote(first8), ErrChar, i+1)
		}
		sum += v * orgWeights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X', nil
	case 11:
		return '0', nil
	default:
		return byte('0' + c), nil
	}
}

// CheckUSCC reports why s is not a valid unified social credit code, or nil
// if it is one. A valid code has 18 characters from the USCC alphabet: a
// registering authority from "123456789ANY", a type character, six digits of
// region, an organisation code (8 body characters and a GB 11714 check
// character) and a GB 32100-2015 check character. The region digits are not
// looked up in the region table: codes keep the region they were issued in.
// The returned error wraps ErrLength, ErrChar or ErrCheck.
func CheckUSCC(s string) error {
	if len(s) != 18 {
		return fmt.Errorf("codes: USCC %s: %w: %d bytes, want 18", quote(s), ErrLength, len(s))
	}
	for i := range 18 {
		if usccValue(s[i]) < 0 {
			return fmt.Errorf("codes: USCC %s: %w at position %d", quote(s), ErrChar, i+1)
		}
	}
	if strings.IndexByte(registrationAuthorities, s[0]) < 0 {
		return fmt.Errorf("codes: USCC %s: %w at position 1: unknown registering authority", quote(s), ErrChar)
	}
	for i := 2; i < 8; i++ {
		if s[i] < '0' || s[i] > '9' {
			return fmt.Errorf("codes: USCC %s: %w at position %d: region must be digits", quote(s), ErrChar, i+1)
		}
	}
	oc, err := OrgCodeCheck(s[8:16])
	if err != nil {
		return fmt.Errorf("codes: USCC %s: %w", quote(s), err)
	}
	if s[16] != oc {
		return fmt.Errorf("codes: USCC %s: organisation code %w at position 17", quote(s), ErrCheck)
	}
	c, err := USCCCheck(s[:17])
	if err != nil {
		return fmt.Errorf("codes: USCC %s: %w", quote(s), err)
	}
	if s[17] != c {
		return fmt.Errorf("codes: USCC %s: %w at position 18", quote(s), ErrCheck)
	}
	return nil
}

// ValidUSCC reports whether s is a valid unified social credit code,
// including the check of the organisation code in characters 9 to 17; see
// CheckUSCC for the rules and the reason when it is not.
func ValidUSCC(s string) bool {
	return CheckUSCC(s) == nil
}

// MakeUSCC builds a valid unified social credit code from prefix2 (the
// registering authority and the organisation type, e.g. "51" social
// organisation, "81" trade union, "12" public institution), region6 (six
// digits, not looked up in the region table) and orgBody8 (the eight body
// characters of the organisation code, from the USCC alphabet), appending
// the organisation code check and the USCC check characters.
func MakeUSCC(prefix2, region6, orgBody8 string) (string, error) {
	if len(prefix2) != 2 || strings.IndexByte(registrationAuthorities, prefix2[0]) < 0 || usccValue(prefix2[1]) < 0 {
		return "", fmt.Errorf("codes: USCC prefix %s: %w: want a registering authority from %q and a type character", quote(prefix2), ErrChar, registrationAuthorities)
	}
	if len(region6) != 6 {
		return "", fmt.Errorf("codes: USCC region %s: %w: want 6 digits", quote(region6), ErrLength)
	}
	for i := range 6 {
		if region6[i] < '0' || region6[i] > '9' {
			return "", fmt.Errorf("codes: USCC region %s: %w: want 6 digits", quote(region6), ErrChar)
		}
	}
	if len(orgBody8) != 8 {
		return "", fmt.Errorf("codes: organisation code body %s: %w: %d bytes, want 8", quote(orgBody8), ErrLength, len(orgBody8))
	}
	for i := range 8 {
		if usccValue(orgBody8[i]) < 0 {
			return "", fmt.Errorf("codes: organisation code body %s: %w at position %d", quote(orgBody8), ErrChar, i+1)
		}
	}
	oc, err := OrgCodeCheck(orgBody8)
	if err != nil {
		return "", err
	}
	var b [18]byte
	copy(b[:2], prefix2)
	copy(b[2:8], region6)
	copy(b[8:16], orgBody8)
	b[16] = oc
	c, err := USCCCheck(string(b[:17]))
	if err != nil {
		return "", err
	}
	b[17] = c
	return string(b[:]), nil
}
