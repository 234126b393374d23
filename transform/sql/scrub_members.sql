-- After members are transformed, their raw rows keep no plaintext personal
-- data: the rows of the loads that still hold some get the id number, name
-- and phone stage_members.sql made for them (scrub_*, beside the row's
-- rowid: taken before the entity's transaction, in which nothing else
-- writes raw.members; the load and position are compared too). Three
-- columns updated by rowid cost half of deleting the rows and inserting
-- them again.
UPDATE raw.members AS r
SET id_number = s.scrub_id_number, name = s.scrub_name, phone = s.scrub_phone
FROM stage_members AS s
WHERE r.rowid = s.raw_row AND r.load_id = s.load_id AND r.source_pos = s.source_pos
  AND hz_plain_member(r.id_number, r.name, r.phone);

-- Nothing of the loads may keep plaintext: a row the update missed is an
-- error, never a leak.
SELECT error('transform members: ' || count(*) || ' raw rows still hold personal data after the scrub')
FROM raw.members
WHERE load_id IN (SELECT load_id FROM new_loads) AND hz_plain_member(id_number, name, phone)
HAVING count(*) > 0
