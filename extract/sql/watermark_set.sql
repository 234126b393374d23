INSERT INTO ops.watermarks (operator_code, source_kind, entity, watermark, cursor, updated_at)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (operator_code, source_kind, entity)
DO UPDATE SET watermark = excluded.watermark, cursor = excluded.cursor, updated_at = excluded.updated_at
