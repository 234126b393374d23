-- After ledger lines are transformed, a staff reference that looks like a
-- person's data (an operator that keys its staff by id number or phone) is
-- replaced in raw by the pseudonym the stage gave it (hz_ref_pseudo), as
-- the staff_id itself (scrub_staff_roles.sql): a full rebuild reads it as
-- it is. Only when the stage gave one.
SET VARIABLE pseudonymous_refs = (SELECT count(*) FROM stage_ledger_entries
    WHERE starts_with(prepared_by, 'HZ1:') OR starts_with(approved_by, 'HZ1:') OR starts_with(paid_by, 'HZ1:'));

UPDATE raw.ledger_entries
SET prepared_by = CASE WHEN hz_plain_ref(prepared_by) THEN hz_ref_pseudo(hz_code(prepared_by)) ELSE prepared_by END,
    approved_by = CASE WHEN hz_plain_ref(approved_by) THEN hz_ref_pseudo(hz_code(approved_by)) ELSE approved_by END,
    paid_by = CASE WHEN hz_plain_ref(paid_by) THEN hz_ref_pseudo(hz_code(paid_by)) ELSE paid_by END
WHERE getvariable('pseudonymous_refs') > 0
  AND list_contains(getvariable('new_load_ids'), load_id)
  AND (hz_plain_ref(prepared_by) OR hz_plain_ref(approved_by) OR hz_plain_ref(paid_by))
