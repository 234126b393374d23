package transform

import (
	"bytes"
	"context"
	"encoding/csv"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"huzhu/contract"
	"huzhu/extract"
	"huzhu/internal/config"
	"huzhu/opsim"
	"huzhu/warehouse"
)

// editCSV rewrites one CSV file of a drop: edit gets the header and the
// records (and may add columns), whose new text it returns.
func editCSV(t *testing.T, in []byte, edit func(h []string, recs [][]string) ([]string, [][]string)) []byte {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(in))
	r.FieldsPerRecord, r.LazyQuotes = -1, true // the defects planted
	all, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// The records of another shape (planted defects) as they are.
	var even, odd [][]string
	for _, rec := range all[1:] {
		if len(rec) == len(all[0]) {
			even = append(even, rec)
		} else {
			odd = append(odd, rec)
		}
	}
	h, recs := edit(all[0], even)
	recs = append(recs, odd...)
	var out bytes.Buffer
	w := csv.NewWriter(&out)
	w.Write(h)
	w.WriteAll(recs)
	return out.Bytes()
}

// col returns the index of name in h.
func col(h []string, name string) int {
	for i, c := range h {
		if c == name {
			return i
		}
	}
	panic("no column " + name)
}

// awkwardDrop writes the world's CSV drop to dir with what the scrub has
// to get right: members keyed by id number for some, an operator's own
// phone column, ids in full-width digits, with a lower-case x or spaces,
// short, empty or blank; names empty, already prefixed "HZ1:", or in
// decomposed form; a phone under union_code (a swapped export); staff
// keyed by phones written with dashes, a phone under role, ledger lines
// naming them.
func awkwardDrop(t *testing.T, from, to string) {
	rewriteDrop(t, from, to, func(name string, in []byte) []byte {
		switch name {
		case "members.csv":
			return editCSV(t, in, func(h []string, recs [][]string) ([]string, [][]string) {
				ref, id, nm, ph, uc := col(h, "member_ref"), col(h, "id_number"), col(h, "name"), col(h, "phone"), col(h, "union_code")
				h = append(h, "手机号")
				for i, r := range recs {
					r = append(r, r[ph])
					switch i % 23 {
					case 1:
						r[ref] = r[id]
					case 2:
						r[id] = strings.Map(func(c rune) rune { return c - '0' + '０' }, r[id][:17]) + string(rune(r[id][17])+0xFEE0)
					case 3:
						r[id] = " " + strings.ToLower(r[id]) + "\t"
					case 4:
						r[id] = r[id][:15]
					case 5:
						r[id] = ""
					case 6:
						r[id] = "   "
					case 7:
						r[nm] = ""
					case 8:
						r[nm] = "HZ1:" + r[nm]
					case 9:
						r[nm] = "e\u0301" + r[nm]
					case 10:
						r[uc] = r[ph]
					case 11:
						r[ph] = "HZ1:" + strings.Repeat("ab", 16)
					}
					recs[i] = r
				}
				return h, recs
			})
		case "staff_roles.csv":
			return editCSV(t, in, func(h []string, recs [][]string) ([]string, [][]string) {
				id, role := col(h, "staff_id"), col(h, "role")
				for i, r := range recs {
					switch i % 5 {
					case 1:
						r[id] = "139-0570-" + r[id][len(r[id])-2:] + "13"
					case 2:
						r[role] = "13705700013"
					}
				}
				return h, recs
			})
		case "ledger_entries.csv":
			return editCSV(t, in, func(h []string, recs [][]string) ([]string, [][]string) {
				by := col(h, "prepared_by")
				for i, r := range recs {
					if i%7 == 1 && r[by] != "" {
						r[by] = "139-0570-" + r[by][len(r[by])-2:] + "13"
					}
				}
				return h, recs
			})
		}
		return in
	})
}

// rawDigest is every raw table's rows (every column but when they were
// ingested) and the quarantine's records, as text to compare. A reference
// to a person counts as masked in a quarantine record either way: the
// transform writes "***" for one it has yet to replace, and the pseudonym
// of one extract replaced.
func rawDigest(t *testing.T, db *warehouse.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, e := range contract.Entities() {
		var d string
		q := `SELECT count(*) || ' ' || coalesce(md5(string_agg(CAST(v AS VARCHAR), '|' ORDER BY CAST(v AS VARCHAR))), '')
			FROM (SELECT * EXCLUDE (ingested_at) FROM raw.` + e.Name + `) AS v`
		if err := db.SQL().QueryRow(q).Scan(&d); err != nil {
			t.Fatalf("%s: %v", e.Name, err)
		}
		out["raw."+e.Name] = d
	}
	var q string
	if err := db.SQL().QueryRow(`SELECT count(*) || ' ' || md5(string_agg(r, '|' ORDER BY r))
		FROM (SELECT concat_ws(' ', entity, source_row, reason_code, reason,
			regexp_replace(raw_record, '"HZ1:[0-9A-F]{32}"', '"***"', 'g')) AS r FROM ops.quarantine)`).Scan(&q); err != nil {
		t.Fatal(err)
	}
	out["ops.quarantine"] = q
	return out
}

// extractDrop extracts the drops under dir (a folder per operator) into a
// new warehouse at path ("" in memory), with the key when key is set, and
// transforms it.
func extractDrop(t *testing.T, dir, path string, key []byte, transform bool) *warehouse.DB {
	t.Helper()
	ctx := context.Background()
	if path == "" {
		path = warehouse.InMemory
	}
	db, err := warehouse.Open(ctx, path, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cfg := &config.Config{}
	ops, _ := os.ReadDir(dir)
	for _, op := range ops {
		if op.IsDir() {
			cfg.Sources = append(cfg.Sources, config.Source{Operator: op.Name(), Kind: config.KindFiles, Path: filepath.Join(dir, op.Name())})
		}
	}
	res, err := extract.Run(ctx, db.SQL(), cfg, "x", extract.Options{Logger: quiet, PIIKey: key}, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Sources {
		if len(s.Rejected) > 0 {
			t.Fatalf("%s: batches refused: %v", s.Name, s.Rejected)
		}
	}
	if transform {
		if _, err := Run(ctx, db.SQL(), "t", testKey, Options{Logger: quiet}); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// TestPseudonymisedAtExtract: a drop extracted with the key (a person's
// data replaced before it reaches DuckDB) and the same drop extracted
// without it, then scrubbed by the transform, give the same raw rows, the
// same quarantine records and the same core, for every file format
// (simulated "mixed" drops: CSV, JSONL, XLSX and Parquet, whose columns
// pass through without a copy) and for the awkward values of awkwardDrop.
func TestPseudonymisedAtExtract(t *testing.T) {
	p := smallParams(400, 0.03)
	w, err := opsim.NewWorld(p)
	if err != nil {
		t.Fatal(err)
	}
	mixed, plainCSV, awkward := t.TempDir(), t.TempDir(), t.TempDir()
	if _, err := w.Drop(opsim.DropOptions{Out: mixed, Format: "mixed", KeyPath: "-"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Drop(opsim.DropOptions{Out: plainCSV, Format: "csv", KeyPath: "-"}); err != nil {
		t.Fatal(err)
	}
	for _, op := range w.Operators {
		awkwardDrop(t, filepath.Join(plainCSV, op.Code), filepath.Join(awkward, op.Code))
	}
	for name, dir := range map[string]string{"mixed": mixed, "awkward": awkward} {
		t.Run(name, func(t *testing.T) {
			late := extractDrop(t, dir, "", nil, true)
			early := extractDrop(t, dir, "", testKey, true)
			agree(t, "raw", "scrubbed by the transform", "pseudonymised at extract", rawDigest(t, late), rawDigest(t, early))
			agree(t, "core", "scrubbed by the transform", "pseudonymised at extract", coreDigest(t, late), coreDigest(t, early))
			var quarantined, pseudoRefs int64
			if err := early.SQL().QueryRow(`SELECT count(*) FROM ops.quarantine`).Scan(&quarantined); err != nil || quarantined == 0 {
				t.Errorf("%d quarantined records (%v): the defects are not there", quarantined, err)
			}
			if name == "awkward" {
				if err := early.SQL().QueryRow(`SELECT (SELECT count(*) FROM raw.members WHERE starts_with(member_ref, 'HZ1:'))
					+ (SELECT count(*) FROM raw.staff_roles WHERE starts_with(staff_id, 'HZ1:'))`).Scan(&pseudoRefs); err != nil || pseudoRefs < 5 {
					t.Errorf("%d references pseudonymised (%v): the awkward values are not there", pseudoRefs, err)
				}
			}
		})
	}
}

// TestNoPlaintextInWarehouseFile: after extract with the key and the
// transform, no byte run of the warehouse file (its free and half-written
// blocks too) is a member's id number, phone or name of three or more
// characters. Without the key, the extracted file holds them: the scan
// finds what is there.
func TestNoPlaintextInWarehouseFile(t *testing.T) {
	p := smallParams(2000, 0.01)
	w, err := opsim.NewWorld(p)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := w.Drop(opsim.DropOptions{Out: dir, Format: "mixed", KeyPath: "-"}); err != nil {
		t.Fatal(err)
	}
	people := map[string]bool{}
	for _, f := range []string{"id_number", "phone", "name"} {
		vals, err := opsimMembers(t, w, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			if f != "name" || len([]rune(v)) >= 3 {
				people[v] = true
			}
		}
	}
	found := func(path string) int {
		n := 0
		for _, suffix := range []string{"", ".wal"} {
			b, err := os.ReadFile(path + suffix)
			if err != nil {
				continue
			}
			for v := range people {
				if bytes.Contains(b, []byte(v)) {
					n++
				}
			}
		}
		return n
	}
	plain := filepath.Join(t.TempDir(), "plain.duckdb")
	db := extractDrop(t, dir, plain, nil, false)
	db.Close()
	if n := found(plain); n == 0 {
		t.Fatalf("the warehouse extracted without the key holds none of %d values: the scan shows nothing", len(people))
	}
	keyed := filepath.Join(t.TempDir(), "keyed.duckdb")
	db = extractDrop(t, dir, keyed, testKey, true)
	db.Close()
	if n := found(keyed); n > 0 {
		t.Errorf("the warehouse extracted with the key holds %d of %d id numbers, phones and names", n, len(people))
	}

	// A warehouse of an earlier build, extracted in the clear and scrubbed
	// by the transform, keeps some in the blocks the scrub freed (at 1 M
	// members, 844 phones and names; at this size DuckDB happens to reuse
	// them all). The blocks of a table of the members as sent, dropped
	// after the transform, stand for them here: DuckDB frees a dropped
	// table's blocks as it does an updated row's, without clearing them.
	// Compacted, the file holds none, every table's rows are as they were,
	// and its next night runs.
	old := filepath.Join(t.TempDir(), "old.duckdb")
	db = extractDrop(t, dir, old, nil, false)
	execAll(t, db.SQL(), "CREATE TABLE main.as_sent AS SELECT * FROM raw.members", "CHECKPOINT")
	if _, err := Run(context.Background(), db.SQL(), "t", testKey, Options{Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	execAll(t, db.SQL(), "DROP TABLE main.as_sent", "CHECKPOINT")
	raw, core := rawDigest(t, db), coreDigests(t, db.SQL())
	db.Close()
	if n := found(old); n == 0 {
		t.Fatal("the freed blocks hold none of the members as sent: the test shows nothing")
	}
	res, err := warehouse.Compact(context.Background(), old)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("compacted: %d bytes, %d before", res.After, res.Before)
	if n := found(old); n > 0 {
		t.Errorf("the compacted warehouse holds %d of %d id numbers, phones and names", n, len(people))
	}
	db, err = warehouse.Open(context.Background(), old, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := rawDigest(t, db); !maps.Equal(got, raw) {
		t.Errorf("raw and quarantine after compacting %v, before %v", got, raw)
	}
	if got := coreDigests(t, db.SQL()); !maps.Equal(got, core) {
		t.Errorf("core after compacting %v, before %v", got, core)
	}
	if _, err := Run(context.Background(), db.SQL(), "t2", testKey, Options{Logger: quiet}); err != nil {
		t.Errorf("a night on the compacted warehouse: %v", err)
	}
}

var digitsOnly = regexp.MustCompile(`^[0-9X]+$`)

// opsimMembers returns the values of one member field of the world's
// drop, read back from its CSV rendering.
func opsimMembers(t *testing.T, w *opsim.World, field string) ([]string, error) {
	t.Helper()
	dir := t.TempDir()
	if _, err := w.Drop(opsim.DropOptions{Out: dir, Format: "csv", KeyPath: "-"}); err != nil {
		return nil, err
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*", "members.csv"))
	var out []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		rd := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))))
		rd.FieldsPerRecord, rd.LazyQuotes = -1, true
		recs, err := rd.ReadAll()
		if err != nil {
			return nil, err
		}
		i := col(recs[0], field)
		for _, r := range recs[1:] {
			if len(r) != len(recs[0]) {
				continue
			}
			if v := r[i]; v != "" && (field == "name" || digitsOnly.MatchString(v)) {
				out = append(out, v)
			}
		}
	}
	return out, nil
}
