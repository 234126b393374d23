-- The settle step of an entity whose new loads hold no row (a day's batch
-- without a change to it, which is most entities most nights) and none that
-- extract quarantined: nothing to type, keep or scrub. The loads are
-- reconciled as settle.sql.tmpl would (received = kept + quarantined +
-- duplicates, all 0 but what the operator reported) and marked done.
-- Parameter: the entity.
INSERT INTO ops.reconciliation (run_id, operator_code, entity, operator_reported_rows, received, kept, quarantined, duplicates, difference)
SELECT getvariable('run_id'), operator_code, $1, sum(rows_received), sum(rows_received), 0, 0, 0, sum(rows_received)
FROM ops.loads
WHERE load_id IN (SELECT load_id FROM new_loads)
GROUP BY operator_code;

INSERT INTO ops.transform_loads (load_id, entity, run_id, transformed_at)
SELECT load_id, $1, getvariable('run_id'), now()
FROM new_loads;
