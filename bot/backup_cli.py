"""``python -m bot backup`` and ``python -m bot restore``: the database and the knowledge base.

python -m bot backup db  backups/nso-2026-12-05.db      # SQLite file, or pg_dump archive
python -m bot backup kb  backups/kb-2026-12-05.tar.gz
python -m bot restore db backups/nso-2026-12-05.db      # stop the API first; migrates to head
python -m bot restore kb backups/kb-2026-12-05.tar.gz   # restart the API: it rebuilds the index
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from conversation.backup import backup_database, backup_kb, restore_database, restore_kb
from settings import get_settings


def _backup(args: argparse.Namespace) -> int:
    settings = get_settings()
    if args.what == "db":
        written = backup_database(settings.database_url, args.file)
    else:
        written = backup_kb(settings.kb_dir, args.file)
    print(f"backup written: {written}")
    return 0


def _restore(args: argparse.Namespace) -> int:
    settings = get_settings()
    if args.what == "db":
        restore_database(settings.database_url, args.file)
        print(f"database restored from {args.file} and migrated to this release's schema")
    else:
        restore_kb(settings.kb_dir, args.file)
        print(f"knowledge base restored from {args.file}; restart the API to rebuild the index")
    return 0


def register(areas: Any) -> None:
    """Add ``backup`` and ``restore`` to the CLI's subparsers ``areas``."""
    for name, run, help_text in (
        ("backup", _backup, "copy the database (NSO_DATABASE_URL) or the KB (NSO_KB_DIR) to a file"),
        ("restore", _restore, "replace the database or the KB with a backup (stop the API first)"),
    ):
        command = areas.add_parser(name, help=help_text)
        command.add_argument("what", choices=("db", "kb"), help="the database or the knowledge base")
        command.add_argument("file", type=Path, help="the backup file")
        command.set_defaults(run=run)
