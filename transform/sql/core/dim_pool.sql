-- model: core.dim_pool
-- depends: core.dim_org
-- Risk pools (clause 四: provincial pooling, or city pooling): each pool
-- with its operator(s) and region, from the current organisations.
CREATE OR REPLACE TABLE core.dim_pool AS
SELECT pool_code,
    CASE left(pool_code, 1) WHEN 'N' THEN 'national' WHEN 'P' THEN 'provincial' WHEN 'C' THEN 'city' ELSE 'other' END AS pool_level,
    min(region_code) FILTER (WHERE org_type = 'mutual_aid_org') AS region_code,
    count(*) FILTER (WHERE org_type = 'mutual_aid_org') AS operators
FROM core.dim_org
WHERE is_current
GROUP BY pool_code
