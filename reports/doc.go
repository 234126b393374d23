// Package reports writes the supervisor reports (监管报告): for every
// supervising federation, the budget-execution review (预算执行情况审查),
// the fund-flow analysis (资金流向分析) and the compliance and risk
// warnings (合规与风险预警) of the operators it supervises and the risk
// warnings of their pools (统筹风险预警), as HTML pages
// with go-echarts charts and, for every table on a page, an XLSX workbook
// with the same figures.
//
// In: the mart tables (mart.budget_execution, mart.fund_flow,
// mart.investment_mix, mart.compliance_findings,
// mart.finding_voucher_lines, mart.finding_claims, mart.finding_holdings,
// mart.finding_assistance, mart.finding_departures, mart.audits,
// mart.risk_indicators, mart.scorecard) and the names in core.dim_org and
// core.dim_activity — nothing personal; the queries are sql/*.sql. Out: a
// folder per jurisdiction under the directory given to Write (clauses 五
// and 十: each level sees what it supervises, and only that):
//
//	national/                 every operator
//	province-<code>/          the operators of one province, code = the first two
//	                          digits of the pool (or region) + "0000": province-440000
//	pool-<code>/              the operator(s) of one city pool: pool-C440100
//
// A provincial-pool operator appears under national and its province; a
// city-pool operator under national, its province and its pool. Each folder
// stands alone, so that a federation can be sent only its own:
//
//	index.html                links to everything
//	compare.html/.xlsx        the operators side by side: scorecard, ranks, budget totals
//	risk.html/.xlsx           the pool-level risk warnings of its pools (统筹风险预警):
//	                          each pool fund's indicators, levels and trends
//	<operator>/budget.html/.xlsx, flow.html/.xlsx, compliance.html/.xlsx,
//	          vouchers.html/.xlsx (the vouchers its findings name, line by
//	          line: the drill-down from a finding to its voucher),
//	          claims.html/.xlsx, holdings.html/.xlsx and assistance.html/.xlsx
//	          (the claims, holdings and assistance items its findings
//	          name, likewise), audits.html/.xlsx (the departures and years
//	          without an annual audit its findings name, and every audit)
//	assets/echarts.min.js     the pinned ECharts runtime (npm echarts, internal/webassets)
//	assets/report.css         screen and A4 print styles
//
// Pages work from file:// and fetch nothing outside their folder. Output is
// deterministic: fixed chart ids, no clock (the dates shown are the data's
// as-of), workbooks stamped with a fixed time, so two runs on the same
// warehouse write the same bytes. Money is money.Cents throughout (read as
// DECIMAL text, written to XLSX as the exact decimal with #,##0.00).
package reports
