-- model: stage_members
-- depends: new_loads, known_organizations
-- Types and checks members (shape: see stage_organizations.sql). The id
-- number, name and phone become HMAC pseudonyms here; what the pipeline
-- keeps of a person is birth date and year, gender and the region of the
-- id number. A raw row whose personal data was already replaced (after an
-- earlier transform: "HZ1:<pseudonym>:<birth>:<sex>:<region>:<valid>")
-- yields the same columns. A load extract pseudonymised as it arrived
-- (new_loads pseudonymised: extract/pseudonymise.go) holds nothing else:
-- every id number is blank or its scrubbed form, every name and phone
-- null or "HZ1:" and its pseudonym, which the stage then reads by place
-- without testing the form again (the three regular expressions cost
-- 0.4 s at 1 M members; TestPseudonymisedAtExtract holds the two ways to
-- the same core, and the scrub's last test still refuses a value without
-- the prefix).
CREATE OR REPLACE TEMP TABLE stage_members AS
WITH r AS (
    SELECT r.*, r.rowid AS raw_row, n.load_no, n.loaded_at, n.batch_day,
           n.pseudonymised AS pseud,
           CASE WHEN n.pseudonymised THEN starts_with(r.id_number, 'HZ1:') ELSE hz_scrubbed_id(r.id_number) END AS scrubbed,
           -- once here: a macro repeats its argument wherever it names it.
           -- Neither is read of a scrubbed id number (idn: every use below
           -- is in the branch of an id number not scrubbed) nor of a load
           -- extract pseudonymised (name_t): DuckDB works out a column of a
           -- CTE for every row, and those rows skip it (hz_code of 56
           -- characters and NFC of every member: 0.2 thread-s at 1 M).
           CASE WHEN n.pseudonymised AND starts_with(r.id_number, 'HZ1:') THEN NULL ELSE hz_code(r.id_number) END AS idn,
           CASE WHEN NOT n.pseudonymised THEN hz_text(r.name) END AS name_t,
           hz_code(r.member_ref) AS member_c
    FROM raw.members AS r
    JOIN new_loads AS n USING (load_id)
    WHERE list_contains(getvariable('new_load_ids'), r.load_id)
), t AS (
    SELECT load_id, load_no, loaded_at, source_pos, source_operator, batch_day,
        hz_operator(operator_code, source_operator) AS operator_code,
        hz_ref_pseudo(member_c) AS member_ref,
        -- A scrubbed id number holds its pseudonym at a fixed place (the
        -- test hz_pseudo would run again cost 0.085 s at 1 M members).
        CASE WHEN scrubbed THEN substr(id_number, 5, 32) ELSE hz_pseudo(idn) END AS id_pseudo,
        CASE WHEN pseud THEN substr(name, 5, 32) ELSE hz_pseudo(name_t) END AS name_pseudo,
        CASE WHEN pseud THEN substr(phone, 5, 32) ELSE hz_pseudo(phone) END AS phone_pseudo,
        gender,
        hz_date(birth_date) AS birth_date,
        hz_code(union_code) AS union_code,
        hz_date(joined_on) AS joined_on,
        status,
        hz_ts(updated_at) AS updated_at,
        CASE WHEN scrubbed THEN hz_id_part(id_number, 6) = '1' ELSE hz_id_ok(idn) END AS id_ok,
        try_strptime(CASE WHEN scrubbed THEN hz_id_part(id_number, 3) ELSE substr(idn, 7, 8) END, '%Y%m%d')::DATE AS id_birth,
        CASE WHEN scrubbed THEN hz_id_part(id_number, 4)
             WHEN try_cast(substr(idn, 17, 1) AS INTEGER) % 2 = 1 THEN 'M' ELSE 'F' END AS id_gender,
        CASE WHEN scrubbed THEN hz_id_part(id_number, 5) ELSE substr(idn, 1, 6) END AS id_region,
        -- An id number of blanks is none (what the scrub leaves of it, and
        -- what extract sends when it pseudonymises: extract/pseudonymise.go).
        operator_code AS operator_raw, member_ref AS member_raw,
        CASE WHEN scrubbed THEN id_number ELSE idn END AS id_raw, name AS name_raw,
        phone AS phone_raw, birth_date AS birth_raw, union_code AS union_raw, joined_on AS joined_raw,
        r.updated_at AS updated_raw, raw_row, pseud
    FROM r
)
SELECT load_id, load_no, loaded_at, source_pos, raw_row, source_operator, batch_day,
    operator_code, member_ref, id_pseudo, name_pseudo, phone_pseudo, gender, birth_date,
    year(birth_date) AS birth_year, id_region AS region_code, union_code, joined_on, status, updated_at,
    CASE
        -- The OR chain tests every row cheaply; the fields are named only for
        -- the rows it refuses (a list made for every row cost 0.08 s of 4.8 M
        -- receipts).
        WHEN operator_raw IS NULL OR member_raw IS NULL OR id_raw IS NULL OR nullif(name_raw, '') IS NULL OR gender IS NULL
          OR birth_raw IS NULL OR union_raw IS NULL OR joined_raw IS NULL OR status IS NULL OR updated_raw IS NULL
            THEN 'missing_field:required field empty: ' || concat_ws(', ',
                CASE WHEN operator_raw IS NULL THEN 'operator_code' END,
                CASE WHEN member_raw IS NULL THEN 'member_ref' END,
                CASE WHEN id_raw IS NULL THEN 'id_number' END,
                CASE WHEN nullif(name_raw, '') IS NULL THEN 'name' END,
                CASE WHEN gender IS NULL THEN 'gender' END,
                CASE WHEN birth_raw IS NULL THEN 'birth_date' END,
                CASE WHEN union_raw IS NULL THEN 'union_code' END,
                CASE WHEN joined_raw IS NULL THEN 'joined_on' END,
                CASE WHEN status IS NULL THEN 'status' END,
                CASE WHEN updated_raw IS NULL THEN 'updated_at' END)
        WHEN operator_code IS DISTINCT FROM source_operator THEN 'operator_mismatch:operator_code is not the source''s operator'
        WHEN NOT list_contains(getvariable('valid_operators'), operator_code) AND NOT hz_uscc_ok(operator_code) THEN 'bad_uscc:operator_code is not a valid USCC'
        WHEN u.valid IS NOT TRUE AND NOT hz_uscc_ok(union_code) THEN 'bad_uscc:union_code is not a valid USCC'
        WHEN NOT id_ok THEN 'bad_idno:id_number is not a valid citizen id number'
        WHEN birth_date IS NULL THEN 'bad_date:birth_date is not a date'
        WHEN joined_on IS NULL THEN 'bad_date:joined_on is not a date'
        WHEN updated_at IS NULL THEN 'bad_ts:updated_at is not a timestamp'
        WHEN gender NOT IN ('M', 'F') THEN 'bad_enum:gender is not M or F'
        WHEN status NOT IN ('active', 'left') THEN 'bad_enum:status is not a contract value'
        WHEN birth_date <> id_birth THEN 'idno_mismatch:birth_date disagrees with the id number'
        WHEN gender <> id_gender THEN 'idno_mismatch:gender disagrees with the id number'
        WHEN joined_on > batch_day THEN 'future_date:joined_on is after the batch date'
        WHEN u.found IS NULL THEN 'unknown_ref:union_code is no known organisation'
    END AS verdict,
    -- For sql/scrub_members.sql only (settle.sql.tmpl keeps them out of the
    -- versions): with the pseudonyms and the region, what the id number
    -- says of the person, from which the scrub makes the values that
    -- replace the raw row's personal data. (Those values themselves, three
    -- columns of pseudonyms that do not compress, made the stage slower to
    -- write into core: transform.fuseStage.) Null for a load extract
    -- pseudonymised, which the scrub leaves alone: three columns written
    -- for nothing cost 0.1–0.2 thread-s at 1 M members.
    CASE WHEN NOT pseud THEN id_birth END AS scrub_birth,
    CASE WHEN NOT pseud THEN id_gender END AS scrub_gender,
    CASE WHEN NOT pseud THEN id_ok END AS scrub_ok
FROM t
-- the union among the organisations sent, with whether its code is a
-- valid USCC: one join for both checks, as the enrolments' payer (the
-- USCC check runs where it stands only for a union no organisation sent)
LEFT JOIN (SELECT org_code, true AS found, hz_uscc_ok(org_code) AS valid
           FROM known_organizations GROUP BY org_code) AS u
    ON u.org_code = t.union_code;
