"""Command line of the knowledge package: ``python -m knowledge validate|conflicts|build-index``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Dispatch the subcommands; exit code 1 when validation finds problems."""
    from settings import get_settings

    parser = argparse.ArgumentParser(prog="python -m knowledge")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("validate", help="check the KB files; print file:line problems")
    check.add_argument("--kb-dir", type=Path, default=None)
    check.add_argument(
        "--rules-dir", type=Path, default=None, help="rule data files (default knowledge/rules/data)"
    )
    listing = sub.add_parser("conflicts", help="write knowledge/kb/CONFLICTS.md from the conflict links")
    listing.add_argument("--kb-dir", type=Path, default=None)
    listing.add_argument("--check", action="store_true", help="exit 1 if CONFLICTS.md is out of date")
    build = sub.add_parser("build-index", help="(re)build the FAISS index if the KB changed")
    build.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = get_settings()
    if args.command == "validate":
        from knowledge.date_audit import RULES_DATA_DIR
        from knowledge.validate import validate

        problems = validate(args.kb_dir or settings.kb_dir, args.rules_dir or RULES_DATA_DIR)
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"knowledge: {len(problems)} problem(s)", file=sys.stderr)
        return 1 if problems else 0
    if args.command == "conflicts":
        return _conflicts(args.kb_dir or settings.kb_dir, check=args.check)
    from knowledge.index import ensure_index
    from knowledge.service import retrieval_config

    ensure_index(retrieval_config(settings), force=args.force)
    return 0


def _conflicts(kb_dir: Path, *, check: bool) -> int:
    """Write (or with ``check`` compare) CONFLICTS.md; 1 when stale or the KB is invalid."""
    from knowledge.conflicts import CONFLICTS_FILE, render, write
    from knowledge.loader import load_kb
    from knowledge.validate import validate

    problems = validate(kb_dir)
    if problems:
        print(f"knowledge: {len(problems)} problem(s); run 'python -m knowledge validate'", file=sys.stderr)
        return 1
    kb = load_kb(kb_dir.resolve())
    path = kb_dir / CONFLICTS_FILE
    if check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != render(kb):
            print(f"{path} is out of date: run 'python -m knowledge conflicts'", file=sys.stderr)
            return 1
        return 0
    print(f"wrote {write(kb, kb_dir)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
