-- Rows need not keep the order they were inserted in: every table huzhu
-- reads is ordered by its query, and raw rows carry source_pos. Without the
-- promise DuckDB appends in parallel (about twice as fast from Arrow).
SET GLOBAL preserve_insertion_order = false;
