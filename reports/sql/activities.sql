-- reads: core.dim_activity
-- Activity names per operator (current version).
SELECT operator_code, activity_code, any_value(name ORDER BY activity_code) AS name
FROM core.dim_activity
WHERE is_current AND operator_code IS NOT NULL AND activity_code IS NOT NULL
GROUP BY ALL
ORDER BY ALL
