package marts

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"huzhu/extract"
	"huzhu/internal/config"
	"huzhu/transform"
	"huzhu/warehouse"
)

// TestE2E walks testdata/e2e/<case>/: a hand-made operator drop under
// input/<operator>/<batch>/ and, under expected/, mart rows worked out by
// hand (see each case's README), compared exactly.
func TestE2E(t *testing.T) {
	cases, _ := filepath.Glob(filepath.Join("testdata", "e2e", "*"))
	if len(cases) == 0 {
		t.Fatal("no e2e case")
	}
	for _, dir := range cases {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			ctx := context.Background()
			db, err := warehouse.Open(ctx, warehouse.InMemory, warehouse.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ops, _ := filepath.Glob(filepath.Join(dir, "input", "*"))
			cfg := &config.Config{}
			for _, op := range ops {
				cfg.Sources = append(cfg.Sources, config.Source{Operator: filepath.Base(op), Kind: config.KindFiles, Path: op})
			}
			if _, err := extract.Run(ctx, db.SQL(), cfg, "x", extract.Options{Logger: quiet}, 1); err != nil {
				t.Fatal(err)
			}
			if _, err := transform.Run(ctx, db.SQL(), "t", []byte("e2e-test-key-0123456789"), transform.Options{Logger: quiet}); err != nil {
				t.Fatal(err)
			}
			if _, err := Run(ctx, db.SQL(), "e2e", config.DefaultRules()); err != nil {
				t.Fatal(err)
			}
			queries := map[string]string{
				"fund_position.csv": `SELECT strftime(month, '%Y-%m-%d'), coalesce(activity_code, ''), account_code, CAST(balance AS VARCHAR)
					FROM mart.fund_position`,
				"budget_execution.csv": `SELECT strftime(as_of_month, '%Y-%m-%d'), coalesce(activity_code, ''), line_code,
					CAST(coalesce(budget_adjusted, budget_original) AS VARCHAR), CAST(actual_ytd AS VARCHAR), CAST(variance AS VARCHAR), flag
					FROM mart.budget_execution WHERE as_of_month = (SELECT max(as_of_month) FROM mart.budget_execution)`,
			}
			for file, q := range queries {
				want := readCSV(t, filepath.Join(dir, "expected", file))
				got := queryRows(t, db, q)
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("%s:\n got\n%s\n want\n%s", file, strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
			}
			var serious int
			db.SQL().QueryRow("SELECT count(*) FROM mart.compliance_findings WHERE severity IN ('critical', 'major')").Scan(&serious)
			if serious != 0 {
				rows := queryRows(t, db, "SELECT rule_id, subject_ref, detail FROM mart.compliance_findings WHERE severity IN ('critical', 'major')")
				t.Errorf("%d critical or major findings, want none: %v", serious, rows)
			}
		})
	}
}

// readCSV returns the rows of an expected file but its header, sorted.
func readCSV(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs[1:] {
		out = append(out, strings.Join(r, ","))
	}
	sort.Strings(out)
	return out
}

func queryRows(t *testing.T, db *warehouse.DB, q string) []string {
	t.Helper()
	rows, err := db.SQL().Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]string, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.Join(vals, ","))
	}
	sort.Strings(out)
	return out
}
