package privacy

import "testing"

// looksPersonalCases are values with the answer LooksPersonal gives (the
// transform holds its SQL twin, hz_looks_personal, to LooksPersonal).
var looksPersonalCases = []struct {
	V    string
	Want bool
}{
	{"周强芳", true},
	{"Zhou 强", true},
	{"330127197306194199", true}, // an id number
	{"33012719730619419X", true},
	{"19916471317", true}, // a mobile
	{"tel 139-0570-0052", true},
	{"139 0570 0052", true},
	{"139--0570-0052", false}, // two separators end the run
	{"2025-06-30 09:00:00", false},
	{"6222021001115555", true},    // a bank card
	{"51330100310200171N", false}, // a valid USCC
	{"513300005007580458", true},  // eighteen digits that are no valid USCC
	{"５１３３０１００３１０２００１７１Ｎ", false}, // the USCC in full-width, as hz_code folds it
	{"1234567890", false},
	{"2025-06-30T09:00:00+08:00", false},
	{"active", false},
	{"M", false},
	{"", false},
}

func TestLooksPersonal(t *testing.T) {
	for _, c := range looksPersonalCases {
		if got := LooksPersonal(c.V); got != c.Want {
			t.Errorf("LooksPersonal(%q) = %v; want %v", c.V, got, c.Want)
		}
	}
}
