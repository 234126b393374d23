-- Rows an operator has now, as raw holds them: for each natural key, the
-- rows of its latest updated_at (both copies of a record sent twice).
-- {{.Entity}} and {{.Key}} are identifiers from package contract.
SELECT count(*)
FROM (
    SELECT updated_at, max(updated_at) OVER (PARTITION BY {{.Key}}) AS latest
    FROM raw.{{.Entity}}
    WHERE source_operator = ? AND source_kind = ?
)
WHERE updated_at = latest
