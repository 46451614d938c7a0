"""deploy/: the reverse proxy passes on exactly the public routes of the app, the systemd units
run the API and a loopback-only Rasa behind its token, and the env template names real settings."""

from __future__ import annotations

import configparser
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.main import create_app
from settings import Settings

pytestmark = pytest.mark.unit

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
LOCATION = re.compile(r"location\s+(=|~|\^~)?\s*(\S+)\s*\{(.*?)\}", re.DOTALL)
PUBLIC = ("/widget.js", "/widget.css", "/api/", "/channels/telegram", "/console", "/static/")
PRIVATE_ELSEWHERE = (  # what Rasa serves, were it reachable through the proxy's host
    "/webhooks/rest/webhook",
    "/model/parse",
    "/conversations/web-1/tracker/events",
    "/status",
)


def locations() -> list[tuple[str, str, str]]:
    conf = (DEPLOY / "nginx" / "nso.conf").read_text(encoding="utf-8")
    conf = re.sub(r"#.*", "", conf)
    return [(kind or "", pattern, body) for kind, pattern, body in LOCATION.findall(conf)]


def served(path: str) -> bool:
    """Whether nginx passes ``path`` on (its rules: exact, then regex in order, then longest prefix)."""
    rules = locations()
    exact = [body for kind, pattern, body in rules if kind == "=" and pattern == path]
    if exact:
        chosen = exact[0]
    else:
        regex = [body for kind, pattern, body in rules if kind == "~" and re.search(pattern, path)]
        prefixes = [(pattern, body) for kind, pattern, body in rules if not kind and path.startswith(pattern)]
        chosen = regex[0] if regex else max(prefixes, key=lambda p: len(p[0]))[1]
    return "proxy_pass" in chosen


def app_paths(routes: Any, prefix: str = "") -> Iterator[str]:
    for route in routes:
        if hasattr(route, "path"):
            yield prefix + route.path
        else:  # an included router
            yield from app_paths(route.original_router.routes, prefix + route.include_context.prefix)


def example(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x1", path)


def test_deploy_proxy_serves_only_the_public_routes_of_the_app() -> None:
    paths = sorted({example(p) for p in app_paths(create_app().routes)})
    public = [p for p in paths if p.startswith(PUBLIC)]
    private = [p for p in paths if p not in public]
    assert {"/metrics", "/webhook", "/health", "/docs", "/openapi.json"} <= set(private)
    assert [p for p in public if not served(p)] == []
    assert [p for p in private if served(p)] == []


@pytest.mark.parametrize(
    "path",
    [
        "/metrics",
        "/webhook",
        "/webhook/",
        "/channels/telegram/x",
        "/consoles",
        "/widget.jsx",
        *PRIVATE_ELSEWHERE,
    ],
)
def test_deploy_proxy_private_path_is_404(path: str) -> None:
    assert not served(path)


def test_deploy_proxy_streams_console_events_unbuffered() -> None:
    (events,) = [body for kind, pattern, body in locations() if kind == "~"]
    assert "proxy_buffering off" in events
    assert served("/console/api/queue/events") and served("/console/api/conversations/web-1/events")


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((DEPLOY / name).read_text(encoding="utf-8").replace("\\\n", " "))
    return parser


def test_deploy_api_unit_runs_bot_serve_with_the_env_file() -> None:
    service = unit("nso-api.service")["Service"]
    assert service["ExecStart"] == "/opt/nso/.venv/bin/python -m bot serve"
    assert service["EnvironmentFile"] == "/etc/nso/nso.env" and service["User"] == "nso"


def test_deploy_rasa_unit_listens_on_loopback_behind_its_token() -> None:
    exec_start = unit("nso-rasa.service")["Service"]["ExecStart"].split()
    assert exec_start[:2] == ["/opt/nso/.venv-rasa/bin/rasa", "run"]
    assert exec_start[exec_start.index("--interface") + 1] == "127.0.0.1"
    assert exec_start[exec_start.index("--auth-token") + 1] == "${NSO_RASA_TOKEN}"
    assert "--enable-api" in exec_start


def test_deploy_env_template_names_only_real_settings() -> None:
    lines = (DEPLOY / "nso.env.example").read_text(encoding="utf-8").splitlines()
    names = [line.lstrip("#").split("=", 1)[0] for line in lines if re.match(r"#?NSO_\w+=", line)]
    fields = {f"NSO_{name.upper()}" for name in Settings.model_fields}
    assert names and [n for n in names if n not in fields] == []
    for secret in ("NSO_SECRET_KEY", "NSO_RASA_TOKEN", "NSO_ACTION_TOKEN", "NSO_METRICS_TOKEN"):
        assert secret in names


def test_deploy_env_template_loads_and_refuses_its_placeholder_secret() -> None:
    template = DEPLOY / "nso.env.example"
    with pytest.raises(ValueError, match="NSO_SECRET_KEY must be set"):
        Settings(_env_file=template)  # type: ignore[call-arg]
    settings = Settings(_env_file=template, secret_key="a-real-secret-0123456789")  # type: ignore[call-arg]
    assert (settings.environment, settings.log_format, settings.host) == ("production", "json", "127.0.0.1")
    assert settings.cors_origins == ("https://www.example.org",)
    assert settings.opening_hours == "" and settings.helpdesk_timezone == "Europe/Brussels"


@pytest.mark.parametrize("name", ["nso-api.service", "nso-rasa.service"])
def test_deploy_unit_crash_loop_is_restarted_with_a_delay_never_given_up(name: str) -> None:
    parsed = unit(name)
    service = parsed["Service"]
    assert service["Restart"] == "always" and int(service["RestartSec"]) >= 1
    assert int(service["RestartMaxDelaySec"]) > int(service["RestartSec"])
    assert parsed["Unit"]["StartLimitIntervalSec"] == "0"
    assert service.get("KillMode", "control-group") == "control-group"  # children stop with it
