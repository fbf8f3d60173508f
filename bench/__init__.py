"""The benchmarks (`make bench-pages`, `bench-reports`, `bench-load`, `bench-import`): see this package's modules."""

from pathlib import Path


def remove_sqlite_database(path: Path):
    """Remove a scratch SQLite database with its WAL files (a WAL left by an earlier run must not meet a new one)."""
    for name in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
        name.unlink(missing_ok=True)
