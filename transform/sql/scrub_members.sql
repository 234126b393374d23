-- After members are transformed, their raw rows keep no plaintext personal
-- data: the id number becomes "HZ1:<pseudonym>:<birth>:<sex>:<region>:<valid>"
-- (what stage_members needs to type the row again on a full rebuild), name
-- and phone "HZ1:<pseudonym>".
UPDATE raw.members AS r SET
    id_number = CASE WHEN starts_with(r.id_number, 'HZ1:') THEN r.id_number
        ELSE 'HZ1:' || hz_pseudo(hz_code(r.id_number))
            || ':' || coalesce(strftime(try_strptime(substr(hz_code(r.id_number), 7, 8), '%Y%m%d'), '%Y%m%d'), '')
            || ':' || CASE WHEN try_cast(substr(hz_code(r.id_number), 17, 1) AS INTEGER) % 2 = 1 THEN 'M' ELSE 'F' END
            || ':' || coalesce(substr(hz_code(r.id_number), 1, 6), '')
            || ':' || CASE WHEN hz_id_ok(hz_code(r.id_number)) THEN '1' ELSE '0' END END,
    name = CASE WHEN r.name IS NULL OR starts_with(r.name, 'HZ1:') THEN r.name ELSE 'HZ1:' || hz_pseudo(hz_text(r.name)) END,
    phone = CASE WHEN r.phone IS NULL OR starts_with(r.phone, 'HZ1:') THEN r.phone ELSE 'HZ1:' || hz_pseudo(r.phone) END
WHERE r.load_id IN (SELECT load_id FROM new_loads)
