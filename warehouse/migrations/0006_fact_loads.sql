-- Which loads' versions a fact maintained incrementally already holds
-- (core.fact_contribution): a night applies only the others.
CREATE TABLE ops.fact_loads (
    fact    VARCHAR NOT NULL,
    load_id VARCHAR NOT NULL
);
