-- Takes back what a refused file batch had committed: its raw rows (one
-- statement per entity, {{.Entity}} from package contract), quarantined
-- records, reconciliation rows and loads. Parameters: operator, kind,
-- batch, checksum.
DELETE FROM raw.{{.Entity}} WHERE load_id IN (
    SELECT load_id FROM ops.loads
    WHERE operator_code = ? AND source_kind = ? AND batch = ? AND checksum = ? AND status = 'loaded')
