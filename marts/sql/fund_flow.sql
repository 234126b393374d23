-- model: mart.fund_flow
-- depends: core.fact_ledger_line, core.dim_account
-- The edges of a Sankey of each activity's fund, per fiscal year, operator
-- and activity (NULL: the organisation-level lines, which form their own
-- "activity"). Every edge goes into or out of the node 'fund':
--
--   into 'fund' (source_node → 'fund'):
--     '<code> <name>'           one per income account 4xxx with lines in
--                               the year (4101 always for an activity): its
--                               net credit in the year, e.g. '4101 互助金收入';
--     'balance brought forward' net assets excluding the reserve at the end
--                               of the previous year;
--     'capital'                 the year's net credit to 3xxx (a transfer
--                               3101 → 3102 nets out; the opening balances
--                               of the first day are brought forward, see
--                               lines below), when not zero;
--   out of 'fund' ('fund' → target_node):
--     '<code> <name>'           one per expense account 5xxx with lines in
--                               the year (5101 always for an activity): its
--                               net debit in the year, e.g. '5101 互助金给付';
--     'reserve'                 the year's net credit to 3102 (what the year
--                               set aside, not the opening reserve), when
--                               not zero;
--     'balance carried forward' net assets excluding the reserve at the end
--                               of the year — for the current year, at the
--                               data's as-of (the operator's last posting).
--
-- Net assets as in rules.md: Σ credit − Σ debit over the 3xxx, 4xxx and
-- 5xxx lines up to the date; excluding the reserve: less the credit
-- balance of 3102. Years run from the activity's first posting to the
-- operator's last. So Σ into 'fund' = Σ out of 'fund' exactly, per
-- activity and year (DECIMAL). Amounts are signed: a deficit brought or
-- carried forward, or an account whose reversals exceed its postings, is a
-- negative edge in its usual direction. account_code names the account of
-- an account edge (NULL for the others).
CREATE OR REPLACE TABLE mart.fund_flow AS
WITH posted AS (
    SELECT operator_code, coalesce(activity_code, '') AS act, pool_code, posted_on,
        account_code, credit - debit AS net_credit,
        min(posted_on) OVER (PARTITION BY operator_code, coalesce(activity_code, '')) AS first_posting
    FROM core.fact_ledger_line
    WHERE left(account_code, 1) IN ('3', '4', '5')
), lines AS (
    -- The 3xxx lines of a subject's first day are its opening balances
    -- (期初余额, e.g. a voucher 期初余额结转 crediting 3101 and 3102): they
    -- count as of the year before, so that they reach the first year as
    -- the balance brought forward (and the reserve's opening as no flow),
    -- not as income of the first year.
    SELECT operator_code, act, pool_code, account_code, net_credit, year(posted_on) AS posted_year,
        year(posted_on) - CASE WHEN left(account_code, 1) = '3' AND posted_on = first_posting THEN 1 ELSE 0 END AS fiscal_year
    FROM posted
), op_end AS (
    SELECT operator_code, year(max(posted_on)) AS y1
    FROM core.fact_ledger_line
    GROUP BY operator_code
), subjects AS (
    SELECT operator_code, act, any_value(pool_code) AS pool_code, min(posted_year) AS y0
    FROM lines
    GROUP BY ALL
), years AS (
    SELECT s.operator_code, s.act, s.pool_code, unnest(range(s.y0, e.y1 + 1)) AS fiscal_year
    FROM subjects AS s
    JOIN op_end AS e USING (operator_code)
), yearly AS (
    SELECT operator_code, act, fiscal_year, account_code, sum(net_credit) AS net_credit
    FROM lines
    GROUP BY ALL
), totals AS (
    SELECT y.operator_code, y.act, y.pool_code, y.fiscal_year,
        coalesce(sum(l.net_credit) FILTER (WHERE l.account_code <> '3102' AND l.fiscal_year < y.fiscal_year), 0) AS brought,
        coalesce(sum(l.net_credit) FILTER (WHERE l.account_code <> '3102' AND l.fiscal_year <= y.fiscal_year), 0) AS carried,
        coalesce(sum(l.net_credit) FILTER (WHERE left(l.account_code, 1) = '3' AND l.fiscal_year = y.fiscal_year), 0) AS capital,
        coalesce(sum(l.net_credit) FILTER (WHERE l.account_code = '3102' AND l.fiscal_year = y.fiscal_year), 0) AS reserve
    FROM years AS y
    LEFT JOIN yearly AS l ON l.operator_code = y.operator_code AND l.act = y.act
    GROUP BY ALL
), account_edges AS (
    SELECT operator_code, act, fiscal_year, account_code FROM yearly WHERE left(account_code, 1) IN ('4', '5')
    UNION
    SELECT y.operator_code, y.act, y.fiscal_year, a.account_code
    FROM years AS y, (VALUES ('4101'), ('5101')) AS a(account_code)
    WHERE y.act <> ''
), edges AS (
    SELECT e.operator_code, e.act, e.fiscal_year, e.account_code,
        CASE WHEN left(e.account_code, 1) = '4' THEN e.account_code || ' ' || c.name_zh ELSE 'fund' END AS source_node,
        CASE WHEN left(e.account_code, 1) = '4' THEN 'fund' ELSE e.account_code || ' ' || c.name_zh END AS target_node,
        CASE WHEN left(e.account_code, 1) = '4' THEN 1 ELSE -1 END * coalesce(y.net_credit, 0) AS amount,
        CASE WHEN left(e.account_code, 1) = '4' THEN 2 ELSE 4 END AS ord
    FROM account_edges AS e
    JOIN core.dim_account AS c ON c.account_code = e.account_code
    LEFT JOIN yearly AS y ON y.operator_code = e.operator_code AND y.act = e.act AND y.fiscal_year = e.fiscal_year
        AND y.account_code = e.account_code
    UNION ALL
    SELECT operator_code, act, fiscal_year, NULL, 'balance brought forward', 'fund', brought, 1 FROM totals
    UNION ALL
    SELECT operator_code, act, fiscal_year, NULL, 'capital', 'fund', capital, 3 FROM totals WHERE capital <> 0
    UNION ALL
    SELECT operator_code, act, fiscal_year, NULL, 'fund', 'reserve', reserve, 5 FROM totals WHERE reserve <> 0
    UNION ALL
    SELECT operator_code, act, fiscal_year, NULL, 'fund', 'balance carried forward', carried, 6 FROM totals
)
SELECT CAST(e.fiscal_year AS INTEGER) AS fiscal_year, t.pool_code, e.operator_code, nullif(e.act, '') AS activity_code,
    e.source_node, e.target_node, CAST(e.amount AS DECIMAL(18, 2)) AS amount, e.account_code,
    getvariable('run_id') AS run_id
FROM edges AS e
JOIN totals AS t USING (operator_code, act, fiscal_year)
ORDER BY e.operator_code, e.act, e.fiscal_year, e.ord, e.account_code
