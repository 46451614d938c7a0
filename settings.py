"""All runtime settings in one pydantic-settings class (env prefix ``NSO_``).

Imports nothing from FastAPI so that the knowledge CLIs and the Rasa actions can use it.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import sys
import time
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent
PLACEHOLDER = "change-me"


class Settings(BaseSettings):
    """Settings read from the environment (``NSO_*``) or ``.env``; defaults run everything locally."""

    model_config = SettingsConfigDict(env_prefix="NSO_", env_file=".env", extra="ignore", frozen=True)

    environment: Literal["local", "test", "production"] = "local"
    models_dir: Path = ROOT / "models"
    kb_dir: Path = ROOT / "knowledge" / "kb"
    encoder: str = Field(
        default="",
        description="Local directory or hub name of the sentence encoder; empty = models/encoder",
    )
    encoder_threads: int = Field(default=1, ge=1, description="Encoder intra-op threads per process")
    encoder_engine: Literal["torch", "onnx", "onnx-fp16-emb", "onnx-int8-emb", "onnx-int8"] = Field(
        default="onnx-fp16-emb",
        description="Encoder runtime: torch (reference), onnx (fp32), onnx-fp16-emb or onnx-int8-emb "
        "(fp16 or int8 embedding table only) or onnx-int8 (all matrices int8); ONNX files in "
        "models/encoder/onnx/",
    )
    query_cache_size: int = Field(default=1024, ge=0, description="Query embeddings kept in an LRU cache")
    languages: tuple[str, ...] = ("en", "nl", "sl")
    default_language: Literal["en", "nl", "sl"] = "en"
    as_of: dt.date | None = Field(default=None, description="Fixed 'today' for answers (tests)")
    # Retrieval thresholds on the calibrated confidence (0..1), tuned on the KB's own paraphrases.
    answer_threshold: float = 0.55
    clarify_threshold: float = 0.20
    dense_weight: float = 0.75
    host: str = "127.0.0.1"
    port: int = 8000
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_host: str = Field(
        default="127.0.0.1", description="Interface `make run` binds Rasa to (loopback: only this machine)"
    )
    rasa_token: SecretStr = Field(
        default=SecretStr(""),
        description="Rasa's --auth-token for its HTTP API; empty = generated into var/rasa_token",
    )
    action_token: SecretStr = Field(
        default=SecretStr(""),
        description="Token Rasa sends to the action endpoint (/webhook); empty = var/action_token",
    )
    database_url: str = f"sqlite:///{ROOT / 'var' / 'nso.db'}"
    rasa_tracker_url: str = Field(
        default=f"sqlite:///{ROOT / 'var' / 'rasa_tracker.db'}",
        description="Rasa's SQL tracker store, the database of endpoints.yml (endpoints.scale.yml: "
        "postgresql+psycopg://...); privacy erase and purge delete a conversation's events there",
    )
    redis_url: str = Field(
        default="",
        description="redis://... shared by several API workers for rate limits and console live "
        "updates; empty = per-process state (one worker)",
    )
    workers: int = Field(default=1, ge=1, description="API worker processes (`python -m bot serve`)")
    metrics_token: SecretStr = Field(
        default=SecretStr(""),
        description="Bearer token Prometheus sends to GET /metrics; empty = /metrics answers 404",
    )
    metrics_dir: Path = Field(
        default=ROOT / "var" / "prometheus",
        description="prometheus-client's multiprocess directory, used when NSO_WORKERS > 1",
    )
    log_format: Literal["text", "json"] = Field(
        default="text", description="json: one JSON object per log line (redacted like text)"
    )
    secret_key: str = PLACEHOLDER
    opening_hours: str = Field(
        default="",
        description="Free-text helpdesk hours told at handoff instead of the weekly schedule; empty = "
        "the schedule (Mon-Fri 9:00-17:00 in NSO_HELPDESK_TIMEZONE until an admin saves one), "
        "written in the teacher's language",
    )
    helpdesk_timezone: str = Field(
        default="Europe/Brussels", description="Time zone of the default opening schedule (IANA name)"
    )
    helpdesk_holidays: Literal["", "BE", "NL", "SI"] = Field(
        default="", description="Country whose public holidays close the helpdesk (default schedule)"
    )
    password_reset_hours: int = Field(
        default=24, ge=1, le=24 * 14, description="Hours an admin-issued password-reset link works"
    )
    telegram_bot_token: SecretStr = SecretStr("")
    telegram_webhook_secret: SecretStr = SecretStr("")
    telegram_api_url: str = Field(
        default="https://api.telegram.org/bot", description="Bot API base URL (a local fake in tests)"
    )
    public_url: str = Field(default="", description="Public https URL of this app (Telegram webhook)")
    cors_origins: tuple[str, ...] = Field(
        default=(), description="Origins of NSO sites allowed to call the API from the widget"
    )
    rate_limit_per_minute: int = Field(default=120, ge=1, description="Per client, on /api/*")
    max_body_bytes: int = Field(
        default=64 * 1024, ge=1024, description="Largest request body on any route (413 beyond)"
    )
    max_action_body_bytes: int = Field(
        default=2 * 1024 * 1024,
        ge=1024,
        description="Largest body on /webhook: Rasa sends the whole tracker, sometimes the domain",
    )
    max_concurrent_requests: int = Field(
        default=64, ge=1, description="Requests one worker serves at once (503 + Retry-After beyond)"
    )
    max_event_streams: int = Field(
        default=100, ge=1, description="Open console event streams per worker, counted apart"
    )
    login_attempts_per_minute: int = Field(
        default=10, ge=1, description="Console sign-in attempts per client address (429 beyond)"
    )
    login_attempts_global_per_minute: int = Field(
        default=120, ge=1, description="Console sign-in attempts from all addresses together"
    )
    login_hash_concurrency: int = Field(
        default=4, ge=1, description="Password checks (argon2, 64 MiB each) run at once per worker"
    )
    rasa_timeout: float = Field(default=4.0, gt=0, description="Seconds the gateway waits for Rasa")
    # Mail to teachers who left an address (agent replies, transcripts); empty host = no mail.
    smtp_host: str = Field(default="", description="SMTP server for mail to teachers; empty = off")
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_tls: Literal["starttls", "ssl", "none"] = Field(
        default="starttls", description="starttls (port 587), ssl (465) or none (local relay, tests)"
    )
    smtp_user: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_sender: str = Field(default="helpdesk@localhost", description="From: address of the mail")
    smtp_timeout: float = Field(default=10.0, gt=0, description="Seconds to wait for the SMTP server")
    new_user_password: SecretStr = Field(
        default=SecretStr(""), description="Password for `python -m bot users add` without a prompt"
    )

    @property
    def encoder_dir(self) -> Path:
        """The local encoder directory that set-up materialises."""
        return self.models_dir / "encoder"

    @property
    def encoder_source(self) -> str:
        """What to hand to SentenceTransformer: a configured path/hub name or the local build."""
        return self.encoder or str(self.encoder_dir)

    @property
    def index_dir(self) -> Path:
        """Where the FAISS index and its manifest live."""
        return self.models_dir / "index"

    @model_validator(mode="after")
    def _no_placeholder_secrets(self) -> Settings:
        if self.environment == "production" and self.secret_key == PLACEHOLDER:
            raise ValueError("NSO_SECRET_KEY must be set outside local/test environments")
        if self.default_language not in self.languages:
            raise ValueError(f"NSO_DEFAULT_LANGUAGE must be one of {self.languages}")
        return self


def local_secret(name: str) -> str:
    """A random secret kept in ``var/<name>`` for runs that do not configure one.

    Created once (exclusively, mode 0600) and then shared by every process of this checkout: the
    API workers, Rasa (through scripts/run.sh) and the CLIs. Production sets them explicitly.
    """
    path = ROOT / "var" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    for _ in range(50):  # another process may have created the file and not written it yet
        value = path.read_text(encoding="utf-8").strip()
        if value:
            return value
        time.sleep(0.02)
    raise RuntimeError(f"{path} is empty: delete it or configure the secret")


def rasa_token(settings: Settings) -> str:
    """The token of Rasa's HTTP API (configured, or this checkout's generated one)."""
    return settings.rasa_token.get_secret_value() or local_secret("rasa_token")


def action_token(settings: Settings) -> str:
    """The token Rasa must send to the action endpoint (configured, or generated)."""
    return settings.action_token.get_secret_value() or local_secret("action_token")


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings (tests override via dependency or cache_clear)."""
    return Settings()


if __name__ == "__main__":  # scripts/run.sh: `python -m settings rasa-token|action-token`
    _secrets = {"rasa-token": rasa_token, "action-token": action_token}
    if len(sys.argv) != 2 or sys.argv[1] not in _secrets:
        sys.exit(f"usage: python -m settings {{{','.join(_secrets)}}}")
    print(_secrets[sys.argv[1]](get_settings()))
