"""SQL processors: PutSQL, ExecuteSQL (SQLite and PostgreSQL through DBCPConnectionPool)."""
