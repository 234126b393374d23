-- Whether core holds the staff (a national roll-up holds marts and
-- reference tables only).
SELECT count(*) FROM information_schema.tables WHERE table_schema = 'core' AND table_name = 'dim_staff'
