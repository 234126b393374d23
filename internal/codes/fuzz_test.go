package codes

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzValidUSCC feeds arbitrary strings to the USCC checks. They must not
// panic; a valid code must be what MakeUSCC builds from its parts; and
// whatever MakeUSCC builds from the first 16 bytes of any input must be
// valid.
func FuzzValidUSCC(f *testing.F) {
	for _, s := range exampleUSCCs {
		f.Add(s)
	}
	f.Add("91350100M000100Y43")
	f.Add("81330106310300199p")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		err := CheckUSCC(s)
		if ValidUSCC(s) != (err == nil) {
			t.Fatalf("ValidUSCC(%q) = %v, but CheckUSCC = %v", s, !(err == nil), err)
		}
		if err == nil {
			made, merr := MakeUSCC(s[:2], s[2:8], s[8:16])
			if made != s || merr != nil {
				t.Fatalf("MakeUSCC(%q, %q, %q) = %q, %v, want %q, nil", s[:2], s[2:8], s[8:16], made, merr, s)
			}
		}
		if len(s) >= 16 {
			made, merr := MakeUSCC(s[:2], s[2:8], s[8:16])
			if merr == nil && !ValidUSCC(made) {
				t.Fatalf("ValidUSCC(MakeUSCC(%q, %q, %q) = %q) = false", s[:2], s[2:8], s[8:16], made)
			}
		}
		if len(s) >= 17 {
			_, _ = USCCCheck(s[:17])
		}
		if len(s) >= 8 {
			_, _ = OrgCodeCheck(s[:8])
		}
	})
}

// FuzzValidID feeds arbitrary strings to the identity-number checks. They
// must not panic; a valid number must come back from MakeID given its
// facts; and whatever MakeID builds from the digits of any input must be
// valid.
func FuzzValidID(f *testing.F) {
	f.Add("34052419800101001X")
	f.Add("340524198001010013")
	for _, m := range exampleMembers {
		f.Add(m.id)
	}
	f.Add("110101200002290018")
	f.Fuzz(func(t *testing.T, s string) {
		err := CheckID(s)
		if ValidID(s) != (err == nil) {
			t.Fatalf("ValidID(%q) = %v, but CheckID = %v", s, !(err == nil), err)
		}
		region, birth, male, ferr := IDFacts(s)
		if (ferr == nil) != (err == nil) {
			t.Fatalf("IDFacts(%q) error %v, but CheckID = %v", s, ferr, err)
		}
		if err == nil {
			seq := int(s[14]-'0')*100 + int(s[15]-'0')*10 + int(s[16]-'0')
			if male != (seq%2 == 1) {
				t.Fatalf("IDFacts(%q) male = %v, sequence %03d", s, male, seq)
			}
			made, merr := MakeID(region, birth, seq)
			if made != s || merr != nil {
				t.Fatalf("MakeID(%q, %v, %d) = %q, %v, want %q, nil", region, birth, seq, made, merr, s)
			}
		}
		if len(s) >= 17 {
			if _, cerr := IDCheck(s[:17]); cerr == nil {
				birth, ok := birthDate(s[6:14])
				seq := int(s[14]-'0')*100 + int(s[15]-'0')*10 + int(s[16]-'0')
				made, merr := MakeID(s[:6], birth, seq)
				if ok && (merr != nil || !ValidID(made)) {
					t.Fatalf("MakeID(%q, %v, %d) = %q, %v, want a valid number", s[:6], birth, seq, made, merr)
				}
			}
		}
	})
}

// FuzzNormalizeCode checks that NormalizeCode never panics, is idempotent,
// and leaves no surrounding space, lower-case ASCII letter or full-width
// ASCII variant behind.
func FuzzNormalizeCode(f *testing.F) {
	f.Add("  81330106310300199p\t")
	f.Add("\u3000８１３３０１０６３１０３００１９９Ｐ\u3000")
	f.Add("\uFEFFａｂｃ\xff")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeCode(s)
		if again := NormalizeCode(n); again != n {
			t.Fatalf("NormalizeCode(%q) = %q, but NormalizeCode(%q) = %q", s, n, n, again)
		}
		if !utf8.ValidString(n) {
			t.Fatalf("NormalizeCode(%q) = %q, not valid UTF-8", s, n)
		}
		if n != strings.TrimFunc(n, unicode.IsSpace) {
			t.Fatalf("NormalizeCode(%q) = %q, has surrounding space", s, n)
		}
		for _, r := range n {
			if (r >= 'a' && r <= 'z') || (r >= 0xFF01 && r <= 0xFF5E) || r == 0x3000 {
				t.Fatalf("NormalizeCode(%q) = %q, still holds %q", s, n, r)
			}
		}
		if ValidUSCC(n) != (CheckUSCC(n) == nil) || ValidID(n) != (CheckID(n) == nil) {
			t.Fatalf("ValidX and CheckX disagree on %q", n)
		}
	})
}
