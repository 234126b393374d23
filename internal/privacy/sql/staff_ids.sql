-- Staff ids, read only for the privacy gate's deny list; never published.
SELECT DISTINCT staff_id FROM core.dim_staff WHERE staff_id IS NOT NULL ORDER BY 1
