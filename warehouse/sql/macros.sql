-- The macros every stage may use (temp: defined on a connection, by
-- warehouse.DefineMacros).

-- The calendar day in Beijing of a TIMESTAMPTZ, by arithmetic on its epoch
-- (UTC+8, no summer time since 1991; the transform's hz_ts reads an
-- offset-less value the same way): not through the session's time zone,
-- which differs from machine to machine, nor ICU's calendar, about 0.3 µs
-- a row.
CREATE OR REPLACE TEMP MACRO beijing_day(ts) AS CAST(make_timestamp(epoch_us(ts) + 28800000000) AS DATE);
