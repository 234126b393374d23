package marts

import (
	"context"
	"io"
	"log/slog"
	"math"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"huzhu/contract"
	"huzhu/extract"
	"huzhu/internal/config"
	"huzhu/internal/money"
	"huzhu/opsim"
	"huzhu/opsim/record"
	"huzhu/transform"
	"huzhu/warehouse"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// build runs a clean simulated world through extract, transform and marts.
func build(t *testing.T, members int) (*warehouse.DB, *opsim.World) {
	db, w, _ := buildWorld(t, members, 0)
	return db, w
}

// buildWorld runs a simulated world with defects planted at rate through
// extract, transform and marts, and returns its answer key's path.
func buildWorld(t *testing.T, members int, rate float64) (*warehouse.DB, *opsim.World, string) {
	t.Helper()
	ctx := context.Background()
	p := opsim.DefaultParams()
	p.Members, p.DefectRate = members, rate
	w, err := opsim.NewWorld(p)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "answer-key.jsonl")
	if _, err := w.Drop(opsim.DropOptions{Out: dir, Format: "parquet", KeyPath: keyPath}); err != nil {
		t.Fatal(err)
	}
	db, err := warehouse.Open(ctx, warehouse.InMemory, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cfg := &config.Config{}
	for _, op := range w.Operators {
		cfg.Sources = append(cfg.Sources, config.Source{Operator: op.Code, Kind: config.KindFiles, Path: filepath.Join(dir, op.Code)})
	}
	if _, err := extract.Run(ctx, db.SQL(), cfg, "x", extract.Options{Logger: quiet}, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := transform.Run(ctx, db.SQL(), "t", []byte("marts-test-key-0123456789"), transform.Options{Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(ctx, db.SQL(), "run-1", config.DefaultRules()); err != nil {
		t.Fatal(err)
	}
	return db, w, keyPath
}

func monthEnd(d record.Day) string {
	y, m, _ := d.Date()
	return record.DayOf(y, m+1, 1).Time().AddDate(0, 0, -1).Format(time.DateOnly)
}

// TestFundPosition: every month-end balance equals the cumulative sum of
// the simulator's own ledger lines up to that month, in the account's
// normal direction.
func TestFundPosition(t *testing.T) {
	db, w := build(t, 2500)
	type key struct{ op, act, acct string }
	type line struct {
		month string
		net   money.Cents
	}
	want := map[key][]line{}
	var r record.Row
	for _, op := range w.Operators {
		tabs, _ := op.Tables()
		l := tabs["ledger_entries"]
		e := l.Entity()
		for i := 0; i < l.Len(); i++ {
			l.Read(i, &r)
			day, _ := record.ParseDay(string(r.Field(e.Index("posted_on"))))
			debit, _ := money.Parse(string(r.Field(e.Index("debit"))))
			credit, _ := money.Parse(string(r.Field(e.Index("credit"))))
			k := key{op.Code, string(r.Field(e.Index("activity_code"))), string(r.Field(e.Index("account_code")))}
			want[k] = append(want[k], line{monthEnd(day), debit - credit})
		}
	}
	rows, err := db.SQL().Query("SELECT strftime(month, '%Y-%m-%d'), operator_code, coalesce(activity_code, ''), account_code, CAST(balance AS VARCHAR), run_id FROM mart.fund_position")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var month, op, act, acct, bal, run string
		rows.Scan(&month, &op, &act, &acct, &bal, &run)
		var sum money.Cents
		for _, l := range want[key{op, act, acct}] {
			if l.month <= month {
				sum += l.net
			}
		}
		if a, _ := contract.AccountByCode(acct); !a.Class.DebitNormal() {
			sum = -sum
		}
		if got, _ := money.Parse(bal); got != sum || run != "run-1" {
			t.Fatalf("fund_position %s %s %q %s = %s (run %s), the ledger says %s", month, op, act, acct, bal, run, sum)
		}
		n++
	}
	if n < 500 {
		t.Errorf("only %d fund positions", n)
	}
}

// TestInvestmentMix: shares add up to one per operator and month, values
// equal the holdings, and only deposits and treasury bonds are allowed.
func TestInvestmentMix(t *testing.T) {
	db, _ := build(t, 2000)
	rows, err := db.SQL().Query("SELECT operator_code, month, sum(share), count(*) FILTER (WHERE allowed <> (instrument_type IN ('demand_deposit', 'time_deposit', 'treasury_bond'))) FROM mart.investment_mix GROUP BY ALL")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	months := 0
	for rows.Next() {
		var op string
		var month time.Time
		var share float64
		var bad int
		rows.Scan(&op, &month, &share, &bad)
		if math.Abs(share-1) > 1e-9 || bad != 0 {
			t.Errorf("%s %s: shares sum to %v, %d wrong allowed flags", op, month.Format(time.DateOnly), share, bad)
		}
		months++
	}
	var diff int
	db.SQL().QueryRow(`SELECT count(*) FROM (
		SELECT operator_code, as_of, instrument_type, sum(market_value) AS v FROM core.fact_holding GROUP BY ALL) AS h
		JOIN mart.investment_mix AS m ON m.operator_code = h.operator_code AND m.month = h.as_of AND m.instrument_type = h.instrument_type
		WHERE m.market_value <> h.v`).Scan(&diff)
	if months < 30 || diff != 0 {
		t.Errorf("%d operator-months, %d values differing from the holdings", months, diff)
	}
}

// TestBudgetExecution: each line's actual to date equals the simulator's
// own ledger for that year up to the month end, in the line's normal
// direction, and the budgets are the simulator's.
func TestBudgetExecution(t *testing.T) {
	db, w := build(t, 2500)
	type key struct{ op, act, line string }
	type mv struct {
		day string
		net money.Cents
	}
	ledger := map[key][]mv{}
	budgets := map[string]string{}
	var r record.Row
	for _, op := range w.Operators {
		tabs, _ := op.Tables()
		l := tabs["ledger_entries"]
		e := l.Entity()
		for i := 0; i < l.Len(); i++ {
			l.Read(i, &r)
			acct := string(r.Field(e.Index("account_code")))
			if acct[0] != '4' && acct[0] != '5' {
				continue
			}
			debit, _ := money.Parse(string(r.Field(e.Index("debit"))))
			credit, _ := money.Parse(string(r.Field(e.Index("credit"))))
			net := debit - credit
			if acct[0] == '4' {
				net = -net
			}
			k := key{op.Code, string(r.Field(e.Index("activity_code"))), acct}
			ledger[k] = append(ledger[k], mv{string(r.Field(e.Index("posted_on"))), net})
		}
		b := tabs["budgets"]
		be := b.Entity()
		for i := 0; i < b.Len(); i++ {
			b.Read(i, &r)
			k := op.Code + "|" + string(r.Field(be.Index("activity_code"))) + "|" + string(r.Field(be.Index("fiscal_year"))) + "|" +
				string(r.Field(be.Index("line_code"))) + "|" + string(r.Field(be.Index("version")))
			budgets[k] = string(r.Field(be.Index("amount")))
		}
	}
	rows, err := db.SQL().Query(`SELECT fiscal_year, strftime(as_of_month, '%Y-%m-%d'), operator_code, coalesce(activity_code, ''), line_code,
		CAST(actual_ytd AS VARCHAR), coalesce(CAST(budget_original AS VARCHAR), ''), flag FROM mart.budget_execution`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n, flagged := 0, 0
	for rows.Next() {
		var year int
		var month, op, act, line, actual, original, flag string
		rows.Scan(&year, &month, &op, &act, &line, &actual, &original, &flag)
		var want money.Cents
		start := strconv.Itoa(year) + "-01-01"
		for _, m := range ledger[key{op, act, line}] {
			if m.day >= start && m.day <= month {
				want += m.net
			}
		}
		if got, _ := money.Parse(actual); got != want {
			t.Fatalf("budget_execution %d %s %s %q %s: actual %s, the ledger says %s", year, month, op, act, line, actual, want)
		}
		if b := budgets[op+"|"+act+"|"+strconv.Itoa(year)+"|"+line+"|original"]; b != original {
			t.Fatalf("budget_execution %d %s %q %s: original budget %q, the simulator's %q", year, op, act, line, original, b)
		}
		if flag != "ok" {
			flagged++
		}
		n++
	}
	if n < 200 {
		t.Errorf("only %d budget execution rows", n)
	}
	t.Logf("%d rows, %d flagged", n, flagged)
}
