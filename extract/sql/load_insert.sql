INSERT INTO ops.loads (load_id, run_id, operator_code, source_kind, entity, batch,
    rows_received, rows_loaded, rows_quarantined, watermark_from, watermark_to,
    checksum, status, reason, loaded_at, pseudonymised)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
