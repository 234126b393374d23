-- Pools that have at least one operator, with the name of the federation
-- that runs the pool (the federation at the pool's level and region).
SELECT p.pool_code, p.pool_level, coalesce(p.region_code, ''),
    coalesce((SELECT min(o.name) FROM core.dim_org AS o
        WHERE o.is_current AND o.org_type = 'federation' AND o.pool_code = p.pool_code), p.pool_code) AS name
FROM core.dim_pool AS p
WHERE p.operators > 0
ORDER BY p.pool_code
