-- After members are transformed, their raw rows keep no plaintext personal
-- data: the id number becomes "HZ1:<pseudonym>:<birth>:<sex>:<region>:<valid>"
-- (what stage_members needs to type the row again on a full rebuild), name
-- and phone "HZ1:<pseudonym>". The rows that held plaintext are rewritten
-- (deleted, inserted again as stage_members.sql made them in
-- scrubbed_members): a bulk UPDATE of text columns is far slower in DuckDB.
DELETE FROM raw.members
WHERE load_id IN (SELECT load_id FROM new_loads) AND hz_plain_member(id_number, name, phone);

INSERT INTO raw.members SELECT * FROM scrubbed_members;

DROP TABLE scrubbed_members
