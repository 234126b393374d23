package main

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
)

// gateResult is one quality gate of a run, as the manifest shows it.
type gateResult struct {
	Gate    string  `json:"gate"`
	Subject string  `json:"subject,omitempty"` // operator or rule the value is about
	Value   float64 `json:"value"`
	Limit   float64 `json:"limit"`
	Fatal   bool    `json:"fatal"`
	Tripped bool    `json:"tripped"`
}

// checkGates evaluates [gates] on what the run did: each operator's
// quarantined share of the rows it transformed, the reconciliation
// difference, open findings of the fatal rules, and the number of
// data-quality warnings (rows quarantined in the run, findings first seen
// in it and file batches refused whole). It returns every gate, the fatal ones that tripped, and
// the warnings. A gate it cannot read is an error, never a gate passed;
// the findings' gates are left out when no marts were ever built (a run
// of extract and transform alone).
func checkGates(ctx context.Context, r *stageRun, m *runManifest) ([]gateResult, []string, int64, error) {
	g := r.cfg.Gates
	db := r.db.SQL()
	var gates []gateResult
	var fatal []string
	trip := func(res gateResult, msg string) {
		gates = append(gates, res)
		if res.Tripped && res.Fatal {
			fatal = append(fatal, msg)
		}
	}
	fail := func(gate string, err error) ([]gateResult, []string, int64, error) {
		return nil, nil, 0, fmt.Errorf("gate %s: %w", gate, err)
	}

	if g.MaxQuarantineShare > 0 {
		err := eachRow(ctx, db, `SELECT operator_code, sum(quarantined), sum(received) FROM ops.reconciliation
			WHERE run_id = ? AND load_id IS NULL GROUP BY ALL HAVING sum(received) > 0 ORDER BY ALL`, []any{r.runID}, func(rows *sql.Rows) error {
			var op string
			var q, n int64
			if err := rows.Scan(&op, &q, &n); err != nil {
				return err
			}
			share := float64(q) / float64(n)
			res := gateResult{Gate: "max_quarantine_share", Subject: op, Value: share, Limit: g.MaxQuarantineShare, Fatal: true, Tripped: share > g.MaxQuarantineShare}
			trip(res, fmt.Sprintf("operator %s quarantined %d of %d rows (%.2f%%, limit %.2f%%)", op, q, n, 100*share, 100*g.MaxQuarantineShare))
			return nil
		})
		if err != nil {
			return fail("max_quarantine_share", err)
		}
	}
	haveFindings, err := tableExists(ctx, db, "mart", "compliance_findings")
	if err != nil {
		return fail("fatal_rules", err)
	}

	res := gateResult{Gate: "reconciliation", Value: float64(m.Reconciliation), Fatal: g.ReconciliationFatal, Tripped: m.Reconciliation != 0}
	trip(res, fmt.Sprintf("reconciliation differs by %d rows (ops.reconciliation)", m.Reconciliation))

	rules := slices.Clone(g.FatalRules)
	slices.Sort(rules)
	for _, rule := range slices.Compact(rules) {
		if !haveFindings {
			break
		}
		var n int64
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM mart.compliance_findings WHERE rule_id = ? AND status = 'open'`, rule).Scan(&n); err != nil {
			return fail("fatal_rules", err)
		}
		res := gateResult{Gate: "fatal_rules", Subject: rule, Value: float64(n), Fatal: true, Tripped: n > 0}
		trip(res, fmt.Sprintf("%d open findings of rule %s", n, rule))
	}

	// A file batch refused whole (its manifest does not match its files)
	// leaves the night without that operator's batch: not fatal — the rest
	// publishes, and the batch loads once the operator sends it right — but
	// never silent: the run ends with warnings (exit 3).
	var rejected int64
	err = eachRow(ctx, db, `SELECT operator_code, count(*) FROM ops.loads
		WHERE run_id = ? AND status = 'rejected' GROUP BY ALL ORDER BY ALL`, []any{r.runID}, func(rows *sql.Rows) error {
		var op string
		var n int64
		if err := rows.Scan(&op, &n); err != nil {
			return err
		}
		rejected += n
		gates = append(gates, gateResult{Gate: "rejected_batches", Subject: op, Value: float64(n), Tripped: true})
		return nil
	})
	if err != nil {
		return fail("rejected_batches", err)
	}

	var quarantined, fresh int64
	for _, n := range m.Quarantined {
		quarantined += n
	}
	if haveFindings {
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM mart.compliance_findings WHERE first_seen_run = ? AND status = 'open'`, r.runID).Scan(&fresh); err != nil {
			return fail("max_warnings", err)
		}
	}
	warnings := quarantined + fresh + rejected
	if !g.ReconciliationFatal {
		warnings += abs(m.Reconciliation)
	}
	gates = append(gates, gateResult{Gate: "max_warnings", Value: float64(warnings), Limit: float64(g.MaxWarnings),
		Tripped: g.MaxWarnings >= 0 && warnings > int64(g.MaxWarnings)})
	return gates, fatal, warnings, nil
}

// eachRow runs q and calls fn on each row, closing the rows; a failed
// query, scan or iteration is its error.
func eachRow(ctx context.Context, db *sql.DB, q string, args []any, fn func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// tableExists tells whether schema.name is a table or view of the
// warehouse.
func tableExists(ctx context.Context, db *sql.DB, schema, name string) (bool, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT schema_name, table_name FROM duckdb_tables()
		UNION ALL SELECT schema_name, view_name FROM duckdb_views()) WHERE schema_name = ? AND table_name = ?`, schema, name).Scan(&n)
	return n > 0, err
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}
