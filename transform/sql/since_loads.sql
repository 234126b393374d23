-- The loads a backfill (transform --since DAY) re-derives: those whose
-- batch is dated on or after $1, or, without a batch date, loaded on or
-- after it in Beijing.
CREATE OR REPLACE TEMP TABLE since_loads AS
SELECT load_id FROM ops.loads
WHERE coalesce(try_cast(batch AS DATE), CAST(loaded_at AT TIME ZONE 'Asia/Shanghai' AS DATE)) >= CAST($1 AS DATE)
