-- The USCCs known to be valid, made before the first stage model of a run
-- that needs it and again after organisations brought new ones
-- (transform.runState): the operators of every load and the organisations
-- sent (known_organizations: transform.defineKnown) that pass hz_uscc_ok.
-- The stage models check an operator_code, payer_union_code or union_code
-- against this table first and run hz_uscc_ok only on a code not in it: the
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

-- The loads' operators among them, as a list: the stage models test a
-- record's operator_code against it (past the operator_mismatch check it
-- is the source's operator), a few codes compared in the projection,
-- where a join to this table marked 4.8 M receipts for 0.08 thread-s at
-- 1 M members. A code not in it is checked where it stands, as above.
SET VARIABLE valid_operators = (
    SELECT coalesce(list(code ORDER BY code), [])
    FROM valid_uscc
    WHERE code IN (SELECT operator_code FROM ops.loads))
