package testworld

import "testing"

// The shared world has marts with rows for every operator and findings to
// show.
func TestShared(t *testing.T) {
	w := Shared(t)
	db := w.DB.SQL()
	var ops, findings, disclosure int
	if err := db.QueryRow("SELECT count(DISTINCT operator_code) FROM mart.scorecard").Scan(&ops); err != nil {
		t.Fatal(err)
	}
	if ops != len(w.Sim.Operators) || ops != 5 {
		t.Errorf("scorecard has %d operators, world %d", ops, len(w.Sim.Operators))
	}
	db.QueryRow("SELECT count(*) FROM mart.compliance_findings").Scan(&findings)
	db.QueryRow("SELECT count(*) FROM mart.disclosure_activity_year").Scan(&disclosure)
	if findings == 0 || disclosure == 0 {
		t.Errorf("findings %d, disclosure rows %d", findings, disclosure)
	}
}
