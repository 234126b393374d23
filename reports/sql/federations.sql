-- reads: core.dim_org
-- The supervising federations (工会), whose names title the jurisdictions.
SELECT org_code, coalesce(name, org_code), coalesce(region_code, ''), coalesce(pool_code, '')
FROM core.dim_org
WHERE is_current AND org_type = 'federation'
ORDER BY org_code
