"""Rasa's SQLite tracker file in WAL mode before Rasa opens it (conversation/db.py)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from conversation.db import use_wal_journal


@pytest.mark.unit
def test_wal_mode_is_kept_by_the_file_for_the_next_connection(tmp_path: Path) -> None:
    path = tmp_path / "var" / "tracker.db"
    use_wal_journal(path)
    use_wal_journal(path)  # idempotent: run.sh calls it on every start
    with closing(sqlite3.connect(path)) as other:  # as Rasa's engine opens it: no pragma
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        other.execute("CREATE TABLE events (id INTEGER PRIMARY KEY)")
        other.commit()
    assert path.read_bytes()[18:20] == b"\x02\x02"  # the header's read/write versions: WAL
