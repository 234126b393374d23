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
		err := eachRow(ctx, db, "gate_quarantine_share", []any{r.runID}, func(rows *sql.Rows) error {
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
		if err := queryRow(ctx, db, "gate_rule_open", []any{rule}, &n); err != nil {
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
	err = eachRow(ctx, db, "gate_rejected_batches", []any{r.runID}, func(rows *sql.Rows) error {
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

	var quarantined, fresh, freshCritical int64 // freshCritical: the manifest's, read there
	for _, n := range m.Quarantined {
		quarantined += n
	}
	if haveFindings {
		if err := queryRow(ctx, db, "findings_new", []any{r.runID}, &fresh, &freshCritical); err != nil {
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

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}
