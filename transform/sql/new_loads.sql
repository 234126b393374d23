-- The loads of one entity not yet transformed (all of them on a full
-- rebuild, which empties ops.transform_loads first), with the day each
-- batch describes: the file batch's date, or the Beijing date the rows
-- were pulled, and whether extract pseudonymised its rows. Parameter: the
-- entity.
CREATE OR REPLACE TEMP TABLE new_loads AS
SELECT load_id, loaded_at, operator_code,
    coalesce(try_cast(batch AS DATE), CAST(loaded_at AT TIME ZONE 'Asia/Shanghai' AS DATE)) AS batch_day,
    coalesce(pseudonymised, false) AS pseudonymised
FROM ops.loads
WHERE entity = ? AND status = 'loaded'
  AND load_id NOT IN (SELECT load_id FROM ops.transform_loads)
