-- model: stage_organizations
-- depends: new_loads, core.dim_region
-- Types and checks organisations. The shape of every stage_<entity> model:
-- the meta columns (load_id, load_no, loaded_at, source_pos, source_operator,
-- batch_day), the typed columns, then verdict: NULL for a good row, else
-- '<reason_code>:<reason>' for the first check it fails (README,
-- "Quarantine reason codes"). The settle step (settle.sql.tmpl) does the
-- rest, the quarantined record's JSON included.
CREATE OR REPLACE TEMP TABLE stage_organizations AS
WITH r AS (
    SELECT r.*, r.rowid AS raw_row, n.load_no, n.loaded_at, n.batch_day
    FROM raw.organizations AS r
    JOIN new_loads AS n USING (load_id)
    WHERE list_contains(getvariable('new_load_ids'), r.load_id)
), t AS (
    SELECT load_id, load_no, loaded_at, source_pos, raw_row, source_operator, batch_day,
        hz_code(org_code) AS org_code,
        hz_text(name) AS name,
        org_type,
        level,
        hz_code(parent_code) AS parent_code,
        hz_code(region_code) AS region_code,
        hz_code(pool_code) AS pool_code,
        status,
        hz_ts(updated_at) AS updated_at,
        r.updated_at AS updated_at_raw
    FROM r
)
SELECT t.* EXCLUDE (updated_at_raw),
    CASE
        -- The OR chain tests every row cheaply; the fields are named only for
        -- the rows it refuses (a list made for every row cost 0.08 s of 4.8 M
        -- receipts).
        WHEN org_code IS NULL OR name IS NULL OR org_type IS NULL OR level IS NULL OR region_code IS NULL
          OR pool_code IS NULL OR status IS NULL OR updated_at_raw IS NULL THEN 'missing_field:required field empty: ' || concat_ws(', ',
                CASE WHEN org_code IS NULL THEN 'org_code' END,
                CASE WHEN name IS NULL THEN 'name' END,
                CASE WHEN org_type IS NULL THEN 'org_type' END,
                CASE WHEN level IS NULL THEN 'level' END,
                CASE WHEN region_code IS NULL THEN 'region_code' END,
                CASE WHEN pool_code IS NULL THEN 'pool_code' END,
                CASE WHEN status IS NULL THEN 'status' END,
                CASE WHEN updated_at_raw IS NULL THEN 'updated_at' END)
        WHEN NOT hz_uscc_ok(org_code) THEN 'bad_uscc:org_code is not a valid USCC'
        WHEN parent_code IS NOT NULL AND NOT hz_uscc_ok(parent_code) THEN 'bad_uscc:parent_code is not a valid USCC'
        WHEN updated_at IS NULL THEN 'bad_ts:updated_at is not a timestamp'
        WHEN org_type NOT IN ('federation', 'mutual_aid_org', 'grassroots_union') THEN 'bad_enum:org_type is not a contract value'
        WHEN level NOT IN ('national', 'provincial', 'city', 'county', 'grassroots') THEN 'bad_enum:level is not a contract value'
        WHEN status NOT IN ('active', 'closed') THEN 'bad_enum:status is not a contract value'
        WHEN region_code NOT IN (SELECT region_code FROM core.dim_region) THEN 'bad_region:region_code is not in the GB/T 2260 table'
    END AS verdict
FROM t
