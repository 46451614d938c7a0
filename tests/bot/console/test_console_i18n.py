"""The console in English, Dutch and Slovenian: complete catalogues, the agent's choice, every page."""

from __future__ import annotations

import json
import re

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from bot.console import i18n
from bot.messages_cli import catalogue_gaps, extract_messages
from settings import Settings
from tests.bot.console.factories import login_token, waiting_conversation

TRANSLATED = [lang for lang in i18n.LANGUAGES if lang != i18n.SOURCE_LANGUAGE]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")
CONVERSATION = "web-i18n00001"
# Each console page with its main heading per language (the page really is translated).
PAGES = {
    "/console/queue": {
        "en": "Waiting for a person",
        "nl": "Wachten op een medewerker",
        "sl": "Čakajo na človeka",
    },
    "/console/transcripts": {"en": "Transcripts", "nl": "Transcripten", "sl": "Prepisi"},
    "/console/tools": {"en": "Tools", "nl": "Hulpmiddelen", "sl": "Orodja"},
    "/console/analytics": {"en": "Analytics", "nl": "Statistieken", "sl": "Analitika"},
    "/console/admin": {"en": "Admin", "nl": "Beheer", "sl": "Skrbništvo"},
    f"/console/conversations/{CONVERSATION}": {"en": "Conversation", "nl": "Gesprek", "sl": "Pogovor"},
}
QUEUE = {"en": "Queue", "nl": "Wachtrij", "sl": "Čakalna vrsta"}


# --- catalogues ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def extracted() -> Catalog:
    return extract_messages()


@pytest.mark.unit
@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_every_msgid_of_the_sources_is_translated(lang: str, extracted: Catalog) -> None:
    gaps = catalogue_gaps(lang, extracted)
    assert not gaps.missing, (
        f"{lang}: not in console.po (run `python -m bot messages update`): {gaps.missing}"
    )
    assert not gaps.untranslated, f"{lang}: empty msgstr: {gaps.untranslated}"
    assert not gaps.fuzzy, f"{lang}: fuzzy: {gaps.fuzzy}"


@pytest.mark.unit
def test_catalogue_check_reports_a_msgid_nobody_translated(extracted: Catalog) -> None:
    template = extract_messages()
    template.add("A text added to a template but not to the catalogues")
    gaps = catalogue_gaps("nl", template)
    assert gaps and gaps.missing == ["A text added to a template but not to the catalogues"]
    assert not catalogue_gaps("nl", extracted)


@pytest.mark.unit
def test_extraction_finds_templates_routes_labels_and_script_plurals(extracted: Catalog) -> None:
    places = {path.split("/")[-1] for m in extracted for path, _ in m.locations}
    assert {"base.html", "queue.html", "_strings.html", "analytics.py", "labels.py"} <= places
    assert extracted.get(("{n} conversation needs you", "{n} conversations need you")) is not None


@pytest.mark.unit
@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_translations_keep_every_placeholder(lang: str) -> None:
    with i18n.catalogue_path(lang).open("rb") as po:
        catalogue = read_po(po, locale=lang)
    wrong = []
    for message in catalogue:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        wrong += [(ids[0], s) for s in strings if set(PLACEHOLDER.findall(s)) != wanted]
    assert not wrong


@pytest.mark.unit
@pytest.mark.parametrize(
    ("lang", "forms"),
    [
        ("en", {"one": "1 conversation needs you", "other": "0 conversations need you"}),
        ("nl", {"one": "1 gesprek heeft je nodig", "other": "0 gesprekken hebben je nodig"}),
        (
            "sl",
            {
                "one": "1 pogovor vas potrebuje",
                "two": "2 pogovora vas potrebujeta",
                "few": "3 pogovori vas potrebujejo",
                "other": "0 pogovorov vas potrebuje",
            },
        ),
    ],
)
def test_plurals_give_scripts_every_cldr_form(lang: str, forms: dict[str, str]) -> None:
    with i18n.speaking(lang):
        found = i18n.plurals("{n} conversation needs you", "{n} conversations need you")
    samples = i18n.plural_samples(lang)
    assert {cat: text.replace("{n}", str(samples[cat])) for cat, text in found.items()} == forms


# --- choosing the language ----------------------------------------------------------------------


@pytest.mark.unit
@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("", "en"),
        ("nl-BE,nl;q=0.9,en;q=0.8", "nl"),
        ("sl-SI", "sl"),
        ("fr-BE,fr;q=0.9,nl;q=0.8,en;q=0.7", "nl"),  # the first one the console speaks
        ("en;q=0.5,sl;q=0.9", "sl"),  # by quality, not by order
        ("de,fr", "en"),
        ("nl;q=0,sl;q=0.1", "sl"),  # q=0: not acceptable
        ("nl;q=abc, sl", "sl"),
        ("x" * 5000, "en"),
    ],
)
def test_from_accept_language_picks_best_console_language(header: str, lang: str) -> None:
    assert i18n.from_accept_language(header) == lang


def test_console_language_follows_accept_language_without_cookie(
    agent_client: tuple[TestClient, str],
) -> None:
    client, _ = agent_client
    page = client.get("/console/queue", headers={"Accept-Language": "nl-BE,nl;q=0.9,en;q=0.5"}).text
    assert '<html lang="nl">' in page and ">Wachtrij<" in page


def test_console_language_picker_remembers_choice_in_cookie(agent_client: tuple[TestClient, str]) -> None:
    client, csrf = agent_client
    response = client.post(
        "/console/language",
        data={"lang": "sl", "next": "/console/transcripts?language=nl", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/console/transcripts?language=nl"
    assert "nso_console_lang=sl" in response.headers["set-cookie"]
    assert "Path=/console" in response.headers["set-cookie"] and "HttpOnly" in response.headers["set-cookie"]
    page = client.get("/console/queue", headers={"Accept-Language": "nl"}).text  # the choice wins
    assert '<html lang="sl">' in page and "Čakalna vrsta" in page


@pytest.mark.parametrize(
    ("form", "status"),
    [
        ({"lang": "fr", "next": "/console/queue"}, 422),
        ({"lang": "nl", "next": "https://evil.example/"}, 303),  # back to the queue, not away
    ],
)
def test_console_language_picker_refuses_unknown_language_and_foreign_next(
    agent_client: tuple[TestClient, str], form: dict[str, str], status: int
) -> None:
    client, csrf = agent_client
    response = client.post("/console/language", data={**form, "csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == status
    if status == 303:
        assert response.headers["location"] == "/console/queue"


def test_console_language_picker_needs_csrf_token(agent_client: tuple[TestClient, str]) -> None:
    client, _ = agent_client
    response = client.post("/console/language", data={"lang": "nl"}, follow_redirects=False)
    assert response.status_code == 403 and "nso_console_lang" not in response.headers.get("set-cookie", "")


def test_login_form_language_choice_is_remembered(app_client: TestClient) -> None:
    page = app_client.get("/console/login?lang=nl&next=/console/tools")
    assert '<html lang="nl">' in page.text and ">Aanmelden</button>" in page.text
    assert 'name="next" value="/console/tools"' in page.text
    assert "nso_console_lang=nl" in page.headers["set-cookie"]
    login_token(app_client)  # the form again, now from the cookie
    assert '<html lang="nl">' in app_client.get("/console/login").text
    assert '<html lang="nl">' in app_client.get("/console/login?lang=xx").text  # not a language: ignored


# --- every page in every language ---------------------------------------------------------------


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
@pytest.mark.parametrize("path", list(PAGES))
def test_console_page_renders_in_each_language(
    admin_client: tuple[TestClient, str], settings_db: Settings, path: str, lang: str
) -> None:
    client, _ = admin_client
    waiting_conversation(settings_db, CONVERSATION)
    client.cookies.set(i18n.LANGUAGE_COOKIE, lang, path="/console")
    response = client.get(path)
    assert response.status_code == 200
    page = response.text
    assert f'<html lang="{lang}">' in page
    assert re.search(rf"<h1>{re.escape(PAGES[path][lang])}\b", page), PAGES[path][lang]
    assert f">{QUEUE[lang]}<" in page  # the header too
    strings = json.loads(re.search(r'id="console-strings">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    with i18n.speaking(lang):
        assert strings["loading"] == i18n.gettext("Loading…")
        assert strings["labels"]["status"]["waiting"] == i18n.gettext("waiting")
    if lang != "en":
        assert "Sign out" not in page and "Skip to content" not in page


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_login_page_renders_in_each_language(app_client: TestClient, lang: str) -> None:
    page = app_client.get("/console/login", headers={"Accept-Language": lang}).text
    with i18n.speaking(lang):
        assert f">{i18n.gettext('Sign in')}</button>" in page
    assert f'<html lang="{lang}">' in page
