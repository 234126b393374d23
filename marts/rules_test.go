package marts

import (
	"bufio"
	"encoding/json"
	"io/fs"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"huzhu/opsim"
)

// implemented lists the rules that have a model (sql/rule_rNN.sql).
func implemented(t *testing.T) map[string]bool {
	names, err := fs.Glob(sqlFS, "sql/rule_r*.sql")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, n := range names {
		id := strings.ToUpper(strings.TrimSuffix(strings.TrimPrefix(n, "sql/rule_"), ".sql"))
		out[id] = true
	}
	return out
}

// TestRulesAgainstAnswerKey: every planted breach of an implemented rule is
// a finding of that rule on that subject (at the severity the key gives,
// when it gives one), and no near miss the key marks clean is.
func TestRulesAgainstAnswerKey(t *testing.T) {
	members := 6000
	if n, err := strconv.Atoi(os.Getenv("HUZHU_TEST_MEMBERS")); err == nil && n > 0 {
		members = n // the figure: 100000
	}
	db, _, keyPath := buildWorld(t, members, 0.02)
	have := implemented(t)
	if len(have) == 0 {
		t.Fatal("no rule model")
	}
	type key struct {
		rule, op, ref string
		year          int // 0: the finding has no year
	}
	findings := map[key]string{}      // → severity
	anyYear := map[[3]string]string{} // (rule, op, ref) of every finding → severity
	rows, err := db.SQL().Query("SELECT rule_id, operator_code, subject_ref, coalesce(fiscal_year, 0), severity FROM mart.compliance_findings WHERE status = 'open'")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k key
		var sev string
		rows.Scan(&k.rule, &k.op, &k.ref, &k.year, &sev)
		findings[k] = sev
		anyYear[[3]string{k.rule, k.op, k.ref}] = sev
	}
	rows.Close()
	// lookup matches an entry of a year to the finding of that year, or to a
	// finding without a year; an entry without a year to a finding of any.
	lookup := func(e opsim.KeyEntry) (string, bool) {
		if e.Year == 0 {
			sev, ok := anyYear[[3]string{e.Code, e.Operator, e.Key}]
			return sev, ok
		}
		if sev, ok := findings[key{e.Code, e.Operator, e.Key, e.Year}]; ok {
			return sev, true
		}
		sev, ok := findings[key{e.Code, e.Operator, e.Key, 0}]
		return sev, ok
	}
	f, err := os.Open(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	checked := map[string]int{}
	for sc.Scan() {
		var e opsim.KeyEntry
		json.Unmarshal(sc.Bytes(), &e)
		if e.Kind != "rule" || !have[e.Code] {
			continue
		}
		sev, found := lookup(e)
		switch e.Expect {
		case "finding":
			if !found {
				t.Errorf("%s: planted on %s %s (%s) but not found", e.Code, e.Entity, e.Key, e.Note)
			} else if e.Severity != "" && sev != e.Severity {
				t.Errorf("%s on %s: severity %s, want %s", e.Code, e.Key, sev, e.Severity)
			}
		case "clean":
			if found {
				t.Errorf("%s: near miss %s %s (%s) found", e.Code, e.Entity, e.Key, e.Note)
			}
		}
		checked[e.Code+"/"+e.Expect]++
	}
	t.Logf("answer-key entries checked: %v", checked)

	// Every finding's subject is one its rule's catalogue row says a
	// finding names (the evidence `huzhu rules` prints).
	evidence := map[string]string{}
	for _, r := range Catalogue() {
		evidence[r.ID] = r.Evidence
	}
	kinds, err := db.SQL().Query("SELECT DISTINCT rule_id, subject_kind FROM mart.compliance_findings ORDER BY ALL")
	if err != nil {
		t.Fatal(err)
	}
	defer kinds.Close()
	seen := 0
	for kinds.Next() {
		var rule, kind string
		if err := kinds.Scan(&rule, &kind); err != nil {
			t.Fatal(err)
		}
		seen++
		word := regexp.MustCompile(`\b` + strings.ReplaceAll(kind, "_", " ") + `\b`)
		if !word.MatchString(evidence[rule]) {
			t.Errorf("%s: a finding names a %s, its evidence says %q", rule, kind, evidence[rule])
		}
	}
	if seen < 15 {
		t.Errorf("%d rule and subject kinds among the findings: too few to prove the evidence", seen)
	}
}
