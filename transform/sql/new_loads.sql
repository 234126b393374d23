-- The loads of one entity not yet transformed (all of them on a full
-- rebuild, which empties ops.transform_loads first), with their number
-- (sql/load_numbers.sql), the day each batch describes: the file batch's
-- date, or the Beijing date the rows were pulled, and whether extract
-- pseudonymised its rows. Parameter: the entity.
CREATE OR REPLACE TEMP TABLE new_loads AS
SELECT l.load_id, n.load_no, l.loaded_at, l.operator_code,
    coalesce(try_cast(l.batch AS DATE), CAST(l.loaded_at AT TIME ZONE 'Asia/Shanghai' AS DATE)) AS batch_day,
    coalesce(l.pseudonymised, false) AS pseudonymised
FROM ops.loads AS l
JOIN ops.load_numbers AS n USING (load_id)
WHERE l.entity = ? AND l.status = 'loaded'
  AND l.load_id NOT IN (SELECT load_id FROM ops.transform_loads)
