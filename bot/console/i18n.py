"""The console's languages: English, Dutch (as written in Flanders) and Slovenian, through gettext.

Every text an agent reads is an English msgid marked with ``_()`` / ``ngettext()`` in the
templates (Jinja's i18n extension) or a route; the translations live in
``bot/locale/<lang>/LC_MESSAGES/console.po`` and are compiled in memory with Babel when the app
starts (:func:`warm_up`), so no ``.mo`` file is kept in the repository and a broken catalogue
stops the start instead of a page. ``python -m bot messages
update`` extracts the msgids again and merges them into the catalogues.

The language is the agent's choice (the ``nso_console_lang`` cookie, set by the picker in the
console header or on the sign-in form), else the browser's ``Accept-Language``, else English.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from starlette.requests import Request

LANGUAGES = ("en", "nl", "sl")  # English is the msgid language: it has no catalogue
SOURCE_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "nl": "Nederlands", "sl": "Slovenščina"}  # each in its own language
LANGUAGE_COOKIE = "nso_console_lang"
DOMAIN = "console"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
MAX_ACCEPT_LANGUAGE = 512  # characters of the header looked at: it is the client's own text

_active: ContextVar[str] = ContextVar("console_language", default=SOURCE_LANGUAGE)


def catalogue_path(lang: str) -> Path:
    """Where the ``.po`` file of ``lang`` lives."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=len(LANGUAGES))
def translations(lang: str) -> NullTranslations:
    """The compiled catalogue of ``lang``, read and compiled once per process.

    Args:
        lang: One of :data:`LANGUAGES`.

    Returns:
        The translations; English (the msgids) gets the identity.

    Raises:
        ValueError: ``lang`` is not a console language.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"not a console language: {lang!r}")
    if lang == SOURCE_LANGUAGE:
        return NullTranslations()
    with catalogue_path(lang).open("rb") as po:
        catalog = read_po(po, locale=lang, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def warm_up() -> None:
    """Compile every catalogue now (the app's start-up calls this)."""
    for lang in LANGUAGES:
        translations(lang)


def from_accept_language(header: str) -> str:
    """The first console language the browser accepts, by quality then order (``nl-BE`` is nl).

    Args:
        header: The ``Accept-Language`` header, e.g. ``"nl-BE,nl;q=0.9,en;q=0.5"``.

    Returns:
        A language of :data:`LANGUAGES`; English when none matches.
    """
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header[:MAX_ACCEPT_LANGUAGE].split(",")):
        tag, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, index, tag.split("-")[0].lower()))
    return next((lang for _, _, lang in sorted(ranked) if lang in LANGUAGES), SOURCE_LANGUAGE)


def request_language(request: Request) -> str:
    """The language to answer ``request`` in: the agent's cookie, else the browser's preference."""
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    return from_accept_language(request.headers.get("accept-language", ""))


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Let :func:`gettext` and :func:`ngettext` (and so the templates) use ``lang`` in this block."""
    token = _active.set(lang)
    try:
        yield
    finally:
        _active.reset(token)


def active_language() -> str:
    """The language set by the enclosing :func:`speaking` block (English outside one)."""
    return _active.get()


def gettext(message: str) -> str:
    """``message`` in the active language."""
    return translations(_active.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of ``singular``/``plural`` for ``n`` in the active language."""
    return translations(_active.get()).ngettext(singular, plural, n)


@lru_cache(maxsize=len(LANGUAGES))
def plural_samples(lang: str) -> dict[str, int]:
    """One number per CLDR plural category of ``lang`` (Slovenian: one 1, two 2, few 3, other 0).

    The browser picks a category with ``Intl.PluralRules``; these numbers pick the gettext form
    that belongs to it, so the scripts get every form of a plural message without plural rules
    of their own.
    """
    rule = Locale.parse(lang).plural_form
    samples: dict[str, int] = {}
    for n in range(200):
        samples.setdefault(rule(n), n)
    return samples


def plurals(singular: str, plural: str) -> dict[str, str]:
    """Every form of a plural message in the active language, by CLDR category (for scripts).

    Extracted like ``ngettext`` (``python -m bot messages`` knows the keyword).
    """
    return {category: ngettext(singular, plural, n) for category, n in plural_samples(_active.get()).items()}
