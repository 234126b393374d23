-- Which loads the transform has taken into core, so that a night transforms
-- only what arrived since the last run.
CREATE TABLE ops.transform_loads (
    load_id        VARCHAR PRIMARY KEY,
    entity         VARCHAR NOT NULL,
    run_id         VARCHAR,
    transformed_at TIMESTAMPTZ
);
