-- Appends one Arrow chunk of an entity to its raw table. {{.Entity}} and
-- {{.View}} are identifiers from package contract and the loader, never
-- data; the load's metadata goes in as parameters.
INSERT INTO raw.{{.Entity}}
SELECT v.*, ?::VARCHAR, ?::VARCHAR, ?::VARCHAR, ?::TIMESTAMPTZ
FROM {{.View}} AS v
