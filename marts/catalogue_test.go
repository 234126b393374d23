package marts

import "testing"

// TestSeverityNames: every rule's severity has one Chinese name and a rank,
// and no two severities share a name or a rank (the reports and the site
// both name and sort findings by these).
func TestSeverityNames(t *testing.T) {
	names, ranks := map[string]string{}, map[int]string{}
	for _, sev := range []string{Critical, Major, Minor, Info} {
		name, ok := SeverityNames[sev]
		rank, ranked := SeverityRank[sev]
		if !ok || !ranked {
			t.Fatalf("severity %s: name %q (%v), rank %d (%v)", sev, name, ok, rank, ranked)
		}
		if other, dup := names[name]; dup {
			t.Errorf("%s and %s are both %q", other, sev, name)
		}
		if other, dup := ranks[rank]; dup {
			t.Errorf("%s and %s are both ranked %d", other, sev, rank)
		}
		names[name], ranks[rank] = sev, sev
	}
	if SeverityRank[Critical] >= SeverityRank[Major] || SeverityRank[Major] >= SeverityRank[Minor] || SeverityRank[Minor] >= SeverityRank[Info] {
		t.Errorf("ranks out of order: %v", SeverityRank)
	}
	for _, r := range Catalogue() {
		if _, ok := SeverityNames[r.Severity]; !ok {
			t.Errorf("rule %s: severity %q has no name", r.ID, r.Severity)
		}
	}
}
