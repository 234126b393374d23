package reports

import "testing"

// A finding's place between this run and the previous one: new this run,
// resolved this run (last seen by the previous run), resolved earlier, or
// still open from before.
func TestFindingState(t *testing.T) {
	d := &data{RunID: "r3", PreviousRun: "r2"}
	for _, c := range []struct {
		f    finding
		want string
	}{
		{finding{Status: "open", FirstSeen: "r3", LastSeen: "r3"}, "新增"},
		{finding{Status: "resolved", FirstSeen: "r1", LastSeen: "r2"}, "本次已解决"},
		{finding{Status: "resolved", FirstSeen: "r1", LastSeen: "r1"}, "已解决"},
		{finding{Status: "open", FirstSeen: "r1", LastSeen: "r3"}, "持续"},
	} {
		if got, _ := findingState(d, c.f); got != c.want {
			t.Errorf("%+v: %s, want %s", c.f, got, c.want)
		}
	}
	// With no earlier run, nothing was resolved "this run".
	if got, _ := findingState(&data{RunID: "r1"}, finding{Status: "resolved", LastSeen: "r0"}); got != "已解决" {
		t.Errorf("without a previous run: %s", got)
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
