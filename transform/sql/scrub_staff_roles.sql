-- After staff roles are transformed, their raw rows keep no plaintext name:
-- it becomes "HZ1:<pseudonym>", which stage_staff_roles types to the same
-- name_pseudo on a full rebuild.
UPDATE raw.staff_roles SET name = 'HZ1:' || hz_pseudo(hz_text(name))
WHERE load_id IN (SELECT load_id FROM new_loads) AND NOT starts_with(name, 'HZ1:')
