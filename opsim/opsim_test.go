package opsim

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"huzhu/contract"
	"huzhu/internal/codes"
	"huzhu/internal/money"
	"huzhu/opsim/record"
)

func smallWorld(t testing.TB, members int, rate float64) *World {
	t.Helper()
	p := DefaultParams()
	p.Members = members
	p.DefectRate = rate
	w, err := NewWorld(p)
	if err != nil {
		t.Fatalf("NewWorld: %v", err)
	}
	return w
}

// rows reads a table into maps of field → value (null as absent).
type tableRows struct {
	e    *contract.Entity
	rows [][]string
	null [][]bool
}

func (t *tableRows) get(i int, field string) string { return t.rows[i][t.e.Index(field)] }
func (t *tableRows) isNull(i int, field string) bool {
	return t.null[i][t.e.Index(field)]
}
func (t *tableRows) cents(tb testing.TB, i int, field string) money.Cents {
	c, err := money.Parse(t.get(i, field))
	if err != nil {
		tb.Fatalf("%s row %d %s: %v", t.e.Name, i, field, err)
	}
	return c
}

func readTables(t testing.TB, op *Operator) map[string]*tableRows {
	t.Helper()
	tabs, err := op.Tables()
	if err != nil {
		t.Fatalf("Tables: %v", err)
	}
	out := map[string]*tableRows{}
	var r record.Row
	for name, tab := range tabs {
		tr := &tableRows{e: tab.Entity()}
		for i := 0; i < tab.Len(); i++ {
			tab.Read(i, &r)
			if r.Len() != len(tr.e.Fields) {
				t.Fatalf("%s row %d: %d fields, want %d", name, i, r.Len(), len(tr.e.Fields))
			}
			if i > 0 && tab.UpdatedAt(i) < tab.UpdatedAt(i-1) {
				t.Fatalf("%s row %d: updated_at goes back", name, i)
			}
			v, n := r.Strings()
			tr.rows = append(tr.rows, v)
			tr.null = append(tr.null, n)
		}
		out[name] = tr
	}
	return out
}

func readKey(t testing.TB, path string) []KeyEntry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []KeyEntry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e KeyEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("answer key line %q: %v", sc.Text(), err)
		}
		out = append(out, e)
	}
	return out
}

// TestCodesValid: every USCC and ID number the world writes is valid, and an
// ID agrees with the member's birth date and gender — except the rows the
// answer key lists as planted bad codes.
func TestCodesValid(t *testing.T) {
	w := smallWorld(t, 4000, 0.05)
	dir := t.TempDir()
	if _, err := w.Drop(DropOptions{Out: dir, Format: "csv"}); err != nil {
		t.Fatal(err)
	}
	planted := map[string]bool{}
	for _, e := range readKey(t, filepath.Join(dir, "answer-key.jsonl")) {
		if e.Code == "bad_idno" || e.Code == "bad_uscc" || e.Code == "bad_date" {
			planted[e.Entity+"/"+e.Key] = true
		}
	}
	badID, badUSCC := 0, 0
	for _, op := range w.Operators {
		if !codes.ValidUSCC(op.Code) {
			t.Errorf("operator code %s is not a valid USCC", op.Code)
		}
		tabs := readTables(t, op)
		for _, o := range tabs["organizations"].rows {
			if !codes.ValidUSCC(o[0]) {
				t.Errorf("organization %s: invalid USCC", o[0])
			}
			if !codes.ValidRegion(o[tabs["organizations"].e.Index("region_code")]) {
				t.Errorf("organization %s: region %s not in the table", o[0], o[5])
			}
		}
		m := tabs["members"]
		for i := range m.rows {
			ref, id := m.get(i, "member_ref"), m.get(i, "id_number")
			if planted["members/"+ref] {
				if codes.ValidID(id) && m.get(i, "birth_date")[5:7] != "13" {
					t.Errorf("member %s: planted bad code is valid", ref)
				}
				badID++
				continue
			}
			_, birth, male, err := codes.IDFacts(id)
			if err != nil {
				t.Errorf("member %s: %v", ref, err)
				continue
			}
			if birth.Format("2006-01-02") != m.get(i, "birth_date") {
				t.Errorf("member %s: ID birth %s, birth_date %s", ref, birth.Format("2006-01-02"), m.get(i, "birth_date"))
			}
			if male != (m.get(i, "gender") == "M") {
				t.Errorf("member %s: ID gender disagrees with gender %s", ref, m.get(i, "gender"))
			}
		}
		en := tabs["enrollments"]
		for i := range en.rows {
			u := en.get(i, "payer_union_code")
			if planted["enrollments/"+en.get(i, "receipt_no")] {
				badUSCC++
				continue
			}
			if !codes.ValidUSCC(u) {
				t.Errorf("enrollment %s: invalid payer USCC", en.get(i, "receipt_no"))
			}
		}
	}
	if badID == 0 || badUSCC == 0 {
		t.Errorf("planted bad codes found: id %d, uscc %d; want some of each", badID, badUSCC)
	}
}

// TestVouchersBalance: every voucher balances, except those the answer key
// lists under R10.
func TestVouchersBalance(t *testing.T) {
	w := smallWorld(t, 3000, 0.01)
	key := &keyWriter{}
	for _, op := range w.Operators {
		tabs := readTables(t, op)
		plantedR10 := map[string]bool{}
		b, err := op.generate(discard{}, key)
		if err != nil {
			t.Fatal(err)
		}
		_ = b
		for _, e := range key.entries {
			if e.Code == "R10" && e.Expect == "finding" && e.Operator == op.Code {
				plantedR10[e.Key] = true
			}
		}
		l := tabs["ledger_entries"]
		sums := map[string]money.Cents{}
		for i := range l.rows {
			sums[l.get(i, "voucher_no")] += l.cents(t, i, "debit") - l.cents(t, i, "credit")
			if _, ok := contract.AccountByCode(l.get(i, "account_code")); !ok {
				t.Errorf("voucher %s: account %s not in the chart", l.get(i, "voucher_no"), l.get(i, "account_code"))
			}
		}
		unbalanced := 0
		for v, s := range sums {
			if s != 0 && !plantedR10[v] {
				t.Errorf("operator %s voucher %s: debits - credits = %s", op.Short, v, s)
			}
			if s != 0 {
				unbalanced++
			}
		}
		if unbalanced == 0 {
			t.Errorf("operator %s: the planted unbalanced voucher is missing", op.Short)
		}
		if len(sums) < 100 {
			t.Errorf("operator %s: only %d vouchers", op.Short, len(sums))
		}
	}
}

type discard struct{}

func (discard) Row(string, record.Stamp, *record.Row) error { return nil }

// TestFundPositions: per activity, cash and deposits in the ledger equal the
// opening balance plus contributions received, less refunds and benefits
// paid, plus interest — each figure computed from the enrolment and claim
// rows, not from the ledger.
func TestFundPositions(t *testing.T) {
	w := smallWorld(t, 6000, 0)
	asOf := w.P.AsOf
	for _, op := range w.Operators {
		tabs := readTables(t, op)
		l := tabs["ledger_entries"]
		cash := map[string]money.Cents{}
		opening := map[string]money.Cents{}
		interest := map[string]money.Cents{}
		for i := range l.rows {
			act := l.get(i, "activity_code")
			acct := l.get(i, "account_code")
			net := l.cents(t, i, "debit") - l.cents(t, i, "credit")
			switch {
			case acct == "1002" || acct == "1003":
				cash[act] += net
			case strings.HasPrefix(l.get(i, "summary"), "期初") && (acct == "3101" || acct == "3102"):
				opening[act] -= net
			case acct == "4201":
				interest[act] -= net
			}
		}
		want := map[string]money.Cents{}
		for a, v := range opening {
			want[a] += v
		}
		for a, v := range interest {
			want[a] += v
		}
		en := tabs["enrollments"]
		lastClosed := asOf
		for (lastClosed + 1).Time().Day() != 1 {
			lastClosed--
		}
		for i := range en.rows {
			paid := en.get(i, "paid_at")[:10]
			amt := en.cents(t, i, "amount")
			if paid < w.Start.String() {
				continue
			}
			if amt < 0 && paid > lastClosed.String() {
				continue // refunds are paid at month end
			}
			want[en.get(i, "activity_code")] += amt
		}
		cl := tabs["claims"]
		for i := range cl.rows {
			if cl.get(i, "status") == "paid" && cl.get(i, "paid_at")[:10] >= w.Start.String() {
				want[cl.get(i, "activity_code")] -= cl.cents(t, i, "paid_amount")
			}
		}
		for _, a := range op.Activities {
			if cash[a.Code] != want[a.Code] {
				t.Errorf("operator %s activity %s: ledger cash %s, from the rows %s", op.Short, a.Code, cash[a.Code], want[a.Code])
			}
		}
	}
}

// TestHoldingsMatchLedger: at every month end, each activity's holdings of
// demand deposits, time deposits and treasury bonds equal its ledger
// balances of 1002, 1003 and 1101.
func TestHoldingsMatchLedger(t *testing.T) {
	w := smallWorld(t, 5000, 0)
	for _, op := range w.Operators {
		tabs := readTables(t, op)
		l := tabs["ledger_entries"]
		type k struct{ act, acct string }
		var lines []struct {
			day string
			k   k
			net money.Cents
		}
		for i := range l.rows {
			lines = append(lines, struct {
				day string
				k   k
				net money.Cents
			}{l.get(i, "posted_on"), k{l.get(i, "activity_code"), l.get(i, "account_code")}, l.cents(t, i, "debit") - l.cents(t, i, "credit")})
		}
		sort.SliceStable(lines, func(i, j int) bool { return lines[i].day < lines[j].day })
		acctOf := map[string]string{"demand_deposit": "1002", "time_deposit": "1003", "treasury_bond": "1101"}
		hold := map[string]map[k]money.Cents{}
		inv := tabs["investments"]
		for i := range inv.rows {
			acct := acctOf[inv.get(i, "instrument_type")]
			if acct == "" {
				continue
			}
			day := inv.get(i, "as_of")
			if hold[day] == nil {
				hold[day] = map[k]money.Cents{}
			}
			hold[day][k{inv.get(i, "activity_code"), acct}] += inv.cents(t, i, "principal")
		}
		if len(hold) < 12 {
			t.Fatalf("operator %s: holdings at %d month ends, want at least 12", op.Short, len(hold))
		}
		for day, h := range hold {
			bal := map[k]money.Cents{}
			for _, ln := range lines {
				if ln.day <= day {
					bal[ln.k] += ln.net
				}
			}
			for kk, v := range h {
				if bal[kk] != v {
					t.Errorf("operator %s %s activity %q account %s: holdings %s, ledger %s", op.Short, day, kk.act, kk.acct, v, bal[kk])
				}
			}
		}
	}
}

// TestAnswerKeyPresent: every answer-key entry names a row that is in the
// data (or, for a missing-record defect, one that is absent), and every
// rule R01–R19 that a world can plant is planted with its near misses.
func TestAnswerKeyPresent(t *testing.T) {
	w := smallWorld(t, 8000, 0.05)
	dir := t.TempDir()
	if _, err := w.Drop(DropOptions{Out: dir, Format: "csv", KeyPath: filepath.Join(dir, "key.jsonl")}); err != nil {
		t.Fatal(err)
	}
	entries := readKey(t, filepath.Join(dir, "key.jsonl"))
	byOp := map[string]map[string]map[string]int{} // operator → entity → key → rows
	for _, op := range w.Operators {
		tabs := readTables(t, op)
		byOp[op.Code] = map[string]map[string]int{}
		for name, tr := range tabs {
			m := map[string]int{}
			for i := range tr.rows {
				var parts []string
				for _, f := range tr.e.Key {
					parts = append(parts, codes.NormalizeCode(tr.get(i, f)))
				}
				m[strings.Join(parts, "|")]++
			}
			byOp[op.Code][name] = m
		}
	}
	rules := map[string]map[string]bool{}
	data := map[string]bool{}
	for _, e := range entries {
		if e.Kind == "rule" {
			if rules[e.Code] == nil {
				rules[e.Code] = map[string]bool{}
			}
			rules[e.Code][e.Expect] = true
		} else {
			data[e.Code] = true
		}
		keys := byOp[e.Operator][e.Entity]
		var n int
		switch {
		case e.Entity == "activities" || e.Entity == "audits" && e.Code == "R16":
			n = keys[e.Key]
			if e.Entity == "audits" {
				if n != 0 {
					t.Errorf("%+v: planted missing audit, but it exists", e)
				}
				continue
			}
		case e.Entity == "budgets":
			for k := range keys {
				if strings.HasPrefix(k, e.Key+"|") {
					n++
				}
			}
			if strings.HasSuffix(e.Key, "|5901") {
				if n != 0 {
					t.Errorf("%+v: planted missing budget line, but it exists", e)
				}
				continue
			}
		case e.Entity == "ledger_entries":
			v, _, _ := strings.Cut(e.Key, "|")
			for k := range keys {
				if strings.HasPrefix(k, v+"|") {
					n++
				}
			}
		case e.Entity == "investments":
			for k := range keys {
				if strings.HasPrefix(k, e.Key+"|") {
					n++
				}
			}
		case e.Entity == "bank_accounts":
			n = keys[e.Key]
		case e.Entity == "staff_roles":
			n = keys[codes.NormalizeCode(e.Key)]
		case e.Code == "R18":
			a, b, _ := strings.Cut(e.Key, "|")
			n = min(keys[a], keys[b])
		default:
			n = keys[codes.NormalizeCode(e.Key)]
		}
		if n == 0 {
			t.Errorf("answer key entry not in the data: %+v", e)
		}
		if e.Code == "exact_duplicate" || e.Code == "duplicate_key" {
			if n != 2 {
				t.Errorf("%+v: key appears %d times, want 2", e, n)
			}
		}
	}
	for _, r := range []string{"R01", "R02", "R03", "R04", "R05", "R06", "R07", "R08", "R09", "R10", "R11", "R12", "R13", "R16", "R17", "R18", "R19"} {
		if !rules[r]["finding"] {
			t.Errorf("rule %s: no planted finding in the key", r)
		}
	}
	for _, r := range []string{"R01", "R02", "R03", "R04", "R07", "R08", "R09", "R10", "R11", "R13", "R16", "R17", "R18"} {
		if !rules[r]["clean"] {
			t.Errorf("rule %s: no near miss in the key", r)
		}
	}
	for _, c := range []string{"bad_idno", "bad_uscc", "duplicate_key", "exact_duplicate", "bad_date", "bad_ts", "bad_money", "fullwidth_code", "unknown_ref", "negative_amount", "future_date", "truncated_line", "column_count", "bad_utf8", "debit_credit_both"} {
		if !data[c] {
			t.Errorf("data defect %s: none planted", c)
		}
	}
}

func hashTree(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = hex.EncodeToString(h.Sum(nil))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDeterministic: the same seed and parameters give byte-identical drops
// in every format, and a different seed gives a different world.
func TestDeterministic(t *testing.T) {
	for _, format := range []string{"csv", "jsonl", "parquet", "mixed"} {
		t.Run(format, func(t *testing.T) {
			var hashes []map[string]string
			for _, seed := range []uint64{7, 7, 8} {
				p := DefaultParams()
				p.Members, p.Seed = 1500, seed
				w, err := NewWorld(p)
				if err != nil {
					t.Fatal(err)
				}
				dir := t.TempDir()
				if _, err := w.Drop(DropOptions{Out: dir, Format: format}); err != nil {
					t.Fatal(err)
				}
				hashes = append(hashes, hashTree(t, dir))
			}
			if len(hashes[0]) < 40 {
				t.Fatalf("only %d files", len(hashes[0]))
			}
			for f, h := range hashes[0] {
				if hashes[1][f] != h {
					t.Errorf("%s differs between two runs with the same seed", f)
				}
			}
			same := 0
			for f, h := range hashes[0] {
				if hashes[2][f] == h {
					same++
				}
			}
			if same > len(hashes[0])/2 {
				t.Errorf("seed 8 reproduces %d of %d files of seed 7", same, len(hashes[0]))
			}
		})
	}
}

// TestManifest: each drop folder's manifest lists every entity file with its
// true row count and sha256.
func TestManifest(t *testing.T) {
	w := smallWorld(t, 1000, 0.01)
	dir := t.TempDir()
	if _, err := w.Drop(DropOptions{Out: dir, Format: "mixed", Encoding: "gb18030"}); err != nil {
		t.Fatal(err)
	}
	for _, op := range w.Operators {
		folder := filepath.Join(dir, op.Code, w.Batch())
		raw, err := os.ReadFile(filepath.Join(folder, "manifest.json"))
		if err != nil {
			t.Fatal(err)
		}
		var m Manifest
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		if m.Operator != op.Code || m.Batch != w.Batch() || len(m.Files) != len(contract.Entities()) {
			t.Fatalf("manifest %s: operator %s batch %s, %d files", folder, m.Operator, m.Batch, len(m.Files))
		}
		hashes := hashTree(t, folder)
		for name, f := range m.Files {
			if hashes[name] != f.SHA256 {
				t.Errorf("%s/%s: manifest sha256 %s, file %s", folder, name, f.SHA256, hashes[name])
			}
			if strings.HasSuffix(name, ".csv") {
				if f.Encoding != "gb18030" {
					t.Errorf("%s: encoding %s, want gb18030", name, f.Encoding)
				}
				data, _ := os.ReadFile(filepath.Join(folder, name))
				if lines := int64(strings.Count(string(data), "\n")) - 1; lines != f.Rows && !strings.Contains(string(data), "\r") {
					t.Logf("%s: %d newline-terminated lines for %d rows (quoted newlines allowed)", name, lines, f.Rows)
				}
			}
		}
	}
}

// TestAsOfGrows: the world a day later holds every row of the day before,
// unchanged or with a later updated_at, plus new rows.
func TestAsOfGrows(t *testing.T) {
	day1 := smallWorld(t, 3000, 0.01)
	p := day1.P
	p.AsOf++
	day2, err := NewWorld(p)
	if err != nil {
		t.Fatal(err)
	}
	for i, op := range day1.Operators {
		t1, t2 := readTables(t, op), readTables(t, day2.Operators[i])
		for name, a := range t1 {
			b := t2[name]
			keyOf := func(tr *tableRows, i int) string {
				var parts []string
				for _, f := range tr.e.Key {
					parts = append(parts, tr.get(i, f))
				}
				return strings.Join(parts, "|") + "#" + strings.Join(tr.rows[i], ",")
			}
			later := map[string]string{}
			for j := range b.rows {
				k := keyOf(b, j)
				later[k[:strings.Index(k, "#")]] = b.get(j, "updated_at")
			}
			newRows, changed := 0, 0
			seen := map[string]bool{}
			for j := range b.rows {
				seen[keyOf(b, j)] = true
			}
			for j := range a.rows {
				k := keyOf(a, j)
				if seen[k] {
					continue
				}
				nk := k[:strings.Index(k, "#")]
				up, ok := later[nk]
				if !ok {
					t.Errorf("%s %s: row %s vanished a day later", op.Short, name, nk)
					continue
				}
				if up <= a.get(j, "updated_at") {
					t.Errorf("%s %s: row %s changed without a later updated_at", op.Short, name, nk)
				}
				changed++
			}
			newRows = len(b.rows) - len(a.rows)
			if newRows < 0 {
				t.Errorf("%s %s: %d rows, a day later %d", op.Short, name, len(a.rows), len(b.rows))
			}
			_ = changed
		}
	}
}

// TestOrganisationCashStaysPositive: even in a small world with defects
// planted, the organisation's own bank balance (1002 and 1003 at
// organisation level) never goes below zero: its opening balance bears the
// planted large payments, so that the funds' risk indicators are not red
// for the plants alone.
func TestOrganisationCashStaysPositive(t *testing.T) {
	w := smallWorld(t, 3000, 0.01)
	for _, op := range w.Operators {
		l := readTables(t, op)["ledger_entries"]
		byDay := map[string]money.Cents{}
		for i := range l.rows {
			if l.get(i, "activity_code") != "" {
				continue
			}
			if acct := l.get(i, "account_code"); acct == "1002" || acct == "1003" {
				byDay[l.get(i, "posted_on")] += l.cents(t, i, "debit") - l.cents(t, i, "credit")
			}
		}
		days := make([]string, 0, len(byDay))
		for d := range byDay {
			days = append(days, d)
		}
		slices.Sort(days)
		var bal money.Cents
		for _, d := range days {
			bal += byDay[d]
			if bal < 0 {
				t.Errorf("operator %s: organisation cash %s on %s", op.Short, bal, d)
				break
			}
		}
		if len(days) < 20 {
			t.Errorf("operator %s: organisation cash moves on %d days only", op.Short, len(days))
		}
	}
}
