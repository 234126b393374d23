-- The USCCs known to be valid, made before the stage model of a run that
-- reads it (the members', whose header names valid_uscc: it depends on
-- organisations) and again after organisations brought new ones
-- (transform.runState): the operators of every load and the organisations
-- sent (known_organizations: transform.defineKnown) that pass hz_uscc_ok.
-- The members' stage checks a union_code against this table first and runs
-- hz_uscc_ok only on a code not in it: the
-- check costs about 0.1 µs a character, and these columns repeat a few
-- thousand codes over millions of rows (two checks were 1 s of the
-- enrolments' stage at 1 M members). What the table holds changes how fast
-- a stage runs, never what it decides.
CREATE OR REPLACE TEMP TABLE valid_uscc AS
SELECT code
FROM (
    SELECT DISTINCT operator_code AS code FROM ops.loads
    UNION
    SELECT org_code FROM known_organizations
)
WHERE hz_uscc_ok(code);
