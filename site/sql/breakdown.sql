-- mart.disclosure_breakdown, suppressed cells NULL.
SELECT fiscal_year, operator_code, activity_code, dimension, bucket,
    claims_paid, CAST(benefits_paid AS VARCHAR), suppressed
FROM mart.disclosure_breakdown
ORDER BY operator_code, activity_code, fiscal_year, dimension, bucket
