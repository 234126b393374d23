package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"huzhu/internal/publish"
	"huzhu/opsim"
	"huzhu/opsim/record"
	"huzhu/warehouse"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsageErrorsExit2(t *testing.T) {
	for _, args := range [][]string{
		{"opsim", "drop"},
		{"opsim", "drop", "--out", t.TempDir(), "--members", "0"},
		{"opsim", "drop", "--out", t.TempDir(), "--as-of", "2025-13-01"},
		{"opsim", "drop", "--no-such-flag"},
		{"opsim", "serve", "--faults", "5xx=2"},
		{"opsim", "drop", "--out", t.TempDir(), "--faults", "rows=2"},
		{"opsim", "drop", "--out", t.TempDir(), "--faults", "rows=0.6,missing=0.6"},
		{"opsim", "drop", "--out", t.TempDir(), "--faults", "bogus=0.1"},
		{"opsim", "drop", "--out", t.TempDir(), "--format", "bogus"},
		{"opsim", "drop", "--out", t.TempDir(), "--encoding", "latin1"},
		{"demo", "extra-arg"},
		{"bogus"},
		{"opsim", "bogus"},
		{"run", "extract"}, // a stage without --only
		{"compact"},
	} {
		if code, _, stderr := run(t, args...); code != exitUsage {
			t.Errorf("Main(%q) = %d, want %d (stderr %q)", args, code, exitUsage, stderr)
		}
	}
}

func TestOpsimDrop(t *testing.T) {
	dir := t.TempDir()
	code, out, stderr := run(t, "opsim", "drop", "--out", dir, "--members", "500", "--format", "jsonl")
	if code != exitOK {
		t.Fatalf("opsim drop = %d: %s", code, stderr)
	}
	if !strings.Contains(out, "rows/s") {
		t.Errorf("opsim drop printed %q, want a rows/s figure", out)
	}
	m, _ := filepath.Glob(filepath.Join(dir, "*", "2025-06-30", "manifest.json"))
	if len(m) != 3 {
		t.Errorf("manifests: %v, want 3", m)
	}
	if _, err := os.Stat(filepath.Join(dir, "answer-key.jsonl")); err != nil {
		t.Errorf("answer key: %v", err)
	}
}

func TestDemo(t *testing.T) {
	dir := t.TempDir()
	code, out, stderr := run(t, "demo", "--out", dir, "--members", "3000")
	if code != exitOK {
		t.Fatalf("demo = %d: %s", code, stderr)
	}
	for _, want := range []string{"file drops", "answer key", "operator API", "warehouse", "core.*", filepath.Join(dir, "huzhu.toml")} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	noPersonalData(t, dir, out+stderr)
	// The member site is built, signed, and verifies with the key written beside it.
	// It says which data the signed release shows: an older one, signed by
	// the same key, verifies too.
	if code, vout, verr := run(t, "site", "verify", filepath.Join(dir, "out", "site"), "--pubkey", filepath.Join(dir, "site-pubkey.txt")); code != exitOK || !strings.Contains(vout, "the data is as of 2025-06-30") {
		t.Errorf("site verify of the demo's site = %d: %s %s", code, vout, verr)
	}
	// A second demo while another process holds the warehouse lock fails
	// at once with exit 1 and names the holder.
	lock, err := warehouse.AcquireLock(filepath.Join(dir, "warehouse", "huzhu.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	code, _, stderr = run(t, "demo", "--out", dir, "--members", "3000")
	if code != exitFailed || !strings.Contains(stderr, "pid") {
		t.Errorf("demo under a held lock = %d, stderr %q; want 1 naming the holder", code, stderr)
	}
	lock.Release()
	// A demo again into the same folder finds nothing new, and says so;
	// without HUZHU_PII_KEY (the first demo set it in this process) it
	// takes the throwaway key kept beside the warehouse, which the
	// warehouse accepts.
	t.Setenv("HUZHU_PII_KEY", "")
	if st, err := os.Stat(filepath.Join(dir, demoKeyFile)); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("the demo's throwaway key: %v, %v; want a file only its owner reads", st, err)
	}
	if strings.Contains(out, "nothing new") {
		t.Errorf("a first demo says it found nothing new:\n%s", out)
	}
	code, out, stderr = run(t, "demo", "--out", dir, "--members", "3000")
	if code != exitOK || !strings.Contains(out, "nothing new") || strings.Contains(out, "fresh one") {
		t.Errorf("demo again = %d (%s): want 0 and a word that nothing was new:\n%s", code, stderr, out)
	}
	// A demo of another world into the same folder (another size here; a
	// newer simulator alike) starts a fresh warehouse, says so, and passes
	// its gates: the old warehouse would quarantine the new world's rows
	// as conflicting resends of the same batches.
	code, out, stderr = run(t, "demo", "--out", dir, "--members", "2000")
	if code != exitOK || !strings.Contains(out, "starting a fresh one") || strings.Contains(out, "nothing new") {
		t.Errorf("demo of another world = %d (%s): want 0 and a fresh warehouse:\n%s", code, stderr, out)
	}
}

// TestExtractExitCodes: a config error or a missing key exits 2; a source
// that fails exits 1 while the other sources still load; a clean run exits
// 0.
func TestExtractExitCodes(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := run(t, "opsim", "drop", "--out", filepath.Join(dir, "drops"), "--members", "400", "--operators", "1"); code != 0 {
		t.Fatalf("drop: %s", stderr)
	}
	ops, _ := filepath.Glob(filepath.Join(dir, "drops", "5*"))
	if len(ops) != 1 {
		t.Fatalf("drop folders %v", ops)
	}
	op := filepath.Base(ops[0])
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		return p
	}
	good := write("good.toml", "warehouse = \"w/good.duckdb\"\n[[source]]\noperator = \""+op+"\"\nkind = \"files\"\npath = \"drops/"+op+"\"\n")
	bad := write("bad.toml", "warehouse = \"w/bad.duckdb\"\n[[source]]\noperator = \""+op+"\"\nkind = \"files\"\npath = \"drops/"+op+"\"\n"+
		"[[source]]\noperator = \"514401006623851810\"\nkind = \"files\"\npath = \"no/such/folder\"\n")
	invalid := write("invalid.toml", "warehouse = \"w/x.duckdb\"\nno_such_key = 1\n")
	// extract refuses to start without the pseudonymisation key too: it
	// pseudonymises the members as they arrive.
	t.Setenv("HUZHU_PII_KEY", "")
	if code, _, stderr := run(t, "extract", "--config", good); code != exitUsage || !strings.Contains(stderr, "HUZHU_PII_KEY") {
		t.Errorf("extract without a key = %d (%s), want 2 naming the variable", code, stderr)
	}
	t.Setenv("HUZHU_PII_KEY", "a-test-key-of-enough-length")
	if code, _, stderr := run(t, "extract", "--config", invalid); code != exitUsage {
		t.Errorf("extract with an unknown key = %d, want 2 (%s)", code, stderr)
	}
	if code, out, stderr := run(t, "extract", "--config", bad); code != exitFailed || !strings.Contains(out, "FAILED") {
		t.Errorf("extract with a missing folder = %d, want 1 (%s %s)", code, out, stderr)
	}
	code, out, stderr := run(t, "extract", "--config", good)
	if code != exitOK || !strings.Contains(out, op+"/files") {
		t.Errorf("extract = %d (%s %s), want 0", code, out, stderr)
	}
	// transform refuses to start without the pseudonymisation key.
	t.Setenv("HUZHU_PII_KEY", "")
	if code, _, stderr := run(t, "transform", "--config", good); code != exitUsage || !strings.Contains(stderr, "HUZHU_PII_KEY") {
		t.Errorf("transform without a key = %d (%s), want 2 naming the variable", code, stderr)
	}
	t.Setenv("HUZHU_PII_KEY", "a-test-key-of-enough-length")
	t.Setenv("HUZHU_SITE_KEY", testSiteKey)
	if code, out, stderr := run(t, "transform", "--config", good); code != exitOK || !strings.Contains(out, "transform members") {
		t.Errorf("transform = %d (%s %s), want 0", code, out, stderr)
	}
	// compact rewrites the warehouse, which the next stage opens as before.
	if code, out, stderr := run(t, "compact", "--config", good); code != exitOK || !strings.Contains(out, "compact ") {
		t.Errorf("compact = %d (%s %s), want 0", code, out, stderr)
	}
	if code, out, stderr := run(t, "transform", "--config", good); code != exitOK || !strings.Contains(out, "transform members") {
		t.Errorf("transform after compact = %d (%s %s), want 0", code, out, stderr)
	}
}

// noPersonalData scans what a demo run left — every text column of the
// warehouse, the pipeline's output folder, what it printed — for the id
// numbers, names and phones of the simulated members and staff.
func noPersonalData(t *testing.T, dir, printed string) {
	t.Helper()
	p := opsim.DefaultParams()
	p.Members = 3000
	w, err := opsim.NewWorld(p)
	if err != nil {
		t.Fatal(err)
	}
	var pii []string
	var r record.Row
	for _, op := range w.Operators {
		tabs, _ := op.Tables()
		for _, name := range []string{"members", "staff_roles"} {
			tab := tabs[name]
			for i := 0; i < tab.Len(); i++ {
				tab.Read(i, &r)
				for j, f := range tab.Entity().Fields {
					if f.PII && !r.IsNull(j) {
						pii = append(pii, string(r.Field(j)))
					}
				}
			}
		}
	}
	if len(pii) < 1000 {
		t.Fatalf("only %d personal values to look for", len(pii))
	}
	ctx := context.Background()
	db, err := warehouse.Open(ctx, filepath.Join(dir, "warehouse", "huzhu.duckdb"), warehouse.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, _ := db.SQL().Conn(ctx)
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "CREATE TEMP TABLE pii (v VARCHAR)"); err != nil {
		t.Fatal(err)
	}
	for _, v := range pii {
		conn.ExecContext(ctx, "INSERT INTO pii VALUES (?)", v)
	}
	rows, err := conn.QueryContext(ctx, `SELECT table_schema, table_name, column_name FROM information_schema.columns
		WHERE data_type = 'VARCHAR' AND table_schema IN ('raw', 'core', 'mart', 'ops') ORDER BY ALL`)
	if err != nil {
		t.Fatal(err)
	}
	var cols [][3]string
	for rows.Next() {
		var c [3]string
		rows.Scan(&c[0], &c[1], &c[2])
		cols = append(cols, c)
	}
	rows.Close()
	for _, c := range cols {
		var n int
		q := fmt.Sprintf(`SELECT count(*) FROM (
			SELECT x.%[3]s AS v FROM %[1]s.%[2]s AS x
			UNION ALL SELECT unnest(regexp_extract_all(x.%[3]s, '[0-9]{17}[0-9X]|1[0-9]{10}')) FROM %[1]s.%[2]s AS x
		) WHERE v IN (SELECT v FROM pii)`, c[0], c[1], c[2])
		if err := conn.QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatalf("%s.%s.%s: %v", c[0], c[1], c[2], err)
		}
		if n > 0 {
			t.Errorf("%s.%s.%s holds personal data (%d values)", c[0], c[1], c[2], n)
		}
	}
	var texts []string
	texts = append(texts, printed)
	filepath.WalkDir(filepath.Join(dir, "out"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(path)
			texts = append(texts, string(b))
		}
		return nil
	})
	for _, v := range pii {
		for _, text := range texts {
			if len(v) >= 6 && strings.Contains(text, v) {
				t.Errorf("personal data in the output or the log")
				return
			}
		}
	}
}

// hasHan says whether s holds a Chinese character.
func hasHan(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) })
}

// TestRules: the catalogue lists R01–R19 with their clauses, a Chinese name
// and check, and the thresholds printed are those of the config in force.
func TestRules(t *testing.T) {
	code, out, stderr := run(t, "rules", "--json")
	if code != exitOK {
		t.Fatalf("rules --json = %d: %s", code, stderr)
	}
	var cat struct {
		Rules []struct {
			ID         string `json:"id"`
			Clause     string `json:"clause"`
			ClauseText string `json:"clause_text"`
			Name       string `json:"name"`
			Check      string `json:"check"`
			CheckZH    string `json:"check_zh"`
			Severity   string `json:"severity"`
			Evidence   string `json:"evidence"`
			Threshold  string `json:"threshold"`
		} `json:"rules"`
	}
	if err := json.Unmarshal([]byte(out), &cat); err != nil {
		t.Fatal(err)
	}
	if len(cat.Rules) != 19 || cat.Rules[0].ID != "R01" || cat.Rules[18].ID != "R19" {
		t.Fatalf("rules = %d rules, want R01…R19", len(cat.Rules))
	}
	for _, r := range cat.Rules {
		if r.Clause == "" || r.ClauseText == "" || r.Severity == "" || r.Evidence == "" {
			t.Errorf("rule %s lacks its clause, words, severity or evidence", r.ID)
		}
		// A name and a check in Chinese for the reports and the site, the
		// check in rules.md's English too.
		if !hasHan(r.Name) || !hasHan(r.CheckZH) || r.Check == "" || hasHan(r.Check) {
			t.Errorf("rule %s: name %q, check %q, check_zh %q", r.ID, r.Name, r.Check, r.CheckZH)
		}
	}
	if cat.Rules[3].Threshold != "> 0.08" {
		t.Errorf("R04 threshold = %q, want the default > 0.08", cat.Rules[3].Threshold)
	}
	cfg := filepath.Join(t.TempDir(), "h.toml")
	os.WriteFile(cfg, []byte("[rules]\nmgmt_fee_ratio_max = 0.1\nlarge_payment_yuan = 300000\n[rules.risk]\nsolvency_yellow = 0.8\nsolvency_red = 0.4\n"), 0o644)
	code, out, _ = run(t, "rules", "--config", cfg)
	if code != exitOK || !strings.Contains(out, "> 0.1 ") || !strings.Contains(out, "300,000.00 元") || !strings.Contains(out, "不得用于兴建、改建办公场所") {
		t.Errorf("rules --config = %d, want the config's thresholds and the clauses' words:\n%s", code, out)
	}
	// The risk indicators' bands in force: the config's, the defaults for
	// the rest.
	code, out, _ = run(t, "rules", "--config", cfg, "--json")
	var bands struct {
		Bands []struct {
			Indicator   string
			Yellow, Red float64
		} `json:"risk_bands"`
	}
	if err := json.Unmarshal([]byte(out), &bands); code != exitOK || err != nil || len(bands.Bands) != 7 {
		t.Fatalf("rules --json = %d, %v: %d bands, want 7", code, err, len(bands.Bands))
	}
	if b := bands.Bands[0]; b.Indicator != "solvency" || b.Yellow != 0.8 || b.Red != 0.4 {
		t.Errorf("solvency bands %+v, want the config's 0.8 and 0.4", b)
	}
	if b := bands.Bands[2]; b.Indicator != "loss_ratio" || b.Yellow != 0.9 || b.Red != 1.1 {
		t.Errorf("loss_ratio bands %+v, want the defaults 0.9 and 1.1", b)
	}
}

// TestRun: the nightly run goes through its stages, writes the run
// manifest and the metrics; --only runs a subset; a failed source exits 1
// and the metrics keep the last success.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := run(t, "opsim", "drop", "--out", filepath.Join(dir, "drops"), "--members", "600", "--operators", "1"); code != 0 {
		t.Fatalf("drop: %s", stderr)
	}
	ops, _ := filepath.Glob(filepath.Join(dir, "drops", "5*"))
	op := filepath.Base(ops[0])
	cfg := filepath.Join(dir, "h.toml")
	os.WriteFile(cfg, []byte("warehouse = \"w/h.duckdb\"\nout = \"out\"\n[[source]]\noperator = \""+op+"\"\nkind = \"files\"\npath = \"drops/"+op+"\"\n"), 0o644)
	t.Setenv("HUZHU_PII_KEY", "a-test-key-of-enough-length")
	t.Setenv("HUZHU_SITE_KEY", testSiteKey)
	code, out, stderr := run(t, "run", "--config", cfg)
	if code != exitOK {
		t.Fatalf("run = %d: %s %s", code, out, stderr)
	}
	manifests, _ := filepath.Glob(filepath.Join(dir, "out", "runs", "*.json"))
	if len(manifests) != 1 {
		t.Fatalf("manifests %v", manifests)
	}
	var m struct {
		Status string `json:"status"`
		Stages []struct {
			Name string `json:"name"`
		} `json:"stages"`
		Rows     map[string]int64 `json:"raw_rows_by_entity"`
		Findings map[string]int64 `json:"findings_open"`
	}
	raw, _ := os.ReadFile(manifests[0])
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if m.Status != "succeeded" || len(m.Stages) != len(stageOrder) || m.Rows["members"] == 0 || len(m.Findings) == 0 {
		t.Errorf("manifest: %s", raw)
	}
	prom, _ := os.ReadFile(filepath.Join(dir, "out", "metrics", "huzhu.prom"))
	for _, want := range []string{"huzhu_last_success_timestamp_seconds ", `huzhu_stage_duration_seconds{stage="marts"}`, `huzhu_rows_loaded{entity="members"}`} {
		if !strings.Contains(string(prom), want) {
			t.Errorf("metrics lack %s:\n%s", want, prom)
		}
	}
	if code, out, _ := run(t, "run", "--config", cfg, "--only", "marts"); code != exitOK || strings.Contains(out, "extract ") {
		t.Errorf("run --only marts = %d:\n%s", code, out)
	}
	if code, _, _ := run(t, "run", "--config", cfg, "--only", "nosuch"); code != exitUsage {
		t.Errorf("run --only nosuch = %d, want 2", code)
	}
	// Flags the chosen stages would ignore are refused, as is an empty --only.
	for _, args := range [][]string{{"--only", "marts", "--full"}, {"--only", "marts", "--since", "2025-07-01"}, {"--only="}} {
		if code, _, stderr := run(t, append([]string{"run", "--config", cfg}, args...)...); code != exitUsage {
			t.Errorf("run %v = %d (%s), want 2", args, code, stderr)
		}
	}
	// product.md's spelling: the stage named as its command (report), the
	// stages as words after --only.
	if code, out, stderr := run(t, "run", "--config", cfg, "--only", "marts", "report"); code != exitOK ||
		!strings.Contains(out, "report ") || strings.Contains(out, "extract ") || strings.Contains(out, "site ") {
		t.Errorf("run --only marts report = %d (%s):\n%s", code, stderr, out)
	}
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("warehouse = \"w/h.duckdb\"\nout = \"out\"\n[[source]]\noperator = \""+op+"\"\nkind = \"files\"\npath = \"no/such\"\n"), 0o644)
	if code, _, _ := run(t, "run", "--config", bad); code != exitFailed {
		t.Errorf("run with a failing source = %d, want 1", code)
	}
	prom2, _ := os.ReadFile(filepath.Join(dir, "out", "metrics", "huzhu.prom"))
	if !strings.Contains(string(prom2), "huzhu_run_success 0") || !strings.Contains(string(prom2), "huzhu_last_success_timestamp_seconds ") {
		t.Errorf("metrics after a failure:\n%s", prom2)
	}
	// With failed_sources_fatal = false, a night where one source fails
	// and another pulls publishes with warnings, naming the failed one.
	other := "514403009307447432"
	if other == op {
		other = "514401006623851810"
	}
	partial := filepath.Join(dir, "partial.toml")
	os.WriteFile(partial, []byte("warehouse = \"w/h.duckdb\"\nout = \"out\"\n[gates]\nfailed_sources_fatal = false\nmax_warnings = -1\n"+
		"[[source]]\noperator = \""+op+"\"\nkind = \"files\"\npath = \"drops/"+op+"\"\n"+
		"[[source]]\noperator = \""+other+"\"\nkind = \"files\"\npath = \"no/such\"\n"), 0o644)
	before := publish.Current(filepath.Join(dir, "out"))
	if code, _, stderr := run(t, "run", "--config", partial); code != exitWarnings || !strings.Contains(stderr, other) {
		t.Errorf("run with one of two sources failing, failed_sources_fatal = false: %d (%s), want 3 naming it", code, stderr)
	}
	if publish.Current(filepath.Join(dir, "out")) == before {
		t.Error("the night without the failed source published nothing")
	}
}
