package reports

import (
	"os"
	"path/filepath"
	"regexp"
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
			if strings.HasPrefix(anchor, "r-") {
				continue // an R03 finding's year (TestInvestmentIncomeDrillDown)
			}
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

// Every R03 finding links from compliance.html to its section of
// holdings.html, whose holdings' realised income adds up to the income the
// finding says was realised.
func TestInvestmentIncomeDrillDown(t *testing.T) {
	_, res := reportsOf(t)
	dir := filepath.Join(res.Dir, "national")
	linked := 0
	for _, op := range res.Jurisdictions[0].Operators {
		comp, _ := os.ReadFile(filepath.Join(dir, op, "compliance.html"))
		page, _ := os.ReadFile(filepath.Join(dir, op, "holdings.html"))
		for _, anchor := range linksTo(comp, "holdings.html") {
			if !strings.HasPrefix(anchor, "r-") {
				continue
			}
			linked++
			i := strings.Index(string(page), `id="`+anchor+`"`)
			if i < 0 {
				t.Errorf("%s: holdings.html has no section %s", op, anchor)
				continue
			}
			sec := string(page[i:])
			if j := strings.Index(sec[1:], `<h3 id="r-`); j >= 0 {
				sec = sec[:j+1]
			}
			said := regexp.MustCompile(`投资实现收益 (-?[0-9.]+)`).FindStringSubmatch(sec)
			total := regexp.MustCompile(`<th scope="row">合计</th>(?:<td></td>)*<td class="n">([-0-9,.]+) 元</td>`).FindStringSubmatch(sec)
			if said == nil || total == nil {
				t.Errorf("%s %s: no realised income said (%v) or no total (%v)", op, anchor, said, total)
				continue
			}
			if mustCents(t, said[1]) != mustCents(t, strings.ReplaceAll(total[1], ",", "")) {
				t.Errorf("%s %s: the finding says %s realised, its holdings total %s", op, anchor, said[1], total[1])
			}
		}
	}
	if linked == 0 {
		t.Error("no R03 finding links to its holdings: the test world plants none, or the link is missing")
	}
}
