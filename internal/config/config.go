// Package config reads the one TOML file that drives a huzhu run (the
// contract is in the product specification): where the warehouse and the
// outputs live, the DuckDB limits, the environment variable holding the
// pseudonymisation key, the operators' sources and the compliance-rule
// thresholds.
//
// What goes in is a file path; what comes out is a *Config with every
// default applied and every relative path made absolute against the folder
// of the file, or an error that wraps ErrInvalid (and is a *Error per
// problem) so that the command line can map it to exit code 2. Decoding is
// strict: a key the program does not know is an error, because a misspelt
// threshold silently falling back to its default is worse than a refusal.
package config

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"huzhu/contract"
	"huzhu/internal/money"
)

// ErrInvalid is wrapped by every error that means "the configuration is
// wrong" (as opposed to a failing run); the command line maps it to exit
// code 2. Test for it with errors.Is.
var ErrInvalid = errors.New("invalid configuration")

// Error is one problem with a configuration file. Load returns one *Error,
// or several joined with errors.Join; each wraps ErrInvalid.
type Error struct {
	// File is the configuration file as given to Load.
	File string
	// Line is the 1-based line of the problem, or 0 when the TOML decoder
	// does not say (it reports lines for syntax and type errors only).
	Line int
	// Where names the offending key or source, e.g. "rules.mgmt_fee_ratio"
	// or `source[2] (operator "91440100MA5XXXXXXX")`; empty for the file
	// as a whole.
	Where string
	// Msg says what is wrong.
	Msg string
}

// Error formats the problem as file[:line]: where: msg.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Where != "" {
		b.WriteString(": ")
		b.WriteString(e.Where)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns ErrInvalid, so errors.Is(err, ErrInvalid) holds.
func (e *Error) Unwrap() error { return ErrInvalid }

// Source kinds, the values of [[source]] kind.
const (
	KindFiles    = "files"
	KindHTTP     = "http"
	KindPostgres = "postgres"
)

// Defaults applied by Load to keys the file leaves out.
const (
	DefaultWarehouse   = "var/huzhu.duckdb"
	DefaultOut         = "out"
	DefaultMemoryLimit = "4GB"
	DefaultKeyEnv      = "HUZHU_PII_KEY"
)

// Config is the decoded configuration file. Paths are absolute after Load.
type Config struct {
	// Warehouse is the DuckDB file.
	Warehouse string `toml:"warehouse" json:"warehouse"`
	// Out is the folder that receives Parquet, reports, the site, run
	// manifests and metrics.
	Out string `toml:"out" json:"out"`
	// MemoryLimit is DuckDB's memory_limit, a number and a unit (B, KB, MB,
	// GB, TB, KiB, MiB, GiB, TiB), e.g. "4GB".
	MemoryLimit string `toml:"memory_limit" json:"memory_limit"`
	// Threads is DuckDB's threads setting; 0 keeps DuckDB's default (one
	// per core).
	Threads int `toml:"threads" json:"threads"`
	// Pseudonymise configures the HMAC pseudonymisation of personal data.
	Pseudonymise Pseudonymise `toml:"pseudonymise" json:"pseudonymise"`
	// Sources are the operators' systems to pull from, one per [[source]].
	Sources []Source `toml:"source" json:"sources"`
	// Rules are the compliance-rule thresholds of [rules].
	Rules Rules `toml:"rules" json:"rules"`
	// Site configures the member disclosure site ([site]).
	Site Site `toml:"site" json:"site"`
	// Gates are the nightly run's quality gates ([gates]).
	Gates Gates `toml:"gates" json:"gates"`
	// Alerts configures the run's webhook ([alerts]).
	Alerts Alerts `toml:"alerts" json:"alerts"`

	// file is the absolute path of the file this was loaded from.
	file string
}

// Pseudonymise is the [pseudonymise] table.
type Pseudonymise struct {
	// KeyEnv names the environment variable that holds the HMAC key. The
	// key itself never appears in the file.
	KeyEnv string `toml:"key_env" json:"key_env"`
}

// Site is the [site] table.
type Site struct {
	// SigningKeyEnv names the environment variable holding the Ed25519
	// private key that signs the site's manifest: the 32-byte seed in hex
	// (64 characters). The key itself never appears in the file.
	SigningKeyEnv string `toml:"signing_key_env" json:"signing_key_env"`
}

// Gates is the [gates] table: conditions of a run's data that stop the
// publish (fatal: exit 1, previous outputs stay) or that publish with a
// warning (exit 3).
type Gates struct {
	// MaxQuarantineShare is the largest share of an operator's rows
	// received in a run that may be quarantined; above it the run is not
	// published. 0 turns the gate off.
	MaxQuarantineShare float64 `toml:"max_quarantine_share" json:"max_quarantine_share"`
	// ReconciliationFatal stops the publish when any reconciliation of the
	// run has a difference (rows neither kept, quarantined nor counted as
	// duplicates, or operator-reported counts that differ).
	ReconciliationFatal bool `toml:"reconciliation_fatal" json:"reconciliation_fatal"`
	// FatalRules are rule ids (e.g. "R10", unbalanced vouchers) whose open
	// critical findings stop the publish.
	FatalRules []string `toml:"fatal_rules" json:"fatal_rules"`
	// MaxWarnings is the number of data-quality warnings (rows quarantined
	// in the run plus findings new in the run) above which a published run
	// exits 3. A negative value turns the gate off.
	MaxWarnings int `toml:"max_warnings" json:"max_warnings"`
	// FailedSourcesFatal stops the night when a source fails (an operator's
	// API down, its database unreachable). When false, a night in which
	// some sources failed and others pulled goes on and publishes with
	// warnings (exit 3): the failed operators' figures stay as their last
	// pull left them, and the next night resumes them from their
	// watermarks. A night in which every source failed stops either way.
	FailedSourcesFatal bool `toml:"failed_sources_fatal" json:"failed_sources_fatal"`
}

// DefaultGates are the gates of a config that does not set them.
func DefaultGates() Gates {
	return Gates{MaxQuarantineShare: 0.05, ReconciliationFatal: true, MaxWarnings: 1000, FailedSourcesFatal: true}
}

// Alerts is the [alerts] table.
type Alerts struct {
	// WebhookURL receives a JSON summary (POST) when a run fails and when
	// a run finds new critical findings; empty sends nothing.
	WebhookURL string `toml:"webhook_url" json:"webhook_url,omitempty"`
	// TokenEnv names an environment variable holding a bearer token for
	// the webhook; empty sends none.
	TokenEnv string `toml:"token_env" json:"token_env,omitempty"`
}

var (
	ruleIDRE = regexp.MustCompile(`^R[0-9]{2}$`)
	poolRE   = regexp.MustCompile(`^[A-Z][0-9A-Z]{1,15}$`)
)

// ForPool narrows the configuration to one pool's job: the sources of
// that pool, and a warehouse and out folder of its own (pools/<code>/
// beside the configured ones), so that pools run as independent jobs with
// independent locks. It fails when no source names the pool.
func (c *Config) ForPool(code string) (*Config, error) {
	if !poolRE.MatchString(code) {
		return nil, fmt.Errorf("pool %q is not a pool code such as \"C440100\": %w", code, ErrInvalid)
	}
	p := *c
	p.Sources = nil
	for _, s := range c.Sources {
		if s.Pool == code {
			p.Sources = append(p.Sources, s)
		}
	}
	if len(p.Sources) == 0 {
		return nil, fmt.Errorf("pool %s: no [[source]] has pool = %q: %w", code, code, ErrInvalid)
	}
	p.Warehouse = filepath.Join(filepath.Dir(c.Warehouse), "pools", code, filepath.Base(c.Warehouse))
	p.Out = PoolOut(c.Out, code)
	return &p, nil
}

// PoolOut is the out folder of one pool's job under the national out.
func PoolOut(out, code string) string { return filepath.Join(out, "pools", code) }

// DefaultSigningKeyEnv is the default of [site] signing_key_env.
const DefaultSigningKeyEnv = "HUZHU_SITE_KEY"

// Source is one [[source]]: an operator's system of one kind. Which of
// Path, URL and DSN is required depends on Kind; the others must be empty.
type Source struct {
	// Operator is the operator's unified social credit code (18 characters).
	Operator string `toml:"operator" json:"operator"`
	// Kind is KindFiles, KindHTTP or KindPostgres.
	Kind string `toml:"kind" json:"kind"`
	// Path is the drop folder of a files source (absolute after Load).
	Path string `toml:"path" json:"path,omitempty"`
	// URL is the base URL of an http source.
	URL string `toml:"url" json:"url,omitempty"`
	// TokenEnv names the environment variable holding an http source's
	// bearer token; empty means no token.
	TokenEnv string `toml:"token_env" json:"token_env,omitempty"`
	// DSN is the connection string of a postgres source. It may carry a
	// password; prefer a passfile or PG* environment variables.
	DSN string `toml:"dsn" json:"dsn,omitempty"`
	// Schema is the PostgreSQL schema of a postgres source; empty means the
	// server's search_path.
	Schema string `toml:"schema" json:"schema,omitempty"`
	// Pool is the risk pool the operator belongs to (e.g. "C440100"),
	// which `huzhu run --pool` selects sources by; optional otherwise.
	Pool string `toml:"pool" json:"pool,omitempty"`
}

// Rules holds the thresholds of the compliance rules (rules.md), each
// defaulting to the value in the rule catalogue. Ratios are fractions
// (0.08 = 8%), money is yuan.
type Rules struct {
	// MgmtFeeRatioMax is R04's ceiling on management expenses ÷
	// contribution income.
	MgmtFeeRatioMax float64 `toml:"mgmt_fee_ratio_max" json:"mgmt_fee_ratio_max"`
	// LargePaymentYuan is R07's amount from which a payment needs a
	// collective decision.
	LargePaymentYuan Yuan `toml:"large_payment_yuan" json:"large_payment_yuan"`
	// BudgetOverrunMax is R09's tolerated overrun of the adjusted budget.
	BudgetOverrunMax float64 `toml:"budget_overrun_max" json:"budget_overrun_max"`
	// ReserveRatioMin is R11's floor on reserve ÷ contribution income.
	ReserveRatioMin float64 `toml:"reserve_ratio_min" json:"reserve_ratio_min"`
	// PayoutBandLow is the lower end of R12's band for benefits paid ÷
	// contribution income.
	PayoutBandLow float64 `toml:"payout_band_low" json:"payout_band_low"`
	// PayoutBandHigh is the upper end of R12's band.
	PayoutBandHigh float64 `toml:"payout_band_high" json:"payout_band_high"`
	// BalanceYearsMax is R15's ceiling on net assets ÷ a year's benefits.
	BalanceYearsMax float64 `toml:"balance_years_max" json:"balance_years_max"`
	// BalanceYearsMin is R15's floor on the same ratio.
	BalanceYearsMin float64 `toml:"balance_years_min" json:"balance_years_min"`
	// MinMembers is R14's floor on active enrolled members of an activity.
	MinMembers int `toml:"min_members" json:"min_members"`
	// DepartureAuditDays is R16's limit between a leader's departure and
	// the departure audit.
	DepartureAuditDays int `toml:"departure_audit_days" json:"departure_audit_days"`
	// IncomeGapRatio is R03's tolerated relative gap between realised
	// investment income and income booked.
	IncomeGapRatio float64 `toml:"income_gap_ratio" json:"income_gap_ratio"`
	// IncomeGapYuan is R03's tolerated absolute gap, in yuan.
	IncomeGapYuan Yuan `toml:"income_gap_yuan" json:"income_gap_yuan"`
	// VoucherImbalanceYuan is R10's tolerated difference between a
	// voucher's debits and credits (rules.md: 0.00, none).
	VoucherImbalanceYuan Yuan `toml:"voucher_imbalance_yuan" json:"voucher_imbalance_yuan"`
	// KAnonymity is the smallest count a disclosure cell may show (marts.md).
	KAnonymity int `toml:"k_anonymity" json:"k_anonymity"`
	// AllowedInstruments is R01's allow-list: the review bonds
	// (contract.ReviewInstruments: policy_bank_bond, local_gov_bond) a
	// federation has reviewed and allows beside deposits and treasury
	// bonds, which R01 then does not report and the investment mix counts
	// as allowed. Nothing else can be listed: clause 十二 forbids it.
	AllowedInstruments []string `toml:"allowed_instruments" json:"allowed_instruments"`
	// Risk are the bands of the risk indicators ([rules.risk]).
	Risk RiskBands `toml:"risk" json:"risk"`
}

// RiskBands are the yellow and red bands of the risk indicators (rules.md,
// "Risk indicators": "levels green / yellow / red from configured bands"),
// as [rules.risk] sets them. A value beyond its red band is red, else
// beyond its yellow band yellow, else green; exactly at a band is not
// beyond it. Solvency, liquidity and the collection drop are bad when low
// (below the band), the loss ratio, days to pay and concentration when
// high, the claim-frequency z-score when far from 0 either way.
type RiskBands struct {
	// SolvencyYellow and SolvencyRed: net assets ÷ the next 12 months'
	// expected benefits (the trailing 12 months').
	SolvencyYellow float64 `toml:"solvency_yellow" json:"solvency_yellow"`
	SolvencyRed    float64 `toml:"solvency_red" json:"solvency_red"`
	// LiquidityYellow and LiquidityRed: deposits at hand within 90 days ÷
	// the trailing 3 months' benefits.
	LiquidityYellow float64 `toml:"liquidity_yellow" json:"liquidity_yellow"`
	LiquidityRed    float64 `toml:"liquidity_red" json:"liquidity_red"`
	// LossRatioYellow and LossRatioRed: trailing 12 months' benefits ÷
	// contributions.
	LossRatioYellow float64 `toml:"loss_ratio_yellow" json:"loss_ratio_yellow"`
	LossRatioRed    float64 `toml:"loss_ratio_red" json:"loss_ratio_red"`
	// ClaimFrequencyYellow and ClaimFrequencyRed: the month's claims as a
	// robust z-score against the 12 months before, either way.
	ClaimFrequencyYellow float64 `toml:"claim_frequency_yellow" json:"claim_frequency_yellow"`
	ClaimFrequencyRed    float64 `toml:"claim_frequency_red" json:"claim_frequency_red"`
	// PaymentDaysYellow and PaymentDaysRed: median days from decision to
	// payment.
	PaymentDaysYellow float64 `toml:"payment_days_yellow" json:"payment_days_yellow"`
	PaymentDaysRed    float64 `toml:"payment_days_red" json:"payment_days_red"`
	// ConcentrationYellow and ConcentrationRed: the largest diagnosis
	// group's share of benefits.
	ConcentrationYellow float64 `toml:"concentration_yellow" json:"concentration_yellow"`
	ConcentrationRed    float64 `toml:"concentration_red" json:"concentration_red"`
	// CollectionDropYellow and CollectionDropRed: contributions of the
	// trailing 12 months ÷ the 12 before, less 1.
	CollectionDropYellow float64 `toml:"collection_drop_yellow" json:"collection_drop_yellow"`
	CollectionDropRed    float64 `toml:"collection_drop_red" json:"collection_drop_red"`
}

// DefaultRiskBands are the bands in force without [rules.risk].
func DefaultRiskBands() RiskBands {
	return RiskBands{
		// Solvency red below R15's floor on net assets (balance_years_min,
		// 0.25 of a year's benefits), yellow below twice that: at 1.5/1.0
		// (until session 10) most activities of a sound fund were red, as
		// an activity whose receipts arrive once a year holds less than a
		// year of benefits most of the year, and the warning said nothing.
		SolvencyYellow: 0.5, SolvencyRed: 0.25,
		LiquidityYellow: 2.0, LiquidityRed: 1.0,
		LossRatioYellow: 0.9, LossRatioRed: 1.1,
		ClaimFrequencyYellow: 2.0, ClaimFrequencyRed: 3.5,
		PaymentDaysYellow: 15, PaymentDaysRed: 30,
		ConcentrationYellow: 0.5, ConcentrationRed: 0.7,
		CollectionDropYellow: -0.1, CollectionDropRed: -0.3,
	}
}

// RiskBand is one indicator's bands, as the marts use them.
type RiskBand struct {
	Indicator string  `json:"indicator"` // as mart.risk_indicators names it
	Key       string  `json:"-"`         // its keys in [rules.risk]: <Key>_yellow, <Key>_red
	Yellow    float64 `json:"yellow"`
	Red       float64 `json:"red"`
	Direction string  `json:"bad_when"` // low, high or abs (far from 0): which side is bad
}

// Bands lists the indicators' bands in rules.md's order.
func (b RiskBands) Bands() []RiskBand {
	return []RiskBand{
		{"solvency", "solvency", b.SolvencyYellow, b.SolvencyRed, "low"},
		{"liquidity", "liquidity", b.LiquidityYellow, b.LiquidityRed, "low"},
		{"loss_ratio", "loss_ratio", b.LossRatioYellow, b.LossRatioRed, "high"},
		{"claim_frequency_anomaly", "claim_frequency", b.ClaimFrequencyYellow, b.ClaimFrequencyRed, "abs"},
		{"payment_timeliness", "payment_days", b.PaymentDaysYellow, b.PaymentDaysRed, "high"},
		{"concentration", "concentration", b.ConcentrationYellow, b.ConcentrationRed, "high"},
		{"collection_drop", "collection_drop", b.CollectionDropYellow, b.CollectionDropRed, "low"},
	}
}

// check returns the bands that cannot be meant: a red band on the good side
// of its yellow one, a negative band of an indicator that cannot be
// negative (all but the collection drop), a positive collection drop band.
func (b RiskBands) check(name string) []error {
	var errs []error
	bad := func(r RiskBand, which, format string, args ...any) {
		errs = append(errs, &Error{File: name, Where: "rules.risk." + r.Key + "_" + which, Msg: fmt.Sprintf(format, args...)})
	}
	for _, r := range b.Bands() {
		switch {
		case r.Direction == "low" && r.Red > r.Yellow:
			bad(r, "red", "%v is above the yellow band %v: a low value is the bad one", r.Red, r.Yellow)
		case r.Direction != "low" && r.Red < r.Yellow:
			bad(r, "red", "%v is below the yellow band %v: a high value is the bad one", r.Red, r.Yellow)
		}
		drop := r.Indicator == "collection_drop"
		switch {
		case drop && (r.Yellow > 0 || r.Red > 0):
			bad(r, "yellow", "a drop is below 0")
		case !drop && (r.Yellow < 0 || r.Red < 0):
			bad(r, "yellow", "a band is negative")
		}
	}
	return errs
}

// DefaultRules returns the thresholds of the rule catalogue.
func DefaultRules() Rules {
	return Rules{
		MgmtFeeRatioMax:    0.08,
		LargePaymentYuan:   Yuan(money.Yuan(500000)),
		BudgetOverrunMax:   0.10,
		ReserveRatioMin:    0.05,
		PayoutBandLow:      0.50,
		PayoutBandHigh:     1.00,
		BalanceYearsMax:    2.0,
		BalanceYearsMin:    0.25,
		MinMembers:         1000,
		DepartureAuditDays: 180,
		IncomeGapRatio:     0.01,
		IncomeGapYuan:      Yuan(money.Yuan(1000)),
		KAnonymity:         10,
		Risk:               DefaultRiskBands(),
	}
}

// Default returns a configuration with every default and no sources, with
// paths still relative.
func Default() Config {
	return Config{
		Warehouse:    DefaultWarehouse,
		Out:          DefaultOut,
		MemoryLimit:  DefaultMemoryLimit,
		Pseudonymise: Pseudonymise{KeyEnv: DefaultKeyEnv},
		Rules:        DefaultRules(),
		Site:         Site{SigningKeyEnv: DefaultSigningKeyEnv},
		Gates:        DefaultGates(),
	}
}

// File returns the absolute path of the file the configuration was loaded
// from, or "" for one built in code.
func (c *Config) File() string { return c.file }

// Load reads, decodes, completes and checks the configuration file at path.
// Relative paths in it (warehouse, out, a files source's path) are taken
// relative to the folder of the file, not the working directory, so that a
// cron job and a person in another folder see the same warehouse. Every
// problem found is reported, each as a *Error wrapping ErrInvalid, and so
// is a path that cannot be read as a file (none, a folder, no permission).
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, &Error{File: path, Msg: "no such file"}
		}
		// A folder, a file it may not read: the config given is wrong.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, &Error{File: path, Msg: pe.Err.Error()}
		}
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	c, err := parse(path, string(data))
	if err != nil {
		return nil, err
	}
	c.file = abs
	c.resolve(filepath.Dir(abs))
	return c, nil
}

// parse decodes and checks text; name is used in errors. Paths stay as
// written.
func parse(name, text string) (*Config, error) {
	c := Default()
	md, err := toml.Decode(text, &c)
	if err != nil {
		return nil, decodeError(name, err)
	}
	var errs []error
	for _, k := range undecoded(md) {
		errs = append(errs, &Error{File: name, Where: k, Msg: "unknown key"})
	}
	errs = append(errs, c.check(name)...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &c, nil
}

// decodeError turns a TOML syntax or type error into an *Error with its line.
func decodeError(name string, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		// A value Yuan refused comes with its key (the decoder keeps only
		// the text of the error); a syntax error with the key before it,
		// if any, which is not where the error is.
		where := ""
		if strings.Contains(pe.Message, notYuan) {
			where = pe.LastKey
		}
		return &Error{File: name, Line: pe.Position.Line, Where: where, Msg: pe.Message}
	}
	// Type mismatches come back as plain errors: take the line and key
	// out of their text.
	if m := decodeErrorRE.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: name, Line: line, Where: m[2], Msg: m[3]}
	}
	return &Error{File: name, Msg: strings.TrimPrefix(err.Error(), "toml: ")}
}

// decodeErrorRE matches the text of the decoder's type errors,
// `toml: line 3 (last key "threads"): incompatible types: ...`.
var decodeErrorRE = regexp.MustCompile(`^toml: line ([0-9]+) \(last key "([^"]*)"\): (.*)$`)

// undecoded lists the keys the decoder did not place, naming the [[source]]
// they sit in by index (the decoder's keys do not carry it: it is counted
// from the order of the keys, where each [[source]] header appears once).
func undecoded(md toml.MetaData) []string {
	left := make(map[string]bool)
	for _, k := range md.Undecoded() {
		left[k.String()] = true
	}
	if len(left) == 0 {
		return nil
	}
	var out []string
	src := -1
	for _, k := range md.Keys() {
		if len(k) == 1 && k[0] == "source" {
			src++
		}
		if !left[k.String()] {
			continue
		}
		if k[0] == "source" && src >= 0 && len(k) > 1 {
			out = append(out, fmt.Sprintf("source[%d].%s", src, k[1:].String()))
		} else {
			out = append(out, k.String())
		}
	}
	return out
}

// memoryLimitRE is the subset of DuckDB's memory_limit syntax accepted here:
// a number and one of the units its error message lists. Checking it here
// makes a typo exit 2 (bad config) instead of failing the run.
var memoryLimitRE = regexp.MustCompile(`(?i)^[0-9]+(\.[0-9]+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$`)

// operatorRE is the shape of a unified social credit code: 18 characters
// of digits and capital letters. The check character is not verified here
// (extract does that on the data); placeholder codes in examples would fail it.
var operatorRE = regexp.MustCompile(`^[0-9A-Z]{18}$`)

// check returns every problem of a decoded configuration.
func (c *Config) check(name string) []error {
	var errs []error
	bad := func(where, format string, args ...any) {
		errs = append(errs, &Error{File: name, Where: where, Msg: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(c.Warehouse) == "" {
		bad("warehouse", "must not be empty")
	}
	if strings.TrimSpace(c.Out) == "" {
		bad("out", "must not be empty")
	}
	if !memoryLimitRE.MatchString(c.MemoryLimit) {
		bad("memory_limit", "%q is not a size such as \"4GB\" or \"512MiB\"", c.MemoryLimit)
	}
	if c.Threads < 0 {
		bad("threads", "%d is negative (0 means DuckDB's default)", c.Threads)
	}
	if strings.TrimSpace(c.Pseudonymise.KeyEnv) == "" {
		bad("pseudonymise.key_env", "must name an environment variable")
	}
	if strings.TrimSpace(c.Site.SigningKeyEnv) == "" {
		bad("site.signing_key_env", "must name an environment variable")
	}
	if c.Gates.MaxQuarantineShare < 0 || c.Gates.MaxQuarantineShare > 1 {
		bad("gates.max_quarantine_share", "%v is not a share between 0 and 1", c.Gates.MaxQuarantineShare)
	}
	if c.Gates.MaxWarnings < -1 {
		bad("gates.max_warnings", "%d: want a count, or -1 for no limit", c.Gates.MaxWarnings)
	}
	for i, r := range c.Gates.FatalRules {
		if !ruleIDRE.MatchString(r) {
			bad(fmt.Sprintf("gates.fatal_rules[%d]", i), "%q is not a rule id such as \"R10\"", r)
		}
	}
	if u := c.Alerts.WebhookURL; u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		bad("alerts.webhook_url", "%q is not an http(s) URL", u)
	}
	errs = append(errs, c.Rules.check(name)...)

	type key struct{ operator, kind string }
	seen := make(map[key]int)
	for i, s := range c.Sources {
		where := fmt.Sprintf("source[%d]", i)
		if s.Operator != "" {
			where += fmt.Sprintf(" (operator %q)", s.Operator)
		}
		if !operatorRE.MatchString(s.Operator) {
			bad(where, "operator must be an 18-character unified social credit code of digits and capital letters")
		}
		// Fields a kind does not use are an error: a files source with a
		// url is a half-edited entry, not something to ignore.
		unused := func(field, value string) {
			if value != "" {
				bad(where, "%s is not used by kind %q", field, s.Kind)
			}
		}
		switch s.Kind {
		case KindFiles:
			if s.Path == "" {
				bad(where, "kind \"files\" needs path")
			}
			unused("url", s.URL)
			unused("token_env", s.TokenEnv)
			unused("dsn", s.DSN)
			unused("schema", s.Schema)
		case KindHTTP:
			if s.URL == "" {
				bad(where, "kind \"http\" needs url")
			} else if u, err := url.Parse(s.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				bad(where, "url %q is not an http:// or https:// URL", s.URL)
			}
			unused("path", s.Path)
			unused("dsn", s.DSN)
			unused("schema", s.Schema)
		case KindPostgres:
			if s.DSN == "" {
				bad(where, "kind \"postgres\" needs dsn")
			}
			unused("path", s.Path)
			unused("url", s.URL)
			unused("token_env", s.TokenEnv)
		case "":
			bad(where, "kind is missing (want files, http or postgres)")
		default:
			bad(where, "kind %q unknown (want files, http or postgres)", s.Kind)
		}
		if s.Pool != "" && !poolRE.MatchString(s.Pool) {
			bad(where, "pool %q is not a pool code such as \"C440100\" or \"P330000\"", s.Pool)
		}
		k := key{s.Operator, s.Kind}
		if j, dup := seen[k]; dup {
			bad(where, "same operator and kind as source[%d]", j)
		} else {
			seen[k] = i
		}
	}
	return errs
}

// check returns the thresholds that cannot be meant: negative values and
// an inverted payout band.
func (r Rules) check(name string) []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, &Error{File: name, Where: "rules." + key, Msg: fmt.Sprintf(format, args...)})
	}
	for _, f := range []struct {
		key      string
		negative bool
		v        any // shown as it is read back: 0.08, -1.00 (a Yuan)
	}{
		{"mgmt_fee_ratio_max", r.MgmtFeeRatioMax < 0, r.MgmtFeeRatioMax},
		{"large_payment_yuan", r.LargePaymentYuan < 0, r.LargePaymentYuan},
		{"budget_overrun_max", r.BudgetOverrunMax < 0, r.BudgetOverrunMax},
		{"reserve_ratio_min", r.ReserveRatioMin < 0, r.ReserveRatioMin},
		{"payout_band_low", r.PayoutBandLow < 0, r.PayoutBandLow},
		{"payout_band_high", r.PayoutBandHigh < 0, r.PayoutBandHigh},
		{"balance_years_max", r.BalanceYearsMax < 0, r.BalanceYearsMax},
		{"balance_years_min", r.BalanceYearsMin < 0, r.BalanceYearsMin},
		{"min_members", r.MinMembers < 0, r.MinMembers},
		{"departure_audit_days", r.DepartureAuditDays < 0, r.DepartureAuditDays},
		{"income_gap_ratio", r.IncomeGapRatio < 0, r.IncomeGapRatio},
		{"income_gap_yuan", r.IncomeGapYuan < 0, r.IncomeGapYuan},
		{"voucher_imbalance_yuan", r.VoucherImbalanceYuan < 0, r.VoucherImbalanceYuan},
		{"k_anonymity", r.KAnonymity < 0, r.KAnonymity},
	} {
		if f.negative {
			bad(f.key, "%v is negative", f.v)
		}
	}
	if r.PayoutBandLow > r.PayoutBandHigh {
		bad("payout_band_low", "%v is above payout_band_high %v", r.PayoutBandLow, r.PayoutBandHigh)
	}
	if r.BalanceYearsMin > r.BalanceYearsMax {
		bad("balance_years_min", "%v is above balance_years_max %v", r.BalanceYearsMin, r.BalanceYearsMax)
	}
	if r.KAnonymity < 1 {
		bad("k_anonymity", "%d is below 1", r.KAnonymity)
	}
	for _, in := range r.AllowedInstruments {
		if !slices.Contains(contract.ReviewInstruments, in) {
			bad("allowed_instruments", "%q cannot be allowed: only %s can (deposits and treasury bonds always are; clause 十二 forbids the rest)",
				in, strings.Join(contract.ReviewInstruments, " and "))
		}
	}
	return append(errs, r.Risk.check(name)...)
}

// resolve makes the relative paths absolute against dir.
func (c *Config) resolve(dir string) {
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	c.Warehouse = abs(c.Warehouse)
	c.Out = abs(c.Out)
	for i := range c.Sources {
		c.Sources[i].Path = abs(c.Sources[i].Path)
	}
}

// Hash returns the hex SHA-256 of a canonical encoding of the configuration
// (JSON of the struct: fields in declaration order, sources in file order),
// recorded in ops.runs.config_hash so that two runs can be told to have
// used the same settings. It covers the values in force, not the file's
// text: comments and key order do not change it, a default written out
// explicitly does not either, and the absolute paths do. Secrets are not in
// it because the file only names the variables that hold them.
func (c *Config) Hash() string {
	b, err := json.Marshal(c)
	if err != nil {
		// Only strings, numbers and slices of structs: cannot fail.
		panic("config: hash: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// MinPIIKeyLen is the shortest pseudonymisation key PIIKey accepts: a short
// HMAC key can be brute-forced, and then every pseudonym is reversible by
// enumerating identity numbers.
const MinPIIKeyLen = 16

// PIIKey returns the pseudonymisation key from the environment variable
// named by Pseudonymise.KeyEnv. A missing or empty variable is an error
// wrapping ErrInvalid: a run refuses to start without the key rather than
// publish unpseudonymised or unstable pseudonyms. The key is never part of
// an error. A key shorter than MinPIIKeyLen bytes is refused as well.
func (c *Config) PIIKey() ([]byte, error) {
	name := c.Pseudonymise.KeyEnv
	v, ok := os.LookupEnv(name)
	switch {
	case !ok:
		return nil, fmt.Errorf("pseudonymisation key: environment variable %s is not set; a run refuses to start without it: %w", name, ErrInvalid)
	case v == "":
		return nil, fmt.Errorf("pseudonymisation key: environment variable %s is empty; a run refuses to start without it: %w", name, ErrInvalid)
	case len(v) < MinPIIKeyLen:
		return nil, fmt.Errorf("pseudonymisation key: environment variable %s holds %d bytes, want at least %d; a run refuses to start with a guessable key: %w", name, len(v), MinPIIKeyLen, ErrInvalid)
	case distinctBytes(v) < minPIIKeyBytes:
		return nil, fmt.Errorf("pseudonymisation key: environment variable %s repeats fewer than %d different characters; a run refuses to start with a guessable key: %w", name, minPIIKeyBytes, ErrInvalid)
	}
	return []byte(v), nil
}

// minPIIKeyBytes is how many different bytes a key must have: one of
// sixteen A's is as long as a good key, and none the better for it.
const minPIIKeyBytes = 5

func distinctBytes(s string) int {
	var seen [256]bool
	n := 0
	for i := 0; i < len(s); i++ {
		if !seen[s[i]] {
			seen[s[i]] = true
			n++
		}
	}
	return n
}
