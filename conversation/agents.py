"""Console users: accounts (argon2 hashes), throttled sign-in, server-side sessions.

Sessions live in the database, not in a signed cookie, so logging out or disabling an agent
takes effect on the next request. The cookie holds a random token; only its SHA-256 is stored.

Sign-in is built so that nobody can keep an agent out: failures are counted per account *and*
client address, and after ``MAX_FAILED_LOGINS`` that pair waits a doubling delay (at most
``LOCKOUT``) while the agent signs in from anywhere else as usual. Each password check costs an
argon2 hash (64 MiB), so at most ``NSO_LOGIN_HASH_CONCURRENCY`` run at once per worker; beyond
that an attempt is refused at once (``LoginBusyError``) instead of queueing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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
"""Wrong passwords in a row from one address for one account before that pair has to wait."""
FIRST_DELAY = dt.timedelta(seconds=30)
"""The first wait; it doubles with every further failure of the pair."""
LOCKOUT = dt.timedelta(minutes=15)
"""The longest wait of a pair (never a lock of the account itself)."""
FORGET_AFTER = dt.timedelta(hours=1)
"""A pair's failures are forgotten after this long without an attempt."""
MAX_TRACKED_PAIRS = 10_000
SESSION_LIFETIME = dt.timedelta(hours=12)
UNKNOWN_ADDRESS = "unknown"


class AccountError(ValueError):
    """A console account operation that cannot be done (the CLI prints it, the admin page shows it)."""


class AgentExistsError(AccountError):
    """An agent with this e-mail address already exists."""


class UnknownAgentError(AccountError):
    """No agent with this e-mail address or id."""


class LoginRefusedError(Exception):
    """A sign-in attempt refused before the password was checked; retry after ``retry_after`` s."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"retry after {retry_after} s")


class LoginThrottledError(LoginRefusedError):
    """Too many wrong passwords for this account from this address: that pair has to wait."""


class LoginBusyError(LoginRefusedError):
    """Every password-checking slot of this worker is taken."""


@dataclass
class _Failures:
    count: int
    last: float  # time.monotonic() of the last failure


class SignInGuard:
    """Failed sign-ins per (e-mail, client address) and the wait each pair has earned.

    Unknown e-mail addresses are tracked like known ones, so the answers tell nothing about which
    accounts exist. Memory is bounded: beyond ``MAX_TRACKED_PAIRS`` the oldest pair is dropped.
    """

    def __init__(self) -> None:
        self._pairs: OrderedDict[tuple[str, str], _Failures] = OrderedDict()
        self._lock = threading.Lock()

    def wait(self, email: str, address: str) -> float:
        """Seconds before this pair may try again (0: now)."""
        now = time.monotonic()
        with self._lock:
            failures = self._pairs.get((email, address))
            if failures is None:
                return 0.0
            if now - failures.last > FORGET_AFTER.total_seconds():
                del self._pairs[(email, address)]
                return 0.0
            return max(0.0, failures.last + delay_after(failures.count).total_seconds() - now)

    def failed(self, email: str, address: str) -> int:
        """Count a wrong password; returns the pair's failures in a row."""
        with self._lock:
            failures = self._pairs.pop((email, address), None) or _Failures(0, 0.0)
            failures.count, failures.last = failures.count + 1, time.monotonic()
            self._pairs[(email, address)] = failures  # most recent last
            while len(self._pairs) > MAX_TRACKED_PAIRS:
                self._pairs.popitem(last=False)
            return failures.count

    def succeeded(self, email: str, address: str) -> None:
        """Forget the pair's failures."""
        with self._lock:
            self._pairs.pop((email, address), None)


def delay_after(failures: int) -> dt.timedelta:
    """The wait a pair has earned after ``failures`` wrong passwords in a row.

    None for the first ``MAX_FAILED_LOGINS - 1``, then ``FIRST_DELAY``, doubling up to ``LOCKOUT``.
    """
    if failures < MAX_FAILED_LOGINS:
        return dt.timedelta(0)
    return min(LOCKOUT, FIRST_DELAY * (1 << min(failures - MAX_FAILED_LOGINS, 16)))


_guards: dict[str, SignInGuard] = {}


def _guard(database_url: str) -> SignInGuard:
    """One guard per accounts database (an account is an e-mail in one database)."""
    return _guards.setdefault(database_url, SignInGuard())


@lru_cache(maxsize=16)
def _hash_slots(size: int) -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(size)


@contextmanager
def _hashing_slot(settings: Settings) -> Iterator[None]:
    """Hold one of the worker's password-checking slots, or refuse at once.

    Raises:
        LoginBusyError: All ``NSO_LOGIN_HASH_CONCURRENCY`` slots are in use.
    """
    slots = _hash_slots(settings.login_hash_concurrency)
    if not slots.acquire(blocking=False):
        raise LoginBusyError(retry_after=1)
    try:
        yield
    finally:
        slots.release()


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


def authenticate(
    settings: Settings, email: str, password: str, client: str | None = None
) -> AgentPublic | None:
    """The agent if the e-mail and password match an active account; else None.

    Every failure looks the same to the caller (no hint whether the e-mail exists). After
    ``MAX_FAILED_LOGINS`` wrong passwords in a row for one e-mail from one ``client`` address,
    that pair waits (``delay_after``); other addresses are not affected, so an attacker cannot
    lock an agent out.

    Args:
        settings: Database and the password-checking concurrency.
        email: As typed.
        password: As typed.
        client: The client's address; attempts without one share the address ``"unknown"``.

    Returns:
        The agent, or None for a wrong e-mail, wrong password or disabled account.

    Raises:
        LoginThrottledError: This pair has to wait; no password was checked.
        LoginBusyError: Too many password checks in progress; no password was checked.
    """
    key, address = email.strip().lower(), client or UNKNOWN_ADDRESS
    guard = _guard(settings.database_url)
    if (wait := guard.wait(key, address)) > 0:
        log.info("accounts: sign-in refused, the address must wait %.0f s after failed attempts", wait)
        raise LoginThrottledError(retry_after=math.ceil(wait))
    now = utcnow()
    with session_scope(settings.database_url) as session:
        found = session.scalars(select(Agent).where(Agent.email == key)).first()
        agent = found if found is not None and found.active else None
        with _hashing_slot(settings):  # unknown e-mails cost the same hash: no hint they are unknown
            ok = _verify(agent.password_hash if agent else _dummy_hash(), password) and agent is not None
            if agent is not None and ok and _hasher().check_needs_rehash(agent.password_hash):
                agent.password_hash = hash_password(password)
        if agent is None or not ok:
            failures = guard.failed(key, address)
            if agent is not None:
                agent.failed_logins += 1  # across all addresses: for the admin's eyes, never a lock
                if agent.failed_logins % MAX_FAILED_LOGINS == 0:
                    log.warning(
                        "accounts: agent %s has %s failed sign-ins in a row", agent.id, agent.failed_logins
                    )
            if failures >= MAX_FAILED_LOGINS:
                log.info("accounts: %s failed sign-ins from one address for one e-mail", failures)
            return None
        guard.succeeded(key, address)
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
