package reports

import (
	"database/sql"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"huzhu/internal/money"
)

// sheetRows reads a sheet's data rows (below the title and header) as
// stored: money as its exact decimal, rates as the ratio.
func sheetRows(t *testing.T, path, sheet string) (*excelize.File, [][]string) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("%s sheet %s: %v", path, sheet, err)
	}
	if len(rows) < 2 {
		t.Fatalf("%s sheet %s has no header", path, sheet)
	}
	return f, rows[2:]
}

func mustCents(t *testing.T, s string) money.Cents {
	t.Helper()
	c, err := money.Parse(s)
	if err != nil {
		t.Fatalf("money.Parse(%q): %v", s, err)
	}
	return c
}

// The workbooks hold the marts' figures, with the number formats of the
// page, and the pages show the same figures.
func TestFiguresAgree(t *testing.T) {
	w, res := reportsOf(t)
	db := w.DB.SQL()
	dir := filepath.Join(res.Dir, "national")
	var ops []string
	for _, j := range res.Jurisdictions {
		if j.Folder == "national" {
			ops = j.Operators
		}
	}
	if len(ops) != 5 {
		t.Fatalf("national has %d operators", len(ops))
	}
	checked, unbalanced := 0, 0
	for _, op := range ops {
		html, err := os.ReadFile(filepath.Join(dir, op, "budget.html"))
		if err != nil {
			t.Fatal(err)
		}
		// Budget against actual, straight from the mart at each year's last month.
		rows, err := db.Query(`
			SELECT fiscal_year, coalesce(activity_code, ''), line_code, CAST(actual_ytd AS VARCHAR),
				CAST(budget_original AS VARCHAR), CAST(variance AS VARCHAR), execution_rate
			FROM mart.budget_execution
			WHERE operator_code = ? AND as_of_month = (SELECT max(as_of_month) FROM mart.budget_execution AS m
				WHERE m.operator_code = budget_execution.operator_code AND m.fiscal_year = budget_execution.fiscal_year)
			ORDER BY fiscal_year, activity_code NULLS FIRST, line_code`, op)
		if err != nil {
			t.Fatal(err)
		}
		sheets := map[int][][]string{}
		var book *excelize.File
		i := map[int]int{}
		for rows.Next() {
			var year int
			var act, line, actual string
			var orig sql.NullString
			var variance string
			var exec sql.NullFloat64
			if err := rows.Scan(&year, &act, &line, &actual, &orig, &variance, &exec); err != nil {
				t.Fatal(err)
			}
			if _, ok := sheets[year]; !ok {
				book, sheets[year] = sheetRows(t, filepath.Join(dir, op, "budget.xlsx"), "预算执行"+strconv.Itoa(year))
			}
			r := sheets[year][i[year]]
			i[year]++
			if r[1] != line {
				t.Fatalf("%s %d row %d: line %s, mart %s", op, year, i[year], r[1], line)
			}
			// columns: 4 original, 6 actual, 7 execution rate, 9 variance
			if got, want := mustCents(t, r[6]), mustCents(t, actual); got != want {
				t.Errorf("%s %d %s %s actual: xlsx %v, mart %v", op, year, act, line, got, want)
			}
			if got, want := mustCents(t, r[9]), mustCents(t, variance); got != want {
				t.Errorf("%s %d %s %s variance: xlsx %v, mart %v", op, year, act, line, got, want)
			}
			if orig.Valid {
				if got, want := mustCents(t, r[4]), mustCents(t, orig.String); got != want {
					t.Errorf("%s %d %s %s budget: xlsx %v, mart %v", op, year, act, line, got, want)
				}
			} else if r[4] != "" {
				t.Errorf("%s %d %s %s budget: xlsx %q, mart NULL", op, year, act, line, r[4])
			}
			if exec.Valid {
				got, _ := strconv.ParseFloat(r[7], 64)
				if d := got - exec.Float64; d > 1e-12 || d < -1e-12 {
					t.Errorf("%s %d %s %s execution rate: xlsx %v, mart %v", op, year, act, line, got, exec.Float64)
				}
			}
			// Number formats: money #,##0.00, rates as percentages.
			if year == sheets2first(sheets) && i[year] == 1 {
				checkFormat(t, book, "预算执行"+strconv.Itoa(year), "G3", "#,##0.00")
				checkFormat(t, book, "预算执行"+strconv.Itoa(year), "I3", "0.0%")
			}
			// The page's row shows the same actual and variance.
			id := "l-" + strconv.Itoa(year) + "-" + orgKey(act) + "-" + line
			tr := regexp.MustCompile(`<tr id="` + regexp.QuoteMeta(id) + `"[^>]*>(.*?)</tr>`).FindSubmatch(html)
			if tr == nil {
				t.Errorf("%s/budget.html has no row %s", op, id)
			} else {
				for _, v := range []string{actual, variance} {
					cell := ">" + money.FormatCNY(mustCents(t, v)) + " 元<"
					if !strings.Contains(string(tr[1]), cell) {
						t.Errorf("%s/budget.html row %s lacks %q: %s", op, id, cell, tr[1])
					}
				}
			}
			checked++
		}
		rows.Close()
		for y, rs := range sheets {
			if i[y] != len(rs) {
				t.Errorf("%s %d: xlsx has %d lines, mart %d", op, y, len(rs), i[y])
			}
		}

		// Fund flow edges, in the mart's order, and the balance check.
		_, flowRows := sheetRows(t, filepath.Join(dir, op, "flow.xlsx"), "资金流向2024")
		var n int
		var sum string
		if err := db.QueryRow(`SELECT count(*), CAST(coalesce(sum(amount), 0) AS VARCHAR) FROM mart.fund_flow WHERE operator_code = ? AND fiscal_year = 2024`, op).Scan(&n, &sum); err != nil {
			t.Fatal(err)
		}
		var total money.Cents
		for _, r := range flowRows {
			total += mustCents(t, r[3])
		}
		if len(flowRows) != n || total != mustCents(t, sum) {
			t.Errorf("%s fund flow 2024: xlsx %d edges summing %v, mart %d summing %s", op, len(flowRows), total, n, sum)
		}
		_, sums := sheetRows(t, filepath.Join(dir, op, "flow.xlsx"), "流量汇总")
		for _, r := range sums {
			if in, out, change := mustCents(t, r[3]), mustCents(t, r[4]), mustCents(t, r[6]); in-out != change || change != mustCents(t, r[5])-mustCents(t, r[2]) {
				t.Errorf("%s flow sums %v: inflows − outflows is not the change of the balance", op, r)
			}
		}
		// The trial balance: its difference is what the ledger's lines up
		// to the month end leave unbalanced (Σ credit − debit of every
		// account), computed here from core; the verdict follows it.
		_, trial := sheetRows(t, filepath.Join(dir, op, "flow.xlsx"), "试算平衡")
		if len(trial) == 0 {
			t.Errorf("%s: no trial balance", op)
		}
		for _, r := range trial {
			var off string
			if err := db.QueryRow(`SELECT CAST(coalesce(sum(credit - debit), 0) AS VARCHAR) FROM core.fact_ledger_line
				WHERE operator_code = ? AND posted_on <= (SELECT max(month) FROM mart.fund_position WHERE operator_code = ? AND year(month) = ?)`,
				op, op, r[0]).Scan(&off); err != nil {
				t.Fatal(err)
			}
			diff := mustCents(t, r[4])
			if diff != mustCents(t, off) || mustCents(t, r[2])-mustCents(t, r[3]) != diff || (r[5] == "平衡") != (diff == 0) {
				t.Errorf("%s trial balance %v: the ledger leaves %s unbalanced", op, r, off)
			}
			if diff != 0 {
				unbalanced++
			}
		}

		// Findings: one row each, same amounts.
		_, frows := sheetRows(t, filepath.Join(dir, op, "compliance.xlsx"), "问题明细")
		if err := db.QueryRow(`SELECT count(*), CAST(coalesce(sum(amount), 0) AS VARCHAR) FROM mart.compliance_findings WHERE operator_code = ?`, op).Scan(&n, &sum); err != nil {
			t.Fatal(err)
		}
		total = 0
		for _, r := range frows {
			if len(r) > 8 && r[8] != "" {
				total += mustCents(t, r[8])
			}
		}
		if len(frows) != n || total != mustCents(t, sum) {
			t.Errorf("%s findings: xlsx %d summing %v, mart %d summing %s", op, len(frows), total, n, sum)
		}
		// The risk table: an operator's own rows (no activity) are its
		// whole, not its organisation level; a level is read out in words,
		// an indicator that could not be computed as not judged.
		_, rrows := sheetRows(t, filepath.Join(dir, op, "compliance.xlsx"), "风险指标")
		var whole int
		for _, r := range rrows {
			if r[0] == "本级（组织层面）" {
				t.Errorf("%s risk row %v: the operator's whole named its organisation level", op, r)
			}
			if r[0] == "运营方整体" {
				whole++
			}
			if lv := r[6]; lv != "绿" && lv != "黄" && lv != "红" && !(lv == "无数据" && r[3] == "") {
				t.Errorf("%s risk row %v: level %q", op, r, lv)
			}
		}
		if whole == 0 {
			t.Errorf("%s: no risk row of the operator as a whole", op)
		}
		chtml, _ := os.ReadFile(filepath.Join(dir, op, "compliance.html"))
		if got := strings.Count(string(chtml), `<tr id="f-`) + strings.Count(string(chtml), `<tr id="rule-`); got != n {
			t.Errorf("%s/compliance.html shows %d findings, mart %d", op, got, n)
		}
	}
	if unbalanced == 0 {
		t.Error("the world's unbalanced vouchers (R10) unbalance no year-end of the trial balance")
	}
	if checked < 50 {
		t.Errorf("only %d budget lines checked", checked)
	}

	// The scorecard side by side.
	_, srows := sheetRows(t, filepath.Join(dir, "compare.xlsx"), "评分卡2024")
	rows, err := db.Query(`SELECT operator_code, score, rank_in_pool FROM mart.scorecard WHERE fiscal_year = 2024`)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for rows.Next() {
		var op string
		var s float64
		var r int
		rows.Scan(&op, &s, &r)
		want[op] = strconv.FormatFloat(s, 'f', -1, 64) + "/" + strconv.Itoa(r)
	}
	rows.Close()
	if len(srows) != len(want) {
		t.Errorf("compare.xlsx has %d operators, mart %d", len(srows), len(want))
	}
	for _, r := range srows {
		if got := r[4] + "/" + r[9]; got != want[r[2]] {
			t.Errorf("compare.xlsx %s score/rank %s, mart %s", r[2], got, want[r[2]])
		}
		// The income rate reads the budgeted lines only: income nobody
		// budgeted (interest) is not income above plan.
		var rate sql.NullFloat64
		if err := db.QueryRow(`WITH last AS (SELECT operator_code, max(as_of_month) AS m FROM mart.budget_execution WHERE fiscal_year = 2024 GROUP BY ALL)
			SELECT CAST(sum(actual_ytd) AS DOUBLE) / CAST(sum(coalesce(budget_adjusted, budget_original)) AS DOUBLE)
			FROM mart.budget_execution AS b JOIN last AS l ON l.operator_code = b.operator_code AND l.m = b.as_of_month
			WHERE b.operator_code = ? AND b.fiscal_year = 2024 AND b.line_class = 'income' AND coalesce(budget_adjusted, budget_original) IS NOT NULL`, r[2]).Scan(&rate); err != nil {
			t.Fatal(err)
		}
		if got, _ := strconv.ParseFloat(r[12], 64); !rate.Valid || math.Abs(got-rate.Float64) > 1e-9 {
			t.Errorf("compare.xlsx %s income rate %s, the budgeted income lines give %v", r[2], r[12], rate.Float64)
		}
	}
}

func sheets2first(m map[int][][]string) int {
	first := 0
	for y := range m {
		if first == 0 || y < first {
			first = y
		}
	}
	return first
}

func checkFormat(t *testing.T, f *excelize.File, sheet, ref, want string) {
	t.Helper()
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if st.CustomNumFmt == nil || *st.CustomNumFmt != want {
		got := "<nil>"
		if st.CustomNumFmt != nil {
			got = *st.CustomNumFmt
		}
		t.Errorf("%s!%s number format %s, want %s", sheet, ref, got, want)
	}
}
