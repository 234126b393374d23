package reports

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"huzhu/internal/testworld"
)

// Every finding about claims links from compliance.html to its first row
// on claims.html; claims.xlsx holds a row for each claim each finding
// names, with core's paid amount; and neither shows the member of any of
// those claims, their diagnosis group or hospital.
func TestClaimDrillDown(t *testing.T) {
	// The shared world plants too few defects for a claim to be named: a
	// world of its own, with more.
	ctx := context.Background()
	w, err := testworld.Build(ctx, t.TempDir(), testworld.Options{DefectRate: 0.02})
	if err != nil {
		t.Fatal(err)
	}
	defer w.DB.Close()
	res, err := Write(ctx, w.DB.SQL(), filepath.Join(t.TempDir(), "reports"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	db := w.DB.SQL()
	dir := filepath.Join(res.Dir, "national")
	type claim struct{ paid, member, diagnosis string }
	named := map[[2]string]claim{} // (operator, claim) → core's
	rows, err := db.Query(`
		SELECT c.operator_code, c.claim_no, coalesce(CAST(c.paid_amount AS VARCHAR), ''), c.member_ref, coalesce(c.diagnosis_group, '')
		FROM core.fact_claim AS c
		WHERE (c.operator_code, c.claim_no) IN (
			SELECT operator_code, unnest(string_split(subject_ref, '|')) FROM mart.compliance_findings
			WHERE subject_kind IN ('claim', 'claims'))`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var op, no string
		var c claim
		if err := rows.Scan(&op, &no, &c.paid, &c.member, &c.diagnosis); err != nil {
			t.Fatal(err)
		}
		named[[2]string{op, no}] = c
	}
	rows.Close()
	if len(named) < 5 {
		t.Fatalf("%d claims named by findings: the test would prove little", len(named))
	}
	var findings, want int
	if err := db.QueryRow(`SELECT count(*), coalesce(sum(len(string_split(subject_ref, '|'))), 0) FROM mart.compliance_findings
		WHERE subject_kind IN ('claim', 'claims')`).Scan(&findings, &want); err != nil {
		t.Fatal(err)
	}
	links, rowsSeen := 0, 0
	for _, op := range res.Jurisdictions[0].Operators {
		comp, _ := os.ReadFile(filepath.Join(dir, op, "compliance.html"))
		page, err := os.ReadFile(filepath.Join(dir, op, "claims.html"))
		if err != nil {
			t.Fatal(err)
		}
		book := readable(t, filepath.Join(dir, op, "claims.xlsx"))
		for k, c := range named {
			if k[0] != op {
				continue
			}
			for _, s := range []string{c.member} {
				if strings.Contains(string(page), s) || strings.Contains(book, s) {
					t.Errorf("%s/claims shows member %q", op, s)
				}
			}
		}
		// Each link of compliance.html to claims.html lands on a row.
		for _, part := range strings.Split(string(comp), `href="claims.html#`)[1:] {
			anchor := part[:strings.IndexByte(part, '"')]
			links++
			if !strings.Contains(string(page), `<tr id="`+anchor+`"`) {
				t.Errorf("%s: claims.html has no row %s", op, anchor)
			}
		}
		_, sheet := sheetRows(t, filepath.Join(dir, op, "claims.xlsx"), "理赔明细")
		for _, r := range sheet {
			rowsSeen++
			c, ok := named[[2]string{op, r[3]}]
			if !ok {
				t.Errorf("%s/claims.xlsx: claim %s is named by no finding", op, r[3])
				continue
			}
			if c.paid != "" && mustCents(t, orZero(r[14])) != mustCents(t, c.paid) {
				t.Errorf("%s claim %s: paid %s, core %s", op, r[3], r[14], c.paid)
			}
		}
	}
	if links != findings {
		t.Errorf("%d links to claims.html, %d findings about claims", links, findings)
	}
	if rowsSeen != want {
		t.Errorf("%d claim rows in the workbooks, the findings name %d", rowsSeen, want)
	}
	t.Logf("%d findings about claims, %d claim rows", findings, rowsSeen)
}
