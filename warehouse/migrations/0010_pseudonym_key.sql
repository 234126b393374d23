-- The fingerprint of the key the warehouse's pseudonyms were made under
-- (HMAC-SHA256 of a fixed text under the key, 32 hex digits: it tells
-- keys apart and gives nothing of the key). The first transform records
-- it; a transform under another key is refused, since its pseudonyms
-- would not match those already made (raw keeps only the pseudonyms, so
-- no run can remake them under a new key).
CREATE TABLE ops.pseudonym_key (
    fingerprint VARCHAR NOT NULL,
    first_run   VARCHAR NOT NULL
);
