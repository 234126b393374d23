package extract

import (
	"context"
	"errors"
	"net/http/httptest"
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
