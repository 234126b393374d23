// Package privacy is the gate every published file passes: it scans bytes
// for the shapes of a person's data — a member pseudonym, a citizen id
// number, a mobile phone number, a staff id — and refuses the file, naming
// the file, the kind and where, never the value. The member site and the
// supervisors' reports run it over everything they write.
package privacy

import (
	"errors"
	"fmt"
)

// Leak kinds the privacy gate refuses.
const (
	LeakPseudonym = "member pseudonym" // 32+ lowercase hex digits (hz_pseudo gives 32), or an "HZ1:" prefix
	LeakIDNumber  = "id number"        // 17 digits and a digit or X, not a published organisation code
	LeakPhone     = "phone number"     // 11 digits 1[3-9]…, not part of a longer number, nor a decimal's integer or fraction part
	LeakStaffID   = "staff id"         // a staff_id of core.dim_staff as a whole token
)

// ErrPrivacy is the sentinel of every privacy-gate failure.
var ErrPrivacy = errors.New("privacy gate")

// LeakError names the stage and file and the kind of what the gate found,
// and a hint of the value that gives none of it away (its length).
type LeakError struct {
	Stage, File, Kind, Hint string
	Offset                  int
}

// Error names the file, the kind of data and where, never the value.
func (e *LeakError) Error() string {
	return fmt.Sprintf("%s: privacy gate: %s holds a %s at byte %d (%s)", e.Stage, e.File, e.Kind, e.Offset, e.Hint)
}

// Unwrap makes errors.Is(err, ErrPrivacy) true.
func (e *LeakError) Unwrap() error { return ErrPrivacy }

// Gate scans published files for personal data. It works on bytes in one
// pass (no regular expressions: it runs over every byte of every page).
type Gate struct {
	stage   string
	allowed map[string]bool // whole tokens the stage publishes (organisation codes, finding ids)
	staff   map[string]bool
}

// New returns the gate of a stage ("site", "reports", which its errors
// name), letting through the tokens allowed as a whole — the organisation
// codes, which have the shape of an id number, a finding's id, whose hex
// digits can look like a phone — and refusing the staff ids staff.
func New(stage string, allowed, staff []string) *Gate {
	g := &Gate{stage: stage, allowed: map[string]bool{}, staff: map[string]bool{}}
	for _, c := range allowed {
		g.allowed[c] = true
	}
	for _, s := range staff {
		if s != "" {
			g.staff[s] = true
		}
	}
	return g
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isHex(c byte) bool   { return isDigit(c) || (c >= 'a' && c <= 'f') }
func isAlnum(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// Mask is what an error says of a value that may be a person's: its
// length only. Even a few of its characters are most of a short staff id.
func Mask(s string) string {
	return fmt.Sprintf("%d chars", len(s))
}

// Check returns the first leak in b, the bytes of file, or nil.
func (g *Gate) Check(file string, b []byte) error {
	leak := func(kind string, at int, v []byte) error {
		return &LeakError{Stage: g.stage, File: file, Kind: kind, Hint: Mask(string(v)), Offset: at}
	}
	n := len(b)
	for i := 0; i < n; {
		if !isAlnum(b[i]) {
			i++
			continue
		}
		// A token: a maximal run of ASCII letters and digits.
		j := i
		for j < n && isAlnum(b[j]) {
			j++
		}
		tok := b[i:j]
		if g.allowed[string(tok)] {
			// a code the stage publishes, whole (an organisation's, a
			// finding's id), whatever its digits look like
			i = j
			continue
		}
		if len(tok) == 3 && string(tok) == "HZ1" && j < n && b[j] == ':' {
			return leak(LeakPseudonym, i, b[i:min(n, j+9)])
		}
		if len(g.staff) > 0 && g.staff[string(tok)] {
			return leak(LeakStaffID, i, tok)
		}
		hex := 0
		for _, c := range tok {
			if !isHex(c) {
				hex = -1
				break
			}
			hex++
		}
		if hex >= 32 {
			return leak(LeakPseudonym, i, tok)
		}
		// Digit runs inside the token, not after a decimal point.
		for k := i; k < j; {
			if !isDigit(b[k]) {
				k++
				continue
			}
			m := k
			for m < j && isDigit(b[m]) {
				m++
			}
			afterPoint := k > 0 && b[k-1] == '.'
			run := m - k
			if !afterPoint {
				switch {
				case run == 18 || (run == 17 && m < j && (b[m] == 'X' || b[m] == 'x') && (m+1 == j || !isAlnum(b[m+1]))):
					code := string(b[k:min(k+18, n)])
					if !g.allowed[code] || !(k == i && k+18 == j) {
						return leak(LeakIDNumber, k, b[k:k+18])
					}
				case run == 11 && b[k] == '1' && b[k+1] >= '3' && b[k+1] <= '9' &&
					!(m+1 < n && b[m] == '.' && isDigit(b[m+1])): // not an amount's integer part
					return leak(LeakPhone, k, b[k:m])
				}
			}
			k = m
		}
		i = j
	}
	return nil
}
