package marts

import (
	"bufio"
	"context"
	"database/sql"
	"os"
	"regexp"
	"strings"
	"testing"

	"huzhu/internal/config"
)

// TestMartContract: every table of ../shared/spec/marts.md exists with
// every column it lists, and every mart row carries the run's id.
func TestMartContract(t *testing.T) {
	f, err := os.Open("../../shared/spec/marts.md")
	if err != nil {
		t.Fatalf("the mart contract: %v", err)
	}
	defer f.Close()
	db, _ := build(t, 1200)
	row := regexp.MustCompile("^\\| `mart\\.([a-z_]+)` \\|[^|]*\\| (.*) \\|$")
	word := regexp.MustCompile("^[a-z_]+")
	values := regexp.MustCompile(`\{[^}]*\}`)
	sc := bufio.NewScanner(f)
	tables := 0
	for sc.Scan() {
		m := row.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		tables++
		have := map[string]bool{}
		rows, err := db.SQL().Query("SELECT column_name FROM information_schema.columns WHERE table_schema = 'mart' AND table_name = ?", m[1])
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var c string
			rows.Scan(&c)
			have[c] = true
		}
		rows.Close()
		if len(have) == 0 {
			t.Errorf("mart.%s does not exist", m[1])
			continue
		}
		// "a, b, c" or "`a, b` — prose": the columns are the leading words.
		cols := strings.Trim(strings.SplitN(m[2], "` —", 2)[0], "`")
		cols = values.ReplaceAllString(cols, "") // "scope {activity, operator, pool}"
		for _, c := range strings.Split(cols, ",") {
			name := word.FindString(strings.TrimSpace(c))
			if name != "" && !have[name] {
				t.Errorf("mart.%s lacks column %s", m[1], name)
			}
		}
		if !have["run_id"] {
			t.Errorf("mart.%s lacks run_id", m[1])
		}
	}
	if tables < 9 {
		t.Errorf("read %d tables of marts.md, want 9", tables)
	}
	// marts.md: pool_code, operator_code and activity_code identify the
	// subject at every grain (NULL above that level) — in every mart,
	// those beyond the contract's nine too.
	var lacking []string
	rows, err := db.SQL().Query(`SELECT table_name FROM information_schema.columns WHERE table_schema = 'mart'
		GROUP BY table_name
		HAVING count(*) FILTER (WHERE column_name IN ('pool_code', 'operator_code', 'activity_code')) < 3
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		rows.Scan(&name)
		lacking = append(lacking, name)
	}
	rows.Close()
	if len(lacking) > 0 {
		t.Errorf("marts without pool_code, operator_code and activity_code: %v", lacking)
	}
	// marts.md's types in every mart: money DECIMAL(18,2), a year INTEGER,
	// a rate or ratio DOUBLE.
	rows, err = db.SQL().Query(`SELECT table_name || '.' || column_name || ' ' || data_type FROM information_schema.columns
		WHERE table_schema = 'mart' AND (
			(data_type LIKE 'DECIMAL%' AND data_type <> 'DECIMAL(18,2)')
			OR (column_name = 'fiscal_year' AND data_type <> 'INTEGER')
			OR ((column_name LIKE '%ratio%' OR column_name LIKE '%rate%' OR column_name = 'share') AND data_type <> 'DOUBLE'))
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var wrong []string
	for rows.Next() {
		var c string
		rows.Scan(&c)
		wrong = append(wrong, c)
	}
	rows.Close()
	if len(wrong) > 0 {
		t.Errorf("mart columns of another type than marts.md's: %v", wrong)
	}
}

// TestFindingsTracked: a finding keeps its id and first_seen_run from run
// to run, and one no longer hit (here by raising the threshold it broke)
// is resolved.
func TestFindingsTracked(t *testing.T) {
	db, _ := build(t, 1500)
	ctx := context.Background()
	var id, first string
	if err := db.SQL().QueryRow("SELECT finding_id, first_seen_run FROM mart.compliance_findings WHERE rule_id = 'R02' AND status = 'open' ORDER BY ALL LIMIT 1").Scan(&id, &first); err != nil {
		// A clean world plants no R02: use a rule every world breaks.
		if err := db.SQL().QueryRow("SELECT finding_id, first_seen_run FROM mart.compliance_findings WHERE rule_id = 'R14' AND status = 'open' ORDER BY ALL LIMIT 1").Scan(&id, &first); err != nil {
			t.Fatalf("no finding to track: %v", err)
		}
	}
	if _, err := Run(ctx, db.SQL(), "run-2", config.DefaultRules()); err != nil {
		t.Fatal(err)
	}
	var first2, last2, status string
	db.SQL().QueryRow("SELECT first_seen_run, last_seen_run, status FROM mart.compliance_findings WHERE finding_id = ?", id).Scan(&first2, &last2, &status)
	if first2 != first || last2 != "run-2" || status != "open" {
		t.Errorf("after a second run: first %s last %s %s, want first %s last run-2 open", first2, last2, status, first)
	}
	rules := config.DefaultRules()
	rules.MinMembers = 0 // R14 can no longer be broken
	if _, err := Run(ctx, db.SQL(), "run-3", rules); err != nil {
		t.Fatal(err)
	}
	var open, resolved int
	db.SQL().QueryRow("SELECT count(*) FILTER (WHERE status = 'open'), count(*) FILTER (WHERE status = 'resolved') FROM mart.compliance_findings WHERE rule_id = 'R14'").Scan(&open, &resolved)
	if open != 0 || resolved == 0 {
		t.Errorf("R14 with min_members 0: %d open, %d resolved; want none open", open, resolved)
	}
	// Each run says which it compared with, and a finding the run it went
	// in, however many runs ago that was; one back again is open.
	if err := db.SQL().QueryRow("SELECT finding_id FROM mart.compliance_findings WHERE rule_id = 'R14' ORDER BY ALL LIMIT 1").Scan(&id); err != nil {
		t.Fatal(err)
	}
	tracked := func(run string) (resolvedRun, previous string) {
		t.Helper()
		var r, p sql.NullString
		if err := db.SQL().QueryRow("SELECT resolved_run, previous_run FROM mart.compliance_findings WHERE finding_id = ?", id).Scan(&r, &p); err != nil {
			t.Fatal(err)
		}
		var others int
		db.SQL().QueryRow("SELECT count(*) FROM mart.compliance_findings WHERE previous_run IS DISTINCT FROM ?", p.String).Scan(&others)
		if others != 0 {
			t.Errorf("after %s: %d findings name another previous run than %q", run, others, p.String)
		}
		return r.String, p.String
	}
	if r, p := tracked("run-3"); r != "run-3" || p != "run-2" {
		t.Errorf("after run-3: resolved_run %q, previous_run %q; want run-3, run-2", r, p)
	}
	if _, err := Run(ctx, db.SQL(), "run-4", rules); err != nil {
		t.Fatal(err)
	}
	if r, p := tracked("run-4"); r != "run-3" || p != "run-3" {
		t.Errorf("after run-4: resolved_run %q, previous_run %q; want run-3, run-3", r, p)
	}
	if _, err := Run(ctx, db.SQL(), "run-5", config.DefaultRules()); err != nil {
		t.Fatal(err)
	}
	var st string
	db.SQL().QueryRow("SELECT status FROM mart.compliance_findings WHERE finding_id = ?", id).Scan(&st)
	if r, p := tracked("run-5"); r != "" || p != "run-4" || st != "open" {
		t.Errorf("after run-5: %s, resolved_run %q, previous_run %q; want open, none, run-4", st, r, p)
	}
}
