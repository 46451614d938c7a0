"""``python -m bot privacy erase ID`` and ``python -m bot privacy purge --days N`` (GDPR).

Both print what they deleted per store and exit 1 when a store could not be reached or still
holds rows of what was erased: they never claim more than they did.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from conversation.privacy import Erasure, StoreUnavailableError, erase_conversation, purge_older_than
from settings import get_settings


def _erase(args: argparse.Namespace) -> int:
    try:
        result = erase_conversation(get_settings(), args.conversation_id)
    except StoreUnavailableError as exc:
        print(f"NOT erased {args.conversation_id}: {exc}; nothing was deleted", file=sys.stderr)
        return 1
    print(f"erased {args.conversation_id}")
    return _report(result)


def _purge(args: argparse.Namespace) -> int:
    try:
        result = purge_older_than(get_settings(), args.days)
    except StoreUnavailableError as exc:
        print(f"NOT purged: {exc}; nothing was deleted", file=sys.stderr)
        return 1
    print(
        f"purged everything older than {args.days} days: {len(result['erased'])} conversations erased whole, "
        f"{len(result['kept_open'])} with an open handoff left untouched"
    )
    return _report(result)


def _report(result: Erasure) -> int:
    """Print the rows deleted per store and what is left; 0 if nothing is left anywhere."""
    print(
        f"  {'gateway database':<18} {result['messages']} messages, {result['handoffs']} handoffs, "
        f"{result['notes']} notes, {result['conversations']} conversations deleted"
    )
    if result["rasa_error"] and "rasa_events" not in result["left"]:
        print(f"  {'Rasa tracker store':<18} NOT erased: {result['rasa_error']}", file=sys.stderr)
        print("  run this command again once it can be reached", file=sys.stderr)
        return 1
    print(f"  {'Rasa tracker store':<18} {result['rasa_events']} events deleted")
    left = {store: rows for store, rows in result["left"].items() if rows}
    if left:
        rows = ", ".join(f"{rows} {store}" for store, rows in left.items())
        print(f"  NOT erased: still there afterwards: {rows}; run this command again", file=sys.stderr)
        return 1
    print(f"  checked afterwards: 0 rows left in {', '.join(result['left'])}")
    for residue in result["residue"]:
        print(f"  {residue}", file=sys.stderr)
    return 1 if result["residue"] else 0


def register(areas: Any) -> None:
    """Add the ``privacy`` subcommands to the CLI's subparsers ``areas``."""
    privacy = areas.add_parser("privacy", help="erase a conversation; purge by retention period")
    commands = privacy.add_subparsers(dest="command", required=True)
    erase = commands.add_parser(
        "erase", help="erase one conversation (gateway database and Rasa's tracker store)"
    )
    erase.add_argument("conversation_id")
    erase.set_defaults(run=_erase)
    purge = commands.add_parser(
        "purge",
        help="delete what is older than the retention period (by message time; open handoffs are kept)",
    )
    purge.add_argument("--days", type=int, required=True, help="retention in days")
    purge.set_defaults(run=_purge)
