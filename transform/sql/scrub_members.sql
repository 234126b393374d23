-- After members are transformed, their raw rows keep no plaintext personal
-- data: the id number becomes "HZ1:<pseudonym>:<birth>:<sex>:<region>:<valid>"
-- (what stage_members needs to type the row again on a full rebuild), name
-- and phone "HZ1:<pseudonym>". The rows are rewritten (copied, deleted,
-- inserted again): a bulk UPDATE of text columns is far slower in DuckDB.
CREATE OR REPLACE TEMP TABLE scrubbed_members AS
WITH r AS (
    -- the pseudonyms come from the stage, which computed them (HMAC-SHA256
    -- costs about a microsecond each: computing them twice was a third
    -- of the members' time)
    SELECT r.*, hz_code(r.id_number) AS idn, s.id_pseudo, s.name_pseudo, s.phone_pseudo
    FROM raw.members AS r
    JOIN stage_members AS s USING (load_id, source_pos)
    WHERE r.load_id IN (SELECT load_id FROM new_loads)
)
SELECT * EXCLUDE (idn, id_pseudo, name_pseudo, phone_pseudo) REPLACE (
    CASE WHEN starts_with(id_number, 'HZ1:') THEN id_number
        ELSE 'HZ1:' || id_pseudo
            || ':' || coalesce(strftime(try_strptime(substr(idn, 7, 8), '%Y%m%d'), '%Y%m%d'), '')
            || ':' || CASE WHEN try_cast(substr(idn, 17, 1) AS INTEGER) % 2 = 1 THEN 'M' ELSE 'F' END
            || ':' || coalesce(substr(idn, 1, 6), '')
            || ':' || CASE WHEN hz_id_ok(idn) THEN '1' ELSE '0' END END AS id_number,
    CASE WHEN name IS NULL OR starts_with(name, 'HZ1:') THEN name ELSE 'HZ1:' || name_pseudo END AS name,
    CASE WHEN phone IS NULL OR starts_with(phone, 'HZ1:') THEN phone ELSE 'HZ1:' || phone_pseudo END AS phone)
FROM r;

DELETE FROM raw.members WHERE load_id IN (SELECT load_id FROM new_loads);

INSERT INTO raw.members SELECT * FROM scrubbed_members;

DROP TABLE scrubbed_members
