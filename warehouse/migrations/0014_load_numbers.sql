-- Each load's number in the warehouse, which a version keeps instead of
-- the load's id (core.v_<entity>.load_no): the id is twenty characters of
-- text that DuckDB's writer compresses as it does any text, 0.5–0.7
-- thread-s of 4.8 M receipts at 1 M members, a number that repeats next
-- to nothing. The transform numbers the loads that have none at the start
-- of each run, in the order they were loaded (transform/sql/load_numbers.sql),
-- and then gives the versions of an older build their loads' numbers in
-- place of the ids (transform.numberVersions).
CREATE TABLE ops.load_numbers (
    load_id VARCHAR PRIMARY KEY,
    load_no BIGINT NOT NULL UNIQUE
);
