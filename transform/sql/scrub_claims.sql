-- After claims are transformed, a member_ref that looks like a person's
-- data (an operator that keys its members by id number or phone) is
-- replaced in raw by the pseudonym the stage gave it (hz_ref_pseudo), as
-- in raw.members (scrub_members.sql): a full rebuild reads it as it is.
-- Only when the stage gave one: raw is read (its 4.8 M references tested,
-- 0.2 s at 1 M members) only then.
SET VARIABLE pseudonymous_refs = (SELECT count(*) FROM stage_claims WHERE starts_with(member_ref, 'HZ1:'));

UPDATE raw.claims
SET member_ref = hz_ref_pseudo(hz_code(member_ref))
WHERE getvariable('pseudonymous_refs') > 0
  AND list_contains(getvariable('new_load_ids'), load_id) AND hz_plain_ref(member_ref)
