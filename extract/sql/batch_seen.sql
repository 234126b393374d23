-- A file batch counts as loaded when every file of it was committed with
-- the checksum it has now.
SELECT count(*)
FROM ops.loads
WHERE operator_code = ? AND source_kind = ? AND batch = ? AND checksum = ? AND status = 'loaded'
