SELECT version, name FROM ops.schema_migrations ORDER BY version;
