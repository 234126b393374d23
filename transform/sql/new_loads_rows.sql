-- The rows extract loaded and quarantined in the entity's new loads.
SELECT coalesce(sum(rows_loaded), 0), coalesce(sum(rows_quarantined), 0)
FROM ops.loads
WHERE load_id IN (SELECT load_id FROM new_loads)
