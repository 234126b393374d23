-- Rows an operator has now, as raw holds them: for each natural key, the
-- rows of its latest updated_at (both copies of a record sent twice).
-- Two hash aggregates and a join: cheaper than a window over the table.
-- A key field may be null (an organisation-level budget line), hence IS NOT
-- DISTINCT FROM. {{.Entity}} and the key fields are identifiers from package
-- contract.
WITH versions AS (
    SELECT {{.Key}}, updated_at, count(*) AS n
    FROM raw.{{.Entity}}
    WHERE source_operator = ? AND source_kind = ?
    GROUP BY ALL
), latest AS (
    SELECT {{.Key}}, max(updated_at) AS updated_at
    FROM versions
    GROUP BY ALL
)
SELECT coalesce(sum(v.n), 0)
FROM versions AS v
JOIN latest AS l ON v.updated_at = l.updated_at
{{- range .Keys}}
    AND v.{{.}} IS NOT DISTINCT FROM l.{{.}}
{{- end}}
