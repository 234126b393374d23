package marts

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"huzhu/internal/config"
	"huzhu/internal/sqlmodel"
	"huzhu/warehouse"
)

// runDisclosure rebuilds the disclosure models on conn with k as the
// k_anonymity in force.
func runDisclosure(t *testing.T, conn *sql.Conn, k int) {
	t.Helper()
	ctx := context.Background()
	rules := config.DefaultRules()
	rules.KAnonymity = k
	if err := prepare(ctx, conn, "run-k", rules); err != nil {
		t.Fatal(err)
	}
	models, err := sqlmodel.Load(sqlFS, "sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{"work.disclosure_rows", "mart.disclosure_activity_year", "mart.disclosure_operator_year", "mart.disclosure_breakdown"} {
		found := false
		for _, m := range models {
			if m.Output == out {
				found = true
				if err := sqlmodel.RunOne(ctx, conn, m); err != nil {
					t.Fatal(err)
				}
			}
		}
		if !found {
			t.Fatalf("no model %s", out)
		}
	}
}

// margin is one (fiscal_year, operator, activity, dimension) margin of
// mart.disclosure_breakdown: its cells' claims_paid (nil: suppressed) and
// its total, the activity-year's claims_paid (nil: suppressed).
type margin struct {
	key   string
	cells []*int64
	total *int64
}

// recoverable reports whether some suppressed cell of m can be had from
// the shown cells and the shown total: exactly one unknown cell under a
// shown total; or, with the total hidden, whether the total can be had by
// adding up cells that are all shown.
func (m margin) recoverable() (string, bool) {
	hidden := 0
	for _, c := range m.cells {
		if c == nil {
			hidden++
		}
	}
	switch {
	case m.total != nil && hidden == 1:
		return "one suppressed cell under a shown total", true
	case m.total == nil && hidden == 0 && len(m.cells) > 0:
		return "a suppressed total is the sum of shown cells", true
	}
	return "", false
}

func loadMargins(t *testing.T, q interface {
	Query(string, ...any) (*sql.Rows, error)
}) []margin {
	t.Helper()
	rows, err := q.Query(`SELECT b.fiscal_year || ' ' || b.operator_code || ' ' || b.activity_code || ' ' || b.dimension,
			b.claims_paid, a.claims_paid
		FROM mart.disclosure_breakdown AS b
		JOIN mart.disclosure_activity_year AS a USING (fiscal_year, operator_code, activity_code)
		ORDER BY 1, b.bucket`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ms []margin
	for rows.Next() {
		var key string
		var cell, total sql.NullInt64
		if err := rows.Scan(&key, &cell, &total); err != nil {
			t.Fatal(err)
		}
		if len(ms) == 0 || ms[len(ms)-1].key != key {
			m := margin{key: key}
			if total.Valid {
				m.total = &total.Int64
			}
			ms = append(ms, m)
		}
		var c *int64
		if cell.Valid {
			c = &cell.Int64
		}
		ms[len(ms)-1].cells = append(ms[len(ms)-1].cells, c)
	}
	return ms
}

// checkDisclosure: the disclosure rules on the built tables with k.
func checkDisclosure(t *testing.T, db *sql.DB, conn *sql.Conn, k int) (cells, hidden int) {
	t.Helper()
	// (a) no count below k is shown; suppressed rows show no claims figure.
	var bad int
	if err := conn.QueryRowContext(context.Background(), `SELECT
		(SELECT count(*) FROM mart.disclosure_breakdown
			WHERE (NOT suppressed AND (claims_paid IS NULL OR claims_paid < $1 OR benefits_paid IS NULL))
			   OR (suppressed AND (claims_paid IS NOT NULL OR benefits_paid IS NOT NULL)))
		+ (SELECT count(*) FROM mart.disclosure_activity_year
			WHERE members_enrolled < $1 OR claims_paid < $1
			   OR (suppressed AND (claims_paid IS NOT NULL OR benefits_paid IS NOT NULL OR payout_ratio IS NOT NULL OR median_days_to_pay IS NOT NULL))
			   OR (NOT suppressed AND (claims_paid IS NULL OR members_enrolled IS NULL)))`, k).Scan(&bad); err != nil {
		t.Fatal(err)
	}
	if bad != 0 {
		t.Errorf("k=%d: %d rows show a count below k or a suppressed figure", k, bad)
	}
	// A suppressed activity-year's margins name no bucket (which buckets
	// hold its few claims would be their profile), and every one of its
	// five dimensions says it is hidden; a shown one's name every bucket.
	if err := conn.QueryRowContext(context.Background(), `SELECT
		(SELECT count(*) FROM mart.disclosure_breakdown AS b
			JOIN mart.disclosure_activity_year AS a USING (fiscal_year, operator_code, activity_code)
			WHERE (a.suppressed AND (b.bucket IS NOT NULL OR NOT b.suppressed)) OR (NOT a.suppressed AND b.bucket IS NULL))
		+ (SELECT count(*) FROM mart.disclosure_activity_year AS a
			WHERE a.suppressed AND (SELECT count(*) FROM mart.disclosure_breakdown AS b
				WHERE b.fiscal_year = a.fiscal_year AND b.operator_code = a.operator_code AND b.activity_code = a.activity_code) <> 5)`).Scan(&bad); err != nil {
		t.Fatal(err)
	}
	if bad != 0 {
		t.Errorf("k=%d: %d breakdown rows name a bucket of a suppressed activity-year, or miss one of its dimensions", k, bad)
	}
	// A shown margin with no suppressed cell adds up to its total.
	if err := conn.QueryRowContext(context.Background(), `SELECT count(*) FROM (
		SELECT b.fiscal_year, b.operator_code, b.activity_code, b.dimension,
			sum(b.claims_paid) AS n, sum(b.benefits_paid) AS v, any_value(a.claims_paid) AS tn, any_value(a.benefits_paid) AS tv
		FROM mart.disclosure_breakdown AS b
		JOIN mart.disclosure_activity_year AS a USING (fiscal_year, operator_code, activity_code)
		GROUP BY ALL
		HAVING NOT bool_or(b.suppressed)) WHERE n <> tn OR v <> tv`).Scan(&bad); err != nil {
		t.Fatal(err)
	}
	if bad != 0 {
		t.Errorf("k=%d: %d fully shown margins do not add up to the activity-year's total", k, bad)
	}
	// (b) no suppressed cell or total can be recovered by subtraction.
	ms := loadMargins(t, connQuerier{conn})
	for _, m := range ms {
		if why, ok := m.recoverable(); ok {
			t.Errorf("k=%d: margin %s: %s", k, m.key, why)
		}
		for _, c := range m.cells {
			cells++
			if c == nil {
				hidden++
			}
		}
	}
	if len(ms) == 0 {
		t.Fatalf("k=%d: no margins", k)
	}
	// (b) for the money: a suppressed activity-year row shows none of its
	// own; each operator's year (the margin whose total is
	// mart.disclosure_operator_year) hides no row or at least two, or
	// hides its total (as it does when every row is hidden); a total with
	// nothing hidden is its rows' sum.
	if err := conn.QueryRowContext(context.Background(), `SELECT count(*) FROM mart.disclosure_activity_year
		WHERE suppressed AND (contributions IS NOT NULL OR fund_balance IS NOT NULL OR reserve_balance IS NOT NULL)
		   OR NOT suppressed AND (contributions IS NULL OR fund_balance IS NULL OR reserve_balance IS NULL)`).Scan(&bad); err != nil {
		t.Fatal(err)
	}
	if bad != 0 {
		t.Errorf("k=%d: %d activity-years whose money figures are shown while suppressed, or hidden while not", k, bad)
	}
	var years, hiddenTotals int
	if err := conn.QueryRowContext(context.Background(), `WITH a AS (
			SELECT fiscal_year, operator_code, count(*) AS n, count(*) FILTER (WHERE suppressed) AS h,
				sum(contributions) AS c, sum(fund_balance) AS f, sum(reserve_balance) AS r
			FROM mart.disclosure_activity_year GROUP BY ALL)
		SELECT count(*),
			count(*) FILTER (WHERE o.operator_code IS NULL OR o.activities <> a.n OR o.activities_suppressed <> a.h
				OR ((a.h = 1 OR a.h = a.n) AND (o.contributions IS NOT NULL OR o.fund_balance IS NOT NULL OR o.reserve_balance IS NOT NULL OR NOT o.suppressed))
				OR (a.h <> 1 AND a.h <> a.n AND (o.contributions IS NULL OR o.fund_balance IS NULL OR o.reserve_balance IS NULL OR o.suppressed))
				OR (a.h = 0 AND (o.contributions <> a.c OR o.fund_balance <> a.f OR o.reserve_balance <> a.r))),
			count(*) FILTER (WHERE a.h = 1)
		FROM a LEFT JOIN mart.disclosure_operator_year AS o USING (fiscal_year, operator_code)`).Scan(&years, &bad, &hiddenTotals); err != nil {
		t.Fatal(err)
	}
	if years == 0 || bad != 0 {
		t.Errorf("k=%d: %d of %d operator-years whose totals let one hidden row be recovered or disagree with the rows", k, bad, years)
	}
	if n := count(t, db, "SELECT count(*) FROM mart.disclosure_operator_year"); n != years {
		t.Errorf("k=%d: %d operator-year rows for %d operator-years", k, n, years)
	}
	// A suppressed activity-year row with paid claims: every margin of its
	// breakdown has a suppressed cell (checked above), and there is no row
	// above the activity (operator or pool totals) in the table to subtract
	// its members or claims from.
	if err := conn.QueryRowContext(context.Background(),
		"SELECT count(*) FROM mart.disclosure_activity_year WHERE activity_code IS NULL OR operator_code IS NULL").Scan(&bad); err != nil {
		t.Fatal(err)
	}
	if bad != 0 {
		t.Errorf("k=%d: %d aggregate rows above the activity", k, bad)
	}
	return cells, hidden
}

type connQuerier struct{ c *sql.Conn }

func (q connQuerier) Query(s string, args ...any) (*sql.Rows, error) {
	return q.c.QueryContext(context.Background(), s, args...)
}

// TestDisclosure: on a simulated world, the disclosure tables carry no
// person, show no count below k and let no suppressed figure be recovered,
// at the default k and at k = 1000, where nearly everything is suppressed.
func TestDisclosure(t *testing.T) {
	db, _ := build(t, 3000)
	ctx := context.Background()
	conn, err := db.SQL().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	k := config.DefaultRules().KAnonymity

	// (a) no person: every VARCHAR value of both tables against the
	// members' references and pseudonyms, and id- or phone-like strings
	// (organisation codes — USCCs, 18 characters — are not persons).
	persons := map[string]bool{}
	rows, err := conn.QueryContext(ctx, `SELECT member_ref FROM core.dim_member UNION SELECT id_pseudo FROM core.dim_member
		UNION SELECT name_pseudo FROM core.dim_member UNION SELECT phone_pseudo FROM core.dim_member
		UNION SELECT member_ref FROM core.fact_claim UNION SELECT claim_no FROM core.fact_claim`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s sql.NullString
		rows.Scan(&s)
		if s.Valid && s.String != "" {
			persons[s.String] = true
		}
	}
	rows.Close()
	if len(persons) < 3000 {
		t.Fatalf("only %d person values to look for", len(persons))
	}
	orgs := map[string]bool{}
	rows, err = conn.QueryContext(ctx, "SELECT DISTINCT org_code FROM core.dim_org")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		rows.Scan(&s)
		orgs[s] = true
	}
	rows.Close()
	idLike := regexp.MustCompile(`(^|[^0-9])[0-9]{17}[0-9Xx]($|[^0-9])`)
	phoneLike := regexp.MustCompile(`(^|[^0-9])1[3-9][0-9]{9}($|[^0-9])`)
	for _, table := range []string{"disclosure_activity_year", "disclosure_breakdown"} {
		var cols []string
		rows, err := conn.QueryContext(ctx, "SELECT column_name FROM information_schema.columns WHERE table_schema = 'mart' AND table_name = ? AND data_type = 'VARCHAR'", table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var c string
			rows.Scan(&c)
			cols = append(cols, c)
		}
		rows.Close()
		if len(cols) < 3 {
			t.Fatalf("%s: VARCHAR columns %v", table, cols)
		}
		for _, c := range cols {
			rows, err := conn.QueryContext(ctx, fmt.Sprintf("SELECT DISTINCT %q FROM mart.%s WHERE %q IS NOT NULL", c, table, c))
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var v string
				rows.Scan(&v)
				switch {
				case persons[v]:
					t.Errorf("%s.%s holds a member's reference or pseudonym %q", table, c, v)
				case orgs[v]:
				case idLike.MatchString(v), phoneLike.MatchString(v):
					t.Errorf("%s.%s holds an id- or phone-like value %q", table, c, v)
				default:
					for p := range strings.FieldsSeq(v) {
						if persons[p] {
							t.Errorf("%s.%s holds a member's reference or pseudonym in %q", table, c, v)
						}
					}
				}
			}
			rows.Close()
		}
	}

	// Columns of the contract.
	for table, want := range map[string]string{
		"disclosure_activity_year": "fiscal_year, pool_code, operator_code, activity_code, activity_name, category, members_enrolled, contributions, claims_paid, benefits_paid, payout_ratio, mgmt_fee_ratio, median_days_to_pay, fund_balance, reserve_balance, suppressed, run_id",
		"disclosure_breakdown":     "fiscal_year, activity_code, dimension, bucket, claims_paid, benefits_paid, suppressed, run_id",
	} {
		for c := range strings.SplitSeq(want, ", ") {
			var n int
			conn.QueryRowContext(ctx, "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'mart' AND table_name = ? AND column_name = ?", table, c).Scan(&n)
			if n != 1 {
				t.Errorf("mart.%s has no column %s", table, c)
			}
		}
	}

	// The figures shown agree with core.
	var shown, wrong int
	if err := conn.QueryRowContext(ctx, `WITH p AS (
			SELECT operator_code, activity_code, year(CAST(timezone('Asia/Shanghai', paid_at) AS DATE)) AS fiscal_year,
				count(*) AS n, sum(paid_amount) AS v
			FROM core.fact_claim WHERE status = 'paid' GROUP BY ALL)
		SELECT count(*), count(*) FILTER (WHERE a.claims_paid <> p.n OR a.benefits_paid <> p.v OR a.run_id <> 'run-1')
		FROM mart.disclosure_activity_year AS a JOIN p USING (operator_code, activity_code, fiscal_year)
		WHERE NOT a.suppressed`).Scan(&shown, &wrong); err != nil {
		t.Fatal(err)
	}
	if shown < 5 || wrong != 0 {
		t.Errorf("%d activity-years shown, %d differ from core.fact_claim", shown, wrong)
	}

	// (a), (b) at the default k.
	cells, hidden := checkDisclosure(t, db.SQL(), conn, k)
	if hidden == 0 || hidden == cells {
		t.Errorf("k=%d: %d of %d cells suppressed", k, hidden, cells)
	}
	// (c) k = 1000: most cells suppressed, still nothing recoverable.
	runDisclosure(t, conn, 1000)
	cells, hidden = checkDisclosure(t, db.SQL(), conn, 1000)
	if hidden*10 < cells*9 {
		t.Errorf("k=1000: only %d of %d cells suppressed", hidden, cells)
	}
}

// TestMarginRecoverable: the recovery check itself.
func TestMarginRecoverable(t *testing.T) {
	n := func(v int64) *int64 { return &v }
	for _, c := range []struct {
		m    margin
		want bool
	}{
		{margin{cells: []*int64{n(50), nil, n(20)}, total: n(73)}, true},
		{margin{cells: []*int64{n(50), nil, nil}, total: n(73)}, false},
		{margin{cells: []*int64{n(50), n(23)}, total: nil}, true},
		{margin{cells: []*int64{n(50), nil}, total: nil}, false},
		{margin{cells: []*int64{n(50), n(23)}, total: n(73)}, false},
	} {
		if _, got := c.m.recoverable(); got != c.want {
			t.Errorf("%+v: recoverable %v, want %v", c.m, got, c.want)
		}
	}
}

// TestDisclosureSuppression: the breakdown model on hand-made claims.
// Activity A: hospital levels 50, 3, 20 under a shown total → 3 and 20
// suppressed. B: 3, 4, 50 → 3 and 4, no third. C: its activity-year row is
// suppressed → one hidden row a dimension, no bucket named. D: suppressed,
// no paid claim → the same rows as C. Free-text diagnoses are 'other'.
func TestDisclosureSuppression(t *testing.T) {
	ctx := context.Background()
	db, err := warehouse.Open(ctx, warehouse.InMemory, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.SQL().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rules := config.DefaultRules()
	rules.KAnonymity = 10
	if err := prepare(ctx, conn, "run-h", rules); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`CREATE OR REPLACE TABLE core.fact_claim (operator_code VARCHAR, claim_no VARCHAR, activity_code VARCHAR, member_ref VARCHAR,
			diagnosis_group VARCHAR, hospital_level VARCHAR, status VARCHAR, paid_at TIMESTAMPTZ, paid_amount DECIMAL(18, 2))`,
		`CREATE OR REPLACE TABLE core.dim_member (operator_code VARCHAR, member_ref VARCHAR, gender VARCHAR, age_band VARCHAR)`,
		`INSERT INTO core.dim_member VALUES ('OP', 'M1', 'F', '40-49')`,
		`CREATE OR REPLACE TABLE mart.disclosure_activity_year AS
			SELECT * FROM (VALUES (2024, 'P1', 'OP', 'A', false), (2024, 'P1', 'OP', 'B', false), (2024, 'P1', 'OP', 'C', true), (2024, 'P1', 'OP', 'D', true))
			AS t(fiscal_year, pool_code, operator_code, activity_code, suppressed)`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	type cell struct {
		act, level string
		n          int
	}
	i := 0
	for _, c := range []cell{
		{"A", "tertiary", 50}, {"A", "secondary", 3}, {"A", "primary", 20},
		{"B", "tertiary", 3}, {"B", "secondary", 4}, {"B", "primary", 50},
		{"C", "tertiary", 20}, {"C", "secondary", 30},
	} {
		{
			for range c.n {
				i++
				dg := "K"
				if i%7 == 0 {
					dg = "胃出血 of Mr Zhang"
				}
				if _, err := conn.ExecContext(ctx, "INSERT INTO core.fact_claim VALUES ('OP', ?, ?, 'M1', ?, ?, 'paid', TIMESTAMPTZ '2024-05-10 10:00:00+08', 100)",
					fmt.Sprint("C", i), c.act, dg, c.level); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	models, err := sqlmodel.Load(sqlFS, "sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range models {
		if m.Output == "mart.disclosure_breakdown" {
			if err := sqlmodel.RunOne(ctx, conn, m); err != nil {
				t.Fatal(err)
			}
		}
	}
	got := map[string]string{}
	rows, err := conn.QueryContext(ctx, "SELECT activity_code, dimension, bucket, claims_paid, suppressed FROM mart.disclosure_breakdown")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var act, dim string
		var bucket sql.NullString
		var n sql.NullInt64
		var sup bool
		if err := rows.Scan(&act, &dim, &bucket, &n, &sup); err != nil {
			t.Fatal(err)
		}
		v := "hidden"
		if n.Valid {
			v = fmt.Sprint(n.Int64)
		}
		if sup == n.Valid {
			t.Errorf("%s %s %s: claims_paid %s with suppressed %v", act, dim, bucket.String, v, sup)
		}
		b := bucket.String
		if !bucket.Valid {
			b = "*"
		}
		if (act == "C" || act == "D") != !bucket.Valid {
			t.Errorf("%s %s: bucket %q", act, dim, b)
		}
		got[act+" "+dim+" "+b] = v
	}
	rows.Close()
	for key, want := range map[string]string{
		"A hospital_level tertiary": "50", "A hospital_level secondary": "hidden", "A hospital_level primary": "hidden",
		"B hospital_level tertiary": "hidden", "B hospital_level secondary": "hidden", "B hospital_level primary": "50",
		"C hospital_level *": "hidden", "C gender *": "hidden", "C age_band *": "hidden", "C month *": "hidden", "C diagnosis_group *": "hidden",
		"D hospital_level *": "hidden", "D gender *": "hidden",
		"A gender F": "73", "B month 2024-05": "57", "A diagnosis_group K": "63", "A diagnosis_group other": "10",
	} {
		if got[key] != want {
			t.Errorf("%s = %q, want %q", key, got[key], want)
		}
	}
	for key := range got {
		if strings.Contains(key, "Zhang") {
			t.Errorf("free text published: %q", key)
		}
	}
}
