-- threads is global to the database instance; the value is a parameter.
SET GLOBAL threads = ?;
