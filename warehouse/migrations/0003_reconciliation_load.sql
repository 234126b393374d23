-- Which unit a reconciliation row is about, so that a file batch taken back
-- (refused after some of its files were committed) takes its rows with it.
ALTER TABLE ops.reconciliation ADD COLUMN load_id VARCHAR;
