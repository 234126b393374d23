package transform

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// TestPseudonymIsHMAC holds hz_pseudo to HMAC-SHA256 of the value's UTF-8
// bytes under the run's key, the first 32 hex digits, for keys shorter and
// longer than SHA-256's block and values of one and of several blocks; a
// value already replaced ("HZ1:<pseudonym>…") keeps its pseudonym, and
// NULL stays NULL. The pseudonyms of a warehouse must not change when
// their computation does.
func TestPseudonymIsHMAC(t *testing.T) {
	ctx := context.Background()
	values := []string{"", "110101199003077777", "张测试", "👩‍👩‍👧 家庭", strings.Repeat("长名字", 40), "13800138000"}
	for _, key := range [][]byte{testKey, []byte(strings.Repeat("k", 100))} {
		conn := memConn(t)
		if err := prepare(ctx, conn, "pseudo", key, false); err != nil {
			t.Fatal(err)
		}
		for _, v := range values {
			m := hmac.New(sha256.New, key)
			m.Write([]byte(v))
			want := hex.EncodeToString(m.Sum(nil))[:32]
			var got string
			if err := conn.QueryRowContext(ctx, "SELECT hz_pseudo(?)", v).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("key of %d bytes, %q: hz_pseudo %s, HMAC %s", len(key), v, got, want)
			}
			if err := conn.QueryRowContext(ctx, "SELECT hz_pseudo(?)", "HZ1:"+want+":19900307:M:110101:1").Scan(&got); err != nil || got != want {
				t.Errorf("a replaced value gives %q (%v), want its pseudonym %s", got, err, want)
			}
		}
		var n int
		if err := conn.QueryRowContext(ctx, "SELECT count(hz_pseudo(CAST(NULL AS VARCHAR)))").Scan(&n); err != nil || n != 0 {
			t.Errorf("NULL: %d non-null (%v)", n, err)
		}
		// Many rows at once, as the stage models call it.
		var bad int
		if err := conn.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE p IS NULL OR length(p) <> 32) FROM (
			SELECT hz_pseudo('member-' || i) AS p FROM range(100000) AS t(i))`).Scan(&bad); err != nil || bad != 0 {
			t.Errorf("100,000 rows: %d without a 32-digit pseudonym (%v)", bad, err)
		}
	}
}

// TestPseudonymNeedsTheKey: outside a transform run (the macros alone, as
// the marts define them) hz_pseudo refuses to compute a pseudonym.
func TestPseudonymNeedsTheKey(t *testing.T) {
	ctx := context.Background()
	conn := memConn(t)
	if err := DefineMacros(ctx, conn); err != nil {
		t.Fatal(err)
	}
	var got string
	err := conn.QueryRowContext(ctx, "SELECT hz_pseudo('张测试')").Scan(&got)
	if err == nil || !strings.Contains(err.Error(), "need the run's key") {
		t.Errorf("without a key: %q, %v", got, err)
	}
}
