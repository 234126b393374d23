// Package transform types, checks, de-duplicates and pseudonymises what
// extract put in raw, into the core star schema.
//
// In: raw.<entity> rows of the loads not yet transformed (ops.loads minus
// ops.transform_loads; all of them on a full rebuild). Out: core.v_<entity>
// (every accepted version of every record, with the load it came in),
// core.k_<entity> (the keys of refused records: with the versions' keys,
// every key sent, which references resolve against through the temp view
// known_<entity>), the star schema built from the versions,
// ops.quarantine rows with a reason code for every refused record,
// ops.reconciliation rows (received = kept + quarantined + duplicates), and
// raw rows of members and staff whose personal data is replaced by
// pseudonyms.
//
// Each entity is one transaction, in an order that puts referenced
// entities first (Order), two at a time on two connections, each once the
// entities its stage model reads are done (schedule.go):
// sql/new_loads.sql picks its loads,
// sql/stage_<entity>.sql types and checks them (one model a file, plain
// SQL over the macros of sql/macros.sql, which mirror internal/codes and
// internal/money), sql/settle.sql.tmpl — the same for every entity —
// quarantines, de-duplicates and keeps versions, sql/scrub_<entity>.sql
// replaces personal data in raw. A stage row names its raw row by rowid
// (raw_row), through which the settle step reads the position and record
// of the few rows it quarantines. On a first build of a large entity
// (core holds no versions table of it yet: a first load, --full) the
// stage model writes core.v_<entity> itself (fuseStage,
// sql/fuse_stage.sql.tmpl), not a temp table that settle then copies:
// sql/settle_fused.sql.tmpl deletes the refused rows and the later rows
// of a position sent more than once, and the stage's own columns are
// dropped after the commit. An entity whose new loads hold no row (most
// entities on most nights) is only reconciled (sql/settle_empty.sql).
// Then the models of sql/core run in dependency order (internal/sqlmodel)
// and define the star schema over the versions: the small dimensions
// (dim_org, dim_pool, dim_date and the reference tables) and views over
// the versions, which always show their current state and cost nothing to
// rebuild. The three facts the marts read most (fact_contribution,
// fact_claim, fact_ledger_line) and the members behind dim_member
// (member_current) are views too, rendered from sql/current_fact.sql.tmpl,
// of the versions whose valid_to is null: the versions of those four
// entities carry valid_to (the next version's updated_at, SCD2), set the
// first time for every version, then each night for the records with a
// new version only (which waits in core.p_<entity>, filled by the settle
// step); the views join the operator's current pool (dim_org). A version
// keeps one operator column, source_operator, which the views call
// operator_code: the record's own operator_code, which its checks hold
// equal to it, is not written twice. Beside fact_contribution,
// sql/core/agg_contribution.sql keeps the receipts summed per month
// (agg_contribution_month) and the members counted per activity and year
// (agg_enrolled_year), moved by each night's change, so that the marts
// that sum receipts or count members need not read every receipt. Since
// versions only grow and the star schema is derived from them alone, a
// night transformed on top of the last equals a full rebuild (tested over
// five nights, and the aggregates through refunds, moved receipts and pool
// changes). --full and --since drop what is kept night by night.
//
// Two checks run in Go as DuckDB scalar functions, which the macros
// call: the pseudonyms' HMAC (hz_hmac, with the run's key: pseudo.go) and
// the citizen-id check (hz_valid_id: checks.go).
//
// Instants are TIMESTAMPTZ; their day is the day in Beijing, taken by
// beijing_day (sql/macros.sql: arithmetic on the epoch, UTC+8), never
// through the session's time zone, which differs from machine to machine.
//
// # The star schema (schema core)
//
// Money is DECIMAL(18,2), dates DATE, instants TIMESTAMPTZ. Keys are the
// contract's natural keys within an operator (operator_code first).
//
//	dimension          grain                                         history
//	dim_region         GB/T 2260 code (the table huzhu ships)        —
//	dim_account        account code of the chart                     —
//	dim_date           day, 2000–2040                                —
//	dim_org            organisation version                          SCD2: valid_from, valid_to, is_current
//	dim_pool           risk pool (N…, P…, C…)                         current
//	dim_activity       operator × activity version                   SCD2
//	dim_member         operator × member_ref (pseudonymous)          current
//	dim_staff          operator × staff × role × start version       SCD2
//	dim_bank_account   operator × account_no                         current
//
//	fact               grain                                         source
//	fact_contribution  receipt (an enrolment payment or a refund)    enrollments
//	fact_claim         claim, current state                          claims
//	fact_claim_status  claim × status version                        claims (SCD2)
//	fact_ledger_line   voucher line                                  ledger_entries
//	fact_holding       holding × month end                           investments
//	fact_budget_line   activity × year × line × version              budgets
//	fact_decision      collective decision                           decisions
//	fact_audit         audit                                         audits
//	fact_assistance    assistance item                               assistance
//
//	aggregate               grain                                    kept from
//	agg_contribution_month  operator × activity × month paid ×       fact_contribution
//	                        period years × refund or not
//	agg_enrolled_year       operator × activity × year               fact_contribution
//
// What the schema keeps of a person: pseudonyms (HMAC-SHA256 under the
// configured key, 32 hex digits) of the id number, name and phone, gender,
// birth date and year, an age band and the region of the id number.
package transform
