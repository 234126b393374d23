package site

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"huzhu/internal/codes"
	"huzhu/internal/config"
	"huzhu/internal/testworld"
	"huzhu/opsim/record"
)

func siteFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPrivacyGateRefusesPlantedLeaks plants one value of each kind into a
// page, a CSV download and the loaded data; each build fails with a
// LeakError naming the file and the kind, and the message never holds the
// value.
func TestPrivacyGateRefusesPlantedLeaks(t *testing.T) {
	_, d := built(t)
	if len(d.StaffIDs) == 0 {
		t.Fatal("the test world has no staff ids")
	}
	id, err := codes.MakeID("440106", time.Date(1985, 3, 7, 0, 0, 0, 0, time.UTC), 123)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ kind, value string }{
		{LeakPseudonym, "9f86d081884c7d659a2feaa0c55ad015"},
		{LeakPseudonym, "HZ1:9f86d081884c7d659a2feaa0c55ad015"},
		{LeakIDNumber, id},
		{LeakIDNumber, "44010619850307123X"},
		{LeakPhone, "13812345678"},
		{LeakStaffID, d.StaffIDs[0]},
	}
	act := activityPath(d.Activities[0].Operator, d.Activities[0].Code)
	targets := []string{act, "data/package/activity_year.csv", "index.html"}
	for _, c := range cases {
		for _, target := range targets {
			hook := func(path string, b []byte) []byte {
				if path == target {
					return append(bytes.Clone(b), []byte("<p>联系 "+c.value+" 谢谢</p>")...)
				}
				return b
			}
			_, err := Render(context.Background(), d, t.TempDir(), Options{Key: testKey, Hook: hook})
			var le *LeakError
			if !errors.As(err, &le) || !errors.Is(err, ErrPrivacy) {
				t.Errorf("plant %s in %s: err = %v, want a LeakError", c.kind, target, err)
				continue
			}
			if le.Kind != c.kind || le.File != target {
				t.Errorf("plant %s in %s: got kind %q file %q", c.kind, target, le.Kind, le.File)
			}
			if strings.Contains(err.Error(), c.value) || strings.Contains(err.Error(), strings.TrimPrefix(c.value, "HZ1:")) ||
				strings.Contains(err.Error(), c.value[:2]+"…") {
				t.Errorf("plant %s: the error echoes the value or a part of it: %v", c.kind, err)
			}
		}
	}
	// A leaky value in the loaded data (an activity named with a phone).
	bad := *d
	bad.Activities = append([]Activity(nil), d.Activities...)
	bad.Activities[0].Name = "热线13912345678"
	_, err = Render(context.Background(), &bad, t.TempDir(), Options{Key: testKey})
	var le *LeakError
	if !errors.As(err, &le) || le.Kind != LeakPhone {
		t.Errorf("phone in an activity name: err = %v, want a phone LeakError", err)
	}
	// Near misses the gate lets through: operator codes, decimals, dates.
	g := newGate(d)
	for _, ok := range []string{d.Operators[0].Code, "0.13812345678", "138123456789", "2025-06-30", "12,345,678,901.00", "1381234567", "13812345678.50"} {
		if err := g.Check("x", []byte(" "+ok+" ")); err != nil {
			t.Errorf("gate.Check(%q) = %v, want nil", ok, err)
		}
	}
}

// TestVerify: the built site verifies; a one-byte change to any file, an
// added file and a removed file each make Verify fail, and so does another
// key.
func TestVerify(t *testing.T) {
	src, _ := built(t)
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	pub := testKey.Public().(ed25519.PublicKey)
	if err := Verify(dir, pub); err != nil {
		t.Fatalf("Verify(copy) = %v", err)
	}
	all := siteFiles(t, dir)
	if len(all) < 100 {
		t.Fatalf("only %d files", len(all))
	}
	for rel, b := range all {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		i := len(b) / 2
		changed := bytes.Clone(b)
		changed[i] ^= 0x01
		os.WriteFile(p, changed, 0o644)
		if err := Verify(dir, pub); !errors.Is(err, ErrVerify) {
			t.Errorf("one byte changed in %s: Verify = %v, want ErrVerify", rel, err)
		}
		os.WriteFile(p, b, 0o644)
	}
	if err := Verify(dir, pub); err != nil {
		t.Fatalf("Verify(restored) = %v", err)
	}
	extra := filepath.Join(dir, "pool", "extra.html")
	os.WriteFile(extra, []byte("<p>hi</p>"), 0o644)
	if err := Verify(dir, pub); !errors.Is(err, ErrVerify) || !strings.Contains(err.Error(), "added") {
		t.Errorf("file added: Verify = %v", err)
	}
	os.Remove(extra)
	gone := filepath.Join(dir, "methodology.html")
	os.Remove(gone)
	if err := Verify(dir, pub); !errors.Is(err, ErrVerify) || !strings.Contains(err.Error(), "removed") {
		t.Errorf("file removed: Verify = %v", err)
	}
	os.WriteFile(gone, all["methodology.html"], 0o644)
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32)).Public().(ed25519.PublicKey)
	if err := Verify(dir, other); !errors.Is(err, ErrVerify) {
		t.Errorf("another key: Verify = %v", err)
	}
	if err := Verify(dir, pub); err != nil {
		t.Errorf("Verify(restored) = %v", err)
	}
}

// TestPageBudget: every page is at most 100 KB.
func TestPageBudget(t *testing.T) {
	dir, _ := built(t)
	largest, name := 0, ""
	for rel, b := range siteFiles(t, dir) {
		if !strings.HasSuffix(rel, ".html") {
			continue
		}
		if len(b) > PageBudget {
			t.Errorf("%s: %d bytes, over %d", rel, len(b), PageBudget)
		}
		if len(b) > largest {
			largest, name = len(b), rel
		}
	}
	t.Logf("largest page %s: %d bytes", name, largest)
}

// TestRebuildIsByteIdentical: the same warehouse gives the same bytes,
// whatever the number of workers.
func TestRebuildIsByteIdentical(t *testing.T) {
	dir, _ := built(t)
	w := testworld.Shared(t)
	again := filepath.Join(t.TempDir(), "site")
	if _, err := Build(context.Background(), w.DB.SQL(), again, Options{Key: testKey, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	a, b := siteFiles(t, dir), siteFiles(t, again)
	if len(a) != len(b) {
		t.Errorf("%d files, then %d", len(a), len(b))
	}
	for rel, x := range a {
		if !bytes.Equal(x, b[rel]) {
			t.Errorf("%s differs between two builds", rel)
		}
	}
}

// TestNoMemberData: no name, id number or phone of any simulated member,
// and no staff name, appears in any published file.
func TestNoMemberData(t *testing.T) {
	dir, _ := built(t)
	w := testworld.Shared(t)
	digits := map[string]bool{}
	var names []string
	var r record.Row
	for _, op := range w.Sim.Operators {
		tabs, err := op.Tables()
		if err != nil {
			t.Fatal(err)
		}
		for _, ent := range []string{"members", "staff_roles"} {
			tab := tabs[ent]
			e := tab.Entity()
			for i := 0; i < tab.Len(); i++ {
				tab.Read(i, &r)
				for j, f := range e.Fields {
					if r.IsNull(j) {
						continue
					}
					v := string(r.Field(j))
					switch {
					case f.PII && (f.Name == "id_number" || f.Name == "phone"):
						digits[strings.ToUpper(v)] = true
					case f.PII:
						names = append(names, v)
					case f.Name == "member_ref" || f.Name == "staff_id":
						digits[v] = true // whole tokens
					}
				}
			}
		}
	}
	if len(digits) < 1000 || len(names) < 1000 {
		t.Fatalf("only %d ids/phones/refs and %d names collected", len(digits), len(names))
	}
	// Every ASCII token and every run of Han characters of the site.
	tokens, han := map[string]bool{}, map[string]bool{}
	tok := regexp.MustCompile(`[0-9A-Za-z]+`)
	for rel, b := range siteFiles(t, dir) {
		if rel == "assets/echarts.min.js" {
			continue
		}
		for _, m := range tok.FindAll(b, -1) {
			tokens[strings.ToUpper(string(m))] = true
		}
		var run []rune
		for len(b) > 0 {
			c, n := utf8.DecodeRune(b)
			b = b[n:]
			if unicode.Is(unicode.Han, c) {
				run = append(run, c)
				continue
			}
			if len(run) > 0 {
				han[string(run)] = true
				run = run[:0]
			}
		}
	}
	for v := range digits {
		if tokens[strings.ToUpper(v)] {
			t.Errorf("a member's or staff's id, phone or reference (%s…) is published", v[:3])
		}
	}
	for _, n := range names {
		if utf8.RuneCountInString(n) < 2 {
			continue
		}
		for h := range han {
			if strings.Contains(h, n) {
				t.Errorf("a person's name (%d characters) appears in the text %q", utf8.RuneCountInString(n), h)
				break
			}
		}
	}
	t.Logf("checked %d ids/phones/refs and %d names against %d tokens and %d Han runs", len(digits), len(names), len(tokens), len(han))
}

// TestLoadReadsOnlyAggregates: the load step's SQL reads only the
// aggregate marts, the non-personal dims and (for the gate's deny list)
// core.dim_staff's staff ids.
func TestLoadReadsOnlyAggregates(t *testing.T) {
	allowed := map[string]bool{
		"mart.disclosure_activity_year": true, "mart.disclosure_operator_year": true, "mart.disclosure_breakdown": true, "mart.investment_mix": true,
		"mart.budget_execution": true, "mart.scorecard": true, "mart.compliance_findings": true, "mart.fund_position": true,
		"core.dim_org": true, "core.dim_pool": true, "core.dim_activity": true,
	}
	ref := regexp.MustCompile(`(?i)\b(?:FROM|JOIN)\s+([a-z_]+\.[a-z_]+)`)
	entries, _ := sqlFiles.ReadDir("sql")
	for _, e := range entries {
		b, _ := sqlFiles.ReadFile("sql/" + e.Name())
		b = regexp.MustCompile(`--[^\n]*`).ReplaceAll(b, nil) // comments may name what is not read
		for _, m := range ref.FindAllStringSubmatch(string(b), -1) {
			if e.Name() == "staff_ids.sql" && m[1] == "core.dim_staff" {
				continue
			}
			if !allowed[m[1]] {
				t.Errorf("sql/%s reads %s", e.Name(), m[1])
			}
		}
		if e.Name() == "findings.sql" && regexp.MustCompile(`subject_ref|detail|amount`).Match(b) {
			t.Errorf("sql/findings.sql reads a finding's subject, detail or amount")
		}
	}
}

// TestMemberReadings: what a member reads without knowing the rules — the
// home page's title said once, an activity's title naming its operator,
// a management-fee ratio above R04's ceiling marked as such, the score
// and the rank explained.
func TestMemberReadings(t *testing.T) {
	dir, d := built(t)
	read := func(rel string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	home := read("index.html")
	if m := regexp.MustCompile(`<title>([^<]*)</title>`).FindStringSubmatch(home); m == nil || strings.Count(m[1], "·") != 0 {
		t.Errorf("home page title %q", m)
	}
	limit := config.DefaultRules().MgmtFeeRatioMax
	over, marked := 0, 0
	for _, y := range d.Years {
		var o *Operator
		for i := range d.Operators {
			if d.Operators[i].Code == y.Operator {
				o = &d.Operators[i]
			}
		}
		page := read(activityPath(y.Operator, y.Activity))
		if o == nil || !strings.Contains(page, "<title>") || !strings.Contains(page[:strings.Index(page, "</title>")], o.Name) {
			t.Errorf("%s: the title does not name its operator", activityPath(y.Operator, y.Activity))
		}
		if y.MgmtFeeRatio != nil && *y.MgmtFeeRatio > limit {
			over++
			if strings.Contains(page, "% 上限）") {
				marked++
			}
		}
	}
	if over == 0 || marked != over {
		t.Errorf("%d activity-years above the management-fee ceiling, %d pages marking it", over, marked)
	}
	method := read("methodology.html")
	for _, term := range []string{"综合评分", "统筹地区内排名"} {
		if !strings.Contains(method, "<dt>"+term) {
			t.Errorf("methodology.html does not explain %s", term)
		}
	}
}
