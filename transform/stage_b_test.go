package transform

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"huzhu/internal/codes"
	"huzhu/opsim"
	"huzhu/warehouse"
)

// stageBKeys are the natural keys of the entities stage models B cover.
var stageBKeys = map[string][]string{
	"enrollments":    {"receipt_no"},
	"claims":         {"claim_no"},
	"ledger_entries": {"voucher_no", "line_no"},
	"investments":    {"holding_id", "as_of"},
	"assistance":     {"item_id"},
}

func stageBEntities() []string {
	var out []string
	for _, e := range Order {
		if stageBKeys[e] != nil {
			out = append(out, e)
		}
	}
	return out
}

func runAll(t *testing.T, db *warehouse.DB) *Result {
	t.Helper()
	res, err := Run(context.Background(), db.SQL(), "run1", testKey, Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	for _, er := range res.Entities {
		if stageBKeys[er.Entity] != nil {
			t.Logf("%-15s received %6d kept %6d quarantined %4d duplicates %3d (%.2fs)",
				er.Entity, er.Received, er.Kept, er.Quarantined, er.Duplicates, er.Seconds)
		}
	}
	return res
}

func queryInt(t *testing.T, db *warehouse.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.SQL().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// checkReconciled fails on any unexplained row of the entities.
func checkReconciled(t *testing.T, db *warehouse.DB) {
	t.Helper()
	for _, e := range stageBEntities() {
		rows := queryInt(t, db, "SELECT count(*) FROM ops.reconciliation WHERE entity = ?", e)
		diff := queryInt(t, db, "SELECT coalesce(sum(abs(difference)), 0) FROM ops.reconciliation WHERE entity = ?", e)
		if rows == 0 || diff != 0 {
			t.Errorf("%s: %d reconciliation rows, difference %d", e, rows, diff)
		}
	}
}

func TestStageBClean(t *testing.T) {
	db, _, _ := loadWorld(t, smallParams(4000, 0))
	runAll(t, db)
	for _, e := range stageBEntities() {
		q := queryInt(t, db, "SELECT count(*) FROM ops.quarantine WHERE entity = ?", e)
		if q != 0 {
			rows, _ := db.SQL().Query("SELECT reason_code, reason, raw_record FROM ops.quarantine WHERE entity = ? LIMIT 5", e)
			for rows.Next() {
				var c, r, raw string
				rows.Scan(&c, &r, &raw)
				t.Logf("%s: %s %s %s", e, c, r, raw)
			}
			rows.Close()
			t.Errorf("%s: %d rows quarantined in a clean world", e, q)
		}
		keys := strings.Join(stageBKeys[e], ", ")
		want := queryInt(t, db, "SELECT count(*) FROM (SELECT DISTINCT source_operator, "+keys+", updated_at FROM raw."+e+")")
		got := queryInt(t, db, "SELECT count(*) FROM core.v_"+e)
		if want == 0 || got != want {
			t.Errorf("%s: core.v_%s holds %d rows, raw %d distinct versions", e, e, got, want)
		}
	}
	checkReconciled(t, db)
	if n := queryInt(t, db, "SELECT count(*) FROM core.v_enrollments WHERE amount < 0 AND refund_of IS NOT NULL"); n == 0 {
		t.Error("no refund reached core.v_enrollments")
	}
	// A full rebuild (core.v_* dropped first) gives the same rows.
	counts := map[string]int64{}
	for _, e := range stageBEntities() {
		counts[e] = queryInt(t, db, "SELECT count(*) FROM core.v_"+e)
	}
	if _, err := Run(context.Background(), db.SQL(), "full", testKey, Options{Full: true, Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	for _, e := range stageBEntities() {
		if n := queryInt(t, db, "SELECT count(*) FROM core.v_"+e); n != counts[e] {
			t.Errorf("%s: %d rows after a full rebuild, %d before", e, n, counts[e])
		}
	}
	checkRefunds(t, db)
}

// checkRefunds sends a second enrolment batch, whose refunds name receipts
// in core, in the batch, or nowhere, and transforms it incrementally.
func checkRefunds(t *testing.T, db *warehouse.DB) {
	var op, receipt, act, member, start, end, payer string
	err := db.SQL().QueryRow(`SELECT source_operator, receipt_no, activity_code, member_ref, CAST(period_start AS VARCHAR),
			CAST(period_end AS VARCHAR), payer_union_code
		FROM core.v_enrollments WHERE amount > 0 ORDER BY receipt_no LIMIT 1`).Scan(&op, &receipt, &act, &member, &start, &end, &payer)
	if err != nil {
		t.Fatal(err)
	}
	fullWidth := strings.Map(func(r rune) rune {
		if r >= '!' && r <= '~' {
			return r + 0xFEE0
		}
		return r
	}, member)
	type row struct{ receipt, member, start, amount, refundOf, paid, want string }
	rows := []row{
		{"T-CORE-RF", member, start, "-10.00", receipt, "2025-06-01 10:00:00", ""},
		{"T-NEW", member, start, "30.00", "", "2025-06-01 10:00:00", ""},
		{"T-NEW-RF", member, start, "-5.00", "T-NEW", "2025-06-02 10:00:00", ""},
		{"T-NOSUCH-RF", member, start, "-5.00", "T-NOSUCH", "2025-06-02 10:00:00", "unknown_ref"},
		{"T-POS-RF", member, start, "5.00", receipt, "2025-06-02 10:00:00", "negative_amount"},
		{"T-ZERO", member, start, "0.00", "", "2025-06-02 10:00:00", "negative_amount"},
		// A refund of a receipt that was sent but refused is no unknown
		// reference (core.k_enrollments holds every receipt sent).
		{"T-ZERO-RF", member, start, "-1.00", "T-ZERO", "2025-06-02 10:00:00", ""},
		{"T-FUTURE", member, start, "30.00", "", "2025-07-01T00:30:00+08:00", "future_date"},
		{"T-FULLWIDTH", fullWidth, start, "30.00", "", "2025-06-30T23:59:59+08:00", ""},
		{"T-PERIOD", member, end, "30.00", "", "2025-06-01 10:00:00", "bad_period"},
		{"T-NOMEMBER", member + "Q", start, "30.00", "", "2025-06-01 10:00:00", "unknown_ref"},
	}
	if start == end {
		t.Fatalf("receipt %s has a one-day period", receipt)
	}
	const load = "stage-b-refunds"
	for i, r := range rows {
		periodEnd := end
		if r.want == "bad_period" {
			periodEnd = start
		}
		var refundOf any
		if r.refundOf != "" {
			refundOf = r.refundOf
		}
		_, err := db.SQL().Exec(`INSERT INTO raw.enrollments (operator_code, receipt_no, activity_code, member_ref, period_start,
				period_end, amount, refund_of, paid_at, payer_union_code, updated_at, source_pos, load_id, source_operator, source_kind, ingested_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'files', now())`,
			op, r.receipt, act, r.member, r.start, periodEnd, r.amount, refundOf, r.paid, payer, r.paid,
			"enrollments.csv:"+strconv.Itoa(i+2), load, op)
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err = db.SQL().Exec(`INSERT INTO ops.loads (load_id, run_id, operator_code, source_kind, entity, batch, rows_received,
			rows_loaded, rows_quarantined, status, loaded_at)
		VALUES (?, 'stage-b', ?, 'files', 'enrollments', '2025-06-30', ?, ?, 0, 'loaded', now())`, load, op, len(rows), len(rows))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), db.SQL(), "run2", testKey, Options{Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		var got string
		err := db.SQL().QueryRow(`SELECT coalesce(any_value(reason_code), '') FROM ops.quarantine WHERE load_id = ? AND source_row = ?`,
			load, "enrollments.csv:"+strconv.Itoa(i+2)).Scan(&got)
		if err != nil {
			t.Fatal(err)
		}
		kept := queryInt(t, db, "SELECT count(*) FROM core.v_enrollments JOIN ops.load_numbers USING (load_no) WHERE load_id = ? AND receipt_no = ? AND member_ref LIKE ?",
			load, r.receipt, strings.TrimSuffix(member, "Q")+"%")
		if got != r.want || (kept == 1) != (r.want == "") {
			t.Errorf("%s: quarantined as %q, %d in core; want %q", r.receipt, got, kept, r.want)
		}
	}
	diff := queryInt(t, db, "SELECT count(*) FILTER (WHERE difference <> 0) + 10 * (count(*) <> 1)::INT FROM ops.reconciliation WHERE run_id = 'run2' AND entity = 'enrollments'")
	if diff != 0 {
		t.Errorf("run2 enrollments: reconciliation does not balance")
	}
}

func readAnswerKey(t *testing.T, path string) []opsim.KeyEntry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []opsim.KeyEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e opsim.KeyEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("answer key line %q: %v", sc.Text(), err)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// quarantinedKeys lists, per operator, entity and reason code, the keys
// (normalised, fields joined by "|") the quarantine's raw records name.
func quarantinedKeys(t *testing.T, db *warehouse.DB) map[[3]string]map[string]bool {
	t.Helper()
	rows, err := db.SQL().Query(`SELECT l.operator_code, q.entity, q.reason_code, q.raw_record
		FROM ops.quarantine AS q JOIN ops.loads AS l USING (load_id)`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[[3]string]map[string]bool{}
	for rows.Next() {
		var op, ent, code string
		var raw *string
		if err := rows.Scan(&op, &ent, &code, &raw); err != nil {
			t.Fatal(err)
		}
		keys := stageBKeys[ent]
		if keys == nil || raw == nil {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(*raw), &rec); err != nil {
			t.Errorf("%s %s: raw_record %q is no JSON object: %v", ent, code, *raw, err)
			continue
		}
		parts := make([]string, len(keys))
		for i, k := range keys {
			s, _ := rec[k].(string)
			parts[i] = codes.NormalizeCode(s)
		}
		k := [3]string{op, ent, code}
		if out[k] == nil {
			out[k] = map[string]bool{}
		}
		out[k][strings.Join(parts, "|")] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// inCore says whether core.v_<entity> holds a version of the key's row;
// only its first key field is compared.
func inCore(t *testing.T, db *warehouse.DB, entity, op, key string) bool {
	t.Helper()
	col := stageBKeys[entity][0]
	return queryInt(t, db, "SELECT count(*) FROM core.v_"+entity+" WHERE source_operator = ? AND "+col+" = ?", op, key) > 0
}

func TestStageBDefects(t *testing.T) {
	db, _, keyPath := loadWorld(t, smallParams(6000, 0.1))
	runAll(t, db)
	rows, err := db.SQL().Query(`SELECT entity, reason_code, count(*) FROM ops.quarantine
		GROUP BY ALL ORDER BY ALL`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var e, c string
		var n int64
		rows.Scan(&e, &c, &n)
		if stageBKeys[e] != nil {
			t.Logf("quarantine %-15s %-18s %5d", e, c, n)
		}
	}
	rows.Close()
	quar := quarantinedKeys(t, db)
	seen := map[string]int{}
	dataVouchers := map[string]bool{}
	entries := readAnswerKey(t, keyPath)
	for _, e := range entries {
		if e.Kind != "data" || stageBKeys[e.Entity] == nil || (len(e.Formats) > 0 && !slices.Contains(e.Formats, "csv")) {
			continue
		}
		seen[e.Entity+" "+e.Code+" "+e.Expect]++
		switch e.Expect {
		case "quarantine":
			if e.Entity == "ledger_entries" {
				dataVouchers[e.Operator+" "+strings.Split(e.Key, "|")[0]] = true
			}
			if !quar[[3]string{e.Operator, e.Entity, e.Code}][e.Key] {
				t.Errorf("%s %s %s: not quarantined as %s", e.Operator, e.Entity, e.Key, e.Code)
			}
		case "keep":
			if !inCore(t, db, e.Entity, e.Operator, e.Key) {
				t.Errorf("%s %s %s (%s): not in core.v_%s", e.Operator, e.Entity, e.Key, e.Code, e.Entity)
			}
		default:
			t.Errorf("%s %s %s: unexpected expectation %q", e.Operator, e.Entity, e.Key, e.Expect)
		}
	}
	for k, n := range seen {
		t.Logf("answer key: %-45s %4d", k, n)
	}
	for _, want := range []string{"enrollments bad_uscc quarantine", "enrollments fullwidth_code keep",
		"enrollments negative_amount quarantine", "claims bad_ts quarantine", "claims bad_money quarantine",
		"claims unknown_ref quarantine", "claims future_date quarantine", "ledger_entries debit_credit_both quarantine"} {
		if seen[want] == 0 {
			t.Errorf("the answer key holds no %q: the test proves nothing about it", want)
		}
	}

	// What the rules find later (R01, R05, R07, R10, R17, R18…) must reach
	// core: those rows are not data errors.
	rules := 0
	for _, e := range entries {
		if e.Kind != "rule" || stageBKeys[e.Entity] == nil {
			continue
		}
		for _, k := range strings.Split(e.Key, "|") {
			if e.Entity == "ledger_entries" && dataVouchers[e.Operator+" "+k] {
				continue // the voucher's lines are quarantined for a data defect
			}
			rules++
			if !inCore(t, db, e.Entity, e.Operator, k) {
				t.Errorf("%s %s %s (rule %s, %s): not in core.v_%s", e.Operator, e.Entity, k, e.Code, e.Expect, e.Entity)
			}
		}
	}
	if rules == 0 {
		t.Error("the answer key holds no rule entries of these entities")
	}
	checkReconciled(t, db)
}
