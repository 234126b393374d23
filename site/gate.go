package site

import "huzhu/internal/privacy"

// The privacy gate is internal/privacy's, shared with the reports; these
// names are the site's since it had the gate first.
const (
	LeakPseudonym = privacy.LeakPseudonym
	LeakIDNumber  = privacy.LeakIDNumber
	LeakPhone     = privacy.LeakPhone
	LeakStaffID   = privacy.LeakStaffID
)

// ErrPrivacy is the sentinel of every privacy-gate failure.
var ErrPrivacy = privacy.ErrPrivacy

// LeakError names the file and the kind of what the gate found, never the
// value.
type LeakError = privacy.LeakError

// newGate is the site's gate: the operators' codes let through, the staff
// ids of the warehouse refused.
func newGate(d *Data) *privacy.Gate {
	codes := make([]string, len(d.Operators))
	for i, o := range d.Operators {
		codes[i] = o.Code
	}
	return privacy.New("site", codes, d.StaffIDs)
}
