-- The typing and check functions of the transform, as DuckDB macros: each
-- parses or checks one contract type (contract-v1, "Types") exactly as
-- internal/codes and internal/money do in Go; transform/macros_test.go
-- compares the two on every fuzz input. They are TEMP: created on the
-- transform's connection at the start of each run.

-- code: full-width ASCII (U+FF01–FF5E) folded to ASCII (full-width
-- lower-case letters straight to upper-case: translate maps once) and the ideographic
-- space to a space, ASCII letters upper-cased, then Unicode white space (and
-- the BOM and zero-width space spreadsheets leave) trimmed from both ends;
-- NULL when nothing is left. As codes.NormalizeCode.
CREATE OR REPLACE TEMP MACRO hz_code(s) AS
    nullif(trim(
        translate(s, '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～　' || 'abcdefghijklmnopqrstuvwxyz', '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`ABCDEFGHIJKLMNOPQRSTUVWXYZ{|}~ ' || 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'),
        chr(9) || chr(10) || chr(11) || chr(12) || chr(13) || '                   　﻿​'), '');

-- The integer sum of a list (list_sum gives HUGEINT, which substr refuses).
CREATE OR REPLACE TEMP MACRO hz_isum(l) AS CAST(list_sum(l) AS BIGINT);

-- USCC (GB 32100-2015) with the GB 11714 organisation code inside it.
CREATE OR REPLACE TEMP MACRO hz_uscc_value(c) AS instr('0123456789ABCDEFGHJKLMNPQRTUWXY', c) - 1;
CREATE OR REPLACE TEMP MACRO hz_uscc_ok(s) AS
    coalesce(
        regexp_full_match(s, '[1-9ANY][0-9A-HJ-NP-RTUW-Y][0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}')
        -- c = 11 - (sum mod 11) in 1..11; 10 is X and 11 is 0: position c + 1 of '0123456789X0'.
        AND substr(s, 17, 1) = substr('0123456789X0', 12 - hz_isum(list_transform(range(8),
                i -> (instr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', substr(s, 9 + i, 1)) - 1)
                     * [3, 7, 9, 10, 5, 8, 4, 2][i + 1])) % 11, 1)
        AND substr(s, 18, 1) = substr('0123456789ABCDEFGHJKLMNPQRTUWXY',
            1 + (31 - hz_isum(list_transform(range(17),
                i -> hz_uscc_value(substr(s, i + 1, 1))
                     * [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28][i + 1])) % 31) % 31, 1),
        false);

-- Citizen ID (GB 11643-1999): 17 digits, a birth date on or after 1800,
-- ISO 7064 MOD 11-2 check character.
CREATE OR REPLACE TEMP MACRO hz_id_ok(s) AS
    coalesce(
        regexp_full_match(s, '[0-9]{17}[0-9X]')
        AND try_strptime(substr(s, 7, 8), '%Y%m%d') IS NOT NULL
        AND substr(s, 7, 4) >= '1800'
        AND substr(s, 18, 1) = substr('10X98765432',
            1 + hz_isum(list_transform(range(17),
                i -> TRY_CAST(substr(s, i + 1, 1) AS INTEGER)
                     * [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2][i + 1])) % 11, 1),
        false);

-- money: optional sign, digits, at most two decimals, under 10^16 yuan;
-- anything else (1,234.5 12.345 abc .5 5.) is NULL.
CREATE OR REPLACE TEMP MACRO hz_money(s) AS
    CASE WHEN regexp_full_match(trim(s, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)), '[+-]?[0-9]+(\.[0-9]{1,2})?')
          AND length(ltrim(regexp_extract(trim(s, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)), '[0-9]+'), '0')) <= 16
         THEN CAST(trim(s, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)) AS DECIMAL(18, 2)) END;

-- date: YYYY-MM-DD, a real calendar date.
CREATE OR REPLACE TEMP MACRO hz_date(s) AS
    CASE WHEN regexp_full_match(s, '[0-9]{4}-[0-9]{2}-[0-9]{2}') THEN CAST(try_strptime(s, '%Y-%m-%d') AS DATE) END;

-- timestamp: RFC 3339 with an offset (fractions to the microsecond), or
-- YYYY-MM-DD HH:MM:SS meaning Beijing time (no summer time since 1991, so a
-- fixed +08:00).
CREATE OR REPLACE TEMP MACRO hz_ts(s) AS
    CASE WHEN regexp_full_match(s, '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})?')
         THEN try_cast(CASE WHEN regexp_matches(s, '(Z|[+-][0-9]{2}:[0-9]{2})$') THEN s ELSE s || '+08:00' END AS TIMESTAMPTZ) END;

-- integer and decimal (not money) and boolean.
CREATE OR REPLACE TEMP MACRO hz_int(s) AS
    CASE WHEN regexp_full_match(s, '[+-]?[0-9]{1,18}') THEN CAST(s AS BIGINT) END;
CREATE OR REPLACE TEMP MACRO hz_decimal(s) AS
    CASE WHEN regexp_full_match(s, '[+-]?[0-9]+(\.[0-9]+)?') THEN try_cast(s AS DECIMAL(18, 6)) END;
CREATE OR REPLACE TEMP MACRO hz_bool(s) AS
    CASE s WHEN 'true' THEN true WHEN 'false' THEN false END;

-- text: NFC-normalised; emoji and ZWJ sequences pass unchanged.
CREATE OR REPLACE TEMP MACRO hz_text(s) AS nfc_normalize(s);

-- Pseudonyms: HMAC-SHA256 under the run's key (ipad/opad blocks kept in the
-- temp table hz_key, inserted as parameters), 32 hex digits. A raw value
-- already replaced by its pseudonym ("HZ1:<hex>…") keeps its pseudonym.
CREATE OR REPLACE TEMP MACRO hz_pseudo(s) AS
    CASE WHEN s IS NULL THEN NULL
         WHEN starts_with(s, 'HZ1:') THEN substr(s, 5, 32)
         ELSE substr(sha256((SELECT opad FROM hz_key) || unhex(sha256((SELECT ipad FROM hz_key) || encode(s)))), 1, 32) END;
