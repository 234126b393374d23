-- The rows a source committed to raw in a run, and the records it
-- quarantined (a line that does not split, invalid UTF-8): its loads of the
-- run that stand (a batch refused after it began loading was taken back,
-- loads and rows).
SELECT coalesce(sum(rows_loaded), 0), coalesce(sum(rows_quarantined), 0)
FROM ops.loads
WHERE run_id = ? AND operator_code = ? AND source_kind = ? AND status = 'loaded'
