package transform

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"huzhu/contract"
	"huzhu/internal/codes"
	"huzhu/internal/money"
	"huzhu/internal/privacy"
	"huzhu/warehouse"
)

// The SQL macros are a second implementation of internal/codes,
// internal/money, ParseDate and ParseTS; these fuzz targets feed both the
// same input and fail on any disagreement.

var (
	macroOnce sync.Once
	macroConn *sql.Conn
	macroErr  error
)

func macros(t testing.TB) *sql.Conn {
	macroOnce.Do(func() {
		ctx := context.Background()
		db, err := warehouse.Open(ctx, warehouse.InMemory, warehouse.Options{})
		if err != nil {
			macroErr = err
			return
		}
		macroConn, macroErr = db.SQL().Conn(ctx)
		if macroErr == nil {
			macroErr = prepare(ctx, macroConn, "fuzz", []byte("fuzz-key-0123456789abcdef"), false)
		}
	})
	if macroErr != nil {
		t.Fatal(macroErr)
	}
	return macroConn
}

func sqlString(t *testing.T, q, in string) (string, bool) {
	var out sql.NullString
	if err := macros(t).QueryRowContext(context.Background(), q, in).Scan(&out); err != nil {
		t.Fatalf("%s with %q: %v", q, in, err)
	}
	return out.String, out.Valid
}

// valid reports whether the fuzz input is text an operator could send (the
// raw columns are VARCHAR: DuckDB refuses invalid UTF-8 and NUL at load).
func valid(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

func FuzzMoney(f *testing.F) {
	for _, s := range []string{"1234.5", "-20.00", "0", "1,234.5", "12.345", "abc", ".5", "5.", " 7.10 ", "+3", "0012.00", "9999999999999999.99", "10000000000000000",
		"\u00a012.50\u3000", "\ufeff12", "12\u200b", "\u2003-3\u0085", "1\u00a0200", "\u3000", "\x7f12", "\x0112",
		// the GLOB forms of hz_money_usual and their edges
		"0.00", "00.50", "123456789.99", "1234567890.99", "1.234", "12.5", "1x.50", "12.5x", "１2.50", "-12.50"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !valid(s) {
			return
		}
		got, ok := sqlString(t, "SELECT CAST(hz_money(?) AS VARCHAR)", s)
		want, err := money.Parse(s)
		if ok != (err == nil) {
			t.Fatalf("hz_money(%q) valid=%v, money.Parse error %v", s, ok, err)
		}
		if ok && got != want.String() {
			t.Fatalf("hz_money(%q) = %s, money.Parse = %s", s, got, want)
		}
	})
}

// FuzzRefCandidate: hz_ref_candidate, the cheap test of a reference to a
// person, is privacy.Candidate, extract's.
func FuzzRefCandidate(f *testing.F) {
	for _, s := range []string{"SZM00008492", "13800138000", "1380013800", "138-0013-8000", "138--0013-8000", "138 0013 8000 ",
		"-13800138000", "a13800138000", "1380013800a", "110101199003071235", "张三", "HZ1:0F49BB18D52BA5458121F8FC244623D1", "", "１３８００１３８０００"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !valid(s) {
			return
		}
		got, ok := sqlString(t, "SELECT CAST(hz_ref_candidate(?) AS VARCHAR)", s)
		if want := privacy.Candidate(s); !ok || got != strconv.FormatBool(want) {
			t.Fatalf("hz_ref_candidate(%q) = %s (%v), privacy.Candidate = %v", s, got, ok, want)
		}
	})
}

func FuzzDate(f *testing.F) {
	for _, s := range []string{"2025-06-30", "2024-02-29", "2025-02-29", "1980-13-45", "2025/06/30", "20250630", " 2025-06-30",
		"0000-01-01", "2025-00-10", "2025-01-00", "2025-06-31", "２025-06-30", "2025-6-30", "2025-06-30 (BC)", "2025-06-30\t",
		"\u00a02025-06-30\u3000", "\ufeff2025-06-30", "2025-06-30\u200b", "2025\u3000-06-30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !valid(s) {
			return
		}
		got, ok := sqlString(t, "SELECT strftime(hz_date(?), '%Y-%m-%d')", s)
		want, wok := contract.ParseDate(s)
		if ok != wok {
			t.Fatalf("hz_date(%q) valid=%v, ParseDate valid=%v", s, ok, wok)
		}
		if ok && got != want.Format(time.DateOnly) {
			t.Fatalf("hz_date(%q) = %s, ParseDate = %s", s, got, want.Format(time.DateOnly))
		}
	})
}

func FuzzTS(f *testing.F) {
	for _, s := range []string{"2025-03-05T09:00:00+08:00", "2025-03-05 09:00:00", "2025-03-05T01:00:00Z", "2025-03-05T09:00:00.123+05:30", "2025/3/5 9:00", "2025-03-05T25:00:00+08:00", "2025-03-05T09:00:00+8:00",
		"2025-03-05t01:00:00z", "2025-03-05t09:00:00+08:00", "2025-03-05 01:00:00z", "2025-03-05x01:00:00Z",
		// the GLOB fast paths of hz_ts and their edges: DuckDB's cast takes 24:00:00
		"2025-03-05T24:00:00+08:00", "2025-03-05 24:00:00", "2025-03-05T23:59:59-08:00", "2025-03-05 20:00:00",
		"2025-03-05T10:00:00+24:00", "2025-03-05T10:00:00+20:00", "2025-03-05T10:00:00+19:59", "2025-02-30T10:00:00+08:00",
		"2025-03-05T10:00:60+08:00", "2025-03-05T10:60:00+08:00", "2025-03-05T10:00:00,08:00", "0000-01-01T00:00:00+08:00",
		"\u00a02025-03-05T09:00:00+08:00\u3000", "\u30002025-03-05 09:00:00", "2025-03-05T09:00:00Z\ufeff", "\x7f2025-03-05 09:00:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !valid(s) {
			return
		}
		got, ok := sqlString(t, "SELECT CAST(epoch_us(hz_ts(?)) AS VARCHAR)", s)
		want, wok := contract.ParseTS(s)
		if ok != wok {
			t.Fatalf("hz_ts(%q) valid=%v, ParseTS valid=%v", s, ok, wok)
		}
		if w := strconv.FormatInt(want.UnixMicro(), 10); ok && got != w {
			t.Fatalf("hz_ts(%q) = %s µs, ParseTS = %s µs", s, got, w)
		}
	})
}

// TestBeijingDay: beijing_day, the marts' and the checks' calendar day of
// an instant, is the day in Asia/Shanghai (Go's zone database) around
// midnight on both sides, in several offsets, and across years.
func TestBeijingDay(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skip("no zone database:", err)
	}
	for _, s := range []string{"2025-01-31T15:59:59Z", "2025-01-31T16:00:00Z", "2025-01-31 23:59:59", "2025-02-01 00:00:00",
		"2024-12-31T23:30:00-05:00", "2024-12-31T16:00:00.000001Z", "2000-02-29T20:00:00+08:00", "1999-12-31T16:00:00Z"} {
		got, ok := sqlString(t, "SELECT strftime(beijing_day(hz_ts(?)), '%Y-%m-%d')", s)
		want, wok := contract.ParseTS(s)
		if !ok || !wok {
			t.Fatalf("%q: no instant (sql %v, Go %v)", s, ok, wok)
		}
		if w := want.In(shanghai).Format(time.DateOnly); got != w {
			t.Errorf("beijing_day(%q) = %s, Asia/Shanghai says %s", s, got, w)
		}
	}
}

func FuzzCode(f *testing.F) {
	// The ends: each of the six characters the ASCII trim takes, and
	// control characters it leaves.
	for _, s := range []string{" abc ", "ＡＢＣ１２３", "ｔｃ１", "\u3000X1\u3000", "zm00000001", "", "Ｚ－０１", "a\u00a0b",
		"ab\t", "ab\n", "ab\v", "ab\f", "ab\r", "\vab", "ab\x01", "\x01ab", "a\x1f", "\x7f", " "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !valid(s) {
			return
		}
		got, ok := sqlString(t, "SELECT hz_code(?)", s)
		want := codes.NormalizeCode(s)
		if (want != "") != ok || ok && got != want {
			t.Fatalf("hz_code(%q) = %q (valid %v), NormalizeCode = %q", s, got, ok, want)
		}
		// hz_operator: hz_code, whether the source's operator (a code
		// hz_code leaves as it is: the config's 18 digits and capitals) is
		// the value's code or another.
		for _, source := range []string{want, "51330100310200171N"} {
			if source == "" {
				continue
			}
			var op sql.NullString
			if err := macros(t).QueryRowContext(context.Background(), "SELECT hz_operator(?, ?)", s, source).Scan(&op); err != nil {
				t.Fatalf("hz_operator(%q, %q): %v", s, source, err)
			}
			if op.String != got || op.Valid != ok {
				t.Fatalf("hz_operator(%q, %q) = %q (valid %v), hz_code = %q (valid %v)", s, source, op.String, op.Valid, got, ok)
			}
		}
	})
}

// FuzzText: hz_text keeps a text it finds NFC already as it is, and
// normalises the others: the same as nfc_normalize, DuckDB's NFC, of
// every text.
func FuzzText(f *testing.F) {
	for _, s := range []string{"", "abc", "职工住院津贴互助给付", "（三年期）", "\u3000全角\u3000", "ｶﾞ", "ｶ\uff9e",
		"e\u0301", "\u00e9", "A\u030a", "\u212b", "\uf900", "豈", "\u302a\u302e", "中\u302e\u302a", "\u1100\u1161",
		"한글", "x\u0308\u0323", "👩\u200d💻", "\x7f", "\u3099か", "か\u3099"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !valid(s) {
			return
		}
		var got, want sql.NullString
		if err := macros(t).QueryRowContext(context.Background(), "SELECT hz_text(?), nullif(nfc_normalize(?), '')", s, s).Scan(&got, &want); err != nil {
			t.Fatalf("hz_text(%q): %v", s, err)
		}
		if got != want {
			t.Fatalf("hz_text(%q) = %q (valid %v), nfc_normalize says %q (valid %v)", s, got.String, got.Valid, want.String, want.Valid)
		}
	})
}

func FuzzUSCC(f *testing.F) {
	for _, s := range []string{"51330100310200171N", "81110000100000112P", "813301003101001548", "51330100310200171A", "91350100M000100Y43", "I1330100310200171N"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !valid(s) {
			return
		}
		got, _ := sqlString(t, "SELECT CAST(hz_uscc_ok(?) AS VARCHAR)", s)
		if want := codes.ValidUSCC(s); (got == "true") != want {
			t.Fatalf("hz_uscc_ok(%q) = %s, ValidUSCC = %v", s, got, want)
		}
	})
}

func FuzzID(f *testing.F) {
	for _, s := range []string{"34052419800101001X", "340524198001010013", "330106197602110111", "33010619760231011X", "17991231000000000X"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !valid(s) {
			return
		}
		got, _ := sqlString(t, "SELECT CAST(hz_id_ok(?) AS VARCHAR)", s)
		if want := codes.ValidID(s); (got == "true") != want {
			t.Fatalf("hz_id_ok(%q) = %s, ValidID = %v", s, got, want)
		}
	})
}

// FuzzIDPart: hz_id_part reads the fields of a scrubbed id number as
// splitting it at its colons does, by place or not.
func FuzzIDPart(f *testing.F) {
	for _, c := range []struct {
		birth, sex, region string
		valid              bool
	}{{"19900307", "M", "110101", true}, {"", "F", "110101", false}, {"19900307", "F", "11010中", true},
		{"199003", "M", "1101", false}, {"", "F", "中文中文中文", false}, {"1990030", "M", "1101012", true},
		{"", "M", "", false}, {"", "F", "中文中文ab", false}, {"19900307", "F", "ab", false}, {"12", "M", "中文中文1x", false}} {
		f.Add(c.birth, c.sex, c.region, c.valid)
	}
	f.Fuzz(func(t *testing.T, birth, sex, region string, ok bool) {
		flag := "0"
		if ok {
			flag = "1"
		}
		s := "HZ1:0123456789abcdef0123456789abcdef:" + birth + ":" + sex + ":" + region + ":" + flag
		if !valid(s) {
			return
		}
		want := strings.Split(s, ":")
		var scrubbed bool
		var got [4]sql.NullString
		if err := macros(t).QueryRowContext(context.Background(),
			"SELECT hz_scrubbed_id($1), hz_id_part($1, 3), hz_id_part($1, 4), hz_id_part($1, 5), hz_id_part($1, 6)", s).
			Scan(&scrubbed, &got[0], &got[1], &got[2], &got[3]); err != nil {
			t.Fatal(err)
		}
		if !scrubbed {
			return // the stage reads only what hz_scrubbed_id accepts
		}
		for i, g := range got {
			if g.String != want[i+2] {
				t.Fatalf("hz_id_part(%q, %d) = %q, want %q", s, i+3, g.String, want[i+2])
			}
		}
	})
}

// TestLooksPersonalAgrees: hz_looks_personal, which masks a person's data
// in the other columns of a refused member or staff row, says what
// privacy.LooksPersonal (extract's) says, through the UDF it wraps.
func TestLooksPersonalAgrees(t *testing.T) {
	for _, s := range []string{"周强芳", "Zhou 强", "330127197306194199", "33012719730619419X", "19916471317",
		"tel 139-0570-0052", "6222021001115555", "51330100310200171N", "513300005007580458", "５１３３０１００３１０２００１７１Ｎ",
		" 51330100310200171N ", "1234567890", "2025-06-30T09:00:00+08:00", "active", "M", "", "x12345678901y"} {
		got, _ := sqlString(t, "SELECT CAST(hz_looks_personal(?) AS VARCHAR)", s)
		if want := privacy.LooksPersonal(s); (got == "true") != want {
			t.Errorf("hz_looks_personal(%q) = %s, privacy.LooksPersonal = %v", s, got, want)
		}
	}
}
