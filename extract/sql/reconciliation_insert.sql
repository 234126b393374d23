INSERT INTO ops.reconciliation (run_id, operator_code, entity, operator_reported_rows,
    received, kept, quarantined, duplicates, difference, load_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
