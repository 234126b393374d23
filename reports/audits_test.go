package reports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// linksTo returns the fragments of the links on page that go to target
// ("audits.html", say).
func linksTo(page []byte, target string) []string {
	var out []string
	for _, part := range strings.Split(string(page), `href="`+target+`#`)[1:] {
		out = append(out, part[:strings.IndexByte(part, '"')])
	}
	return out
}

// Every finding about an assistance item links from compliance.html to
// its row on assistance.html, and assistance.xlsx holds a row a finding
// with core's amount, and never the item's description.
func TestAssistanceDrillDown(t *testing.T) {
	w, res := reportsOf(t)
	db := w.DB.SQL()
	dir := filepath.Join(res.Dir, "national")
	amount := map[[2]string]string{} // (operator, item) → core's amount
	var descriptions []string
	rows, err := db.Query(`SELECT operator_code, item_id, CAST(amount AS VARCHAR), coalesce(description, '') FROM core.fact_assistance
		WHERE (operator_code, item_id) IN (SELECT operator_code, subject_ref FROM mart.compliance_findings WHERE subject_kind = 'assistance')`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var op, item, v, desc string
		if err := rows.Scan(&op, &item, &v, &desc); err != nil {
			t.Fatal(err)
		}
		amount[[2]string{op, item}] = v
		if len(desc) >= 6 {
			descriptions = append(descriptions, desc)
		}
	}
	rows.Close()
	var findings int
	if err := db.QueryRow("SELECT count(*) FROM mart.compliance_findings WHERE subject_kind = 'assistance'").Scan(&findings); err != nil {
		t.Fatal(err)
	}
	if findings < 2 || len(descriptions) == 0 {
		t.Fatalf("%d findings about assistance items, %d descriptions: the test would prove little", findings, len(descriptions))
	}
	links, seen := 0, 0
	for _, op := range res.Jurisdictions[0].Operators {
		comp, _ := os.ReadFile(filepath.Join(dir, op, "compliance.html"))
		page, err := os.ReadFile(filepath.Join(dir, op, "assistance.html"))
		if err != nil {
			t.Fatal(err)
		}
		for _, anchor := range linksTo(comp, "assistance.html") {
			links++
			if !strings.Contains(string(page), `<tr id="`+anchor+`"`) {
				t.Errorf("%s: assistance.html has no row %s", op, anchor)
			}
		}
		book, _ := os.ReadFile(filepath.Join(dir, op, "assistance.xlsx"))
		for _, desc := range descriptions {
			if strings.Contains(string(page), desc) || strings.Contains(string(book), desc) {
				t.Errorf("%s: an item's description %q is on the page or in the workbook", op, desc)
			}
		}
		_, sheet := sheetRows(t, filepath.Join(dir, op, "assistance.xlsx"), "帮扶事项明细")
		for _, r := range sheet {
			seen++
			v, ok := amount[[2]string{op, r[3]}]
			if !ok {
				t.Errorf("%s/assistance.xlsx: %s is no item a finding names", op, r[3])
				continue
			}
			if mustCents(t, orZero(r[6])) != mustCents(t, v) {
				t.Errorf("%s %s: amount %s, core %s", op, r[3], r[6], v)
			}
		}
	}
	if links != findings || seen != findings {
		t.Errorf("%d links to assistance.html and %d workbook rows for %d findings about assistance items", links, seen, findings)
	}
}

// Every finding about a departure audit links to its row on audits.html,
// every finding about a year without an annual audit to that year's row,
// which says 无; the workbook holds every audit core has, and no staff id.
func TestAuditDrillDown(t *testing.T) {
	w, res := reportsOf(t)
	db := w.DB.SQL()
	dir := filepath.Join(res.Dir, "national")
	var departures, years, audits int
	if err := db.QueryRow(`SELECT count(*) FILTER (WHERE subject_kind = 'staff_role'), count(*) FILTER (WHERE subject_kind = 'fiscal_year')
		FROM mart.compliance_findings WHERE rule_id = 'R16'`).Scan(&departures, &years); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("SELECT count(*) FROM core.fact_audit").Scan(&audits); err != nil {
		t.Fatal(err)
	}
	if departures == 0 || years == 0 || audits == 0 {
		t.Fatalf("%d departure findings, %d year findings, %d audits: the test would prove little", departures, years, audits)
	}
	var staff []string
	rows, err := db.Query("SELECT DISTINCT staff_id FROM core.dim_staff")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		rows.Scan(&s)
		staff = append(staff, s)
	}
	rows.Close()
	gotDepartures, gotYears, seen := 0, 0, 0
	for _, op := range res.Jurisdictions[0].Operators {
		comp, _ := os.ReadFile(filepath.Join(dir, op, "compliance.html"))
		page, err := os.ReadFile(filepath.Join(dir, op, "audits.html"))
		if err != nil {
			t.Fatal(err)
		}
		for _, anchor := range linksTo(comp, "audits.html") {
			i := strings.Index(string(page), `<tr id="`+anchor+`"`)
			if i < 0 {
				t.Errorf("%s: audits.html has no row %s", op, anchor)
				continue
			}
			switch anchor[0] {
			case 'd':
				gotDepartures++
			case 'y':
				gotYears++
				row := string(page[i:])
				row = row[:strings.Index(row, "</tr>")]
				if !strings.Contains(row, "<td>无</td>") {
					t.Errorf("%s: the row of %s does not say the year has no annual audit: %s", op, anchor, row)
				}
			}
		}
		book, _ := os.ReadFile(filepath.Join(dir, op, "audits.xlsx"))
		for _, s := range staff {
			if strings.Contains(string(page), s) || strings.Contains(string(book), s) {
				t.Errorf("%s: staff id %s on audits.html or in its workbook", op, s)
			}
		}
		_, sheet := sheetRows(t, filepath.Join(dir, op, "audits.xlsx"), "全部审计")
		seen += len(sheet)
	}
	if gotDepartures != departures || gotYears != years {
		t.Errorf("links to audits.html: %d departures and %d years, findings %d and %d", gotDepartures, gotYears, departures, years)
	}
	if seen != audits {
		t.Errorf("%d audits in the workbooks, core has %d", seen, audits)
	}
}

// Every finding about an activity's registration or size (R13, R14) links
// from compliance.html to the activity's row on activities.html, which
// shows the union's approval and filing as core has them ("无" when
// missing) and names the finding; every current activity has a row.
func TestActivitiesDrillDown(t *testing.T) {
	w, res := reportsOf(t)
	db := w.DB.SQL()
	dir := filepath.Join(res.Dir, "national")
	type reg struct{ approval, filing string }
	regs := map[[2]string]reg{}
	rows, err := db.Query(`SELECT operator_code, activity_code, coalesce(approval_ref, ''), coalesce(filing_ref, '') FROM core.dim_activity WHERE is_current`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var op, code string
		var r reg
		if err := rows.Scan(&op, &code, &r.approval, &r.filing); err != nil {
			t.Fatal(err)
		}
		regs[[2]string{op, code}] = r
	}
	rows.Close()
	cell := func(s string) string {
		if s == "" {
			return "<td>无</td>"
		}
		return "<td>" + s + "</td>"
	}
	linked := 0
	for _, op := range res.Jurisdictions[0].Operators {
		comp, _ := os.ReadFile(filepath.Join(dir, op, "compliance.html"))
		page, err := os.ReadFile(filepath.Join(dir, op, "activities.html"))
		if err != nil {
			t.Fatal(err)
		}
		for key, r := range regs {
			if key[0] != op {
				continue
			}
			i := strings.Index(string(page), `<tr id="a-`+key[1]+`"`)
			if i < 0 {
				t.Errorf("%s: activities.html has no row of %s", op, key[1])
				continue
			}
			row := string(page[i:])
			row = row[:strings.Index(row, "</tr>")]
			if !strings.Contains(row, cell(r.approval)) || !strings.Contains(row, cell(r.filing)) {
				t.Errorf("%s %s: the row does not show approval %q and filing %q: %s", op, key[1], r.approval, r.filing, row)
			}
		}
		for _, anchor := range linksTo(comp, "activities.html") {
			if !strings.HasPrefix(anchor, "a-") {
				continue // an R06 finding's bank account (TestBankAccountsDrillDown)
			}
			i := strings.Index(string(page), `<tr id="`+anchor+`"`)
			if i < 0 {
				t.Errorf("%s: activities.html has no row %s", op, anchor)
				continue
			}
			row := string(page[i:])
			if row = row[:strings.Index(row, "</tr>")]; !strings.Contains(row, "R13") && !strings.Contains(row, "R14") {
				t.Errorf("%s: the row of %s names no finding: %s", op, anchor, row)
			}
			linked++
		}
	}
	var findings int
	if err := db.QueryRow(`SELECT count(*) FROM mart.compliance_findings WHERE rule_id IN ('R13', 'R14') AND subject_kind = 'activity'`).Scan(&findings); err != nil {
		t.Fatal(err)
	}
	if findings == 0 || linked < findings {
		t.Errorf("%d R13/R14 findings, %d links to their activities", findings, linked)
	}
}

// Every R06 finding links from compliance.html to its rows in the bank
// accounts of activities.html: an account several activities use shows
// each one's lines, whose counts add up to the ledger's lines on it.
func TestBankAccountsDrillDown(t *testing.T) {
	w, res := reportsOf(t)
	db := w.DB.SQL()
	dir := filepath.Join(res.Dir, "national")
	var findings, accounts int
	if err := db.QueryRow(`SELECT count(*), count(*) FILTER (WHERE subject_kind = 'bank_account') FROM mart.compliance_findings WHERE rule_id = 'R06'`).Scan(&findings, &accounts); err != nil {
		t.Fatal(err)
	}
	if accounts == 0 {
		t.Fatal("the test world plants no bank account shared by activities")
	}
	linked := 0
	for _, op := range res.Jurisdictions[0].Operators {
		comp, _ := os.ReadFile(filepath.Join(dir, op, "compliance.html"))
		page, _ := os.ReadFile(filepath.Join(dir, op, "activities.html"))
		for _, anchor := range linksTo(comp, "activities.html") {
			if !strings.HasPrefix(anchor, "b-") {
				continue
			}
			if !strings.Contains(string(page), `<tr id="`+anchor+`"`) {
				t.Errorf("%s: activities.html has no row %s", op, anchor)
			}
			linked++
		}
	}
	if linked != findings {
		t.Errorf("%d R06 findings, %d links to their bank accounts", findings, linked)
	}
	// The usage rows of each shared account add up to the ledger's lines.
	var bad int
	if err := db.QueryRow(`SELECT count(*) FROM (
		SELECT b.operator_code, b.account_no, sum(b.lines) AS n,
			(SELECT count(*) FROM core.fact_ledger_line AS l WHERE l.operator_code = b.operator_code AND l.bank_account_no = b.account_no) AS want
		FROM mart.finding_bank_accounts AS b JOIN mart.compliance_findings AS f USING (finding_id)
		WHERE f.subject_kind = 'bank_account' GROUP BY ALL) WHERE n <> want`).Scan(&bad); err != nil {
		t.Fatal(err)
	}
	if bad != 0 {
		t.Errorf("%d shared accounts whose usage rows do not add up to their ledger lines", bad)
	}
}
