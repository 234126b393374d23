-- Whether extract replaced the load's personal data by pseudonyms as the
-- rows arrived (extract/pseudonymise.go): the transform's scrub of raw
-- skips such a load. NULL (a load of an earlier build, or of extract run
-- without the key) is false.
ALTER TABLE ops.loads ADD COLUMN pseudonymised BOOLEAN;
