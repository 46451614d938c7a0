"""Admin-issued password-reset links: single use, expiring, only a hash of the token stored.

An admin creates a link for an agent on the console's admin page and hands it over; the agent
opens it and sets a new password. Using the link ends the agent's sessions and lifts a lockout;
a new link for the same agent cancels the earlier ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets

from sqlalchemy import delete

from conversation.agents import UnknownAgentError, hash_password
from conversation.clock import as_utc, utcnow
from conversation.db import session_scope
from conversation.models import Agent, AgentSession, PasswordReset
from conversation.records import MIN_PASSWORD
from settings import Settings

log = logging.getLogger(__name__)


class ResetLinkError(ValueError):
    """The link is unknown, used, expired, or its agent is disabled."""


class WeakPasswordError(ValueError):
    """The new password is too short or too long."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_reset(settings: Settings, agent_id: int, issued_by: int | None) -> str:
    """Create a reset link's token for ``agent_id`` (earlier unused links stop working).

    Returns:
        The token, shown once to the admin; only its hash is stored.

    Raises:
        UnknownAgentError: No such agent.
    """
    token = secrets.token_urlsafe(32)
    with session_scope(settings.database_url) as session:
        if session.get(Agent, agent_id) is None:
            raise UnknownAgentError(f"no agent {agent_id}")
        session.execute(delete(PasswordReset).where(PasswordReset.agent_id == agent_id))
        session.add(
            PasswordReset(
                token_hash=_hash(token),
                agent_id=agent_id,
                issued_by=issued_by,
                expires_at=utcnow() + dt.timedelta(hours=settings.password_reset_hours),
            )
        )
    log.info("accounts: admin %s issued a password-reset link for agent %s", issued_by, agent_id)
    return token


def _usable(session_row: PasswordReset | None, agent: Agent | None) -> bool:
    return (
        session_row is not None
        and session_row.used_at is None
        and as_utc(session_row.expires_at) > utcnow()
        and agent is not None
        and agent.active
    )


def reset_agent(settings: Settings, token: str) -> str:
    """The name of the agent a usable link is for.

    Raises:
        ResetLinkError: The link is unknown, used, expired, or the agent is disabled.
    """
    with session_scope(settings.database_url) as session:
        row = session.get(PasswordReset, _hash(token))
        agent = session.get(Agent, row.agent_id) if row is not None else None
        if not _usable(row, agent) or agent is None:
            raise ResetLinkError("this link is not valid")
        return agent.name


def reset_password(settings: Settings, token: str, password: str) -> int:
    """Set a new password through a link, once: it ends the agent's sessions and lifts a lockout.

    Returns:
        The agent's id.

    Raises:
        WeakPasswordError: The password is shorter than ``MIN_PASSWORD`` or longer than 256.
        ResetLinkError: The link is unknown, used, expired, or the agent is disabled.
    """
    if not MIN_PASSWORD <= len(password) <= 256:
        raise WeakPasswordError(f"a password has {MIN_PASSWORD} to 256 characters")
    with session_scope(settings.database_url) as session:
        row = session.get(PasswordReset, _hash(token), with_for_update=True)
        agent = session.get(Agent, row.agent_id) if row is not None else None
        if not _usable(row, agent) or row is None or agent is None:
            raise ResetLinkError("this link is not valid")
        row.used_at = utcnow()
        agent.password_hash = hash_password(password)
        agent.failed_logins, agent.locked_until = 0, None
        session.execute(delete(AgentSession).where(AgentSession.agent_id == agent.id))
        log.info("accounts: agent %s set a new password with a reset link", agent.id)
        return agent.id
