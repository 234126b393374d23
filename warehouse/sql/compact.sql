-- Compact (compact.go): the warehouse at ${src} copied whole — schemas,
-- tables with their keys, views, rows in their order — into a new file at
-- ${dst}, whose blocks hold only what the tables hold now. ${src} and
-- ${dst} are the two paths as SQL string literals (ATTACH takes no
-- parameter).
ATTACH ${src} AS compact_src;
ATTACH ${dst} AS compact_dst;
COPY FROM DATABASE compact_src TO compact_dst;
DETACH compact_dst;
DETACH compact_src;
