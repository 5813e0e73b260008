"""What more than one benchmark needs."""


def fresh_postgres(name: str, keep: bool = False) -> str | None:
    """Create (or empty, unless `keep`) a database for a benchmark on the local PostgreSQL;
    return its URL, or None, having said why, when no server answers."""
    try:
        import psycopg

        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True, connect_timeout=3
        ) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if exists and keep:
                return f"postgres://postgres@127.0.0.1:5432/{name}"
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
        return f"postgres://postgres@127.0.0.1:5432/{name}"
    except Exception as error:  # noqa: BLE001 - any failure means: no server to bench on
        print(f"postgresql: skipped ({error})")
        return None
