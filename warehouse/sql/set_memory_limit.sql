-- memory_limit is global to the database instance; the value is a parameter.
SET GLOBAL memory_limit = ?;
