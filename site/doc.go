// Package site builds the members' disclosure site (信息公开, clauses 二,
// 十二, 十四 of 总工发〔2018〕28号): a static folder of zh-Hans pages that
// works from file:// and any static host, signed so that anyone holding the
// public key can check a copy.
//
// In: the aggregate marts (mart.disclosure_activity_year,
// mart.disclosure_breakdown, mart.investment_mix, mart.budget_execution,
// mart.scorecard, counts of mart.compliance_findings by rule and severity)
// and the names of core.dim_org, core.dim_pool and core.dim_activity, read
// by one load step (sql/*.sql) into plain Go structs (Data). Out: a folder
// with index.html, one page per pool, operator and activity, a methodology
// page, every table as CSV and JSON under data/, the whole published data
// set as a Frictionless data package (data/package/), a search index, the
// ECharts runtime copied from the pinned npm package, and manifest.json
// (sha256 of every file) with manifest.sig (Ed25519).
//
// Privacy is checked, not assumed: every file is scanned before it is
// written, and the build fails on anything shaped like a member pseudonym,
// an id number, a mobile number or one of the warehouse's staff ids
// (gate.go). Cells under k show as "<k".
package site
