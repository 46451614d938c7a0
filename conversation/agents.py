"""Console users: accounts (argon2 hashes), sign-in with lockout, server-side sessions.

Sessions live in the database, not in a signed cookie, so logging out or disabling an agent
takes effect on the next request. The cookie holds a random token; only its SHA-256 is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import case, delete, select

from conversation.clock import as_utc, utcnow
from conversation.db import session_scope
from conversation.models import Agent, AgentSession
from conversation.records import AgentCreate, AgentPublic, ConsoleAgent
from settings import Settings

log = logging.getLogger(__name__)

MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)
SESSION_LIFETIME = dt.timedelta(hours=12)


class AccountError(ValueError):
    """A console account operation that cannot be done (the CLI prints it, the admin page shows it)."""


class AgentExistsError(AccountError):
    """An agent with this e-mail address already exists."""


class UnknownAgentError(AccountError):
    """No agent with this e-mail address or id."""


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash to verify against for unknown e-mails, so they take as long as known ones."""
    return _hasher().hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """The argon2id hash of ``password``."""
    return _hasher().hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_agent(settings: Settings, new: AgentCreate) -> AgentPublic:
    """Create a console user.

    Raises:
        AgentExistsError: The e-mail address is taken.
    """
    with session_scope(settings.database_url) as session:
        if session.scalars(select(Agent.id).where(Agent.email == new.email)).first() is not None:
            raise AgentExistsError(f"an agent with e-mail {new.email} already exists")
        agent = Agent(
            email=new.email,
            name=new.name,
            role=new.role,
            password_hash=hash_password(new.password),
            failed_logins=0,
            active=True,
        )
        session.add(agent)
        session.flush()
        session.refresh(agent)
        log.info("accounts: created %s agent %s", new.role, agent.id)
        return AgentPublic.model_validate(agent)


def list_agents(settings: Settings) -> list[AgentPublic]:
    """Every console user, admins first, then by name."""
    with session_scope(settings.database_url) as session:
        agents = session.scalars(
            select(Agent).order_by(case((Agent.role == "admin", 0), else_=1), Agent.name, Agent.id)
        )
        return [AgentPublic.model_validate(a) for a in agents]


def set_active(
    settings: Settings, *, active: bool, email: str | None = None, agent_id: int | None = None
) -> AgentPublic:
    """Disable (revoking every session at once) or re-enable an agent; enabling clears a lockout.

    Raises:
        UnknownAgentError: No such agent.
    """
    with session_scope(settings.database_url) as session:
        query = (
            select(Agent).where(Agent.email == email.strip().lower())
            if email
            else select(Agent).where(Agent.id == agent_id)
        )
        agent = session.scalars(query).first()
        if agent is None:
            raise UnknownAgentError(f"no agent {email or agent_id}")
        agent.active = active
        if active:
            agent.failed_logins, agent.locked_until = 0, None
        else:
            session.execute(delete(AgentSession).where(AgentSession.agent_id == agent.id))
        session.flush()
        log.info("accounts: agent %s %s", agent.id, "enabled" if active else "disabled")
        return AgentPublic.model_validate(agent)


def authenticate(settings: Settings, email: str, password: str) -> AgentPublic | None:
    """The agent if the e-mail and password match an active, unlocked account; else None.

    Every failure looks the same to the caller (no hint whether the e-mail exists). After
    ``MAX_FAILED_LOGINS`` wrong passwords in a row the account is locked for ``LOCKOUT``, even
    for the right password.
    """
    now = utcnow()
    with session_scope(settings.database_url) as session:
        agent = session.scalars(select(Agent).where(Agent.email == email.strip().lower())).first()
        if agent is None or not agent.active:
            _verify(_dummy_hash(), password)
            return None
        if agent.locked_until is not None and as_utc(agent.locked_until) > now:
            _verify(_dummy_hash(), password)
            log.info("accounts: sign-in refused for locked agent %s", agent.id)
            return None
        if not _verify(agent.password_hash, password):
            agent.failed_logins += 1
            if agent.failed_logins >= MAX_FAILED_LOGINS:
                agent.failed_logins, agent.locked_until = 0, now + LOCKOUT
                log.warning("accounts: agent %s locked after %s failed sign-ins", agent.id, MAX_FAILED_LOGINS)
            return None
        if _hasher().check_needs_rehash(agent.password_hash):
            agent.password_hash = hash_password(password)
        agent.failed_logins, agent.locked_until, agent.last_login_at = 0, None, now
        session.flush()
        return AgentPublic.model_validate(agent)


def open_session(settings: Settings, agent_id: int) -> str:
    """Start a session for ``agent_id``; returns the token for the cookie (shown only once)."""
    token = secrets.token_urlsafe(32)
    with session_scope(settings.database_url) as session:
        session.execute(delete(AgentSession).where(AgentSession.expires_at < utcnow()))
        session.add(
            AgentSession(
                token_hash=_token_hash(token),
                agent_id=agent_id,
                csrf_token=secrets.token_urlsafe(32),
                expires_at=utcnow() + SESSION_LIFETIME,
            )
        )
    return token


def session_agent(settings: Settings, token: str) -> ConsoleAgent | None:
    """The active agent of an unexpired session token, with its CSRF token; None otherwise."""
    with session_scope(settings.database_url) as session:
        row = session.get(AgentSession, _token_hash(token))
        if row is None or as_utc(row.expires_at) <= utcnow():
            return None
        agent = session.get(Agent, row.agent_id)
        if agent is None or not agent.active:
            return None
        return ConsoleAgent.model_validate(
            {
                "id": agent.id,
                "email": agent.email,
                "name": agent.name,
                "role": agent.role,
                "csrf_token": row.csrf_token,
            }
        )


def close_session(settings: Settings, token: str) -> None:
    """End a session (logout)."""
    with session_scope(settings.database_url) as session:
        session.execute(delete(AgentSession).where(AgentSession.token_hash == _token_hash(token)))
