"""Command line of the knowledge package: ``python -m knowledge validate|build-index``."""

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
    build = sub.add_parser("build-index", help="(re)build the FAISS index if the KB changed")
    build.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = get_settings()
    if args.command == "validate":
        from knowledge.validate import validate

        problems = validate(args.kb_dir or settings.kb_dir)
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"knowledge: {len(problems)} problem(s)", file=sys.stderr)
        return 1 if problems else 0
    from knowledge.index import ensure_index
    from knowledge.service import retrieval_config

    ensure_index(retrieval_config(settings), force=args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
