-- After staff roles are transformed, their raw rows keep no plaintext name:
-- it becomes "HZ1:<pseudonym>", which stage_staff_roles types to the same
-- name_pseudo on a full rebuild; the values of the columns beyond the
-- contract (extra) are masked, as an operator's own column may hold a
-- person's data.
UPDATE raw.staff_roles
SET name = CASE WHEN name IS NULL OR hz_scrubbed(name) THEN name ELSE 'HZ1:' || hz_pseudo(hz_text(name)) END,
    extra = hz_mask_extra(extra)
WHERE load_id IN (SELECT load_id FROM new_loads)
  AND ((name IS NOT NULL AND NOT hz_scrubbed(name)) OR (extra IS NOT NULL AND extra <> hz_mask_extra(extra)));

-- A staff_id or role that looks like a person's data (an operator that
-- keys its staff by id number or phone; a phone under role) gets the
-- pseudonym the stage gave it (hz_ref_pseudo): both are part of the key,
-- and the keys of refused records are known keys (transform.defineKnown),
-- which a full rebuild must find the same.
UPDATE raw.staff_roles
SET staff_id = CASE WHEN hz_plain_ref(staff_id) THEN hz_ref_pseudo(hz_code(staff_id)) ELSE staff_id END,
    role = CASE WHEN hz_plain_ref(role) THEN hz_ref_pseudo(role) ELSE role END
WHERE load_id IN (SELECT load_id FROM new_loads) AND (hz_plain_ref(staff_id) OR hz_plain_ref(role));

-- A refused row's other columns are masked where they look like a
-- person's data (an export that swapped or shifted columns), as for
-- members (scrub_members.sql): only a refused row can hold such a value.
-- (start_date is part of the key too, but typed: a value that is no date
-- is no key, '***' no more than a phone.)
UPDATE raw.staff_roles AS r
SET operator_code = CASE WHEN hz_looks_personal(operator_code) THEN '***' ELSE operator_code END,
    start_date = CASE WHEN hz_looks_personal(start_date) THEN '***' ELSE start_date END,
    end_date = CASE WHEN hz_looks_personal(end_date) THEN '***' ELSE end_date END,
    updated_at = CASE WHEN hz_looks_personal(updated_at) THEN '***' ELSE updated_at END
FROM (SELECT raw_row FROM stage_staff_roles WHERE verdict IS NOT NULL) AS f
WHERE r.rowid = f.raw_row
