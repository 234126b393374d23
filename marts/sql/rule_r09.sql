-- model: rule.r09
-- depends: core.fact_budget_line, core.fact_ledger_line
-- R09 (clause 十三: 全面预算管理…年度预算执行情况要纳入考核体系): per budget
-- line (activity or organisation level, fiscal year, line code), with the
-- adjusted budget when there is one, else the original: an expense line
-- (5xxx; actual = debits − credits) above budget × (1 + budget_overrun_max),
-- 'major' above twice the budget; an income line (4xxx; actual = credits −
-- debits) below budget × (1 − budget_overrun_max); and spending (5xxx debits
-- net of credits above zero) on a line with no budget. Only complete fiscal
-- years are judged: a year counts when the operator's books (its latest
-- posted_on, the data's as-of) reach 31 December of it — the current year is
-- partial and would look under-spent. Subject "ACT|year|line", ACT empty at
-- organisation level; the amount is the actual.
INSERT INTO rule_hits
WITH books_end AS (
    SELECT operator_code, max(posted_on) AS as_of FROM core.fact_ledger_line GROUP BY operator_code
), budget AS (
    SELECT operator_code, activity_code, CAST(fiscal_year AS INTEGER) AS fiscal_year, line_code,
        any_value(pool_code) AS pool_code,
        coalesce(max(amount) FILTER (WHERE version = 'adjusted'), max(amount) FILTER (WHERE version = 'original')) AS budget,
        bool_or(version = 'adjusted') AS adjusted
    FROM core.fact_budget_line
    GROUP BY operator_code, activity_code, fiscal_year, line_code
), actual AS (
    SELECT operator_code, activity_code, year(posted_on) AS fiscal_year, account_code AS line_code,
        any_value(pool_code) AS pool_code,
        sum(debit - credit) AS net_debit
    FROM core.fact_ledger_line
    WHERE left(account_code, 1) IN ('4', '5')
    GROUP BY operator_code, activity_code, year(posted_on), account_code
), lines AS (
    SELECT coalesce(b.operator_code, a.operator_code) AS operator_code,
        coalesce(b.activity_code, a.activity_code) AS activity_code,
        coalesce(b.fiscal_year, a.fiscal_year) AS fiscal_year,
        coalesce(b.line_code, a.line_code) AS line_code,
        coalesce(b.pool_code, a.pool_code) AS pool_code,
        b.budget, coalesce(b.adjusted, false) AS adjusted,
        CASE WHEN left(coalesce(b.line_code, a.line_code), 1) = '5' THEN coalesce(a.net_debit, 0)
             ELSE -coalesce(a.net_debit, 0) END AS actual
    FROM budget AS b
    FULL JOIN actual AS a ON a.operator_code = b.operator_code AND a.activity_code IS NOT DISTINCT FROM b.activity_code
        AND a.fiscal_year = b.fiscal_year AND a.line_code = b.line_code
), judged AS (
    SELECT l.*,
        CAST(1 + getvariable('budget_overrun_max') AS DECIMAL(18, 6)) AS over_f,
        CAST(1 - getvariable('budget_overrun_max') AS DECIMAL(18, 6)) AS under_f
    FROM lines AS l
    JOIN books_end AS s ON s.operator_code = l.operator_code
    WHERE s.as_of >= make_date(l.fiscal_year, 12, 31)
)
SELECT 'R09', pool_code, operator_code, activity_code, fiscal_year, 'budget_line',
    coalesce(activity_code, '') || '|' || fiscal_year || '|' || line_code, actual,
    CASE
        WHEN budget IS NULL THEN '科目 ' || line_code || ' 无预算，支出 ' || actual
        WHEN left(line_code, 1) = '5' THEN '支出 ' || actual || ' 超过' || CASE WHEN adjusted THEN '调整后' ELSE '年初' END
            || '预算 ' || budget || CASE WHEN budget > 0 THEN '（超支 ' || round(100 * (actual - budget) / budget, 1) || '%）' ELSE '' END
        ELSE '收入 ' || actual || ' 低于' || CASE WHEN adjusted THEN '调整后' ELSE '年初' END
            || '预算 ' || budget || CASE WHEN budget > 0 THEN '（短收 ' || round(100 * (budget - actual) / budget, 1) || '%）' ELSE '' END
    END,
    CASE WHEN budget IS NOT NULL AND left(line_code, 1) = '5' AND actual > 2 * budget THEN 'major' END
FROM judged
WHERE (budget IS NULL AND left(line_code, 1) = '5' AND actual > 0)
    OR (budget IS NOT NULL AND left(line_code, 1) = '5' AND actual > budget * over_f)
    OR (budget IS NOT NULL AND left(line_code, 1) = '4' AND actual < budget * under_f)
