package main

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"

	"huzhu/internal/publish"
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

// checkGates evaluates [gates] on what is about to be published: the data
// of every run since the served release's (this one and any the gates
// stopped before it — a stopped night run again is judged on the same
// data, not passed for having nothing new): each operator's quarantined
// share of the rows transformed, the reconciliation difference, open
// findings of the fatal rules, and the number of data-quality warnings
// (rows quarantined, findings first seen, and the file batches this run
// refused whole). It returns the gates, the fatal ones that tripped, the
// batches refused whole, and the warnings. A gate it cannot read is an error, never a gate passed;
// the findings' gates are left out when no marts were ever built (a run
// of extract and transform alone).
func checkGates(ctx context.Context, r *stageRun) ([]gateResult, []string, rejectedBatches, int64, error) {
	g := r.cfg.Gates
	db := r.db.SQL()
	since := servedRun(r.cfg.Out)
	var gates []gateResult
	var fatal []string
	trip := func(res gateResult, msg string) {
		gates = append(gates, res)
		if res.Tripped && res.Fatal {
			fatal = append(fatal, msg)
		}
	}
	fail := func(gate string, err error) ([]gateResult, []string, rejectedBatches, int64, error) {
		return nil, nil, rejectedBatches{}, 0, fmt.Errorf("gate %s: %w", gate, err)
	}

	if g.MaxQuarantineShare > 0 {
		err := eachRow(ctx, db, "gate_quarantine_share", []any{since}, func(rows *sql.Rows) error {
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

	var quarantined, unexplained int64
	if err := queryRow(ctx, db, "gate_unpublished", []any{since}, &quarantined, &unexplained); err != nil {
		return fail("reconciliation", err)
	}
	res := gateResult{Gate: "reconciliation", Value: float64(unexplained), Fatal: g.ReconciliationFatal, Tripped: unexplained != 0}
	trip(res, fmt.Sprintf("reconciliation differs by %d rows (ops.reconciliation)", unexplained))

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
	var rejected rejectedBatches
	err = eachRow(ctx, db, "gate_rejected_batches", []any{r.runID}, func(rows *sql.Rows) error {
		var op string
		var n int64
		if err := rows.Scan(&op, &n); err != nil {
			return err
		}
		rejected.ops, rejected.n = append(rejected.ops, op), append(rejected.n, n)
		return nil
	})
	if err != nil {
		return fail("rejected_batches", err)
	}

	var fresh int64
	if haveFindings {
		if err := queryRow(ctx, db, "gate_findings_new", []any{since}, &fresh); err != nil {
			return fail("max_warnings", err)
		}
	}
	warnings := quarantined + fresh
	for _, n := range rejected.n {
		warnings += n
	}
	if !g.ReconciliationFatal {
		warnings += unexplained
	}
	gates = append(gates, gateResult{Gate: "max_warnings", Value: float64(warnings), Limit: float64(g.MaxWarnings),
		Tripped: g.MaxWarnings >= 0 && warnings > int64(g.MaxWarnings)})
	return gates, fatal, rejected, warnings, nil
}

// rejectedBatches are the operators whose file batches the run refused
// whole, and how many each: a warning gate (exit 3), reported by the run.
type rejectedBatches struct {
	ops []string
	n   []int64
}

// servedRun is the run id of the release served under out, "" when none
// is: run ids sort as their times, so the runs after it are those whose
// data is not published yet.
func servedRun(out string) string {
	if cur := publish.Current(out); cur != "" {
		return filepath.Base(cur)
	}
	return ""
}
