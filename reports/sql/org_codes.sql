-- reads: core.dim_org
-- Every organisation code (operators, federations, grassroots unions): the
-- 18-character codes the reports may print, which the privacy gate lets
-- through though they have the shape of an id number.
SELECT DISTINCT org_code FROM core.dim_org WHERE org_code IS NOT NULL ORDER BY 1
