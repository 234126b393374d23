package site

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"huzhu/internal/money"
)

// TestDownloads: every page links CSV and JSON downloads that exist; every
// JSON parses with one object per row; the data package lists each of its
// CSVs with a header equal to the schema's fields; nothing links outside
// the site folder.
func TestDownloads(t *testing.T) {
	dir, _ := built(t)
	all := siteFiles(t, dir)
	href := regexp.MustCompile(`(?:href|src)="([^"]+)"`)
	pages := 0
	for rel, b := range all {
		if !strings.HasSuffix(rel, ".html") {
			continue
		}
		pages++
		csvs := 0
		for _, m := range href.FindAllSubmatch(b, -1) {
			u := string(m[1])
			if strings.HasPrefix(u, "#") {
				continue // within the page
			}
			if strings.Contains(u, "://") || strings.HasPrefix(u, "/") || strings.HasPrefix(u, "//") {
				t.Errorf("%s links outside the site: %s", rel, u)
				continue
			}
			target := filepath.ToSlash(filepath.Clean(filepath.Join(filepath.Dir(rel), strings.SplitN(u, "#", 2)[0])))
			if _, ok := all[target]; !ok {
				t.Errorf("%s links %s, which is not in the site", rel, u)
			}
			if strings.HasSuffix(u, ".csv") {
				csvs++
			}
		}
		if tables := bytes.Count(b, []byte("<table ")); tables != csvs {
			t.Errorf("%s: %d tables, %d CSV links", rel, tables, csvs)
		}
	}
	for rel, b := range all {
		if strings.HasPrefix(rel, "data/") && strings.HasSuffix(rel, ".json") && rel != "data/package/datapackage.json" {
			var v struct {
				Columns []string         `json:"columns"`
				Rows    []map[string]any `json:"rows"`
			}
			if err := json.Unmarshal(b, &v); err != nil || len(v.Columns) == 0 {
				t.Errorf("%s: %v (%d columns)", rel, err, len(v.Columns))
			}
		}
	}
	var pkg struct {
		Resources []struct {
			Path   string `json:"path"`
			Schema struct {
				Fields []struct{ Name string } `json:"fields"`
			} `json:"schema"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(all["data/package/datapackage.json"], &pkg); err != nil {
		t.Fatal(err)
	}
	if len(pkg.Resources) < 8 {
		t.Errorf("data package has %d resources", len(pkg.Resources))
	}
	for _, r := range pkg.Resources {
		b, ok := all["data/package/"+r.Path]
		if !ok {
			t.Errorf("data package lists %s, which is missing", r.Path)
			continue
		}
		recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil || len(recs) < 2 {
			t.Errorf("%s: %v, %d records", r.Path, err, len(recs))
			continue
		}
		var names []string
		for _, f := range r.Schema.Fields {
			names = append(names, f.Name)
		}
		if !slices.Equal(recs[0], names) {
			t.Errorf("%s header %v, schema %v", r.Path, recs[0], names)
		}
	}
	t.Logf("%d pages, %d files, %d data package resources", pages, len(all), len(pkg.Resources))
}

// TestSuppressedCellsShowK: a suppressed activity-year shows "<k" for its
// claims on the activity page, with the k in force, and its figures are
// empty in the data package.
func TestSuppressedCellsShowK(t *testing.T) {
	dir, d := built(t)
	var sup *ActivityYear
	for i := range d.Years {
		if d.Years[i].Suppressed && d.Years[i].Members != nil {
			sup = &d.Years[i]
			break
		}
	}
	if sup == nil {
		t.Fatal("no suppressed activity-year in the test world")
	}
	page, err := os.ReadFile(filepath.Join(dir, activityPath(sup.Operator, sup.Activity)))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(page, []byte(`<td class="n sup" data-v="&lt;10">&lt;10</td>`)) {
		t.Errorf("%s shows no <10 cell", activityPath(sup.Operator, sup.Activity))
	}
	k5 := filepath.Join(t.TempDir(), "site")
	if _, err := Render(context.Background(), d, k5, Options{Key: testKey, K: 5}); err != nil {
		t.Fatal(err)
	}
	page, _ = os.ReadFile(filepath.Join(k5, activityPath(sup.Operator, sup.Activity)))
	if !bytes.Contains(page, []byte(`&lt;5</td>`)) || bytes.Contains(page, []byte(`&lt;10</td>`)) {
		t.Errorf("with K=5 the page does not show <5 alone")
	}
}

// readCSV reads a table's CSV download as a header and rows by key.
func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// readCSVIfAny is readCSV of a download that may not exist (an activity
// without a year has no breakdown): no rows then.
func readCSVIfAny(t *testing.T, path string) []map[string]string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		return nil
	}
	return readCSV(t, path)
}

// TestSuppressedYearShowsNoMoney: a suppressed activity-year shows none of
// its money anywhere the site publishes it — not its contributions, fund
// or reserve in the activity's history, nor an actual of its budget lines
// (the income line is its contributions, and with the fund's change they
// would give the hidden benefits back) — and an operator's history shows
// mart.disclosure_operator_year's totals, which hide one suppressed row
// among shown ones never alone.
func TestSuppressedYearShowsNoMoney(t *testing.T) {
	dir, d := built(t)
	sup := hiddenText
	hidden, wholeMargins := 0, 0
	latest := map[string]int{}
	for _, y := range d.Years {
		latest[y.Operator+"/"+y.Activity] = max(latest[y.Operator+"/"+y.Activity], y.Year)
	}
	for _, y := range d.Years {
		if !y.Suppressed {
			continue
		}
		hidden++
		if y.Contributions != nil || y.FundBalance != nil || y.Reserve != nil || y.Benefits != nil {
			t.Errorf("%s %s %d: suppressed, yet loaded with money", y.Operator, y.Activity, y.Year)
		}
		folder := filepath.Join(dir, "data", "activity", y.Operator+"-"+y.Activity)
		year := strconv.Itoa(y.Year)
		for _, r := range readCSV(t, filepath.Join(folder, "history.csv")) {
			if r["fiscal_year"] == year && (r["contributions"] != sup || r["fund_balance"] != sup || r["reserve_balance"] != sup ||
				r["benefits_paid"] != sup || r["claims_paid"] != "<10") {
				t.Errorf("%s history %s shows money: %v", folder, year, r)
			}
		}
		for _, r := range readCSV(t, filepath.Join(folder, "budget.csv")) {
			if r["fiscal_year"] == year && (r["actual"] != sup || r["execution_rate"] != sup || r["budget"] != sup) {
				t.Errorf("%s budget %s %s shows its actual or budget: %v", folder, year, r["line"], r)
			}
		}
		// The breakdown of the latest year names none of its groups.
		for _, r := range readCSVIfAny(t, filepath.Join(folder, "breakdown.csv")) {
			if y.Year != latest[y.Operator+"/"+y.Activity] {
				continue
			}
			wholeMargins++
			if r["bucket"] != "" || r["claims_paid"] != "<10" || r["benefits_paid"] != sup {
				t.Errorf("%s breakdown of the hidden year %s names a group: %v", folder, year, r)
			}
		}
	}
	if hidden == 0 || wholeMargins == 0 {
		t.Fatalf("%d suppressed activity-years in the test world, %d breakdown rows of one", hidden, wholeMargins)
	}
	// Nor in the data package: a hidden year's budget lines carry no
	// actual, rate or flag (over or short says which side the actual is).
	sup2 := map[string]bool{}
	for _, y := range d.Years {
		if y.Suppressed {
			sup2[y.Operator+"/"+y.Activity+"/"+strconv.Itoa(y.Year)] = true
		}
	}
	for _, r := range readCSV(t, filepath.Join(dir, "data", "package", "budget.csv")) {
		if sup2[r["operator_code"]+"/"+r["activity_code"]+"/"+r["fiscal_year"]] && (r["budget"] != "" || r["actual_ytd"] != "" || r["execution_rate"] != "" || r["flag"] != "" || r["suppressed"] != "true") {
			t.Errorf("data package budget row of a hidden year shows %v", r)
		}
	}
	// The operators' histories are the mart's totals.
	want := map[[2]string]OperatorYear{}
	for _, y := range d.OpYears {
		want[[2]string{y.Operator, strconv.Itoa(y.Year)}] = y
	}
	rows := 0
	for _, o := range d.Operators {
		for _, r := range readCSV(t, filepath.Join(dir, "data", "operator", o.Code, "history.csv")) {
			rows++
			y, ok := want[[2]string{o.Code, r["fiscal_year"]}]
			if !ok {
				t.Errorf("operator %s history has a year %s the mart has not", o.Code, r["fiscal_year"])
				continue
			}
			if got, w := r["contributions"], cellOf(y.Contributions, sup); got != w {
				t.Errorf("operator %s %s: contributions %s, mart %s", o.Code, r["fiscal_year"], got, w)
			}
		}
	}
	if rows != len(d.OpYears) {
		t.Errorf("%d operator-year rows on the site, the mart has %d", rows, len(d.OpYears))
	}
}

// cellOf is an amount as a CSV download shows it: the exact yuan, or the
// suppression mark.
func cellOf(c *money.Cents, sup string) string {
	if c == nil {
		return sup
	}
	return c.String()
}
