package codes

import (
	"errors"
	"strings"
	"testing"
)

// exampleUSCCs are the organisation codes of the product owner's hand-made
// batch, shared/examples/csv/51330100310200171N/2025-06-30/organizations.csv
// (org_code and parent_code); all of them are valid.
var exampleUSCCs = []string{
	"81110000100000112P", // 中华全国总工会
	"81330000310000137P", // 浙江省总工会
	"813301003101001548", // 杭州市总工会
	"51330100310200171N", // 杭州市职工互助保障会, the operator
	"81330106310300199P", // 杭州市西湖区某软件公司工会委员会
}

// publicUSCCs are codes from outside the project, to anchor the algorithm
// in something it did not produce: the worked example of GB 32100-2015 and
// the published codes of two companies.
var publicUSCCs = []string{
	"91350100M000100Y43", // GB 32100-2015 example
	"914403001922038216", // 华为技术有限公司
	"9144030071526726XG", // 深圳市腾讯计算机系统有限公司
}

func TestUSCCCheck(t *testing.T) {
	tests := []struct {
		in      string
		want    byte
		wantErr error
	}{
		{"81110000100000112", 'P', nil},
		{"51330100310200171", 'N', nil},
		{"81330106310300199", 'P', nil},
		{"81330100310100154", '8', nil},
		{"91350100M000100Y4", '3', nil},
		{"9144030071526726X", 'G', nil},
		{"00000000000000000", '0', nil},
		{"8133010631030019", 0, ErrLength},
		{"813301063103001990", 0, ErrLength},
		{"", 0, ErrLength},
		{"8133010631030019I", 0, ErrChar}, // I is not in the alphabet
		{"8133010631030019O", 0, ErrChar},
		{"8133010631030019Z", 0, ErrChar},
		{"8133010631030019p", 0, ErrChar}, // lower case
		{"８133010631030019P", 0, ErrLength},
	}
	for _, tt := range tests {
		got, err := USCCCheck(tt.in)
		if got != tt.want || !errors.Is(err, tt.wantErr) {
			t.Errorf("USCCCheck(%q) = %q, %v, want %q, %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestOrgCodeCheck(t *testing.T) {
	tests := []struct {
		in      string
		want    byte
		wantErr error
	}{
		{"10000011", '2', nil},
		{"31000013", '7', nil},
		{"31010015", '4', nil},
		{"31020017", '1', nil},
		{"31030019", '9', nil},
		{"19220382", '1', nil}, // 华为
		{"M000100Y", '4', nil}, // GB 32100 example; letters count 10..35
		{"71526726", 'X', nil}, // remainder 1: 11-1 = 10 → X
		{"00000000", '0', nil}, // remainder 0: 11-0 = 11 → 0
		{"0000000Z", '7', nil}, // Z = 35 is a valid org-code character
		{"3103001", 0, ErrLength},
		{"310300199", 0, ErrLength},
		{"3103001a", 0, ErrChar},
		{"3103001-", 0, ErrChar},
	}
	for _, tt := range tests {
		got, err := OrgCodeCheck(tt.in)
		if got != tt.want || !errors.Is(err, tt.wantErr) {
			t.Errorf("OrgCodeCheck(%q) = %q, %v, want %q, %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestValidUSCC(t *testing.T) {
	tests := []struct {
		in      string
		wantErr error // nil: valid
	}{
		{"", ErrLength},
		{"81330106310300199", ErrLength},
		{"81330106310300199PP", ErrLength},
		{"81330106310300199p", ErrChar},    // lower-case check: normalise first
		{" 81330106310300199P", ErrLength}, // untrimmed
		{"８1330106310300199P", ErrLength},  // full-width digit is 3 bytes
		{"I1330106310300199P", ErrChar},    // not in the alphabet
		{"01330106310300199P", ErrChar},    // 0 is no registering authority
		{"8133A106310300199P", ErrChar},    // region must be digits
		{"81330106310300198P", ErrCheck},   // org-code check wrong
		{"81330106310300199Q", ErrCheck},   // USCC check wrong
		{"813301063103001X9F", ErrCheck},   // X in the org check, but the wrong one
		{"51330100310200171N", nil},        // the operator
		{"12330100MB0000000K", nil},        // a public institution, letters in the org code
	}
	for _, s := range exampleUSCCs {
		tests = append(tests, struct {
			in      string
			wantErr error
		}{s, nil})
	}
	for _, s := range publicUSCCs {
		tests = append(tests, struct {
			in      string
			wantErr error
		}{s, nil})
	}
	for _, tt := range tests {
		err := CheckUSCC(tt.in)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("CheckUSCC(%q) = %v, want %v", tt.in, err, tt.wantErr)
		}
		if got, want := ValidUSCC(tt.in), tt.wantErr == nil; got != want {
			t.Errorf("ValidUSCC(%q) = %v, want %v", tt.in, got, want)
		}
	}
}

// TestValidUSCCNeedsOrgCode shows that the USCC check alone is not enough:
// a code whose last character is right but whose embedded organisation code
// is not is rejected.
func TestValidUSCCNeedsOrgCode(t *testing.T) {
	body := "81330106310300198" // org check should be 9
	c, err := USCCCheck(body)
	if err != nil {
		t.Fatalf("USCCCheck(%q): %v", body, err)
	}
	s := body + string(c)
	if err := CheckUSCC(s); !errors.Is(err, ErrCheck) {
		t.Errorf("CheckUSCC(%q) = %v, want %v", s, err, ErrCheck)
	}
}

func TestMakeUSCC(t *testing.T) {
	tests := []struct {
		prefix, region, body string
		want                 string
		wantErr              error
	}{
		{"51", "330100", "31020017", "51330100310200171N", nil},
		{"81", "330106", "31030019", "81330106310300199P", nil},
		{"81", "110000", "10000011", "81110000100000112P", nil},
		{"81", "330100", "31010015", "813301003101001548", nil},
		{"91", "440300", "71526726", "9144030071526726XG", nil},
		{"91", "350100", "M000100Y", "91350100M000100Y43", nil},
		{"12", "330100", "MB000000", "12330100MB0000000K", nil},
		{"5", "330100", "31020017", "", ErrChar},
		{"511", "330100", "31020017", "", ErrChar},
		{"01", "330100", "31020017", "", ErrChar}, // no authority 0
		{"B1", "330100", "31020017", "", ErrChar}, // no authority B
		{"5I", "330100", "31020017", "", ErrChar},
		{"51", "33010", "31020017", "", ErrLength},
		{"51", "33010A", "31020017", "", ErrChar},
		{"51", "330100", "3102001", "", ErrLength},
		{"51", "330100", "3102001Z", "", ErrChar}, // Z is an org-code character but not a USCC one
		{"51", "330100", "3102001o", "", ErrChar},
	}
	for _, tt := range tests {
		got, err := MakeUSCC(tt.prefix, tt.region, tt.body)
		if got != tt.want || !errors.Is(err, tt.wantErr) {
			t.Errorf("MakeUSCC(%q, %q, %q) = %q, %v, want %q, %v", tt.prefix, tt.region, tt.body, got, err, tt.want, tt.wantErr)
		}
	}
}

// TestMakeUSCCRoundTrip builds codes over many prefixes, regions and bodies
// and checks each is valid and splits back into its parts.
func TestMakeUSCCRoundTrip(t *testing.T) {
	prefixes := []string{"11", "12", "13", "19", "51", "52", "53", "59", "81", "89", "91", "92", "93", "N1", "Y1"}
	regions := []string{"110000", "330100", "330106", "440305", "510100", "000000", "999999"}
	for i := range 2000 {
		var body [8]byte
		x := uint32(i)*2654435761 + 12345
		for j := range body {
			body[j] = usccAlphabet[x%31]
			x = x*1103515245 + 12345
		}
		p, r := prefixes[i%len(prefixes)], regions[i%len(regions)]
		s, err := MakeUSCC(p, r, string(body[:]))
		if err != nil {
			t.Fatalf("MakeUSCC(%q, %q, %q): %v", p, r, body, err)
		}
		if !ValidUSCC(s) {
			t.Errorf("ValidUSCC(%q) = false, want true (from MakeUSCC(%q, %q, %q))", s, p, r, body)
		}
		if s[:2] != p || s[2:8] != r || s[8:16] != string(body[:]) {
			t.Errorf("MakeUSCC(%q, %q, %q) = %q, parts do not come back", p, r, body, s)
		}
	}
}

// TestUSCCSingleMutations replaces each character of valid codes by every
// other character of the alphabet, and by a few outside it: since 31 is
// prime and no weight is 0 mod 31, every such substitution must be caught.
func TestUSCCSingleMutations(t *testing.T) {
	valid := append(append([]string{}, exampleUSCCs...), publicUSCCs...)
	others := "IOSVZa-８ "
	for _, s := range valid {
		for i := range len(s) {
			for _, c := range usccAlphabet + others {
				m := s[:i] + string(c) + s[i+1:]
				if m == s {
					continue
				}
				if ValidUSCC(m) {
					t.Errorf("ValidUSCC(%q) = true, want false (position %d of %q changed)", m, i+1, s)
				}
			}
		}
	}
}

func TestUSCCErrorQuoteIsCapped(t *testing.T) {
	long := strings.Repeat("8", 10000)
	err := CheckUSCC(long)
	if err == nil || len(err.Error()) > 120 {
		t.Errorf("CheckUSCC(10000 bytes) = %v, want a short error", err)
	}
	tests := []struct {
		in, want string
	}{
		{"", `""`},
		{"81330106310300199P", `"81330106310300199P"`},
		{strings.Repeat("a", 40), `"` + strings.Repeat("a", 32) + `"...`},
		// 工 is 3 bytes: the cut falls back to a rune boundary (30 bytes).
		{strings.Repeat("工", 20), `"` + strings.Repeat("工", 10) + `"...`},
	}
	for _, tt := range tests {
		if got := quote(tt.in); got != tt.want {
			t.Errorf("quote(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
