-- The fingerprint of the key the warehouse's pseudonyms were made under,
-- if any was recorded (ops.pseudonym_key holds one row).
SELECT fingerprint, first_run FROM ops.pseudonym_key LIMIT 1
