-- The bookkeeping half of taking a batch back; see batch_take_back.sql.
-- Each statement takes operator, kind, batch, checksum.
DELETE FROM ops.quarantine WHERE load_id IN (
    SELECT load_id FROM ops.loads
    WHERE operator_code = $1 AND source_kind = $2 AND batch = $3 AND checksum = $4 AND status = 'loaded');
DELETE FROM ops.reconciliation WHERE load_id IN (
    SELECT load_id FROM ops.loads
    WHERE operator_code = $1 AND source_kind = $2 AND batch = $3 AND checksum = $4 AND status = 'loaded');
DELETE FROM ops.loads
WHERE operator_code = $1 AND source_kind = $2 AND batch = $3 AND checksum = $4 AND status = 'loaded';
