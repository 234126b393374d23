INSERT INTO ops.quarantine (load_id, entity, source_row, reason_code, reason, raw_record)
VALUES (?, ?, ?, ?, ?, ?)
