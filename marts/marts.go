package marts

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"

	"huzhu/contract"
	"huzhu/internal/config"
	"huzhu/internal/sqlmodel"
	"huzhu/warehouse"
)

//go:embed sql/*.sql
var sqlFS embed.FS

// Result is what a marts run did.
type Result struct {
	Models []sqlmodel.Timing `json:"models"`
}

// Run rebuilds every mart model from core, in dependency order, all in one
// transaction; every mart row carries runID. The thresholds of
// rules are the rule models' variables (getvariable('mgmt_fee_ratio_max'),
// …, named as in [rules]).
func Run(ctx context.Context, db *sql.DB, runID string, rules config.Rules) (*Result, error) {
	return RunWith(ctx, db, runID, rules, Options{})
}

// Options are the optional settings of a marts run.
type Options struct {
	// Logger, when set, hears of each model built (at Info).
	Logger *slog.Logger
}

// RunWith is Run with options.
func RunWith(ctx context.Context, db *sql.DB, runID string, rules config.Rules, opt Options) (*Result, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("marts: connection: %w", err)
	}
	defer conn.Close()
	if err := prepare(ctx, conn, runID, rules); err != nil {
		return nil, err
	}
	models, err := sqlmodel.Load(sqlFS, "sql")
	if err != nil {
		return nil, fmt.Errorf("marts: %w", err)
	}
	if err := haveCore(ctx, conn); err != nil {
		return nil, err
	}
	// One transaction: readers see the previous marts until every model
	// is built, then all the new ones (product.md: never a half-built mart).
	var progress func(sqlmodel.Timing)
	if opt.Logger != nil {
		progress = func(t sqlmodel.Timing) { opt.Logger.Info("mart built", "model", t.Model, "seconds", t.Seconds) }
	}
	timings, err := sqlmodel.RunAtomic(ctx, conn, models, progress)
	if err != nil {
		return &Result{Models: timings}, fmt.Errorf("marts: %w", err)
	}
	return &Result{Models: timings}, nil
}

// prepare sets the run's variables and the temp tables the rule models
// share: rule_hits, which each rule model inserts into, and
// rule_catalogue, the catalogue with the thresholds in force.
func prepare(ctx context.Context, conn *sql.Conn, runID string, rules config.Rules) error {
	vars := map[string]any{
		"run_id":                 runID,
		"mgmt_fee_ratio_max":     rules.MgmtFeeRatioMax,
		"large_payment_yuan":     rules.LargePaymentYuan.String(),
		"budget_overrun_max":     rules.BudgetOverrunMax,
		"reserve_ratio_min":      rules.ReserveRatioMin,
		"payout_band_low":        rules.PayoutBandLow,
		"payout_band_high":       rules.PayoutBandHigh,
		"balance_years_max":      rules.BalanceYearsMax,
		"balance_years_min":      rules.BalanceYearsMin,
		"min_members":            int64(rules.MinMembers),
		"departure_audit_days":   int64(rules.DepartureAuditDays),
		"income_gap_ratio":       rules.IncomeGapRatio,
		"income_gap_yuan":        rules.IncomeGapYuan.String(),
		"voucher_imbalance_yuan": rules.VoucherImbalanceYuan.String(),
		"k_anonymity":            int64(rules.KAnonymity),
		// R01's allowed instruments, comma-separated (string_split in
		// the models): clause 十二's and the allow-listed review bonds.
		"allowed_instruments": strings.Join(slices.Concat(contract.AllowedInstruments, rules.AllowedInstruments), ","),
		"review_instruments":  strings.Join(contract.ReviewInstruments, ","),
	}
	// The risk indicators' bands: risk_<indicator>_yellow, _red (the
	// indicator as mart.risk_indicators names it).
	for _, b := range rules.Risk.Bands() {
		vars["risk_"+b.Indicator+"_yellow"], vars["risk_"+b.Indicator+"_red"] = b.Yellow, b.Red
	}
	for name, v := range vars {
		// Names are this map's keys, never data; values are parameters.
		if _, err := conn.ExecContext(ctx, "SET VARIABLE "+name+" = ?", v); err != nil {
			return fmt.Errorf("marts: variable %s: %w", name, err)
		}
	}
	// The instruments' Chinese names, for the findings' words: a MAP of
	// two list parameters, the codes and their names.
	codes := slices.Sorted(maps.Keys(contract.InstrumentNames))
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = contract.InstrumentNames[c]
	}
	if _, err := conn.ExecContext(ctx, "SET VARIABLE instrument_names = MAP(CAST(? AS VARCHAR[]), CAST(? AS VARCHAR[]))", codes, names); err != nil {
		return fmt.Errorf("marts: variable instrument_names: %w", err)
	}
	// The warehouse's macros: beijing_day, the calendar day in Beijing of
	// an instant, independent of the machine's time zone.
	if err := warehouse.DefineMacros(ctx, conn); err != nil {
		return fmt.Errorf("marts: %w", err)
	}
	for _, q := range []string{
		`CREATE OR REPLACE TEMP TABLE rule_hits (
			rule_id VARCHAR, pool_code VARCHAR, operator_code VARCHAR, activity_code VARCHAR, fiscal_year INTEGER,
			subject_kind VARCHAR, subject_ref VARCHAR, amount DECIMAL(18, 2), detail VARCHAR, severity VARCHAR)`,
		`CREATE OR REPLACE TEMP TABLE rule_catalogue (rule_id VARCHAR, clause VARCHAR, severity VARCHAR, threshold VARCHAR)`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("marts: %w", err)
		}
	}
	var catalogue []any
	for _, r := range Catalogue() {
		catalogue = append(catalogue, r.ID, "第"+r.Clause+"条「"+r.ClauseText+"」", r.Severity, r.Threshold(rules))
	}
	if err := sqlmodel.InsertRows(ctx, conn, "rule_catalogue", 4, catalogue); err != nil {
		return fmt.Errorf("marts: catalogue: %w", err)
	}
	return nil
}

// ErrNoCore is returned when the core tables the marts read are not in
// the warehouse: the transform has not run on it.
var ErrNoCore = errors.New("marts: the warehouse lacks the core tables the marts read: run the transform first")

// haveCore checks that the transform has built core on the warehouse, so
// that a marts run on one never transformed says so instead of DuckDB's
// "Table with name fact_audit does not exist".
func haveCore(ctx context.Context, conn *sql.Conn) error {
	var n int
	err := conn.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'core')
		+ (SELECT count(*) FROM duckdb_views() WHERE schema_name = 'core')`).Scan(&n)
	switch {
	case err != nil:
		return fmt.Errorf("marts: core tables: %w", err)
	case n == 0:
		return ErrNoCore
	}
	return nil
}
