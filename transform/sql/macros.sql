-- The typing and check functions of the transform, as DuckDB macros: each
-- parses or checks one contract type (contract-v1, "Types") exactly as
-- internal/codes and internal/money do in Go; transform/macros_test.go
-- compares the two on every fuzz input. They are TEMP: created on the
-- transform's connection at the start of each run.

-- The typing macros (hz_code, hz_money, hz_date, hz_ts) say NULL of NULL
-- in their first branch: the tests after it would, each in turn, and a
-- column that is mostly NULL (a receipt's refund_of) cost 0.12 thread-s of
-- 4.8 M receipts through hz_code, 0.07 so; a column without NULLs pays
-- nothing for the test.

-- The blank characters trimmed from either end of a code, a date, a
-- timestamp or an amount (internal/blank): Unicode white space — the ASCII
-- controls \t \n \v \f \r and the space, U+0085, the no-break space
-- U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F and the
-- ideographic space U+3000 — and the byte order mark and zero-width space
-- spreadsheets leave.
CREATE OR REPLACE TEMP MACRO hz_blank() AS
    chr(9) || chr(10) || chr(11) || chr(12) || chr(13) || '                  　﻿​';

-- code: full-width ASCII (U+FF01–FF5E) folded to ASCII (full-width
-- lower-case letters straight to upper-case: translate maps once) and the ideographic
-- space to a space, ASCII letters upper-cased, then Unicode white space (and
-- the BOM and zero-width space spreadsheets leave) trimmed from both ends;
-- NULL when nothing is left. As codes.NormalizeCode.
CREATE OR REPLACE TEMP MACRO hz_code_unicode(s) AS
    nullif(trim(
        translate(s, '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～　' || 'abcdefghijklmnopqrstuvwxyz', '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`ABCDEFGHIJKLMNOPQRSTUVWXYZ{|}~ ' || 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'),
        hz_blank()), '');

-- Most codes are plain ASCII (as many bytes as characters): trim and
-- upper-case them without the translate, which costs microseconds a call.
-- Most of those have nothing to trim (a first character above the space,
-- and a last that is none of the six the trim takes): upper-case only;
-- trim with a set of characters cost 0.4 s of 4.8 M receipt numbers. The
-- last character is tested by ends_with, which compares bytes: s[-1]
-- finds the last character of a text that may be UTF-8, 0.11 thread-s of
-- 4.8 M receipt numbers against 0.04.
CREATE OR REPLACE TEMP MACRO hz_code(s) AS
    CASE WHEN s IS NULL THEN NULL
         WHEN ascii(s) > 32 AND strlen(s) = length(s)
              AND NOT (ends_with(s, ' ') OR ends_with(s, chr(9)) OR ends_with(s, chr(10))
                       OR ends_with(s, chr(11)) OR ends_with(s, chr(12)) OR ends_with(s, chr(13)))
            THEN upper(s)
         WHEN strlen(s) = length(s)
         THEN nullif(upper(trim(s, chr(9) || chr(10) || chr(11) || chr(12) || chr(13) || ' ')), '')
         ELSE hz_code_unicode(s) END;

-- A record's operator_code, which in nearly every row is exactly the
-- source's operator (source: 18 digits and capitals, the config says, a
-- code hz_code leaves as it is): compared first, as bytes, and hz_code'd
-- only when it differs (0.12 thread-s of 4.8 M
-- receipts at 1 M members through hz_code, 0.04 so).
CREATE OR REPLACE TEMP MACRO hz_operator(s, source) AS
    CASE WHEN s = source THEN source ELSE hz_code(s) END;

-- USCC (GB 32100-2015) with the GB 11714 organisation code inside it. The
-- weighted sums are written out term by term: DuckDB evaluates them as
-- plain vector arithmetic, many times faster than a list lambda a row.
CREATE OR REPLACE TEMP MACRO hz_uscc_value(c) AS instr('0123456789ABCDEFGHJKLMNPQRTUWXY', c) - 1;
CREATE OR REPLACE TEMP MACRO hz_uscc_ok(s) AS
    coalesce(
        regexp_full_match(s, '[1-9ANY][0-9A-HJ-NP-RTUW-Y][0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}')
        -- The organisation code's check: c = 11 - (sum mod 11) in 1..11,
        -- where 10 is X and 11 is 0: position c + 1 of '0123456789X0'.
        AND substr(s, 17, 1) = substr('0123456789X0', 12 - (3 * (instr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', substr(s, 9, 1)) - 1) + 7 * (instr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', substr(s, 10, 1)) - 1) + 9 * (instr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', substr(s, 11, 1)) - 1) + 10 * (instr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', substr(s, 12, 1)) - 1) + 5 * (instr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', substr(s, 13, 1)) - 1) + 8 * (instr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', substr(s, 14, 1)) - 1) + 4 * (instr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', substr(s, 15, 1)) - 1) + 2 * (instr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', substr(s, 16, 1)) - 1)) % 11, 1)
        AND substr(s, 18, 1) = substr('0123456789ABCDEFGHJKLMNPQRTUWXY',
            1 + (31 - (1 * hz_uscc_value(substr(s, 1, 1)) + 3 * hz_uscc_value(substr(s, 2, 1)) + 9 * hz_uscc_value(substr(s, 3, 1)) + 27 * hz_uscc_value(substr(s, 4, 1)) + 19 * hz_uscc_value(substr(s, 5, 1)) + 26 * hz_uscc_value(substr(s, 6, 1)) + 16 * hz_uscc_value(substr(s, 7, 1)) + 17 * hz_uscc_value(substr(s, 8, 1)) + 20 * hz_uscc_value(substr(s, 9, 1)) + 29 * hz_uscc_value(substr(s, 10, 1)) + 25 * hz_uscc_value(substr(s, 11, 1)) + 13 * hz_uscc_value(substr(s, 12, 1)) + 8 * hz_uscc_value(substr(s, 13, 1)) + 24 * hz_uscc_value(substr(s, 14, 1)) + 10 * hz_uscc_value(substr(s, 15, 1)) + 30 * hz_uscc_value(substr(s, 16, 1)) + 28 * hz_uscc_value(substr(s, 17, 1))) % 31) % 31, 1),
        false);

-- Citizen ID (GB 11643-1999): 17 digits, a birth date on or after 1800,
-- ISO 7064 MOD 11-2 check character; false for NULL. hz_valid_id is the
-- Go check (codes.ValidID) the transform registers: transform/checks.go.
CREATE OR REPLACE TEMP MACRO hz_id_ok(s) AS hz_valid_id(s) IS NOT NULL;

-- money: optional sign, digits, at most two decimals, under 10^16 yuan
-- (leading zeros aside); anything else (1,234.5 12.345 abc .5 5.) is NULL.
-- The blank characters around it (hz_blank) are trimmed. A value with
-- nothing to trim (first and last character printable ASCII) skips the
-- trim: trimming a set of characters cost 0.15 s of the claims' five
-- amounts at 1 M members, all of the check 0.07 s without.
CREATE OR REPLACE TEMP MACRO hz_money_trimmed(t) AS
    CASE WHEN regexp_full_match(t, '[+-]?0*[0-9]{1,16}(\.[0-9]{1,2})?') THEN CAST(t AS DECIMAL(18, 2)) END;
-- The usual form, digits, a point and two decimals (up to nine digits
-- before it), is tested by GLOB, one pattern for its length, a subset of
-- the regular expression's language: the receipts' amounts took 0.27 s at
-- 1 M members through the regular expression, 0.09 s so.
CREATE OR REPLACE TEMP MACRO hz_money_usual(s) AS
    CASE strlen(s)
        WHEN 4 THEN s GLOB '[0-9].[0-9][0-9]'
        WHEN 5 THEN s GLOB '[0-9][0-9].[0-9][0-9]'
        WHEN 6 THEN s GLOB '[0-9][0-9][0-9].[0-9][0-9]'
        WHEN 7 THEN s GLOB '[0-9][0-9][0-9][0-9].[0-9][0-9]'
        WHEN 8 THEN s GLOB '[0-9][0-9][0-9][0-9][0-9].[0-9][0-9]'
        WHEN 9 THEN s GLOB '[0-9][0-9][0-9][0-9][0-9][0-9].[0-9][0-9]'
        WHEN 10 THEN s GLOB '[0-9][0-9][0-9][0-9][0-9][0-9][0-9].[0-9][0-9]'
        WHEN 11 THEN s GLOB '[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9].[0-9][0-9]'
        WHEN 12 THEN s GLOB '[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9].[0-9][0-9]'
        ELSE false END;
CREATE OR REPLACE TEMP MACRO hz_money(s) AS
    CASE WHEN s IS NULL THEN NULL
         WHEN hz_money_usual(s) THEN CAST(s AS DECIMAL(18, 2))
         WHEN ascii(s) BETWEEN 33 AND 127 AND ascii(s[-1]) BETWEEN 33 AND 127 THEN hz_money_trimmed(s)
         ELSE hz_money_trimmed(trim(s, hz_blank())) END;

-- Whether a value was sent for a nullable field: neither NULL nor empty or
-- blank. A CSV export that quotes every value writes a null as "", a JSON
-- one may send "": in a typed field (date, timestamp, money, number) an
-- empty text can only mean "none", not a value that fails to parse.
CREATE OR REPLACE TEMP MACRO hz_sent(s) AS length(trim(s, hz_blank())) > 0;

-- date: YYYY-MM-DD, a real calendar date; the blank characters around it
-- (hz_blank: a padded spreadsheet cell, a no-break or ideographic space)
-- are trimmed, as around an amount. The form is
-- tested with GLOB, whose character classes are exactly the regular
-- expression's [0-9]{4}-[0-9]{2}-[0-9]{2} here, and the value cast: at 1 M
-- members the receipts' two dates took 0.60 s through a regular
-- expression and strptime, 0.23 s so. A value that does not have the form
-- as sent (padded, or not a date) is trimmed and tested again.
CREATE OR REPLACE TEMP MACRO hz_date_form(s) AS
    CASE WHEN s GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' THEN try_cast(s AS DATE) END;
CREATE OR REPLACE TEMP MACRO hz_date(s) AS
    CASE WHEN s IS NULL THEN NULL
         WHEN s GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' THEN try_cast(s AS DATE)
         ELSE hz_date_form(trim(s, hz_blank())) END;

-- timestamp: RFC 3339 with an offset (fractions to the microsecond; hours
-- 00–23, minutes and seconds 00–59, in the offset too), or
-- YYYY-MM-DD HH:MM:SS meaning Beijing time (no summer time since 1991, so a
-- fixed +08:00).
-- Once the pattern holds, a value has an offset when it ends in Z or its
-- sixth character from the end is a sign (without an offset it is a digit
-- or a colon): a second regular expression cost 0.17 s of the receipts'
-- two instants at 1 M members.
-- RFC 3339 allows a lower-case t and z, which DuckDB's cast does not take:
-- a value that matches only once upper-cased is cast upper-cased. The
-- second test runs for the rows the first refused alone, so the values
-- written as usual pay nothing for it.
CREATE OR REPLACE TEMP MACRO hz_ts_cast(s) AS
    try_cast(CASE WHEN s[-1] = 'Z' OR s[-6] IN ('+', '-') THEN s ELSE s || '+08:00' END AS TIMESTAMPTZ);
CREATE OR REPLACE TEMP MACRO hz_ts_form(s) AS
    CASE WHEN regexp_full_match(s, '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?')
         THEN hz_ts_cast(s)
         WHEN regexp_full_match(upper(s), '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?')
         THEN hz_ts_cast(upper(s)) END;
-- White space around a timestamp is trimmed as around a date. The usual
-- forms (seconds, no fraction, an offset or none; T or a space) are tested
-- first with GLOB, a subset of the regular expression's language (an hour
-- 00–19 or 20–23, in the offset too: DuckDB's cast takes 24:00:00) that
-- needs neither hz_ts_cast's test of the end nor the regular expression:
-- the receipts' two instants at 1 M members took 0.85 s without it.
CREATE OR REPLACE TEMP MACRO hz_ts(s) AS
    CASE WHEN s IS NULL THEN NULL
         WHEN s GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][T ][01][0-9]:[0-5][0-9]:[0-5][0-9][-+][01][0-9]:[0-5][0-9]'
           OR s GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][T ]2[0-3]:[0-5][0-9]:[0-5][0-9][-+][01][0-9]:[0-5][0-9]'
            THEN try_cast(s AS TIMESTAMPTZ)
         WHEN s GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][T ][01][0-9]:[0-5][0-9]:[0-5][0-9]'
           OR s GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][T ]2[0-3]:[0-5][0-9]:[0-5][0-9]'
            THEN try_cast(s || '+08:00' AS TIMESTAMPTZ)
         WHEN ascii(s) BETWEEN 33 AND 127 AND ascii(s[-1]) BETWEEN 33 AND 127 THEN hz_ts_form(s)
         ELSE hz_ts_form(trim(s, hz_blank())) END;

-- beijing_day, the calendar day in Beijing of an instant, is the
-- warehouse's (warehouse/sql/macros.sql), defined first.

-- integer and decimal (not money) and boolean.
CREATE OR REPLACE TEMP MACRO hz_int(s) AS
    CASE WHEN regexp_full_match(s, '[+-]?[0-9]{1,18}') THEN CAST(s AS BIGINT) END;
CREATE OR REPLACE TEMP MACRO hz_decimal(s) AS
    CASE WHEN regexp_full_match(s, '[+-]?[0-9]+(\.[0-9]+)?') THEN try_cast(s AS DECIMAL(18, 6)) END;
CREATE OR REPLACE TEMP MACRO hz_bool(s) AS
    CASE s WHEN 'true' THEN true WHEN 'false' THEN false END;

-- text: NFC-normalised; emoji and ZWJ sequences pass unchanged; the empty
-- text is no text (NULL), as an unquoted empty CSV cell is: a "quote every
-- value" export writes null as "".
-- A text of ASCII, CJK unified ideographs (U+4E00–9FFF), CJK symbols and
-- punctuation (U+3000–303F but the combining tone marks U+302A–302F) and
-- full- and half-width forms (U+FF00–FFEF) is NFC already: none of those
-- characters has a canonical decomposition or combines with another, and
-- no combining mark is among them. It is kept as it is, tested by one
-- regular expression: DuckDB's nfc_normalize decomposes and recomposes
-- every text that is not ASCII, 0.8 µs a ledger line's summary (0.3
-- thread-s of the 193 k lines' summary and counterparty at 1 M members,
-- 0.1 so). FuzzText holds the two equal.
CREATE OR REPLACE TEMP MACRO hz_text(s) AS
    nullif(CASE WHEN regexp_full_match(s, '[\x{1}-\x{7F}\x{3000}-\x{3029}\x{3030}-\x{303F}\x{4E00}-\x{9FFF}\x{FF00}-\x{FFEF}]*') THEN s
                ELSE nfc_normalize(s) END, '');

-- A macro repeats its argument wherever its body names it: pass columns,
-- not expressions, to the macros below in hot paths.

-- A raw value the scrub replaced by its pseudonym: "HZ1:" and 32 hex
-- digits, or, for an id number, those and what it says of the person
-- (":<birth>:<sex>:<region>:<valid>", scrub_members.sql). Exactly that: a
-- value an operator sent that merely starts with "HZ1:" ("HZ1:钱怡怡") is
-- plaintext like any other, pseudonymised and scrubbed.
CREATE OR REPLACE TEMP MACRO hz_scrubbed(s) AS
    CASE WHEN starts_with(s, 'HZ1:') THEN regexp_full_match(s, 'HZ1:[0-9a-f]{32}') ELSE false END;
CREATE OR REPLACE TEMP MACRO hz_scrubbed_id(s) AS
    CASE WHEN starts_with(s, 'HZ1:') THEN regexp_full_match(s, 'HZ1:[0-9a-f]{32}:[0-9]{0,8}:[MF]:[^:]{0,6}:[01]') ELSE false END;
-- Field n of a scrubbed id number (split_part(s, ':', n): 3 the birth
-- date, 4 the sex, 5 the region, 6 valid or not), read by place when the
-- value is 56 characters long, which only a birth date of 8 digits and a
-- region of 6 characters make (nearly all of them): split_part cost twice
-- as much. FuzzIDPart holds the two alike.
CREATE OR REPLACE TEMP MACRO hz_id_part(s, n) AS
    CASE WHEN length(s) = 56 THEN CASE n WHEN 3 THEN substr(s, 38, 8) WHEN 4 THEN substr(s, 47, 1)
                                         WHEN 5 THEN substr(s, 49, 6) WHEN 6 THEN substr(s, 56, 1) END
         ELSE split_part(s, ':', n) END;

-- Pseudonyms: HMAC-SHA256 under the run's key, 32 hex digits, computed by
-- hz_hmac (a Go function the transform registers with the key:
-- transform/pseudo.go). A raw value already replaced by its pseudonym
-- keeps its pseudonym.
CREATE OR REPLACE TEMP MACRO hz_pseudo(s) AS
    CASE WHEN s IS NULL THEN NULL
         WHEN starts_with(s, 'HZ1:') AND regexp_full_match(s, 'HZ1:[0-9a-f]{32}(:[0-9]{0,8}:[MF]:[^:]{0,6}:[01])?')
            THEN substr(s, 5, 32)
         ELSE hz_hmac(s) END;

-- A value that looks like a person's data where the contract puts none (a
-- column of an entity of personal data that is not a personal one): a
-- Chinese character (a name), or a run of 11 or more digits (an id number,
-- a phone, a bank card), unless it is a valid USCC, an organisation's code
-- that often holds such a run. An operator's export that swapped or shifted
-- columns (the id number under union_code, the phone under status) puts
-- them there; such a row is refused, and its raw row and quarantine record
-- keep the value masked. hz_personal is privacy.LooksPersonal, extract's
-- test, registered by the transform (transform/checks.go).
CREATE OR REPLACE TEMP MACRO hz_looks_personal(s) AS hz_personal(s) IS NOT NULL;

-- A code that names a person (contract.PersonRef: a member_ref, a
-- staff_id and the references to them) and looks like a person's data —
-- an operator that keys its members or staff by their id numbers or
-- phones — becomes "HZ1:" and its HMAC pseudonym in upper case (an
-- upper-case code, as hz_code leaves it), in every entity alike, so that
-- the references still meet and no id number reaches core; the raw rows
-- are given the same value (the scrub_*.sql files), which a full rebuild
-- keeps as it is. So does a staff role that looks personal (a refused
-- row's: role is part of its key). The cheap tests first, in a CASE of
-- their own (DuckDB orders the terms of an AND by its own guess of their
-- cost, and ran the UDF on every row): a value with a character beyond
-- ASCII (a name: two Chinese characters are six bytes) or 11 digits in a
-- row (a space or a dash between them counts as none, as
-- privacy.LooksPersonal counts) goes to the full test (privacy.Candidate,
-- FuzzRefCandidate). At 1 M members nearly every reference is 11 ASCII
-- characters with neither; a value of exactly 11 bytes holds such a run
-- only when all 11 are digits, which GLOB tests in a third of the time the
-- regular expression takes (0.05 s against 0.18 s of 4.8 M receipts).
CREATE OR REPLACE TEMP MACRO hz_ref_candidate(s) AS
    strlen(s) <> length(s) OR (strlen(s) >= 11 AND CASE WHEN strlen(s) = 11
        THEN s GLOB '[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'
        ELSE regexp_matches(s, '[0-9](?:[ -]?[0-9]){10}') END);
-- The full test, of a code (hz_code'd): personal, and not already its
-- pseudonym.
CREATE OR REPLACE TEMP MACRO hz_ref_personal(c) AS
    hz_looks_personal(c) AND NOT regexp_full_match(c, 'HZ1:[0-9A-F]{32}');
CREATE OR REPLACE TEMP MACRO hz_ref_pseudo(c) AS
    CASE WHEN hz_ref_candidate(c)
         THEN CASE WHEN hz_ref_personal(c) THEN 'HZ1:' || upper(hz_hmac(c)) ELSE c END
         ELSE c END;

-- Whether a raw reference is one hz_ref_pseudo replaces by its pseudonym:
-- the cheap test on the raw value (full-width digits are not ASCII), the
-- full one on its code.
CREATE OR REPLACE TEMP MACRO hz_plain_ref(s) AS
    CASE WHEN hz_ref_candidate(s) THEN hz_ref_personal(hz_code(s)) ELSE false END;

-- The columns an operator sent beyond the contract (raw's extra, a JSON
-- object) with their values masked: in an entity of personal data, an
-- operator's own column (手机号, 身份证号) may hold them too.
CREATE OR REPLACE TEMP MACRO hz_mask_extra(extra) AS
    CASE WHEN extra IS NULL THEN NULL
         ELSE '{' || array_to_string(list_transform(json_keys(extra), k -> CAST(to_json(k) AS VARCHAR) || ':"***"'), ',') || '}' END;

-- A raw member row that still holds plaintext personal data (not yet
-- replaced by pseudonyms, or an extra column unmasked: see
-- scrub_members.sql; an id number of blanks is none).
CREATE OR REPLACE TEMP MACRO hz_plain_member(id_number, name, phone, extra) AS
    (id_number IS NOT NULL AND NOT hz_scrubbed_id(id_number) AND hz_code(id_number) IS NOT NULL)
    OR (name IS NOT NULL AND NOT hz_scrubbed(name))
    OR (phone IS NOT NULL AND NOT hz_scrubbed(phone))
    OR (extra IS NOT NULL AND extra <> hz_mask_extra(extra));
