"""Security headers, CORS, rate limits, 503 on database outage, PII redaction."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conversation.redact import RedactingFilter, redact
from settings import Settings


@pytest.fixture
def app_with(
    nso_env: Callable[[Mapping[str, str]], Settings], make_client: Callable[[], TestClient]
) -> Callable[..., TestClient]:
    """Factory: a TestClient of the app built with extra NSO_* environment."""

    def build(**env: str) -> TestClient:
        nso_env(env)
        return make_client()

    return build


@pytest.mark.integration
def test_security_headers_on_api_and_pages(client: TestClient) -> None:
    response = client.get("/health")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.integration
def test_rate_limit_gives_429_with_retry_after(app_with, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = app_with(rate_limit_per_minute="8", database_url=f"sqlite:///{tmp_path / 'a.db'}")
    statuses = [client.get("/api/search", params={"q": "groups"}).status_code for _ in range(4)]
    assert statuses[:2] == [200, 200] and 429 in statuses
    limited = client.get("/api/search", params={"q": "groups"})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1


@pytest.mark.integration
def test_cors_only_for_configured_origins(app_with, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = app_with(cors_origins='["https://nso.example"]', database_url=f"sqlite:///{tmp_path / 'b.db'}")
    allowed = client.options(
        "/api/chat/messages",
        headers={"Origin": "https://nso.example", "Access-Control-Request-Method": "POST"},
    )
    assert allowed.headers.get("access-control-allow-origin") == "https://nso.example"
    other = client.options(
        "/api/chat/messages",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in other.headers


@pytest.mark.integration
def test_database_unavailable_is_503_with_retry_after(app_with, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    blocked = tmp_path / "db-is-a-directory"
    blocked.mkdir()
    client = app_with(database_url=f"sqlite:///{blocked}")
    response = client.post("/api/chat/messages", json={"text": "hello"})
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail me at jan.peeters@school.be please", "mail me at [email] please"),
        ("bel +32 470 12 34 56", "bel [phone]"),
        ("moj telefon je 041 123 456", "moj telefon je [phone]"),
        ("last active on 15.6.2021", "last active on 15.6.2021"),
        ("submission 4 of 2022", "submission 4 of 2022"),
        ("erased tg-123456789 (3 messages)", "erased tg-123456789 (3 messages)"),
        ("call 0471-12-34-56 now", "call [phone] now"),
    ],
)
def test_redact_hides_emails_and_phones_not_dates(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.unit
def test_redacting_filter_applies_to_log_args() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "user %s wrote", ("a@b.eu",), None)
    RedactingFilter().filter(record)
    assert record.getMessage() == "user [email] wrote"
