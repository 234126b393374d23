package reports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every finding about a holding links from compliance.html to the
// holding's section on holdings.html, and holdings.xlsx holds each of the
// holding's month-end market values as core has them.
func TestHoldingDrillDown(t *testing.T) {
	w, res := reportsOf(t)
	db := w.DB.SQL()
	dir := filepath.Join(res.Dir, "national")
	value := map[[3]string]string{} // (operator, holding, month) → core's market value
	rows, err := db.Query(`SELECT operator_code, holding_id, strftime(as_of, '%Y-%m-%d'), CAST(market_value AS VARCHAR)
		FROM core.fact_holding
		WHERE (operator_code, holding_id) IN (SELECT operator_code, subject_ref FROM mart.compliance_findings WHERE subject_kind = 'holding')`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var op, h, m, v string
		if err := rows.Scan(&op, &h, &m, &v); err != nil {
			t.Fatal(err)
		}
		value[[3]string{op, h, dateZH(m)}] = v
	}
	rows.Close()
	var findings int
	if err := db.QueryRow("SELECT count(*) FROM mart.compliance_findings WHERE subject_kind = 'holding'").Scan(&findings); err != nil {
		t.Fatal(err)
	}
	if findings == 0 || len(value) < 10 {
		t.Fatalf("%d findings about holdings, %d month-end states: the test would prove little", findings, len(value))
	}
	links, seen := 0, 0
	for _, op := range res.Jurisdictions[0].Operators {
		comp, _ := os.ReadFile(filepath.Join(dir, op, "compliance.html"))
		page, err := os.ReadFile(filepath.Join(dir, op, "holdings.html"))
		if err != nil {
			t.Fatal(err)
		}
		for _, part := range strings.Split(string(comp), `href="holdings.html#`)[1:] {
			anchor := part[:strings.IndexByte(part, '"')]
			links++
			if !strings.Contains(string(page), `<section id="`+anchor+`" class="sub">`) {
				t.Errorf("%s: holdings.html has no section %s", op, anchor)
			}
		}
		_, sheet := sheetRows(t, filepath.Join(dir, op, "holdings.xlsx"), "持仓明细")
		for _, r := range sheet {
			seen++
			v, ok := value[[3]string{op, r[0], r[4]}]
			if !ok {
				t.Errorf("%s/holdings.xlsx: %s %s is no month-end state of a holding a finding names", op, r[0], r[4])
				continue
			}
			if mustCents(t, orZero(r[6])) != mustCents(t, v) {
				t.Errorf("%s %s %s: market value %s, core %s", op, r[0], r[4], r[6], v)
			}
		}
	}
	if links != findings {
		t.Errorf("%d links to holdings.html, %d findings about holdings", links, findings)
	}
	if seen != len(value) {
		t.Errorf("%d month-end states in the workbooks, core has %d", seen, len(value))
	}
}
