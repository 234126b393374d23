-- Records the fingerprint $1 of the run $2's key, the warehouse's first.
INSERT INTO ops.pseudonym_key (fingerprint, first_run) VALUES ($1, $2)
