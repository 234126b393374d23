package codes

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// exampleMembers are the members of the product owner's hand-made batch,
// shared/examples/csv/51330100310200171N/2025-06-30/members.csv, with the
// birth_date and gender columns they were given; all numbers are valid and
// agree with those columns.
var exampleMembers = []struct {
	id, birth string
	male      bool
}{
	{"330106197602110111", "1976-02-11", true},
	{"330106197703120212", "1977-03-12", true},
	{"330106197804130321", "1978-04-13", false},
	{"330106197905140414", "1979-05-14", true},
	{"330106198006150517", "1980-06-15", true},
	{"330106198107160626", "1981-07-16", false},
	{"330106198208170719", "1982-08-17", true},
	{"33010619830918081X", "1983-09-18", true},
	{"330106198401190922", "1984-01-19", false},
	{"33010619850210101X", "1985-02-10", true},
	{"330106198603111110", "1986-03-11", true},
	{"33010619870412122X", "1987-04-12", false},
}

func TestIDCheck(t *testing.T) {
	tests := []struct {
		in      string
		want    byte
		wantErr error
	}{
		{"34052419800101001", 'X', nil}, // calibration.md worked example
		{"33010619760211011", '1', nil},
		{"33010619830918081", 'X', nil},
		{"33010619860311111", '0', nil},
		{"00000000000000000", '1', nil}, // sum 0 → '1'
		{"3405241980010100", 0, ErrLength},
		{"340524198001010013", 0, ErrLength},
		{"3405241980010100X", 0, ErrChar},
		{"34052419800１0100", 0, ErrLength},
		{"34052419800a01001", 0, ErrChar},
	}
	for _, tt := range tests {
		got, err := IDCheck(tt.in)
		if got != tt.want || !errors.Is(err, tt.wantErr) {
			t.Errorf("IDCheck(%q) = %q, %v, want %q, %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestValidID(t *testing.T) {
	tests := []struct {
		in      string
		wantErr error // nil: valid
	}{
		{"34052419800101001X", nil},      // calibration.md: valid
		{"340524198001010013", ErrCheck}, // calibration.md: not valid
		{"34052419800101001x", ErrChar},  // lower-case x: normalise first
		{"", ErrLength},
		{"34052419800101001", ErrLength},
		{"34052419800101001X0", ErrLength},
		{" 34052419800101001X", ErrLength},
		{"3405241980010100XX", ErrChar},
		{"34052419800101001Y", ErrChar},
		{"340524198002300019", ErrDate}, // 30 February, check digit right
		{"340524198013010017", ErrDate}, // month 13, check digit right
		{"340524198001000014", ErrDate}, // day 0, check digit right
		{"110101200002290018", nil},     // 2000 was a leap year
		{"110101190002290011", ErrDate}, // 1900 was not
		{"110101179912310010", ErrDate}, // before 1800
		{"33010620241231001X", nil},     // a newborn
		{"34052419800101001X\n", ErrLength},
	}
	for _, m := range exampleMembers {
		tests = append(tests, struct {
			in      string
			wantErr error
		}{m.id, nil})
	}
	for _, tt := range tests {
		err := CheckID(tt.in)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("CheckID(%q) = %v, want %v", tt.in, err, tt.wantErr)
		}
		if got, want := ValidID(tt.in), tt.wantErr == nil; got != want {
			t.Errorf("ValidID(%q) = %v, want %v", tt.in, got, want)
		}
	}
}

// TestIDErrorsHidePII checks that no error repeats the number, which is
// personal data.
func TestIDErrorsHidePII(t *testing.T) {
	for _, s := range []string{"340524198001010013", "340524198002300019", "3405241980010100XX", "34052419800101001"} {
		err := CheckID(s)
		if err == nil {
			t.Fatalf("CheckID(%q) = nil, want an error", s)
		}
		if strings.Contains(err.Error(), s[:10]) {
			t.Errorf("CheckID(%q) = %q, which repeats the number", s, err)
		}
	}
}

func TestIDFacts(t *testing.T) {
	type facts struct {
		region string
		birth  string
		male   bool
	}
	tests := []struct {
		in      string
		want    facts
		wantErr error
	}{
		{"34052419800101001X", facts{"340524", "1980-01-01", true}, nil},
		{"33010619780413032X", facts{}, ErrCheck},
		{"330106197804130321", facts{"330106", "1978-04-13", false}, nil},
		{"340524198001010013", facts{}, ErrCheck},
		{"abc", facts{}, ErrLength},
	}
	for _, m := range exampleMembers {
		tests = append(tests, struct {
			in      string
			want    facts
			wantErr error
		}{m.id, facts{"330106", m.birth, m.male}, nil})
	}
	for _, tt := range tests {
		region, birth, male, err := IDFacts(tt.in)
		got := facts{region, "", male}
		if err == nil {
			got.birth = birth.Format(time.DateOnly)
			if birth.Location() != time.UTC || birth.Hour() != 0 {
				t.Errorf("IDFacts(%q) birth = %v, want midnight UTC", tt.in, birth)
			}
		}
		if got != tt.want || !errors.Is(err, tt.wantErr) {
			t.Errorf("IDFacts(%q) = %+v, %v, want %+v, %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestMakeID(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	tests := []struct {
		region  string
		birth   time.Time
		seq     int
		want    string
		wantErr error
	}{
		{"340524", time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC), 1, "34052419800101001X", nil},
		{"330106", time.Date(1976, 2, 11, 0, 0, 0, 0, time.UTC), 11, "330106197602110111", nil},
		{"330106", time.Date(1987, 4, 12, 0, 0, 0, 0, time.UTC), 122, "33010619870412122X", nil},
		// The date is read in birth's own location, not converted to UTC.
		{"330106", time.Date(1978, 4, 13, 1, 0, 0, 0, shanghai), 32, "330106197804130321", nil},
		{"110101", time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC), 1, "110101200002290018", nil},
		{"110101", time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC), 0, "110101180001010007", nil},
		{"110101", time.Date(1990, 5, 6, 0, 0, 0, 0, time.UTC), 999, "110101199005069997", nil},
		{"11010", time.Date(1990, 5, 6, 0, 0, 0, 0, time.UTC), 1, "", ErrLength},
		{"11010X", time.Date(1990, 5, 6, 0, 0, 0, 0, time.UTC), 1, "", ErrChar},
		{"110101", time.Date(1799, 12, 31, 0, 0, 0, 0, time.UTC), 1, "", ErrDate},
		{"110101", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), 1, "", ErrDate},
		{"110101", time.Time{}, 1, "", ErrDate},
		{"110101", time.Date(1990, 5, 6, 0, 0, 0, 0, time.UTC), -1, "", ErrChar},
		{"110101", time.Date(1990, 5, 6, 0, 0, 0, 0, time.UTC), 1000, "", ErrChar},
	}
	for _, tt := range tests {
		got, err := MakeID(tt.region, tt.birth, tt.seq)
		if got != tt.want || !errors.Is(err, tt.wantErr) {
			t.Errorf("MakeID(%q, %v, %d) = %q, %v, want %q, %v", tt.region, tt.birth, tt.seq, got, err, tt.want, tt.wantErr)
		}
	}
}

// TestMakeIDRoundTrip walks days across leap years and centuries and all
// sequence numbers: MakeID → ValidID → IDFacts gives back what went in.
func TestMakeIDRoundTrip(t *testing.T) {
	regions := []string{"330106", "440305", "510100", "340524", "000000"}
	day := time.Date(1899, 12, 25, 0, 0, 0, 0, time.UTC)
	for i := range 3000 {
		birth := day.AddDate(0, 0, i*47)
		region, seq := regions[i%len(regions)], (i*7)%1000
		s, err := MakeID(region, birth, seq)
		if err != nil {
			t.Fatalf("MakeID(%q, %v, %d): %v", region, birth, seq, err)
		}
		if !ValidID(s) {
			t.Errorf("ValidID(%q) = false, want true (from MakeID(%q, %v, %d))", s, region, birth, seq)
		}
		r, b, male, err := IDFacts(s)
		if err != nil || r != region || !b.Equal(birth) || male != (seq%2 == 1) {
			t.Errorf("IDFacts(%q) = %q, %v, %v, %v, want %q, %v, %v, nil", s, r, b, male, err, region, birth, seq%2 == 1)
		}
	}
}

// TestIDSingleMutations replaces each character of valid numbers by every
// other allowed character and a few disallowed ones: MOD 11-2 catches every
// single substitution, since 11 is prime and no weight is 0 mod 11.
func TestIDSingleMutations(t *testing.T) {
	valid := []string{"34052419800101001X"}
	for _, m := range exampleMembers {
		valid = append(valid, m.id)
	}
	for _, s := range valid {
		for i := range len(s) {
			for _, c := range "0123456789Xx ａ-" {
				m := s[:i] + string(c) + s[i+1:]
				if m == s {
					continue
				}
				if ValidID(m) {
					t.Errorf("ValidID(%q) = true, want false (position %d of %q changed)", m, i+1, s)
				}
			}
		}
	}
}
