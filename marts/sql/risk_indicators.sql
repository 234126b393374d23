-- model: mart.risk_indicators
-- depends: core.fact_ledger_line, core.agg_contribution, core.fact_claim, core.fact_holding
-- Risk indicators (clause 十: 风险排查、监测预警), per month end and scope:
-- 'activity' (pool, operator and activity), 'operator' (activity_code
-- NULL; includes the organisation-level lines) and 'pool' (operator_code
-- and activity_code NULL). A subject is one that has ledger lines; its
-- months run from its first input to its operators' last posting, and each
-- indicator has a row only for the months where its input exists.
--
--   indicator                 value                                            yellow      red
--   solvency                  net assets (fund balance incl. reserve: Σ        < 0.5       < 0.25
--                             credit − debit over 3xxx/4xxx/5xxx to the
--                             month end) ÷ expected benefits of the next 12
--                             months (debits to 5101 in the trailing 12
--                             months, scaled up to 12 months while the
--                             ledger is younger); from the first posting
--   liquidity                 demand deposits + time deposits maturing       < 2.0       < 1.0
--                             within 90 days (market value at the month
--                             end) ÷ trailing 3-month 5101 debits (scaled
--                             the same way); months with holdings
--   loss_ratio                trailing 12-month debits to 5101 ÷ credits to   > 0.9       > 1.1
--                             4101 (the window of R12); from the first posting
--   claim_frequency_anomaly   robust z-score of the month's claims filed vs  |z| > 2.0   |z| > 3.5
--                             the 12 months before: (x − median) ÷ (1.4826
--                             × MAD); NULL with fewer than 6 months of
--                             history or a MAD of 0
--   payment_timeliness        median days from decided_at to paid_at of the  > 15        > 30
--                             claims paid in the month
--   concentration             share of the largest diagnosis group in the     > 0.5       > 0.7
--                             claims paid (paid_amount) in the trailing 12
--                             months
--   collection_drop           contributions received (fact_contribution,      < −0.1      < −0.3
--                             refunds netted) in the trailing 12 months ÷
--                             the 12 before − 1; only once 24 months of
--                             receipts exist and the earlier 12 are positive
--                             (rules.md's "this period vs the same period
--                             last year" with the period a year to the
--                             month: most receipts fall in the renewal
--                             months, so a month against the same month
--                             of last year swings with a renewal's date)
--
-- A value beyond the red band is red, else beyond the yellow band yellow,
-- else green — exactly at a band is not beyond it; an undefined value
-- (NULL: nothing to divide by, or no z-score) is 'none', not judged. The
-- bands above
-- are the defaults; [rules.risk] in the config sets others
-- (config.RiskBands), and threshold_yellow and threshold_red say which
-- were used.
CREATE OR REPLACE TABLE mart.risk_indicators AS
WITH scopes AS (
    SELECT * FROM (VALUES ('activity'), ('operator'), ('pool')) AS s(scope)
), op_end AS (
    SELECT operator_code, CAST(last_day(max(posted_on)) AS DATE) AS end_month
    FROM core.fact_ledger_line
    GROUP BY operator_code
), src AS (
    -- every input as (pool, operator, activity, month) with additive
    -- measures; the receipts come summed per month already
    -- (core.agg_contribution_month, kept by the transform)
    SELECT pool_code, operator_code, activity_code, CAST(last_day(posted_on) AS DATE) AS month,
        CASE WHEN account_code = '5101' THEN debit ELSE 0 END AS benefits,
        CASE WHEN account_code = '4101' THEN credit ELSE 0 END AS contribution_income,
        CASE WHEN left(account_code, 1) IN ('3', '4', '5') THEN credit - debit ELSE 0 END AS net_assets_move,
        0 AS receipts, 0 AS receipt_rows, 0 AS claims_filed, 0 AS liquid, 0 AS holdings, 1 AS ledger_lines
    FROM core.fact_ledger_line
    UNION ALL
    SELECT pool_code, operator_code, activity_code, month, 0, 0, 0, amount, nonzero, 0, 0, 0, 0
    FROM core.agg_contribution_month WHERE month IS NOT NULL
    UNION ALL
    SELECT pool_code, operator_code, activity_code, last_day(beijing_day(filed_at)), 0, 0, 0, 0, 0, 1, 0, 0, 0
    FROM core.fact_claim WHERE filed_at IS NOT NULL
    UNION ALL
    SELECT pool_code, operator_code, activity_code, as_of, 0, 0, 0, 0, 0, 0,
        CASE WHEN instrument_type = 'demand_deposit'
                OR (instrument_type = 'time_deposit' AND maturity_date <= as_of + INTERVAL 90 DAY) THEN market_value ELSE 0 END,
        1, 0
    FROM core.fact_holding
), src_month AS (
    -- the inputs summed per subject and month first (a few thousand rows),
    -- so that the three scopes below repeat sums, not every input row;
    -- receipt_rows keeps "a month with a non-zero receipt" exact when a
    -- month's receipts and refunds cancel out
    SELECT pool_code, operator_code, activity_code, month,
        sum(benefits) AS benefits, sum(contribution_income) AS contribution_income,
        sum(net_assets_move) AS net_assets_move, sum(receipts) AS receipts,
        sum(claims_filed) AS claims_filed, sum(liquid) AS liquid, sum(holdings) AS holdings,
        sum(ledger_lines) AS ledger_lines, sum(receipt_rows) AS receipt_rows
    FROM src
    GROUP BY ALL
), scoped AS (
    SELECT s.scope, coalesce(x.pool_code, '') AS kp,
        CASE WHEN s.scope = 'pool' THEN '' ELSE x.operator_code END AS ko,
        CASE WHEN s.scope = 'activity' THEN x.activity_code ELSE '' END AS ka,
        x.*, e.end_month
    FROM src_month AS x
    CROSS JOIN scopes AS s
    LEFT JOIN op_end AS e USING (operator_code)
    WHERE s.scope <> 'activity' OR x.activity_code IS NOT NULL
), keys AS (
    SELECT scope, kp, ko, ka, min(month) AS first_month, max(end_month) AS end_month,
        min(month) FILTER (WHERE ledger_lines > 0) AS first_ledger,
        min(month) FILTER (WHERE claims_filed > 0) AS first_claim,
        min(month) FILTER (WHERE receipt_rows > 0) AS first_receipt
    FROM scoped
    GROUP BY ALL
    HAVING sum(ledger_lines) > 0
), monthly AS (
    SELECT scope, kp, ko, ka, month,
        sum(benefits) AS benefits, sum(contribution_income) AS contribution_income,
        sum(net_assets_move) AS net_assets_move, sum(receipts) AS receipts,
        sum(claims_filed) AS claims_filed, sum(liquid) AS liquid, sum(holdings) AS holdings
    FROM scoped
    GROUP BY ALL
), grid AS (
    SELECT k.*, CAST(last_day(m) AS DATE) AS month
    FROM keys AS k, LATERAL (SELECT unnest(range(CAST(date_trunc('month', k.first_month) AS TIMESTAMP), CAST(k.end_month + INTERVAL 1 DAY AS TIMESTAMP), INTERVAL 1 MONTH)) AS m) AS r
), series AS (
    SELECT g.scope, g.kp, g.ko, g.ka, g.month, g.first_ledger, g.first_claim, g.first_receipt,
        coalesce(m.holdings, 0) AS holdings, coalesce(m.liquid, 0) AS liquid,
        coalesce(m.claims_filed, 0) AS claims_filed,
        sum(coalesce(m.net_assets_move, 0)) OVER w_all AS net_assets,
        sum(coalesce(m.benefits, 0)) OVER w12 AS benefits_12,
        sum(coalesce(m.benefits, 0)) OVER w3 AS benefits_3,
        sum(coalesce(m.contribution_income, 0)) OVER w12 AS contribution_income_12,
        sum(coalesce(m.receipts, 0)) OVER w12 AS receipts_12,
        sum(coalesce(m.receipts, 0)) OVER (w_key ROWS BETWEEN 23 PRECEDING AND 12 PRECEDING) AS receipts_prev_12,
        list(CASE WHEN g.first_claim IS NOT NULL AND g.month >= g.first_claim THEN coalesce(m.claims_filed, 0) END)
            OVER (w_key ROWS BETWEEN 12 PRECEDING AND 1 PRECEDING) AS claims_history
    FROM grid AS g
    LEFT JOIN monthly AS m USING (scope, kp, ko, ka, month)
    WINDOW w_key AS (PARTITION BY g.scope, g.kp, g.ko, g.ka ORDER BY g.month),
        w_all AS (w_key ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
        w12 AS (w_key ROWS BETWEEN 11 PRECEDING AND CURRENT ROW),
        w3 AS (w_key ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)
), history AS (
    SELECT *, list_filter(claims_history, lambda c: c IS NOT NULL) AS hist,
        least(12, date_diff('month', first_ledger, month) + 1) AS ledger_months_12,
        least(3, date_diff('month', first_ledger, month) + 1) AS ledger_months_3
    FROM series
), robust AS (
    SELECT *, list_aggregate(hist, 'median') AS hist_median
    FROM history
), robust2 AS (
    SELECT *, list_aggregate(list_transform(hist, lambda c: abs(c - hist_median)), 'median') AS hist_mad
    FROM robust
), paid AS (
    SELECT s.scope, coalesce(c.pool_code, '') AS kp,
        CASE WHEN s.scope = 'pool' THEN '' ELSE c.operator_code END AS ko,
        CASE WHEN s.scope = 'activity' THEN c.activity_code ELSE '' END AS ka,
        last_day(beijing_day(c.paid_at)) AS month, c.diagnosis_group, c.paid_amount,
        (epoch(c.paid_at) - epoch(c.decided_at)) / 86400.0 AS days_to_pay
    FROM core.fact_claim AS c
    CROSS JOIN scopes AS s
    WHERE c.paid_at IS NOT NULL AND (s.scope <> 'activity' OR c.activity_code IS NOT NULL)
), timeliness AS (
    SELECT p.scope, p.kp, p.ko, p.ka, p.month, median(p.days_to_pay) AS value
    FROM paid AS p
    JOIN keys AS k USING (scope, kp, ko, ka)
    WHERE p.days_to_pay IS NOT NULL AND p.month <= k.end_month
    GROUP BY ALL
), paid_month AS (
    -- paid claims summed per subject, month and diagnosis group before the
    -- trailing-window join, which then repeats sums, not claims
    SELECT scope, kp, ko, ka, month, diagnosis_group, sum(paid_amount) AS paid_amount
    FROM paid
    GROUP BY ALL
), group_paid AS (
    SELECT g.scope, g.kp, g.ko, g.ka, g.month, p.diagnosis_group, sum(p.paid_amount) AS paid_amount
    FROM grid AS g
    JOIN paid_month AS p ON p.scope = g.scope AND p.kp = g.kp AND p.ko = g.ko AND p.ka = g.ka
        AND p.month <= g.month AND p.month >= CAST(last_day(g.month - INTERVAL 11 MONTH) AS DATE)
    GROUP BY ALL
), concentration AS (
    SELECT scope, kp, ko, ka, month, CAST(max(paid_amount) AS DOUBLE) / CAST(sum(paid_amount) AS DOUBLE) AS value
    FROM group_paid
    GROUP BY ALL
    HAVING sum(paid_amount) > 0
), vals AS (
    SELECT scope, kp, ko, ka, month, 'solvency' AS indicator,
        CAST(net_assets AS DOUBLE) / nullif(CAST(benefits_12 AS DOUBLE) * 12 / ledger_months_12, 0) AS value
    FROM robust2 WHERE month >= first_ledger
    UNION ALL
    SELECT scope, kp, ko, ka, month, 'liquidity',
        CAST(liquid AS DOUBLE) / nullif(CAST(benefits_3 AS DOUBLE) * 3 / ledger_months_3, 0)
    FROM robust2 WHERE month >= first_ledger AND holdings > 0
    UNION ALL
    SELECT scope, kp, ko, ka, month, 'loss_ratio',
        CAST(benefits_12 AS DOUBLE) / nullif(CAST(contribution_income_12 AS DOUBLE), 0)
    FROM robust2 WHERE month >= first_ledger
    UNION ALL
    SELECT scope, kp, ko, ka, month, 'claim_frequency_anomaly',
        CASE WHEN len(hist) >= 6 AND hist_mad > 0 THEN (claims_filed - hist_median) / (1.4826 * hist_mad) END
    FROM robust2 WHERE month >= first_claim
    UNION ALL
    SELECT scope, kp, ko, ka, month, 'payment_timeliness', value FROM timeliness
    UNION ALL
    SELECT scope, kp, ko, ka, month, 'concentration', value FROM concentration
    UNION ALL
    SELECT scope, kp, ko, ka, month, 'collection_drop',
        CAST(receipts_12 AS DOUBLE) / CAST(receipts_prev_12 AS DOUBLE) - 1
    FROM robust2 WHERE month >= CAST(last_day(first_receipt + INTERVAL 23 MONTH) AS DATE) AND receipts_prev_12 > 0
), bands AS (
    -- The bands in force ([rules.risk], defaults in the header above),
    -- set as variables by marts.prepare.
    SELECT * FROM (VALUES
        ('solvency', getvariable('risk_solvency_yellow'), getvariable('risk_solvency_red'), 'low'),
        ('liquidity', getvariable('risk_liquidity_yellow'), getvariable('risk_liquidity_red'), 'low'),
        ('loss_ratio', getvariable('risk_loss_ratio_yellow'), getvariable('risk_loss_ratio_red'), 'high'),
        ('claim_frequency_anomaly', getvariable('risk_claim_frequency_anomaly_yellow'), getvariable('risk_claim_frequency_anomaly_red'), 'abs'),
        ('payment_timeliness', getvariable('risk_payment_timeliness_yellow'), getvariable('risk_payment_timeliness_red'), 'high'),
        ('concentration', getvariable('risk_concentration_yellow'), getvariable('risk_concentration_red'), 'high'),
        ('collection_drop', getvariable('risk_collection_drop_yellow'), getvariable('risk_collection_drop_red'), 'low')
    ) AS b(indicator, threshold_yellow, threshold_red, direction)
)
SELECT v.month, v.scope, nullif(v.kp, '') AS pool_code, nullif(v.ko, '') AS operator_code, nullif(v.ka, '') AS activity_code,
    v.indicator, CAST(v.value AS DOUBLE) AS value,
    CAST(b.threshold_yellow AS DOUBLE) AS threshold_yellow, CAST(b.threshold_red AS DOUBLE) AS threshold_red,
    CASE
        -- not judged: no input to judge (a fund that paid no benefit has
        -- no solvency ratio, a young one no claim history), never "normal"
        WHEN v.value IS NULL THEN 'none'
        WHEN b.direction = 'high' AND v.value > b.threshold_red THEN 'red'
        WHEN b.direction = 'high' AND v.value > b.threshold_yellow THEN 'yellow'
        WHEN b.direction = 'low' AND v.value < b.threshold_red THEN 'red'
        WHEN b.direction = 'low' AND v.value < b.threshold_yellow THEN 'yellow'
        WHEN b.direction = 'abs' AND abs(v.value) > b.threshold_red THEN 'red'
        WHEN b.direction = 'abs' AND abs(v.value) > b.threshold_yellow THEN 'yellow'
        ELSE 'green'
    END AS level,
    getvariable('run_id') AS run_id
FROM vals AS v
JOIN bands AS b USING (indicator)
ORDER BY v.scope, v.kp, v.ko, v.ka, v.indicator, v.month
