-- mart.disclosure_breakdown, suppressed cells NULL; the bucket '' is a
-- suppressed activity-year's whole margin (NULL in the mart), whose groups
-- are not named.
SELECT fiscal_year, operator_code, activity_code, dimension, coalesce(bucket, ''),
    claims_paid, CAST(benefits_paid AS VARCHAR), suppressed
FROM mart.disclosure_breakdown
-- Buckets in reading order: an age band "<30" before "30-39", "other" and
-- "unknown" last.
ORDER BY operator_code, activity_code, fiscal_year, dimension, bucket IN ('other', 'unknown'), NOT starts_with(bucket, '<'), bucket
