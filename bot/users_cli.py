"""``python -m bot users add | list | disable | enable``: console accounts from the command line.

The first admin can only be created here (the admin page needs an admin to sign in).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from pydantic import ValidationError

from bot.schemas import MIN_PASSWORD, AgentCreate
from conversation import agents
from settings import Settings, get_settings


def _password(args: argparse.Namespace, settings: Settings) -> str:
    """--password, else NSO_NEW_USER_PASSWORD, else asked twice on the terminal."""
    if args.password:
        return str(args.password)
    if settings.new_user_password.get_secret_value():
        return settings.new_user_password.get_secret_value()
    if not sys.stdin.isatty():
        raise ValueError("no password: pass --password, set NSO_NEW_USER_PASSWORD or run in a terminal")
    first = getpass.getpass(f"Password for {args.email} (at least {MIN_PASSWORD} characters): ")
    if getpass.getpass("Repeat the password: ") != first:
        raise ValueError("the passwords differ")
    return first


def _add(args: argparse.Namespace) -> int:
    settings = get_settings()
    try:
        new = AgentCreate(
            email=args.email, name=args.name, role=args.role, password=_password(args, settings)
        )
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ValueError(problems) from None
    agent = agents.create_agent(settings, new)
    print(f"created {agent.role} {agent.email} (id {agent.id})")
    return 0


def _list(_args: argparse.Namespace) -> int:
    rows: list[tuple[Any, ...]] = [("id", "email", "name", "role", "status", "last sign-in")]
    for a in agents.list_agents(get_settings()):
        status = "active" if a.active else "disabled"
        if a.active and a.locked_until is not None:
            status = f"locked until {a.locked_until:%Y-%m-%d %H:%M}"
        last = f"{a.last_login_at:%Y-%m-%d %H:%M}" if a.last_login_at else "-"
        rows.append((a.id, a.email, a.name, a.role, status, last))
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    return 0


def _set_active(active: bool) -> Any:
    def run(args: argparse.Namespace) -> int:
        agent = agents.set_active(get_settings(), active=active, email=args.email)
        print(f"{'enabled' if active else 'disabled'} {agent.email}")
        return 0

    return run


def register(areas: Any) -> None:
    """Add the ``users`` subcommands to the CLI's subparsers ``areas``."""
    users = areas.add_parser("users", help="helpdesk console accounts (agents and admins)")
    commands = users.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="create an agent or admin")
    add.add_argument("email")
    add.add_argument("--name", required=True, help="shown to users when the agent joins a chat")
    add.add_argument("--role", choices=("agent", "admin"), default="agent")
    add.add_argument(
        "--password", help="initial password (visible in the process list: prefer the prompt or the env)"
    )
    add.set_defaults(run=_add)
    commands.add_parser("list", help="list accounts").set_defaults(run=_list)
    disable = commands.add_parser("disable", help="disable an account and end its sessions")
    disable.add_argument("email")
    disable.set_defaults(run=_set_active(False))
    enable = commands.add_parser("enable", help="enable an account again (also lifts a lockout)")
    enable.add_argument("email")
    enable.set_defaults(run=_set_active(True))
