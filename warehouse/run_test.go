package warehouse

import (
	"database/sql"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestRunRoundTrip(t *testing.T) {
	ctx := t.Context()
	d := open(t, Options{})
	start := time.Date(2026, 11, 29, 8, 44, 0, 0, time.FixedZone("CST", 8*3600))
	end := start.Add(90 * time.Second)
	d.now = func() time.Time { return end }

	info := RunInfo{
		RunID:       "20261129T004400Z-abcdef",
		ConfigHash:  "c0ffee",
		CodeVersion: "v0.1.0",
		Stages:      []string{"extract", "transform"},
		StartedAt:   start,
	}
	if err := d.BeginRun(ctx, info); err != nil {
		t.Fatalf("BeginRun: %v", err)
	}

	type row struct {
		startedAt  time.Time
		finishedAt sql.NullTime
		status     string
		exitCode   sql.NullInt64
		stages     string
		configHash string
		version    string
	}
	read := func() row {
		t.Helper()
		var r row
		err := d.SQL().QueryRowContext(ctx, `
			SELECT started_at, finished_at, status, exit_code, stages, config_hash, code_version
			FROM ops.runs WHERE run_id = ?`, info.RunID).
			Scan(&r.startedAt, &r.finishedAt, &r.status, &r.exitCode, &r.stages, &r.configHash, &r.version)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	got := read()
	if !got.startedAt.Equal(start) || got.finishedAt.Valid || got.status != RunRunning || got.exitCode.Valid ||
		got.stages != `["extract","transform"]` || got.configHash != "c0ffee" || got.version != "v0.1.0" {
		t.Errorf("after BeginRun: %+v", got)
	}

	if err := d.BeginRun(ctx, info); err == nil || !strings.Contains(err.Error(), info.RunID) {
		t.Errorf("BeginRun twice: error %v, want one naming the run", err)
	}

	type stage struct {
		Name string `json:"name"`
		Rows int    `json:"rows"`
	}
	if err := d.FinishRun(ctx, info.RunID, RunWarnings, 3, []stage{{"extract", 10}, {"transform", 9}}); err != nil {
		t.Fatalf("FinishRun: %v", err)
	}
	got = read()
	if !got.finishedAt.Valid || !got.finishedAt.Time.Equal(end) || got.status != RunWarnings ||
		got.exitCode.Int64 != 3 || got.stages != `[{"name":"extract","rows":10},{"name":"transform","rows":9}]` {
		t.Errorf("after FinishRun: %+v", got)
	}

	// A second finish must not overwrite the first.
	if err := d.FinishRun(ctx, info.RunID, RunFailed, 1, nil); !errors.Is(err, ErrRunFinished) {
		t.Errorf("FinishRun twice: error %v, want ErrRunFinished", err)
	}
	if got := read(); got.status != RunWarnings {
		t.Errorf("after a second FinishRun: status %s, want %s", got.status, RunWarnings)
	}
}

func TestFinishRunErrors(t *testing.T) {
	ctx := t.Context()
	d := open(t, Options{})
	if err := d.BeginRun(ctx, RunInfo{RunID: "r1"}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		runID  string
		status string
		stages any
		want   error  // a sentinel, or nil to check the text
		text   string // in the message
	}{
		{"unknown run", "nope", RunSucceeded, nil, ErrRunNotFound, "nope"},
		{"status running", "r1", RunRunning, nil, nil, `status "running" is not`},
		{"status unknown", "r1", "ok", nil, nil, `status "ok" is not`},
		{"stages not JSON", "r1", RunFailed, func() {}, nil, "stages"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := d.FinishRun(ctx, tc.runID, tc.status, 1, tc.stages)
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) || !strings.Contains(err.Error(), tc.text) {
				t.Errorf("FinishRun(%q, %q) error = %v, want %v containing %q", tc.runID, tc.status, err, tc.want, tc.text)
			}
		})
	}
}

func TestNewRunID(t *testing.T) {
	re := regexp.MustCompile(`^[0-9]{8}T[0-9]{6}\.[0-9]{3}Z-[0-9a-f]{6}$`)
	cst := time.FixedZone("CST", 8*3600)
	cases := []struct {
		at         time.Time
		wantPrefix string
	}{
		{time.Date(2026, 11, 29, 16, 44, 0, 0, cst), "20261129T084400.000Z-"},
		{time.Date(2027, 1, 1, 0, 0, 5, 999, time.UTC), "20270101T000005.000Z-"},
		{time.Date(2027, 1, 1, 0, 0, 5, 7_000_999, time.UTC), "20270101T000005.007Z-"},
	}
	var prev string
	for _, tc := range cases {
		id := NewRunID(tc.at)
		if !re.MatchString(id) || !strings.HasPrefix(id, tc.wantPrefix) {
			t.Errorf("NewRunID(%v) = %q, want %s plus 6 hex digits", tc.at, id, tc.wantPrefix)
		}
		if start, ok := RunStart(id); !ok || !start.Equal(tc.at.Truncate(time.Millisecond)) {
			t.Errorf("RunStart(%q) = %v, %v; want %v", id, start, ok, tc.at.Truncate(time.Millisecond))
		}
		if id <= prev {
			t.Errorf("NewRunID(%v) = %q sorts before the earlier %q", tc.at, id, prev)
		}
		prev = id
	}
	at := cases[0].at
	if a, b := NewRunID(at), NewRunID(at); a == b {
		t.Errorf("NewRunID twice in one second = %q both times", a)
	}
}

// TestBeginRunAbandonsTheDead: a run left running (its process killed) is
// marked abandoned by the next BeginRun, whose caller holds the lock; the
// new run and finished runs keep their status.
func TestBeginRunAbandonsTheDead(t *testing.T) {
	ctx := t.Context()
	d := open(t, Options{})
	for _, id := range []string{"r1", "r2"} {
		if err := d.BeginRun(ctx, RunInfo{RunID: id}); err != nil {
			t.Fatal(err)
		}
	}
	// r1 was left running when r2 began; r2 finishes, r3 is killed.
	if err := d.FinishRun(ctx, "r2", RunSucceeded, 0, nil); err != nil {
		t.Fatal(err)
	}
	if err := d.BeginRun(ctx, RunInfo{RunID: "r3"}); err != nil {
		t.Fatal(err)
	}
	if err := d.BeginRun(ctx, RunInfo{RunID: "r4"}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"r1": RunAbandoned, "r2": RunSucceeded, "r3": RunAbandoned, "r4": RunRunning}
	for id, st := range want {
		var got string
		var finished bool
		if err := d.SQL().QueryRowContext(ctx, "SELECT status, finished_at IS NOT NULL FROM ops.runs WHERE run_id = ?", id).Scan(&got, &finished); err != nil {
			t.Fatal(err)
		}
		if got != st || finished != (st != RunRunning) {
			t.Errorf("run %s: %s (finished %v), want %s", id, got, finished, st)
		}
	}
}
