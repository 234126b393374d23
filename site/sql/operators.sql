-- Operators (mutual-aid organisations): code, name, pool, region.
SELECT org_code, name, pool_code, region_code, status
FROM core.dim_org
WHERE is_current AND org_type = 'mutual_aid_org'
ORDER BY org_code
