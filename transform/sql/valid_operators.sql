-- The operators of the loads whose codes are valid USCCs, as a list, set
-- once a run on each connection of the transform (transform.prepareWorker):
-- the stage models test a record's operator_code against it (past the
-- operator_mismatch check it is the source's operator), a few codes
-- compared in the projection, where a join to a table of them marked 4.8 M
-- receipts for 0.08 thread-s at 1 M members. A code not in it is checked
-- where it stands (hz_uscc_ok); what the list holds changes how fast a
-- stage runs, never what it decides. ops.loads does not change while the
-- transform runs: extract and the transform take the same lock.
SET VARIABLE valid_operators = (
    SELECT coalesce(list(DISTINCT operator_code ORDER BY operator_code), [])
    FROM ops.loads
    WHERE hz_uscc_ok(operator_code))
