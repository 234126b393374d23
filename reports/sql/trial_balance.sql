-- reads: mart.fund_position
-- The trial balance (试算平衡) of each operator at each year's last month
-- end (the current year's: the month of its last posting): the fund's
-- sources — net assets, the balances of net assets (3xxx) and income
-- (4xxx) less those of expenses (5xxx), as mart.fund_flow carries them
-- forward — beside its uses — assets (1xxx) less liabilities (2xxx).
-- Balances are cumulative, in each account's normal direction. Every
-- voucher that balances moves both sides alike; a difference is a voucher
-- that does not (R10), or a line set aside in the quarantine.
WITH ends AS (
    SELECT operator_code, year(month) AS fiscal_year, max(month) AS month
    FROM mart.fund_position
    GROUP BY ALL
)
SELECT p.operator_code, e.fiscal_year, CAST(e.month AS VARCHAR),
    CAST(coalesce(sum(p.balance) FILTER (WHERE left(p.account_code, 1) IN ('3', '4')), 0)
        - coalesce(sum(p.balance) FILTER (WHERE left(p.account_code, 1) = '5'), 0) AS VARCHAR) AS sources,
    CAST(coalesce(sum(p.balance) FILTER (WHERE left(p.account_code, 1) = '1'), 0)
        - coalesce(sum(p.balance) FILTER (WHERE left(p.account_code, 1) = '2'), 0) AS VARCHAR) AS uses
FROM mart.fund_position AS p
JOIN ends AS e ON e.operator_code = p.operator_code AND e.month = p.month
GROUP BY ALL
ORDER BY p.operator_code, e.fiscal_year
