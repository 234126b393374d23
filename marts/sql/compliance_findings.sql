-- model: mart.compliance_findings
-- depends: rule.*
-- Every rule model adds its hits to the temp table rule_hits (see
-- marts.go); this model turns them into findings that supervisors can track
-- from run to run. A finding's id is a hash of its rule and subject, so the
-- same breach keeps its id: first_seen_run stays, last_seen_run moves on,
-- and a finding no longer hit is 'resolved' (resolved_run: the run that
-- found it so; NULL while open, and again when it comes back). Every row
-- names the run whose findings this run's were compared with
-- (previous_run: the one that built the table before, NULL at first), so
-- that "resolved since the last run" is exact however many runs ago a
-- finding went. Clause, severity (unless the rule set its own) and the
-- threshold in force come from the catalogue.
CREATE TABLE IF NOT EXISTS mart.compliance_findings (
    finding_id     VARCHAR PRIMARY KEY,
    rule_id        VARCHAR NOT NULL,
    clause         VARCHAR,
    severity       VARCHAR,
    pool_code      VARCHAR,
    operator_code  VARCHAR,
    activity_code  VARCHAR,
    fiscal_year    INTEGER,
    subject_kind   VARCHAR,
    subject_ref    VARCHAR,
    amount         DECIMAL(18, 2),
    detail         VARCHAR,
    threshold      VARCHAR,
    first_seen_run VARCHAR,
    last_seen_run  VARCHAR,
    status         VARCHAR,
    run_id         VARCHAR
);
-- Added after the first release: a table of an older build gets them.
ALTER TABLE mart.compliance_findings ADD COLUMN IF NOT EXISTS resolved_run VARCHAR;
ALTER TABLE mart.compliance_findings ADD COLUMN IF NOT EXISTS previous_run VARCHAR;

-- The run that built the findings before this one (every row of the table
-- carries it in run_id).
SET VARIABLE previous_findings_run = (SELECT max(run_id) FROM mart.compliance_findings);

CREATE OR REPLACE TEMP TABLE findings_now AS
SELECT substr(md5(h.rule_id || '|' || coalesce(h.operator_code, '') || '|' || h.subject_kind || '|' || h.subject_ref
            || '|' || coalesce(CAST(h.fiscal_year AS VARCHAR), '')), 1, 16) AS finding_id,
    h.rule_id, c.clause, coalesce(h.severity, c.severity) AS severity,
    h.pool_code, h.operator_code, h.activity_code, h.fiscal_year, h.subject_kind, h.subject_ref,
    CAST(h.amount AS DECIMAL(18, 2)) AS amount, h.detail, c.threshold
FROM rule_hits AS h
JOIN rule_catalogue AS c USING (rule_id)
QUALIFY row_number() OVER (PARTITION BY finding_id ORDER BY h.detail) = 1;

-- Findings seen before and not now are resolved; the others are this run's.
UPDATE mart.compliance_findings
SET resolved_run = CASE WHEN status = 'open' THEN getvariable('run_id') ELSE resolved_run END,
    status = 'resolved', run_id = getvariable('run_id')
WHERE finding_id NOT IN (SELECT finding_id FROM findings_now);

INSERT INTO mart.compliance_findings BY NAME
SELECT n.*, coalesce(p.first_seen_run, getvariable('run_id')) AS first_seen_run, getvariable('run_id') AS last_seen_run,
    'open' AS status, getvariable('run_id') AS run_id, NULL AS resolved_run
FROM findings_now AS n
LEFT JOIN mart.compliance_findings AS p USING (finding_id)
ON CONFLICT (finding_id) DO UPDATE SET
    clause = excluded.clause, severity = excluded.severity, pool_code = excluded.pool_code,
    activity_code = excluded.activity_code, amount = excluded.amount, detail = excluded.detail,
    threshold = excluded.threshold, last_seen_run = excluded.last_seen_run, status = 'open',
    run_id = excluded.run_id, resolved_run = NULL;

UPDATE mart.compliance_findings SET previous_run = getvariable('previous_findings_run')
