SELECT watermark, cursor
FROM ops.watermarks
WHERE operator_code = ? AND source_kind = ? AND entity = ?
