-- The four schemas of the warehouse and the operational tables of marts.md
-- ("Operational tables (schema ops)"). Money, where a table has any, is
-- DECIMAL(18,2); these have none. Timestamps are TIMESTAMPTZ (instants).

CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS mart;
CREATE SCHEMA IF NOT EXISTS ops;

-- One row per huzhu run, written by BeginRun and completed by FinishRun.
-- stages is a JSON document (the stage list, then the per-stage results).
CREATE TABLE ops.runs (
    run_id       VARCHAR PRIMARY KEY,
    started_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ,
    status       VARCHAR NOT NULL,
    exit_code    INTEGER,
    stages       VARCHAR,
    config_hash  VARCHAR,
    code_version VARCHAR
);

-- One row per batch loaded into raw.* (the load manifest).
CREATE TABLE ops.loads (
    load_id          VARCHAR PRIMARY KEY,
    run_id           VARCHAR NOT NULL,
    operator_code    VARCHAR NOT NULL,
    source_kind      VARCHAR NOT NULL,
    entity           VARCHAR NOT NULL,
    batch            VARCHAR,
    rows_received    BIGINT,
    rows_loaded      BIGINT,
    rows_quarantined BIGINT,
    watermark_from   VARCHAR,
    watermark_to     VARCHAR,
    checksum         VARCHAR,
    status           VARCHAR,
    reason           VARCHAR,
    loaded_at        TIMESTAMPTZ
);

-- Where the next pull of a source and entity resumes.
CREATE TABLE ops.watermarks (
    operator_code VARCHAR NOT NULL,
    source_kind   VARCHAR NOT NULL,
    entity        VARCHAR NOT NULL,
    watermark     VARCHAR,
    cursor        VARCHAR,
    updated_at    TIMESTAMPTZ,
    PRIMARY KEY (operator_code, source_kind, entity)
);

-- Rows refused by extract or transform, with personal data masked in
-- raw_record. source_row is file + line, or page + index.
CREATE TABLE ops.quarantine (
    load_id     VARCHAR NOT NULL,
    entity      VARCHAR NOT NULL,
    source_row  VARCHAR,
    reason_code VARCHAR NOT NULL,
    reason      VARCHAR,
    raw_record  VARCHAR
);

-- Rows in = rows kept + quarantined (+ duplicates), per run, operator and
-- entity; difference is what is left unexplained and must be 0.
CREATE TABLE ops.reconciliation (
    run_id                 VARCHAR NOT NULL,
    operator_code          VARCHAR NOT NULL,
    entity                 VARCHAR NOT NULL,
    operator_reported_rows BIGINT,
    received               BIGINT,
    kept                   BIGINT,
    quarantined            BIGINT,
    duplicates             BIGINT,
    difference             BIGINT
);
