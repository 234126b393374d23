-- After audits are transformed, a subject_staff that looks like a person's
-- data (an operator that keys its staff by id number or phone) is replaced
-- in raw by the pseudonym the stage gave it (hz_ref_pseudo), as the
-- staff_id itself (scrub_staff_roles.sql).
UPDATE raw.audits
SET subject_staff = hz_ref_pseudo(hz_code(subject_staff))
WHERE list_contains(getvariable('new_load_ids'), load_id) AND hz_plain_ref(subject_staff)
