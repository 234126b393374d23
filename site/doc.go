// Package site builds the members' disclosure site (信息公开, clauses 二,
// 十二, 十四 of 总工发〔2018〕28号): a static folder of zh-Hans pages that
// works from file:// and any static host, signed so that anyone holding the
// public key can check a copy.
//
// In: the aggregate marts (mart.disclosure_activity_year,
// mart.disclosure_operator_year, mart.disclosure_breakdown, mart.investment_mix, mart.budget_execution,
// mart.scorecard, counts of mart.compliance_findings by rule and severity)
// and the names of core.dim_org, core.dim_pool and core.dim_activity, read
// by one load step (sql/*.sql) into plain Go structs (Data). Out: a folder
// with index.html, one page per pool, operator and activity, a methodology
// page, every table as CSV and JSON under data/, the whole published data
// set as a Frictionless data package (data/package/), a search index, the
// ECharts runtime copied from the pinned npm package, and manifest.json
// (sha256 of every file) with manifest.sig (Ed25519).
//
// Scale: no page grows with the number of pools or operators (paging.go).
// Up to homeListMax (60) operators and pools the home page lists every pool
// and operator and charts contributions pool by pool. Beyond that (a
// national deployment: hundreds of pools, thousands of operators) it sums
// by province instead — the first two digits of a pool's region code,
// national pools and pools without a code in a group of their own — one
// table row and chart category a province, linking to the province's
// listing of pools, and sends a reader looking for one operator to the
// search box. A province's listing (province/<code>.html) shows its pools
// with their operators and contributions, poolsPerPage (40) to a page
// (province/<code>-page-2.html, …); a pool's page lists its operators,
// opsPerPage (100) to a page (pool/<code>-page-2.html, …), and charts each
// operator's history up to poolSeriesMax (20) operators, the pool's totals
// beyond. Pages of a listing are in code order, carry a pager and their
// own downloads (<table>-page-N); operator and activity pages lead back
// through province and pool. The search index lists every province, pool,
// operator and activity; the search script loads it on first use, as it
// outweighs a page at national scale.
//
// Privacy is checked, not assumed: every file is scanned before it is
// written, and the build fails on anything shaped like a member pseudonym,
// an id number, a mobile number or one of the warehouse's staff ids
// (gate.go). Cells under k show as "<k".
package site
