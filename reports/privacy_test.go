package reports

import (
	"errors"
	"strings"
	"testing"

	"huzhu/internal/privacy"
)

// The reports' privacy gate refuses a person's data in a page or in any
// part of a workbook, lets the organisation codes through, and its error
// names the file and kind, never the value.
func TestReportsPrivacyGate(t *testing.T) {
	org := "51330000MA0000000X"
	g := privacy.New("reports", []string{org, "a14207461640e0b1"}, []string{"ZJS01"})
	book := func(cell string) []byte {
		tb := &table{ID: "t", Sheet: "s", Title: "t", Cols: []column{{"活动", text}}}
		tb.add("", "", txt(cell))
		b, err := workbook("t", []*table{tb})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if err := checkFiles(g, map[string][]byte{"o/budget.html": []byte("<td>" + org + "</td><td>2025-06-30</td><td>12,345,678.00</td><tr id=\"c-a14207461640e0b1\">"),
		"o/budget.xlsx": book("职工意外伤害互助 " + org)}); err != nil {
		t.Errorf("clean files: %v", err)
	}
	for name, files := range map[string]map[string][]byte{
		"a phone in a page":      {"o/activities.html": []byte("<td>热线13912345678</td>")},
		"an id number in a book": {"o/activities.xlsx": book("联系人 11010119900307803X")},
		"a staff id in a page":   {"o/audits.html": []byte("<td>ZJS01</td>")},
		"a pseudonym in a page":  {"o/claims.html": []byte("<td>0123456789abcdef0123456789abcdef</td>")},
	} {
		err := checkFiles(g, files)
		var le *privacy.LeakError
		if !errors.As(err, &le) || !errors.Is(err, privacy.ErrPrivacy) || !strings.HasPrefix(err.Error(), "reports: privacy gate: o/") {
			t.Errorf("%s: %v, want a reports LeakError naming the file", name, err)
			continue
		}
		for _, v := range []string{"13912345678", "11010119900307803X", "0123456789abcdef"} {
			if strings.Contains(err.Error(), v) {
				t.Errorf("%s: the error shows the value: %v", name, err)
			}
		}
	}
}
