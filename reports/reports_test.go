package reports

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"huzhu/internal/money"
	"huzhu/internal/testworld"
)

var tmpRoot string

func TestMain(m *testing.M) {
	var err error
	if tmpRoot, err = os.MkdirTemp("", "huzhu-reports-test-"); err != nil {
		panic(err)
	}
	code := m.Run()
	testworld.RemoveShared()
	os.RemoveAll(tmpRoot)
	os.Exit(code)
}

var (
	writeOnce sync.Once
	written   *Result
	writeErr  error
)

// reportsOf writes the shared world's reports once per test binary.
func reportsOf(t *testing.T) (*testworld.World, *Result) {
	t.Helper()
	w := testworld.Shared(t)
	writeOnce.Do(func() {
		written, writeErr = Write(context.Background(), w.DB.SQL(), filepath.Join(tmpRoot, "a", "reports"), Options{})
	})
	if writeErr != nil {
		t.Fatalf("Write: %v", writeErr)
	}
	return w, written
}

// files returns every file under dir, relative, sorted.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// readable returns a file's text as a reader would find it: XLSX unzipped
// (every part concatenated), anything else as is.
func readable(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(path, ".xlsx") {
		return string(b)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var sb strings.Builder
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(&sb, rc)
		rc.Close()
		sb.WriteByte('\n')
	}
	return sb.String()
}

// Each province, city pool and the nation get a folder holding exactly the
// operators they supervise.
func TestJurisdictions(t *testing.T) {
	_, res := reportsOf(t)
	want := map[string][]string{ // folder → the pools of its operators
		"national":        {"C320500", "C440100", "C440300", "P330000", "P510000"},
		"province-320000": {"C320500"},
		"province-330000": {"P330000"},
		"province-440000": {"C440100", "C440300"},
		"province-510000": {"P510000"},
		"pool-C320500":    {"C320500"},
		"pool-C440100":    {"C440100"},
		"pool-C440300":    {"C440300"},
	}
	w := testworld.Shared(t)
	poolOf := map[string]string{}
	for _, op := range w.Sim.Operators {
		poolOf[op.Code] = op.Pool
	}
	got := map[string][]string{}
	for _, j := range res.Jurisdictions {
		var pools []string
		for _, code := range j.Operators {
			pools = append(pools, poolOf[code])
		}
		slices.Sort(pools)
		got[j.Folder] = pools
		if _, err := os.Stat(j.Index); err != nil {
			t.Errorf("%s: index: %v", j.Folder, err)
		}
	}
	if len(got) != len(want) {
		t.Errorf("jurisdictions = %v, want %v", got, want)
	}
	for f, pools := range want {
		if !slices.Equal(got[f], pools) {
			t.Errorf("jurisdiction %s holds pools %v, want %v", f, got[f], pools)
		}
	}
	entries, _ := os.ReadDir(res.Dir)
	if len(entries) != len(want) {
		t.Errorf("%s holds %d entries, want %d folders", res.Dir, len(entries), len(want))
	}
}

var amountToken = regexp.MustCompile(`(-?[0-9][0-9,]*\.[0-9]{2})([0-9]?)`)

// amountsIn returns every amount-looking token of s, without grouping
// commas: "1,234.56" and "1234.56" both give "1234.56".
func amountsIn(s string) map[string]bool {
	out := map[string]bool{}
	for _, m := range amountToken.FindAllStringSubmatch(s, -1) {
		if m[2] != "" {
			continue // more decimals: a ratio, not an amount
		}
		out[strings.ReplaceAll(m[1], ",", "")] = true
	}
	return out
}

// No file of a jurisdiction's folder — page, workbook, asset — names
// another jurisdiction's operator (code or name), an activity only
// another's operators run, a pool only another's operators belong to, or
// an amount distinctive of another's data.
func TestIsolation(t *testing.T) {
	w, res := reportsOf(t)
	db := w.DB.SQL()
	names := map[string]string{}
	rows, err := db.Query("SELECT org_code, name FROM core.dim_org WHERE is_current AND org_type = 'mutual_aid_org'")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c, n string
		rows.Scan(&c, &n)
		names[c] = n
	}
	rows.Close()
	activities := map[string][]string{} // operator → activity codes
	rows, _ = db.Query("SELECT DISTINCT operator_code, activity_code FROM core.dim_activity WHERE activity_code IS NOT NULL")
	for rows.Next() {
		var o, a string
		rows.Scan(&o, &a)
		activities[o] = append(activities[o], a)
	}
	rows.Close()
	// Amounts by operator, over every mart the reports show.
	amounts := map[string]map[string]bool{}
	rows, err = db.Query(`
		SELECT operator_code, CAST(actual_ytd AS VARCHAR) FROM mart.budget_execution
		UNION ALL SELECT operator_code, CAST(budget_original AS VARCHAR) FROM mart.budget_execution WHERE budget_original IS NOT NULL
		UNION ALL SELECT operator_code, CAST(amount AS VARCHAR) FROM mart.fund_flow
		UNION ALL SELECT operator_code, CAST(amount AS VARCHAR) FROM mart.compliance_findings WHERE amount IS NOT NULL
		UNION ALL SELECT operator_code, CAST(market_value AS VARCHAR) FROM mart.investment_mix`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var o, a string
		rows.Scan(&o, &a)
		c, err := money.Parse(a)
		// Distinctive: at least 1,000 yuan with cents, so that no round
		// planted figure or small count collides by chance.
		if err != nil || abs(c) < 100000 || c%100 == 0 {
			continue
		}
		if amounts[o] == nil {
			amounts[o] = map[string]bool{}
		}
		amounts[o][c.String()] = true
	}
	rows.Close()

	poolOf := map[string]string{}
	for _, op := range w.Sim.Operators {
		poolOf[op.Code] = op.Pool
	}
	for _, j := range res.Jurisdictions {
		own := map[string]bool{}
		for _, c := range j.Operators {
			own[c] = true
		}
		ownActs, ownAmounts := map[string]bool{}, map[string]bool{}
		for o := range own {
			for _, a := range activities[o] {
				ownActs[a] = true
			}
			for a := range amounts[o] {
				ownAmounts[a] = true
			}
		}
		var forbidden []string // codes, names, activity codes, pools
		foreignAmounts := map[string]string{}
		ownPools := map[string]bool{}
		for o := range own {
			ownPools[poolOf[o]] = true
		}
		for code, name := range names {
			if own[code] {
				continue
			}
			forbidden = append(forbidden, code, name)
			if p := poolOf[code]; p != "" && !ownPools[p] {
				forbidden = append(forbidden, p)
			}
			for _, a := range activities[code] {
				if !ownActs[a] {
					forbidden = append(forbidden, `"`+a+`"`, ">"+a+"<", "（"+a+"）")
				}
			}
			for a := range amounts[code] {
				if !ownAmounts[a] {
					foreignAmounts[a] = code
				}
			}
		}
		if len(own) < len(names) && len(foreignAmounts) < 50 {
			t.Fatalf("%s: only %d distinctive foreign amounts to look for; the test would prove little", j.Folder, len(foreignAmounts))
		}
		dir := filepath.Join(res.Dir, j.Folder)
		seenOwn := 0
		for _, f := range files(t, dir) {
			s := readable(t, filepath.Join(dir, f))
			for _, tok := range forbidden {
				if strings.Contains(s, tok) {
					t.Errorf("%s/%s contains %q of another jurisdiction", j.Folder, f, tok)
				}
			}
			for a := range amountsIn(s) {
				if o, bad := foreignAmounts[a]; bad {
					t.Errorf("%s/%s contains amount %s of operator %s", j.Folder, f, a, o)
				}
				if ownAmounts[a] {
					seenOwn++
				}
			}
		}
		// The scan finds amounts at all: its own are there.
		if seenOwn == 0 {
			t.Errorf("%s: none of its own distinctive amounts found; the scan is blind", j.Folder)
		}
		for c := range own {
			idx := readable(t, filepath.Join(dir, "index.html"))
			if !strings.Contains(idx, c) || !strings.Contains(idx, names[c]) {
				t.Errorf("%s/index.html does not name its operator %s %s", j.Folder, c, names[c])
			}
		}
	}
}

// Two runs on the same warehouse write the same bytes.
func TestDeterministic(t *testing.T) {
	w, first := reportsOf(t)
	second, err := Write(context.Background(), w.DB.SQL(), filepath.Join(tmpRoot, "b", "reports"), Options{Parallel: 1})
	if err != nil {
		t.Fatal(err)
	}
	a, b := files(t, first.Dir), files(t, second.Dir)
	if !slices.Equal(a, b) {
		t.Fatalf("file lists differ:\n%v\n%v", a, b)
	}
	for _, f := range a {
		x, _ := os.ReadFile(filepath.Join(first.Dir, f))
		y, _ := os.ReadFile(filepath.Join(second.Dir, f))
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs", f)
		}
	}
	if first.Files != len(a) || first.Files != second.Files || first.Bytes != second.Bytes {
		t.Errorf("results: %d files %d bytes, then %d files %d bytes; %d files on disk", first.Files, first.Bytes, second.Files, second.Bytes, len(a))
	}
	// Write replaces what was there.
	stale := filepath.Join(second.Dir, "national", "stale.html")
	os.WriteFile(stale, []byte("x"), 0o644)
	if _, err := Write(context.Background(), w.DB.SQL(), second.Dir, Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("a file from before survived Write: %v", err)
	}
}
