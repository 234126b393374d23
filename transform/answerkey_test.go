package transform

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"huzhu/contract"
	"huzhu/internal/codes"
	"huzhu/opsim"
	"huzhu/opsim/record"
	"huzhu/warehouse"
)

func testMembers(def int) int {
	if n, err := strconv.Atoi(os.Getenv("HUZHU_TEST_MEMBERS")); err == nil && n > 0 {
		return n
	}
	return def
}

func readKey(t *testing.T, path string) []opsim.KeyEntry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []opsim.KeyEntry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e opsim.KeyEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// keyOf renders the natural key of a quarantined record from its raw JSON,
// normalised as codes are.
func keyOf(e *contract.Entity, rawRecord string) string {
	var m map[string]any
	json.Unmarshal([]byte(rawRecord), &m)
	var parts []string
	for _, k := range e.Key {
		v, _ := m[k].(string)
		parts = append(parts, codes.NormalizeCode(v))
	}
	return strings.Join(parts, "|")
}

// TestAnswerKey: against the simulator's answer key, every planted data
// defect is in ops.quarantine with its expected reason code (or counted, or
// kept after normalisation, as the key says), and no row the key does not
// name is quarantined. HUZHU_TEST_MEMBERS sizes the world (issue figure:
// 100000).
func TestAnswerKey(t *testing.T) {
	db, _, keyPath := loadWorld(t, smallParams(testMembers(20000), 0.02))
	if _, err := Run(context.Background(), db.SQL(), "run1", testKey, Options{Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	type qkey struct{ entity, key, code string }
	got := map[qkey]int{}
	rows, err := db.SQL().Query("SELECT entity, reason_code, raw_record FROM ops.quarantine")
	if err != nil {
		t.Fatal(err)
	}
	var all []qkey
	for rows.Next() {
		var entity, code, rec string
		rows.Scan(&entity, &code, &rec)
		k := qkey{entity, keyOf(contract.Lookup(entity), rec), code}
		got[k]++
		all = append(all, k)
	}
	rows.Close()
	planted := map[string]bool{} // entity|key of every data entry
	counts := map[string]int{}
	for _, e := range readKey(t, keyPath) {
		if e.Kind != "data" {
			continue
		}
		key := codes.NormalizeCode(e.Key)
		planted[e.Entity+"|"+key] = true
		counts[e.Code+"/"+e.Expect]++
		switch e.Expect {
		case "quarantine":
			if got[qkey{e.Entity, key, e.Code}] == 0 {
				t.Errorf("planted %s %s %s not quarantined with that code", e.Entity, e.Key, e.Code)
			}
		case "count", "keep":
			var n int
			cols := contract.Lookup(e.Entity).Key
			cond := make([]string, len(cols))
			args := []any{e.Operator}
			for i, c := range cols {
				cond[i] = fmt.Sprintf("CAST(%s AS VARCHAR) = ?", c)
				args = append(args, strings.Split(key, "|")[i])
			}
			db.SQL().QueryRow(fmt.Sprintf("SELECT count(*) FROM core.v_%s WHERE source_operator = ? AND %s", e.Entity, strings.Join(cond, " AND ")), args...).Scan(&n)
			if n == 0 {
				t.Errorf("planted %s %s %s: not in core.v_%s", e.Entity, e.Key, e.Code, e.Entity)
			}
		}
	}
	for _, k := range all {
		if !planted[k.entity+"|"+k.key] {
			t.Errorf("quarantined %s %s as %s, and the answer key plants nothing there", k.entity, k.key, k.code)
		}
	}
	var dups, bad int
	db.SQL().QueryRow("SELECT coalesce(sum(duplicates), 0), count(*) FILTER (WHERE difference <> 0) FROM ops.reconciliation WHERE run_id = 'run1'").Scan(&dups, &bad)
	if counts["exact_duplicate/count"] > 0 && dups < counts["exact_duplicate/count"] {
		t.Errorf("%d duplicates counted, %d planted", dups, counts["exact_duplicate/count"])
	}
	if bad != 0 {
		t.Errorf("%d reconciliation rows do not balance", bad)
	}
	var names []string
	for c, n := range counts {
		names = append(names, fmt.Sprintf("%s=%d", c, n))
	}
	sort.Strings(names)
	t.Logf("planted: %s; quarantined rows: %d", strings.Join(names, " "), len(all))
}

// TestNoPersonalData: after a run, no id number, name or phone of the input
// is in any text column of the warehouse (raw included), nor in the logs.
func TestNoPersonalData(t *testing.T) {
	p := smallParams(3000, 0.02)
	db, w, _ := loadWorld(t, p)
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	if _, err := Run(context.Background(), db.SQL(), "run1", testKey, Options{Logger: logger}); err != nil {
		t.Fatal(err)
	}
	// The personal data the operators sent.
	var pii []string
	var r record.Row
	for _, op := range w.Operators {
		tabs, _ := op.Tables()
		for _, name := range []string{"members", "staff_roles"} {
			tab := tabs[name]
			e := tab.Entity()
			for i := 0; i < tab.Len(); i++ {
				tab.Read(i, &r)
				for j, f := range e.Fields {
					if f.PII && !r.IsNull(j) {
						pii = append(pii, string(r.Field(j)))
					}
				}
			}
		}
	}
	conn, _ := db.SQL().Conn(context.Background())
	defer conn.Close()
	conn.ExecContext(context.Background(), "CREATE TEMP TABLE pii (v VARCHAR)")
	for _, v := range pii {
		conn.ExecContext(context.Background(), "INSERT INTO pii VALUES (?)", v)
	}
	cols, err := conn.QueryContext(context.Background(), `SELECT table_schema, table_name, column_name FROM information_schema.columns
		WHERE data_type = 'VARCHAR' AND table_schema IN ('raw', 'core', 'mart', 'ops') ORDER BY ALL`)
	if err != nil {
		t.Fatal(err)
	}
	type col struct{ s, t, c string }
	var list []col
	for cols.Next() {
		var c col
		cols.Scan(&c.s, &c.t, &c.c)
		list = append(list, c)
	}
	cols.Close()
	if len(list) < 100 {
		t.Fatalf("only %d text columns scanned", len(list))
	}
	for _, c := range list {
		var n int
		q := fmt.Sprintf(`SELECT count(*) FROM (
			SELECT x.%[3]s AS v FROM %[1]s.%[2]s AS x
			UNION ALL SELECT unnest(regexp_extract_all(x.%[3]s, '[0-9]{17}[0-9X]|1[0-9]{10}')) FROM %[1]s.%[2]s AS x
		) WHERE v IN (SELECT v FROM pii)`, c.s, c.t, c.c)
		if err := conn.QueryRowContext(context.Background(), q).Scan(&n); err != nil {
			t.Fatalf("%s.%s.%s: %v", c.s, c.t, c.c, err)
		}
		if n > 0 {
			t.Errorf("%s.%s.%s holds personal data (%d values)", c.s, c.t, c.c, n)
		}
	}
	for _, v := range pii {
		if len(v) >= 6 && bytes.Contains(logs.Bytes(), []byte(v)) {
			t.Errorf("the log holds personal data")
			break
		}
	}
}

// TestIncrementalEqualsFull: five nights transformed one after another give
// the same core tables as one full rebuild from the same raw. The first
// night and the rebuild write the versions tables from the stage models
// (fuseStage), the other nights add to them.
func TestIncrementalEqualsFull(t *testing.T) {
	ctx := context.Background()
	defer func(n int64) { fuseRows = n }(fuseRows)
	fuseRows = 1
	dir := t.TempDir()
	db, err := warehouse.Open(ctx, warehouse.InMemory, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p := smallParams(2500, 0.02)
	for night := 0; night < 5; night++ {
		extractNight(t, db, p, night, dir)
		if _, err := Run(ctx, db.SQL(), fmt.Sprintf("t%d", night), testKey, Options{Logger: quiet}); err != nil {
			t.Fatal(err)
		}
	}
	equalsFullRebuild(t, db.SQL(), "incremental")
	var changed int
	db.SQL().QueryRow("SELECT count(*) FROM core.fact_claim_status WHERE NOT is_current").Scan(&changed)
	if changed == 0 {
		t.Error("no claim changed status over five nights: the test shows nothing")
	}
}

// equalsFullRebuild digests core as it is, rebuilds it in full from the
// same raw and reports each table that differs; what says how core got
// where it was ("incremental", "after the night").
func equalsFullRebuild(t *testing.T, db *sql.DB, what string) {
	t.Helper()
	before := coreDigests(t, db)
	if _, err := Run(context.Background(), db, "full", testKey, Options{Full: true, Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	full := coreDigests(t, db)
	if len(full) < 20 {
		t.Fatalf("only %d core tables", len(full))
	}
	for name, d := range full {
		if before[name] != d {
			t.Errorf("core.%s: %s %s, full rebuild %s", name, what, before[name], d)
		}
	}
}

// coreDigests digests every core table, order-independently; a version's
// load is part of it, since a full rebuild reads the same loads, as the
// load's id (ops.load_numbers): its number (load_no) is the warehouse's,
// given in the order the loads were loaded, which differs between two
// warehouses extracting the same drop four sources at a time.
func coreDigests(t *testing.T, db *sql.DB) map[string]string {
	t.Helper()
	rows, err := db.Query(`SELECT table_name, bool_or(column_name = 'load_no') FROM information_schema.columns
		WHERE table_schema = 'core' GROUP BY ALL ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	numbered := map[string]bool{}
	for rows.Next() {
		var n string
		var byNo bool
		rows.Scan(&n, &byNo)
		names = append(names, n)
		numbered[n] = byNo
	}
	rows.Close()
	out := map[string]string{}
	for _, n := range names {
		var d sql.NullString
		var c int
		rel := "core." + n
		if numbered[n] {
			rel = "(SELECT l.load_id, v.* EXCLUDE (load_no) FROM core." + n + " AS v LEFT JOIN ops.load_numbers AS l USING (load_no))"
		}
		q := fmt.Sprintf("SELECT count(*), md5(string_agg(r, chr(10) ORDER BY r)) FROM (SELECT CAST(t AS VARCHAR) AS r FROM %s AS t)", rel)
		if err := db.QueryRow(q).Scan(&c, &d); err != nil {
			t.Fatalf("digest core.%s: %v", n, err)
		}
		out[n] = fmt.Sprintf("%d rows %s", c, d.String)
	}
	return out
}

// TestUpgradeDropsVersionColumns: a warehouse transformed before
// migrations 0012–0014, whose versions kept row_hash, the record's
// operator_code, (those of the current facts) the operator's pool and
// their load's id, and whose views of the current versions named those
// columns, opens with the first three columns and those views gone; its
// next transform gives the versions their loads' numbers in place of the
// ids, and its nights give the same core tables as a full rebuild.
func TestUpgradeDropsVersionColumns(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "w.duckdb")
	db, err := warehouse.Open(ctx, path, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := smallParams(800, 0.02)
	extractNight(t, db, p, 0, dir)
	if _, err := Run(ctx, db.SQL(), "t0", testKey, Options{Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	// The warehouse as the build before 0012 left it.
	old := []string{"DELETE FROM ops.schema_migrations WHERE version IN (12, 13, 14)"}
	for _, name := range Order {
		old = append(old, "ALTER TABLE core.v_"+name+" ADD COLUMN load_id VARCHAR",
			"UPDATE core.v_"+name+" AS v SET load_id = n.load_id FROM ops.load_numbers AS n WHERE n.load_no = v.load_no",
			"ALTER TABLE core.v_"+name+" DROP COLUMN load_no",
			"ALTER TABLE core.v_"+name+" ADD COLUMN row_hash UBIGINT",
			"UPDATE core.v_"+name+" SET row_hash = hash(load_id)")
		if name != "organizations" {
			old = append(old, "ALTER TABLE core.v_"+name+" ADD COLUMN operator_code VARCHAR",
				"UPDATE core.v_"+name+" SET operator_code = source_operator")
		}
	}
	for _, f := range currentFacts {
		old = append(old, "ALTER TABLE core.v_"+f.Entity+" ADD COLUMN pool_code VARCHAR",
			"UPDATE core.v_"+f.Entity+" AS v SET pool_code = o.pool_code FROM core.dim_org AS o WHERE o.org_code = v.source_operator AND o.is_current",
			"DROP TABLE core.p_"+f.Entity,
			"CREATE TABLE core.p_"+f.Entity+" AS SELECT * FROM core.v_"+f.Entity+" LIMIT 0",
			"CREATE OR REPLACE VIEW core."+f.Fact+" AS SELECT * EXCLUDE (load_id, row_hash, source_operator, valid_to) FROM core.v_"+f.Entity+" WHERE valid_to IS NULL")
	}
	old = append(old, "CREATE OR REPLACE VIEW core.fact_audit AS SELECT v.* EXCLUDE (load_id, source_operator) FROM core.v_audits AS v",
		"DROP TABLE ops.load_numbers")
	for _, q := range old {
		if _, err := db.SQL().Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	db, err = warehouse.Open(ctx, path, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var left int
	if err := db.SQL().QueryRow(`SELECT count(*) FROM duckdb_columns() WHERE schema_name = 'core'
		AND (column_name = 'row_hash' OR (column_name IN ('operator_code', 'pool_code') AND regexp_matches(table_name, '^[vp]_')
			AND table_name <> 'v_organizations'))`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("%d columns row_hash, operator_code or pool_code left in core's versions after the migrations", left)
	}
	byID := func() int {
		var n int
		if err := db.SQL().QueryRow(`SELECT count(*) FROM duckdb_columns() WHERE schema_name = 'core' AND column_name = 'load_id'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if byID() == 0 {
		t.Fatal("the old warehouse's versions keep no load_id: the test shows nothing")
	}
	for night := 1; night < 3; night++ {
		extractNight(t, db, p, night, dir)
		if _, err := Run(ctx, db.SQL(), fmt.Sprintf("t%d", night), testKey, Options{Logger: quiet}); err != nil {
			t.Fatalf("night %d after the upgrade: %v", night, err)
		}
		if n := byID(); n != 0 {
			t.Errorf("night %d after the upgrade: %d core columns load_id left", night, n)
		}
	}
	equalsFullRebuild(t, db.SQL(), "nights after the upgrade")
}
