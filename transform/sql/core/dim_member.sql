-- model: core.dim_member
-- depends: core.member_current
-- Members, pseudonymous: the current version of each, with what the
-- pipeline keeps of a person — pseudonyms, gender, birth year, an age band
-- (at the latest date the data describes, so the same data gives the same
-- bands), region. No name, id number or phone.
CREATE OR REPLACE VIEW core.dim_member AS
WITH cur AS (
    -- the current versions, kept night by night (sql/current_fact.sql.tmpl)
    SELECT * FROM core.member_current
), ref AS (
    -- the Beijing day, as the macro beijing_day (a view must not call a
    -- temp macro: readers on other connections do not have it)
    SELECT CAST(make_timestamp(epoch_us(max(updated_at)) + 28800000000) AS DATE) AS d FROM core.member_current
)
SELECT operator_code, member_ref, id_pseudo, name_pseudo, phone_pseudo, gender, birth_year,
    CASE
        WHEN date_diff('year', birth_date, ref.d) < 30 THEN '<30'
        WHEN date_diff('year', birth_date, ref.d) < 40 THEN '30-39'
        WHEN date_diff('year', birth_date, ref.d) < 50 THEN '40-49'
        WHEN date_diff('year', birth_date, ref.d) < 60 THEN '50-59'
        ELSE '60+'
    END AS age_band,
    region_code, union_code, joined_on, status, updated_at
FROM cur, ref
