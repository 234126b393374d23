package extract

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"huzhu/internal/config"
	"huzhu/opsim"
)

// dropOne writes a small world's drop and returns the folder of its first
// operator's batch, the source, and the answer key path.
func dropOne(t *testing.T, format, enc string, defects float64) (string, config.Source, string) {
	t.Helper()
	w := testWorld(t, 1500, defects)
	dir := t.TempDir()
	key := filepath.Join(dir, "key.jsonl")
	if _, err := w.Drop(opsim.DropOptions{Out: dir, Format: format, Encoding: enc, KeyPath: key}); err != nil {
		t.Fatal(err)
	}
	op := w.Operators[0]
	return filepath.Join(dir, op.Code, w.Batch()), config.Source{Operator: op.Code, Kind: config.KindFiles, Path: filepath.Join(dir, op.Code)}, key
}

// rewrite changes a file of a batch and, with fixManifest, its manifest
// entry (rows and sha256) so that only the content is at fault.
func rewrite(t *testing.T, batch, name string, change func([]byte) []byte, fixManifest bool, rows int64) {
	t.Helper()
	path := filepath.Join(batch, name)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b = change(b)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if !fixManifest {
		return
	}
	sum := sha256.Sum256(b)
	editManifest(t, batch, func(files map[string]any) {
		f := files[name].(map[string]any)
		f["sha256"] = hex.EncodeToString(sum[:])
		if rows >= 0 {
			f["rows"] = rows
		}
	})
}

func loadStatus(t *testing.T, db *sql.DB) (loaded int, rejected []string) {
	t.Helper()
	db.QueryRow("SELECT count(*) FROM ops.loads WHERE status = 'loaded'").Scan(&loaded)
	rows, err := db.Query("SELECT reason FROM ops.loads WHERE status = 'rejected' ORDER BY reason")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var r string
		rows.Scan(&r)
		rejected = append(rejected, r)
	}
	return
}

// TestBadBatches: each way a batch can be wrong is refused whole with a
// clear reason, loads nothing, and never panics.
func TestBadBatches(t *testing.T) {
	cases := []struct {
		name   string
		spoil  func(t *testing.T, batch string)
		reason string
	}{
		{"rows mismatch", func(t *testing.T, b string) {
			rewrite(t, b, "claims.csv", func(x []byte) []byte { return x }, true, 3)
		}, "manifest says 3"},
		{"checksum mismatch", func(t *testing.T, b string) {
			rewrite(t, b, "members.csv", func(x []byte) []byte { return append(x, "x"...) }, false, -1)
		}, "has sha256"},
		{"missing manifest", func(t *testing.T, b string) { os.Remove(filepath.Join(b, "manifest.json")) }, "no manifest.json"},
		{"missing file", func(t *testing.T, b string) { os.Remove(filepath.Join(b, "budgets.csv")) }, "it lists budgets.csv, which is not in the batch"},
		{"file the manifest does not list", func(t *testing.T, b string) {
			editManifest(t, b, func(files map[string]any) { delete(files, "decisions.csv") })
			os.WriteFile(filepath.Join(b, "README.txt"), []byte("not an entity: ignored"), 0o644)
		}, "decisions.csv is in the batch but not in its manifest"},
		{"a file listed under a name of no entity", func(t *testing.T, b string) {
			renameInBatch(t, b, "enrollments.csv", "enrolments.csv")
		}, "it lists enrolments.csv, which names no contract entity (enrollments?)"},
		{"a data file of no entity, not listed", func(t *testing.T, b string) {
			os.WriteFile(filepath.Join(b, "payments.csv"), []byte("operator_code,amount\n"), 0o644)
		}, "payments.csv is in the batch but names no contract entity"},
		{"a listed file whose name on disk differs in case", func(t *testing.T, b string) {
			os.Rename(filepath.Join(b, "enrollments.csv"), filepath.Join(b, "Enrollments.CSV"))
		}, "Enrollments.CSV is in the batch but not in its manifest, which lists enrollments.csv: file names are compared exactly"},
		{"a quote that never closes", func(t *testing.T, b string) {
			rewrite(t, b, "members.csv", func(x []byte) []byte {
				lines := strings.SplitAfter(string(x), "\n")
				lines[5] = strings.Replace(lines[5], ",", `,"`, 1)
				return []byte(strings.Join(lines, ""))
			}, true, -1)
		}, `at members.csv:6 a quote opens that never closes`},
		{"empty file", func(t *testing.T, b string) {
			rewrite(t, b, "audits.csv", func([]byte) []byte { return nil }, true, 0)
		}, "empty"},
		{"undeclared encoding", func(t *testing.T, b string) {
			rewrite(t, b, "activities.csv", func(x []byte) []byte {
				return append([]byte("operator_code,\xb1\xea\xcc\xe2\n"), x[strings.IndexByte(string(x), '\n')+1:]...)
			}, true, -1)
		}, "undeclared encoding"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			batch, src, _ := dropOne(t, "csv", "utf-8", 0)
			c.spoil(t, batch)
			db := openWarehouse(t, "")
			pull(t, db.SQL(), src, Options{})
			loaded, rejected := loadStatus(t, db.SQL())
			if loaded != 0 || len(rejected) != 1 || !strings.Contains(rejected[0], c.reason) {
				t.Errorf("loaded %d, rejected %q; want 0 loaded and one rejection naming %q", loaded, rejected, c.reason)
			}
			var n int
			db.SQL().QueryRow("SELECT count(*) FROM raw.members").Scan(&n)
			if n != 0 {
				t.Errorf("%d members loaded from a refused batch", n)
			}
		})
	}
}

// TestQuarantinedRecords: the CSV defects the simulator plants (truncated
// lines, an extra column, invalid UTF-8) land in ops.quarantine with their
// reason code and line, personal data masked; counts reconcile.
func TestQuarantinedRecords(t *testing.T) {
	batch, src, keyPath := dropOne(t, "csv", "utf-8", 0.3)
	// And a last line cut short without its line end.
	rewrite(t, batch, "decisions.csv", func(x []byte) []byte {
		return append(x, "CUT,SHORT"...)
	}, true, countLines(t, filepath.Join(batch, "decisions.csv")))
	db := openWarehouse(t, "")
	res, err := Run(context.Background(), db.SQL(), &config.Config{Sources: []config.Source{src}}, "r1", Options{Logger: quiet}, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	f, _ := os.Open(keyPath)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e opsim.KeyEntry
		json.Unmarshal(sc.Bytes(), &e)
		if e.Operator == src.Operator && len(e.Formats) > 0 {
			want[e.Code]++
		}
	}
	want[ReasonTruncatedLine]++ // the cut decisions line
	got := map[string]int{}
	rows, _ := db.SQL().Query("SELECT reason_code, count(*) FROM ops.quarantine GROUP BY 1")
	for rows.Next() {
		var c string
		var n int
		rows.Scan(&c, &n)
		got[c] = n
	}
	rows.Close()
	total := 0
	for c, n := range want {
		total += n
		if got[c] != n {
			t.Errorf("quarantine %s: %d rows, the answer key plants %d", c, got[c], n)
		}
	}
	// The summary tells them too.
	if q := res.Sources[0].Quarantined; q != int64(total) {
		t.Errorf("the source's result says %d records quarantined; ops.quarantine holds %d", q, total)
	}
	if len(want) < 3 {
		t.Errorf("answer key plants only %v", want)
	}
	var leaks int
	db.SQL().QueryRow(`SELECT count(*) FROM ops.quarantine q JOIN raw.members m ON strpos(q.raw_record, m.id_number) > 0 OR strpos(q.raw_record, m.name) > 0`).Scan(&leaks)
	if leaks != 0 {
		t.Errorf("%d quarantined records show a member's id number or name", leaks)
	}
	var bad int
	db.SQL().QueryRow("SELECT count(*) FROM ops.reconciliation WHERE difference <> 0 OR received <> kept + quarantined").Scan(&bad)
	if bad != 0 {
		t.Errorf("%d files do not reconcile", bad)
	}
	var pos string
	db.SQL().QueryRow("SELECT source_row FROM ops.quarantine WHERE reason_code = 'truncated_line' AND source_row LIKE 'decisions%'").Scan(&pos)
	if !strings.HasPrefix(pos, "decisions.csv:") {
		t.Errorf("truncated last line at %q, want decisions.csv:<line>", pos)
	}
}

func countLines(t *testing.T, path string) int64 {
	b, _ := os.ReadFile(path)
	return int64(strings.Count(string(b), "\n")) // header + rows, and the cut line makes it rows+1
}

// TestBatchOnce: a batch already loaded is skipped; a new batch folder is
// loaded.
func TestBatchOnce(t *testing.T) {
	_, src, _ := dropOne(t, "jsonl", "", 0)
	db := openWarehouse(t, "")
	pull(t, db.SQL(), src, Options{})
	before, _ := loadStatus(t, db.SQL())
	pull(t, db.SQL(), src, Options{})
	after, _ := loadStatus(t, db.SQL())
	if before == 0 || after != before {
		t.Errorf("loads after one pull %d, after two %d; want equal and non-zero", before, after)
	}
}

// TestRefusedPersonsMasked: a member's record refused whole — a comma in
// the name that shifts every later value a column on, a quote that never
// closes, a line of JSON that does not parse — keeps none of the person's
// id number, name or phone in ops.quarantine, whatever column the values
// fell under; a refused record of an entity without personal data stays
// readable.
func TestRefusedPersonsMasked(t *testing.T) {
	const id, name, phone = "110101199003078515", "测试人", "13812345678"
	for _, c := range []struct {
		format, line string
		codes        []string
	}{
		{"csv", "OP,ZJM99999998,\"" + id + "\",张,三," + phone + ",M,1990-03-07,U,2020-01-01,active,2020-01-01T09:00:00+08:00\n" +
			"OP,ZJM99999999," + id + "," + name + "," + phone + ",\"M,1990-03-07,U,2020-01-01,active,2020-01-01T09:00:00+08:00\n", []string{ReasonColumnCount, ReasonBadQuote}},
		{"jsonl", `{"operator_code": "OP", "member_ref": "ZJM99999999", "id_number": "` + id + `", "name": "` + name + `", "phone": "` + phone + `", "gender": "M",` + "\n" +
			`{"operator_code": "OP", "member_ref": "ZJM99999997", "id_number": "` + id + `", "Name": "` + name + `", "name": "` + name + `", "phone": "` + phone + `"}` + "\n", []string{ReasonBadJSON, ReasonDuplicateField}},
	} {
		t.Run(c.format, func(t *testing.T) {
			batch, src, _ := dropOne(t, c.format, "utf-8", 0)
			file := "members." + c.format
			rows := countLines(t, filepath.Join(batch, file)) + int64(len(c.codes))
			if c.format == "jsonl" {
				rows++ // no header line in JSONL
			}
			rewrite(t, batch, file, func(x []byte) []byte { return append(x, c.line...) }, true, rows-1)
			db := openWarehouse(t, "")
			pull(t, db.SQL(), src, Options{})
			var n, leaks int
			if err := db.SQL().QueryRow(`SELECT count(*), count(*) FILTER (WHERE contains(raw_record, ?) OR contains(raw_record, ?) OR contains(raw_record, ?))
				FROM ops.quarantine WHERE entity = 'members'`, id, name, phone).Scan(&n, &leaks); err != nil {
				t.Fatal(err)
			}
			if n != len(c.codes) || leaks != 0 {
				t.Errorf("%d members refused (want %d), %d of them show the id number, name or phone", n, len(c.codes), leaks)
			}
		})
	}
}

// TestHeaderSpelling: a contract field's name in a CSV header or a JSONL
// key with capitals or spaces around it ("Amount ") is that field, not an
// unknown column whose values would sit in extra while every row lacked
// amount.
func TestHeaderSpelling(t *testing.T) {
	for _, format := range []string{"csv", "jsonl"} {
		t.Run(format, func(t *testing.T) { headerSpelling(t, format) })
	}
}

func headerSpelling(t *testing.T, format string) {
	batch, src, _ := dropOne(t, format, "utf-8", 0)
	rewrite(t, batch, "enrollments."+format, func(x []byte) []byte {
		if format == "jsonl" {
			return []byte(strings.ReplaceAll(string(x), `"amount":`, `" Amount ":`))
		}
		i := strings.IndexByte(string(x), '\n')
		return append([]byte(strings.Replace(string(x[:i]), "amount", " Amount ", 1)), x[i:]...)
	}, true, -1)
	db := openWarehouse(t, "")
	pull(t, db.SQL(), src, Options{})
	var rows, amounts, extras int
	if err := db.SQL().QueryRow("SELECT count(*), count(amount), count(extra) FROM raw.enrollments").Scan(&rows, &amounts, &extras); err != nil {
		t.Fatal(err)
	}
	if rows == 0 || amounts != rows || extras != 0 {
		t.Errorf("%d rows, %d with an amount, %d with extra columns; want every row's amount and no extra", rows, amounts, extras)
	}
}

// TestJSONLFieldTwice: a JSONL line naming a field twice ("Amount" and
// "amount") is quarantined as duplicate_field with its line, not loaded
// with one of its two amounts; the file's other lines load.
func TestJSONLFieldTwice(t *testing.T) {
	batch, src, _ := dropOne(t, "jsonl", "utf-8", 0)
	file := filepath.Join(batch, "enrollments.jsonl")
	lines := countLines(t, file)
	rewrite(t, batch, "enrollments.jsonl", func(x []byte) []byte {
		return []byte(strings.Replace(string(x), `"amount":`, `"Amount": "1.00", "amount":`, 1))
	}, true, -1)
	db := openWarehouse(t, "")
	pull(t, db.SQL(), src, Options{})
	var rows int64
	var pos, code, reason string
	if err := db.SQL().QueryRow("SELECT (SELECT count(*) FROM raw.enrollments), source_row, reason_code, reason FROM ops.quarantine WHERE entity = 'enrollments'").Scan(&rows, &pos, &code, &reason); err != nil {
		t.Fatal(err)
	}
	if rows != lines-1 || pos != "enrollments.jsonl:1" || code != ReasonDuplicateField || !strings.Contains(reason, `"amount"`) {
		t.Errorf("raw holds %d of %d lines; quarantined %s for %s (%s); want the first line refused for %s", rows, lines, pos, code, reason, ReasonDuplicateField)
	}
}

// TestFileNames: a file named in capitals (Enrollments.CSV, listed so)
// loads as the entity's; a README the manifest lists is no data and no
// reason to refuse the batch.
func TestFileNames(t *testing.T) {
	batch, src, _ := dropOne(t, "csv", "utf-8", 0)
	renameInBatch(t, batch, "enrollments.csv", "Enrollments.CSV")
	editManifest(t, batch, func(files map[string]any) { files["README.txt"] = map[string]any{"rows": 0, "sha256": ""} })
	os.WriteFile(filepath.Join(batch, "README.txt"), []byte("notes"), 0o644)
	db := openWarehouse(t, "")
	pull(t, db.SQL(), src, Options{})
	loaded, rejected := loadStatus(t, db.SQL())
	var n int
	db.SQL().QueryRow("SELECT count(*) FROM raw.enrollments").Scan(&n)
	if len(rejected) != 0 || loaded == 0 || n == 0 {
		t.Errorf("loaded %d files, %d receipts, rejected %q; want the batch loaded", loaded, n, rejected)
	}
}

// editManifest changes the files of a batch's manifest.
func editManifest(t *testing.T, batch string, edit func(files map[string]any)) {
	t.Helper()
	mpath := filepath.Join(batch, "manifest.json")
	var m map[string]any
	raw, err := os.ReadFile(mpath)
	if err == nil {
		err = json.Unmarshal(raw, &m)
	}
	if err != nil {
		t.Fatal(err)
	}
	edit(m["files"].(map[string]any))
	raw, _ = json.Marshal(m)
	if err := os.WriteFile(mpath, raw, 0o644); err != nil {
		t.Fatal(err)
	}
}

// renameInBatch renames a file of a batch and its manifest entry.
func renameInBatch(t *testing.T, batch, from, to string) {
	t.Helper()
	if err := os.Rename(filepath.Join(batch, from), filepath.Join(batch, to)); err != nil {
		t.Fatal(err)
	}
	editManifest(t, batch, func(files map[string]any) {
		files[to] = files[from]
		delete(files, from)
	})
}
