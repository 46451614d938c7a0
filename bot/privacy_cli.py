"""``python -m bot privacy erase ID`` and ``python -m bot privacy purge --days N`` (GDPR)."""

from __future__ import annotations

import argparse
from typing import Any

from conversation.privacy import erase_conversation, purge_older_than
from settings import get_settings


def _erase(args: argparse.Namespace) -> int:
    result = erase_conversation(get_settings(), args.conversation_id)
    tracker = "emptied" if result["rasa_tracker_erased"] else "NOT reachable: erase it when Rasa is up"
    print(
        f"erased {args.conversation_id}: {result['messages']} messages, {result['handoffs']} handoffs; "
        f"Rasa tracker {tracker}"
    )
    return 0 if result["rasa_tracker_erased"] else 1


def _purge(args: argparse.Namespace) -> int:
    erased = purge_older_than(get_settings(), args.days)
    print(f"purged {len(erased)} conversations not updated for {args.days} days")
    return 0


def register(areas: Any) -> None:
    """Add the ``privacy`` subcommands to the CLI's subparsers ``areas``."""
    privacy = areas.add_parser("privacy", help="erase a conversation; purge by retention period")
    commands = privacy.add_subparsers(dest="command", required=True)
    erase = commands.add_parser("erase", help="erase one conversation (gateway DB and Rasa tracker)")
    erase.add_argument("conversation_id")
    erase.set_defaults(run=_erase)
    purge = commands.add_parser("purge", help="erase conversations older than the retention period")
    purge.add_argument("--days", type=int, required=True, help="retention in days")
    purge.set_defaults(run=_purge)
