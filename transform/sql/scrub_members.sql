-- After members are transformed, their raw rows keep no plaintext personal
-- data: the rows of the loads that still hold some get pseudonyms in place
-- of the id number, name and phone, made from what stage_members.sql keeps
-- of them (the pseudonyms, region_code and scrub_*), beside the row's
-- rowid: taken before the entity's transaction, in which nothing else
-- writes raw.members; the load is compared too. (On a first build of many
-- members the stage model wrote core.v_members, which this then reads:
-- transform.fuseStage.) The id number becomes
-- "HZ1:<pseudonym>:<birth>:<sex>:<region>:<valid>", what stage_members.sql
-- needs to type the row again on a full rebuild; name and phone
-- "HZ1:<pseudonym>"; a value without plaintext (an id number of blanks
-- too) stays as it is; the values
-- of the columns beyond the contract (extra) are masked. Three
-- columns updated by rowid cost half of deleting the rows and inserting
-- them again. Only the loads extract did not pseudonymise as they arrived
-- (ops.loads pseudonymised: extract without the key, or of an earlier
-- build) are read: testing the others' million values cost 0.24 s at 1 M
-- members; the test after the updates below reads every load.
SET VARIABLE plain_loads = (SELECT coalesce(list(load_id), []) FROM new_loads WHERE NOT pseudonymised);

UPDATE raw.members AS r
SET id_number = CASE WHEN r.id_number IS NULL OR hz_scrubbed_id(r.id_number) OR s.id_pseudo IS NULL THEN r.id_number
        ELSE 'HZ1:' || s.id_pseudo || ':' || coalesce(strftime(s.scrub_birth, '%Y%m%d'), '') || ':' || s.scrub_gender
            || ':' || coalesce(s.region_code, '') || ':' || CASE WHEN s.scrub_ok THEN '1' ELSE '0' END END,
    name = CASE WHEN r.name IS NULL OR hz_scrubbed(r.name) THEN r.name ELSE 'HZ1:' || s.name_pseudo END,
    phone = CASE WHEN r.phone IS NULL OR hz_scrubbed(r.phone) THEN r.phone ELSE 'HZ1:' || s.phone_pseudo END
FROM (
    -- a fused stage keeps its load by number (load_no)
    SELECT s.raw_row, s.id_pseudo, s.name_pseudo, s.phone_pseudo, s.region_code,
        s.scrub_birth, s.scrub_gender, s.scrub_ok, n.load_id AS stage_load
    FROM stage_members AS s
    JOIN new_loads AS n USING (load_no)
    WHERE NOT n.pseudonymised
) AS s
WHERE r.rowid = s.raw_row AND r.load_id = s.stage_load
  AND list_contains(getvariable('plain_loads'), r.load_id)
  AND hz_plain_member(r.id_number, r.name, r.phone, NULL);

-- A member_ref that looks like a person's data (an operator that keys its
-- members by id number or phone) gets the pseudonym the stage gave it
-- (hz_ref_pseudo), apart, and only when the stage gave one: few operators
-- do. A refused row's too, whose key must stay what the stage made of it
-- (the refused keys are known keys: transform.defineKnown).
SET VARIABLE pseudonymous_refs = (SELECT count(*) FROM stage_members WHERE starts_with(member_ref, 'HZ1:'));

UPDATE raw.members
SET member_ref = hz_ref_pseudo(hz_code(member_ref))
WHERE getvariable('pseudonymous_refs') > 0
  AND list_contains(getvariable('new_load_ids'), load_id) AND hz_plain_ref(member_ref);

-- The columns beyond the contract, apart: an operator seldom sends any,
-- and a fourth column in the first update cost every row its rewrite.
UPDATE raw.members
SET extra = hz_mask_extra(extra)
WHERE load_id IN (SELECT load_id FROM new_loads) AND extra IS NOT NULL AND extra <> hz_mask_extra(extra);

-- A refused row may hold a person's data in another column (an export that
-- swapped or shifted columns: the id number under union_code, the phone
-- under status): such values are masked too. Only refused rows can: in a
-- kept one each of these columns passed its check (a date, an enum, a
-- valid USCC), which no such value does (member_ref, a free code, got its
-- pseudonym above). Masking keeps a refused row refused for the same
-- reason on a full rebuild: the value failed its check, and '***' fails it
-- too. The refused rows are joined by rowid, and the tests are in the
-- SET (every refused row is written, the values without personal data as
-- they were): a test in the WHERE would run on every row of raw before
-- the join (0.7 s at 1 M members). (Their rowids as a list tested by
-- list_contains compared every row of raw with every element: 0.06 s for
-- 151 refused members, and at 96 k refused about a minute, where the join
-- takes 0.35 s.)
UPDATE raw.members AS r
SET operator_code = CASE WHEN hz_looks_personal(operator_code) THEN '***' ELSE operator_code END,
    gender = CASE WHEN hz_looks_personal(gender) THEN '***' ELSE gender END,
    birth_date = CASE WHEN hz_looks_personal(birth_date) THEN '***' ELSE birth_date END,
    union_code = CASE WHEN hz_looks_personal(union_code) THEN '***' ELSE union_code END,
    joined_on = CASE WHEN hz_looks_personal(joined_on) THEN '***' ELSE joined_on END,
    status = CASE WHEN hz_looks_personal(status) THEN '***' ELSE status END,
    updated_at = CASE WHEN hz_looks_personal(updated_at) THEN '***' ELSE updated_at END
FROM (SELECT raw_row FROM stage_members WHERE verdict IS NOT NULL) AS f
WHERE r.rowid = f.raw_row;

-- Nothing of the loads may keep plaintext: a row the update missed is an
-- error, never a leak. (By the prefix: the update wrote every value of the
-- rows it met in the exact form, so a row that still lacks the prefix is
-- one it missed; testing the exact form of three million values cost 0.2 s
-- more at 1 M members.)
SELECT error('transform members: ' || count(*) || ' raw rows still hold personal data after the scrub')
FROM raw.members
WHERE load_id IN (SELECT load_id FROM new_loads)
  AND ((id_number IS NOT NULL AND NOT starts_with(id_number, 'HZ1:') AND hz_code(id_number) IS NOT NULL)
       OR (name IS NOT NULL AND NOT starts_with(name, 'HZ1:'))
       OR (phone IS NOT NULL AND NOT starts_with(phone, 'HZ1:'))
       OR (extra IS NOT NULL AND extra <> hz_mask_extra(extra)))
HAVING count(*) > 0;

-- Nor the other columns of a refused row (joined by rowid; the tests in a
-- FILTER, which runs after the join).
SELECT error('transform members: ' || n || ' refused raw rows still hold personal data in other columns after the scrub')
FROM (
    SELECT count(*) FILTER (WHERE hz_looks_personal(operator_code) OR hz_looks_personal(gender)
        OR hz_looks_personal(birth_date) OR hz_looks_personal(union_code) OR hz_looks_personal(joined_on)
        OR hz_looks_personal(status) OR hz_looks_personal(updated_at)) AS n
    FROM raw.members AS r
    SEMI JOIN stage_members AS f ON f.raw_row = r.rowid AND f.verdict IS NOT NULL
)
WHERE n > 0
