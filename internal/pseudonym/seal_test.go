package pseudonym

import (
	"errors"
	"strings"
	"testing"
)

// TestSeal: a sealed value opens to itself under the key and under no
// other, holds none of the value in the clear, comes out the same each
// time (the same input gives the same bytes), differs for two values, and
// an altered text does not open.
func TestSeal(t *testing.T) {
	key := []byte("seal-test-key-0123456789")
	for _, v := range []string{"", "110101199003071234|M1\t2", "张三", "13800138000", strings.Repeat("x", 1000)} {
		s := Seal(key, v)
		if !Sealed(s) || (v != "" && strings.Contains(s, v)) {
			t.Errorf("Seal(%q) = %q: not sealed, or the value in the clear", v, s)
		}
		if again := Seal(key, v); again != s {
			t.Errorf("Seal(%q) twice: %q and %q", v, s, again)
		}
		if got, err := Open(key, s); err != nil || got != v {
			t.Errorf("Open(Seal(%q)) = %q, %v", v, got, err)
		}
		if _, err := Open([]byte("another-key-0123456789ab"), s); !errors.Is(err, ErrSealed) {
			t.Errorf("Open under another key of Seal(%q): %v, want ErrSealed", v, err)
		}
		b := []byte(s)
		b[len(b)-1] ^= 1
		if _, err := Open(key, string(b)); !errors.Is(err, ErrSealed) {
			t.Errorf("Open of an altered Seal(%q): %v, want ErrSealed", v, err)
		}
	}
	if Seal(key, "a") == Seal(key, "b") {
		t.Error("two values sealed to the same text")
	}
	for _, s := range []string{"", "HZS1:", "HZS1:!!", "HZ1:abc", "HZS1:" + strings.Repeat("A", 20)} {
		if _, err := Open(key, s); !errors.Is(err, ErrSealed) {
			t.Errorf("Open(%q): %v, want ErrSealed", s, err)
		}
	}
}
