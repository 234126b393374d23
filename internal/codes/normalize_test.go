package codes

import "testing"

func TestNormalizeCode(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"51330100310200171N", "51330100310200171N"},
		{"51330100310200171n", "51330100310200171N"},
		{"  81330106310300199p\t", "81330106310300199P"},
		{"\u3000８１３３０１０６３１０３００１９９Ｐ\u3000", "81330106310300199P"},
		{"３４０５２４１９８００１０１００１ｘ", "34052419800101001X"},
		{"\uFEFF34052419800101001X\r\n", "34052419800101001X"},
		{"\u200B\u00A0abc\u2003", "ABC"},
		{"ＡＢＣ－１２３", "ABC-123"}, // full-width punctuation folds too
		{"！～", "!~"},           // both ends of FF01..FF5E
		{"A\u3000B", "A B"},    // inner ideographic space becomes a space, kept
		{"a b", "A B"},         // inner spaces are kept
		{"杭州ａｂ", "杭州AB"},       // other characters pass through
		{"ß é ｆ", "ß é F"},     // only ASCII letters change case
		{"\xff12", "\uFFFD12"}, // invalid UTF-8 becomes U+FFFD
		{"\u3000\u3000", ""},   // nothing but space
		{"ｗｗｗ．ＥＸＡＭＰＬＥ．ｃｏｍ", "WWW.EXAMPLE.COM"},
	}
	for _, tt := range tests {
		got := NormalizeCode(tt.in)
		if got != tt.want {
			t.Errorf("NormalizeCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if again := NormalizeCode(got); again != got {
			t.Errorf("NormalizeCode(%q) = %q, want it unchanged", got, again)
		}
	}
}

// TestNormalizeCodeThenValidate is how the extract stage reads codes typed
// by people: normalise, then check strictly.
func TestNormalizeCodeThenValidate(t *testing.T) {
	tests := []struct {
		in        string
		uscc, idn bool
	}{
		{" ５１３３０１００３１０２００１７１ｎ ", true, false},
		{"34052419800101001x", false, true},
		{"\u3000３４０５２４１９８００１０１００１Ｘ", false, true},
		{"340524198001010013", false, false},
	}
	for _, tt := range tests {
		n := NormalizeCode(tt.in)
		if got := ValidUSCC(n); got != tt.uscc {
			t.Errorf("ValidUSCC(NormalizeCode(%q)) = %v, want %v", tt.in, got, tt.uscc)
		}
		if got := ValidID(n); got != tt.idn {
			t.Errorf("ValidID(NormalizeCode(%q)) = %v, want %v", tt.in, got, tt.idn)
		}
	}
}

func TestNormalizeCodeASCIIDoesNotAllocate(t *testing.T) {
	s := "51330100310200171N"
	if n := testing.AllocsPerRun(100, func() { _ = NormalizeCode(s) }); n != 0 {
		t.Errorf("NormalizeCode(%q) allocates %v times, want 0", s, n)
	}
}
