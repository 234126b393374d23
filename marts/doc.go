// Package marts builds the public mart tables (../shared/spec/marts.md) and
// the compliance findings from the core star schema.
//
// In: core.*. Out: mart.* — mart.fund_position (month-end balances by
// operator, activity and account), mart.investment_mix (where the money
// sits, allowed or not), mart.budget_execution, mart.fund_flow (Sankey
// edges that balance per activity and year), mart.risk_indicators (clause
// 十, monthly, green/yellow/red), mart.scorecard, the members' disclosure
// tables mart.disclosure_activity_year, mart.disclosure_operator_year and
// mart.disclosure_breakdown (no person in any row; cells under k
// suppressed with complementary suppression per margin, a suppressed
// activity-year without any of its money) and mart.compliance_findings — each rebuilt by a model of sql/*.sql run
// in dependency order by internal/sqlmodel, every row carrying the run's
// id; and the rule catalogue: the compliance rules R01–R19 of rules.md with
// the clause of 总工发〔2018〕28号 each enforces (in the clause's own words),
// what it checks, its severity and its threshold, whose value in force
// comes from the [rules] section of the config. Export writes every mart as
// Hive-partitioned Parquet with a Frictionless datapackage.json.
package marts
