-- After staff roles are transformed, their raw rows keep no plaintext name:
-- it becomes "HZ1:<pseudonym>", which stage_staff_roles types to the same
-- name_pseudo on a full rebuild; the values of the columns beyond the
-- contract (extra) are masked, as an operator's own column may hold a
-- person's data.
UPDATE raw.staff_roles
SET name = CASE WHEN name IS NULL OR hz_scrubbed(name) THEN name ELSE 'HZ1:' || hz_pseudo(hz_text(name)) END,
    extra = hz_mask_extra(extra)
WHERE load_id IN (SELECT load_id FROM new_loads)
  AND ((name IS NOT NULL AND NOT hz_scrubbed(name)) OR (extra IS NOT NULL AND extra <> hz_mask_extra(extra)))
