-- The fatal_rules gate: the open findings of rule $1.
SELECT count(*) FROM mart.compliance_findings WHERE rule_id = $1 AND status = 'open'
