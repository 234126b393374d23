-- model: core.dim_date
-- The calendar, 2000 to 2040.
CREATE OR REPLACE TABLE core.dim_date AS
SELECT CAST(d AS DATE) AS date, year(d) AS year, quarter(d) AS quarter, month(d) AS month,
    day(d) AS day, isodow(d) AS iso_dow, strftime(d, '%Y-%m') AS year_month,
    CAST(last_day(d) AS DATE) = CAST(d AS DATE) AS is_month_end
FROM range(DATE '2000-01-01', DATE '2041-01-01', INTERVAL 1 DAY) AS t(d)
