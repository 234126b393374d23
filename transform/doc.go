// Package transform types, checks, de-duplicates and pseudonymises what
// extract put in raw, into the core star schema.
//
// In: raw.<entity> rows of the loads not yet transformed (ops.loads minus
// ops.transform_loads; all of them on a full rebuild). Out: core.v_<entity>
// (every accepted version of every record), the star schema built from them,
// ops.quarantine rows with a reason code for every refused record,
// ops.reconciliation rows (received = kept + quarantined + duplicates), and
// raw rows of members and staff whose personal data is replaced by
// pseudonyms.
//
// Each entity is one transaction, in an order that puts referenced
// entities first (Order): sql/new_loads.sql picks its loads,
// sql/stage_<entity>.sql types and checks them (one model a file, plain
// SQL over the macros of sql/macros.sql, which mirror internal/codes and
// internal/money), sql/settle.sql.tmpl — the same for every entity —
// quarantines, de-duplicates and keeps versions, sql/scrub_<entity>.sql
// replaces personal data in raw. Then the models of sql/core run in
// dependency order (internal/sqlmodel) and define the star schema over the
// versions: the small dimensions (dim_org, dim_pool, dim_date and the
// reference tables) and the three facts the marts read most
// (fact_contribution, fact_claim, fact_ledger_line: materialised once a
// night rather than re-evaluated by each of the dozens of mart models that
// read them) as tables, the rest as views, which always show the versions'
// current state and cost nothing to rebuild. Since versions only
// grow and the star schema is derived from them alone, a night transformed
// on top of the last equals a full rebuild.
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
// What the schema keeps of a person: pseudonyms (HMAC-SHA256 under the
// configured key, 32 hex digits) of the id number, name and phone, gender,
// birth date and year, an age band and the region of the id number.
package transform
