"""``python -m bot messages extract | update | check``: the console's gettext catalogues (Babel).

* ``extract`` writes ``bot/locale/console.pot`` from the console's templates and routes;
* ``update`` extracts, then merges the msgids into every language's ``console.po`` (new ones come
  in untranslated, ones no longer used are dropped), for a translator to fill in;
* ``check`` lists the msgids a language lacks or leaves untranslated (exit status 1 if any);
  the unit tests run the same check.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.console.i18n import DOMAIN, LANGUAGES, LOCALE_DIR, SOURCE_LANGUAGE, catalogue_path

BOT_DIR = Path(__file__).resolve().parent
# Where the console's texts are, relative to bot/, and how to read them.
METHOD_MAP = [("console/**.py", "python"), ("templates/console/**.html", "jinja2")]
OPTIONS_MAP = {"templates/console/**.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}}
# plurals(singular, plural): every plural form of a message for the scripts (bot.console.i18n).
KEYWORDS = {**DEFAULT_KEYWORDS, "plurals": (1, 2)}
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"


def extract_messages() -> Catalog:
    """Every msgid of the console's templates and routes, with where it is used."""
    catalog = Catalog(domain=DOMAIN, project="NSO helpdesk console", charset="utf-8", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        BOT_DIR,
        method_map=METHOD_MAP,
        options_map=OPTIONS_MAP,
        keywords=KEYWORDS,
        comment_tags=("Translators:",),
        strip_comment_tags=True,
    ):
        catalog.add(message, None, [(f"bot/{filename}", lineno)], auto_comments=comments, context=context)
    return catalog


@dataclass
class CatalogueGaps:
    """What one language's catalogue lacks: msgids not in it, in it but untranslated or fuzzy."""

    lang: str
    missing: list[str]
    untranslated: list[str]
    fuzzy: list[str]

    def __bool__(self) -> bool:
        return bool(self.missing or self.untranslated or self.fuzzy)


def _key(msgid: str | tuple[str, ...] | list[str]) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def catalogue_gaps(lang: str, template: Catalog | None = None) -> CatalogueGaps:
    """Compare ``lang``'s catalogue with the msgids the sources use now.

    Args:
        lang: A console language other than English.
        template: The extracted msgids (extracted now when not given).

    Returns:
        The gaps; an empty (falsy) result when every msgid has every form translated.
    """
    template = template or extract_messages()
    with catalogue_path(lang).open("rb") as po:
        catalogue = read_po(po, locale=lang, domain=DOMAIN)
    missing, untranslated, fuzzy = [], [], []
    for message in template:
        if not message.id:
            continue
        found = catalogue.get(message.id, context=message.context)
        key = _key(message.id)
        if found is None:
            missing.append(key)
        elif found.fuzzy:
            fuzzy.append(key)
        elif not found.string or (isinstance(found.string, tuple | list) and not all(found.string)):
            untranslated.append(key)
    return CatalogueGaps(lang, missing, untranslated, fuzzy)


def _write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        write_po(out, catalog, width=110, ignore_obsolete=True, include_previous=False)


def _extract(_args: argparse.Namespace) -> int:
    _write(extract_messages(), TEMPLATE)
    print(f"wrote {TEMPLATE.relative_to(BOT_DIR.parent)}")
    return 0


def _update(_args: argparse.Namespace) -> int:
    template = extract_messages()
    _write(template, TEMPLATE)
    for lang in LANGUAGES:
        if lang == SOURCE_LANGUAGE:
            continue
        path = catalogue_path(lang)
        if path.exists():
            with path.open("rb") as po:
                catalogue = read_po(po, locale=lang, domain=DOMAIN)
        else:
            catalogue = Catalog(locale=lang, domain=DOMAIN, project="NSO helpdesk console", fuzzy=False)
        catalogue.update(template, no_fuzzy_matching=True, update_header_comment=False)
        _write(catalogue, path)
        gaps = catalogue_gaps(lang, template)
        todo = len(gaps.untranslated) + len(gaps.missing)
        print(f"{path.relative_to(BOT_DIR.parent)}: {todo} to translate")
    return 0


def _check(_args: argparse.Namespace) -> int:
    template = extract_messages()
    status = 0
    for lang in LANGUAGES:
        if lang == SOURCE_LANGUAGE:
            continue
        gaps = catalogue_gaps(lang, template)
        for kind in ("missing", "untranslated", "fuzzy"):
            for msgid in getattr(gaps, kind):
                print(f"{lang}: {kind}: {msgid!r}")
        status = status or int(bool(gaps))
    return status


def register(areas: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``messages extract | update | check`` to the ``python -m bot`` parser."""
    messages = areas.add_parser("messages", help="the console's translations (gettext catalogues)")
    commands = messages.add_subparsers(dest="command", required=True)
    commands.add_parser("extract", help="write bot/locale/console.pot").set_defaults(run=_extract)
    commands.add_parser("update", help="extract and merge into every console.po").set_defaults(run=_update)
    commands.add_parser("check", help="list untranslated msgids (exit 1 if any)").set_defaults(run=_check)
