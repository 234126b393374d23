package extract

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"huzhu/contract"
	"huzhu/internal/config"
	"huzhu/opsim"
	"huzhu/opsim/httpapi"
)

func serve(t testing.TB, w *opsim.World, opt httpapi.Options) (*httpapi.Server, string) {
	t.Helper()
	srv, err := w.Server(opt)
	if err != nil {
		t.Fatal(err)
	}
	return serveHandler(t, srv)
}

func serveHandler(t testing.TB, srv *httpapi.Server) (*httpapi.Server, string) {
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return srv, hs.URL
}

var fastRetries = HTTPOptions{Timeout: 300 * time.Millisecond, PageLimit: 400, UnitRows: 2000, WaitMin: time.Millisecond, WaitMax: 20 * time.Millisecond, RetryBudget: 100000, RetryMax: 60}

// TestHTTPUnderFaults: with every fault mode injected, every row of the
// world is in raw exactly once — the same content as a pull without faults.
func TestHTTPUnderFaults(t *testing.T) {
	w := testWorld(t, 1500, 0.01)
	op := w.Operators[0]
	_, clean := serve(t, w, httpapi.Options{})
	want := openWarehouse(t, "")
	pull(t, want.SQL(), config.Source{Operator: op.Code, Kind: config.KindHTTP, URL: clean + "/" + op.Code}, Options{HTTP: fastRetries})

	faults, _ := httpapi.ParseFaults("5xx=0.2,429=0.1,timeout=0.05,reset=0.05,truncate=0.05")
	srv, faulty := serve(t, w, httpapi.Options{Faults: faults, TimeoutStall: 2 * time.Second, Token: "s3cret"})
	got := openWarehouse(t, "")
	src := config.Source{Operator: op.Code, Kind: config.KindHTTP, URL: faulty + "/" + op.Code, TokenEnv: "TOK"}
	opt := Options{HTTP: fastRetries, Getenv: func(string) string { return "s3cret" }}
	pull(t, got.SQL(), src, opt)

	a, b := digests(t, want.SQL()), digests(t, got.SQL())
	for e, d := range a {
		if b[e] != d {
			t.Errorf("%s: under faults %s, without %s", e, b[e], d)
		}
	}
	st := srv.Stats()
	for _, k := range []httpapi.Fault{httpapi.Fault5xx, httpapi.Fault429, httpapi.FaultTimeout, httpapi.FaultReset, httpapi.FaultTruncate} {
		if st.Faults[k] == 0 {
			t.Errorf("fault %v never served in %d requests", k, st.Requests)
		}
	}
	// The operator's own counts reconcile with what raw holds now.
	var bad int
	got.SQL().QueryRow("SELECT count(*) FROM ops.reconciliation WHERE difference <> 0").Scan(&bad)
	if bad != 0 {
		t.Errorf("%d entities do not reconcile with the operator's manifest", bad)
	}
	// A second pull finds nothing new and commits nothing.
	var before, after int
	got.SQL().QueryRow("SELECT count(*) FROM ops.loads").Scan(&before)
	pull(t, got.SQL(), src, opt)
	got.SQL().QueryRow("SELECT count(*) FROM ops.loads").Scan(&after)
	if after != before {
		t.Errorf("a second pull committed %d units, want none", after-before)
	}
	// The stage reports how often the source had to ask again.
	opt.Logger = quiet
	res, err := Run(t.Context(), openWarehouse(t, "").SQL(), &config.Config{Sources: []config.Source{src}}, "r", opt, 1)
	if err != nil {
		t.Fatal(err)
	}
	if res.Sources[0].Retries == 0 {
		t.Errorf("a pull under faults reports %d retries", res.Sources[0].Retries)
	}
	// The manifest reads it in seconds, as its stages.
	entry, _ := json.Marshal(res.Sources[0])
	var m map[string]any
	json.Unmarshal(entry, &m)
	if sec, _ := m["seconds"].(float64); sec <= 0 || sec != res.Sources[0].Duration.Seconds() {
		t.Errorf("a source's manifest entry %s: seconds is not its duration %v", entry, res.Sources[0].Duration)
	}
}

// TestHTTPAuth: a wrong token stops that source with ErrAuth, at once.
func TestHTTPAuth(t *testing.T) {
	w := testWorld(t, 300, 0)
	_, base := serve(t, w, httpapi.Options{Token: "right"})
	db := openWarehouse(t, "")
	op := w.Operators[0]
	err := pullErr(db.SQL(), config.Source{Operator: op.Code, Kind: config.KindHTTP, URL: base + "/" + op.Code, TokenEnv: "T"},
		Options{HTTP: fastRetries, Getenv: func(string) string { return "wrong" }})
	if !errors.Is(err, ErrAuth) {
		t.Fatalf("pull with a wrong token: %v, want ErrAuth", err)
	}
}

// TestHTTPRetryBudget: a server that always fails uses up the budget and
// the error names the operator, entity and cursor.
func TestHTTPRetryBudget(t *testing.T) {
	w := testWorld(t, 300, 0)
	faults, _ := httpapi.ParseFaults("5xx=1")
	_, base := serve(t, w, httpapi.Options{Faults: faults})
	db := openWarehouse(t, "")
	op := w.Operators[0]
	o := fastRetries
	o.RetryBudget = 5
	err := pullErr(db.SQL(), config.Source{Operator: op.Code, Kind: config.KindHTTP, URL: base + "/" + op.Code}, Options{HTTP: o})
	if !errors.Is(err, ErrRetryBudget) {
		t.Fatalf("pull from a failing server: %v, want ErrRetryBudget", err)
	}
}

// TestHTTPTwoNights: the world as of day 1, then as of day 2: the second
// night loads only what changed, and raw then holds day 2's rows.
func TestHTTPTwoNights(t *testing.T) {
	day1 := testWorld(t, 2000, 0.01)
	p := day1.P
	p.AsOf += 5
	day2, err := opsim.NewWorld(p)
	if err != nil {
		t.Fatal(err)
	}
	op := day1.Operators[0]
	_, b1 := serve(t, day1, httpapi.Options{})
	_, b2 := serve(t, day2, httpapi.Options{})
	db := openWarehouse(t, "")
	pull(t, db.SQL(), config.Source{Operator: op.Code, Kind: config.KindHTTP, URL: b1 + "/" + op.Code}, Options{HTTP: fastRetries})
	var night1 int64
	db.SQL().QueryRow("SELECT sum(rows_loaded) FROM ops.loads").Scan(&night1)
	pull(t, db.SQL(), config.Source{Operator: op.Code, Kind: config.KindHTTP, URL: b2 + "/" + op.Code}, Options{HTTP: fastRetries})
	var total int64
	db.SQL().QueryRow("SELECT sum(rows_loaded) FROM ops.loads").Scan(&total)

	// What changed between the days, counted from the simulator itself.
	t1, _ := day1.Operators[0].Tables()
	t2, _ := day2.Operators[0].Tables()
	var changed int64
	for name, tab := range t2 {
		last := t1[name].Len()
		var lastAt string
		if last > 0 {
			lastAt = t1[name].UpdatedAt(last - 1).String()
		}
		for i := 0; i < tab.Len(); i++ {
			if tab.UpdatedAt(i).String() > lastAt {
				changed++
			}
		}
	}
	if got := total - night1; got != changed || changed == 0 {
		t.Errorf("night 2 loaded %d rows; %d rows changed", got, changed)
	}
	// Latest version per key equals day 2 pulled fresh.
	fresh := openWarehouse(t, "")
	pull(t, fresh.SQL(), config.Source{Operator: op.Code, Kind: config.KindHTTP, URL: b2 + "/" + op.Code}, Options{HTTP: fastRetries})
	for _, e := range contract.Entities() {
		var n1, n2 int64
		q := "SELECT count(*) FROM ops.reconciliation r WHERE r.entity = ? AND r.difference = 0"
		db.SQL().QueryRow(q, e.Name).Scan(&n1)
		fresh.SQL().QueryRow(q, e.Name).Scan(&n2)
		if n1 == 0 || n2 == 0 {
			t.Errorf("%s: reconciliation after two nights %d, fresh %d", e.Name, n1, n2)
		}
	}
	_ = context.Background
}

// tsRow is a row of a tsServer: its place in the operator's order (at; the
// zero time for a row the operator has no time for) and the updated_at it
// is sent with, nil for null.
type tsRow struct {
	ref string
	at  time.Time
	upd any
}

// tsServer is an HZ-OPS/1 API of one operator whose only rows are the
// test's decisions. It orders them by (at, ref), rows without at last, and
// answers updated_since with the rows at or after it and, as a careless
// server might, every row without at. It refuses an updated_since that is
// not RFC 3339 with an offset, and records each one it is sent.
type tsServer struct {
	mu    sync.Mutex
	rows  []tsRow
	since []string
}

func (s *tsServer) add(rows ...tsRow) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rows = append(s.rows, rows...)
}

func (s *tsServer) sinces() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.since)
}

func (s *tsServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.URL.Path == "/v1/manifest":
		io.WriteString(w, `{"entities":{}}`)
		return
	case r.URL.Path != "/v1/decisions":
		io.WriteString(w, `{"data":[],"next_cursor":null}`)
		return
	}
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	off, since := 0, q.Get("updated_since")
	if c := q.Get("cursor"); c != "" {
		o, rest, _ := strings.Cut(c, " ")
		off, _ = strconv.Atoi(o)
		since = rest
	} else if since != "" {
		s.since = append(s.since, since)
	}
	var from time.Time
	if since != "" {
		var err error
		if from, err = time.Parse(time.RFC3339, since); err != nil {
			http.Error(w, fmt.Sprintf("updated_since %q is not RFC 3339", since), http.StatusBadRequest)
			return
		}
	}
	var rows []tsRow
	for _, row := range s.rows {
		if row.at.IsZero() || !row.at.Before(from) {
			rows = append(rows, row)
		}
	}
	slices.SortStableFunc(rows, func(a, b tsRow) int {
		if a.at.IsZero() != b.at.IsZero() {
			if a.at.IsZero() {
				return 1
			}
			return -1
		}
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return strings.Compare(a.ref, b.ref)
	})
	end := min(off+limit, len(rows))
	page := struct {
		Data []map[string]any `json:"data"`
		Next *string          `json:"next_cursor"`
	}{Data: []map[string]any{}}
	for _, row := range rows[off:end] {
		page.Data = append(page.Data, map[string]any{"decision_ref": row.ref, "subject": "s " + row.ref, "updated_at": row.upd})
	}
	if end < len(rows) {
		c := strconv.Itoa(end) + " " + since
		page.Next = &c
	}
	json.NewEncoder(w).Encode(page)
}

// pullRun runs one source into db under runID and fails the test on error.
func pullRun(t *testing.T, db *sql.DB, src config.Source, opt Options, runID string) {
	t.Helper()
	opt.Logger = quiet
	s, err := Open(src, opt)
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWriter(context.Background(), db, runID)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := s.Pull(context.Background(), w.Loader(src.Operator, src.Kind)); err != nil {
		t.Fatalf("%s: %v", runID, err)
	}
}

// beijing is 10:00 on 1 January 2023 in Beijing, plus s seconds.
func beijing(s int) time.Time {
	return time.Date(2023, 1, 1, 2, 0, s, 0, time.UTC)
}

// TestHTTPNullUpdatedAt: a row without updated_at at the end of the
// answer — in a unit of its own, or with the others — is loaded by the
// first night, once, though the server sends it every night; the second
// night loads the one new row, the third nothing. Every night succeeds,
// and every unit received what it kept.
func TestHTTPNullUpdatedAt(t *testing.T) {
	for _, o := range []HTTPOptions{{PageLimit: 2, UnitRows: 2}, {PageLimit: 100, UnitRows: 1000}} {
		t.Run(fmt.Sprintf("page%d", o.PageLimit), func(t *testing.T) {
			srv := &tsServer{}
			srv.add(tsRow{"D1", beijing(0), beijing(0).Format(time.RFC3339)}, tsRow{"D2", beijing(1), beijing(1).Format(time.RFC3339)},
				tsRow{"D3", beijing(2), beijing(2).Format(time.RFC3339)}, tsRow{"D4", beijing(2), beijing(2).Format(time.RFC3339)},
				tsRow{"N1", time.Time{}, nil})
			hs := httptest.NewServer(srv)
			t.Cleanup(hs.Close)
			db := openWarehouse(t, "").SQL()
			src := config.Source{Operator: "51330000MA0000000X", Kind: config.KindHTTP, URL: hs.URL}
			for night, want := range []int64{5, 1, 0} {
				if night == 1 {
					srv.add(tsRow{"D5", beijing(86400), "2023-01-02T10:00:00+08:00"})
				}
				run := fmt.Sprintf("night%d", night+1)
				pullRun(t, db, src, Options{HTTP: o}, run)
				if n := count(t, db, "SELECT coalesce(sum(rows_received), 0) FROM ops.loads WHERE entity = 'decisions' AND run_id = ?", run); n != want {
					t.Errorf("%s received %d decisions, want %d", run, n, want)
				}
			}
			if n := count(t, db, "SELECT count(*) FROM raw.decisions"); n != 6 {
				t.Errorf("raw holds %d decisions, want 6", n)
			}
			if n := count(t, db, "SELECT count(DISTINCT decision_ref) FROM raw.decisions"); n != 6 {
				t.Errorf("raw holds %d distinct decisions, want 6", n)
			}
			if n := count(t, db, "SELECT count(*) FROM raw.decisions WHERE updated_at IS NULL"); n != 1 {
				t.Errorf("raw holds %d rows without updated_at, want 1", n)
			}
			if n := count(t, db, "SELECT count(*) FROM ops.loads WHERE rows_received <> rows_loaded + rows_quarantined"); n != 0 {
				t.Errorf("%d units received other than they kept and quarantined", n)
			}
		})
	}
}

// TestHTTPTimestampForms: updated_at in every form the contract allows —
// with an offset, without one (Beijing time, T or a space), RFC 3339's
// lower-case t and z — places its row for the next pull, whose
// updated_since is RFC 3339 with an offset; a row whose updated_at does not
// parse is loaded, never skipped. Three nights load every row once.
func TestHTTPTimestampForms(t *testing.T) {
	srv := &tsServer{}
	srv.add(
		tsRow{"R1", beijing(0), "2023-01-01T10:00:00+08:00"},
		tsRow{"R2", beijing(1), "2023-01-01 10:00:01"},
		tsRow{"R3", beijing(2), "2023-01-01T10:00:02"},
		tsRow{"R4", beijing(3), "2023-01-01t02:00:03z"},
		tsRow{"R5", beijing(4), "not a time"},
		tsRow{"R6", beijing(5), "2023-01-01 10:00:05"},
	)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	db := openWarehouse(t, "").SQL()
	src := config.Source{Operator: "51330000MA0000000X", Kind: config.KindHTTP, URL: hs.URL}
	opt := Options{HTTP: HTTPOptions{PageLimit: 2, UnitRows: 2}}
	for night, want := range []int64{6, 2, 0} {
		if night == 1 {
			srv.add(tsRow{"R7", beijing(86400), "2023-01-02 10:00:00"},
				tsRow{"R8", beijing(86399), "2023-01-02 25:00:00"})
		}
		run := fmt.Sprintf("night%d", night+1)
		pullRun(t, db, src, opt, run)
		if n := count(t, db, "SELECT coalesce(sum(rows_received), 0) FROM ops.loads WHERE entity = 'decisions' AND run_id = ?", run); n != want {
			t.Errorf("%s received %d decisions, want %d", run, n, want)
		}
	}
	if got, want := srv.sinces(), []string{"2023-01-01T10:00:05+08:00", "2023-01-02T10:00:00+08:00"}; !slices.Equal(got, want) {
		t.Errorf("updated_since sent %q, want %q", got, want)
	}
	var refs string
	if err := db.QueryRow("SELECT string_agg(decision_ref, ',' ORDER BY decision_ref) FROM raw.decisions").Scan(&refs); err != nil {
		t.Fatal(err)
	}
	if refs != "R1,R2,R3,R4,R5,R6,R7,R8" {
		t.Errorf("raw holds %s, want R1 to R8 once", refs)
	}
}

func TestParseTS(t *testing.T) {
	at := time.Date(2023, 1, 1, 2, 0, 5, 0, time.UTC)
	for _, c := range []struct {
		in   string
		want time.Time
	}{
		{"2023-01-01T10:00:05+08:00", at},
		{"2023-01-01T02:00:05Z", at},
		{"2023-01-01t02:00:05z", at},
		{"2023-01-01 02:00:05Z", at},
		{"2023-01-01T04:00:05+02:00", at},
		{"2023-01-01 10:00:05", at},
		{"2023-01-01T10:00:05", at},
		{"2023-01-01 10:00:05.25", at.Add(250 * time.Millisecond)},
		{"2023-01-01T10:00:05.250000+08:00", at.Add(250 * time.Millisecond)},
		{"", time.Time{}},
		{"2023-01-01", time.Time{}},
		{"2023-01-01+10:00:05", time.Time{}},
		{"2023-01-01 25:00:00", time.Time{}},
		{"2023-01-01T10:00:05+8", time.Time{}},
		{"2023-01-01X10:00:05z", time.Time{}},
		{"not a time at all!!", time.Time{}},
	} {
		got, ok := contract.ParseTS(c.in)
		if ok != !c.want.IsZero() || !got.Equal(c.want) {
			t.Errorf("parseTS(%q) = %v, %v, want %v", c.in, got, ok, c.want)
		}
		if ok {
			back, err := time.Parse(time.RFC3339, formatTS(got))
			if err != nil || !back.Equal(got) {
				t.Errorf("formatTS(parseTS(%q)) = %q, not RFC 3339 of the same instant", c.in, formatTS(got))
			}
		}
	}
}

// TestRetryAfter: Retry-After in seconds or as an HTTP-date sets the wait,
// capped at WaitMax; a date past means at once; anything else leaves the
// backoff exponential. Dates are read against a fixed now.
func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		header string
		want   time.Duration
		ok     bool
	}{
		{"7", 7 * time.Second, true},
		{"0", 0, true},
		{now.Add(10 * time.Minute).Format(http.TimeFormat), 10 * time.Minute, true},
		{now.Add(10 * time.Minute).Format(time.RFC850), 10 * time.Minute, true},
		{now.Add(10 * time.Minute).Format(time.ANSIC), 10 * time.Minute, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{"soon", 0, false},
		{"-3", 0, false},
		{"", 0, false},
	} {
		if d, ok := retryAfter(c.header, now); d != c.want || ok != c.ok {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", c.header, d, ok, c.want, c.ok)
		}
	}
	// backoff: the header's wait, capped at max; without a usable one,
	// the exponential wait of the attempt (at most min·2 at attempt 1).
	s := &httpSource{}
	for _, c := range []struct {
		header   string
		min, max time.Duration
	}{
		{"7", 7 * time.Second, 7 * time.Second},
		{"0", 0, 0},
		{"99999999999999", time.Hour, time.Hour},
		{time.Now().Add(3 * time.Hour).UTC().Format(http.TimeFormat), time.Hour, time.Hour},
		{"soon", 0, 2 * time.Millisecond},
		{"-3", 0, 2 * time.Millisecond},
	} {
		resp := &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {c.header}}}
		if d := s.backoff(time.Millisecond, time.Hour, 1, resp); d < c.min || d > c.max {
			t.Errorf("backoff with Retry-After %q = %v, want %v to %v", c.header, d, c.min, c.max)
		}
	}
}

// pullDecisionsPage pulls, from an API whose decisions are the one page
// data (a JSON array) and whose other entities are empty, into a new
// warehouse, and returns it with the decisions' units' counts.
func pullDecisionsPage(t *testing.T, data string) (db *sql.DB, received, loaded, quarantined int64) {
	t.Helper()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/manifest":
			io.WriteString(w, `{"entities":{}}`)
		case "/v1/decisions":
			io.WriteString(w, `{"data":`+data+`,"next_cursor":null}`)
		default:
			io.WriteString(w, `{"data":[],"next_cursor":null}`)
		}
	}))
	t.Cleanup(hs.Close)
	db = openWarehouse(t, "").SQL()
	pullRun(t, db, config.Source{Operator: "51330000MA0000000X", Kind: config.KindHTTP, URL: hs.URL}, Options{HTTP: HTTPOptions{RetryBudget: 1}}, "run1")
	if err := db.QueryRow("SELECT sum(rows_received), sum(rows_loaded), sum(rows_quarantined) FROM ops.loads WHERE entity = 'decisions'").Scan(&received, &loaded, &quarantined); err != nil {
		t.Fatal(err)
	}
	return db, received, loaded, quarantined
}

// TestHTTPRefusedRowQuarantined: a row the loader refuses (a field not
// valid UTF-8) is quarantined under its unit with its page position, not
// lost: the unit received what it loaded and quarantined.
func TestHTTPRefusedRowQuarantined(t *testing.T) {
	db, received, loaded, quarantined := pullDecisionsPage(t, `[{"decision_ref":"D1","subject":"a`+"\xff"+`","updated_at":"2023-01-01T10:00:00+08:00"},`+
		`{"decision_ref":"D2","subject":"b","updated_at":"2023-01-01T10:00:01+08:00"}]`)
	if received != 2 || loaded != 1 || quarantined != 1 {
		t.Errorf("received %d, loaded %d, quarantined %d; want 2, 1, 1", received, loaded, quarantined)
	}
	var pos, code string
	if err := db.QueryRow("SELECT source_row, reason_code FROM ops.quarantine WHERE entity = 'decisions'").Scan(&pos, &code); err != nil {
		t.Fatal(err)
	}
	if pos != "decisions?start#0" || code != ReasonBadUTF8 {
		t.Errorf("quarantined %s for %s, want decisions?start#0 for %s", pos, code, ReasonBadUTF8)
	}
}

// TestHTTPFieldTwice: a row naming a field twice (subject and Subject)
// is quarantined as duplicate_field with its page position and the object
// as sent, both values in it; the page's other rows load, the next row's
// extra column stays its own, and the unit reconciles.
func TestHTTPFieldTwice(t *testing.T) {
	db, received, loaded, quarantined := pullDecisionsPage(t, `[{"decision_ref":"D0","subject":"z","updated_at":"2023-01-01T09:00:00+08:00"},`+
		`{"decision_ref":"D1","subject":"first","note":"mine","Subject":"second","updated_at":"2023-01-01T10:00:00+08:00"},`+
		`{"decision_ref":"D2","subject":"b","updated_at":"2023-01-01T10:00:01+08:00"}]`)
	if received != 3 || loaded != 2 || quarantined != 1 {
		t.Errorf("received %d, loaded %d, quarantined %d; want 3, 2, 1", received, loaded, quarantined)
	}
	var pos, code, reason, rec string
	if err := db.QueryRow("SELECT source_row, reason_code, reason, raw_record FROM ops.quarantine WHERE entity = 'decisions'").Scan(&pos, &code, &reason, &rec); err != nil {
		t.Fatal(err)
	}
	if pos != "decisions?start#1" || code != ReasonDuplicateField || !strings.Contains(reason, `"subject"`) ||
		!strings.Contains(rec, "first") || !strings.Contains(rec, "second") {
		t.Errorf("quarantined %s for %s (%s): %s; want decisions?start#1 for %s, with both values", pos, code, reason, rec, ReasonDuplicateField)
	}
	if n := count(t, db, "SELECT count(*) FROM raw.decisions WHERE extra IS NOT NULL"); n != 0 {
		t.Errorf("%d loaded rows carry an extra column: the refused row's went to another", n)
	}
}

// TestHTTPPersonalCursor: an API that pages by its members' id numbers
// (the next cursor is the last one sent) leaves none of them in the
// positions of the rows it sends, in the quarantine or in an error: with
// the key the cursor becomes its pseudonym there; without it an error
// withholds it.
func TestHTTPPersonalCursor(t *testing.T) {
	const idn = "330127197710192582"
	fail := false
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/v1/manifest":
			io.WriteString(w, `{"entities":{}}`)
		case r.URL.Path == "/v1/decisions" && r.URL.Query().Get("cursor") == "":
			io.WriteString(w, `{"data":[{"decision_ref":"D1","subject":"a","updated_at":"2023-01-01T10:00:00+08:00"}],"next_cursor":"`+idn+`"}`)
		case r.URL.Path == "/v1/decisions" && fail:
			w.WriteHeader(http.StatusInternalServerError)
		case r.URL.Path == "/v1/decisions":
			io.WriteString(w, `{"data":[{"decision_ref":"D2","subject":"b`+"\xff"+`","updated_at":"2023-01-01T10:00:01+08:00"}],"next_cursor":null}`)
		default:
			io.WriteString(w, `{"data":[],"next_cursor":null}`)
		}
	}))
	t.Cleanup(hs.Close)
	src := config.Source{Operator: "51330000MA0000000X", Kind: config.KindHTTP, URL: hs.URL}
	pull := func(key []byte) (*sql.DB, error) {
		db := openWarehouse(t, "").SQL()
		return db, pullErr(db, src, Options{PIIKey: key,
			HTTP: HTTPOptions{RetryBudget: 1, RetryMax: 1, WaitMin: time.Millisecond, WaitMax: time.Millisecond}})
	}
	db, err := pull([]byte("cursor-key-0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	var pos string
	if err := db.QueryRow("SELECT source_row FROM ops.quarantine WHERE entity = 'decisions'").Scan(&pos); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(pos, idn) || !strings.HasPrefix(pos, "decisions?cursor=HZ1:") || !strings.HasSuffix(pos, "#0") {
		t.Errorf("the quarantined row is at %q, want decisions?cursor=HZ1:<pseudonym>#0", pos)
	}
	if n := count(t, db, "SELECT count(*) FROM raw.decisions WHERE source_pos LIKE '%"+idn+"%'"); n != 0 {
		t.Errorf("%d raw rows name the id number in their position", n)
	}
	fail = true
	for _, key := range [][]byte{[]byte("cursor-key-0123456789abcdef"), nil} {
		if _, err := pull(key); err == nil || strings.Contains(err.Error(), idn) || !strings.Contains(err.Error(), "page 2 cursor") {
			t.Errorf("a failed page after the id number's cursor (key %v): %v", key != nil, err)
		}
	}
	got := redactErr(&url.Error{Op: "Get", URL: "http://h/v1/decisions?cursor=" + idn + "&limit=5", Err: io.EOF}).Error()
	if strings.Contains(got, idn) || !strings.Contains(got, "limit=5") {
		t.Errorf("redactErr = %q, want the cursor withheld", got)
	}
}

// TestHTTPErrorsTellNoData: an operator API's refusal is reported by its
// status, never its body (which may quote a member's record), and a key in
// the configured URL's query is sent with every request — after the path,
// not before it — yet never shown in an error.
func TestHTTPErrorsTellNoData(t *testing.T) {
	var keys []string
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		keys = append(keys, r.URL.Path+"?key="+r.URL.Query().Get("key"))
		w.WriteHeader(http.StatusConflict)
		io.WriteString(w, `{"error":"record of 周强芳 id 330127197710192582 phone 13542176380 refused"}`)
	}))
	t.Cleanup(hs.Close)
	src := config.Source{Operator: "51330000MA0000000X", Kind: config.KindHTTP, URL: hs.URL + "/api?key=s3cret-key"}
	s, err := Open(src, Options{Logger: quiet, HTTP: HTTPOptions{RetryBudget: 1}})
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWriter(context.Background(), openWarehouse(t, "").SQL(), "r")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	err = s.Pull(context.Background(), w.Loader(src.Operator, src.Kind))
	if err == nil || !strings.Contains(err.Error(), "409") {
		t.Fatalf("a 409 gave %v", err)
	}
	for _, secret := range []string{"周强芳", "330127197710192582", "13542176380", "s3cret-key"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("the error %q shows %q", err, secret)
		}
	}
	if len(keys) == 0 || keys[0] != "/api/v1/manifest?key=s3cret-key" {
		t.Errorf("requests %v, want /api/v1/manifest with the URL's key", keys)
	}
	// A request that fails outright quotes its URL: without the key.
	src.URL = "http://127.0.0.1:1/api?key=s3cret-key"
	if s, err = Open(src, Options{Logger: quiet, HTTP: HTTPOptions{RetryBudget: 1, RetryMax: 1, WaitMin: time.Millisecond, WaitMax: time.Millisecond}}); err != nil {
		t.Fatal(err)
	}
	err = s.Pull(context.Background(), w.Loader(src.Operator, src.Kind))
	if err == nil || strings.Contains(err.Error(), "s3cret-key") {
		t.Errorf("a refused connection gave %v, want an error without the key", err)
	}
	got := redactErr(&url.Error{Op: "Get", URL: "http://u:pw@h/api/v1/members?key=s3cret-key&limit=5", Err: io.EOF}).Error()
	if strings.Contains(got, "s3cret-key") || strings.Contains(got, ":pw@") || !strings.Contains(got, "limit=5") || !strings.Contains(got, "key=%2A%2A%2A") {
		t.Errorf("redactErr = %q, want the key and password hidden and the paging kept", got)
	}
}
