package reports

import "testing"

// A finding's place between the run that built it and the previous one:
// new in it, resolved by it (however many runs ago it was last seen),
// resolved earlier, or still open from before; and the previous run named.
func TestFindingState(t *testing.T) {
	for _, c := range []struct {
		f    finding
		want string
	}{
		{finding{Run: "r3", Status: "open", FirstSeen: "r3", LastSeen: "r3"}, "新增"},
		{finding{Run: "r3", Status: "resolved", FirstSeen: "r1", LastSeen: "r2", ResolvedRun: "r3"}, "本次已解决"},
		{finding{Run: "r3", Status: "resolved", FirstSeen: "r1", LastSeen: "r1", ResolvedRun: "r3"}, "本次已解决"},
		{finding{Run: "r3", Status: "resolved", FirstSeen: "r1", LastSeen: "r2", ResolvedRun: "r2"}, "已解决"},
		{finding{Run: "r3", Status: "open", FirstSeen: "r1", LastSeen: "r3"}, "持续"},
		// a table of an older build: no resolved_run, never "this run"
		{finding{Run: "r3", Status: "resolved", FirstSeen: "r1", LastSeen: "r2"}, "已解决"},
	} {
		if got, _ := findingState(c.f); got != c.want {
			t.Errorf("findingState(%+v) = %s, want %s", c.f, got, c.want)
		}
	}
	one := &data{Findings: []finding{{Operator: "A", Run: "r3", PreviousRun: "r2"}, {Operator: "B", Run: "r3", PreviousRun: "r2"}}}
	if got := previousRun(one, nil); got != "r2" {
		t.Errorf("previousRun of an operator without findings, one build = %q, want r2", got)
	}
	rollup := &data{Findings: []finding{{Operator: "A", Run: "r3", PreviousRun: "r2"}, {Operator: "B", Run: "p9", PreviousRun: "p8"}}}
	if got := previousRun(rollup, rollup.Findings[1:]); got != "p8" {
		t.Errorf("previousRun of B in a roll-up = %q, want its pool's p8", got)
	}
	if got := previousRun(rollup, nil); got != "" {
		t.Errorf("previousRun without findings in a roll-up = %q, want none (the pools' runs differ)", got)
	}
}

func TestRunTime(t *testing.T) {
	for id, want := range map[string]string{
		"20261129T221834.581Z-d6ec0e": "2026-11-30 06:18:34 · d6ec0e", // Beijing is UTC+8
		"20261129T084400Z-3fa2c1":     "2026-11-29 16:44:00 · 3fa2c1", // a run id of before the milliseconds
		"run-1":                       "run-1",
	} {
		if got := runTime(id); got != want {
			t.Errorf("runTime(%q) = %q, want %q", id, got, want)
		}
	}
}
