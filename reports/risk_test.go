package reports

import (
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var poolCode = regexp.MustCompile(`[CPN][0-9]{6}`)

// Each jurisdiction's risk.html and risk.xlsx show the pool-level risk
// indicators of its own pools and of no other, one row per pool and
// indicator, each with the latest month's value and level as
// mart.risk_indicators has them; a pool with a red indicator is named in
// the page's summary.
func TestPoolRiskAgrees(t *testing.T) {
	w, res := reportsOf(t)
	type latest struct {
		month, level string
		value        sql.NullFloat64
	}
	mart := map[[2]string]latest{} // (pool, indicator) → its latest month
	rows, err := w.DB.SQL().Query(`
		SELECT pool_code, indicator, strftime(month, '%Y-%m-%d'), value, level
		FROM mart.risk_indicators
		WHERE scope = 'pool'
		QUALIFY row_number() OVER (PARTITION BY pool_code, indicator ORDER BY month DESC) = 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var pool, ind string
		var l latest
		if err := rows.Scan(&pool, &ind, &l.month, &l.value, &l.level); err != nil {
			t.Fatal(err)
		}
		mart[[2]string{pool, ind}] = l
	}
	rows.Close()
	if len(mart) < 20 {
		t.Fatalf("the mart holds %d pool indicators; the test would prove little", len(mart))
	}
	poolOf := map[string]string{}
	for _, op := range w.Sim.Operators {
		poolOf[op.Code] = op.Pool
	}
	indicatorOf := map[string]string{}
	for k, v := range indicatorZH {
		indicatorOf[v] = k
	}
	reds := 0
	for _, j := range res.Jurisdictions {
		var pools []string
		for _, code := range j.Operators {
			if !slices.Contains(pools, poolOf[code]) {
				pools = append(pools, poolOf[code])
			}
		}
		dir := filepath.Join(res.Dir, j.Folder)
		_, sheet := sheetRows(t, filepath.Join(dir, "risk.xlsx"), "统筹风险")
		html, err := os.ReadFile(filepath.Join(dir, "risk.html"))
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for k := range mart {
			if slices.Contains(pools, k[0]) {
				want++
			}
		}
		if len(sheet) != want {
			t.Errorf("%s/risk.xlsx: %d rows, want %d (pools %v)", j.Folder, len(sheet), want, pools)
		}
		for _, r := range sheet {
			pool := poolCode.FindString(r[0])
			ind := indicatorOf[r[1]]
			if !slices.Contains(pools, pool) {
				t.Errorf("%s/risk.xlsx shows pool %q, not one of its own %v", j.Folder, r[0], pools)
				continue
			}
			m, ok := mart[[2]string{pool, ind}]
			if !ok {
				t.Errorf("%s/risk.xlsx: %s %s is not in the mart", j.Folder, pool, r[1])
				continue
			}
			if r[2] != monthZH(m.month) {
				t.Errorf("%s %s %s: month %s, mart %s", j.Folder, pool, ind, r[2], m.month)
			}
			if m.value.Valid {
				got, err := strconv.ParseFloat(r[3], 64)
				if d := got - m.value.Float64; err != nil || d > 1e-12 || d < -1e-12 {
					t.Errorf("%s %s %s: value %q, mart %v", j.Folder, pool, ind, r[3], m.value.Float64)
				}
			} else if r[3] != "" {
				t.Errorf("%s %s %s: value %q, mart NULL", j.Folder, pool, ind, r[3])
			}
			if r[6] != levelZH[m.level] {
				t.Errorf("%s %s %s: level %s, mart %s", j.Folder, pool, ind, r[6], m.level)
			}
			// The page's row, coloured by its level.
			if !strings.Contains(string(html), `<tr id="r-`+pool+`-`+ind+`" class="`+m.level+`">`) {
				t.Errorf("%s/risk.html has no %s row for %s %s", j.Folder, m.level, pool, ind)
			}
			if m.level == "red" {
				reds++
				if !strings.Contains(string(html), "<li>红色预警 · "+r[0]+"：") {
					t.Errorf("%s/risk.html does not name %s under the red warnings", j.Folder, r[0])
				}
			}
		}
	}
	if reds == 0 {
		t.Error("no pool indicator is red: the summary went untested")
	}
}
