package reports

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"huzhu/internal/money"
)

// Every finding about a voucher links from compliance.html to the
// voucher's section on vouchers.html, which lists the voucher's kept
// lines as core.fact_ledger_line has them (through
// mart.finding_voucher_lines), totals them (an unbalanced voucher shows its
// difference), and shows no staff id, counterparty, bank account or
// summary; vouchers.xlsx holds the same lines.
func TestVoucherDrillDown(t *testing.T) {
	w, res := reportsOf(t)
	db := w.DB.SQL()
	dir := filepath.Join(res.Dir, "national")
	type line struct {
		no            int
		debit, credit money.Cents
	}
	ledger := map[[2]string][]line{} // (operator, voucher) → its lines in core
	var secrets []string             // what must not show: staff ids, counterparties, bank accounts, summaries
	rows, err := db.Query(`
		SELECT l.operator_code, l.voucher_no, l.line_no, CAST(l.debit AS VARCHAR), CAST(l.credit AS VARCHAR),
			l.prepared_by, l.approved_by, coalesce(l.paid_by, ''), coalesce(l.counterparty, ''),
			coalesce(l.bank_account_no, ''), coalesce(l.summary, '')
		FROM core.fact_ledger_line AS l
		WHERE (l.operator_code, l.voucher_no) IN (
			SELECT operator_code, subject_ref FROM mart.compliance_findings WHERE subject_kind = 'voucher')
		ORDER BY 1, 2, 3`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var op, v, d, c string
		var l line
		s := make([]string, 6)
		if err := rows.Scan(&op, &v, &l.no, &d, &c, &s[0], &s[1], &s[2], &s[3], &s[4], &s[5]); err != nil {
			t.Fatal(err)
		}
		l.debit, l.credit = mustCents(t, d), mustCents(t, c)
		ledger[[2]string{op, v}] = append(ledger[[2]string{op, v}], l)
		for _, x := range s {
			// Short values (a staff id like "S1") could occur by chance.
			if len([]rune(x)) >= 4 {
				secrets = append(secrets, x)
			}
		}
	}
	rows.Close()
	// A summary may say no more than its account's name (其他支出): that
	// the page shows anyway.
	var names []string
	rows, err = db.Query("SELECT name_zh FROM core.dim_account")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	secrets = slices.DeleteFunc(secrets, func(s string) bool { return slices.Contains(names, s) })
	if len(ledger) < 10 || len(secrets) < 20 {
		t.Fatalf("%d vouchers, %d values to hide: the test would prove little", len(ledger), len(secrets))
	}
	findings := 0
	unbalanced := 0
	for _, j := range res.Jurisdictions[:1] {
		for _, op := range j.Operators {
			comp, err := os.ReadFile(filepath.Join(dir, op, "compliance.html"))
			if err != nil {
				t.Fatal(err)
			}
			page, err := os.ReadFile(filepath.Join(dir, op, "vouchers.html"))
			if err != nil {
				t.Fatal(err)
			}
			// The findings' own words (R08's names the staff ids, as on
			// compliance.html) aside, the page and its workbook show none.
			lines := regexp.MustCompile(`(?s)<ul>.*?</ul>`).ReplaceAllString(string(page), "")
			book := readable(t, filepath.Join(dir, op, "vouchers.xlsx"))
			for _, s := range secrets {
				if strings.Contains(lines, s) || strings.Contains(book, s) {
					t.Errorf("%s/vouchers shows %q", op, s)
				}
			}
			links := regexp.MustCompile(`<a href="vouchers\.html#(v-[^"]+)">([^<]+)</a>`).FindAllStringSubmatch(string(comp), -1)
			for _, m := range links {
				findings++
				voucher := m[2]
				sec := regexp.MustCompile(`(?s)<section id="` + regexp.QuoteMeta(m[1]) + `" class="sub">(.*?)</section>`).FindStringSubmatch(string(page))
				if sec == nil {
					t.Errorf("%s: vouchers.html has no section %s for voucher %s", op, m[1], voucher)
					continue
				}
				ls := ledger[[2]string{op, voucher}]
				var debit, credit money.Cents
				for _, l := range ls {
					debit += l.debit
					credit += l.credit
					if !strings.Contains(sec[1], `<th scope="row" class="n">`+strconv.Itoa(l.no)+"</th>") {
						t.Errorf("%s voucher %s: line %d missing", op, voucher, l.no)
					}
				}
				if n := strings.Count(sec[1], `<tr><th scope="row"`); n != len(ls) {
					t.Errorf("%s voucher %s: %d lines shown, %d in core", op, voucher, n, len(ls))
				}
				if len(ls) > 0 {
					sum := "借方合计 " + yuan(debit) + "，贷方合计 " + yuan(credit) + "，差额 " + yuan(debit-credit) + "。"
					if !strings.Contains(sec[1], sum) {
						t.Errorf("%s voucher %s: totals %q not shown", op, voucher, sum)
					}
					if debit != credit {
						unbalanced++
					}
				}
			}
			// The workbook: every line of the operator's vouchers, once.
			_, sheet := sheetRows(t, filepath.Join(dir, op, "vouchers.xlsx"), "凭证明细")
			want := 0
			for k, ls := range ledger {
				if k[0] != op {
					continue
				}
				want += len(ls)
			}
			if len(sheet) != want {
				t.Errorf("%s/vouchers.xlsx: %d lines, core %d", op, len(sheet), want)
			}
			for _, r := range sheet {
				no, _ := strconv.Atoi(r[1])
				found := false
				for _, l := range ledger[[2]string{op, r[0]}] {
					if l.no == no {
						found = true
						if got := mustCents(t, orZero(r[6])); got != l.debit {
							t.Errorf("%s %s line %d: debit %v, core %v", op, r[0], no, got, l.debit)
						}
						if got := mustCents(t, orZero(r[7])); got != l.credit {
							t.Errorf("%s %s line %d: credit %v, core %v", op, r[0], no, got, l.credit)
						}
					}
				}
				if !found {
					t.Errorf("%s/vouchers.xlsx: %s line %s is no line of a voucher a finding names", op, r[0], r[1])
				}
			}
		}
	}
	var want int
	if err := db.QueryRow("SELECT count(*) FROM mart.compliance_findings WHERE subject_kind = 'voucher'").Scan(&want); err != nil {
		t.Fatal(err)
	}
	if findings != want {
		t.Errorf("%d voucher findings link to a voucher, the mart holds %d", findings, want)
	}
	if unbalanced == 0 {
		t.Error("no unbalanced voucher shown (R10 plants some): the difference went untested")
	}
}

// orZero reads an empty cell (a zero written as such) as 0.
func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}
